"""关于 dialog: version, data directory, log location; reachable from the main window (button, F1)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from app import __version__
from tests.conftest import load_actors
from ui.about import AboutDialog


def test_about_dialog_shows_version_data_dir_and_log(qtbot, tmp_path):
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "关于镇街指挥台"
    assert __version__ in dialog.values["版本"].text()
    assert dialog.values["数据目录"].text() == str(tmp_path)
    assert dialog.values["日志文件"].text().endswith("towndesk.log")
    assert {b.text() for b in dialog.findChildren(QPushButton)} >= {"复制信息", "打开数据目录", "关闭"}
    dialog.copy_facts()
    copied = QApplication.clipboard().text()
    assert str(tmp_path) in copied and "日志文件" in copied


def test_main_window_has_the_about_entry(qtbot, desk, tmp_path):
    from ui.main import build_window

    window, ctx = build_window(desk, load_actors(desk)["intake"], synchronous=True,
                               settings_path=str(tmp_path / "w.ini"))
    qtbot.addWidget(window)
    window.show()
    button = window.findChild(QPushButton, "aboutButton")
    assert button is not None and button.text() == "关于"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.values["数据目录"].text() == str(desk.root)
    dialog.close()
    ctx.bus.close()
    ctx.tasks.shutdown()
