"""The import's dry run shown as a table before anything is written: per sheet how many rows are
new, changed or unchanged, then every error and warning with its sheet, Excel row and column.
``确认导入`` is enabled only when there is no error."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ImportPreview(QWidget):
    """Two tables: the counts per sheet and the issues (errors first)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.counts = QTableWidget(0, 4)
        self.counts.setObjectName("importCounts")
        self.counts.setHorizontalHeaderLabels(("工作表", "新增", "更新", "不变"))
        self.issues = QTableWidget(0, 5)
        self.issues.setObjectName("importIssues")
        self.issues.setHorizontalHeaderLabels(("", "工作表", "行", "列", "说明"))
        for t in (self.counts, self.issues):
            t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            t.verticalHeader().setVisible(False)
        self.issues.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.counts)
        lay.addWidget(self.issues, 1)
        self.report: dict | None = None

    def show_report(self, report: dict) -> None:
        self.report = report
        sheets = list(report["created"])
        self.counts.setRowCount(len(sheets))
        for r, name in enumerate(sheets):
            for c, value in enumerate((name, report["created"][name], report["updated"][name],
                                       report["unchanged"][name])):
                self.counts.setItem(r, c, QTableWidgetItem(str(value)))
        issues = [("错误", e) for e in report["errors"]] + [("提示", w) for w in report["warnings"]]
        self.issues.setRowCount(len(issues))
        for r, (kind, i) in enumerate(issues):
            for c, value in enumerate((kind, i.get("sheet") or "", i.get("row") or "", i.get("column") or "",
                                       i["message"])):
                self.issues.setItem(r, c, QTableWidgetItem(str(value)))
        n = len(report["errors"])
        self.summary.setText(f"发现 {n} 处错误，请在 Excel 中改正后重新检查；不会写入任何数据。" if n else
                             f"检查通过：新增 {sum(report['created'].values())}、更新 {sum(report['updated'].values())}、"
                             f"不变 {sum(report['unchanged'].values())} 条。确认后一次写入。")

    @property
    def ok(self) -> bool:
        return bool(self.report) and not self.report["errors"]


class ImportDialog(QDialog):
    """The dry run's report with 确认导入 (enabled without errors) and 取消."""

    def __init__(self, report: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("导入检查结果")
        self.resize(760, 520)
        self.preview = ImportPreview(self)
        self.preview.show_report(report)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm = self.buttons.addButton("确认导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("confirmImport")
        self.confirm.setEnabled(self.preview.ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        from ui.keys import submit_on_ctrl_enter

        submit_on_ctrl_enter(self, lambda: self.confirm.isEnabled() and self.confirm.click())  # 确认导入
        lay = QVBoxLayout(self)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.buttons)
