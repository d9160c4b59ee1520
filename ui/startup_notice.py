"""Show the start-up check problems (app.startup_checks) in a dialog before anything else opens."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox


def show_problems(text: str) -> int:
    """A blocking critical box (the window never opened); returns the exit status 1."""
    app = QApplication.instance() or QApplication([])
    app.setApplicationDisplayName("镇街指挥台")
    QMessageBox.critical(None, "镇街指挥台无法启动", text)
    return 1
