"""风险研判: the risk register (level colour, loop step, 处置时限 light, 督办), the steps the user may
take on the selected risk, a form to register a risk, the case-trend proposals to accept or
dismiss, and a map of open risks by 村社 (one tile per 村社, coloured by its highest level)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
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

from app.domain import risk as R
from app.risk import queries, register, trends
from ui.pages.base import Page

COLUMNS = ("风险编号", "等级", "风险", "村社", "责任单位", "环节", "处置时限", "督办")
PROPOSAL_COLUMNS = ("研判建议", "规则", "件数", "关联案件")
TILE = {"high": "#f4c7c3", "medium": "#fff2c0", "low": "#d8f0d8", None: "#f0f0f0"}
LIGHT = {"red": "#c00000", "yellow": "#b07d00", "green": "#2e7d32"}


def _load(desk):
    return {"risks": queries.list_risks(desk), "proposals": trends.proposals(desk),
            "villages": queries.counts_by_village(desk)}


class RiskPage(Page):
    key = "risk"
    title = "风险研判"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.risks: list[dict] = []
        self.proposals: list[dict] = []
        self.summary = QLabel()
        self.summary.setObjectName("riskSummary")
        self.map = QWidget()
        self.map.setObjectName("riskMap")
        self.map_grid = QGridLayout(self.map)
        self.tiles: dict[str, QLabel] = {}
        self.table = self._table(COLUMNS)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.note = QLineEdit()
        self.note.setPlaceholderText("情况说明（预警、处置、反馈、销号、督办时填写）")
        self.step_buttons: dict[str, QPushButton] = {}
        steps = QHBoxLayout()
        steps.addWidget(self.note, 1)
        for name in R.ACT_STEPS:
            b = QPushButton(R.STEPS[name].label)
            b.clicked.connect(lambda _c=False, n=name: self.take_step(n))
            self.step_buttons[name] = b
            steps.addWidget(b)
        self.proposal_table = self._table(PROPOSAL_COLUMNS)
        self.proposal_table.itemSelectionChanged.connect(self._update_buttons)
        self.accept_button = QPushButton("采纳为风险")
        self.dismiss_button = QPushButton("忽略")
        self.accept_button.clicked.connect(lambda: self.decide("accept"))
        self.dismiss_button.clicked.connect(lambda: self.decide("dismiss"))
        prop_box = QGroupBox("案件趋势研判建议")
        pl = QVBoxLayout(prop_box)
        pl.addWidget(self.proposal_table)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.accept_button)
        row.addWidget(self.dismiss_button)
        pl.addLayout(row)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.map)
        lay.addWidget(self.table, 2)
        lay.addLayout(steps)
        lay.addWidget(self._form())
        lay.addWidget(prop_box, 1)
        self._update_buttons()

    @staticmethod
    def _table(columns) -> QTableWidget:
        t = QTableWidget(0, len(columns))
        t.setHorizontalHeaderLabels(columns)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(True)
        return t

    def _form(self) -> QGroupBox:
        box = QGroupBox("登记风险")
        form = QFormLayout(box)
        self.f_source = QComboBox()
        for k, v in R.SOURCES.items():
            if k != "case_trend":
                self.f_source.addItem(v, k)
        self.f_type = QLineEdit()
        self.f_type.setPlaceholderText("如 矛盾纠纷、涉稳风险、邻里纠纷")
        self.f_title = QLineEdit()
        self.f_village = QComboBox()
        for v in sorted(self.ctx.desk.refs().villages(), key=lambda g: g.code):
            self.f_village.addItem(v.name, v.code)
        self.f_persons = QSpinBox()
        self.f_persons.setRange(0, 100000)
        self.f_persons.setValue(1)
        self.f_level = QComboBox()
        for k, v in R.LEVELS.items():
            self.f_level.addItem(v, k)
        self.f_description = QLineEdit()
        self.add_button = QPushButton("登记")
        self.add_button.clicked.connect(self.add)
        for label, w in (("来源", self.f_source), ("风险类型", self.f_type), ("标题", self.f_title),
                         ("村社", self.f_village), ("涉及人数", self.f_persons), ("风险等级", self.f_level),
                         ("情况描述", self.f_description), ("", self.add_button)):
            form.addRow(label, w)
        return box

    # -- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.run(_load, self.ctx.desk, kind="read", on_done=self._show)

    def _show(self, data: dict) -> None:
        self.risks, self.proposals = data["risks"], data["proposals"]
        self.table.setRowCount(len(self.risks))
        for r, x in enumerate(self.risks):
            values = (x["risk_no"], x["level_label"], x["title"], x["village_name"] or "", x["unit_name"] or "待指定",
                      x["state_label"], {"red": "超期", "yellow": "临期", "green": "正常"}.get(x["due_color"], "—"),
                      f"{x['urge_count']} 次" if x["urge_count"] else "")
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if c == 1:
                    item.setBackground(QBrush(QColor(TILE[x["level"]])))
                if c == 6 and x["due_color"]:
                    item.setForeground(QBrush(QColor(LIGHT[x["due_color"]])))
                self.table.setItem(r, c, item)
        self.proposal_table.setRowCount(len(self.proposals))
        for r, p in enumerate(self.proposals):
            for c, value in enumerate((p["title"], "同类聚集" if p["rule"] == "cluster" else "重复信访", p["count"],
                                       "、".join(p["case_nos"]))):
                self.proposal_table.setItem(r, c, QTableWidgetItem(str(value)))
        self._show_map(data["villages"])
        open_ = [x for x in self.risks if x["state"] != R.CLOSED]
        self.summary.setText(f"在办风险 {len(open_)} 件（高 {sum(1 for x in open_ if x['level'] == 'high')}），"
                             f"超期 {sum(1 for x in open_ if x['due_color'] == 'red')} 件；"
                             f"待研判建议 {len(self.proposals)} 条")
        self._update_buttons()

    def _show_map(self, villages: list[dict]) -> None:
        for i, v in enumerate(villages):
            tile = self.tiles.get(v["village"])
            if tile is None:
                tile = self.tiles[v["village"]] = QLabel()
                tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
                tile.setMinimumSize(96, 44)
                self.map_grid.addWidget(tile, i // 5, i % 5)
            top = next((lv for lv in R.LEVELS if v[lv]), None)
            tile.setText(f"{v['name']}\n{v['total']}")
            tile.setToolTip(f"{v['name']}：高 {v['high']}、中 {v['medium']}、低 {v['low']}")
            tile.setStyleSheet(f"background:{TILE[top]}; border:1px solid #999; padding:2px;")

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.risks[rows[0].row()] if rows else None

    def selected_proposal(self) -> dict | None:
        rows = self.proposal_table.selectionModel().selectedRows()
        return self.proposals[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        r = self.selected()
        role = self.ctx.role
        for name, b in self.step_buttons.items():
            st = R.STEPS[name]
            b.setEnabled(bool(r) and r["state"] in st.moves and role in st.roles)
        can_decide = role in ("director", "admin") and self.selected_proposal() is not None
        self.accept_button.setEnabled(can_decide)
        self.dismiss_button.setEnabled(can_decide)

    # -- actions -----------------------------------------------------------------------------
    def add(self) -> None:
        data = {"source": self.f_source.currentData(), "type": self.f_type.text(), "title": self.f_title.text(),
                "description": self.f_description.text() or self.f_title.text(), "village": self.f_village.currentData(),
                "persons": self.f_persons.value(), "level": self.f_level.currentData()}
        self.ctx.tasks.run(register.add_risk, self.ctx.desk, self.ctx.actor, data, kind="write",
                           on_done=self._added)

    def _added(self, out: dict) -> None:
        for w in (self.f_type, self.f_title, self.f_description):
            w.clear()
        self.refresh()

    def take_step(self, name: str) -> None:
        r = self.selected()
        if r is None:
            return
        data = {"note": self.note.text()}
        self.ctx.tasks.run(register.act_risk, self.ctx.desk, self.ctx.actor, r["risk_no"], name, data, kind="write",
                           on_done=lambda _o: (self.note.clear(), self.refresh()))

    def decide(self, how: str) -> None:
        p = self.selected_proposal()
        if p is None:
            return
        fn = trends.accept if how == "accept" else trends.dismiss
        self.ctx.tasks.run(fn, self.ctx.desk, self.ctx.actor, {"key": p["key"], "note": self.note.text()},
                           kind="write", on_done=lambda _o: self.refresh())
