"""矛盾调处 dialogs: 转调解 (open a dispute on a case, from the intake window or the 调解 page),
指派调解员, 记录调解 and 结案. Each builds the service's input, runs the write off the UI thread
(ctx.tasks) and shows a refused input's Chinese message at the form; ``done`` carries the result."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from app.domain import mediation as md
from app.domain.timezone import LOCAL_TZ
from app.errors import AppError
from app.mediation import services
from app.reference.records import list_refs
from ui.errors import present_error


class _Form(QDialog):
    """A form dialog: rows, an error line, OK/Cancel; Ctrl+Enter submits."""

    done = Signal(dict)

    def __init__(self, ctx, title: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color:#c62828")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定 (Ctrl+Enter)")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.submit)

    def data(self) -> dict:
        raise NotImplementedError

    def call(self, data: dict):
        raise NotImplementedError

    def submit(self) -> None:
        self.error.clear()
        self.buttons.setEnabled(False)
        self.ctx.tasks.run(self.call, self.data(), kind="write", on_done=self._ok, on_error=self._failed)

    def _ok(self, result: dict) -> None:
        self.buttons.setEnabled(True)
        self.ctx.bus.publish("dispute_changed", {"dispute_no": result.get("dispute_no")})
        self.done.emit(result)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, AppError):
            self.error.setText(exc.message + (f"（{exc.field}）" if exc.field else ""))
        else:
            present_error(exc, self)


class _PartyRow:
    def __init__(self, form: QFormLayout, label: str, party: dict | None = None):
        party = party or {}
        self.name, self.id_no, self.phone, self.address = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.name.setPlaceholderText("姓名")
        self.id_no.setPlaceholderText("身份证号码（选填）")
        self.phone.setPlaceholderText("联系电话")
        self.address.setPlaceholderText("住址")
        for w, key in ((self.name, "name"), (self.id_no, "id_no"), (self.phone, "phone"), (self.address, "address")):
            w.setText(party.get(key) or "")
        form.addRow(f"{label}姓名", self.name)
        form.addRow(f"{label}身份证", self.id_no)
        form.addRow(f"{label}电话", self.phone)
        form.addRow(f"{label}住址", self.address)

    def value(self, role: str) -> dict:
        out = {"role": role, "name": self.name.text().strip()}
        for key, w in (("id_no", self.id_no), ("phone", self.phone), ("address", self.address)):
            if w.text().strip():
                out[key] = w.text().strip()
        return out


class OpenDisputeDialog(_Form):
    """转调解: the case's reporter becomes the applicant; the operator adds the other side."""

    def __init__(self, ctx, case: dict, parent=None):
        super().__init__(ctx, f"转调解 — {case['case_no']}", parent)
        self.setObjectName("openDisputeDialog")
        self.case_no = case["case_no"]
        self.type = QComboBox()
        self.type.addItems(md.DISPUTE_TYPES)
        self.source = QComboBox()
        self.source.addItems(md.SOURCES)
        self.form.addRow("纠纷类型", self.type)
        self.form.addRow("纠纷来源", self.source)
        reporter = {k: v for k, v in (case.get("reporter") or {}).items() if v and "*" not in str(v)}
        self.applicant = _PartyRow(self.form, "申请人", reporter)
        self.respondent = _PartyRow(self.form, "被申请人")
        for row in (self.applicant, self.respondent):  # a refused input's message goes once it is edited
            for w in (row.name, row.id_no, row.phone):
                w.textChanged.connect(self.error.clear)
        self.amount = QDoubleSpinBox()
        self.amount.setRange(0, 10**9)
        self.amount.setDecimals(2)
        self.persons = QSpinBox()
        self.persons.setRange(1, 100000)
        self.persons.setValue(max(2, int(case.get("persons") or 1)))
        self.criminal = QCheckBox("有民转刑风险")
        self.facts = QPlainTextEdit(case.get("description") or "")
        self.facts.setTabChangesFocus(True)
        self.form.addRow("涉及金额（元）", self.amount)
        self.form.addRow("涉及人数", self.persons)
        self.form.addRow("", self.criminal)
        self.form.addRow("纠纷事实", self.facts)

    def data(self) -> dict:
        return {"type": self.type.currentText(), "source": self.source.currentText(),
                "parties": [self.applicant.value("applicant"), self.respondent.value("respondent")],
                "amount": self.amount.value(), "persons": self.persons.value(),
                "criminal_risk": self.criminal.isChecked(), "facts": self.facts.toPlainText()}

    def call(self, data: dict):
        return services.open_dispute(self.ctx.desk, self.ctx.actor, self.case_no, data)


