"""超期/临期看板: red and yellow cases by unit, the yellow/red reminders (one per case per change,
checked on a timer off the GUI thread) and the 催办 proposed the day after a missed deadline."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.cases.export import export_cases
from app.domain import indicators as ind
from app.supervision import board as sv
from ui.pages import dashboard_parts as parts
from ui.pages.base import Page
from ui.widgets.export_file import ask_path, run_export
from ui.widgets.urge_badge import urge_icon, urge_tooltip

REMIND_MS = 60_000


class DeadlinesBoardPage(Page):
    key = "deadlines"
    title = "超期预警"
    lists_cases = True  # the window refreshes it on screen after any case change

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.data: dict | None = None
        self.proposals: list[dict] = []
        self.unit_filter: str | None = ctx.actor.unit if ctx.actor and ctx.role == "unit" else None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel("超期/临期看板")
        heading.setObjectName("pageTitle")
        self.summary = QLabel("")
        self.colour = QComboBox()
        self.colour.setObjectName("colourFilter")
        for label, value in (("红色与黄色", None), ("仅超期（红）", "red"), ("仅临期（黄）", "yellow")):
            self.colour.addItem(label, value)
        self.colour.currentIndexChanged.connect(self.refresh)
        self.all_units = QPushButton("全部单位")
        self.all_units.clicked.connect(lambda: self._set_unit(None))
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        export = QPushButton("导出 Excel…")  # every red/yellow case shown, with progress and cancel
        export.setObjectName("exportCases")
        export.clicked.connect(lambda: self.export_cases())
        for w in (heading, self.summary):
            top.addWidget(w)
        top.addStretch(1)
        for w in (self.colour, self.all_units, refresh, export):
            top.addWidget(w)
        lay.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.units = parts.table("boardUnits", ["单位", "超期", "临期"])
        self.units.cellClicked.connect(lambda r, _c: self._set_unit(self.units.item(r, 0).data(0x0100)))
        self.cases = parts.table("boardCases", ["案件编号", "标题", "承办单位", "状态", "时限", "超期/剩余（工作日）", "督办"])
        self.cases.cellDoubleClicked.connect(lambda r, _c: self.openCase.emit(self.cases.item(r, 0).text()))
        split.addWidget(self.units)
        split.addWidget(self.cases)
        split.setSizes([260, 700])
        lay.addWidget(split, 3)

        bottom = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("预警提醒（变黄、变红时各提醒一次）"))
        self.notices = QListWidget()
        self.notices.setObjectName("notices")
        self.notices.itemDoubleClicked.connect(lambda it: self.openCase.emit(it.data(0x0100)))
        left.addWidget(self.notices)
        right = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel("催办建议（超过时限次日）"))
        row.addStretch(1)
        self.issue_button = QPushButton("发出选中催办")
        self.issue_button.setObjectName("issueUrges")
        self.issue_button.clicked.connect(self.issue_selected)
        self.issue_button.setVisible(ctx.role in ("director", "dispatcher", "admin"))
        row.addWidget(self.issue_button)
        right.addLayout(row)
        self.proposal_table = parts.table("proposals", ["案件编号", "承办单位", "超期（工作日）", "建议等级", "督办要求"])
        right.addWidget(self.proposal_table)
        for box, stretch in ((left, 1), (right, 2)):
            w = QWidget()
            w.setLayout(box)
            bottom.addWidget(w, stretch)
        lay.addLayout(bottom, 2)

        self.timer = QTimer(self)
        self.timer.setInterval(REMIND_MS)
        self.timer.timeout.connect(self.check_reminders)
        self.timer.start()
        kick = QTimer(self)  # first check as soon as the window runs (a child: dies with the page)
        kick.setSingleShot(True)
        kick.timeout.connect(self.check_reminders)
        kick.start(0)

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        desk = self.ctx.desk
        self.ctx.tasks.run(sv.board, desk, self.unit_filter, self.colour.currentData(), 200, kind="read",
                           on_done=self.show_board)
        self.ctx.tasks.run(sv.urge_proposals, desk, 200, kind="read", on_done=self.show_proposals)

    def show_board(self, d: dict) -> None:
        self.data = d
        self.summary.setText(f"超期 {d['red']:,} 件 · 临期 {d['yellow']:,} 件")
        parts.fill(self.units, [[u["name"], u["red"], u["yellow"]] for u in d["units"]],
                   keys=[u["unit"] for u in d["units"]])
        parts.fill(self.cases, [[c["case_no"], c["title"], c["unit_name"] or "—", c["state_label"],
                                 (c["due_at"] or "")[:16].replace("T", " "), _left(c["overdue_days"]),
                                 (c["urge"] or {}).get("label", "")]
                                for c in d["cases"]], marks=[c["color"] if c["color"] == "red" else None
                                                             for c in d["cases"]])
        for i, c in enumerate(d["cases"]):
            if c.get("urge"):
                self.cases.item(i, 0).setIcon(urge_icon(c["urge"]))
                self.cases.item(i, 0).setToolTip(urge_tooltip(c["urge"]))

    def show_proposals(self, rows: list[dict]) -> None:
        self.proposals = rows
        parts.fill(self.proposal_table, [[p["case_no"], p["unit_name"] or "—", ind.days(p["overdue_days"]),
                                          p["level_label"], p["instruction"]] for p in rows])

    def export_filters(self) -> dict:
        """The case-list filter of the board: red and/or yellow as chosen, the unit picked."""
        return {"color": self.colour.currentData() or ["red", "yellow"], "unit": self.unit_filter}

    def export_cases(self, path: str | None = None) -> None:
        """Every case the board counts (not only the 200 listed), to an .xlsx file (off the UI thread)."""
        path = path or ask_path(self, "超期预警.xlsx")
        if path:
            run_export(self.ctx, self, export_cases, self.ctx.desk, self.ctx.actor, self.export_filters(), path=path)

    def _set_unit(self, unit: str | None) -> None:
        if self.ctx.role == "unit":
            return
        self.unit_filter = unit
        self.refresh()

    # -- reminders and 催办 -------------------------------------------------------------------
    def check_reminders(self) -> None:
        self.ctx.tasks.run(sv.scan_reminders, self.ctx.desk, kind="write", on_done=self.show_notices,
                           on_error=lambda _e: None)

    def show_notices(self, out: dict) -> None:
        mine = [n for n in out["notices"] if self.ctx.role != "unit" or n["unit"] == self.unit_filter]
        for n in mine:
            self.notices.insertItem(0, ("【超期】" if n["color"] == "red" else "【临期】") + n["message"])
            self.notices.item(0).setData(0x0100, n["case_no"])
        while self.notices.count() > 200:
            self.notices.takeItem(self.notices.count() - 1)
        if mine:
            bar = getattr(self.window(), "statusBar", None)
            if callable(bar):
                bar().showMessage(f"新的预警 {out['total']} 件：{mine[0]['message']}", 15_000)
            if self.isVisible():
                self.refresh()

    def issue_selected(self) -> None:
        rows = sorted({i.row() for i in self.proposal_table.selectionModel().selectedIndexes()})
        chosen = [self.proposals[r] for r in rows if r < len(self.proposals)]
        if not chosen or self.ctx.actor is None:
            return
        self.ctx.tasks.run(sv.issue_urges, self.ctx.desk, self.ctx.actor, chosen, kind="write",
                           on_done=self._issued, progress_label="正在发出催办…")

    def _issued(self, out: dict) -> None:
        self.summary.setText(f"已发出催办 {out['issued']} 件" + (f"，失败 {len(out['failed'])} 件" if out["failed"] else ""))
        self.ctx.bus.publish("case_changed", {"case_nos": out["cases"]})
        self.refresh()


def _left(days: float | None) -> str:
    if days is None:
        return "—"
    return f"超 {days:.2f}" if days > 0 else f"剩 {-days:.2f}"
