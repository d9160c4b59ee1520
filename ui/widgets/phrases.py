"""常用语 picker: F4 (or the 常用语 button) next to a text field opens a list searched by text or
pinyin initials; Enter inserts the phrase at the cursor. The current text can be kept as a personal
phrase (or, for the admin, a centre phrase); Delete removes one's own (admin: the centre's)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import workflow as wf
from app.reference import phrases

SCOPES = {"mine": "我的", "centre": "中心", "built_in": "内置"}


def text_of(widget) -> str:
    return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()


def insert_into(widget, text: str) -> None:
    """Insert at the cursor (a phrase often completes what was typed)."""
    if isinstance(widget, QPlainTextEdit):
        widget.insertPlainText(text)
    else:
        widget.insert(text)
    widget.setFocus()


class PhrasePicker(QDialog):
    def __init__(self, ctx, field: str, target, parent=None):
        super().__init__(parent or target.window())
        self.ctx, self.field, self.target = ctx, field, target
        self.setObjectName("phrasePicker")
        self.setWindowTitle(f"常用语 — {phrases.FIELDS[field]}")
        self.search = QLineEdit()
        self.search.setObjectName("phraseSearch")
        self.search.setPlaceholderText("输入文字或拼音首字母检索；↓ 到列表，Enter 插入")
        self.list = QListWidget()
        self.list.setObjectName("phraseList")
        self.list.setWordWrap(True)
        self.insert_button = QPushButton("插入 (Enter)")
        self.insert_button.setDefault(True)
        self.save_mine = QPushButton("当前内容存为我的常用语")
        self.save_mine.setObjectName("phraseSaveMine")
        self.save_centre = QPushButton("存为中心常用语")
        self.save_centre.setObjectName("phraseSaveCentre")
        self.save_centre.setVisible(ctx.role == wf.ADMIN)
        self.delete_button = QPushButton("删除 (Del)")
        self.message = QLabel()
        self.message.setObjectName("hint")
        row = QHBoxLayout()
        for b in (self.insert_button, self.save_mine, self.save_centre, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.search)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.message)
        lay.addLayout(row)
        self.resize(560, 380)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.pick)
        self.list.itemActivated.connect(lambda _i: self.pick())
        self.insert_button.clicked.connect(self.pick)
        self.save_mine.clicked.connect(lambda: self.save(centre=False))
        self.save_centre.clicked.connect(lambda: self.save(centre=True))
        self.delete_button.clicked.connect(self.delete)
        QShortcut(QKeySequence("Delete"), self.list, activated=self.delete,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.search.installEventFilter(self)
        from ui.keys import submit_on_ctrl_enter

        submit_on_ctrl_enter(self, self.pick)
        self.reload()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt override
        if obj is self.search and event.type() == event.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            self.list.setFocus()
            if self.list.currentRow() < 0 and self.list.count():
                self.list.setCurrentRow(0)
            return True
        return False

    def showEvent(self, event) -> None:  # noqa: N802 — Qt override
        super().showEvent(event)
        self.activateWindow()
        self.search.setFocus()

    def reload(self) -> None:
        self._timer.stop()
        self.ctx.tasks.run(phrases.list_phrases, self.ctx.desk, self.ctx.actor, self.field, self.search.text(),
                           kind="read", on_done=self._show)

    def _show(self, items: list[dict]) -> None:
        self.items = items
        self.list.clear()
        for p in items:
            item = QListWidgetItem(f"［{SCOPES[p['scope']]}］{p['text']}")
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.list.addItem(item)
        if items:
            self.list.setCurrentRow(0)
        self.message.setText("" if items else "没有匹配的常用语")

    def current(self) -> dict | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def pick(self) -> None:
        p = self.current()
        if p is None:
            return
        insert_into(self.target, p["text"])
        if p.get("id"):
            self.ctx.tasks.run(phrases.note_used, self.ctx.desk, p["id"], kind="write", on_error=lambda e: None)
        self.accept()

    def save(self, centre: bool) -> None:
        text = text_of(self.target).strip()
        self.ctx.tasks.run(phrases.add_phrase, self.ctx.desk, self.ctx.actor, self.field, text, centre, kind="write",
                           on_done=lambda _p: (self.message.setText("已保存"), self.reload()),
                           on_error=lambda e: self.message.setText(getattr(e, "message", str(e))))

    def delete(self) -> None:
        p = self.current()
        if p is None or not p.get("id"):
            self.message.setText("内置常用语不能删除")
            return
        self.ctx.tasks.run(phrases.delete_phrase, self.ctx.desk, self.ctx.actor, p["id"], kind="write",
                           on_done=lambda _r: (self.message.setText("已删除"), self.reload()),
                           on_error=lambda e: self.message.setText(getattr(e, "message", str(e))))


def with_phrases(ctx, target, field: str) -> QWidget:
    """The text field with a 常用语 button beside it; F4 in the field opens the picker too."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(target, 1)
    button = QToolButton()
    button.setText("常用语\n(F4)")
    button.setObjectName(f"phrases_{field}")
    button.setToolTip(f"{phrases.FIELDS[field]}常用语：拼音首字母检索，Enter 插入 (F4)")
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    box.setFocusProxy(target)

    def open_picker() -> PhrasePicker:
        picker = PhrasePicker(ctx, field, target)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        target.phrase_picker = picker
        picker.open()
        return picker

    button.clicked.connect(open_picker)
    QShortcut(QKeySequence("F4"), target, activated=open_picker, context=Qt.ShortcutContext.WidgetShortcut)
    target.open_phrases = open_picker
    return box
