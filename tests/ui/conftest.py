"""Window fixtures: the shipped font and style on pytest-qt's QApplication, windows per user with
synchronous background tasks (deterministic), and helpers to type Chinese (see TOOLCHAIN.md)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import load_actors


@pytest.fixture(autouse=True)
def _styled_app(qapp):
    from ui import errors
    from ui.main import apply_style, register_font

    register_font(qapp)
    apply_style(qapp)
    errors.silent = True
    errors.shown.clear()
    yield
    errors.silent = False


def type_text(widget, text: str) -> None:
    """Type any text (Chinese included) into a widget, one key event per character."""
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture
def open_window(qtbot, tmp_path):
    """open_window(desk, username) -> MainWindow with synchronous tasks, closed at teardown."""
    made = []

    def make(desk, username: str):
        from ui.main import build_window

        actor = load_actors(desk)[username]
        window, ctx = build_window(desk, actor, synchronous=True, settings_path=str(tmp_path / f"{username}.ini"))
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)
        made.append(ctx)
        return window

    yield make
    for ctx in made:
        ctx.close()
