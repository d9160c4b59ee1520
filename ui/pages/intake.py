"""一窗受理: one form for every channel, keyboard first.

Ctrl+S save · Ctrl+Enter save and dispatch · Ctrl+N new form · F2 reporter phone."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.domain import workflow as wf
from app.domain.vocab import CASE_TYPES, CHANNELS, URGENCY
from app.emergency.queries import active as active_emergency
from app.errors import AppError
from ui.action_dialogs import ActionDialog
from ui.errors import present_error
from ui.grid_report_box import GridReportBox
from ui.intake_panel import IntakeSidePanel, phone_complete
from ui.mediation_handoff import add_handoff_button
from ui.pages.base import Page
from ui.widgets.attachment_strip import AttachmentStrip
from ui.widgets.form import FormErrors
from ui.widgets.pickers import CategoryPicker, LocationPicker
from ui.workers import take_in_case, take_in_repeat, take_in_unless_repeat


class RepeatQuestion(QDialog):
    """Before saving a flagged repeat: the earlier cases (title, state, unit) and three answers."""

    decided = Signal(str, object)  # decision ("merge" | "link" | "new"), case number to merge into

    def __init__(self, repeats: list[dict], may_merge: bool, parent=None):
        super().__init__(parent)
        self.setObjectName("repeatQuestion")
        self.setWindowTitle("疑似重复件")
        self.repeats = repeats
        head = QLabel("该诉求与以下案件疑似重复，请选择如何处理：")
        self.list = QListWidget()
        self.list.setObjectName("repeatChoices")
        for d in repeats:
            item = QListWidgetItem(f"{d['case_no']}　{d['title']}\n　{d['state_label']}"
                                   + (f" · {d['unit_name']}" if d.get("unit_name") else ""))
            item.setData(Qt.ItemDataRole.UserRole, d["case_no"])
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.merge_button = QPushButton("合并到所选案件 (Alt+H)")
        self.merge_button.setObjectName("repeat_merge")
        self.merge_button.setShortcut("Alt+H")
        self.merge_button.setEnabled(may_merge)
        if not may_merge:
            self.merge_button.setToolTip("您的角色不能合并案件")
        self.link_button = QPushButton("关联，交调度员处理 (Alt+G)")
        self.link_button.setObjectName("repeat_link")
        self.link_button.setShortcut("Alt+G")
        self.link_button.setToolTip("保存为新案件并标记疑似重复，不自动派单，进入待分派")
        self.new_button = QPushButton("仍新建 (Alt+X)")
        self.new_button.setObjectName("repeat_new")
        self.new_button.setShortcut("Alt+X")
        self.new_button.setToolTip("与原案件无关：按正常流程保存（可自动派单）")
        cancel = QPushButton("返回修改 (Esc)")
        cancel.clicked.connect(self.reject)
        self.merge_button.clicked.connect(lambda: self._decide("merge"))
        self.link_button.clicked.connect(lambda: self._decide("link"))
        self.new_button.clicked.connect(lambda: self._decide("new"))
        default = self.merge_button if may_merge else self.link_button
        default.setDefault(True)
        from ui.keys import submit_on_ctrl_enter

        submit_on_ctrl_enter(self, default.click)
        row = QHBoxLayout()
        for b in (self.merge_button, self.link_button, self.new_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(cancel)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self.resize(620, 320)

    def _decide(self, decision: str) -> None:
        item = self.list.currentItem()
        into = item.data(Qt.ItemDataRole.UserRole) if item else None
        self.accept()
        self.decided.emit(decision, into)


class IntakePage(Page):
    key = "intake"
    title = "一窗受理"
    roles = (wf.INTAKE, wf.DISPATCHER, wf.DIRECTOR, wf.ADMIN)
    saved = Signal(dict)  # the new case's view

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        refs = ctx.desk.refs()
        self.errors = FormErrors()
        e = self.errors
        self.emergency: dict | None = None  # the emergency in force (平战转换), read on refresh
        ctx.bus.emergencyChanged.connect(lambda _p: self.load_emergency())
        self.channel = QComboBox()
        for code, label in CHANNELS.items():
            self.channel.addItem(label, code)
        self.type = QComboBox()
        self.type.addItem("按分类默认", None)
        for code, label in CASE_TYPES.items():
            self.type.addItem(label, code)
        self.urgency = QComboBox()
        for code, label in URGENCY.items():
            self.urgency.addItem(label, code)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机或座机（F2）")
        self.name = QLineEdit()
        self.id_no = QLineEdit()
        self.id_no.setPlaceholderText("选填，18 位")
        self.anonymous = QCheckBox("匿名 (Alt+M)")
        self.persons = QSpinBox()
        self.persons.setRange(1, 10000)
        self.persons.setToolTip("集体访填写来访人次")
        self.persons.setMaximumWidth(120)
        self.category = CategoryPicker(refs)
        self.location = LocationPicker(refs)
        self.address = QLineEdit()
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("选填，默认取诉求内容前 30 字")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(110)
        self.instant = QCheckBox("即办：当场答复办结 (Alt+J)")
        self.result = QPlainTextEdit()
        self.result.setTabChangesFocus(True)
        self.result.setFixedHeight(60)
        self.result.setPlaceholderText("即办答复内容")
        self.result.setVisible(False)
        self.instant.toggled.connect(self.result.setVisible)
        self.auto_dispatch = QCheckBox("按责任清单自动派单 (Alt+A)")
        self.auto_dispatch.setChecked(True)
        self.files = AttachmentStrip()
        for w, name in ((self.channel, "channel"), (self.type, "type"), (self.urgency, "urgency"),
                        (self.phone, "phone"), (self.name, "name"), (self.id_no, "id_no"),
                        (self.anonymous, "anonymous"), (self.persons, "persons"), (self.category, "category"),
                        (self.location, "location"), (self.address, "address"), (self.title_edit, "title"),
                        (self.description, "description"), (self.instant, "instant"), (self.result, "result"),
                        (self.auto_dispatch, "auto_dispatch")):
            w.setObjectName(f"intake_{name}")

        top = QHBoxLayout()
        for label, box, field in (("渠道", self.channel, "channel"), ("类型", self.type, "type"),
                                  ("紧急程度", self.urgency, "urgency")):
            top.addWidget(QLabel(label))
            top.addWidget(e.box(field, box), 1)
        who = QFormLayout()
        phone_row = QHBoxLayout()
        phone_row.addWidget(e.box("reporter.phone", self.phone), 1)
        phone_row.addWidget(self.anonymous)
        who.addRow("联系电话", phone_row)
        who.addRow("姓名", e.box("reporter.name", self.name))
        who.addRow("身份证号", e.box("reporter.id_no", self.id_no))
        who.addRow("人次", e.box("persons", self.persons))
        what = QFormLayout()
        what.addRow("事项分类＊", e.box("category", self.category))
        what.addRow("村社/网格", e.box("location.village", self.location))
        e.alias("location.grid", "location.village")
        e.alias("location", "location.village")
        what.addRow("地址", e.box("location.address", self.address))
        what.addRow("标题", e.box("title", self.title_edit))
        what.addRow("诉求内容＊", e.box("description", self.description))
        what.addRow("", self.instant)
        from ui.widgets.phrases import with_phrases

        self.result_box = with_phrases(ctx, self.result, "result")  # 常用语 (F4)
        self.instant.toggled.connect(self.result_box.setVisible)
        self.result_box.setVisible(False)
        what.addRow("", e.box("result", self.result_box))
        what.addRow("附件", self.files)
        e.alias("reporter", "reporter.phone")
        e.alias("case", "description")

        self.banner = QLabel()
        self.banner.setObjectName("caseNoBanner")
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The success banner: the new case's number, and what to do next with THIS case.
        self.banner_box = QWidget()
        self.banner_box.setObjectName("successBanner")
        banner_row = QHBoxLayout(self.banner_box)
        banner_row.setContentsMargins(0, 0, 0, 0)
        banner_row.addWidget(self.banner, 1)
        self.receipt_button = QPushButton("打印回执 (Ctrl+P)")
        self.receipt_button.setObjectName("banner_receipt")
        self.receipt_button.clicked.connect(self.print_receipt)
        self.open_button = QPushButton("打开案件 (Ctrl+O)")
        self.open_button.setObjectName("banner_open")
        self.open_button.clicked.connect(self.open_saved)
        banner_new = QPushButton("新建 (Ctrl+N)")
        banner_new.setObjectName("banner_new")
        banner_new.clicked.connect(self.new_form)
        buttons_col = QVBoxLayout()
        for b in (self.receipt_button, self.open_button, banner_new):
            buttons_col.addWidget(b)
        self.mediate_button = add_handoff_button(self, buttons_col)  # 转调解 (ui/mediation_handoff.py)
        banner_row.addLayout(buttons_col)
        self.banner_box.hide()
        self.general_error = QLabel()
        self.general_error.setObjectName("fieldError")
        self.general_error.hide()
        e.fallback = self.general_error
        self.save_button = QPushButton("保存 (Ctrl+S)")
        self.save_button.setObjectName("intake_save")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(lambda: self.save())
        self.save_dispatch_button = QPushButton("保存并派单 (Ctrl+Enter)")
        self.save_dispatch_button.clicked.connect(lambda: self.save(dispatch=True))
        new_button = QPushButton("新建 (Ctrl+N)")
        new_button.clicked.connect(self.new_form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.auto_dispatch)
        buttons.addStretch(1)
        for b in (new_button, self.save_dispatch_button, self.save_button):
            buttons.addWidget(b)

        who_box, what_box = QGroupBox("来访/来电人"), QGroupBox("诉求")
        who_box.setLayout(who)
        what_box.setLayout(what)
        form = QWidget()
        col = QVBoxLayout(form)
        title = QLabel(self.title)
        title.setObjectName("pageTitle")
        col.addWidget(title)
        col.addWidget(self.banner_box)
        col.addLayout(top)
        col.addWidget(who_box)
        col.addWidget(what_box, 1)
        self.grid_report = GridReportBox(ctx, self)  # 网格上报 (issue 17: ui/grid_report_box.py)
        col.addWidget(self.grid_report)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        left = QVBoxLayout()
        left.addWidget(scroll, 1)
        left.addWidget(self.general_error)
        left.addLayout(buttons)
        self.panel = IntakeSidePanel(ctx)
        self.panel.openCase.connect(self.openCase)
        self.panel.reuse.connect(self.reuse_earlier)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 3)
        lay.addWidget(self.panel, 1)

        order = [self.channel, self.type, self.urgency, self.phone, self.anonymous, self.name, self.id_no,
                 self.persons, self.category, self.location, self.address, self.title_edit, self.description,
                 self.instant, self.result, self.save_button]
        for a, b in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b)
        for seq, slot in (("Ctrl+S", self.save), ("Ctrl+Return", lambda: self.save(dispatch=True)),
                          ("Ctrl+Enter", lambda: self.save(dispatch=True)), ("Ctrl+N", self.new_form),
                          ("Ctrl+P", self.print_receipt), ("Ctrl+O", self.open_saved),
                          ("F2", self.phone.setFocus), ("Alt+A", self.auto_dispatch.toggle),
                          ("Alt+J", self.instant.toggle), ("Alt+M", self.anonymous.toggle)):
            QShortcut(QKeySequence(seq), self, activated=slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for signal in (self.phone.editingFinished, self.category.picked, self.location.picked,
                       self.address.editingFinished, self.description.textChanged, self.auto_dispatch.toggled,
                       self.instant.toggled):
            signal.connect(self._input_changed)
        # the caller's history as soon as the number is complete (not only after leaving the field)
        self.phone.textChanged.connect(lambda t: phone_complete(t) and self._input_changed())
        self.anonymous.toggled.connect(lambda on: [w.setEnabled(not on) for w in (self.name, self.id_no)])
        self._saving = False
        self.last_saved: dict | None = None

    def _input_changed(self, *_args) -> None:
        if isValid(self) and isValid(self.channel) and isValid(self.panel):
            self.panel.update_for(self.data())

    # -- data ----------------------------------------------------------------------------------
    def data(self) -> dict:
        """The form as app.cases.intake.normalize input."""
        self.category.resolve()
        self.location.resolve()
        data = {
            "channel": self.channel.currentData(), "type": self.type.currentData(),
            "title": self.title_edit.text().strip(), "description": self.description.toPlainText().strip(),
            "reporter": {"name": self.name.text().strip(), "phone": self.phone.text().strip(),
                         "id_no": self.id_no.text().strip()},
            "anonymous": self.anonymous.isChecked(), "persons": self.persons.value(),
            "category": self.category.code() or self.category.text().strip(),
            "location": {**self.location.location(), "address": self.address.text().strip()},
            "urgency": self.urgency.currentData(), "auto_dispatch": self.auto_dispatch.isChecked(),
        }
        if self.instant.isChecked():
            data.update(instant=True, result=self.result.toPlainText().strip())
        return data

    def save(self, dispatch: bool = False) -> None:
        """Save; a flagged repeat first asks 合并 / 关联 / 仍新建 (before any automatic dispatch)."""
        if self._saving:
            return
        self.errors.clear()
        data = self.data()
        if dispatch:
            data["auto_dispatch"] = True
        self._saving = True
        shown = self.panel.current_for(data)  # the panel already asked for exactly this input
        self.panel.cancel_pending()
        self.save_button.setEnabled(False)
        if data.get("instant"):  # answered on the spot: nothing to dispatch, no question
            self._write(data, dispatch)
            return
        if shown is not None:
            self._check_repeats(data, dispatch, shown)
            return
        # one trip to the writer: the repeat check, then the intake unless the question comes first
        self.ctx.tasks.run(take_in_unless_repeat, self.ctx.desk, self.ctx.actor, data, self.files.paths(),
                           kind="write", on_error=self._failed,
                           on_done=lambda out: self._check_repeats(data, dispatch, out["ask"])
                           if "ask" in out else self._saved(out, dispatch))

    def _check_repeats(self, data: dict, dispatch: bool, preview: dict) -> None:
        repeats = preview.get("repeat_cases") or []
        if not repeats:
            self._write(data, dispatch)
            return
        self.panel.show_preview(preview, data)
        self.repeat_question = RepeatQuestion(repeats, self.ctx.role in wf.ACTIONS["merge"].roles, self)
        self.repeat_question.decided.connect(lambda decision, into: self._write(data, dispatch, decision, into))
        self.repeat_question.rejected.connect(self._question_cancelled)
        self.repeat_question.open()

    def _question_cancelled(self) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.description.setFocus()

    def _write(self, data: dict, dispatch: bool, decision: str | None = None, into: str | None = None) -> None:
        if decision is None:
            self.ctx.tasks.run(take_in_case, self.ctx.desk, self.ctx.actor, data, self.files.paths(), kind="write",
                               on_done=lambda view: self._saved(view, dispatch), on_error=self._failed)
        else:
            self.ctx.tasks.run(take_in_repeat, self.ctx.desk, self.ctx.actor, data, self.files.paths(), decision,
                               into, kind="write", on_done=lambda view: self._saved(view, dispatch),
                               on_error=self._failed)

    def reuse_earlier(self, h: dict) -> None:
        """沿用: name, 身份证, place and address of the caller's earlier case."""
        if h.get("name"):
            self.name.setText(h["name"])
        if h.get("id_no"):
            self.id_no.setText(h["id_no"])
        if h.get("grid") or h.get("village"):
            self.location.set_code(h.get("grid") or h.get("village"))
        if h.get("address"):
            self.address.setText(h["address"])
        self.category.setFocus()

    def _saved(self, view: dict, dispatch: bool) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.last_saved = view
        routing = view.get("routing") or {}
        if view["state"] == wf.MERGED:
            note = f"已合并到 {view.get('merged_into') or ''}"
        elif view["state"] == wf.DISPATCHED:
            note = f"已自动派单至 {view['unit']['name']}"
        elif view["state"] in (wf.CALLBACK, wf.CLOSED):
            note = "即办件已当场办结" if view["state"] == wf.CLOSED else "即办件已答复，待回访"
        else:
            note = "待分派" + (f"（{routing.get('reason')}）" if routing.get("reason") else "")
        repeat = f"<br>⚠ 疑似重复：{'、'.join(view['repeat_of'])}" if view.get("repeat_of") else ""
        reporter = "匿名" if view.get("anonymous") else ((view.get("reporter") or {}).get("name") or "")
        who = f"　{reporter}" if reporter else ""
        self.banner.setText(f"已受理　{view['case_no']}{who}<br><span style='font-size:13px'>{note}{repeat}</span>")
        self.banner_box.show()
        self.clear_fields()
        self.saved.emit(view)
        if dispatch and view["state"] == wf.REGISTERED and \
                self.ctx.role in wf.ACTIONS["dispatch"].roles:
            self.dialog = ActionDialog(self.ctx, view, "dispatch", self)
            self.dialog.open()

    def _failed(self, exc: Exception) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, AppError):
            self.errors.show(exc.field, exc.message)
        else:
            present_error(exc, self)

    # -- clearing ------------------------------------------------------------------------------
    def clear_fields(self) -> None:
        """Empty the form for the next visitor (keeps channel, the banner stays)."""
        self.errors.clear()
        for w in (self.phone, self.name, self.id_no, self.address, self.title_edit):
            w.clear()
        self.description.clear()
        self.result.clear()
        self.anonymous.setChecked(False)
        self.instant.setChecked(False)
        self.persons.setValue(1)
        self.type.setCurrentIndex(0)
        self.urgency.setCurrentIndex(0)
        if self.emergency:  # 平战转换: 加急 by default while an emergency is on
            self.urgency.setCurrentIndex(self.urgency.findData("urgent"))
        self.category.clear_value()
        self.location.clear_value()
        self.files.clear()
        self.panel.clear()
        self.phone.setFocus()

    def new_form(self) -> None:
        self.banner_box.hide()
        self.last_saved = None
        self.clear_fields()

    # -- the saved case ------------------------------------------------------------------------
    def saved_case_no(self) -> str | None:
        """The case the banner shows (None once the banner is gone: Ctrl+P then prints nothing)."""
        return self.last_saved["case_no"] if self.last_saved and self.banner_box.isVisible() else None

    def print_receipt(self, size: str = "a5"):
        """Preview the receipt of the case just taken in (the banner's case, never a list row)."""
        from ui.printing_actions import preview_case

        case_no = self.saved_case_no()
        if case_no:
            return preview_case(self.ctx, case_no, "receipt", self.window(), size=size)
        return None

    def open_saved(self) -> None:
        case_no = self.saved_case_no()
        if case_no:
            self.openCase.emit(case_no)

    def refresh(self) -> None:
        self.phone.setFocus()
        self.load_emergency()

    def load_emergency(self) -> None:
        self.ctx.tasks.run(active_emergency, self.ctx.desk, kind="read", on_done=self._apply_emergency,
                           on_error=lambda e: None)

    def _apply_emergency(self, current: dict | None) -> None:
        """平战转换: while an emergency is on, 加急 by default and its categories first in the
        picker; back to 一般 when it stops (only on a form nobody has started filling in)."""
        self.emergency = current
        self.category.set_pinned(current["categories"] if current else ())
        if not self.description.toPlainText().strip() and not self.phone.text().strip():
            self.urgency.setCurrentIndex(self.urgency.findData("urgent" if current else "normal"))
