"""工作台: a calm home page with the status counts and what needs this user now."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.cases import overview
from app.domain.workflow import ROLE_LABELS
from ui.pages.base import Page


class Tile(QFrame):
    def __init__(self, caption: str, on_click, colour: str = "#1f3a5f", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tile")
        self.setMinimumSize(170, 96)
        self.count = QLabel("—")
        self.count.setObjectName("tileCount")
        self.count.setStyleSheet(f"color: {colour};")
        self.caption = QLabel(caption)
        self.caption.setObjectName("hint")
        self.button = QPushButton("查看")
        self.button.setFlat(True)
        self.button.clicked.connect(on_click)
        lay = QVBoxLayout(self)
        lay.addWidget(self.caption)
        lay.addWidget(self.count)
        lay.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignRight)

    def set_count(self, n: int) -> None:
        self.count.setText(f"{n:,}")


class HomePage(Page):
    key = "home"
    title = "工作台"
    lists_cases = True  # the window refreshes it on screen after any case change

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        actor = ctx.actor
        hello = QLabel(f"您好，{actor.name}（{ROLE_LABELS.get(actor.role, actor.role)}）" if actor else "您好")
        hello.setObjectName("pageTitle")
        lay = QVBoxLayout(self)
        lay.addWidget(hello)
        lay.addWidget(self._section("全镇在办"))
        self.count_tiles = {}
        grid = QGridLayout()
        for i, (key, caption, colour, filters) in enumerate((
                ("open", "在办案件", "#1f3a5f", {"state": "open"}),
                ("yellow", "黄灯（临期）", "#b7791f", {"color": "yellow"}),
                ("red", "红灯（超期）", "#c62828", {"color": "red"}))):
            tile = Tile(caption, lambda _=False, f=filters: self.openList.emit(f), colour)
            tile.setObjectName("tile")
            self.count_tiles[key] = tile
            grid.addWidget(tile, 0, i)
        lay.addLayout(grid)
        lay.addWidget(self._section("我的待办"))
        self.task_grid = QGridLayout()
        lay.addLayout(self.task_grid)
        self.task_tiles: list[Tile] = []
        hint = QLabel("快捷键：Ctrl+1…9 切换页面 · F5 刷新 · Ctrl+L 锁定 · 一窗受理中 Ctrl+S 保存、Ctrl+N 新建、F2 电话")
        hint.setObjectName("hint")
        lay.addStretch(1)
        lay.addWidget(hint)

    def _section(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight: bold; color: #1f3a5f; margin-top: 12px;")
        return label

    def refresh(self) -> None:
        desk, actor = self.ctx.desk, self.ctx.actor
        self.ctx.tasks.run(overview.status_counts, desk, kind="read", on_done=self._show_counts)
        if actor is not None:
            self.ctx.tasks.run(overview.my_tasks, desk, actor, kind="read", on_done=self._show_tasks)

    def _show_counts(self, counts: dict) -> None:
        for key, tile in self.count_tiles.items():
            tile.set_count(counts.get(key, 0))

    def _show_tasks(self, tasks: list[dict]) -> None:
        for tile in self.task_tiles:
            self.task_grid.removeWidget(tile)
            tile.hide()  # deleteLater waits for the event loop; hidden it never overlaps the new tiles
            tile.deleteLater()
        self.task_tiles = []
        for i, t in enumerate(tasks):
            tile = Tile(t["label"], lambda _=False, f=t["filters"]: self.openList.emit(dict(f)))
            tile.set_count(t["count"])
            self.task_tiles.append(tile)
            self.task_grid.addWidget(tile, i // 4, i % 4)
