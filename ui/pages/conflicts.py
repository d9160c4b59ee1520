"""冲突: every action the district rejected, with its reason, and every change pulled from the
district that this workstation could not apply (quarantined: kept, listed, sync goes on). The operator re-dispatches it (the
intended unit, as a dispatch or transfer on the case as it is now), adds it to the case as a note,
or dismisses it; nothing is deleted (the rejected action stays in the case's log)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.sync.conflicts import list_conflicts, resolve
from ui.pages.base import Page

COLUMNS = ("案件编号", "操作", "操作人", "时间", "案件现状", "未生效原因", "处理")


def _list(desk, include_done: bool):
    return list_conflicts(desk, include_done=include_done)


def _resolve(desk, actor, conflict_id: str, how: str):
    return resolve(desk, actor, conflict_id, how)


class ConflictsPage(Page):
    key = "conflicts"
    title = "冲突"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.items: list[dict] = []
        self.summary = QLabel()
        self.summary.setObjectName("conflictsSummary")
        self.show_done = QCheckBox("显示已处理")
        self.show_done.toggled.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(self._open_case)
        self.redispatch = QPushButton("重新派单")
        self.note = QPushButton("作为备注")
        self.dismiss = QPushButton("忽略（保留记录）")
        self.redispatch.clicked.connect(lambda: self._act("redispatch"))
        self.note.clicked.connect(lambda: self._act("note"))
        self.dismiss.clicked.connect(lambda: self._act("dismiss"))
        buttons = QHBoxLayout()
        for w in (self.redispatch, self.note, self.dismiss):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.show_done)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        ctx.bus.conflictArrived.connect(lambda _p: self.refresh())
        self._update_buttons()

    def refresh(self) -> None:
        self.ctx.tasks.run(_list, self.ctx.desk, self.show_done.isChecked(), kind="read", on_done=self._show)

    def _show(self, items: list[dict]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for r, c in enumerate(items):
            done = c.get("done")
            values = (c["case_no"] or ("（区级变更）" if c["kind"] == "quarantine" else "（基础数据）"), c["label"], c.get("actor_name") or "", (c["at"] or "")[:16],
                      c.get("case_state_label") or "", c["reason"] or "",
                      {"redispatch": "已重新派单", "note": "已作为备注", "dismiss": "已忽略"}.get(
                          (done or {}).get("how"), "待处理"))
            for col, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setData(Qt.ItemDataRole.UserRole, c["id"])
                self.table.setItem(r, col, item)
        open_count = sum(1 for c in items if not c.get("done"))
        held = sum(1 for c in items if c["kind"] == "quarantine" and not c.get("done"))
        text = f"被区级拒绝、未生效的操作：{open_count} 条待处理" if open_count else "没有待处理的同步冲突"
        if held:
            text += f"（其中 {held} 条为本机无法应用、已隔离的区级变更，同步照常进行）"
        self.summary.setText(text)
        self._update_buttons()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        c = self.selected()
        open_ = bool(c) and not c.get("done")
        self.redispatch.setEnabled(open_ and bool(c.get("can_redispatch")))
        self.note.setEnabled(open_ and c.get("kind") == "action")
        self.dismiss.setEnabled(open_)

    def _act(self, how: str) -> None:
        c = self.selected()
        if c is None:
            return
        self.ctx.tasks.run(_resolve, self.ctx.desk, self.ctx.actor, c["id"], how, kind="write",
                           on_done=lambda _r: self._after(c))

    def _after(self, c: dict) -> None:
        self.refresh()
        if c.get("case_no"):
            self.ctx.bus.publish("case_changed", {"case_nos": [c["case_no"]]})

    def _open_case(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.items) and self.items[row]["case_no"]:
            self.openCase.emit(self.items[row]["case_no"])
