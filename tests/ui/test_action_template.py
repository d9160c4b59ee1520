"""The template promise: one declaration (app.domain.actions) and a new action shows up in the
generated dialog, the workflow's allowed buttons, the service's validation, the fold and the
dossier text, without touching any other file. The action is registered for this test only."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QPlainTextEdit

from app.admin.integrity import rebuild_differences
from app.cases import handling, intake, queries
from app.cases.dispatch import dispatch
from app.domain import actions as declared
from app.domain import workflow as wf
from app.domain.schema import Field
from app.dossier.casetext import describe
from app.dossier.layout import PrintContext
from app.errors import ValidationError
from tests.conftest import load_actors, sample_case
from ui.action_dialogs import fields_for

LEVELS = {"low": "一般关注", "high": "重点关注"}


def _effect(case, action, payload):
    case.last_reason = f"回访提醒：{payload['note']}"


@pytest.fixture
def ping():
    spec = declared.register(declared.Action(
        "test_ping", "测试提醒", frozenset({wf.DIRECTOR, wf.ADMIN}), {wf.IN_PROGRESS: None},
        fields=(Field("note", "提醒内容", required=True, max_len=50),
                Field("level", "关注程度", "choice", choices=LEVELS)),
        effect=_effect,
        words=lambda p, w: [f"{LEVELS.get(p.get('level'), '')}提醒"]))
    yield spec
    declared.unregister("test_ping")


def _case_in_progress(desk) -> str:
    who = load_actors(desk)
    no = intake.take_in(desk, who["intake"], sample_case(title="模板测试件", auto_dispatch=False))["case_no"]
    dispatch(desk, who["dispatcher"], no, "D01")
    handling.act(desk, who["unit"], no, "sign")
    return no


def test_a_declared_action_reaches_dialog_service_fold_and_dossier(ping, desk, open_window, qtbot):
    no = _case_in_progress(desk)
    who = load_actors(desk)

    # workflow: allowed for the director on this case, not for the unit
    assert "test_ping" in queries.show_case(desk, who["director"], no)["allowed_actions"]
    assert "test_ping" not in queries.show_case(desk, who["unit"], no)["allowed_actions"]

    # the service validates against the declaration before anything is written
    with pytest.raises(ValidationError) as bad:
        handling.act(desk, who["director"], no, "test_ping", {"note": "x" * 51})
    assert bad.value.field == "note" and "提醒内容" in bad.value.message
    with pytest.raises(ValidationError) as bad:
        handling.act(desk, who["director"], no, "test_ping", {"note": "请跟进", "level": "urgent"})
    assert bad.value.field == "level"

    # the dialog is generated from the declaration: labels, widgets, choices
    assert [(f.key, f.label) for f in fields_for("test_ping")] == [("note", "提醒内容"), ("level", "关注程度")]
    window = open_window(desk, "director")
    window.open_case(no)
    detail = window.detail
    qtbot.waitUntil(lambda: "test_ping" in detail.buttons, timeout=3000)
    assert detail.buttons["test_ping"].text().startswith("测试提醒")
    dialog = detail.start_action("test_ping")
    assert isinstance(dialog.inputs["note"], QPlainTextEdit)
    combo = dialog.inputs["level"]
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["（不变）", "一般关注", "重点关注"]
    dialog.inputs["note"].setPlainText("周五前回访当事人")
    combo.setCurrentIndex(combo.findData("high"))
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)

    # the fold applied the declared effect, and a rebuild from the log agrees with the stored row
    shown = queries.show_case(desk, who["director"], no)
    assert shown["last_reason"] == "回访提醒：周五前回访当事人"
    assert shown["actions"][-1]["kind"] == "test_ping"
    assert shown["actions"][-1]["label"] == "测试提醒"
    assert rebuild_differences(desk)["differences"] == 0

    # the dossier text speaks the declared wording (and adds the note, as for every action)
    text = describe(shown["actions"][-1], PrintContext(town_name="府山街道", operator="值班长"))
    assert text == "重点关注提醒；周五前回访当事人"


def test_unregistered_after_the_test():
    assert "test_ping" not in wf.ACTIONS
