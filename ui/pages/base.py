"""Base class for navigation pages (contract in docs/DEVELOPING.md, "The window")."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.context import UiContext


class Page(QWidget):
    key = ""
    title = ""
    roles: tuple[str, ...] | None = None  # None: every role sees the page
    openCase = Signal(str)   # case number
    openList = Signal(dict)  # case-list filters (keys of app.cases.queries.list_cases)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"page_{self.key}")

    def refresh(self) -> None:
        """Reload what the page shows (called when the page is shown and after changes)."""
