"""网格: grid figures of a period (上报, 当场解决, 上报中心, 流转率, 办结率, 平均办理时长, 超期) by 网格,
微网格, 村社 or 上报人, and the month's points board (有奖上报). Loaded off the GUI thread; the
figures are app.grids.stats' (the same as ``grid stats`` and the bulletins)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.domain import indicators as ind
from app.domain.timezone import LOCAL_TZ
from app.grids import overview
from app.grids.stats import BY_LABELS
from ui.pages import dashboard_parts as parts
from ui.pages.base import Page

HEADERS = ["名称", "上报", "当场解决", "上报中心", "流转率", "办结率", "平均办理（工作日）", "超期"]


class GridsPage(Page):
    key = "grids"
    title = "网格"
    roles = ("intake", "dispatcher", "director", "admin")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.data: dict | None = None
        today = ctx.desk.now().astimezone(LOCAL_TZ).date()
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel("网格")
        heading.setObjectName("pageTitle")
        self.date_from = self._date(today.replace(day=1), "gridFrom")
        self.date_to = self._date(today, "gridTo")
        self.by = QComboBox()
        self.by.setObjectName("gridBy")
        for code, label in BY_LABELS.items():
            self.by.addItem(f"按{label}", code)
        self.by.currentIndexChanged.connect(lambda _i: self.refresh())
        go = QPushButton("统计")
        go.setObjectName("gridGo")
        go.clicked.connect(self.refresh)
        self.stamp = QLabel("")
        self.stamp.setObjectName("hint")
        for w in (heading, QLabel("起"), self.date_from, QLabel("止"), self.date_to, self.by, go, self.stamp):
            top.addWidget(w)
        top.addStretch(1)
        outer.addLayout(top)
        self.total = QLabel("")
        self.total.setObjectName("gridTotal")
        outer.addWidget(self.total)
        self.table = parts.table("gridTable", HEADERS)
        outer.addWidget(self.table, 3)
        self.board_label = QLabel("本月积分排行（有奖上报）")
        outer.addWidget(self.board_label)
        self.board = parts.table("pointsBoard", ["名次", "姓名", "类别", "积分", "记录数"])
        outer.addWidget(self.board, 2)

    def _date(self, day: date, name: str) -> QDateEdit:
        d = QDateEdit(QDate(day.year, day.month, day.day))
        d.setObjectName(name)
        d.setCalendarPopup(True)
        d.setDisplayFormat("yyyy-MM-dd")
        return d

    @staticmethod
    def _iso(d: QDateEdit) -> str:
        return d.date().toString("yyyy-MM-dd")

    def refresh(self) -> None:
        self.ctx.tasks.run(overview.grid_page, self.ctx.desk, self._iso(self.date_from), self._iso(self.date_to),
                           self.by.currentData(), kind="read", on_done=self.show_data, on_error=self._failed)

    def _failed(self, exc) -> None:
        self.stamp.setText(f"统计失败：{getattr(exc, 'message', exc)}")

    def show_data(self, d: dict) -> None:
        self.data = d
        t = d["total"]
        self.stamp.setText(f"用时 {d['seconds']:.2f} 秒")
        self.total.setText(f"合计：上报 {t['reported']:,} 件，当场解决 {t['solved_on_spot']:,} 件，上报中心 "
                           f"{t['passed']:,} 件，流转率 {ind.pct(t['flow_rate'])}，办结率 {ind.pct(t['closed_rate'])}，"
                           f"超期 {t['overdue']:,} 件")
        parts.fill(self.table, [[r["name"] or "—", f"{r['reported']:,}", f"{r['solved_on_spot']:,}", f"{r['passed']:,}",
                                 ind.pct(r["flow_rate"]), ind.pct(r["closed_rate"]), ind.days(r["avg_handle_days"]),
                                 f"{r['overdue']:,}"] for r in d["items"]], keys=[r["key"] for r in d["items"]])
        b = d["board"]
        self.board_label.setText(f"{b['month']} 积分排行（有奖上报）")
        parts.fill(self.board, [[i["rank"], i["name"] or i["person"], "网格人员" if i["person_kind"] == "staff" else "群众",
                                 i["points"], i["entries"]] for i in b["items"]])
