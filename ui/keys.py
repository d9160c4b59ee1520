"""Keyboard end to end: Return presses the focused button everywhere, the shortcut sheet (F1 →
快捷键) and the one list of shortcuts it shows (docs/WINDOW.md has the same table)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
)

# (keys, where, what it does) — the sheet and the guide show exactly this list.
SHORTCUTS: list[tuple[str, str, str]] = [
    ("Ctrl+1 … Ctrl+9", "全局", "切换到第 n 个页面"),
    ("F5", "全局", "刷新当前页面和计数（已注册时立即同步）"),
    ("Ctrl+L", "全局", "锁定屏幕"),
    ("Ctrl+Shift+Q", "全局", "注销 / 切换用户（交接班）"),
    ("F1", "全局", "快捷键与关于"),
    ("Enter / Return", "按钮", "按下当前按钮（对话框中按下默认按钮）"),
    ("Ctrl+Enter", "所有对话框", "提交（如 派单、签收、申请办结、回访）"),
    ("Esc", "对话框 / 案件详情", "取消 / 返回列表"),
    ("Ctrl+S", "一窗受理", "保存"),
    ("Ctrl+Enter", "一窗受理", "保存并派单"),
    ("Ctrl+N", "一窗受理", "新建（清空表单）"),
    ("Ctrl+P", "一窗受理", "打印刚受理案件的回执"),
    ("Ctrl+O", "一窗受理", "打开刚受理的案件"),
    ("F2", "一窗受理", "跳到联系电话"),
    ("Alt+A / Alt+J / Alt+M", "一窗受理", "自动派单 / 即办 / 匿名 开关"),
    ("Tab", "分类、村社、单位选择框", "选中最佳匹配"),
    ("F4", "文字输入框", "常用语（拼音首字母检索）"),
    ("Ctrl+D / Ctrl+U / Ctrl+M / Ctrl+R", "待分派", "派单 / 上报区级 / 合并 / 不予受理"),
    ("Enter", "待分派、案件查询", "打开所选案件"),
    ("Ctrl+F", "案件查询", "搜索框"),
    ("Enter / ↓", "案件查询搜索框", "转到结果列表"),
    ("Ctrl+P", "案件查询", "打印所选案件的回执"),
    ("Ctrl+Shift+P", "案件查询", "批量打印（所选或筛选出的案件）"),
    ("Alt+1 … Alt+9", "案件详情", "按钮上标注的办理操作"),
    ("Ctrl+P", "案件详情", "打印案卷（打印按钮的菜单另有回执、交办单、督办单）"),
    ("Ctrl+P / Ctrl+S", "打印预览", "打印 / 另存为 PDF"),
]


class ReturnPressesButtons(QObject):
    """Application-wide: Return/Enter on a focused push or tool button clicks it (Qt only does
    that for auto-default buttons inside dialogs; on pages only Space did). Check boxes and radio
    buttons keep Return for the dialog's default button."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt override
        if event.type() == QEvent.Type.KeyPress and isinstance(obj, QAbstractButton) \
                and not isinstance(obj, QCheckBox | QRadioButton) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier \
                and obj.isEnabled() and obj.isVisible() and getattr(obj, "menu", lambda: None)() is None:
            obj.click()
            return True
        return False


_installed: ReturnPressesButtons | None = None


def submit_on_ctrl_enter(dialog: QDialog, slot) -> None:
    """Ctrl+Enter (either Enter key) submits ``dialog`` from any of its fields."""
    from PySide6.QtGui import QKeySequence, QShortcut

    for seq in ("Ctrl+Return", "Ctrl+Enter"):
        QShortcut(QKeySequence(seq), dialog, activated=slot)


def hand_back_focus(dialog: QDialog) -> None:
    """When ``dialog`` closes, activate its window again and give the keyboard back to the widget
    that had it (some platforms leave no window active, so the next key would go nowhere)."""
    before = QApplication.focusWidget()
    owner = dialog.parentWidget().window() if dialog.parentWidget() else None

    def back(_result: int = 0) -> None:
        if owner is None or not owner.isVisible():
            return
        owner.activateWindow()
        try:
            if before is not None and before.isVisible() and before.window() is owner:
                before.setFocus()
        except RuntimeError:  # the widget went away meanwhile (e.g. rebuilt buttons)
            pass

    dialog.finished.connect(back)


def install(app: QApplication | None = None) -> None:
    """Install the Return filter once per application."""
    global _installed
    app = app or QApplication.instance()
    if app is not None and _installed is None:
        _installed = ReturnPressesButtons(app)
        app.installEventFilter(_installed)


class ShortcutSheet(QDialog):
    """F1: 快捷键 (the table above) and 关于 in two tabs."""

    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        from ui.about import AboutDialog

        self.setObjectName("shortcutSheet")
        self.setWindowTitle("快捷键与帮助")
        self.tabs = QTabWidget()
        self.table = QTableWidget(len(SHORTCUTS), 3)
        self.table.setObjectName("shortcutTable")
        self.table.setHorizontalHeaderLabels(["按键", "位置", "作用"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, row in enumerate(SHORTCUTS):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        self.tabs.addTab(self.table, "快捷键")
        self.about = AboutDialog(window.ctx.desk.root, self)
        self.about.setWindowFlags(Qt.WindowType.Widget)
        for box in self.about.findChildren(QDialogButtonBox):
            for b in box.buttons():
                if box.buttonRole(b) == QDialogButtonBox.ButtonRole.RejectRole:
                    b.hide()  # the sheet has its own 关闭
        self.tabs.addTab(self.about, "关于")
        buttons = QDialogButtonBox()
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
        lay.addWidget(buttons)
        screen = window.screen().availableGeometry() if window.screen() else None
        self.resize(760, min(640, int(screen.height() * 0.85)) if screen else 640)


def show_sheet(window) -> ShortcutSheet:
    sheet = ShortcutSheet(window)
    sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    hand_back_focus(sheet)
    sheet.open()
    sheet.table.setFocus()
    return sheet
