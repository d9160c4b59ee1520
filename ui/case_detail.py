"""案件详情: header, reporter (masked by role), timeline, attachments, and only the action buttons
the workflow table allows this user for this state."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cases import attachments, queries
from app.domain import workflow as wf
from app.domain.vocab import URGENCY
from ui.action_dialogs import ActionDialog
from ui.files import documents_dir
from ui.format import COLOUR_HEX, COLOUR_NAMES, local, payload_text, unit_name
from ui.printing_actions import print_button
from ui.widgets.urge_badge import urge_chip, urge_tooltip
from ui.workers import attach_file

NO_BUTTON = {"attach"}  # attach has its own button (file chooser)


class CaseDetailView(QWidget):
    back = Signal()
    caseChanged = Signal(str)  # case number, after an action here

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.case: dict | None = None
        self.dialog: ActionDialog | None = None
        self.setObjectName("caseDetail")
        back = QPushButton("← 返回")
        back.setToolTip("返回列表 (Esc)")
        back.clicked.connect(self.back.emit)
        QShortcut(QKeySequence("Esc"), self, activated=self.back.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.urge_label = QLabel()  # 督办 badge: level colour, tooltip with instruction and reply date
        self.urge_label.setObjectName("urgeBadge")
        self.urge_label.hide()
        top = QHBoxLayout()
        top.addWidget(back)
        top.addSpacing(12)
        top.addWidget(self.title, 1)
        top.addWidget(self.urge_label)
        top.addSpacing(8)
        top.addWidget(self.state_label)
        self.print_btn = print_button(ctx, lambda: self.case, self)  # 案卷/回执/交办单/督办单, Ctrl+P
        top.addSpacing(8)
        top.addWidget(self.print_btn)

        self.buttons_row = QWidget()
        self.buttons_box = QHBoxLayout(self.buttons_row)
        self.buttons_box.setContentsMargins(0, 0, 0, 0)
        self.buttons_box.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        self.facts = QGridLayout()
        facts_box = QGroupBox("基本信息")
        facts_box.setLayout(self.facts)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        desc_box = QGroupBox("诉求内容")
        QVBoxLayout(desc_box).addWidget(self.description)
        self.timeline = QTreeWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setHeaderLabels(["时间", "操作", "操作人", "内容"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setColumnWidth(0, 130)
        self.timeline.setColumnWidth(1, 80)
        self.timeline.setColumnWidth(2, 190)
        self.timeline.setMinimumHeight(200)
        time_box = QGroupBox("办理过程")
        QVBoxLayout(time_box).addWidget(self.timeline)
        self.files = QListWidget()
        self.files.setObjectName("attachments")
        self.files.setViewMode(QListWidget.ViewMode.IconMode)
        self.files.setIconSize(QSize(96, 96))
        self.files.setFixedHeight(120)
        self.files.itemActivated.connect(self._open_file)
        self.files.itemDoubleClicked.connect(self._open_file)
        self.files_box = QGroupBox("附件（双击打开）")
        QVBoxLayout(self.files_box).addWidget(self.files)

        content = QWidget()
        col = QVBoxLayout(content)
        col.addLayout(top)
        col.addWidget(self.buttons_row)
        col.addWidget(facts_box)
        col.addWidget(desc_box)
        col.addWidget(time_box, 1)
        col.addWidget(self.files_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # -- loading -------------------------------------------------------------------------------
    def load(self, case_no: str) -> None:
        self.title.setText(f"{case_no}　载入中…")
        self.ctx.tasks.run(queries.show_case, self.ctx.desk, self.ctx.actor, case_no, kind="read",
                           on_done=self.show_case)

    def reload(self) -> None:
        if self.case:
            self.load(self.case["case_no"])

    def clear(self) -> None:
        self.case = None
        self.title.clear()
        self.urge_label.hide()
        self.timeline.clear()
        self.files.clear()
        self._set_buttons([])

    def show_case(self, case: dict) -> None:
        self.case = case
        refs = self.ctx.desk.refs()
        self.title.setText(f"{case['case_no']}　{case['title']}")
        colour = case.get("color")
        chip = f"　<span style='color:{COLOUR_HEX[colour]}'>● {COLOUR_NAMES[colour]}</span>" if colour else ""
        self.state_label.setText(f"<b>{case['state_label']}</b>{chip}")
        urge = case.get("urge")
        self.urge_label.setText(urge_chip(urge))
        self.urge_label.setToolTip(urge_tooltip(urge))
        self.urge_label.setVisible(bool(urge))
        self._fill_facts(case)
        self.description.setText(case.get("description") or "")
        self.timeline.clear()
        names = {u.code: u.name for u in refs.units.values()}
        for a in case.get("actions", []):
            who = a.get("actor_name") or a["actor"]
            role = wf.ROLE_LABELS.get(a.get("actor_role"), "")
            unit = names.get(a.get("actor_unit"), "") if a.get("actor_unit") else ""
            item = QTreeWidgetItem([local(a["at"]), a["label"], f"{who}（{unit or role}）",
                                    payload_text(a["kind"], a.get("payload") or {}, names)])
            item.setToolTip(3, item.text(3))
            self.timeline.addTopLevelItem(item)
        self.timeline.setMinimumHeight(min(420, 40 + 24 * max(4, len(case.get("actions", [])))))
        self._fill_files(case.get("attachments", []))
        self._set_buttons(case.get("allowed_actions", []))
        if self.isVisible() and (self.focusWidget() is None or not self.isAncestorOf(self.focusWidget())
                                 or not self.focusWidget().isVisible()):
            self.focus_first()

    def focus_first(self) -> None:
        """Keyboard: focus the first action button (else the timeline), so Alt+n, Ctrl+P and Esc
        work at once on a case opened from any page."""
        first = next(iter(self.buttons.values()), None)
        (first or self.timeline).setFocus()

    def _fill_facts(self, case: dict) -> None:
        while self.facts.count():
            old = self.facts.takeAt(0).widget()
            old.hide()
            old.deleteLater()
        rep = case.get("reporter") or {}
        loc = case.get("location") or {}
        rows = [
            ("受理渠道", case["channel_label"]), ("诉求类型", case["type_label"]),
            ("事项分类", case.get("category_name") or ""), ("紧急程度", URGENCY.get(case["urgency"], "一般")),
            ("报告人", "匿名" if case.get("anonymous") else (rep.get("name") or "")),
            ("联系电话", rep.get("phone") or ""), ("身份证号", rep.get("id_no") or ""), ("人次", str(case.get("persons") or 1)),
            ("村社/网格", " / ".join(x for x in (loc.get("village_name"), loc.get("grid_name")) if x)),
            ("地址", loc.get("address") or ""),
            ("承办单位", unit_name(case.get("unit"))), ("协办单位", "、".join(unit_name(u) for u in case.get("co_units") or [])),
            ("受理时间", local(case.get("received_at"))), ("签收时限", local(case.get("sign_due_at"))),
            ("办结时限", local(case.get("due_at"))), ("回访时限", local(case.get("callback_due_at"))),
        ]
        if case.get("urge"):
            u = case["urge"]
            rows.append(("督办", "；".join(x for x in (u["text"], u.get("reply_status"),
                                                       u.get("instruction") and f"督办要求：{u['instruction']}") if x)))
        if case.get("last_reason"):
            rows.append(("最近理由", case["last_reason"]))
        if case.get("repeat_of"):
            rows.append(("疑似重复", "、".join(case["repeat_of"])))
        if case.get("result"):
            rows.append(("办理结果", case["result"]))
        for i, (label, value) in enumerate(rows):
            caption = QLabel(label + "：")
            caption.setObjectName("hint")
            text = QLabel(value)
            text.setObjectName(f"fact_{label}")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addWidget(caption, i // 2, (i % 2) * 2)
            self.facts.addWidget(text, i // 2, (i % 2) * 2 + 1)
        self.facts.setColumnStretch(1, 1)
        self.facts.setColumnStretch(3, 1)

    def _fill_files(self, files: list[dict]) -> None:
        self.files.clear()
        self.files_box.setVisible(bool(files))
        for f in files:
            item = QListWidgetItem(f["filename"])
            if (f.get("mime") or "").startswith("image/") and attachments.has_blob(self.ctx.desk, f["sha256"]):
                pix = QPixmap()
                pix.loadFromData(attachments.read_blob(self.ctx.desk, f["sha256"]) or b"")
                if not pix.isNull():
                    item.setIcon(QIcon(pix.scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation)))
            item.setData(Qt.ItemDataRole.UserRole, (f["sha256"], f["filename"]))
            self.files.addItem(item)

    def _open_file(self, item: QListWidgetItem) -> None:
        """Open with the system's viewer: the sealed file is decrypted into a private temporary
        folder (0700) for the viewer; the operator chose to show it."""
        import tempfile  # only opening an attachment needs it
        from pathlib import Path

        sha, name = item.data(Qt.ItemDataRole.UserRole)
        data = attachments.read_blob(self.ctx.desk, sha)
        if data is None:
            return
        folder = Path(tempfile.mkdtemp(prefix="towndesk-view-"))
        path = folder / Path(name).name
        path.write_bytes(data)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # -- actions -------------------------------------------------------------------------------
    def _set_buttons(self, allowed: list[str]) -> None:
        for b in self.buttons.values():
            self.buttons_box.removeWidget(b)
            b.hide()
            b.deleteLater()
        self.buttons = {}
        at = 0
        n = 0
        for kind in allowed:
            if kind in NO_BUTTON:
                continue
            n += 1
            b = QPushButton(wf.ACTIONS[kind].label + (f" (Alt+{n})" if n <= 9 else ""))
            b.setObjectName(f"act_{kind}")
            if n <= 9:  # the hint is on the button itself, not only in a tooltip
                b.setShortcut(QKeySequence(f"Alt+{n}"))
                b.setToolTip(f"{wf.ACTIONS[kind].label} (Alt+{n})")
            b.clicked.connect(lambda _=False, k=kind: self.start_action(k))
            self.buttons[kind] = b
            self.buttons_box.insertWidget(at, b)
            b.setVisible(self.buttons_row.isVisible())  # Alt+n works at once, not after the next paint
            at += 1
        if "attach" in allowed:
            b = QPushButton("添加附件")
            b.setObjectName("act_attach")
            b.clicked.connect(self.add_attachment)
            self.buttons["attach"] = b
            self.buttons_box.insertWidget(at, b)

    def start_action(self, kind: str) -> ActionDialog:
        self.dialog = ActionDialog(self.ctx, self.case, kind, self)
        self.dialog.done.connect(self._action_done)
        self.dialog.open()
        return self.dialog

    def _action_done(self, view: dict) -> None:
        self.caseChanged.emit(view["case_no"])
        self.load(view["case_no"])

    def add_attachment(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "选择附件", documents_dir())
        if not path or not self.case:
            return
        self.ctx.tasks.run(attach_file, self.ctx.desk, self.ctx.actor, self.case["case_no"], path,
                           on_done=self._action_done)
