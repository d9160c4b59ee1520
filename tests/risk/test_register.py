"""The risk register: routing through the responsibility list, 高 reported to the district, the loop
监测 → 预警 → 处置 → 反馈 → 销号 in order only, deadlines and 督办, and every write with its audit
and outbox entries."""
from __future__ import annotations

import pytest

from app.errors import PermissionDenied, ValidationError, WorkflowError
from app.risk import queries
from app.risk.register import act_risk, add_risk
from tests.risk.conftest import RISK, counts, queued


def test_add_routes_by_the_responsibility_list_and_reports_high_risks(desk, actors):
    out = add_risk(desk, actors["dispatcher"], RISK)
    # 矛盾纠纷 routes as 邻里纠纷 (PA0101): the village's own line of the list, V01 handles it
    assert out == {"risk_no": "FS-FX20261127-01-001", "state": "monitoring", "color": "yellow", "unit": "V01"}
    shown = queries.show_risk(desk, out["risk_no"], "director")
    assert shown["reported"] is False and [s["kind"] for s in shown["steps"]] == ["add"]
    assert "邻里纠纷" in shown["route_reason"] and shown["allowed"] == ["warn", "urge", "report"]

    high = add_risk(desk, actors["dispatcher"], {**RISK, "level": "high", "type": "涉稳风险", "title": "征迁户聚集"})
    assert high["risk_no"].endswith("-002") and high["color"] == "red" and high["unit"] == "D02"
    shown = queries.show_risk(desk, high["risk_no"])
    assert shown["reported"] is True
    assert [(s["kind"], s["actor"]) for s in shown["steps"]] == [("add", "dispatcher"), ("report", "dispatcher")]


def test_a_type_without_a_category_waits_for_the_director(desk, actors):
    out = add_risk(desk, actors["intake"], {**RISK, "type": "网络舆情", "level": "low"})
    assert out["unit"] is None and out["color"] == "green"
    assert "网络舆情" in queries.show_risk(desk, out["risk_no"])["route_reason"]
    # an explicit category routes it
    out = add_risk(desk, actors["intake"], {**RISK, "type": "网络舆情", "category": "PA0301"})
    assert out["unit"] == "P01"


@pytest.mark.parametrize("change,field", [
    ({"title": ""}, "title"), ({"level": "severe"}, "level"), ({"source": "rumour"}, "source"),
    ({"village": "V99"}, "village"), ({"persons": "6"}, "persons"), ({"grid": "V02G01"}, "grid"),
    ({"category": "ZZ99"}, "category"),
])
def test_bad_input_names_the_field_and_writes_nothing(desk, actors, change, field):
    before = counts(desk)
    with pytest.raises(ValidationError) as e:
        add_risk(desk, actors["dispatcher"], {**RISK, **change})
    assert e.value.field == field
    assert counts(desk) == before


def test_the_loop_in_order_with_who_when_what(desk, actors, clock):
    no = add_risk(desk, actors["dispatcher"], RISK)["risk_no"]
    before = counts(desk)
    with pytest.raises(WorkflowError) as e:
        act_risk(desk, actors["director"], no, "close", {"note": "直接销号"})
    assert "监测" in e.value.message and "销号" in e.value.message
    with pytest.raises(WorkflowError):
        act_risk(desk, actors["director"], no, "feedback", {"note": "x"})
    assert counts(desk) == before

    clock.advance(hours=1)
    act_risk(desk, actors["dispatcher"], no, "warn", {"note": "向卧龙社区发出预警"})
    clock.advance(hours=1)
    act_risk(desk, actors["unit_v01"], no, "handle", {"note": "社区调解员上门"})
    clock.advance(hours=1)
    act_risk(desk, actors["unit_v01"], no, "feedback", {"note": "双方达成协议"})
    with pytest.raises(PermissionDenied):  # 销号 is the director's
        act_risk(desk, actors["dispatcher"], no, "close", {"note": "x"})
    out = act_risk(desk, actors["director"], no, "close", {"note": "回访确认，销号"})
    assert out["state"] == "closed"
    shown = queries.show_risk(desk, no)
    assert [(s["kind"], s["from"], s["to"], s["actor"]) for s in shown["steps"]] == [
        ("add", None, "monitoring", "dispatcher"), ("warn", "monitoring", "warning", "dispatcher"),
        ("handle", "warning", "handling", "unit_v01"), ("feedback", "handling", "feedback", "unit_v01"),
        ("close", "feedback", "closed", "director")]
    assert shown["steps"][2]["note"] == "社区调解员上门" and shown["closed_at"] and shown["due_color"] is None
    with pytest.raises(WorkflowError):
        act_risk(desk, actors["director"], no, "warn", {"note": "again"})


