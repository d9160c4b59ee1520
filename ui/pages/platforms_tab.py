"""运行监测's 四平台 tab (issue 17): this month per platform (党建统领, 经济生态, 平安法治, 公共服务),
loaded off the GUI thread with the dashboard; double-clicking a platform opens its cases."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain import indicators as ind
from app.grids import overview
from ui.pages import dashboard_parts as parts

HEADERS = ["平台", "本月受理", "办结", "办结率", "按期办结率", "满意率", "超期"]


class PlatformsTab(QWidget):
    openList = Signal(dict)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.data: dict | None = None
        lay = QVBoxLayout(self)
        self.caption = QLabel("本月四平台受理与办理（双击打开该平台的案件）")
        self.caption.setObjectName("hint")
        self.table = parts.table("platformTable", HEADERS)
        self.table.cellDoubleClicked.connect(self._open)
        lay.addWidget(self.caption)
        lay.addWidget(self.table)

    def refresh(self) -> None:
        self.ctx.tasks.run(overview.platform_tab, self.ctx.desk, kind="read", on_done=self.show_data)

    def show_data(self, d: dict) -> None:
        self.data = d
        parts.fill(self.table, [[r["name"], f"{r['received']:,}", f"{r['done']:,}", ind.pct(r["done_rate"]),
                                 ind.pct(r["on_time_rate"]), ind.pct(r["satisfaction_rate"]), f"{r['overdue']:,}"]
                                for r in d["rows"]], keys=[r["key"] for r in d["rows"]])

    def _open(self, row: int, _col: int) -> None:
        if self.data is None:
            return
        key = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        p = self.data["period"]
        self.openList.emit({"platform": key, "date_from": p["from"], "date_to": p["to"]})
