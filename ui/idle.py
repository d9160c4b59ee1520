"""Idle detection: any key or mouse input resets the timer; after the configured minutes with no
input, ``idle`` fires once (the window then shows its lock screen)."""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None, check_ms: int = 10_000):
        super().__init__(parent)
        self.limit_ms = int(minutes * 60_000)
        self.armed = True
        self._since = QElapsedTimer()
        self._since.start()
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self.check)
        if self.limit_ms > 0:
            QApplication.instance().installEventFilter(self)
            self._timer.start()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt override
        if event.type() in INPUT_EVENTS:
            self._since.restart()
        return False

    def idle_ms(self) -> int:
        return self._since.elapsed()

    def reset(self) -> None:
        self._since.restart()
        self.armed = True

    def check(self) -> None:
        if self.armed and self.limit_ms > 0 and self._since.elapsed() >= self.limit_ms:
            self.armed = False
            self.idle.emit()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