class AssignDialog(_Form):
    def __init__(self, ctx, dispute: dict, parent=None):
        super().__init__(ctx, f"指派调解员 — {dispute['dispute_no']}", parent)
        self.setObjectName("assignDialog")
        self.no = dispute["dispute_no"]
        self.mediator = QComboBox()
        self.co = QListWidget()
        for m in list_refs(ctx.desk, "mediators"):
            label = f"{m['name']}（{md.MEDIATOR_KIND_WORDS.get(m['kind'], m['kind'])}，{m['org'] or ''}）"
            self.mediator.addItem(label, m["code"])
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, m["code"])
            item.setCheckState(Qt.CheckState.Unchecked)
            self.co.addItem(item)
        if dispute.get("mediator"):
            self.mediator.setCurrentIndex(max(0, self.mediator.findData(dispute["mediator"])))
        self.form.addRow("主调解员", self.mediator)
        self.form.addRow("协助调解员", self.co)

    def co_codes(self) -> list[str]:
        return [self.co.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.co.count())
                if self.co.item(i).checkState() == Qt.CheckState.Checked]

    def data(self) -> dict:
        return {"mediator": self.mediator.currentData(), "co": self.co_codes()}

    def call(self, data: dict):
        return services.assign(self.ctx.desk, self.ctx.actor, self.no, data["mediator"], data["co"])


class SessionDialog(_Form):
    def __init__(self, ctx, dispute: dict, parent=None):
        super().__init__(ctx, f"记录调解 — {dispute['dispute_no']}", parent)
        self.setObjectName("sessionDialog")
        self.no = dispute["dispute_no"]
        self.at = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(ctx.desk.now().timestamp())))
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.place = QLineEdit()
        self.attendees = QLineEdit(
            "、".join(p["name"] for p in dispute.get("parties") or [] if p.get("name")))
        self.attendees.setPlaceholderText("姓名，用、分隔")
        self.record = QPlainTextEdit()
        self.record.setTabChangesFocus(True)
        self.outcome = QComboBox()
        for code, label in md.OUTCOMES.items():
            self.outcome.addItem(label, code)
        self.outcome.addItem("计划（巡回调解安排）", None)
        for label, w in (("调解时间", self.at), ("调解地点", self.place), ("参加人员", self.attendees),
                         ("调解笔录", self.record), ("调解结果", self.outcome)):
            self.form.addRow(label, w)

    def data(self) -> dict:
        at = datetime.fromtimestamp(self.at.dateTime().toSecsSinceEpoch(), LOCAL_TZ)
        names = [n.strip() for n in self.attendees.text().replace(",", "、").replace("，", "、").split("、") if n.strip()]
        out = {"at": at.isoformat(), "place": self.place.text(), "attendees": names,
               "record": self.record.toPlainText()}
        if self.outcome.currentData():
            out["outcome"] = self.outcome.currentData()
        return out

    def call(self, data: dict):
        return services.record_session(self.ctx.desk, self.ctx.actor, self.no, data)


class CloseDialog(_Form):
    def __init__(self, ctx, dispute: dict, parent=None):
        super().__init__(ctx, f"结案 — {dispute['dispute_no']}", parent)
        self.setObjectName("closeDialog")
        self.no = dispute["dispute_no"]
        self.means = QComboBox()
        for code, label in md.MEANS.items():
            self.means.addItem(label, code)
        self.success = QCheckBox("化解成功")
        self.success.setChecked(True)
        self.facts = QPlainTextEdit(dispute.get("facts") or "")
        self.terms = QPlainTextEdit()
        self.terms.setPlaceholderText("每行一条协议内容")
        self.performance = QLineEdit()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("调解不成时填写")
        for label, w in (("化解方式", self.means), ("", self.success), ("纠纷事实与争议焦点", self.facts),
                         ("协议内容", self.terms), ("履行方式与期限", self.performance), ("调解不成的原因", self.reason)):
            self.form.addRow(label, w)

    def data(self) -> dict:
        out = {"means": self.means.currentData(), "success": self.success.isChecked()}
        terms = [t.strip() for t in self.terms.toPlainText().splitlines() if t.strip()]
        if terms or self.performance.text().strip():
            out["agreement"] = {"facts": self.facts.toPlainText(), "terms": terms,
                                "performance": self.performance.text()}
        if self.reason.text().strip():
            out["reason"] = self.reason.text()
        return out

    def call(self, data: dict):
        return services.close_dispute(self.ctx.desk, self.ctx.actor, self.no, data)
