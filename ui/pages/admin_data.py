"""基础数据 (administrators): the town workbook's sheets (units, 村社, 网格, 微网格, staff, categories,
the responsibility list, holidays) as tables, with import (its dry run shown as a table first),
export and the template; users; the working-day calendar; the centre settings."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.admin import centre
from app.config import SETTINGS
from app.domain import workbook as wbk
from app.domain import workflow as wf
from app.errors import AppError
from app.reference import golive, workdays
from app.reference.records import list_refs
from app.sync import directory
from ui.errors import present_error
from ui.files import documents_dir
from ui.pages.base import Page
from ui.widgets.export_file import ask_path, run_export
from ui.widgets.import_preview import ImportDialog

SOURCE_WORDS = {"official": "官方", "district": "区级", "override": "本镇设置", "provisional": "暂定（法定节假日）",
                "weekend": "周末（推算）", "weekday": "平日（推算）"}
CENTRE_KEYS = ("centre_name", "centre_phone", "centre_address", "receipt_footer")


def _sheets(desk):
    with desk.db.read() as s:
        return golive.town_sheets(s)


def _table(headers) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            t.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))


class AdminDataPage(Page):
    key = "admin_data"
    title = "基础数据"
    roles = (wf.ADMIN,)

    # tests replace these to avoid file dialogs
    choose_open = None
    choose_save = None

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("adminTabs")
        self.sheet_tables: dict[str, QTableWidget] = {}
        for sheet in wbk.SHEETS:
            t = _table(sheet.headers)
            t.setObjectName(f"sheet_{sheet.entity}_{sheet.level or ''}")
            self.sheet_tables[sheet.name] = t
            self.tabs.addTab(t, sheet.name)
        self.tabs.addTab(self._users_tab(), "用户")
        self.tabs.addTab(self._calendar_tab(), "工作日历")
        self.tabs.addTab(self._settings_tab(), "中心设置")

        self.import_button = QPushButton("从 Excel 导入…")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.import_file)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self.export_file)
        self.template_button = QPushButton("下载模板…")
        self.template_button.clicked.connect(self.save_template)
        self.status = QLabel()
        self.status.setObjectName("adminStatus")
        bar = QHBoxLayout()
        for b in (self.import_button, self.export_button, self.template_button):
            bar.addWidget(b)
        bar.addWidget(self.status, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.tabs, 1)
        self.last_report: dict | None = None
        self.dialog: ImportDialog | None = None

    # -- the workbook sheets ------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.run(_sheets, self.ctx.desk, kind="read", on_done=self._show_sheets)
        self.refresh_users()
        self.refresh_calendar()
        self.refresh_settings()

    def _show_sheets(self, sheets) -> None:
        for name, _headers, rows in sheets:
            _fill(self.sheet_tables[name], rows)
            self.tabs.setTabText(self.tabs.indexOf(self.sheet_tables[name]), f"{name}（{len(rows)}）")

    def _open_path(self) -> str | None:
        if self.choose_open:
            return self.choose_open()
        path, _ = QFileDialog.getOpenFileName(self, "选择镇街基础数据 Excel", documents_dir(), "Excel 文件 (*.xlsx)")
        return path or None

    def import_file(self) -> None:
        """Dry run first (a table of what would change and every error), then 确认导入 writes."""
        path = self._open_path()
        if not path:
            return
        self.ctx.tasks.run(_dry_run, self.ctx.desk, self.ctx.actor, path, kind="write", progress_label="正在检查…",
                           on_done=lambda report: self._preview(path, report))

    def _preview(self, path: str, report: dict) -> None:
        self.last_report = report
        self.dialog = ImportDialog(report, self)
        self.dialog.accepted.connect(lambda: self._write(path))
        self.dialog.open()

    def _write(self, path: str) -> None:
        self.ctx.tasks.run(golive.import_workbook, self.ctx.desk, self.ctx.actor, path, kind="write",
                           progress_label="正在导入…", on_done=self._written)

    def _written(self, report: dict) -> None:
        self.last_report = report
        self.status.setText(f"已导入：新增 {sum(report['created'].values())}、更新 {sum(report['updated'].values())} 条")
        self.ctx.bus.anyEvent.emit("records_changed", {})
        self.refresh()

    def _save_path(self, name: str) -> str | None:
        return self.choose_save(name) if self.choose_save else ask_path(self, name)

    def export_file(self) -> None:
        path = self._save_path("镇街基础数据.xlsx")
        if path:
            run_export(self.ctx, self, golive.export_workbook, self.ctx.desk, self.ctx.actor, path=path,
                       on_done=lambda out: self.status.setText(f"已导出 {out['rows']} 行到 {out['path']}"))

    def save_template(self) -> None:
        path = self._save_path("镇街基础数据模板.xlsx")
        if path:
            self.ctx.tasks.run(golive.template, path, kind="read",
                               on_done=lambda out: self.status.setText(f"模板已保存到 {out['path']}"))

    # -- users ----------------------------------------------------------------------------------
    def _users_tab(self) -> QWidget:
        w = QWidget()
        self.users_table = _table(("用户名", "姓名", "角色", "单位", "状态"))
        self.users_table.setObjectName("usersTable")
        self.new_username = QLineEdit()
        self.new_username.setObjectName("newUsername")
        self.new_name = QLineEdit()
        self.new_role = QComboBox()
        for r in wf.USER_ROLES:
            self.new_role.addItem(wf.ROLE_LABELS[r], r)
        self.new_unit = QLineEdit()
        self.new_unit.setPlaceholderText("承办单位用户填写单位编码")
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setObjectName("newPassword")
        self.admin_password = QLineEdit()  # an enrolled store changes users at the district: online, checked there
        self.admin_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_password.setObjectName("adminPassword")
        self.admin_password.setPlaceholderText("已注册区级服务器：修改用户须联网并核对本管理员的密码")
        add = QPushButton("添加用户")
        add.setObjectName("addUser")
        add.clicked.connect(self.add_user)
        self.lock_button = QPushButton("停用 / 启用所选用户")
        self.lock_button.clicked.connect(self.toggle_user)
        form = QFormLayout()
        form.addRow("用户名", self.new_username)
        form.addRow("姓名", self.new_name)
        form.addRow("角色", self.new_role)
        form.addRow("单位", self.new_unit)
        form.addRow("初始密码", self.new_password)
        if self.ctx.desk.meta("sync.token"):
            form.addRow("管理员密码", self.admin_password)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.lock_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(w)
        lay.addWidget(self.users_table, 1)
        lay.addLayout(form)
        lay.addLayout(buttons)
        self.users: list[dict] = []
        return w

    def refresh_users(self) -> None:
        self.ctx.tasks.run(list_refs, self.ctx.desk, "users", kind="read", on_done=self._show_users)

    def _show_users(self, rows: list[dict]) -> None:
        self.users = rows
        _fill(self.users_table, [(u["username"], u["name"], wf.ROLE_LABELS.get(u["role"], u["role"]), u["unit"] or "",
                                  "启用" if u["active"] else "停用") for u in rows])

    def add_user(self) -> None:
        self.ctx.tasks.run(directory.add_user, self.ctx.desk, self.ctx.actor, self.new_username.text().strip(),
                           self.new_role.currentData(), self.new_password.text(), self.new_name.text().strip() or None,
                           self.new_unit.text().strip() or None, self.admin_password.text(),
                           kind="write", on_done=self._user_added, on_error=self._user_refused)

    def _user_added(self, _out) -> None:
        for w in (self.new_username, self.new_name, self.new_unit, self.new_password):
            w.clear()
        self.refresh_users()

    def toggle_user(self) -> None:
        row = self.users_table.currentRow()
        if not 0 <= row < len(self.users):
            return
        u = self.users[row]
        self.ctx.tasks.run(directory.set_active, self.ctx.desk, self.ctx.actor, u["username"], not u["active"],
                           self.admin_password.text(), kind="write",
                           on_done=lambda _r: self.refresh_users(), on_error=self._user_refused)

    def _user_refused(self, exc: Exception) -> None:
        """A refused user change (需联网, the administrator's password, a taken name) is said in the tab."""
        if not isinstance(exc, AppError):
            present_error(exc, self)
            return
        self.status.setText(exc.message)
        self.status.setProperty("error", True)

    # -- calendar -------------------------------------------------------------------------------
    def _calendar_tab(self) -> QWidget:
        w = QWidget()
        today = self.ctx.desk.now().date()
        self.year = QSpinBox()
        self.year.setRange(2004, 2100)
        self.year.setValue(today.year + (1 if today.month == 12 else 0))
        self.year.valueChanged.connect(lambda _v: self.refresh_calendar())
        self.only_special = QComboBox()
        self.only_special.addItems(["只看休息日和调休", "全部日期"])
        self.only_special.currentIndexChanged.connect(lambda _i: self.refresh_calendar())
        self.calendar_table = _table(("日期", "星期", "是否上班", "来源", "说明"))
        self.calendar_table.setObjectName("calendarTable")
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day_kind = QComboBox()
        self.day_kind.addItem("休息日", False)
        self.day_kind.addItem("工作日（调休上班）", True)
        self.day_note = QLineEdit()
        self.day_note.setPlaceholderText("说明，如 春节")
        set_day = QPushButton("设置")
        set_day.setObjectName("setDay")
        set_day.clicked.connect(self.set_day)
        top = QHBoxLayout()
        top.addWidget(QLabel("年份"))
        top.addWidget(self.year)
        top.addWidget(self.only_special)
        top.addStretch(1)
        edit = QHBoxLayout()
        for x in (QLabel("日期"), self.day, self.day_kind, self.day_note, set_day):
            edit.addWidget(x)
        lay = QVBoxLayout(w)
        lay.addLayout(top)
        lay.addWidget(self.calendar_table, 1)
        lay.addLayout(edit)
        return w

    def refresh_calendar(self) -> None:
        self.ctx.tasks.run(workdays.calendar_list, self.ctx.desk, self.year.value(), kind="read",
                           on_done=self._show_calendar)

    def _show_calendar(self, days: list[dict]) -> None:
        if self.only_special.currentIndex() == 0:
            days = [d for d in days if not d["workday"] or d["note"] or d["source"] in ("district", "override")]
        names = "一二三四五六日"
        _fill(self.calendar_table, [(d["date"], "周" + names[date.fromisoformat(d["date"]).weekday()],
                                     "上班" if d["workday"] else "休息", SOURCE_WORDS[d["source"]], d["note"])
                                    for d in days])

    def set_day(self) -> None:
        self.ctx.tasks.run(workdays.calendar_set, self.ctx.desk, self.ctx.actor, self.day.date().toString("yyyy-MM-dd"),
                           self.day_kind.currentData(), self.day_note.text().strip(), kind="write",
                           on_done=lambda _r: self.refresh_calendar())

    # -- centre settings ------------------------------------------------------------------------
    def _settings_tab(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.setting_edits: dict[str, QLineEdit] = {}
        for key in CENTRE_KEYS:
            e = QLineEdit()
            e.setObjectName(f"setting_{key}")
            self.setting_edits[key] = e
            form.addRow(SETTINGS[key].label, e)
        save = QPushButton("保存")
        save.setObjectName("saveSettings")
        save.clicked.connect(self.save_settings)
        form.addRow("", save)
        return w

    def refresh_settings(self) -> None:
        self.ctx.tasks.run(centre.setting_list, self.ctx.desk, kind="read", on_done=self._show_settings)

    def _show_settings(self, rows: list[dict]) -> None:
        for r in rows:
            if r["key"] in self.setting_edits:
                self.setting_edits[r["key"]].setText(str(r["value"] or ""))

    def save_settings(self) -> None:
        values = {k: e.text() for k, e in self.setting_edits.items()}
        self.ctx.tasks.run(_save_settings, self.ctx.desk, self.ctx.actor, values, kind="write",
                           on_done=lambda _r: self.refresh_settings())


def _dry_run(desk, actor, path: str) -> dict:
    return golive.import_workbook(desk, actor, path, dry_run=True)


def _save_settings(desk, actor, values: dict) -> list[dict]:
    return [centre.setting_set(desk, actor, k, v) for k, v in values.items()]
