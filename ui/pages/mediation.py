"""调解: the dispute queue (三色, the 30-day clock, 司法确认 reminders) and the selected dispute's
detail — parties, sessions, the 卷宗's missing documents — with 指派调解员, 记录调解, 结案 and the
documents (人民调解协议书, 卷宗)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import mediation as md
from app.mediation import printing, queries
from ui.format import local
from ui.mediation_dialogs import AssignDialog, CloseDialog, SessionDialog
from ui.pages.base import Page

COLUMNS = ("纠纷编号", "案件编号", "纠纷类型", "来源", "难易", "三色", "状态", "调解员", "调解期限")
SESSION_COLUMNS = ("时间", "地点", "参加人员", "结果")
BACKGROUND = {"red": "#f8d4d4", "yellow": "#fff2c0", "green": "#d8f0d8"}


def _text(t: str | None) -> str:
    return local(t) if t else ""


class MediationPage(Page):
    key = "mediation"
    title = "调解"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.items: list[dict] = []
        self.current: dict | None = None
        self.dialog = None
        self.state = QComboBox()
        self.state.setObjectName("mediationState")
        for label, code in (("未结案", "open"), ("全部", None), *((v, k) for k, v in md.STATES.items())):
            self.state.addItem(label, code)
        self.color = QComboBox()
        self.color.setObjectName("mediationColor")
        self.color.addItem("全部颜色", None)
        for code, label in md.COLOURS.items():
            self.color.addItem(label, code)
        self.state.currentIndexChanged.connect(self.refresh)
        self.color.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("mediationSummary")
        top = QHBoxLayout()
        top.addWidget(QLabel("状态"))
        top.addWidget(self.state)
        top.addWidget(QLabel("三色"))
        top.addWidget(self.color)
        top.addWidget(self.summary, 1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("disputeTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.cellDoubleClicked.connect(self._open_case)

        self.detail = QLabel("选择一件纠纷查看详情")
        self.detail.setObjectName("disputeDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail.setMinimumHeight(190)  # a wrapped rich-text label gets no height from the layout otherwise
        self.sessions = QTableWidget(0, len(SESSION_COLUMNS))
        self.sessions.setObjectName("sessionTable")
        self.sessions.setHorizontalHeaderLabels(SESSION_COLUMNS)
        self.sessions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sessions.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.assign_button = QPushButton("指派调解员")
        self.session_button = QPushButton("记录调解")
        self.close_button = QPushButton("结案")
        self.agreement_button = QPushButton("人民调解协议书")
        self.dossier_button = QPushButton("卷宗")
        self.assign_button.clicked.connect(lambda: self._dialog(AssignDialog))
        self.session_button.clicked.connect(lambda: self._dialog(SessionDialog))
        self.close_button.clicked.connect(lambda: self._dialog(CloseDialog))
        self.agreement_button.clicked.connect(lambda: self.preview("agreement"))
        self.dossier_button.clicked.connect(lambda: self.preview("mediation_dossier"))
        buttons = QHBoxLayout()
        for b in (self.assign_button, self.session_button, self.close_button, self.agreement_button,
                  self.dossier_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.detail)
        rl.addWidget(QLabel("调解记录"))
        rl.addWidget(self.sessions, 1)
        rl.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        ctx.bus.anyEvent.connect(self._event)
        self._buttons()

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.run(queries.list_disputes, self.ctx.desk, self.ctx.actor, self.state.currentData(),
                           self.color.currentData(), kind="read", on_done=self._show)

    def _event(self, name: str, payload: dict) -> None:
        if name == "dispute_changed":
            self.refresh()

    def _show(self, items: list[dict]) -> None:
        keep = self.current["dispute_no"] if self.current else None
        self.items = items
        self.table.setRowCount(len(items))
        for r, d in enumerate(items):
            values = (d["dispute_no"], d["case_no"], d["type"], d["source"], d["difficulty"], d["color_label"],
                      d["state_label"], d.get("mediator") or "未指派", _text(d["due_at"]))
            for c, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                if c == 5:
                    item.setBackground(QColor(BACKGROUND[d["color"]]))
                self.table.setItem(r, c, item)
        red = sum(1 for d in items if d["color"] == "red")
        reminders = sum(1 for d in items if (d.get("judicial_reminder") or {}).get("level") in ("soon", "overdue"))
        self.summary.setText(f"共 {len(items)} 件，红色 {red} 件；司法确认临近或逾期 {reminders} 件")
        rows = [i for i, d in enumerate(items) if d["dispute_no"] == keep]
        if rows:
            self.table.selectRow(rows[0])
        elif items:
            self.table.selectRow(0)
        else:
            self.current = None
            self._detail(None)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        no = self.items[rows[0].row()]["dispute_no"]
        self.ctx.tasks.run(queries.show_dispute, self.ctx.desk, self.ctx.actor, no, kind="read",
                           on_done=self._detail)

    def _detail(self, d: dict | None) -> None:
        self.current = d
        self._buttons()
        if d is None:
            self.detail.setText("选择一件纠纷查看详情")
            self.sessions.setRowCount(0)
            return
        parties = "；".join(f"{p['role_label']} {p['name']}" + (f"（{p['phone']}）" if p.get("phone") else "")
                           for p in d["parties"])
        lines = [f"<b>{d['dispute_no']}</b>　{d['title']}",
                 f"{d['type']} · {d['source']} · {d['difficulty']} · 三色：{d['color_label']}（{d['grade_lead']}）",
                 f"当事人：{parties}",
                 f"调解员：{d.get('mediator_name') or '未指派'}"
                 + (f"；协助：{'、'.join(d['co_mediator_names'])}" if d["co_mediator_names"] else ""),
                 f"受理 {_text(d['opened_at'])}，调解期限 {_text(d['due_at'])}（30 个工作日"
                 + (f"，已延长 {d['extension_days']:g} 日" if d["extension_days"] else "") + "）"]
        if d["state"] == "closed":
            lines.append(f"结案：{d['means_label']}，{'化解成功' if d['success'] else '调解不成：' + (d['reason'] or '')}")
        if d.get("judicial_reminder"):
            lines.append(f"<span style='color:#c62828'>司法确认：{d['judicial_reminder']['text']}</span>")
        missing = "、".join(d["missing_documents"]) or "无，卷宗完整"
        lines.append(f"卷宗缺少：{missing}")
        self.detail.setText("<br>".join(lines))
        self.sessions.setRowCount(len(d["sessions"]))
        for r, x in enumerate(d["sessions"]):
            for c, v in enumerate((_text(x["at"]), x["place"], "、".join(x["attendees"]), x["outcome_label"])):
                self.sessions.setItem(r, c, QTableWidgetItem(v))

    def _buttons(self) -> None:
        d = self.current
        open_ = bool(d) and d["state"] != "closed"
        for b in (self.assign_button, self.session_button, self.close_button):
            b.setEnabled(open_)
        self.agreement_button.setEnabled(bool(d) and bool(d.get("agreement")))
        self.dossier_button.setEnabled(bool(d))

    # -- actions -------------------------------------------------------------------------------
    def _dialog(self, cls) -> None:
        if self.current is None:
            return
        self.dialog = cls(self.ctx, self.current, self)
        self.dialog.done.connect(lambda _r: self.refresh())
        self.dialog.open()

    def preview(self, kind: str, on_open=None):
        """Generate the document in the background, then open the preview."""
        if self.current is None:
            return None
        no = self.current["dispute_no"]
        out = Path(tempfile.mkdtemp(prefix="towndesk-print-")) / f"{no}-{printing.KINDS[kind]}.pdf"
        fn = printing.print_agreement if kind == "agreement" else printing.print_dossier

        def done(res: dict) -> None:
            from ui.preview import PdfPreviewDialog  # QtPdf loads with the first preview
            from ui.printing_actions import fit_to_screen

            dialog = PdfPreviewDialog(res["path"], f"{res['kind_label']}预览 — {no}", self,
                                      suggested_name=Path(res["path"]).name, delete_on_close=True)
            fit_to_screen(dialog)
            dialog.show()
            self.dialog = dialog
            if on_open:
                on_open(dialog)

        return self.ctx.tasks.run(fn, self.ctx.desk, self.ctx.actor, no, out, kind="read",
                                  on_done=done, progress_label=f"正在生成{printing.KINDS[kind]}…")

    def _open_case(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.items):
            self.openCase.emit(self.items[row]["case_no"])
