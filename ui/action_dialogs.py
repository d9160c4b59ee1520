"""One small dialog per workflow action, its inputs generated from the action's declaration
(app.domain.actions: labels, types, choices, required)."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain import workflow as wf
from app.domain.schema import Field
from app.errors import AppError
from ui import workers
from ui.errors import present_error
from ui.widgets.form import FormErrors
from ui.widgets.pickers import UnitPicker

# How each declared field type is asked for (a field's ``widget`` overrides this).
WIDGETS = {"text": "text", "line": "line", "name": "line", "code": "line", "choice": "choice", "date": "date",
           "datetime": "date", "bool": "bool", "int": "days", "number": "days", "codes": "units"}


def fields_for(kind: str) -> tuple[Field, ...]:
    """The inputs of an action's dialog, from its declaration (app.domain.actions)."""
    return wf.ACTIONS[kind].dialog


def widget_of(f: Field) -> str:
    return f.widget or WIDGETS.get(f.type, "line")


class ActionDialog(QDialog):
    """Asks for one action's payload and carries it out in the background (writer executor)."""

    done = Signal(dict)  # the case view after the action

    def __init__(self, ctx, case: dict, kind: str, parent: QWidget | None = None,
                 case_nos: list[str] | None = None):
        super().__init__(parent)
        self.ctx, self.case, self.kind = ctx, case, kind
        self.case_nos = case_nos or [case["case_no"]]
        spec = wf.ACTIONS[kind]
        many = f"（共 {len(self.case_nos)} 件）" if len(self.case_nos) > 1 else ""
        self.setWindowTitle(f"{spec.label} — {case['case_no']}{many}")
        self.setObjectName(f"action_{kind}")
        self.setMinimumWidth(440)
        self.errors = FormErrors()
        self.inputs: dict[str, QWidget] = {}
        form = QFormLayout()
        from app.reference.phrases import ACTION_FIELDS
        from ui.widgets.phrases import with_phrases

        for f in fields_for(kind):
            widget = self._make(f)
            self.inputs[f.key] = widget
            shown = widget
            if (kind, f.key) in ACTION_FIELDS and isinstance(widget, QPlainTextEdit | QLineEdit):
                shown = with_phrases(ctx, widget, ACTION_FIELDS[(kind, f.key)])  # 常用语 (F4)
            form.addRow(f.label + ("＊" if f.required else ""), self.errors.box(f.key, shown))
        self.errors.alias("action", next(iter(self.errors.boxes)))
        self.general = QLabel()
        self.general.setObjectName("fieldError")
        self.general.setWordWrap(True)
        self.general.hide()
        self.errors.fallback = self.general
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(spec.label)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setProperty("primary", True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"{spec.label} (Ctrl+Enter)")
        for seq in ("Ctrl+Return", "Ctrl+Enter"):  # submits from any field, multi-line text included
            QShortcut(QKeySequence(seq), self, activated=self.submit)
        from ui.keys import hand_back_focus

        hand_back_focus(self)
        lay = QVBoxLayout(self)
        head = QLabel(f"{case['case_no']}　{case.get('title') or ''}" if len(self.case_nos) == 1 else
                      f"已选 {len(self.case_nos)} 件：" + "、".join(self.case_nos[:5]) + ("…" if len(self.case_nos) > 5 else ""))
        head.setObjectName("hint")
        head.setWordWrap(True)
        lay.addWidget(head)
        lay.addLayout(form)
        lay.addWidget(self.general)
        lay.addWidget(self.buttons)

    def showEvent(self, event) -> None:  # noqa: N802 — Qt override
        """Opened: the keyboard goes to the first input at once (type, Tab, Ctrl+Enter)."""
        super().showEvent(event)
        self.activateWindow()
        first = next(iter(self.inputs.values()), None)
        if first is not None:
            first.setFocus()

    def _make(self, f: Field) -> QWidget:
        refs = self.ctx.desk.refs()
        kind = widget_of(f)
        if kind == "text":
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setFixedHeight(80)
        elif kind == "line":
            w = QLineEdit()
        elif kind == "unit":
            w = UnitPicker(refs)
            if f.key == "unit" and self.kind == "dispatch":
                routing = self.case.get("routing") or {}
                if (routing.get("unit") or {}).get("code"):
                    w.set_code(routing["unit"]["code"])
        elif kind == "units":
            w = QListWidget()
            w.setFixedHeight(110)
            for u in sorted(refs.units.values(), key=lambda u: u.code):
                item = QListWidgetItem(u.name)
                item.setData(Qt.ItemDataRole.UserRole, u.code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                w.addItem(item)
        elif kind == "choice":
            w = QComboBox()
            # no default: one Return must not record an answer nobody gave (满意度, 办结类型)
            w.addItem("（不变）" if not f.required else "（请选择）", None)
            for code, label in (f.choices or {}).items():
                w.addItem(label, code)
        elif kind == "date":
            w = QDateEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setSpecialValueText("（默认）")
            w.setMinimumDate(QDate(2000, 1, 1))
            w.setDate(w.minimumDate())
        elif kind == "bool":
            w = QCheckBox()
        elif kind == "days":
            w = QSpinBox()
            w.setRange(max(1, int(f.low or 1)), int(f.high or 60))
            w.setValue(min(3, w.maximum()))
        else:
            raise ValueError(kind)
        w.setObjectName(f"input_{f.key}")
        return w

    def set_value(self, key: str, value) -> None:
        """Fill one input (tests and pre-filling)."""
        w = self.inputs[key]
        if isinstance(w, UnitPicker):
            w.set_code(value)
        elif isinstance(w, QPlainTextEdit | QLineEdit):
            w.setPlainText(value) if isinstance(w, QPlainTextEdit) else w.setText(value)
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(w.findData(value))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value))
        elif isinstance(w, QDateEdit):
            w.setDate(QDate.fromString(value, "yyyy-MM-dd"))

    def payload(self) -> dict:
        out = {}
        for f in fields_for(self.kind):
            w = self.inputs[f.key]
            if isinstance(w, UnitPicker):
                w.resolve()
                value = w.code()
            elif isinstance(w, QPlainTextEdit):
                value = w.toPlainText().strip()
            elif isinstance(w, QLineEdit):
                value = w.text().strip()
            elif isinstance(w, QListWidget):
                value = [w.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.count())
                         if w.item(i).checkState() == Qt.CheckState.Checked]
            elif isinstance(w, QComboBox):
                value = w.currentData()
            elif isinstance(w, QDateEdit):
                value = None if w.date() == w.minimumDate() else w.date().toString("yyyy-MM-dd")
            elif isinstance(w, QCheckBox):
                value = w.isChecked()
            else:
                value = w.value()
            if value not in (None, "", []):
                out[f.key] = value
        if self.kind == "edit" and "field" in out:
            out = {out["field"]: out.get("value", ""), **({"note": out["note"]} if "note" in out else {})}
        return out

    def submit(self) -> None:
        if not self.buttons.isEnabled():
            return  # already submitting
        self.errors.clear()
        payload = self.payload()
        for f in fields_for(self.kind):
            if f.required and f.key not in payload and not (self.kind == "edit"):
                self.errors.show(f.key, f"请{'选择' if widget_of(f) == 'choice' else '填写'}{f.label}")
                return
        self.buttons.setEnabled(False)
        self.ctx.tasks.run(workers.act_on_cases, self.ctx.desk, self.ctx.actor, self.case_nos, self.kind,
                           payload, kind="write", on_done=self._done, on_error=self._failed)

    def _done(self, views: list[dict]) -> None:
        self.buttons.setEnabled(True)
        self.views = views
        self.done.emit(views[0])
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, AppError):
            field = exc.field
            if self.kind == "edit" and field not in self.inputs:
                field = "value"
            self.errors.show(field, exc.message)
        else:
            present_error(exc, self)

