"""The intake side panel: routing suggestion, possible repeats and the reporter's earlier cases,
updated (debounced, off the GUI thread) while the operator types."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.cases import overview
from ui.format import short, unit_name


class IntakeSidePanel(QWidget):
    openCase = Signal(str)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setMinimumWidth(280)
        self.routing = QLabel("选择事项分类后显示建议承办单位")
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
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for title, widget in (("派单建议", self.routing), ("疑似重复件", self.repeats), ("该来电人的历史诉求", self.history)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(widget)
            lay.addWidget(box, 0 if widget is self.routing else 1)
        self.last: dict = {}
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
        self.ctx.tasks.run(overview.intake_preview, self.ctx.desk, self._data, kind="read",
                           on_done=lambda r: gen == self._generation and self.show_preview(r),
                           on_error=lambda e: None)

    def show_preview(self, preview: dict) -> None:
        self.last = preview
        r = preview.get("routing")
        if r is None:
            self.routing.setText("选择事项分类后显示建议承办单位")
        elif r.get("unit"):
            self.routing.setText(f"<b>建议承办：{unit_name(r['unit'])}</b><br>{r['reason']}")
        else:
            cands = "、".join(unit_name(c) for c in r.get("candidates") or [])
            self.routing.setText(f"<b>需人工分派</b><br>{r['reason']}" + (f"<br>候选：{cands}" if cands else ""))
        self.repeats.clear()
        for no in preview.get("repeats") or []:
            item = QListWidgetItem(f"⚠ {no}")
            item.setData(Qt.ItemDataRole.UserRole, no)
            self.repeats.addItem(item)
        if not preview.get("repeats"):
            self.repeats.addItem("（无）")
        self.history.clear()
        for h in preview.get("history") or []:
            item = QListWidgetItem(f"{short(h['received_at'])}　{h['state_label']}　{h['title']}")
            item.setData(Qt.ItemDataRole.UserRole, h["case_no"])
            item.setToolTip(h["case_no"])
            self.history.addItem(item)
        if not preview.get("history"):
            self.history.addItem("（无）")

    def clear(self) -> None:
        self.show_preview({"routing": None, "repeats": [], "history": []})

    def _open(self, item: QListWidgetItem) -> None:
        no = item.data(Qt.ItemDataRole.UserRole)
        if no:
            self.openCase.emit(no)
