"""积案: the register (一案一专班: lead, members, units, plan, deadline, progress) and the 化解率
ranking by responsible unit or 村社 (bottom three red); 登记积案, 登记进展 and 实质性化解 by the
explicit checklist."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import mediation as md
from app.domain.indicators import pct
from app.errors import AppError
from app.mediation import backlog, indicators, queries
from ui.errors import present_error
from ui.format import local
from ui.pages.base import Page

COLUMNS = ("积案编号", "案件编号", "类别", "包案领导", "责任单位", "化解期限", "状态", "进展")
RANK_COLUMNS = ("名次", "名称", "积案", "实质性化解", "化解率")
REDBG = "#f8d4d4"


def _register_and_ranking(desk, by: str) -> dict:
    return {"items": queries.list_backlog(desk), "ranking": indicators.backlog_ranking(desk, by=by)}


class BacklogForm(QDialog):
    """登记积案 (kind "add"), 登记进展 ("progress") or 实质性化解 ("resolve")."""

    done = Signal(dict)

    def __init__(self, ctx, kind: str, item: dict | None = None, parent=None):
        super().__init__(parent)
        self.ctx, self.kind, self.item = ctx, kind, item
        self.setObjectName(f"backlog_{kind}")
        self.setWindowTitle({"add": "登记积案", "progress": "登记进展", "resolve": "实质性化解核验"}[kind])
        form = QFormLayout()
        self.checks: dict[str, QCheckBox] = {}
        if kind == "add":
            self.case_no, self.lead, self.members, self.units = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
            self.members.setPlaceholderText("姓名，用、分隔")
            self.units.setPlaceholderText("单位编码，用、分隔（如 D08、V01）")
            self.plan = QPlainTextEdit()
            self.due = QDateEdit()
            self.due.setCalendarPopup(True)
            self.due.setDisplayFormat("yyyy-MM-dd")
            self.due.setDate(self.due.date().currentDate().addMonths(3))
            self.kind_box = QComboBox()
            self.kind_box.addItems(md.BACKLOG_KINDS)
            for label, w in (("案件编号", self.case_no), ("积案类别", self.kind_box), ("包案领导", self.lead),
                             ("专班成员", self.members), ("责任单位", self.units), ("化解方案", self.plan),
                             ("化解期限", self.due)):
                form.addRow(label, w)
        elif kind == "progress":
            self.note = QPlainTextEdit()
            form.addRow("进展情况", self.note)
        else:
            for key, label in md.CHECKLIST.items():
                self.checks[key] = QCheckBox(label)
                form.addRow("", self.checks[key])
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color:#c62828")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        from ui.keys import submit_on_ctrl_enter

        submit_on_ctrl_enter(self, self.submit)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    @staticmethod
    def _names(text: str) -> list[str]:
        return [n.strip() for n in text.replace(",", "、").replace("，", "、").split("、") if n.strip()]

    def submit(self) -> None:
        desk, actor = self.ctx.desk, self.ctx.actor
        if self.kind == "add":
            data = {"lead": self.lead.text(), "members": self._names(self.members.text()),
                    "units": self._names(self.units.text()), "plan": self.plan.toPlainText(),
                    "due": self.due.date().toString("yyyy-MM-dd"), "kind": self.kind_box.currentText()}
            self.ctx.tasks.run(backlog.add_backlog, desk, actor, self.case_no.text().strip(), data, kind="write",
                               on_done=self._ok, on_error=self._failed)
        elif self.kind == "progress":
            self.ctx.tasks.run(backlog.add_progress, desk, actor, self.item["backlog_no"], self.note.toPlainText(),
                               kind="write", on_done=self._ok, on_error=self._failed)
        else:
            items = [k for k, box in self.checks.items() if box.isChecked()]
            self.ctx.tasks.run(backlog.resolve, desk, actor, self.item["backlog_no"], items, kind="write",
                               on_done=self._ok, on_error=self._failed)

    def _ok(self, result: dict) -> None:
        self.done.emit(result)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, AppError):
            self.error.setText(exc.message)
        else:
            present_error(exc, self)


class BacklogPage(Page):
    key = "backlog"
    title = "积案"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.items: list[dict] = []
        self.ranking: list[dict] = []
        self.dialog = None
        self.summary = QLabel()
        self.summary.setObjectName("backlogSummary")
        self.by = QComboBox()
        self.by.setObjectName("backlogRankBy")
        self.by.addItem("按责任单位", "unit")
        self.by.addItem("按村社", "village")
        self.by.currentIndexChanged.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("backlogTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._buttons)
        self.table.cellDoubleClicked.connect(self._open_case)
        self.rank = QTableWidget(0, len(RANK_COLUMNS))
        self.rank.setObjectName("backlogRanking")
        self.rank.setHorizontalHeaderLabels(RANK_COLUMNS)
        self.rank.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rank.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.progress_text = QLabel()
        self.progress_text.setObjectName("backlogProgress")
        self.progress_text.setWordWrap(True)
        self.progress_text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.add_button = QPushButton("登记积案")
        self.progress_button = QPushButton("登记进展")
        self.resolve_button = QPushButton("实质性化解")
        self.add_button.clicked.connect(lambda: self._form("add"))
        self.progress_button.clicked.connect(lambda: self._form("progress"))
        self.resolve_button.clicked.connect(lambda: self._form("resolve"))
        buttons = QHBoxLayout()
        for b in (self.add_button, self.progress_button, self.resolve_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(self.table, 3)
        ll.addWidget(self.progress_text, 1)
        ll.addLayout(buttons)
        right = QWidget()
        rl = QVBoxLayout(right)
        head = QHBoxLayout()
        head.addWidget(QLabel("积案化解率排名（后三名标红）"))
        head.addWidget(self.by)
        rl.addLayout(head)
        rl.addWidget(self.rank, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        self._buttons()

    def refresh(self) -> None:
        self.ctx.tasks.run(_register_and_ranking, self.ctx.desk, self.by.currentData(), kind="read",
                           on_done=self._show)

    def _show(self, data: dict) -> None:
        self.items, self.ranking = data["items"], data["ranking"]
        self.table.setRowCount(len(self.items))
        for r, b in enumerate(self.items):
            values = (b["backlog_no"], b["case_no"], b["kind"], b["lead"], "、".join(b["unit_names"]), b["due"],
                      b["state_label"] + ("（超期）" if b.get("overdue") else ""), str(len(b.get("progress") or [])))
            for c, v in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(v))
        self.rank.setRowCount(len(self.ranking))
        for r, g in enumerate(self.ranking):
            for c, v in enumerate((str(g["rank"]), g["name"], str(g["registered"]), str(g["resolved"]),
                                   pct(g["rate"]))):
                item = QTableWidgetItem(v)
                if g["mark"] == "red":
                    item.setBackground(QColor(REDBG))
                self.rank.setItem(r, c, item)
        resolved = sum(1 for b in self.items if b["state"] == "resolved")
        rate = pct(resolved / len(self.items)) if self.items else pct(None)
        self.summary.setText(f"积案 {len(self.items)} 件，已实质性化解 {resolved} 件，化解率 {rate}")
        self._buttons()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _buttons(self) -> None:
        b = self.selected()
        self.progress_button.setEnabled(bool(b) and b["state"] == "open")
        self.resolve_button.setEnabled(bool(b) and b["state"] == "open")
        steps = (b or {}).get("progress") or []
        self.progress_text.setText("进展：" + ("；".join(f"{local(s['at'], '%Y-%m-%d')} {s['note']}" for s in steps) or "暂无")
                                   if b else "选择一件积案查看进展")

    def _form(self, kind: str) -> None:
        item = self.selected()
        if kind != "add" and item is None:
            return
        self.dialog = BacklogForm(self.ctx, kind, item, self)
        self.dialog.done.connect(lambda _r: self.refresh())
        self.dialog.open()

    def _open_case(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.items):
            self.openCase.emit(self.items[row]["case_no"])
