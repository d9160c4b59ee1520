"""The first-run wizard, shown when the store is empty: the town (code and name) and this
workstation, the first administrator's password, then the town workbook (its dry run shown as a
table before anything is written) or an empty start. The demo town stays one button away."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app.admin.firstrun import set_up
from app.reference import golive
from app.reference.users import get_actor
from ui import errors
from ui.widgets.import_preview import ImportPreview


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
        lay.addStretch(1)
        lay.addWidget(self.demo)

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        if self.wiz.done_setup:
            return True
        if self.password.text() != self.password2.text():
            self.message.setText("两次输入的密码不一致")
            return False
        try:
            self.wiz.result_setup = set_up(self.wiz.desk, self.town.text(), self.name.text(), self.workstation.text(),
                                           self.password.text(), self.admin_name.text())
        except Exception as e:  # noqa: BLE001 - an AppError's message names the field
            self.message.setText(getattr(e, "message", str(e)))
            return False
        self.wiz.done_setup = True
        return True


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
        lay.addWidget(self.preview, 1)
        self.checked_path: str | None = None

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择镇街基础数据 Excel", "", "Excel 文件 (*.xlsx)")
        if path:
            self.path.setText(path)
            self.check()

    def save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存模板", "镇街基础数据模板.xlsx", "Excel 文件 (*.xlsx)")
        if path:
            golive.template(path)

    def check(self) -> None:
        path = self.path.text().strip()
        if not path:
            return
        try:
            report = golive.import_workbook(self.wiz.desk, self.wiz.admin_actor(), path, dry_run=True)
        except Exception as e:  # noqa: BLE001
            errors.present_error(e)
            return
        self.preview.show_report(report)
        self.checked_path = path if self.preview.ok else None
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        # finish without a file (start empty), or with a file that checked clean
        return not self.path.text().strip() or self.checked_path == self.path.text().strip()

    def validatePage(self) -> bool:  # noqa: N802
        if not self.checked_path:
            return True
        try:
            self.wiz.imported = golive.import_workbook(self.wiz.desk, self.wiz.admin_actor(), self.checked_path)
        except Exception as e:  # noqa: BLE001
            errors.present_error(e)
            return False
        return True


class SetupWizard(QWizard):
    """``exec()`` returns Accepted when the store is set up (or ``demo`` is True: load the demo)."""

    def __init__(self, desk, parent=None):
        super().__init__(parent)
        self.desk = desk
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

    def choose_demo(self) -> None:
        self.demo = True
        QDialog.done(self, QWizard.DialogCode.Accepted)  # QWizard.done() would validate the town page first
