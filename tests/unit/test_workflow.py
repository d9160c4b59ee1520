"""The workflow table, edge by edge: every allowed move and every forbidden one."""
import itertools

import pytest

from app.domain import workflow as wf
from app.errors import PermissionDenied, ValidationError, WorkflowError

R, D, P, S, V, C = wf.REGISTERED, wf.DISPATCHED, wf.IN_PROGRESS, wf.SUSPENDED, wf.REVIEW, wf.CALLBACK
X, A, E, M, J = wf.CLOSED, wf.ARCHIVED, wf.ESCALATED, wf.MERGED, wf.REJECTED
OPEN = (R, D, P, S, V, C, E)

# Written out by hand from ARCHITECTURE.md section 2: (state, action) -> next state.
EDGES = {
    (R, "dispatch"): D, (R, "escalate"): E, (R, "merge"): M, (R, "reject"): J, (R, "answer"): C,
    (D, "sign"): P, (D, "return"): R, (D, "escalate"): E, (P, "escalate"): E,
    (P, "request_close"): V, (P, "suspend"): S, (S, "resume"): P,
    (V, "approve_close"): C, (V, "reject_close"): P, (C, "callback"): X,
    (X, "archive"): A, (X, "reopen"): X,
    (E, "dispatch"): D, (E, "assign_down"): R, (M, "unmerge"): R,
    (R, "grid_solve"): X,  # 网格上报 当场解决 (issue 17, docs/INDICATORS.md "Grid figures")
}
# Actions that never change state, and where they are allowed.
STAY = {
    "transfer": (D, P), "cohandle": (D, P), "progress": (P, S), "comment": wf.STATES,
    "attach": OPEN + (X,), "edit": OPEN, "urge": (D, P, S, V), "urge_reply": (D, P, S, V), "instruct": OPEN,
    "extend_request": (D, P), "extend_approve": (D, P), "flag": OPEN,
}
PAYLOAD = {
    "unit": "D01", "reason": "理由", "result": "结果", "close_type": "substantive", "satisfaction": "satisfied",
    "note": "说明", "level": "normal", "into": "FS-20261127-01-0001", "days": 3, "instruction": "批示",
    "sha256": "0" * 64, "filename": "a.jpg", "title": "新标题",
}


def expected(state, action):
    if (state, action) in EDGES:
        return EDGES[(state, action)]
    if action in STAY and state in STAY[action]:
        return state
    return None


@pytest.mark.parametrize("state,action", list(itertools.product(wf.STATES, [a for a in wf.ACTIONS if a != "intake"])))
def test_every_state_action_pair(state, action):
    payload = {k: PAYLOAD[k] for k in wf.ACTIONS[action].required}
    if action == "edit":
        payload = {"changes": {"title": {"from": "旧标题", "to": "新标题"}}}
    want = expected(state, action)
    if want is None:
        with pytest.raises(WorkflowError):
            wf.judge(state, action, wf.ADMIN, payload)
    else:
        assert wf.judge(state, action, wf.ADMIN, payload) == want


def test_table_has_no_edges_beyond_the_hand_written_ones():
    for action in wf.ACTIONS.values():
        for state in action.moves:
            assert expected(state, action.name) is not None, (state, action.name)


@pytest.mark.parametrize("action", [a for a in wf.ACTIONS if a != "intake"])
def test_wrong_roles_are_refused(action):
    spec = wf.ACTIONS[action]
    state = next(iter(spec.moves))
    payload = {k: PAYLOAD[k] for k in spec.required}
    for role in (wf.INTAKE, wf.DISPATCHER, wf.DIRECTOR, wf.UNIT, wf.SYSTEM, wf.DISTRICT):
        if role in spec.roles:
            continue
        with pytest.raises(PermissionDenied) as err:
            wf.judge(state, action, role, payload)
        assert "无权" in err.value.message


def test_role_assignment_follows_the_architecture():
    assert wf.ACTIONS["sign"].roles == {wf.UNIT, wf.ADMIN}
    assert wf.ACTIONS["approve_close"].roles == {wf.DIRECTOR, wf.ADMIN}
    assert wf.ACTIONS["callback"].roles == {wf.INTAKE, wf.ADMIN}
    assert wf.SYSTEM in wf.ACTIONS["dispatch"].roles
    assert wf.DISTRICT in wf.ACTIONS["assign_down"].roles


def test_unsatisfied_callback_with_unit_at_fault_goes_back_to_the_unit():
    assert wf.judge(C, "callback", wf.INTAKE, {"satisfaction": "unsatisfied", "unit_at_fault": True}) == P
    assert wf.judge(C, "callback", wf.INTAKE, {"satisfaction": "unsatisfied"}) == X
    assert wf.judge(C, "callback", wf.INTAKE, {"satisfaction": "basic"}) == X


@pytest.mark.parametrize("action,key,label", [("return", "reason", "退回理由"), ("reject", "reason", "不予受理理由"),
                                              ("request_close", "result", "办理结果"), ("suspend", "reason", "挂账理由")])
def test_required_reasons_name_the_field(action, key, label):
    state = next(iter(wf.ACTIONS[action].moves))
    with pytest.raises(ValidationError) as err:
        wf.judge(state, action, wf.ADMIN, {})
    assert err.value.field == key and label in err.value.message


def test_choices_are_checked():
    with pytest.raises(ValidationError, match="满意度"):
        wf.judge(C, "callback", wf.INTAKE, {"satisfaction": "great"})
    with pytest.raises(ValidationError, match="办结类型"):
        wf.judge(P, "request_close", wf.UNIT, {"result": "x", "close_type": "done"})
    with pytest.raises(ValidationError, match="延期天数"):
        wf.judge(P, "extend_request", wf.UNIT, {"days": 0, "reason": "x"})


def test_allowed_actions_for_buttons():
    assert wf.allowed_actions(D, wf.UNIT)[:2] == ["sign", "return"]
    assert "approve_close" not in wf.allowed_actions(V, wf.UNIT)
    assert "approve_close" in wf.allowed_actions(V, wf.DIRECTOR)
