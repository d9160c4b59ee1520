"""督办: open 督办 by level and age with the reply status; issue a 督办 (level, instruction,
reply date) or, for the handling unit, reply to one."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from app.cases.export import export_cases
from app.cases.views import urge_view
from app.domain import indicators as ind
from app.domain import workflow as wf
from app.supervision import board as sv
from ui.pages import dashboard_parts as parts
from ui.pages.base import Page
from ui.widgets.export_file import ask_path, run_export
from ui.widgets.urge_badge import urge_icon, urge_tooltip


class SupervisionPage(Page):
    key = "supervision"
    title = "督办"
    lists_cases = True  # the window refreshes it on screen after any case change
    roles = ("director", "dispatcher", "admin", "unit")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.items: list[dict] = []
        self.unit = ctx.actor.unit if ctx.role == "unit" and ctx.actor else None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel("督办")
        heading.setObjectName("pageTitle")
        self.counts = QLabel("")
        self.level = QComboBox()
        self.level.setObjectName("levelFilter")
        self.level.addItem("全部等级", None)
        for code, label in wf.URGE_LEVELS.items():
            self.level.addItem(label, code)
        self.level.currentIndexChanged.connect(self.refresh)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        for w in (heading, self.counts):
            top.addWidget(w)
        top.addStretch(1)
        export = QPushButton("导出 Excel…")  # every open case under 督办 shown, with progress and cancel
        export.setObjectName("exportCases")
        export.clicked.connect(lambda: self.export_cases())
        top.addWidget(self.level)
        top.addWidget(refresh)
        top.addWidget(export)
        lay.addLayout(top)
        self.table = parts.table("urgeTable", ["案件编号", "标题", "承办单位", "等级", "督办时长（工作日）", "回复期限",
                                               "回复", "督办要求"])
        self.table.cellDoubleClicked.connect(lambda r, _c: self.openCase.emit(self.table.item(r, 0).text()))
        self.table.cellClicked.connect(lambda r, _c: self.case_no.setText(self.table.item(r, 0).text()))
        lay.addWidget(self.table, 3)

        form = QFormLayout()
        self.case_no = QLineEdit()
        self.case_no.setObjectName("urgeCaseNo")
        self.case_no.setPlaceholderText("案件编号（点选上表或输入）")
        form.addRow("案件编号", self.case_no)
        self.note = QPlainTextEdit()
        self.note.setObjectName("urgeText")
        self.note.setFixedHeight(60)
        self.issue_level = QComboBox()
        self.issue_level.setObjectName("urgeLevel")
        self.issue_level.addItem("（请选择）", None)  # no default level: chosen each time
        for code, label in wf.URGE_LEVELS.items():
            self.issue_level.addItem(label, code)
        self.reply_by = QDateEdit(QDate.currentDate().addDays(1))
        self.reply_by.setCalendarPopup(True)
        self.reply_by.setDisplayFormat("yyyy-MM-dd")
        self.submit = QPushButton()
        self.submit.setObjectName("urgeSubmit")
        self.submit.clicked.connect(self.send)
        if ctx.role == "unit":
            form.addRow("回复内容", self.note)
            self.submit.setText("回复督办 (Ctrl+Enter)")
        else:
            from ui.widgets.phrases import with_phrases

            form.addRow("督办等级", self.issue_level)
            form.addRow("督办要求", with_phrases(ctx, self.note, "urge"))  # 常用语 (F4)
            form.addRow("回复期限", self.reply_by)
            self.submit.setText("发出督办 (Ctrl+Enter)")
        form.addRow("", self.submit)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.send, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.message = QLabel("")
        self.message.setObjectName("hint")
        form.addRow("", self.message)
        lay.addLayout(form, 1)

    def refresh(self) -> None:
        self.ctx.tasks.run(sv.open_urges, self.ctx.desk, self.level.currentData(), self.unit, 500, kind="read",
                           on_done=self.show_data)

    def export_filters(self) -> dict:
        """The case-list filter of this page: open cases under 督办, the level and unit shown."""
        return {"state": "open", "supervised": True, "urge_level": self.level.currentData(), "unit": self.unit}

    def export_cases(self, path: str | None = None) -> None:
        """Every case this page lists, to an .xlsx file (off the UI thread, cancellable)."""
        path = path or ask_path(self, "督办.xlsx")
        if path:
            run_export(self.ctx, self, export_cases, self.ctx.desk, self.ctx.actor, self.export_filters(), path=path)

    def show_data(self, d: dict) -> None:
        self.items = d["items"]
        c = d["counts"]
        self.counts.setText(f"在督办 {d['total']:,} 件：红牌 {c['red']:,} · 黄牌 {c['yellow']:,} · 普通 {c['normal']:,}")
        parts.fill(self.table, [[i["case_no"], i["title"], i["unit_name"] or "—", i["level_label"],
                                 ind.days(i["age_days"]), (i["reply_by"] or "")[:10],
                                 "已回复" if i["replied"] else ("逾期未回复" if i["reply_overdue"] else "待回复"),
                                 i["instruction"] or ""] for i in self.items],
                   marks=["red" if i["reply_overdue"] else None for i in self.items])
        for row, i in enumerate(self.items):  # the same 督办 badge as in the case list
            urge = urge_view(i["level"], i["urge_count"], i["reply_by"], i["state"])
            self.table.item(row, 0).setIcon(urge_icon(urge))
            self.table.item(row, 0).setToolTip(urge_tooltip(urge))

    def send(self) -> None:
        no, text = self.case_no.text().strip(), self.note.toPlainText().strip()
        actor = self.ctx.actor
        if actor is None:
            return
        if not no:
            self.message.setText("请填写案件编号（点选上表或输入）")
            self.case_no.setFocus()
            return
        if actor.role != "unit" and self.issue_level.currentData() is None:
            self.message.setText("请选择督办等级")
            self.issue_level.setFocus()
            return
        if actor.role == "unit":
            self.ctx.tasks.run(sv.reply, self.ctx.desk, actor, no, text, kind="write", on_done=self._sent,
                               on_error=self._failed)
        else:
            self.ctx.tasks.run(sv.urge, self.ctx.desk, actor, no, self.issue_level.currentData(), text,
                               self.reply_by.date().toString("yyyy-MM-dd"), kind="write", on_done=self._sent,
                               on_error=self._failed)

    def _sent(self, case: dict) -> None:
        self.message.setText(f"{case['case_no']}：已{'回复督办' if self.ctx.role == 'unit' else '督办'}")
        self.note.clear()  # nothing stays filled: issuing twice takes a new choice
        self.case_no.clear()
        self.issue_level.setCurrentIndex(0)
        self.ctx.bus.publish("case_changed", {"case_nos": [case["case_no"]]})
        self.refresh()

    def _failed(self, exc) -> None:
        self.message.setText(getattr(exc, "message", str(exc)))
