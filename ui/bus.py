"""EventBridge: re-emits app.events (published on any thread) as Qt signals on the GUI thread."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from app import events


class EventBridge(QObject):
    caseChanged = Signal(dict)      # {"case_nos": [...]}
    syncState = Signal(dict)        # {"state": "online|offline|syncing", "pending": n, ...}
    conflictArrived = Signal(dict)  # {"count": n}
    emergencyChanged = Signal(dict)  # 平战转换: {"id", "active"} or {"task"} / {"receipt"} / {"lists"}
    anyEvent = Signal(str, dict)    # every event, for pages that listen to new kinds
    _relay = Signal(str, object)

    SIGNALS = {events.CASE_CHANGED: "caseChanged", events.SYNC_STATE: "syncState",
               events.CONFLICT_ARRIVED: "conflictArrived",
               events.EMERGENCY_CHANGED: "emergencyChanged"}

    def __init__(self, parent: QObject | None = None, extra_events: tuple[str, ...] = ()):
        super().__init__(parent)
        # Auto connection: direct when published on the GUI thread, queued from worker threads.
        self._relay.connect(self._emit, Qt.ConnectionType.AutoConnection)
        self._unsubscribe = [events.subscribe(name, self._make_forwarder(name))
                             for name in (*self.SIGNALS, *extra_events)]

    def _make_forwarder(self, name: str):
        def forward(payload: dict) -> None:
            try:
                self._relay.emit(name, dict(payload or {}))
            except RuntimeError:  # the bridge was deleted while a worker published
                pass
        return forward

    def _emit(self, name: str, payload: dict) -> None:
        attr = self.SIGNALS.get(name)
        if attr:
            getattr(self, attr).emit(payload)
        self.anyEvent.emit(name, payload)

    def publish(self, name: str, payload: dict | None = None) -> None:
        """Convenience for pages: publish through app.events (every listener hears it)."""
        events.publish(name, payload or {})

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
