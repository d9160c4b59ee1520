"""应急指挥 (the emergency board): in peacetime the prepared lists (people to move, emergency teams)
and the 启动 button; while an emergency is on, its tasks with per-target receipt status (red: not
done past the deadline), live counts, the people to move and the teams of its area, and the cases
taken in during it. Refreshes on emergency events, after a sync round and when cases change."""
from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import emergency as E
from app.domain.timezone import LOCAL_TZ
from app.emergency import lists, queries, services
from app.printing.emergency import print_emergency
from ui.errors import present_error
from ui.pages.base import Page

STATE_LABELS = {**E.RECEIPT_STATUS, "none": "未回执", "overdue": "超时未完成"}
STATE_COLOURS = {"overdue": "#c62828", "done": "#2e7d32", "in_progress": "#b7791f"}


def _load(desk) -> dict:
    board = queries.board(desk)
    area = None
    if board["active"] and board["active"]["area"] != E.ALL:
        area = board["active"]["area"]
    return {**board, "people_list": lists.list_people(desk, area=area), "team_list": lists.list_teams(desk, area=area),
            "case_list": queries.emergency_cases(desk)}


def _stop_and_print(desk, actor, reason: str) -> dict:
    out = services.stop(desk, actor, {"reason": reason})
    folder = desk.root / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    printed = print_emergency(desk, actor, out["id"], folder / f"{out['code']}-应急响应总结.pdf")
    return {**out, "pdf": printed["path"]}


def _local(value: str | None) -> str:
    return f"{datetime.fromisoformat(value).astimezone(LOCAL_TZ):%m-%d %H:%M}" if value else ""


def _table(headers: tuple[str, ...]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().hide()
    return t


def _fill(table: QTableWidget, rows: list[tuple]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            table.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))


class _FormDialog(QDialog):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(buttons)


class StartDialog(_FormDialog):
    def __init__(self, parent=None):
        super().__init__("启动应急响应", parent)
        self.type = QComboBox()
        for code, label in E.TYPES.items():
            self.type.addItem(label, code)
        self.level = QComboBox()
        for level in E.LEVELS:
            self.level.addItem(E.level_label(level), level)
        self.level.setCurrentIndex(3)
        self.area = QLineEdit("all")
        self.area.setPlaceholderText("all（全镇街）或村社代码，逗号分隔")
        self.reason = QPlainTextEdit()
        for label, w in (("应急类型", self.type), ("响应级别", self.level), ("范围", self.area), ("启动原因", self.reason)):
            self.form.addRow(label, w)

    def data(self) -> dict:
        return {"type": self.type.currentData(), "level": self.level.currentData(), "area": self.area.text(),
                "reason": self.reason.toPlainText()}


class TaskDialog(_FormDialog):
    def __init__(self, now: datetime, parent=None):
        super().__init__("下发应急任务（一呼百应）", parent)
        self.title_edit = QLineEdit()
        self.instructions = QPlainTextEdit()
        self.to = QLineEdit("all")
        self.to.setPlaceholderText("all（应急范围内全部村社）或村社/网格代码，逗号分隔")
        self.due = QDateTimeEdit(QDateTime(now.astimezone(LOCAL_TZ) + timedelta(hours=2)))
        self.due.setDisplayFormat("yyyy-MM-dd HH:mm")
        for label, w in (("任务标题", self.title_edit), ("任务要求", self.instructions), ("下发对象", self.to),
                         ("完成时限", self.due)):
            self.form.addRow(label, w)

    def data(self) -> dict:
        due = self.due.dateTime().toPython().replace(tzinfo=LOCAL_TZ)
        return {"title": self.title_edit.text(), "instructions": self.instructions.toPlainText(),
                "to": self.to.text(), "due": due.isoformat()}


class ReceiptDialog(_FormDialog):
    def __init__(self, target: str, parent=None):
        super().__init__(f"录入回执：{target}", parent)
        self.status = QComboBox()
        for code, label in E.RECEIPT_STATUS.items():
            self.status.addItem(label, code)
        self.count = QSpinBox()
        self.count.setRange(0, 10**6)
        self.note = QLineEdit()
        for label, w in (("回执状态", self.status), ("数量（如已转移人数）", self.count), ("说明", self.note)):
            self.form.addRow(label, w)

    def data(self) -> dict:
        return {"status": self.status.currentData(), "count": self.count.value() or None, "note": self.note.text()}


