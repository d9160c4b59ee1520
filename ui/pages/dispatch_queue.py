"""待分派: cases awaiting dispatch and returned ones (with the reason), the routing suggestion and
candidates; dispatch one or several at once, escalate, merge, reject with a reason code."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cases import overview
from app.cases.export import export_cases
from app.domain import workflow as wf
from app.emergency.queries import emergency_first
from ui.action_dialogs import ActionDialog
from ui.format import short, unit_name
from ui.pages.base import Page
from ui.widgets.export_file import ask_path, run_export
from ui.widgets.urge_badge import urge_chip, urge_icon, urge_tooltip

COLUMNS = [("case_no", "案件编号"), ("received", "受理时间"), ("title", "标题"), ("category", "事项分类"),
           ("place", "村社"), ("suggest", "建议承办"), ("returned", "退回理由")]


def _cell(item: dict, key: str) -> str:
    return {
        "case_no": lambda: item["case_no"], "received": lambda: short(item["received_at"]),
        "title": lambda: ("【应急】" if item.get("emergency") else "") + item["title"], "category": lambda: item.get("category_name") or "",
        "place": lambda: item["location"].get("village_name") or "",
        "suggest": lambda: unit_name((item.get("routing") or {}).get("unit")) or "需人工分派",
        "returned": lambda: (item.get("last_reason") or "") if item.get("return_count") else "",
    }[key]()


class QueueModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[dict] = []

    def set_items(self, items: list[dict], append: bool = False) -> None:
        self.beginResetModel()
        self.items = (self.items + items) if append else list(items)
        self.endResetModel()

    def rowCount(self, parent=None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self.items)

    def columnCount(self, parent=None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(item, COLUMNS[index.column()][0])
        if role == Qt.ItemDataRole.BackgroundRole and item.get("return_count"):
            return QBrush(QColor("#fff6dc"))
        if index.column() == 0 and role == Qt.ItemDataRole.DecorationRole:
            return urge_icon(item.get("urge"))  # 督办 (urged before it was returned)
        if role == Qt.ItemDataRole.ToolTipRole:
            return urge_tooltip(item.get("urge")) or item["title"] if index.column() == 0 else item["title"]
        return None


class QueueTableView(QTableView):
    """Enter opens the current case (double-click too)."""

    def __init__(self, open_row, parent=None):
        super().__init__(parent)
        self._open_row = open_row

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() \
                and self.currentIndex().isValid():
            self._open_row(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class DispatchQueuePage(Page):
    key = "queue"
    title = "待分派"
    roles = (wf.INTAKE, wf.DISPATCHER, wf.DIRECTOR, wf.ADMIN)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.model = QueueModel(self)
        self.next_cursor = None
        self.total = 0
        self.dialog: ActionDialog | None = None
        self.table = QueueTableView(lambda row: self.openCase.emit(self.model.items[row]["case_no"]))
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionsMovable(True)
        for i, w in enumerate((175, 90, 250, 100, 80, 130, 200)):
            self.table.setColumnWidth(i, w)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(lambda index: self.openCase.emit(self.model.items[index.row()]["case_no"]))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selection())

        self.count_label = QLabel()
        self.more = QPushButton("加载更多")
        self.more.clicked.connect(lambda: self.load(more=True))
        self.detail = QLabel("选择案件查看派单建议；可按住 Ctrl/Shift 多选后批量派单。")
        self.detail.setObjectName("queueDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.action_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for kind, text, seq in (("dispatch", "派单", "Ctrl+D"), ("escalate", "上报区级", "Ctrl+U"),
                                ("merge", "合并", "Ctrl+M"), ("reject", "不予受理", "Ctrl+R")):
            if ctx.role not in wf.ACTIONS[kind].roles:
                continue
            b = QPushButton(f"{text} ({seq})")
            b.setObjectName(f"queue_{kind}")
            b.clicked.connect(lambda _=False, k=kind: self.start(k))
            QShortcut(QKeySequence(seq), self, activated=lambda k=kind: self.start(k),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            if kind == "dispatch":
                b.setProperty("primary", True)
            self.action_buttons[kind] = b
            buttons.addWidget(b)
        buttons.addStretch(1)
        refresh = QPushButton("刷新 (F5)")
        refresh.clicked.connect(self.refresh)
        buttons.addWidget(refresh)
        export = QPushButton("导出 Excel…")  # every case waiting for dispatch, with progress and cancel
        export.setObjectName("exportCases")
        export.clicked.connect(lambda: self.export_cases())
        buttons.addWidget(export)

        side = QGroupBox("派单建议")
        QVBoxLayout(side).addWidget(self.detail)
        split = QSplitter()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addStretch(1)
        row.addWidget(self.more)
        lv.addLayout(row)
        split.addWidget(left)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        title = QLabel(self.title)
        title.setObjectName("pageTitle")
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addLayout(buttons)
        lay.addWidget(split, 1)
        ctx.bus.caseChanged.connect(lambda _p: self.isVisible() and self.refresh())
        self.setFocusProxy(self.table)  # shown: the keyboard is in the table (End, Ctrl+D at once)

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.load(more=False)

    def load(self, more: bool = False) -> None:
        after = self.next_cursor if more else None
        self.ctx.tasks.run(overview.dispatch_queue, self.ctx.desk, self.ctx.actor, after, kind="read",
                           on_done=lambda page: self._loaded(page, more))

    def _loaded(self, page: dict, more: bool) -> None:
        # 平战转换: the emergency's cases first among those loaded (the banner keeps what is in force)
        banner = getattr(self.window(), "emergency_banner", None)
        page["items"] = emergency_first(page["items"], banner.current if banner else None)
        self.model.set_items(page["items"], append=more)
        self.next_cursor = page["next"]
        self.total = page["total"] or 0
        self.more.setVisible(bool(page["next"]))
        self.count_label.setText(f"待分派 {self.total:,} 件，已显示 {len(self.model.items):,} 件")
        if not more and self.model.items:
            self._select_row(0)
            if self.isVisible() and not self.table.hasFocus() and (self.focusWidget() is None
                                                                   or not self.isAncestorOf(self.focusWidget())):
                self.table.setFocus()
        self._show_selection()

    def export_filters(self) -> dict:
        """The case-list filter of this page: every case waiting for dispatch (returned ones too)."""
        return {"state": wf.REGISTERED}

    def export_cases(self, path: str | None = None) -> None:
        """The cases this page lists, to an .xlsx file (off the UI thread, cancellable)."""
        path = path or ask_path(self, "待分派.xlsx")
        if path:
            run_export(self.ctx, self, export_cases, self.ctx.desk, self.ctx.actor, self.export_filters(), path=path)

    # -- selection and actions -----------------------------------------------------------------
    def selected(self) -> list[dict]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedIndexes()})
        return [self.model.items[r] for r in rows]

    def select_case(self, case_no: str) -> bool:
        for i, item in enumerate(self.model.items):
            if item["case_no"] == case_no:
                self._select_row(i)
                return True
        return False

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)

    def _show_selection(self) -> None:
        items = self.selected()
        if not items:
            self.detail.setText("选择案件查看派单建议；可按住 Ctrl/Shift 多选后批量派单。")
            return
        item = items[0]
        r = item.get("routing") or {}
        cands = "、".join(unit_name(c) for c in r.get("candidates") or [])
        text = [f"<b>{item['case_no']}</b>" + (f"　{urge_chip(item['urge'])}" if item.get("urge") else ""),
                item["title"], f"分类：{item.get('category_name') or ''}",
                f"<b>建议：{unit_name(r.get('unit')) or '需人工分派'}</b>", r.get("reason") or ""]
        if cands:
            text.append(f"候选单位：{cands}")
        if item.get("return_count"):
            text.append(f"<span style='color:#b7791f'>已退回 {item['return_count']} 次：{item.get('last_reason') or ''}</span>")
        if item.get("repeat_of"):
            text.append("疑似重复：" + "、".join(item["repeat_of"]))
        if len(items) > 1:
            text.append(f"<br>已选 {len(items)} 件，派单将使用同一承办单位。")
        self.detail.setText("<br>".join(text))

    def start(self, kind: str) -> ActionDialog | None:
        items = self.selected()
        if not items and self.model.items:  # nothing picked yet: the current (first) row
            self._select_row(max(0, self.table.currentIndex().row()))
            items = self.selected()
        if not items:
            return None
        if kind == "merge" and len(items) > 1:
            items = items[:1]
        self.dialog = ActionDialog(self.ctx, items[0], kind, self, case_nos=[i["case_no"] for i in items])
        self.dialog.open()
        return self.dialog
