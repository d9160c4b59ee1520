"""平战转换 in the window chrome: while an emergency is on (started here or on another workstation
and pulled by a sync) a red banner under the top bar names it, and the top bar and the navigation
turn red; back to the peacetime colours when it stops. Re-read on every emergency event, after a
sync round and when pulled changes arrive."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.domain.timezone import LOCAL_TZ
from app.emergency.queries import active

RED = "#b71c1c"
CHROME_STYLES = {  # objectName -> its stylesheet in emergency mode (overrides the app's QSS)
    "topBar": f"QFrame#topBar {{ background: {RED}; }} QFrame#topBar QLabel {{ color: #ffffff; }}",
    "navList": f"QListWidget#navList {{ border-right: 4px solid {RED}; }}",
}


def _area_text(ctx, area) -> str:
    if area == "all":
        return "全镇街"
    refs = ctx.desk.refs()
    return "、".join(refs.grid_name(c) or c for c in area)


class EmergencyBanner(QLabel):
    activeChanged = Signal(bool)

    def __init__(self, ctx, chrome: tuple[QWidget, ...] = (), parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.chrome = chrome
        self.current: dict | None = None
        self.setObjectName("emergencyBanner")
        self.setWordWrap(True)
        self.setStyleSheet(f"QLabel#emergencyBanner {{ background: {RED}; color: #ffffff; padding: 6px 12px;"
                           " font-weight: bold; }")
        self.hide()
        ctx.bus.emergencyChanged.connect(lambda _p: self.refresh())
        ctx.bus.syncState.connect(lambda p: self.refresh() if p.get("state") == "online" else None)
        ctx.bus.caseChanged.connect(lambda p: self.refresh() if p.get("source") == "sync" else None)
        self.refresh()

    def refresh(self) -> None:
        self.ctx.tasks.run(active, self.ctx.desk, kind="read", on_done=self._show, on_error=lambda e: None)

    @property
    def is_on(self) -> bool:
        return self.current is not None

    def _show(self, current: dict | None) -> None:
        was = self.is_on
        self.current = current
        if current:
            started = datetime.fromisoformat(current["started_at"]).astimezone(LOCAL_TZ)
            self.setText(f"⚠ 应急状态：{current['name']}（{current['level_label']}） · 范围：{_area_text(self.ctx, current['area'])}"
                         f" · {started:%m-%d %H:%M} 启动 · 受理默认加急")
        self.setVisible(bool(current))
        for w in self.chrome:
            w.setProperty("emergency", bool(current))
            w.setStyleSheet(CHROME_STYLES.get(w.objectName(), "") if current else "")
        window = self.window()
        if window is not None and window is not self:
            window.setProperty("emergency", bool(current))
        if was != self.is_on:
            self.activeChanged.emit(self.is_on)
