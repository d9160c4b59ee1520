"""The first-run wizard, shown when the store is empty: the town (code and name) and this
workstation, the first administrator's password, then the town workbook (its dry run shown as a
table before anything is written) or an empty start. The demo town stays one button away.
The set-up and the workbook check and import run on the task manager, off the UI thread, with a
busy bar and the buttons disabled meanwhile: the window keeps repainting."""
from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app.admin.firstrun import set_up
from app.reference import golive
from app.reference.users import get_actor
from ui import errors
from ui.files import documents_dir, in_documents
from ui.tasks import TaskManager
from ui.widgets.import_preview import ImportPreview


def _import(desk, path, dry_run: bool = False) -> dict:
    """The workbook's dry run (检查) or import, as the first administrator (on a worker thread)."""
    return golive.import_workbook(desk, get_actor(desk, None), path, dry_run=dry_run)


def _busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setObjectName("setupBusy")
    bar.setRange(0, 0)  # indeterminate: the work runs on a worker thread
    bar.setTextVisible(False)
    bar.setVisible(False)
    return bar


class TownPage(QWizardPage):
    def __init__(self, wizard: SetupWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("镇街与工作站")
        self.setSubTitle("填写本镇街的代码和名称、本工作站编号，并设置管理员密码。")
        self.town = QLineEdit()
        self.town.setObjectName("townCode")
        self.town.setPlaceholderText("如 XQ（1-8 位大写字母或数字）")
        self.name = QLineEdit()
        self.name.setObjectName("townName")
        self.workstation = QLineEdit("01")
        self.workstation.setObjectName("workstation")
        self.admin_name = QLineEdit()
        self.admin_name.setPlaceholderText("管理员姓名（可选）")
        self.password = QLineEdit()
        self.password.setObjectName("adminPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("adminPassword2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("setupMessage")
        self.message.setStyleSheet("color: #c62828")
        self.demo = QPushButton("改为载入演示数据（府山街道）")
        self.demo.setObjectName("demoButton")
        self.demo.clicked.connect(wizard.choose_demo)
        form = QFormLayout()
        form.addRow("镇街代码", self.town)
        form.addRow("镇街名称", self.name)
        form.addRow("工作站编号", self.workstation)
        form.addRow("管理员姓名", self.admin_name)
        form.addRow("管理员密码（admin）", self.password)
        form.addRow("再次输入密码", self.password2)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        self.busy = _busy_bar()
        lay.addWidget(self.busy)
        lay.addStretch(1)
        lay.addWidget(self.demo)
        self._validating = False

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return not self.wiz.busy

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        if self.wiz.done_setup:
            return True
        if self.wiz.busy:
            return False
        if self.password.text() != self.password2.text():
            self.message.setText("两次输入的密码不一致")
            return False
        self.message.setText("正在建立镇街数据…")
        self._validating = True
        try:  # off the UI thread; when it is done, 下一步 again (it then passes at once)
            self.wiz.run(set_up, self.wiz.desk, self.town.text(), self.name.text(), self.workstation.text(),
                         self.password.text(), self.admin_name.text(), on_done=self._set_up, on_error=self._failed)
        finally:
            self._validating = False
        return self.wiz.done_setup  # True only when the task ran inline (synchronous tasks)

    def _set_up(self, out: dict) -> None:
        self.wiz.result_setup = out
        self.wiz.done_setup = True
        self.message.clear()
        if not self._validating:
            self.wiz.next()

    def _failed(self, e: BaseException) -> None:  # an AppError's message names the field
        self.message.setText(getattr(e, "message", str(e)))


class WorkbookPage(QWizardPage):
    def __init__(self, wizard: SetupWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("导入镇街基础数据")
        self.setSubTitle("选择按模板填写的 Excel（单位、村社、网格、微网格、人员、事项分类、责任清单、节假日），"
                         "先检查、后导入；也可以直接完成，稍后在「基础数据」页导入。")
        self.path = QLineEdit()
        self.path.setObjectName("workbookPath")
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self.browse)
        check = QPushButton("检查")
        check.setObjectName("checkWorkbook")
        check.clicked.connect(self.check)
        self.check_button = check
        template = QPushButton("保存空白模板…")
        template.clicked.connect(self.save_template)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        for b in (browse, check, template):
            row.addWidget(b)
        self.preview = ImportPreview(self)
        self.preview.setObjectName("setupPreview")
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        self.busy = _busy_bar()
        lay.addWidget(self.busy)
        lay.addWidget(self.preview, 1)
        self.checked_path: str | None = None
        self._validating = False

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择镇街基础数据 Excel", documents_dir(), "Excel 文件 (*.xlsx)")
        if path:
            self.path.setText(path)
            self.check()

    def save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存模板", in_documents("镇街基础数据模板.xlsx"), "Excel 文件 (*.xlsx)")
        if path:
            golive.template(path)

    def check(self) -> None:
        """The dry run, off the UI thread; its report fills the table when it is back."""
        path = self.path.text().strip()
        if not path or self.wiz.busy:
            return
        self.wiz.run(partial(_import, dry_run=True), self.wiz.desk, path,
                     on_done=lambda report: self._checked(path, report), on_error=errors.present_error)

    def _checked(self, path: str, report: dict) -> None:
        self.preview.show_report(report)
        self.checked_path = path if self.preview.ok else None
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        # finish without a file (start empty), or with a file that checked clean; not while busy
        return not self.wiz.busy and (not self.path.text().strip() or self.checked_path == self.path.text().strip())

    def validatePage(self) -> bool:  # noqa: N802
        if not self.checked_path or self.wiz.imported is not None:
            return True
        if self.wiz.busy:
            return False
        self._validating = True
        try:  # off the UI thread; when it is done, 完成 again (it then passes at once)
            self.wiz.run(_import, self.wiz.desk, self.checked_path, on_done=self._imported,
                         on_error=errors.present_error)
        finally:
            self._validating = False
        return self.wiz.imported is not None

    def _imported(self, report: dict) -> None:
        self.wiz.imported = report
        if not self._validating:
            self.wiz.accept()


class SetupWizard(QWizard):
    """``exec()`` returns Accepted when the store is set up (or ``demo`` is True: load the demo)."""

    def __init__(self, desk, parent=None, tasks: TaskManager | None = None):
        super().__init__(parent)
        self.desk = desk
        self.tasks = tasks or TaskManager(self)  # its own (asynchronous) one: no window exists yet
        self.busy = False
        self.setWindowTitle("镇街指挥台 — 首次设置")
        self.setObjectName("setupWizard")
        self.done_setup = False
        self.demo = False
        self.result_setup: dict | None = None
        self.imported: dict | None = None
        self.town_page = TownPage(self)
        self.workbook_page = WorkbookPage(self)
        self.addPage(self.town_page)
        self.addPage(self.workbook_page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.CancelButton, "退出")
        self.resize(760, 560)

    def admin_actor(self):
        return get_actor(self.desk, None)

    def run(self, fn, *args, on_done, on_error) -> None:
        """``fn(*args)`` on the task manager's writer; busy bar shown and buttons disabled until back."""
        def finish(callback, value) -> None:
            self.set_busy(False)
            callback(value)

        self.set_busy(True)
        self.tasks.run(fn, *args, kind="write", on_done=partial(finish, on_done), on_error=partial(finish, on_error))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for page in (self.town_page, self.workbook_page):
            page.busy.setVisible(busy)
            page.completeChanged.emit()
        self.town_page.demo.setEnabled(not busy)
        self.workbook_page.check_button.setEnabled(not busy)
        self.button(QWizard.WizardButton.BackButton).setEnabled(not busy and self.currentId() != self.startId())
        self.button(QWizard.WizardButton.CancelButton).setEnabled(not busy)

    def reject(self) -> None:
        if not self.busy:  # not while the set-up or the import is half-way on the worker
            super().reject()

    def choose_demo(self) -> None:
        self.demo = True
        QDialog.done(self, QWizard.DialogCode.Accepted)  # QWizard.done() would validate the town page first
