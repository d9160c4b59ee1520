"""交接班: the leaving user's 交班记录 (open red cases, pending 督办, a note) before 注销/切换用户,
and the notice the next user sees after logging in on this workstation."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
)

from app.supervision import handover
from ui.format import local


def _fill(lst: QListWidget, summary: dict) -> None:
    lst.clear()
    for c in summary.get("red") or []:
        days = c.get("overdue_days")
        late = f"超期 {days:.1f} 个工作日" if isinstance(days, int | float) and days > 0 else "超期"
        lst.addItem(f"红灯　{c['case_no']}　{c['title']}　{c['unit_name']}　{late}")
    for u in summary.get("urges") or []:
        due = f"　回复期限 {local(u['reply_by'])}" if u.get("reply_by") else ""
        late = "（已逾期）" if u.get("reply_overdue") else ""
        lst.addItem(f"督办{u['level_label']}　{u['case_no']}　{u['title']}　{u['unit_name']}{due}{late}")
    if not lst.count():
        lst.addItem("（无红灯案件，无待回复督办）")


def counts_text(summary: dict) -> str:
    return f"在办红灯案件 {summary.get('red_count', 0):,} 件 · 待回复督办 {summary.get('urge_count', 0):,} 件"


class HandoverDialog(QDialog):
    """Before 注销/切换用户: what is handed over, and the note. ``handedOver(dict)`` after saving."""

    handedOver = Signal(dict)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("handoverDialog")
        self.setWindowTitle("交接班：注销 / 切换用户")
        self.summary = QLabel("正在统计…")
        self.summary.setObjectName("handoverCounts")
        self.items = QListWidget()
        self.items.setObjectName("handoverItems")
        self.note = QPlainTextEdit()
        self.note.setObjectName("handoverNote")
        self.note.setPlaceholderText("交班说明：未办完的事、要盯的案件、来电约好的回访……（可不填）")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(100)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.hide()
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("交班并注销 (Ctrl+Enter)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("handoverSubmit")
        self.ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.submit)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"交班人：{ctx.actor.name if ctx.actor else ''}"))
        lay.addWidget(self.summary)
        lay.addWidget(self.items, 1)
        lay.addWidget(QLabel("交班记录"))
        lay.addWidget(self.note)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(720, 520)
        ctx.tasks.run(handover.snapshot, ctx.desk, kind="read", on_done=self._show)

    def showEvent(self, event) -> None:  # noqa: N802 — Qt override
        super().showEvent(event)
        self.activateWindow()
        self.note.setFocus()

    def _show(self, summary: dict) -> None:
        self.summary.setText(counts_text(summary))
        _fill(self.items, summary)

    def submit(self) -> None:
        if not self.ok.isEnabled():
            return
        self.ok.setEnabled(False)
        self.ctx.tasks.run(handover.hand_over, self.ctx.desk, self.ctx.actor, self.note.toPlainText(), kind="write",
                           on_done=self._done, on_error=self._failed)

    def _done(self, record: dict) -> None:
        self.record = record
        self.accept()
        self.handedOver.emit(record)

    def _failed(self, exc) -> None:
        self.ok.setEnabled(True)
        self.error.setText(getattr(exc, "message", str(exc)))
        self.error.show()


class HandoverNotice(QDialog):
    """After login: the previous user's 交班记录; 已阅 marks it read."""

    def __init__(self, ctx, record: dict, parent=None):
        super().__init__(parent)
        self.ctx, self.record = ctx, record
        self.setObjectName("handoverNotice")
        self.setWindowTitle("上一班交班记录")
        head = QLabel(f"<b>{record['from_name']}</b> 于 {local(record['at'])} 交班　·　{counts_text(record)}")
        head.setWordWrap(True)
        self.note = QLabel(record.get("note") or "（交班人未填写说明）")
        self.note.setObjectName("handoverNoticeNote")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items = QListWidget()
        _fill(self.items, record)
        buttons = QDialogButtonBox()
        read = buttons.addButton("已阅", QDialogButtonBox.ButtonRole.AcceptRole)
        read.setDefault(True)
        buttons.accepted.connect(self.accept)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(QLabel("交班说明："))
        lay.addWidget(self.note)
        lay.addWidget(self.items, 1)
        lay.addWidget(buttons)
        self.resize(720, 480)

    def accept(self) -> None:
        if self.ctx.actor is not None:
            self.ctx.tasks.run(handover.mark_read, self.ctx.desk, self.ctx.actor, self.record["id"], kind="write",
                               on_error=lambda e: None)
        super().accept()
