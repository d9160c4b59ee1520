"""Calm error reporting for the window.

AppError (a user-caused problem) is shown as a short Chinese message. Anything else is a bug: its
traceback goes to a rotating log file in the data dir and the user sees one calm dialog per
distinct error. Message boxes are opened non-blocking (``open()``), so tests never hang on them.
"""
from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import logs as app_logs
from app.errors import AppError

log = logging.getLogger("towndesk.ui")

# Messages shown so far (newest last): tests assert on them; the window never reads them.
shown: list[str] = []
_seen_bugs: set[tuple] = set()
_open_boxes: list[QMessageBox] = []
silent = False  # tests may set this to collect messages without opening boxes


def install_logging(data_dir: Path) -> Path:
    """A rotating log file ``logs/towndesk.log`` in the data dir (1 MB x 5), scrubbed of personal
    data and SQL parameters (app.logs)."""
    if any(isinstance(h, RotatingFileHandler) for h in logging.getLogger("towndesk").handlers):
        return Path(data_dir) / "logs" / "towndesk.log"
    return app_logs.install(data_dir)


def install_excepthook() -> None:
    """Uncaught exceptions on the GUI thread: log the traceback, show one calm dialog."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        present_error(exc, tb=tb)

    sys.excepthook = hook


def _bug_key(exc: BaseException, tb) -> tuple:
    frames = traceback.extract_tb(tb or exc.__traceback__)
    last = frames[-1] if frames else None
    return type(exc).__name__, str(exc)[:200], last.filename if last else "", last.lineno if last else 0


def present_error(exc: BaseException, parent: QWidget | None = None, tb=None) -> None:
    """Show an error calmly: AppError as its Chinese message, anything else once per kind."""
    if isinstance(exc, AppError):
        _show(parent, "提示", exc.message, QMessageBox.Icon.Information)
        return
    log.error("unexpected error", exc_info=(type(exc), exc, tb or exc.__traceback__))
    key = _bug_key(exc, tb)
    if key in _seen_bugs:
        return
    _seen_bugs.add(key)
    _show(parent, "程序遇到意外问题",
          "程序遇到一个意外问题，已记录到日志文件。您的数据已保存，可以继续工作；"
          "如问题反复出现，请联系管理员并提供日志。", QMessageBox.Icon.Warning)


def _show(parent: QWidget | None, title: str, text: str, icon) -> None:
    shown.append(text)
    if silent or QApplication.instance() is None:
        return
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    _open_boxes.append(box)
    box.finished.connect(lambda _r, b=box: _open_boxes.remove(b) if b in _open_boxes else None)
    box.open()
