"""一窗受理's 网格上报 box (issue 17): the intake form's case taken in as a grid report — the
reporting staff member (from the roster of the chosen grid's 村社) and the outcome (上报中心, or
当场解决 with the result). Saved through app.grids.reports.report on the write worker; the page
shows the result in its banner as for any intake."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QPlainTextEdit, QPushButton

from app.domain.grids import OUTCOMES
from app.grids import reports


class GridReportBox(QGroupBox):
    def __init__(self, ctx, page, parent=None):
        super().__init__("网格上报（报办分离）", parent)
        self.setObjectName("gridReportBox")
        self.ctx, self.page = ctx, page
        self.setCheckable(True)
        self.setChecked(False)
        self.reporter = QComboBox()
        self.reporter.setObjectName("gridReporter")
        self.outcome = QComboBox()
        self.outcome.setObjectName("gridOutcome")
        for code, label in OUTCOMES.items():
            self.outcome.addItem(label, code)
        self.outcome.setCurrentIndex(self.outcome.findData("passed"))
        self.result = QPlainTextEdit()
        self.result.setObjectName("gridResult")
        self.result.setPlaceholderText("当场解决时填写解决情况")
        self.result.setMaximumHeight(60)
        self.submit = QPushButton("保存网格上报")
        self.submit.setObjectName("gridReportSave")
        self.submit.clicked.connect(self.save)
        form = QFormLayout(self)
        form.addRow("上报人", self.reporter)
        form.addRow("上报结果", self.outcome)
        form.addRow("解决情况", self.result)
        form.addRow("", self.submit)
        self.toggled.connect(self._shown)
        page.location.picked.connect(lambda _code: self.isChecked() and self.load_roster())
        self._shown(False)

    def _shown(self, on: bool) -> None:
        for w in (self.reporter, self.outcome, self.result, self.submit):
            w.setVisible(on)
        if on:
            self.load_roster()

    def load_roster(self) -> None:
        grid = self.page.location.code() or None
        self.ctx.tasks.run(reports.roster, self.ctx.desk, grid, kind="read", on_done=self.show_roster)

    def show_roster(self, staff: list[dict]) -> None:
        current = self.reporter.currentData()
        self.reporter.clear()
        for s in staff:
            self.reporter.addItem(f"{s['name']}（{s['role']}，{s['grid_name']}）", s["code"])
        self.reporter.setCurrentIndex(max(0, self.reporter.findData(current)))

    def payload(self) -> dict:
        d = self.page.data()
        return {"grid": d["location"].get("grid") or d["location"].get("village") or "",
                "reporter": self.reporter.currentData() or "", "category": d["category"], "title": d["title"],
                "description": d["description"], "address": d["location"].get("address") or None,
                "outcome": self.outcome.currentData(), "result": self.result.toPlainText().strip() or None,
                "urgency": d["urgency"], "persons": d["persons"]}

    def save(self) -> None:
        self.ctx.tasks.run(reports.report, self.ctx.desk, self.ctx.actor, self.payload(), kind="write",
                           on_done=self._saved, on_error=self.page._failed)

    def _saved(self, view: dict) -> None:
        self.result.clear()
        self.page._saved(view, False)
