"""Where the window's file dialogs open: the user's documents folder (never the program folder)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths


def documents_dir() -> str:
    """The user's documents folder (``文档`` / ``Documents``), else the home folder."""
    path = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return path if path and Path(path).is_dir() else str(Path.home())


def in_documents(name: str) -> str:
    """A suggested file name placed in the documents folder (for save dialogs)."""
    return str(Path(documents_dir()) / name)
