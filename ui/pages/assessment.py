"""稳评: the major-decision social risk assessments (matter, state, score, level, conclusion); for
the selected one its opinion records, a score sheet built from its own indicator template (one
box per indicator, with the weights), the conclusion, and the report PDF; a form to open a new
assessment (or a re-assessment of the selected concluded one)."""
from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import assessment as A
from app.risk import assessments as svc
from app.risk.report import print_assessment
from ui.files import in_documents
from ui.pages.base import Page

COLUMNS = ("评估编号", "评估事项", "责任主体", "环节", "综合得分", "风险等级", "结论")


class AssessmentPage(Page):
    key = "assessment"
    title = "稳评"
    roles = ("dispatcher", "director", "admin")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.items: list[dict] = []
        self.current: dict | None = None
        self.score_boxes: dict[tuple[str, str], QDoubleSpinBox] = {}
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._select)
        self.detail = QLabel("选择一项评估")
        self.detail.setObjectName("assessmentDetail")
        self.detail.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 2)
        lay.addWidget(self.detail)
        row = QHBoxLayout()
        row.addWidget(self._add_form(), 1)
        row.addWidget(self._opinion_form(), 1)
        lay.addLayout(row)
        self.score_box = QGroupBox("评分（0-100，括号内为权重）")
        self.score_form = QFormLayout(self.score_box)
        lay.addWidget(self.score_box)
        lay.addWidget(self._conclude_form())

    def _add_form(self) -> QGroupBox:
        box = QGroupBox("立项")
        f = QFormLayout(box)
        self.f_matter, self.f_body, self.f_area = QLineEdit(), QLineEdit(), QLineEdit()
        self.f_leaders, self.f_factors = QLineEdit(), QLineEdit()
        self.f_households = QSpinBox()
        self.f_households.setRange(0, 10**7)
        self.add_button = QPushButton("立项")
        self.add_button.clicked.connect(lambda: self.add(False))
        self.reassess_button = QPushButton("对所选评估复评")
        self.reassess_button.clicked.connect(lambda: self.add(True))
        for label, w in (("评估事项", self.f_matter), ("责任主体", self.f_body), ("涉及范围", self.f_area),
                         ("涉及户数", self.f_households), ("不稳定因素", self.f_factors), ("责任领导", self.f_leaders)):
            f.addRow(label, w)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.reassess_button)
        f.addRow("", self._wrap(buttons))
        return box

    def _opinion_form(self) -> QGroupBox:
        box = QGroupBox("意见征集")
        f = QFormLayout(box)
        self.o_method = QComboBox()
        for k, v in A.METHODS.items():
            self.o_method.addItem(v, k)
        self.o_date = QDateEdit(QDate.currentDate())
        self.o_date.setCalendarPopup(True)
        self.o_participants, self.o_support, self.o_oppose = QSpinBox(), QSpinBox(), QSpinBox()
        for w in (self.o_participants, self.o_support, self.o_oppose):
            w.setRange(0, 10**7)
        self.o_summary = QLineEdit()
        self.opinion_button = QPushButton("登记意见征集")
        self.opinion_button.clicked.connect(self.add_opinion)
        for label, w in (("方式", self.o_method), ("日期", self.o_date), ("参与人数", self.o_participants),
                         ("支持", self.o_support), ("反对", self.o_oppose), ("意见摘要", self.o_summary),
                         ("", self.opinion_button)):
            f.addRow(label, w)
        return box

    def _conclude_form(self) -> QWidget:
        box = QGroupBox("结论与报告")
        row = QHBoxLayout(box)
        self.score_button = QPushButton("保存评分")
        self.score_button.clicked.connect(self.save_scores)
        self.c_conclusion = QComboBox()
        for k, v in A.CONCLUSIONS.items():
            self.c_conclusion.addItem(v, k)
        self.c_note = QLineEdit()
        self.c_note.setPlaceholderText("结论说明")
        self.conclude_button = QPushButton("出具结论")
        self.conclude_button.clicked.connect(self.conclude)
        self.print_button = QPushButton("打印评估报告…")
        self.print_button.clicked.connect(lambda: self.print_report(None))
        for w in (self.score_button, self.c_conclusion, self.c_note, self.conclude_button, self.print_button):
            row.addWidget(w)
        return box

    @staticmethod
    def _wrap(layout) -> QWidget:
        w = QWidget()
        w.setLayout(layout)
        return w

    # -- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.run(svc.list_assessments, self.ctx.desk, kind="read", on_done=self._show)

    def _show(self, items: list[dict]) -> None:
        keep = self.current["assessment_no"] if self.current else None
        self.items = items
        self.table.setRowCount(len(items))
        for r, a in enumerate(items):
            values = (a["assessment_no"], a["matter"], a["body"], a["state_label"],
                      "" if a["total"] is None else f"{a['total']:.1f}", a["level_label"], a["conclusion_label"])
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
            if a["assessment_no"] == keep:
                self.table.selectRow(r)
        self._update_buttons()

    def _select(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.current = None
            self._update_buttons()
            return
        no = self.items[rows[0].row()]["assessment_no"]
        self.ctx.tasks.run(svc.show_assessment, self.ctx.desk, no, kind="read", on_done=self._show_detail)

    def _show_detail(self, a: dict) -> None:
        self.current = a
        ops = a["opinions"]
        self.detail.setText(
            f"{a['assessment_no']}　{a['matter']}（{a['state_label']}）　意见征集 {len(ops)} 次，参与 "
            f"{sum(o['participants'] for o in ops)} 人次" + (f"　综合得分 {a['total']:.1f}，{a['level_label']}风险"
                                                        if a["total"] is not None else ""))
        while self.score_form.rowCount():
            self.score_form.removeRow(0)
        self.score_boxes.clear()
        given = (a.get("scores") or {}).get("indicators") or {}
        for d in a["template"]["dimensions"]:
            self.score_form.addRow(QLabel(f"{d['label']}（{d['weight']:g}）"))
            for ind in d["indicators"]:
                box = QDoubleSpinBox()
                box.setRange(0, 100)
                box.setDecimals(1)
                box.setValue(float(given.get(d["key"], {}).get(ind["key"], 0)))
                self.score_boxes[(d["key"], ind["key"])] = box
                self.score_form.addRow(f"　{ind['label']}（{ind['weight']:g}）", box)
        self._update_buttons()

    def _update_buttons(self) -> None:
        a = self.current
        state = a["state"] if a else None
        self.opinion_button.setEnabled(state in A.STEPS["opinion"].moves)
        self.score_button.setEnabled(state in A.STEPS["score"].moves)
        self.conclude_button.setEnabled(state in A.STEPS["conclude"].moves and self.ctx.role in A.STEPS["conclude"].roles)
        self.reassess_button.setEnabled(state == A.CONCLUDED)
        self.print_button.setEnabled(a is not None)

    # -- actions -----------------------------------------------------------------------------
    def add(self, follow_up: bool) -> None:
        data = {"matter": self.f_matter.text(), "body": self.f_body.text(),
                "plan": {"area": self.f_area.text(), "households": self.f_households.value(),
                         "factors": self.f_factors.text(), "leaders": self.f_leaders.text()}}
        if follow_up and self.current:
            data["follow_up_of"] = self.current["assessment_no"]
        self.ctx.tasks.run(svc.add_assessment, self.ctx.desk, self.ctx.actor, data, kind="write",
                           on_done=lambda _o: self.refresh())

    def _after(self, _out=None) -> None:
        no = self.current["assessment_no"] if self.current else None
        self.refresh()
        if no:
            self.ctx.tasks.run(svc.show_assessment, self.ctx.desk, no, kind="read", on_done=self._show_detail)

    def add_opinion(self) -> None:
        if not self.current:
            return
        data = {"method": self.o_method.currentData(), "date": self.o_date.date().toString("yyyy-MM-dd"),
                "participants": self.o_participants.value(), "support": self.o_support.value(),
                "oppose": self.o_oppose.value(), "summary": self.o_summary.text()}
        self.ctx.tasks.run(svc.add_opinion, self.ctx.desk, self.ctx.actor, self.current["assessment_no"], data,
                           kind="write", on_done=self._after)

    def save_scores(self) -> None:
        if not self.current:
            return
        scores: dict = {}
        for (dim, ind), box in self.score_boxes.items():
            value = box.value()
            scores.setdefault(dim, {})[ind] = int(value) if value.is_integer() else value
        self.ctx.tasks.run(svc.score_assessment, self.ctx.desk, self.ctx.actor, self.current["assessment_no"],
                           {"scores": scores}, kind="write", on_done=self._after)

    def conclude(self) -> None:
        if not self.current:
            return
        data = {"conclusion": self.c_conclusion.currentData(), "note": self.c_note.text()}
        self.ctx.tasks.run(svc.conclude, self.ctx.desk, self.ctx.actor, self.current["assessment_no"], data,
                           kind="write", on_done=self._after)

    def print_report(self, path: str | None) -> None:
        if not self.current:
            return
        no = self.current["assessment_no"]
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "保存评估报告", in_documents(f"稳评报告-{no}.pdf"), "PDF (*.pdf)")
            if not path:
                return
        self.ctx.tasks.run(print_assessment, self.ctx.desk, self.ctx.actor, no, path, kind="write",
                           progress_label="正在生成评估报告…")
