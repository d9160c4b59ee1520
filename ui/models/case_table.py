"""The big case table: holds only the ordered key list (rids) of the current query and fetches
rows lazily in windows of WINDOW rows, keeping a small LRU row cache (Anki's browser model).

Keys and rows are fetched off the GUI thread (TaskManager "read" pool); a row not yet fetched
shows a placeholder until its window arrives. Stale answers (the query changed meanwhile) are
dropped by a generation counter."""
from __future__ import annotations

from array import array
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.cases import caselist, listchanges
from ui.errors import present_error
from ui.format import COLOUR_HEX, COLOUR_NAMES, COLOUR_TINT, short, unit_name
from ui.widgets.urge_badge import urge_icon, urge_tooltip

WINDOW = 100
CACHE_ROWS = 3000
MAX_WANTED = 3

COLUMNS = [  # (key, header, sort key or None)
    ("case_no", "案件编号", "case_no"), ("state", "状态", None), ("color", "三色", None),
    ("title", "标题", None), ("category", "事项分类", None), ("unit", "承办单位", None),
    ("channel", "渠道", None), ("reporter", "报告人", None), ("received", "受理时间", "received"),
    ("due", "办结时限", "due"),
]


DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
ROLES_SHOWN = frozenset((DISPLAY, BACKGROUND, FOREGROUND, TOOLTIP, DECORATION))
CASE_NO_COLUMN = 0  # carries the 督办 badge (decoration) and its tooltip
COLOUR_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[0] == "color")
TITLE_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[0] == "title")
_BRUSHES: dict[str, QBrush] = {}


def _brush(hex_colour: str | None) -> QBrush | None:
    if not hex_colour:
        return None
    if hex_colour not in _BRUSHES:
        _BRUSHES[hex_colour] = QBrush(QColor(hex_colour))
    return _BRUSHES[hex_colour]


def prepare(row: dict) -> dict:
    """Pre-format a fetched row once: display texts per column and its brushes."""
    colour = row.get("color") or ""
    row["_cells"] = tuple(cell_text(row, key) for key, _h, _s in COLUMNS)
    row["_tint"] = _brush(COLOUR_TINT.get(colour))
    row["_fg"] = _brush(COLOUR_HEX.get(colour))
    row["_urge_icon"] = urge_icon(row.get("urge"))  # 督办: a badge on the case number
    row["_urge_tip"] = urge_tooltip(row.get("urge")) or None
    return row


def cell_text(row: dict, key: str) -> str:
    if key == "case_no":
        return row["case_no"]
    if key == "state":
        return row["state_label"]
    if key == "color":
        return COLOUR_NAMES.get(row.get("color") or "", "")
    if key == "title":
        return row["title"]
    if key == "category":
        return row.get("category_name") or ""
    if key == "unit":
        return unit_name(row.get("unit"))
    if key == "channel":
        return row["channel_label"]
    if key == "reporter":
        return "匿名" if row.get("anonymous") else (row["reporter"].get("name") or "")
    if key == "received":
        return short(row["received_at"])
    if key == "due":
        return short(row.get("due_at") or row.get("sign_due_at"))
    return ""


