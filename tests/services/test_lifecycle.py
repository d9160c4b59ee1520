"""A case's whole life through the services, and what the services refuse."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.admin.integrity import rebuild_differences
from app.cases import handling, intake, queries
from app.cases.dispatch import dispatch
from app.domain.timezone import LOCAL_TZ
from app.errors import NotFound, PermissionDenied, ValidationError, WorkflowError
from app.store.models import AuditEntry, Case, CaseAction, OutboxEntry
from tests.conftest import sample_case


def counts(desk):
    with desk.db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Case, CaseAction, AuditEntry, OutboxEntry))


def test_intake_auto_dispatches_by_the_responsibility_list(desk, actors):
    view = intake.take_in(desk, actors["intake"], sample_case())
    assert view["state"] == "dispatched"
    assert view["unit"] == {"code": "V01", "name": "卧龙社区"}
    assert view["routing"]["unit"]["code"] == "V01" and "邻里纠纷" in view["routing"]["reason"]
    assert view["case_no"] == "FS-20261127-01-0001"
    # Friday 10:00 + 1 working day = Monday 10:00; + 5 working days = next Friday 10:00 (Shanghai).
    assert datetime.fromisoformat(view["sign_due_at"]) == datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_TZ)
    assert datetime.fromisoformat(view["due_at"]) == datetime(2026, 12, 4, 10, 0, tzinfo=LOCAL_TZ)
    shown = queries.show_case(desk, actors["intake"], view["case_no"])
    assert [a["kind"] for a in shown["actions"]] == ["intake", "dispatch"]
    assert shown["actions"][1]["actor"] == "system" and shown["actions"][1]["payload"]["auto"] is True


def test_ambiguous_and_unrouted_categories_wait_for_a_dispatcher(desk, actors):
    noisy = intake.take_in(desk, actors["intake"], sample_case(category="噪声扰民"))
    assert noisy["state"] == "registered" and noisy["unit"] is None
    assert {c["code"] for c in noisy["routing"]["candidates"]} == {"D01", "P01"}
    none = intake.take_in(desk, actors["intake"], sample_case(category="PA0409"))
    assert none["state"] == "registered" and none["routing"]["candidates"] == []
    manual = intake.take_in(desk, actors["intake"], sample_case(category="PA0106"))  # 征迁纠纷: manual
    assert manual["state"] == "registered"
    off = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    assert off["state"] == "registered" and off["routing"]["unit"]["code"] == "V01"


def test_whole_life_to_archive(desk, actors, clock):
    case = intake.take_in(desk, actors["intake"], sample_case(category="JJ0302", location={"village": "V02"}))
    no = case["case_no"]
    assert case["state"] == "registered"
    dispatch(desk, actors["dispatcher"], no, "D01", co_units=["P01"])
    clock.advance(hours=1)
    assert handling.act(desk, actors["unit"], no, "sign")["state"] == "in_progress"
    handling.act(desk, actors["unit"], no, "progress", {"note": "已现场核查"})
    clock.advance(days=1)
    v = handling.act(desk, actors["unit"], no, "request_close", {"result": "已劝导整改", "close_type": "substantive"})
    assert v["state"] == "review"
    v = handling.act(desk, actors["director"], no, "approve_close")
    assert v["state"] == "callback" and v["callback_due_at"]
    v = handling.act(desk, actors["intake"], no, "callback", {"satisfaction": "basic", "note": "基本满意"})
    assert v["state"] == "closed" and v["satisfaction"] == "basic" and v["closed_at"]
    assert handling.act(desk, actors["director"], no, "archive")["state"] == "archived"
    assert rebuild_differences(desk)["differences"] == 0


def test_roles_and_units_are_checked(desk, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]  # dispatched to V01
    with pytest.raises(PermissionDenied):
        handling.act(desk, actors["intake"], no, "sign")
    with pytest.raises(PermissionDenied, match="承办单位"):
        handling.act(desk, actors["unit"], no, "sign")  # unit user of D01, case is V01's
    assert handling.act(desk, actors["unit_v01"], no, "sign")["state"] == "in_progress"
    with pytest.raises(PermissionDenied):
        handling.act(desk, actors["unit_v01"], no, "approve_close")


def test_a_failed_action_writes_nothing(desk, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    before = counts(desk)
    with pytest.raises(WorkflowError, match="待签收"):
        handling.act(desk, actors["director"], no, "approve_close")
    with pytest.raises(ValidationError):
        handling.act(desk, actors["unit_v01"], no, "return", {})
    with pytest.raises(ValidationError):
        intake.take_in(desk, actors["intake"], sample_case(reporter={"name": "李四", "phone": "13800001111",
                                                                     "id_no": "110105194912310021"}))
    with pytest.raises(ValidationError):
        intake.take_in_many(desk, actors["intake"], [sample_case(), sample_case(category="不存在")])
    with pytest.raises(NotFound):
        handling.act(desk, actors["director"], "FS-00000000-01-0001", "archive")
    assert counts(desk) == before


def test_intake_validation_names_the_field(desk, actors):
    cases = [
        (dict(reporter={"name": "王五", "phone": "12345"}), "reporter.phone"),
        (dict(reporter={"name": "王五", "phone": "13800001111", "id_no": "11010519491231002Y"}), "reporter.id_no"),
        (dict(description=""), "description"), (dict(category=""), "category"), (dict(channel="fax"), "channel"),
        (dict(persons=0), "persons"), (dict(location={"village": "V99"}), "location.village"),
        (dict(location={"village": "V01", "grid": "V02G01"}), "location.grid"), (dict(urgency="asap"), "urgency"),
    ]
    for over, field in cases:
        with pytest.raises(ValidationError) as err:
            intake.take_in(desk, actors["intake"], sample_case(**over))
        assert err.value.field == field, over


def test_returned_case_goes_back_to_the_queue_with_its_reason(desk, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    v = handling.act(desk, actors["unit_v01"], no, "return", {"reason": "不属于本社区"})
    assert v["state"] == "registered" and v["return_count"] == 1 and v["last_reason"] == "不属于本社区"
    assert v["unit"] is None and v["due_at"] is None


def test_suspension_time_does_not_count_and_extensions_move_the_deadline(desk, actors, clock):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    handling.act(desk, actors["unit_v01"], no, "sign")
    due0 = datetime.fromisoformat(queries.show_case(desk, None, no)["due_at"])
    handling.act(desk, actors["director"], no, "suspend", {"reason": "等待司法鉴定"})
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_TZ))  # Fri 10:00 -> Mon 10:00: one working day
    v = handling.act(desk, actors["director"], no, "resume")
    assert datetime.fromisoformat(v["due_at"]) == due0 + timedelta(days=3)  # Fri 12-04 -> Mon 12-07
    handling.act(desk, actors["unit_v01"], no, "extend_request", {"days": 2, "reason": "需多方会商"})
    with pytest.raises(WorkflowError):
        handling.act(desk, actors["unit_v01"], no, "extend_request", {"days": 2, "reason": "再次申请"})
    v = handling.act(desk, actors["director"], no, "extend_approve")
    assert datetime.fromisoformat(v["due_at"]) == datetime(2026, 12, 9, 10, 0, tzinfo=LOCAL_TZ)
    assert rebuild_differences(desk)["differences"] == 0


def test_extension_cannot_be_approved_after_the_deadline(desk, actors, clock):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    handling.act(desk, actors["unit_v01"], no, "sign")
    handling.act(desk, actors["unit_v01"], no, "extend_request", {"days": 2, "reason": "需多方会商"})
    clock.advance(days=10)
    with pytest.raises(WorkflowError, match="超过办结时限"):
        handling.act(desk, actors["director"], no, "extend_approve")


def test_instant_case_closes_on_the_spot(desk, actors):
    v = intake.take_in(desk, actors["intake"], sample_case(type="consult", category="GG0101", instant=True,
                                                           result="已当场解答社保缴费方式"))
    assert v["state"] == "closed" and v["satisfaction"] == "satisfied"


def test_repeat_petitions_are_flagged(desk, actors, clock):
    first = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    clock.advance(days=3)
    again = intake.take_in(desk, actors["intake"], sample_case(reporter={"name": "张三", "phone": "13800001111"}))
    assert again["repeat_of"] == [first]
    other = intake.take_in(desk, actors["intake"], sample_case(
        reporter={"name": "李四", "phone": "13900002222"},
        description="李四反映楼上住户卫生间漏水，多次协商未果，请求社区调解处理。"))
    assert first in other["repeat_of"]
    clock.advance(days=40)
    late = intake.take_in(desk, actors["intake"], sample_case())
    assert late["repeat_of"] == []


def test_merge_unmerge_reject_and_reopen(desk, actors):
    a = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))["case_no"]
    b = intake.take_in(desk, actors["intake"], sample_case(auto_dispatch=False))["case_no"]
    assert handling.act(desk, actors["intake"], b, "merge", {"into": a})["merged_into"] == a
    assert handling.act(desk, actors["intake"], b, "unmerge")["state"] == "registered"
    v = handling.act(desk, actors["dispatcher"], b, "reject", {"reason_code": "duplicate"})
    assert v["state"] == "rejected" and v["last_reason"] == "重复诉求"
    c = intake.take_in(desk, actors["intake"], sample_case(type="consult", category="GG0101", instant=True,
                                                           result="已解答"))["case_no"]
    v = handling.act(desk, actors["director"], c, "reopen", {"reason": "群众再次反映"})
    assert v["state"] == "closed" and v["reopened_as"]
    new = queries.show_case(desk, None, v["reopened_as"])
    assert new["reopened_from"] == c and new["state"] == "registered"
    assert rebuild_differences(desk)["differences"] == 0


def test_edit_keeps_a_field_diff_and_updates_search(desk, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    v = handling.act(desk, actors["intake"], no, "edit", {"reporter_name": "欧阳娜娜", "note": "更正姓名"})
    assert v["reporter"]["name"] == "欧阳娜娜"
    edit = queries.show_case(desk, None, no)["actions"][-1]
    assert edit["payload"]["changes"]["reporter_name"] == {"from": "张三", "to": "欧阳娜娜"}
    assert queries.list_cases(desk, None, {"q": "娜娜"})["total"] == 1
    handling.act(desk, actors["intake"], no, "edit", {"address": "卧龙社区胜利西路8号"})
    assert queries.list_cases(desk, None, {"q": "胜利西路"})["total"] == 1
    assert queries.list_cases(desk, None, {"q": "解放北路"})["total"] == 0
    with pytest.raises(ValidationError):
        handling.act(desk, actors["intake"], no, "edit", {"reporter_phone": "123"})


def test_transfer_and_cohandle(desk, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    v = handling.act(desk, actors["dispatcher"], no, "transfer", {"unit": "D01", "reason": "属执法事项"})
    assert v["unit"]["code"] == "D01" and v["transfer_count"] == 1
    v = handling.act(desk, actors["unit"], no, "cohandle", {"unit": "P01"})
    assert [u["code"] for u in v["co_units"]] == ["P01"]
    with pytest.raises(ValidationError, match="协办时限"):
        handling.act(desk, actors["dispatcher"], no, "cohandle", {"unit": "D02", "due_at": "2027-03-01"})
    assert queries.show_case(desk, None, no)["cohandle"][0]["unit"]["code"] == "P01"
