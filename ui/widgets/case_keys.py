"""The keyboard of 案件查询: a search box whose Down goes to the results, a table whose Enter opens."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView


class SearchBox(QLineEdit):
    """The search box: Down (or Enter once the query has run) moves to the results."""

    def __init__(self, to_results, parent=None):
        super().__init__(parent)
        self._to_results = to_results

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self._to_results()
            return
        super().keyPressEvent(event)


class CaseTableView(QTableView):
    """Enter opens the current case (double-click too)."""

    def __init__(self, open_row, parent=None):
        super().__init__(parent)
        self._open_row = open_row

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open_row(self.currentIndex().row())
            return
        super().keyPressEvent(event)
