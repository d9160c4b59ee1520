"""案件查询: filters, search box, the lazy case table, total count; Enter or double-click opens."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.export import export_cases
from app.domain import workflow as wf
from app.domain.vocab import CHANNELS, PLATFORMS
from ui.models.case_table import COLUMNS, CaseTableModel
from ui.pages.base import Page
from ui.printing_actions import BatchPrintDialog, print_button
from ui.widgets.case_keys import CaseTableView, SearchBox
from ui.widgets.export_file import ask_path, run_export
from ui.widgets.pickers import CategoryPicker, UnitPicker

COLOURS = {"red": "红灯（超期）", "yellow": "黄灯（临期）", "green": "绿灯"}
# Which date the 起/止 range filters: (from key, to key) of app.cases.queries.conditions.
DATE_KINDS = {"received": ("受理日期", "date_from", "date_to"),
              "dispatched": ("分派日期", "dispatched_from", "dispatched_to"),
              "closed": ("结案日期", "closed_from", "closed_to")}


def _combo(name: str, first: str, items: dict) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItem(first, None)
    for code, label in items.items():
        box.addItem(label, code)
    return box


class CaseListPage(Page):
    key = "cases"
    title = "案件查询"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        refs = ctx.desk.refs()
        self.model = CaseTableModel(ctx, self)
        self.search = SearchBox(self.focus_results)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("搜索编号、标题、内容、姓名、电话、地址（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.state = _combo("stateFilter", "全部状态", {"open": "在办（全部）", **wf.STATE_LABELS})
        self.colour = _combo("colourFilter", "全部三色", COLOURS)
        self.channel = _combo("channelFilter", "全部渠道", CHANNELS)
        self.platform = _combo("platformFilter", "全部平台", PLATFORMS)  # 四平台 (issue 17)
        self.unit = UnitPicker(refs)
        self.unit.setObjectName("unitFilter")
        self.unit.setPlaceholderText("承办单位")
        self.category = CategoryPicker(refs)
        self.category.setObjectName("categoryFilter")
        self.category.setPlaceholderText("事项分类")
        self.date_kind = QComboBox()
        self.date_kind.setObjectName("dateKind")
        for code, (label, _lo, _hi) in DATE_KINDS.items():
            self.date_kind.addItem(label, code)
        self.date_kind.setToolTip("起止日期按受理、分派或结案日期筛选（结案：已办结或已归档的案件）")
        self.date_from, self.date_to = self._date("起"), self._date("止")
        self.mine = QCheckBox("我的")
        self.mine.setObjectName("mineFilter")
        self.supervised = QCheckBox("督办件")
        self.supervised.setObjectName("supervisedFilter")
        self.supervised.setToolTip("只看督办过的案件（编号前的“督”标记）")
        clear = QPushButton("清除条件")
        clear.clicked.connect(self.clear_filters)
        self.total_label = QLabel("")
        self.total_label.setObjectName("totalLabel")

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.run_query)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(lambda: self.run_query(on_done=lambda _n: self.focus_results()))
        for box in (self.state, self.colour, self.channel, self.platform):
            box.currentIndexChanged.connect(lambda _i: self.run_query())
        for picker in (self.unit, self.category):
            picker.picked.connect(lambda _c: self.run_query())
        for d in (self.date_from, self.date_to):
            d.dateChanged.connect(lambda _d: self.run_query())
        self.mine.toggled.connect(lambda _b: self.run_query())
        self.supervised.toggled.connect(lambda _b: self.run_query())
        self.date_kind.currentIndexChanged.connect(lambda _i: self._date_kind_changed())

        self.table = CaseTableView(self._open_row)
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        self._sort = (8, Qt.SortOrder.DescendingOrder)
        header.setSortIndicator(*self._sort)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        for i, w in enumerate((180, 64, 48, 280, 110, 130, 90, 70, 96, 96)):
            self.table.setColumnWidth(i, w)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.model.totalChanged.connect(self._show_total)
        self.model.loadingChanged.connect(lambda b: b and self.total_label.setText("查询中…"))
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.search.setFocus,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_btn = print_button(ctx, self.current_case, self, default=("receipt", "a5"))
        self.print_btn.setToolTip("打印所选案件的回执、案卷…（Ctrl+P 直接预览回执）")
        batch = QPushButton("批量打印…")
        batch.setObjectName("batchPrint")
        batch.setToolTip("打印所选案件的案卷；未多选时打印当前筛选出的全部案件 (Ctrl+Shift+P)")
        batch.clicked.connect(self.batch_print)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, activated=self.batch_print,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._requery = QTimer(self)  # a change reported while the list is on screen: query again once
        self._requery.setSingleShot(True)
        self._requery.setInterval(30)  # coalesces a burst of reports (a sync round) into one query
        self._requery.timeout.connect(self.reload)

        bar1 = QHBoxLayout()
        bar1.addWidget(self.search, 3)
        bar1.addWidget(self.state)
        bar1.addWidget(self.colour)
        bar1.addWidget(self.channel)
        bar1.addWidget(self.platform)
        bar2 = QHBoxLayout()
        bar2.addWidget(self.unit, 2)
        bar2.addWidget(self.category, 2)
        bar2.addWidget(self.date_kind)
        bar2.addWidget(self.date_from)
        bar2.addWidget(QLabel("至"))
        bar2.addWidget(self.date_to)
        bar2.addWidget(self.mine)
        bar2.addWidget(self.supervised)
        bar2.addWidget(clear)
        title = QLabel(self.title)
        title.setObjectName("pageTitle")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.total_label)
        export = QPushButton("导出 Excel…")  # every matching case, with progress and cancel
        export.setObjectName("exportCases")
        export.clicked.connect(lambda: self.export_cases())
        head.addWidget(export)
        head.addSpacing(12)
        head.addWidget(self.print_btn)
        head.addWidget(batch)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addLayout(bar1)
        lay.addLayout(bar2)
        lay.addWidget(self.table, 1)
        self._queried = False
        self._stale = False
        self._restoring = False
        self.restore_layout()
        # Tab: search box → results → the filters (the table is one Tab away, not twelve)
        order = [self.search, self.table, self.state, self.colour, self.channel, self.platform, self.unit, self.category,
                 self.date_kind, self.date_from, self.date_to, self.mine, self.supervised]
        for a, b in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self._again = False
        self._followed = False  # the changes since last shown were all followed in place
        self._top_when_followed = False
        ctx.bus.caseChanged.connect(self._cases_changed)
        self.model.loadingChanged.connect(self._loading_changed)
        self.model.followed.connect(self._model_followed)
        self.model.followed.connect(lambda: self._loading_changed(self.model.loading))
        self.setFocusProxy(self.table)

    def _date(self, label: str) -> QDateEdit:
        d = QDateEdit()
        d.setCalendarPopup(True)
        d.setDisplayFormat("yyyy-MM-dd")
        d.setMinimumDate(QDate(2000, 1, 1))
        d.setSpecialValueText("不限")
        d.setDate(d.minimumDate())
        d.setObjectName(f"date_{label}")
        return d

    # -- filters -------------------------------------------------------------------------------
    def filters(self) -> dict:
        def day(d: QDateEdit):
            return None if d.date() == d.minimumDate() else d.date().toString("yyyy-MM-dd")

        _label, lo, hi = DATE_KINDS[self.date_kind.currentData()]
        return {"q": self.search.text().strip(), "state": self.state.currentData(),
                "color": self.colour.currentData(), "channel": self.channel.currentData(),
                "platform": self.platform.currentData(),
                "unit": self.unit.code(), "category": self.category.code(),
                lo: day(self.date_from), hi: day(self.date_to), "mine": self.mine.isChecked(),
                "supervised": self.supervised.isChecked()}

    def export_cases(self, path: str | None = None) -> None:
        """The cases the current filters match, to an .xlsx file (off the UI thread, cancellable)."""
        path = path or ask_path(self, "案件.xlsx")
        if path:
            run_export(self.ctx, self, export_cases, self.ctx.desk, self.ctx.actor, self.filters(), path=path)

    def _date_kind_changed(self) -> None:
        """Re-query only when a date is set (the kind alone filters nothing)."""
        if any(d.date() != d.minimumDate() for d in (self.date_from, self.date_to)):
            self.run_query()

    def run_query(self, on_done=None) -> None:
        if self._restoring:
            return
        self._debounce.stop()
        self._queried = True
        self.model.set_query(self.filters(), on_done=on_done)

    def apply_filters(self, filters: dict) -> None:
        """Set the filter widgets from a filter dict (openList) and query once."""
        self._restoring = True
        try:
            self.search.setText(filters.get("q") or "")
            for box, key in ((self.state, "state"), (self.colour, "color"), (self.channel, "channel"),
                             (self.platform, "platform")):
                box.setCurrentIndex(max(0, box.findData(filters.get(key))))
            self.unit.set_code(filters.get("unit"))
            self.category.set_code(filters.get("category"))
            # the first date kind the filter names (受理 / 分派 / 结案); one range at a time
            kind = next((k for k, (_l, lo, hi) in DATE_KINDS.items() if filters.get(lo) or filters.get(hi)),
                        "received")
            self.date_kind.setCurrentIndex(self.date_kind.findData(kind))
            _label, lo, hi = DATE_KINDS[kind]
            for d, key in ((self.date_from, lo), (self.date_to, hi)):
                d.setDate(QDate.fromString(filters[key], "yyyy-MM-dd") if filters.get(key) else d.minimumDate())
            self.mine.setChecked(bool(filters.get("mine")))
            self.supervised.setChecked(bool(filters.get("supervised")))
        finally:
            self._restoring = False
        self.run_query()

    def clear_filters(self) -> None:
        self.apply_filters({})

    def refresh(self) -> None:
        """Shown: query the first time and whenever cases changed since; focus the table."""
        if not self._queried or (self._stale and not self._followed):
            # coming back after changes: start at the top (the newest case first), never on a row
            # picked before (the previous visitor's case must not stay selected under the new one)
            self.reload(keep=False)
        elif self._stale:  # the changes were followed in place while away: the top, the newest case
            self._stale = self._followed = False
            if self.model.following:
                self._top_when_followed = True
            else:
                self._to_top()
        self.focus_results()

    def _to_top(self) -> None:
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self.table.scrollToTop()
        self._select_case_no(None)

    def _model_followed(self) -> None:
        if self._top_when_followed:
            self._top_when_followed = False
            self._to_top()

    def reload(self, on_done=None, keep: bool = True) -> None:
        """Run the current query again (F5, a change reported while on screen), keeping the current
        case selected (``keep``) or starting at the first row."""
        self._requery.stop()
        self._stale = self._followed = False
        keep = self.current_case_no() if keep else None
        self.table.setCurrentIndex(self.model.index(-1, -1))

        def done(total: int) -> None:
            self._select_case_no(keep)
            if on_done:
                on_done(total)

        self.run_query(on_done=done)

    def _cases_changed(self, payload: dict) -> None:
        """Any change of any case may add, drop or reorder rows. A report naming its cases is
        followed in place (only those cases are read: no count, no key list — fast on a million
        cases); anything else (a sync round, a query still loading) queries again when on screen
        (else when next shown)."""
        if not self._queried:
            return
        case_nos = payload.get("case_nos") or []
        hidden = not self.isVisible()
        if not self._requery.isActive() and not (hidden and self._stale and not self._followed) \
                and self.model.follow(case_nos):
            if hidden:  # shown next at the top, on the newest case
                self._stale = self._followed = True
            return
        self.model.refresh_cases(case_nos)
        self._stale = True
        self._followed = False
        if not hidden:
            if self.model.loading or self.model.following:  # one more query when it ends (bursts from sync)
                self._again = True
            else:
                self._requery.start()

    def _loading_changed(self, loading: bool) -> None:
        if not loading and self._again and not self.model.following:
            self._again = False
            if self.isVisible():
                self._requery.start()

    # -- table ---------------------------------------------------------------------------------
    def _show_total(self, total: int) -> None:
        self.total_label.setText(f"共 {total:,} 件" if self.model.total_known else f"已找到 {total:,}+ 件，统计中…")

    def _header_clicked(self, column: int) -> None:
        header = self.table.horizontalHeader()
        if not self.model.sortable(column):
            header.setSortIndicator(*self._sort)  # only 编号, 受理时间 and 办结时限 sort
            return
        self._sort = (column, header.sortIndicatorOrder())
        self.model.sort(*self._sort)

    # -- current row, keyboard, printing ---------------------------------------------------------
    def current_case_no(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.case_no(index.row()) if index.isValid() else None

    def current_case(self) -> dict | None:
        """The selected row (for the 打印 menu): a case dict with case_no, or None."""
        no = self.current_case_no()
        return {"case_no": no, "actions": []} if no else None

    def selected_case_nos(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [no for no in (self.model.case_no(r) for r in rows) if no]

    def _select_case_no(self, case_no: str | None) -> None:
        row = 0
        if case_no:
            for i in range(min(self.model.rowCount(), 3000)):
                rid = self.model.keys[i] if i < len(self.model.keys) else None
                cached = self.model._cache.get(rid) if rid is not None else None
                if cached is None:
                    break
                if cached["case_no"] == case_no:
                    row = i
                    break
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(row, 0))
            self.table.selectRow(row)

    def focus_results(self) -> None:
        """Keyboard: into the table with a current row (Enter then opens it)."""
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self._select_case_no(None)
        self.table.setFocus()

    def batch_print(self) -> BatchPrintDialog:
        """批量打印: the selected cases when several are selected, else every case the filters find."""
        chosen = self.selected_case_nos()
        filters = {"case_nos": chosen} if len(chosen) > 1 else \
            {k: v for k, v in self.filters().items() if v not in (None, "", False)}
        total = len(chosen) if len(chosen) > 1 else (self.model.total if self.model.total_known else None)
        self.batch_dialog = BatchPrintDialog(self.ctx, filters, self, total=total)
        self.batch_dialog.open()
        return self.batch_dialog

    def _open_row(self, row: int) -> None:
        case_no = self.model.case_no(row)
        if case_no:
            self.openCase.emit(case_no)

    def save_layout(self) -> None:
        self.ctx.settings.setValue("cases/header", self.table.horizontalHeader().saveState())

    def restore_layout(self) -> None:
        state = self.ctx.settings.value("cases/header")
        if state is not None:
            self.table.horizontalHeader().restoreState(state)
        assert len(COLUMNS) == self.model.columnCount()
