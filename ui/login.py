"""Login: a dialog at start-up and an in-window lock screen after idle time (same form)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.sync.login import sign_in  # online with the district on an enrolled store (its signing key)
from ui.errors import present_error
from ui.tasks import TaskManager
from ui.widgets.form import FormErrors


class LoginForm(QWidget):
    """Username, password, errors under the fields; demo users listed on the demo store."""

    loggedIn = Signal(object)  # Actor

    def __init__(self, desk, tasks: TaskManager, info: dict, locked_user: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.desk, self.tasks, self.info = desk, tasks, info
        self.errors = FormErrors()
        title = QLabel(f"{info.get('town_name') or ''} 综合信息指挥中心")
        title.setObjectName("pageTitle")
        subtitle = QLabel("已锁定，请输入密码解锁" if locked_user else "请登录")
        subtitle.setObjectName("hint")
        self.username = QLineEdit(locked_user or "")
        self.username.setObjectName("username")
        self.username.setPlaceholderText("用户名")
        self.username.setReadOnly(bool(locked_user))
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("密码")
        self.submit = QPushButton("解锁" if locked_user else "登录")
        self.submit.setObjectName("loginButton")
        self.submit.setProperty("primary", True)
        self.submit.setDefault(True)
        self.submit.clicked.connect(self.attempt)
        self.password.returnPressed.connect(self.attempt)
        self.username.returnPressed.connect(self.password.setFocus)

        form = QFormLayout()
        form.addRow("用户名", self.errors.box("username", self.username))
        form.addRow("密码", self.errors.box("password", self.password))
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(subtitle)
        lay.addLayout(form)
        lay.addWidget(self.submit, alignment=Qt.AlignmentFlag.AlignRight)
        self.demo_list = None
        if info.get("demo") and not locked_user:
            lay.addWidget(self._demo_users(info))
        lay.addStretch(1)
        (self.password if locked_user else self.username).setFocus()

    def _demo_users(self, info: dict) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 8, 0, 0)
        hint = QLabel(f"演示账号（{info.get('demo_notice') or '示例数据'}），密码均为 demo1234，双击填入：")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.demo_list = QListWidget()
        self.demo_list.setObjectName("demoUsers")
        self.demo_list.setMaximumHeight(150)
        for u in info["demo_users"]:
            item = QListWidgetItem(f"{u['username']} — {u['name']}（{u['role_label']}）")
            item.setData(Qt.ItemDataRole.UserRole, u)
            self.demo_list.addItem(item)
        self.demo_list.itemActivated.connect(self._fill_demo)
        self.demo_list.itemDoubleClicked.connect(self._fill_demo)
        v.addWidget(hint)
        v.addWidget(self.demo_list)
        return box

    def _fill_demo(self, item: QListWidgetItem) -> None:
        u = item.data(Qt.ItemDataRole.UserRole)
        self.username.setText(u["username"])
        self.password.setText(u["password"])
        self.password.setFocus()

    def attempt(self) -> None:
        self.errors.clear()
        name, password = self.username.text().strip(), self.password.text()
        if not name:
            self.errors.show("username", "请输入用户名")
            return
        if not password:
            self.errors.show("password", "请输入密码")
            return
        self.submit.setEnabled(False)
        self.tasks.run(sign_in, self.desk, name, password, kind="write",
                       on_done=self._done, on_error=self._failed)

    def _done(self, actor) -> None:
        self.submit.setEnabled(True)
        self.password.clear()
        self.loggedIn.emit(actor)

    def _failed(self, exc: Exception) -> None:
        self.submit.setEnabled(True)
        if isinstance(exc, AppError):
            self.errors.show(exc.field or "password", exc.message)
            self.password.selectAll()
        else:
            present_error(exc, self)


class LoginDialog(QDialog):
    """The start-up login; ``actor`` is set when accepted."""

    def __init__(self, desk, tasks: TaskManager, info: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("镇街指挥台 — 登录")
        self.setMinimumWidth(420)
        self.actor = None
        self.form = LoginForm(desk, tasks, info, parent=self)
        self.form.loggedIn.connect(self._accept)
        quit_button = QPushButton("退出")
        quit_button.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(quit_button)
        lay.addLayout(row)

    def _accept(self, actor) -> None:
        self.actor = actor
        self.accept()