def test_a_unit_acts_only_on_its_own_risks_and_handling_needs_a_unit(desk, actors):
    no = add_risk(desk, actors["dispatcher"], RISK)["risk_no"]
    act_risk(desk, actors["dispatcher"], no, "warn", {"note": "预警"})
    with pytest.raises(PermissionDenied):
        act_risk(desk, actors["unit"], no, "handle", {"note": "执法队处置"})  # unit D01, risk of V01
    orphan = add_risk(desk, actors["dispatcher"], {**RISK, "type": "网络舆情"})["risk_no"]
    act_risk(desk, actors["dispatcher"], orphan, "warn", {"note": "预警"})
    with pytest.raises(ValidationError) as e:
        act_risk(desk, actors["dispatcher"], orphan, "handle", {"note": "处置"})
    assert e.value.field == "unit"
    with pytest.raises(ValidationError):
        act_risk(desk, actors["dispatcher"], orphan, "handle", {"note": "处置", "unit": "NOPE"})
    assert act_risk(desk, actors["dispatcher"], orphan, "handle", {"note": "处置", "unit": "D02"})["unit"] == "D02"


def test_deadline_light_and_urge(desk, actors, clock):
    high = add_risk(desk, actors["dispatcher"], {**RISK, "level": "high"})["risk_no"]  # 1 working day
    no = add_risk(desk, actors["dispatcher"], RISK)["risk_no"]  # medium: 3 working days
    lights = {r["risk_no"]: r["due_color"] for r in queries.list_risks(desk)}
    assert lights == {high: "yellow", no: "green"}  # one working day left is already yellow
    clock.advance(days=4)  # Friday 10:00 -> Tuesday 10:00: past one working day, not three
    lights = {r["risk_no"]: r["due_color"] for r in queries.list_risks(desk)}
    assert lights == {high: "red", no: "yellow"}
    clock.advance(days=2)
    assert queries.show_risk(desk, no)["due_color"] == "red"
    act_risk(desk, actors["director"], no, "urge", {"note": "请今日内反馈", "level": "red"})
    row = queries.show_risk(desk, no)
    assert (row["urge_count"], row["urge_level"], row["state"]) == (1, "red", "monitoring")
    assert queries.list_risks(desk, level="low") == [] and len(queries.list_risks(desk, level="high")) == 1
    with pytest.raises(ValidationError):
        queries.list_risks(desk, state="nonsense")


def test_every_write_is_audited_and_queued(desk, actors):
    no = add_risk(desk, actors["dispatcher"], {**RISK, "level": "high"})["risk_no"]
    act_risk(desk, actors["dispatcher"], no, "warn", {"note": "预警"})
    kinds = [k for k, _ in queued(desk)]
    # add: risk_step (add), risk_step (report), risk; warn: risk_step, risk
    assert kinds == ["risk_step", "risk_step", "risk", "risk_step", "risk"]
    from sqlalchemy import select

    from app.store.models import AuditEntry
    with desk.db.read() as s:
        assert [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.target == no))] == \
            ["risk.add", "risk.warn"]


def test_counts_by_village(desk, actors):
    add_risk(desk, actors["dispatcher"], {**RISK, "level": "high"})
    add_risk(desk, actors["dispatcher"], RISK)
    add_risk(desk, actors["dispatcher"], {**RISK, "village": "V02"})
    rows = {r["village"]: r for r in queries.counts_by_village(desk)}
    assert (rows["V01"]["high"], rows["V01"]["medium"], rows["V01"]["total"]) == (1, 1, 2)
    assert rows["V02"]["total"] == 1 and rows["V03"]["total"] == 0


def test_persons_as_a_list_of_names_and_level_in_chinese(desk, actors):
    out = add_risk(desk, actors["dispatcher"], {**RISK, "persons": ["张三", "李四", "王五"], "level": "高"})
    assert out["color"] == "red"
    shown = queries.show_risk(desk, out["risk_no"])
    assert shown["persons"] == 3 and shown["level"] == "high"
    assert shown["steps"][0]["detail"]["people"] == ["张三", "李四", "王五"]
    with pytest.raises(ValidationError) as e:
        add_risk(desk, actors["dispatcher"], {**RISK, "persons": ["张三", 7]})
    assert e.value.field == "persons.1"
