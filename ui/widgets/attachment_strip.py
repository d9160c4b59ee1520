"""Files to attach: add with a button or drag and drop; images show as thumbnails; Delete removes."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.files import documents_dir

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"}


class AttachmentStrip(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.list = QListWidget()
        self.list.setObjectName("attachmentList")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(64, 64))
        self.list.setFixedHeight(84)
        self.list.setAcceptDrops(False)
        self.list.setToolTip("拖入照片或文件；选中后按 Delete 移除")
        add = QPushButton("添加附件…")
        add.clicked.connect(self.choose)
        hint = QLabel("可将照片、文件拖放到此处")
        hint.setObjectName("hint")
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(hint, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.list)

    def paths(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def add_paths(self, paths) -> None:
        existing = set(self.paths())
        for p in paths:
            path = Path(p)
            if not path.is_file() or str(path) in existing:
                continue
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            if path.suffix.lower() in IMAGE_SUFFIXES:
                pix = QPixmap(str(path))
                if not pix.isNull():
                    item.setIcon(QIcon(pix.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation)))
            self.list.addItem(item)
        self.changed.emit()

    def clear(self) -> None:
        self.list.clear()
        self.changed.emit()

    def choose(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择附件", documents_dir(), "图片和文件 (*.*)")
        self.add_paths(paths)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            for item in self.list.selectedItems():
                self.list.takeItem(self.list.row(item))
            self.changed.emit()
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.add_paths(u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile())
        event.acceptProposedAction()
