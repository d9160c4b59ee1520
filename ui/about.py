"""关于 dialog: version, data directory, log file and install location (F1 or the top-bar button)."""
from __future__ import annotations

import logging
import platform
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.paths import resource_path


def log_file(data_dir: Path) -> Path:
    """The rotating log file actually in use (ui.errors.install_logging), else its usual place."""
    for handler in logging.getLogger("towndesk").handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return Path(data_dir) / "logs" / "towndesk.log"


def install_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def facts(data_dir: Path) -> list[tuple[str, str]]:
    build = "安装版" if getattr(sys, "frozen", False) else "源码运行"
    return [
        ("版本", f"{__version__}（{build}）"),
        ("数据目录", str(data_dir)),
        ("日志文件", str(log_file(data_dir))),
        ("安装位置", str(install_dir())),
        ("运行环境", f"Python {platform.python_version()} · Qt {PySide6.__version__} · {platform.system()} "
                 f"{platform.release()}"),
    ]


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("关于镇街指挥台")
        self.facts = facts(Path(data_dir))
        head = QHBoxLayout()
        icon = QLabel()
        pix = QPixmap(str(resource_path("icons", "towndesk.png")))
        if not pix.isNull():
            icon.setPixmap(pix.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))
        title = QLabel("<b style='font-size:16pt'>镇街指挥台</b><br>镇街综合信息指挥中心桌面端 towndesk")
        head.addWidget(icon)
        head.addWidget(title, 1)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in self.facts:
            text = QLabel(value)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setWordWrap(True)
            form.addRow(f"{label}：", text)
            self.values[label] = text
        buttons = QDialogButtonBox()
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)  # standard buttons would be English
        buttons.rejected.connect(self.reject)
        copy = QPushButton("复制信息")
        copy.setToolTip("复制以上信息，发给技术支持")
        copy.clicked.connect(self.copy_facts)
        folder = QPushButton("打开数据目录")
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir))))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(folder, QDialogButtonBox.ButtonRole.ActionRole)
        col = QVBoxLayout(self)
        col.addLayout(head)
        col.addLayout(form)
        col.addWidget(buttons)
        self.setMinimumWidth(520)

    def text(self) -> str:
        return "\n".join(f"{label}：{value}" for label, value in [("镇街指挥台", "towndesk")] + self.facts)

    def copy_facts(self) -> None:
        QGuiApplication.clipboard().setText(self.text())


def show_about(window) -> AboutDialog:
    """Open the dialog non-blocking over the main window (returns it for tests)."""
    dialog = AboutDialog(window.ctx.desk.root, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def add_about_entry(window) -> QPushButton:
    """A 关于 button in the main window's top bar (before 锁定)."""
    button = QPushButton("关于")
    button.setObjectName("aboutButton")
    button.setToolTip("版本、数据目录与日志位置 (F1)")
    button.clicked.connect(lambda: show_about(window))
    layout = window.top.layout()
    layout.insertWidget(max(0, layout.count() - 1), button)
    layout.insertSpacing(max(0, layout.count() - 1), 12)
    if window.windowIcon().isNull() or QApplication.windowIcon().isNull():  # title bar and task bar
        QApplication.setWindowIcon(QIcon(str(resource_path("icons", "towndesk.png"))))
    return button  # F1 opens the shortcut sheet (ui/keys.py), whose second tab is this 关于