class EmergencyPage(Page):
    key = "emergency"
    title = "应急指挥"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.data: dict = {"active": None, "tasks": []}
        self.headline = QLabel("平时状态")
        self.headline.setObjectName("emergencyHeadline")
        self.headline.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.counts = QLabel()
        self.counts.setObjectName("emergencyCounts")
        self.message = QLabel()
        self.start_button = QPushButton("启动应急响应")
        self.task_button = QPushButton("下发任务")
        self.receipt_button = QPushButton("录入回执")
        self.stop_button = QPushButton("结束并打印总结")
        self.start_button.clicked.connect(self._ask_start)
        self.task_button.clicked.connect(self._ask_task)
        self.receipt_button.clicked.connect(self._ask_receipt)
        self.stop_button.clicked.connect(self._ask_stop)
        bar = QHBoxLayout()
        bar.addWidget(self.headline, 1)
        for b in (self.start_button, self.task_button, self.receipt_button, self.stop_button):
            bar.addWidget(b)

        self.tasks = QTreeWidget()
        self.tasks.setObjectName("emergencyTasks")
        self.tasks.setHeaderLabels(["任务 / 对象", "时限 / 状态", "数量", "说明", "回执时间"])
        self.tasks.setColumnWidth(0, 220)
        self.tasks.itemDoubleClicked.connect(lambda *_: self._ask_receipt())
        self.people = _table(("村社", "姓名", "类别", "联系电话", "住址", "状态"))
        self.teams = _table(("村社", "队伍", "姓名", "联系电话"))
        self.cases = _table(("案件编号", "标题", "紧急程度", "村社", "受理时间"))
        self.cases.cellDoubleClicked.connect(self._open_case)
        people_box = QWidget()
        people_lay = QVBoxLayout(people_box)
        people_lay.setContentsMargins(0, 0, 0, 0)
        people_lay.addWidget(self.people, 1)
        marks = QHBoxLayout()
        for status in ("moved", "returned", "pending"):
            b = QPushButton(f"标记{E.EVACUEE_STATUS[status]}")
            b.clicked.connect(lambda _c=False, st=status: self._mark_selected(st))
            marks.addWidget(b)
        marks.addStretch(1)
        people_lay.addLayout(marks)
        self.tabs = QTabWidget()
        self.tabs.addTab(people_box, "需转移人员")
        self.tabs.addTab(self.teams, "应急队伍")
        self.tabs.addTab(self.cases, "期间案件")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tasks)
        split.addWidget(self.tabs)
        split.setSizes([600, 400])

        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.counts)
        lay.addWidget(split, 1)
        lay.addWidget(self.message)
        ctx.bus.emergencyChanged.connect(lambda _p: self.refresh())
        ctx.bus.syncState.connect(lambda p: self.refresh() if p.get("state") == "online" else None)
        self._buttons()

    # -- reading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.run(_load, self.ctx.desk, kind="read", on_done=self._show)

    def _show(self, data: dict) -> None:
        self.data = data
        em = data["active"]
        if em:
            area = "全镇街" if em["area"] == E.ALL else "、".join(em["area"])
            self.headline.setText(f"应急状态：{em['name']}（{em['level_label']}） · 范围 {area} · "
                                  f"{_local(em['started_at'])} 由 {em['started_by']} 启动")
            self.headline.setStyleSheet("font-size: 16px; font-weight: bold; color: #c62828;")
        else:
            self.headline.setText("平时状态 · 预案名单")
            self.headline.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.counts.setText(self._counts_text(data))
        self._show_tasks(data["tasks"])
        role = self.ctx.actor.role  # phones whole only for the roles that see personal data
        _fill(self.people, [(p["village_name"], p["name"], p["kind_label"], lists.shown_phone(role, p["phone"]),
                             p["address"], p["status_label"]) for p in data["people_list"]])
        for r, p in enumerate(data["people_list"]):
            self.people.item(r, 0).setData(Qt.ItemDataRole.UserRole, p["id"])
        _fill(self.teams, [(m["village_name"], m["duty_label"], m["name"], lists.shown_phone(role, m["phone"]))
                           for m in data["team_list"]])
        _fill(self.cases, [(c["case_no"], c["title"], "加急" if c["urgency"] == "urgent" else "一般", c["village"],
                            _local(c["received_at"])) for c in data["case_list"]])
        self._buttons()

    def _counts_text(self, data: dict) -> str:
        p = data["people"]
        people = f"需转移人员 {p['total']}：待转移 {p['pending']} · 已转移 {p['moved']} · 已返回 {p['returned']}"
        if not data["active"]:
            return people
        tally = {k: sum(t["receipts"][k] for t in data["tasks"]) for k in (*E.TALLY_KEYS, "overdue")}
        targets = sum(len(t["targets"]) for t in data["tasks"])
        c = data["cases"]
        return (f"任务 {len(data['tasks'])} · 对象 {targets} · 已收到 {tally['acknowledged']} · 处置中 {tally['in_progress']}"
                f" · 已完成 {tally['done']} · 未回执 {tally['none']} · 超时 {tally['overdue']}　|　{people}"
                f"　|　期间受理 {c['taken']} 件（加急 {c['urgent']}），办结 {c['closed']} 件")

    def _show_tasks(self, tasks: list[dict]) -> None:
        self.tasks.clear()
        for t in tasks:
            r = t["receipts"]
            top = QTreeWidgetItem([t["title"], f"{_local(t['due_at'])} 前",
                                   f"完成 {r['done']}/{len(t['targets'])}", f"超时 {r['overdue']}", ""])
            top.setData(0, Qt.ItemDataRole.UserRole, (t["id"], None))
            if r["overdue"]:
                top.setForeground(3, QColor(STATE_COLOURS["overdue"]))
            for line in t["targets"]:
                child = QTreeWidgetItem([f"{line['name']}（{line['code']}）", STATE_LABELS[line["state"]],
                                         "" if line["count"] is None else str(line["count"]), line["note"] or "",
                                         _local(line["at"])])
                child.setData(0, Qt.ItemDataRole.UserRole, (t["id"], line["code"]))
                child.setData(1, Qt.ItemDataRole.UserRole, line["state"])
                colour = STATE_COLOURS.get(line["state"])
                if colour:
                    for col in range(2):
                        child.setForeground(col, QColor(colour))
                top.addChild(child)
            self.tasks.addTopLevelItem(top)
            top.setExpanded(True)

    def target_states(self) -> dict[tuple[str, str], str]:
        """(task id, target code) -> state shown (tests and the F1 tour read it)."""
        out = {}
        for i in range(self.tasks.topLevelItemCount()):
            top = self.tasks.topLevelItem(i)
            for j in range(top.childCount()):
                child = top.child(j)
                out[child.data(0, Qt.ItemDataRole.UserRole)] = child.data(1, Qt.ItemDataRole.UserRole)
        return out

    def _buttons(self) -> None:
        on = bool(self.data.get("active"))
        commander = self.ctx.actor.role in services.COMMAND_ROLES
        self.start_button.setEnabled(commander and not on)
        self.task_button.setEnabled(commander and on)
        self.stop_button.setEnabled(commander and on)
        self.receipt_button.setEnabled(on)

    def _open_case(self, row: int, _col: int) -> None:
        item = self.cases.item(row, 0)
        if item:
            self.openCase.emit(item.text())

    # -- actions ---------------------------------------------------------------------------------
    def _done(self, text: str):
        def show(out) -> None:
            self.message.setText(text.format(**out) if isinstance(out, dict) else text)
            self.refresh()
        return show

    def start_emergency(self, data: dict) -> None:
        self.ctx.tasks.run(services.start, self.ctx.desk, self.ctx.actor, data,
                           on_done=self._done("已启动应急响应（{id}）"), on_error=present_error)

    def add_task(self, data: dict) -> None:
        self.ctx.tasks.run(services.add_task, self.ctx.desk, self.ctx.actor, data,
                           on_done=self._done("已下发任务：{title}"), on_error=present_error)

    def enter_receipt(self, task_id: str, target: str, data: dict) -> None:
        self.ctx.tasks.run(services.add_receipt, self.ctx.desk, self.ctx.actor, task_id, {"target": target, **data},
                           on_done=self._done("已录入回执：{target}"), on_error=present_error)

    def stop_emergency(self, reason: str) -> None:
        self.ctx.tasks.run(_stop_and_print, self.ctx.desk, self.ctx.actor, reason,
                           on_done=self._done("应急响应已结束，总结已生成：{pdf}"), on_error=present_error)

    def mark_person(self, person_id: str, status: str) -> None:
        self.ctx.tasks.run(lists.set_person_status, self.ctx.desk, self.ctx.actor, person_id, {"status": status},
                           on_done=self._done("{name}：{status_label}"), on_error=present_error)

    def _mark_selected(self, status: str) -> None:
        rows = sorted({i.row() for i in self.people.selectedIndexes()})
        if not rows:
            self.message.setText("请先在需转移人员名单中选中人员")
            return
        for r in rows:
            self.mark_person(self.people.item(r, 0).data(Qt.ItemDataRole.UserRole), status)

    def _ask_start(self) -> None:
        dialog = StartDialog(self)
        if dialog.exec():
            self.start_emergency(dialog.data())

    def _ask_task(self) -> None:
        dialog = TaskDialog(self.ctx.desk.now(), self)
        if dialog.exec():
            self.add_task(dialog.data())

    def _ask_receipt(self) -> None:
        item = self.tasks.currentItem()
        key = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        if not key or not key[1]:
            self.message.setText("请先在任务列表中选中一个对象（村社/网格），再录入回执")
            return
        dialog = ReceiptDialog(item.text(0), self)
        if dialog.exec():
            self.enter_receipt(key[0], key[1], dialog.data())

    def _ask_stop(self) -> None:
        reason, ok = QInputDialog.getText(self, "结束应急响应", "结束原因：")
        if ok:
            self.stop_emergency(reason)
