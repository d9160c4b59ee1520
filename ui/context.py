"""UiContext: what every page gets (the open Desk, the logged-in Actor, background tasks, the
event bridge and QSettings for geometry and column layouts only)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from ui.bus import EventBridge
from ui.tasks import TaskManager

if TYPE_CHECKING:
    from app.desk import Actor, Desk


@dataclass
class UiContext:
    desk: Desk
    actor: Actor | None
    tasks: TaskManager
    bus: EventBridge
    settings: QSettings
    town_name: str = ""
    extras: dict = field(default_factory=dict)  # per-area shared objects (e.g. the sync engine)

    @property
    def role(self) -> str | None:
        return self.actor.role if self.actor else None

    def close(self) -> None:
        """Stop what the window started (background sync, event bridge, worker threads).
        The Desk stays open: whoever opened it closes it."""
        sync = self.extras.get("sync")
        if sync is not None:
            sync.stop()
        self.bus.close()
        self.tasks.shutdown()


def make_settings(path: str | None = None) -> QSettings:
    """QSettings in the data dir (an INI file), so test stores never touch the user's registry."""
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("towndesk", "towndesk")
