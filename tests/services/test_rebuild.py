"""Rebuild-from-log equals the stored rows after a long random action sequence (hypothesis)."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.admin.integrity import rebuild_differences
from app.cases import handling, intake
from app.cases.queries import show_case
from app.domain import workflow as wf
from app.errors import AppError
from app.store import facts
from app.supervision import indicators as si
from tests.conftest import sample_case

PAYLOADS = {
    "dispatch": {"unit": "D01"}, "transfer": {"unit": "P01", "reason": "属派出所职责"},
    "return": {"reason": "非本单位职责"}, "reject": {"reason": "不属于受理范围"},
    "reject_close": {"reason": "结果不完整"}, "reopen": {"reason": "群众再次反映"},
    "suspend": {"reason": "等待鉴定"}, "escalate": {"reason": "跨部门"},
    "request_close": {"result": "已处理", "close_type": "substantive"},
    "callback": {"satisfaction": "unsatisfied", "unit_at_fault": True}, "progress": {"note": "进展"},
    "comment": {"note": "备注"}, "urge": {"level": "yellow", "instruction": "尽快办理"},
    "urge_reply": {"note": "已加快办理"}, "extend_request": {"days": 2, "reason": "需会商"},
    "instruct": {"instruction": "高度重视"}, "cohandle": {"unit": "D02"}, "answer": {"result": "已答复"},
    "flag": {"major": True}, "edit": {"title": "更正后的标题"}, "merge": {}, "assign_down": {},
}
ROLE_USERS = {wf.INTAKE: "intake", wf.DISPATCHER: "dispatcher", wf.DIRECTOR: "director", wf.ADMIN: "admin"}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choices=st.lists(st.integers(min_value=0, max_value=10_000), min_size=60, max_size=120))
def test_rebuild_equals_stored_after_random_actions(desk, actors, clock, choices):
    cases = [intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=i % 2 == 0))["case_no"]
             for i in range(3)]
    done = 0
    for n in choices:
        no = cases[n % len(cases)]
        view = show_case(desk, actors["admin"], no)
        allowed = [a for a in view["allowed_actions"] if a not in ("attach", "merge", "assign_down")]
        kind = allowed[n % len(allowed)]
        payload = dict(PAYLOADS.get(kind, {}))
        if kind == "edit":
            payload = {"title": f"更正标题{n}"}
        clock.advance(minutes=30 + n % 600)
        try:
            handling.act(desk, actors["admin"], no, kind, payload)
            done += 1
        except AppError:
            pass  # refused actions are fine: they must write nothing (checked by the rebuild)
        if n % 7 == 0:  # the indicator facts follow incrementally (checked against a fresh derivation)
            si.compute_groups(desk, si.Period(clock().date(), clock().date()), "unit")
    assert done > 20
    kept = facts.verify(desk, clock())
    assert (kept["differences"], kept["rollup_differences"]) == (0, 0)
    result = rebuild_differences(desk)
    assert result["differences"] == 0, result["diffs"][:3]
    assert result["orphans"] == 0