class CaseTableModel(QAbstractTableModel):
    totalChanged = Signal(int)
    loadingChanged = Signal(bool)
    followed = Signal()  # a change report has been followed (rows inserted, removed, moved, repainted)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.keys = array("q")
        self.filters: dict = {}
        self.sort_key = "received_desc"
        self.rows_fetched = 0       # rows read from the store since the last query (tests, benchmarks)
        self.windows_fetched = 0
        self._cache: OrderedDict[int, dict] = OrderedDict()
        self._inflight: int | None = None
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._generation = 0
        self._total = 0
        self.keys_complete = True
        self.total_known = True
        self.loading = False
        self.following = False           # a change report is being followed (one at a time)
        self._to_follow: set[str] = set()  # case numbers reported meanwhile

    # -- query ---------------------------------------------------------------------------------
    def set_query(self, filters: dict | None = None, sort: str | None = None, on_done=None, on_error=None) -> None:
        """Two steps off the GUI thread: the first window with the total (paints at once), then
        the whole key list (rows past the first window show a placeholder until it arrives)."""
        self.filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [], False)}
        if sort:
            self.sort_key = sort
        self._generation += 1
        gen = self._generation
        self._set_loading(True)

        def failed(exc) -> None:
            if gen == self._generation:
                self._set_loading(False)
            if on_error:
                on_error(exc)
            else:
                present_error(exc)

        def first(result: dict) -> None:
            if gen != self._generation:
                return
            self.beginResetModel()
            self.keys = result["keys"]
            counted = result["total"] is not None
            self._total = result["total"] if counted else len(self.keys)  # uncounted: grows when keys arrive
            self.keys_complete = counted and len(self.keys) >= self._total
            self.total_known = counted
            self._cache.clear()
            self._wanted.clear()
            self.rows_fetched = self.windows_fetched = 0
            self._store(0, result["rows"])
            self.endResetModel()
            self.totalChanged.emit(self._total)
            if self.keys_complete:
                self._set_loading(False)
                if on_done:
                    on_done(self._total)
                return
            self.ctx.tasks.run(caselist.case_keys, self.ctx.desk, self.ctx.actor, self.filters, self.sort_key,
                               kind="read", on_done=rest, on_error=failed)

        def rest(result: dict) -> None:
            if gen != self._generation:
                return
            keys = result["keys"]
            loaded = len(self.keys)
            if len(keys) > self._total == loaded and keys[:loaded] == self.keys:  # uncounted first page
                self.beginInsertRows(QModelIndex(), loaded, len(keys) - 1)
                self.keys, self._total = keys, len(keys)
                self.endInsertRows()
            elif len(keys) != self._total:  # the store changed in between: start over cleanly
                self.beginResetModel()
                self.keys, self._total = keys, len(keys)
                self._cache.clear()
                self.endResetModel()
            else:
                self.keys = keys
                if self._total > loaded:
                    self.dataChanged.emit(self.index(loaded, 0), self.index(self._total - 1, len(COLUMNS) - 1))
            self.keys_complete = self.total_known = True
            self._set_loading(False)
            self.totalChanged.emit(self._total)
            if on_done:
                on_done(self._total)

        self.ctx.tasks.run(caselist.first_page, self.ctx.desk, self.ctx.actor, self.filters, self.sort_key, WINDOW,
                           kind="read", on_done=first, on_error=failed)

    def _set_loading(self, value: bool) -> None:
        if value != self.loading:
            self.loading = value
            self.loadingChanged.emit(value)

    @property
    def total(self) -> int:
        return self._total

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent=None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else self._total

    def columnCount(self, parent=None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def row(self, index: int) -> dict | None:
        """The row at ``index`` if fetched (asks for its window otherwise)."""
        if not 0 <= index < len(self.keys):
            return None
        rid = self.keys[index]
        row = self._cache.get(rid)
        if row is not None:
            self._cache.move_to_end(rid)
            return row
        self._fetch_window(index - index % WINDOW)
        return self._cache.get(rid)

    def case_no(self, index: int) -> str | None:
        row = self.row(index)
        return row["case_no"] if row else None

    def data(self, index, role=DISPLAY):
        # Hot path (called for every visible cell and role on each paint): ints and tuples only.
        role = int(role) if not isinstance(role, int) else role
        if role not in ROLES_SHOWN:
            return None
        r = index.row()
        keys = self.keys
        if r >= len(keys):  # the key list is still arriving
            return "…" if role == DISPLAY and index.column() == 0 else None
        row = self._cache.get(keys[r])
        if row is None:
            row = self.row(r)
            if row is None:
                return "…" if role == DISPLAY and index.column() == 0 else None
        cells = row["_cells"]
        col = index.column()
        if role == DISPLAY:
            return cells[col]
        if role == BACKGROUND:
            return row["_tint"]
        if role == FOREGROUND:
            return row["_fg"] if col == COLOUR_COLUMN else None
        if role == DECORATION:
            return row["_urge_icon"] if col == CASE_NO_COLUMN else None
        if col == CASE_NO_COLUMN:  # tooltip
            return row["_urge_tip"]
        return row["title"] if col == TITLE_COLUMN else None  # tooltip

    # -- sorting -------------------------------------------------------------------------------
    def sortable(self, column: int) -> bool:
        return COLUMNS[column][2] is not None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][2]
        if key is None:
            return
        direction = "asc" if order == Qt.SortOrder.AscendingOrder else "desc"
        self.set_query(self.filters, f"{key}_{direction}")

    # -- lazy windows --------------------------------------------------------------------------
    def _fetch_window(self, start: int) -> None:
        """One window in flight at a time; while it runs, remember only the latest few requests
        (fast scrolling asks for windows that are gone before they could be read)."""
        if start == self._inflight or start in self._wanted:
            if start in self._wanted:
                self._wanted.move_to_end(start)
            return
        if self._inflight is not None:
            self._wanted[start] = None
            while len(self._wanted) > MAX_WANTED:
                self._wanted.popitem(last=False)
            return
        keys = self.keys[start:start + WINDOW]
        if not len(keys):
            return
        self._inflight = start
        gen = self._generation

        def finish() -> None:
            self._inflight = None
            while self._wanted:
                nxt, _ = self._wanted.popitem(last=True)
                if nxt < len(self.keys) and self.keys[nxt] not in self._cache:
                    self._fetch_window(nxt)
                    break

        def done(rows: list[dict]) -> None:
            if gen == self._generation:
                self._store(start, rows)
                if not self.ctx.tasks.synchronous:
                    self.dataChanged.emit(self.index(start, 0),
                                          self.index(start + len(keys) - 1, len(COLUMNS) - 1))
            finish()

        self.ctx.tasks.run(caselist.case_rows, self.ctx.desk, self.ctx.actor, list(keys), kind="read",
                           on_done=done, on_error=lambda e: finish())

    def _store(self, start: int, rows: list[dict]) -> None:
        self.rows_fetched += len(rows)
        self.windows_fetched += 1
        for row in rows:
            rid = row["rid"]
            self._cache[rid] = prepare(row)
            self._cache.move_to_end(rid)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    @property
    def cached_rows(self) -> int:
        return len(self._cache)

    # -- following change reports -------------------------------------------------------------
    def can_follow(self, case_nos) -> bool:
        """A change report of these cases can be followed without querying again (the key list is
        complete and counted, and the report names few enough cases)."""
        return bool(case_nos) and len(set(case_nos) | self._to_follow) <= listchanges.MAX_CHANGES \
            and self.keys_complete and self.total_known and not self.loading

    def follow(self, case_nos) -> bool:
        """Follow a change report in place: only the reported cases are asked about (do they match
        the filter now, where do they sort); rows enter, leave or move with insert/remove/move
        signals (the selection stays on its case) and the total is updated by the difference — no
        count and no key list over the whole table. False (nothing done) when it cannot be
        followed (``can_follow``); the caller then queries again."""
        if not self.can_follow(case_nos):
            return False
        self._to_follow.update(case_nos)
        if not self.following:
            self._follow_next()
        return True

    def _follow_next(self) -> None:
        wanted, self._to_follow = sorted(self._to_follow), set()
        self.following = True
        gen = self._generation
        keys = self.keys

        def done(plan: dict | None) -> None:
            self.following = False
            if gen == self._generation and keys is self.keys:
                if plan is None:  # too many to follow: the whole query again
                    self.set_query(self.filters, self.sort_key)
                else:
                    self._apply(plan)
            if self._to_follow and gen == self._generation:
                self._follow_next()
            else:
                self._to_follow.clear()
                self.followed.emit()

        def failed(exc) -> None:
            self.following = False
            self._to_follow.clear()
            present_error(exc)

        self.ctx.tasks.run(listchanges.follow_changes, self.ctx.desk, self.ctx.actor, self.filters, self.sort_key,
                           keys, wanted, kind="read", on_done=done, on_error=failed)

    def _apply(self, plan: dict) -> None:
        root = QModelIndex()
        rows = {row["rid"]: row for row in plan["rows"]}
        for rid, row in rows.items():  # fresh rows first: an inserted row paints at once
            self._cache[rid] = prepare(row)
            self._cache.move_to_end(rid)
        for step in plan["steps"]:
            if step[0] == "remove":
                i = step[1]
                self.beginRemoveRows(root, i, i)
                del self.keys[i]
                self._total -= 1
                self.endRemoveRows()
            elif step[0] == "insert":
                j, rid = step[1], step[2]
                self.beginInsertRows(root, j, j)
                self.keys.insert(j, rid)
                self._total += 1
                self.endInsertRows()
            else:
                i, j = step[1], step[2]
                self.beginMoveRows(root, i, i, root, j if j < i else j + 1)
                rid = self.keys.pop(i)
                self.keys.insert(j, rid)
                self.endMoveRows()
        for at in plan["at"].values():
            if at is not None:
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
        if plan["steps"]:
            self.totalChanged.emit(self._total)

    def refresh_cases(self, case_nos: list[str]) -> None:
        """Re-read only the cached rows of these cases (after an action), no full reload."""
        wanted = set(case_nos)
        hits = [rid for rid, row in self._cache.items() if row["case_no"] in wanted]
        if not hits:
            return
        gen = self._generation

        def done(rows: list[dict]) -> None:
            if gen != self._generation:
                return
            blob = self.keys.tobytes()
            for row in rows:
                self._cache[row["rid"]] = prepare(row)
                at = listchanges._index(blob, row["rid"])
                if at is not None:
                    self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))

        self.ctx.tasks.run(caselist.case_rows, self.ctx.desk, self.ctx.actor, hits, kind="read", on_done=done)
