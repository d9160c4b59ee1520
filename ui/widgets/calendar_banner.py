"""The banner at the top of the window when the next 60 days rest on a guessed calendar (a year
whose official holidays nobody has entered: provisional statutory days or plain weekdays)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.reference.workdays import guessed_ahead


class CalendarBanner(QLabel):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("calendarBanner")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#calendarBanner { background: #fff4d6; color: #7a4b00; padding: 6px 12px;"
                           " border-bottom: 1px solid #e0c07a; }")
        self.hide()
        self.refresh()
        ctx.bus.anyEvent.connect(lambda name, _p: self.refresh() if name in ("records_changed", "sync_done") else None)

    def refresh(self) -> None:
        self.ctx.tasks.run(guessed_ahead, self.ctx.desk, kind="read", on_done=self._show)

    def _show(self, warning: dict | None) -> None:
        self.warning = warning
        if warning:
            self.setText("⚠ " + warning["message"])
        self.setVisible(bool(warning))
