"""运行监测: today and this month at a glance, open cases by colour, the daily trend, breakdowns,
the unit ranking and the red list. Refreshes itself on a timer off the GUI thread; clicking a
number opens the matching case list; a button produces the bulletins with progress."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import indicators as ind
from app.domain.timezone import LOCAL_TZ
from app.supervision import dashboard
from ui.format import local
from ui.pages import dashboard_parts as parts
from ui.pages.base import Page
from ui.pages.platforms_tab import PlatformsTab

REFRESH_MS = 60_000
BULLETINS = {"daily": "日简报", "weekly": "周通报", "monthly": "月专报"}
# (name, caption, colour, clickable)
TODAY = [("today_received", "今日受理", "#1f3a5f", True), ("today_dispatched", "今日分派", "#1f3a5f", True),
         ("today_closed", "今日结案", "#1f3a5f", True), ("today_satisfaction", "今日满意率", "#3a7a3a", False)]
MONTH = [("month_received", "本月受理", "#1f3a5f", True), ("month_dispatched", "本月分派", "#1f3a5f", True),
         ("month_closed", "本月结案", "#1f3a5f", True), ("month_satisfaction", "本月满意率", "#3a7a3a", False)]
# received / dispatched / closed in a period -> the case-list date filters that count the same cases
# (app.supervision.indicators.activity: received_at, dispatched_at, closed_at with state closed/archived)
PERIOD_FILTERS = {"received": ("date_from", "date_to"), "dispatched": ("dispatched_from", "dispatched_to"),
                  "closed": ("closed_from", "closed_to")}
OPEN = [("open_all", "在办", "#1f3a5f", True), ("open_green", "绿灯", "#2e7d32", True),
        ("open_yellow", "黄灯（临期）", "#b7791f", True), ("open_red", "红灯（超期）", "#c62828", True)]


class BulletinDateDialog(QDialog):
    """简报日期: the day of a 日简报, any day of the week or month of a 周通报 / 月专报."""

    def __init__(self, kind: str, today: date, parent=None):
        super().__init__(parent)
        self.setObjectName("bulletinDate")
        self.setWindowTitle(f"生成{BULLETINS[kind]}")
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setObjectName("bulletinDay")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date.setMinimumDate(QDate(2000, 1, 1))
        hint = {"daily": "统计所选日期当天", "weekly": "统计所选日期所在的周（周一至周日）",
                "monthly": "统计所选日期所在的月份"}[kind]
        buttons = QDialogButtonBox()
        ok = buttons.addButton("下一步：选择保存位置", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        from ui.keys import submit_on_ctrl_enter

        submit_on_ctrl_enter(self, self.accept)
        form = QFormLayout(self)
        form.addRow("日期", self.date)
        form.addRow("", QLabel(hint))
        form.addRow(buttons)

    def day(self) -> date:
        d = self.date.date()
        return date(d.year(), d.month(), d.day())


class DashboardPage(Page):
    key = "dashboard"
    title = "运行监测"
    lists_cases = True  # the window refreshes it on screen after any case change
    roles = ("intake", "dispatcher", "director", "admin")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.data: dict | None = None
        self._busy = False
        self.figures: dict[str, parts.Figure] = {}
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel("运行监测")
        heading.setObjectName("pageTitle")
        self.stamp = QLabel("")
        self.stamp.setObjectName("hint")
        self.refresh_button = QPushButton("刷新 (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self.bulletin_button = QPushButton("生成简报…")
        self.bulletin_button.setObjectName("bulletinButton")
        menu = QMenu(self.bulletin_button)
        for kind, label in BULLETINS.items():
            menu.addAction(label, lambda k=kind: self.ask_bulletin(k))
        self.bulletin_button.setMenu(menu)
        for w in (heading, self.stamp):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.bulletin_button)
        outer.addLayout(top)

        body = QWidget()
        lay = QVBoxLayout(body)
        grid = QGridLayout()
        for row, specs in enumerate((TODAY, MONTH, OPEN)):
            for col, (name, caption, colour, clickable) in enumerate(specs):
                fig = parts.Figure(name, caption, colour, clickable)
                fig.clicked.connect(lambda n=name: self.open_figure(n))
                self.figures[name] = fig
                grid.addWidget(fig, row, col)
        lay.addLayout(grid)
        self.trend = parts.chart_view("近30日受理与结案")
        lay.addWidget(self.trend)
        self.tabs = QTabWidget()
        self.by_category = parts.chart_view("本月受理：事项分类（前十）")
        self.by_channel = parts.chart_view("本月受理：渠道")
        self.by_village = parts.chart_view("本月受理：村社")
        for view, label in ((self.by_category, "分类"), (self.by_channel, "渠道"), (self.by_village, "村社")):
            self.tabs.addTab(view, label)
        self.platforms = PlatformsTab(ctx)  # 四平台 (issue 17: ui/pages/platforms_tab.py)
        self.platforms.openList.connect(self.openList)
        self.tabs.addTab(self.platforms, "四平台")
        lay.addWidget(self.tabs)
        tables = QHBoxLayout()
        self.ranking = parts.table("rankingTable", ["名次", "单位", "综合得分", "办结率", "满意率", "超期"])
        self.ranking.cellDoubleClicked.connect(self._open_unit)
        self.red = parts.table("redTable", ["案件编号", "标题", "承办单位", "超期（工作日）"])
        self.red.cellDoubleClicked.connect(self._open_red)
        for caption, t in (("本月单位排名（后三名红、前三名绿）", self.ranking), ("超期案件（红色）", self.red)):
            t.setMinimumHeight(8 * 26 + 30)  # usable height: about eight rows, the page scrolls
            box = QVBoxLayout()
            box.addWidget(QLabel(caption))
            box.addWidget(t)
            tables.addLayout(box)
        lay.addLayout(tables)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.platforms.refresh()
        self.ctx.tasks.run(dashboard.snapshot, self.ctx.desk, kind="read", on_done=self.show_data,
                           on_error=self._failed)

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def _failed(self, exc) -> None:
        self._busy = False
        self.stamp.setText(f"刷新失败：{getattr(exc, 'message', exc)}")

    def show_data(self, d: dict) -> None:
        self._busy = False
        self.data = d
        self.stamp.setText(f"更新于 {local(d['now'], '%H:%M:%S')} · 用时 {d['seconds']:.2f} 秒")
        for prefix, g in (("today", d["today"]), ("month", d["month"])):
            self.figures[f"{prefix}_received"].set_text(f"{g['received']:,}")
            self.figures[f"{prefix}_dispatched"].set_text(f"{g['dispatched']:,}")
            self.figures[f"{prefix}_closed"].set_text(f"{g['closed']:,}")
            self.figures[f"{prefix}_satisfaction"].set_text(ind.pct(g["satisfaction_rate"]))
        o = d["open"]
        for key in ("all", "green", "yellow", "red"):
            self.figures[f"open_{key}"].set_text(f"{o['open' if key == 'all' else key]:,}")
        parts.show_trend(self.trend, d["trend"])
        parts.show_bars(self.by_category, d["by_category"], lambda r: self._open_group("category", r))
        parts.show_pie(self.by_channel, d["by_channel"], lambda r: self._open_group("channel", r))
        parts.show_bars(self.by_village, d["by_village"], lambda r: self._open_group("village", r))
        parts.fill(self.ranking, [[r["rank"] or "—", r["name"], ind.days(r["score"]), ind.pct(r["done_rate"]),
                                   ind.pct(r["satisfaction_rate"]), r["overdue"]] for r in d["ranking"]],
                   marks=[r["mark"] for r in d["ranking"]], keys=[r["key"] for r in d["ranking"]])
        parts.fill(self.red, [[c["case_no"], c["title"], c["unit_name"] or "—", ind.days(c["overdue_days"])]
                              for c in d["red"]], keys=[c["case_no"] for c in d["red"]])

    # -- clicking through ---------------------------------------------------------------------
    def filters_for(self, name: str) -> dict | None:
        """The case-list filters behind a figure (None: the figure has no exact list)."""
        if self.data is None:
            return None
        periods = {"today": self.data["today"]["period"], "month": self.data["month"]["period"]}
        prefix, _, what = name.partition("_")
        if prefix in periods and what in PERIOD_FILTERS:
            lo, hi = PERIOD_FILTERS[what]
            return {lo: periods[prefix]["from"], hi: periods[prefix]["to"]}
        return {
            "open_all": {"state": "open"},
            "open_green": {"state": "open", "color": "green"},
            "open_yellow": {"state": "open", "color": "yellow"},
            "open_red": {"state": "open", "color": "red"},
        }.get(name)

    def open_figure(self, name: str) -> None:
        f = self.filters_for(name)
        if f is not None:
            self.openList.emit(f)

    def _month(self) -> dict:
        m = self.data["month"]["period"] if self.data else {"from": date.today().replace(day=1).isoformat(),
                                                             "to": date.today().isoformat()}
        return {"date_from": m["from"], "date_to": m["to"]}

    def _open_group(self, by: str, row: dict) -> None:
        if row and row.get("key"):
            self.openList.emit({by: row["key"], **self._month()})

    def _open_unit(self, row: int, _col: int) -> None:
        key = self.ranking.item(row, 0).data(0x0100)
        if key:
            self.openList.emit({"unit": key, **self._month()})

    def _open_red(self, row: int, _col: int) -> None:
        self.openCase.emit(self.red.item(row, 0).data(0x0100))

    # -- bulletins ----------------------------------------------------------------------------
    def ask_bulletin(self, kind: str) -> BulletinDateDialog:
        """Pick the day (the week or month containing it), then where to save: the file name
        names the same period the bulletin covers (the centre's date, not the machine's)."""
        today = self.ctx.desk.now().astimezone(LOCAL_TZ).date()
        self.bulletin_dialog = BulletinDateDialog(kind, today, self)
        self.bulletin_dialog.accepted.connect(lambda: self._ask_file(kind, self.bulletin_dialog.day()))
        self.bulletin_dialog.open()
        return self.bulletin_dialog

    def _ask_file(self, kind: str, day: date) -> None:
        from app.supervision.bulletins import file_name
        from ui.files import in_documents

        path, _ = QFileDialog.getSaveFileName(self, f"保存{BULLETINS[kind]}", in_documents(file_name(kind, day)),
                                              "PDF 文件 (*.pdf)")
        if path:
            self.make_bulletin(kind, path, day)

    def make_bulletin(self, kind: str, path: str, day=None) -> None:
        from app.dossier.bulletins import produce  # ReportLab loads with the first bulletin

        actor = self.ctx.actor
        day = day or self.ctx.desk.now().astimezone(LOCAL_TZ).date()
        self.bulletin_button.setEnabled(False)

        def done(result: dict) -> None:
            self.bulletin_button.setEnabled(True)
            self.stamp.setText(f"已生成{result['title']}（{result['period_label']}）：{result['file']}")
            self.last_bulletin = result

        def failed(exc) -> None:
            self.bulletin_button.setEnabled(True)
            self.stamp.setText(f"简报生成失败：{getattr(exc, 'message', exc)}")

        self.ctx.tasks.run(produce, self.ctx.desk, kind, day, path, actor.name if actor else "系统",
                           kind="read", on_done=done, on_error=failed,
                           progress_label=f"正在生成{BULLETINS[kind]}…")
