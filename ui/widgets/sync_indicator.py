"""Top-bar sync indicator: a coloured dot with 在线 / 离线 / 同步中 and the pending count.

Shows 离线 until the sync work wires it (``set_state`` or the EventBridge ``syncState`` signal).
Clicking it emits ``syncRequested`` (start a sync by hand)."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

STATES = {"online": ("在线", "#2e7d32"), "offline": ("离线", "#8a8f98"), "syncing": ("同步中", "#1565c0"),
          "error": ("同步失败", "#c62828")}


class SyncIndicator(QWidget):
    syncRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.dot = QLabel("●")
        self.label = QLabel()
        self.label.setObjectName("syncLabel")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 0, 6, 0)
        lay.setSpacing(4)
        lay.addWidget(self.dot)
        lay.addWidget(self.label)
        self.state = ""
        self.reason: str | None = None
        self.set_state("offline")

    def set_state(self, state: str, pending: int = 0, last_success: datetime | str | None = None,
                  reason: str | None = None, detail: str | None = None, insecure: bool = False) -> None:
        """``reason``: why offline in a few words (未注册区级服务器 / 网络不通 / 服务器拒绝), shown
        next to the state; ``detail``: the full message, in the tooltip; ``insecure``: the server is
        reached over plain http:// (shown as 不安全连接)."""
        text, colour = STATES.get(state, (state, "#8a8f98"))
        self.state = state
        self.insecure = insecure
        self.reason = reason if state in ("offline", "error") else None
        self.dot.setStyleSheet(f"color: {colour};")
        self.label.setText(text + (f"（{self.reason}）" if self.reason else "") + (f" · 待上传 {pending}" if pending else "")
                           + (" · 不安全连接" if insecure else ""))
        tip = f"同步状态：{text}" + (f"（{self.reason}）" if self.reason else "")
        if detail and state in ("offline", "error"):
            tip += f"\n{detail}"
        if insecure:
            tip += "\n不安全连接：与区级服务器之间使用不加密的 http://"
        if last_success:
            when = last_success if isinstance(last_success, str) else last_success.strftime("%Y-%m-%d %H:%M")
            tip += f"\n上次成功：{when}"
        self.setToolTip(tip + ("\n点击查看原因" if self.reason == "未注册区级服务器" else "\n点击立即同步"))

    def on_sync_state(self, payload: dict) -> None:
        self.set_state(payload.get("state", "offline"), int(payload.get("pending") or 0),
                       payload.get("last_success"), payload.get("reason"), payload.get("error"),
                       bool(payload.get("insecure")))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 — Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.syncRequested.emit()
        super().mouseReleaseEvent(event)
