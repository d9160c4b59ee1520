"""综合查一次: the figures of the year so far (检查、问题、整改、线索、立案、减少扰民), the joint
inspections, a form to plan one (departments lead first, target with its 统一社会信用代码, matters
ticked on the combined checklist), and the result of the selected one (problems added one by one,
each with its follow-up)."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.inspections import CHECKLIST
from app.domain.timezone import LOCAL_TZ
from app.inspections import queries, services
from ui.pages.base import Page

COLUMNS = ("检查编号", "日期", "检查对象", "检查部门", "状态", "问题", "已整改", "减少扰民")


def _load(desk, year_from: str, year_to: str):
    return {"stats": queries.inspection_stats(desk, year_from, year_to), "items": queries.list_inspections(desk)}


class InspectionsPage(Page):
    key = "inspections"
    title = "综合查一次"
    roles = ("dispatcher", "director", "unit", "admin")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.items: list[dict] = []
        self.pending: list[dict] = []
        self.stats_label = QLabel()
        self.stats_label.setObjectName("inspectionStats")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(self.stats_label)
        lay.addWidget(self.table, 2)
        row = QHBoxLayout()
        row.addWidget(self._plan_form(), 1)
        row.addWidget(self._result_form(), 1)
        lay.addLayout(row)
        self._update_buttons()

    def _plan_form(self) -> QGroupBox:
        box = QGroupBox("登记检查计划（一表通查）")
        f = QFormLayout(box)
        self.p_date = QDateEdit(QDate.currentDate())
        self.p_date.setCalendarPopup(True)
        self.p_departments = QLineEdit()
        self.p_departments.setPlaceholderText("单位编码，牵头部门在前，逗号分隔，如 D01,D07,P01")
        self.p_name, self.p_uscc = QLineEdit(), QLineEdit()
        self.p_uscc.setMaxLength(18)
        checks = QWidget()
        grid = QGridLayout(checks)
        self.p_matters: dict[str, QCheckBox] = {}
        for i, (code, name) in enumerate(CHECKLIST.items()):
            cb = QCheckBox(name)
            self.p_matters[code] = cb
            grid.addWidget(cb, i // 4, i % 4)
        self.plan_button = QPushButton("登记")
        self.plan_button.clicked.connect(self.add)
        for label, w in (("检查日期", self.p_date), ("检查部门", self.p_departments), ("企业名称", self.p_name),
                         ("统一社会信用代码", self.p_uscc), ("检查事项", checks), ("", self.plan_button)):
            f.addRow(label, w)
        return box

    def _result_form(self) -> QGroupBox:
        box = QGroupBox("录入检查结果（所选检查）")
        f = QFormLayout(box)
        self.r_description = QLineEdit()
        self.r_fixed = QCheckBox("当场整改")
        self.r_case = QCheckBox("立案查处")
        self.r_clue = QComboBox()
        self.r_clue.addItem("（不移交）", None)
        for u in sorted(self.ctx.desk.refs().units.values(), key=lambda u: u.code):
            self.r_clue.addItem(f"{u.code} {u.name}", u.code)
        self.add_problem_button = QPushButton("加入问题")
        self.add_problem_button.clicked.connect(self.add_problem)
        self.pending_label = QLabel("待保存的问题：0 个")
        self.pending_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_button = QPushButton("保存检查结果")
        self.result_button.clicked.connect(self.save_result)
        flags = QHBoxLayout()
        flags.addWidget(self.r_fixed)
        flags.addWidget(self.r_case)
        fw = QWidget()
        fw.setLayout(flags)
        for label, w in (("问题描述", self.r_description), ("", fw), ("移交线索", self.r_clue),
                         ("", self.add_problem_button), ("", self.pending_label), ("", self.result_button)):
            f.addRow(label, w)
        return box

    # -- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        year = self.ctx.desk.now().astimezone(LOCAL_TZ).year
        self.ctx.tasks.run(_load, self.ctx.desk, f"{year}-01-01", f"{year}-12-31", kind="read", on_done=self._show)

    def _show(self, data: dict) -> None:
        s = data["stats"]
        self.stats_label.setText(f"本年综合查一次 {s['inspections']} 次，发现问题 {s['problems']} 个，整改 {s['fixed']} 个，"
                                 f"移交线索 {s['clues']} 条，立案 {s['cases_filed']} 件，减少扰民 {s['visits_spared']} 次")
        self.items = data["items"]
        self.table.setRowCount(len(self.items))
        for r, x in enumerate(self.items):
            values = (x["inspection_no"], x["date"], x["target"]["name"], "、".join(x["department_names"]),
                      x["state_label"], x["problems"], x["fixed"], x["visits_spared"])
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(str(value)))
        self._update_buttons()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        x = self.selected()
        self.result_button.setEnabled(bool(x) and x["state"] == "planned")

    # -- actions -----------------------------------------------------------------------------
    def add(self) -> None:
        data = {"date": self.p_date.date().toString("yyyy-MM-dd"),
                "departments": [c.strip() for c in self.p_departments.text().replace("，", ",").split(",") if c.strip()],
                "target": {"name": self.p_name.text(), "uscc": self.p_uscc.text()},
                "matters": [code for code, cb in self.p_matters.items() if cb.isChecked()]}
        self.ctx.tasks.run(services.add_inspection, self.ctx.desk, self.ctx.actor, data, kind="write",
                           on_done=lambda _o: self.refresh())

    def add_problem(self) -> None:
        if not self.r_description.text().strip():
            return
        p = {"description": self.r_description.text(), "fixed": self.r_fixed.isChecked(),
             "case_filed": self.r_case.isChecked()}
        if self.r_clue.currentData():
            p["clue_to"] = self.r_clue.currentData()
        self.pending.append(p)
        self.r_description.clear()
        self.r_fixed.setChecked(False)
        self.r_case.setChecked(False)
        self.r_clue.setCurrentIndex(0)
        self.pending_label.setText(f"待保存的问题：{len(self.pending)} 个")

    def save_result(self) -> None:
        x = self.selected()
        if x is None:
            return
        self.ctx.tasks.run(services.record_result, self.ctx.desk, self.ctx.actor, x["inspection_no"],
                           {"problems": list(self.pending)}, kind="write", on_done=self._saved)

    def _saved(self, _out) -> None:
        self.pending.clear()
        self.pending_label.setText("待保存的问题：0 个")
        self.refresh()
