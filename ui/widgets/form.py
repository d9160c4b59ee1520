"""Field errors next to the field: a small error label under each input, keyed by the AppError
``field`` names (``reporter.phone``, ``location.village``...)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class FieldBox(QWidget):
    """An input with its error label underneath (hidden when there is no error)."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.widget = widget
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(widget)
        lay.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.widget.setProperty("invalid", bool(message))
        self.widget.style().unpolish(self.widget)
        self.widget.style().polish(self.widget)


class FormErrors:
    """Field name -> FieldBox; shows one error and focuses its input."""

    def __init__(self):
        self.boxes: dict[str, FieldBox] = {}
        self.fallback: QLabel | None = None

    def box(self, field: str, widget: QWidget) -> FieldBox:
        box = FieldBox(widget)
        self.boxes[field] = box
        return box

    def alias(self, field: str, target: str) -> None:
        self.boxes[field] = self.boxes[target]

    def clear(self) -> None:
        for box in set(self.boxes.values()):
            box.set_error(None)
        if self.fallback is not None:
            self.fallback.hide()

    def show(self, field: str | None, message: str) -> bool:
        """Show ``message`` at ``field`` (or in the fallback label); True if a field took it."""
        self.clear()
        box = self.boxes.get(field or "")
        if box is None and field and "." in field:
            box = self.boxes.get(field.split(".")[0])
        if box is not None:
            box.set_error(message)
            box.widget.setFocus()
            return True
        if self.fallback is not None:
            self.fallback.setText(message)
            self.fallback.show()
        return False

    def message_at(self, field: str) -> str:
        box = self.boxes.get(field)
        return box.error.text() if box and not box.error.isHidden() else ""
