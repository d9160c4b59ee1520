"""The intake side panel: what saving will do (the same function as saving: intake.routing_plan),
possible repeats with title, state and unit, and the caller's earlier cases as soon as the number
is complete, with 沿用 to take over name, 身份证, place and address. Updated debounced, off the GUI
thread, while the operator types."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases import overview
from app.domain import validation as v
from app.errors import AppError
from ui.format import short, unit_name


def phone_complete(text: str) -> bool:
    """A number complete enough to look up (a valid mobile or landline)."""
    try:
        v.check_phone(text.strip())
    except AppError:
        return False
    return True


def plan_text(r: dict | None) -> str:
    """The routing box: what pressing 保存 will do, in words."""
    if r is None:
        return "选择事项分类后显示保存后的去向"
    cands = "、".join(unit_name(c) for c in r.get("candidates") or [])
    if r.get("outcome") == "instant":
        return "<b>即办：保存后当场答复</b>" + (f"<br>责任单位：{unit_name(r['unit'])}" if r.get("unit") else "")
    if r.get("outcome") == "dispatch":
        return f"<b>保存后自动派单至：{unit_name(r['unit'])}</b><br>{r['reason']}"
    why = "自动派单已关闭" if not r.get("auto") else "需人工分派"
    head = f"<b>保存后进入待分派（{why}）</b>"
    if r.get("unit"):
        head += f"<br>建议承办：{unit_name(r['unit'])}"
    return head + f"<br>{r['reason']}" + (f"<br>候选：{cands}" if cands else "")


class IntakeSidePanel(QWidget):
    openCase = Signal(str)
    reuse = Signal(dict)  # an earlier case of this caller: name, id_no, village, grid, address

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setMinimumWidth(280)
        self.routing = QLabel(plan_text(None))
        self.routing.setObjectName("routingLabel")
        self.routing.setWordWrap(True)
        self.routing.setMinimumHeight(72)
        self.routing.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.repeats = QListWidget()
        self.repeats.setObjectName("repeatList")
        self.history = QListWidget()
        self.history.setObjectName("historyList")
        for w in (self.repeats, self.history):
            w.itemActivated.connect(self._open)
            w.itemDoubleClicked.connect(self._open)
        self.reuse_button = QPushButton("沿用姓名、身份证、地址 (Alt+Y)")
        self.reuse_button.setObjectName("reuseButton")
        self.reuse_button.setToolTip("用所选（未选时为最近一次）诉求的姓名、身份证号、村社和地址填表")
        self.reuse_button.setShortcut("Alt+Y")
        self.reuse_button.clicked.connect(self.reuse_selected)
        self.reuse_button.setEnabled(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for title, widget in (("保存后的去向", self.routing), ("疑似重复件", self.repeats),
                              ("该来电人的历史诉求", self.history)):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(widget)
            if widget is self.history:
                row = QHBoxLayout()
                row.addStretch(1)
                row.addWidget(self.reuse_button)
                inner.addLayout(row)
            lay.addWidget(box, 0 if widget is self.routing else 1)
        self.last: dict = {}
        self.last_for: dict | None = None  # the input ``last`` was computed for
        self._data: dict = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._query)
        self._generation = 0

    def update_for(self, data: dict) -> None:
        """Schedule a refresh for the form's current input (debounced)."""
        self._data = data
        self._timer.start()

    def cancel_pending(self) -> None:
        """Drop a scheduled refresh (the form is being saved and cleared)."""
        self._timer.stop()
        self._generation += 1

    def refresh_now(self, data: dict) -> None:
        self._data = data
        self._query()

    def _query(self) -> None:
        self._timer.stop()
        self._generation += 1
        gen = self._generation
        data = dict(self._data)
        self.ctx.tasks.run(overview.intake_preview, self.ctx.desk, data, kind="read",
                           on_done=lambda r: gen == self._generation and self.show_preview(r, data),
                           on_error=lambda e: None)

    def current_for(self, data: dict) -> dict | None:
        """The preview on screen if it was computed for exactly this input (saving reuses it)."""
        return self.last if self.last_for is not None and self.last_for == data and not self._timer.isActive() \
            else None

    def show_preview(self, preview: dict, data: dict | None = None) -> None:
        self.last = preview
        self.last_for = data
        self.routing.setText(plan_text(preview.get("routing")))
        self.repeats.clear()
        details = {d["case_no"]: d for d in preview.get("repeat_cases") or []}
        for no in preview.get("repeats") or []:
            d = details.get(no) or {}
            text = f"⚠ {no}"
            if d:
                text += f"\n　{d['title']}\n　{d['state_label']}" + (f" · {d['unit_name']}" if d.get("unit_name") else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, no)
            item.setToolTip(d.get("title") or no)
            self.repeats.addItem(item)
        if not preview.get("repeats"):
            self.repeats.addItem("（无）")
        self.history.clear()
        for h in preview.get("history") or []:
            who = "　".join(x for x in (h.get("name"), h.get("address")) if x)
            item = QListWidgetItem(f"{short(h['received_at'])}　{h['state_label']}　{h['title']}"
                                   + (f"\n　{who}" if who else ""))
            item.setData(Qt.ItemDataRole.UserRole, h["case_no"])
            item.setData(Qt.ItemDataRole.UserRole + 1, h)
            item.setToolTip(h["case_no"])
            self.history.addItem(item)
        if not preview.get("history"):
            self.history.addItem("（无）")
        self.reuse_button.setEnabled(bool(preview.get("history")))

    def reuse_selected(self) -> None:
        """沿用: the selected earlier case (the newest when none is selected) fills the form."""
        items = self.history.selectedItems() or ([self.history.item(0)] if self.history.count() else [])
        h = items[0].data(Qt.ItemDataRole.UserRole + 1) if items else None
        if h:
            self.reuse.emit(dict(h))

    def clear(self) -> None:
        self.show_preview({"routing": None, "repeats": [], "history": []})

    def _open(self, item: QListWidgetItem) -> None:
        no = item.data(Qt.ItemDataRole.UserRole)
        if no:
            self.openCase.emit(no)
