"""Emergency services on a real store: start/stop with audit and outbox, tasks, receipts counted by
their latest status, overdue past the deadline, prepared lists, bad input changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.emergency import lists, queries, services
from app.errors import AppError, PermissionDenied, ValidationError, WorkflowError
from app.store.models import AuditEntry, Emergency, EmergencyReceipt, EmergencyTask, OutboxEntry


def _count(desk, model) -> int:
    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def _start(desk, actor, **over):
    data = {"type": "flood", "level": 2, "area": "V01,V02,V03", "reason": "气象台发布暴雨红色预警"}
    data.update(over)
    return services.start(desk, actor, data)


def test_start_is_audited_queued_and_refused_twice(desk, actors):
    out = _start(desk, actors["director"])
    assert out["type"] == "flood" and out["level"] == 2 and out["area"] == ["V01", "V02", "V03"]
    assert out["started_by"] == "director"
    with desk.db.read() as s:
        row = s.get(Emergency, out["id"])
        assert row.name == "防汛Ⅱ级应急响应" and row.reason == "气象台发布暴雨红色预警"
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "emergency.start")).one()
        assert audit.actor == "director" and audit.detail["reason"] == "气象台发布暴雨红色预警"
        queued = s.scalars(select(OutboxEntry).where(OutboxEntry.entity == "emergency")).one()
        assert queued.entity_id == out["id"] and queued.payload["started_by"] == "director"
    outbox = _count(desk, OutboxEntry)
    with pytest.raises(WorkflowError):
        _start(desk, actors["director"], type="typhoon")
    assert _count(desk, Emergency) == 1 and _count(desk, OutboxEntry) == outbox


@pytest.mark.parametrize("over, field", [
    ({"type": "storm"}, "type"), ({"level": 5}, "level"), ({"level": 0}, "level"), ({"area": "V01,V99"}, "area"),
    ({"area": "V01G01"}, "area"), ({"area": ""}, "area"), ({"reason": "  "}, "reason"),
])
def test_bad_start_names_the_field_and_writes_nothing(desk, actors, over, field):
    with pytest.raises(ValidationError) as e:
        _start(desk, actors["director"], **over)
    assert e.value.field == field
    assert _count(desk, Emergency) == 0 and _count(desk, OutboxEntry) == 0


def test_intake_operator_cannot_switch(desk, actors):
    with pytest.raises(PermissionDenied):
        _start(desk, actors["intake"])


def test_task_to_all_targets_the_emergency_area(desk, actors):
    _start(desk, actors["director"])
    due = (desk.now() + timedelta(hours=2)).isoformat()
    out = services.add_task(desk, actors["dispatcher"], {"title": "转移危房住户", "to": "all", "due": due})
    assert out["targets"] == ["V01", "V02", "V03"]
    whole = services.stop(desk, actors["director"], {"reason": "解除"})
    assert whole["stopped_by"] == "director"
    _start(desk, actors["director"], area="all")
    out = services.add_task(desk, actors["dispatcher"], {"title": "巡查", "to": "all", "due": due})
    assert len(out["targets"]) == 10


def test_task_refused_without_emergency_or_with_unknown_target(desk, actors):
    due = (desk.now() + timedelta(hours=2)).isoformat()
    with pytest.raises(WorkflowError):
        services.add_task(desk, actors["dispatcher"], {"title": "巡查", "to": "V01", "due": due})
    _start(desk, actors["director"])
    for to in ("V01,NOPE", "V01G01M01"):
        with pytest.raises(ValidationError) as e:
            services.add_task(desk, actors["dispatcher"], {"title": "巡查", "to": to, "due": due})
        assert e.value.field == "to"
    with pytest.raises(ValidationError) as e:
        services.add_task(desk, actors["dispatcher"], {"title": "巡查", "to": "V01", "due": "2026-11-27T12:00:00"})
    assert e.value.field == "due"
    assert _count(desk, EmergencyTask) == 0


def test_receipts_count_by_latest_status_and_overdue_after_due(desk, actors, clock):
    _start(desk, actors["director"])
    due = desk.now() + timedelta(hours=1)
    task = services.add_task(desk, actors["dispatcher"], {"title": "转移", "instructions": "逐户核实",
                                                          "to": "V01G01,V01G02,V02G01,V02,V03", "due": due.isoformat()})
    me = actors["intake"]
    services.add_receipt(desk, me, task["id"], {"target": "V01G01", "status": "acknowledged"})
    clock.advance(minutes=5)
    services.add_receipt(desk, me, task["id"], {"target": "V01G01", "status": "done", "count": 7, "note": "7 人已转移"})
    services.add_receipt(desk, me, task["id"], {"target": "V01G02", "status": "in_progress"})
    services.add_receipt(desk, me, task["id"], {"target": "V02", "status": "acknowledged"})
    st = queries.status(desk)
    assert st["active"] is True and st["type"] == "flood" and st["level"] == 2
    (t,) = st["tasks"]
    assert t["targets"] == 5
    assert t["receipts"] == {"acknowledged": 1, "in_progress": 1, "done": 1, "none": 2, "overdue": 0}
    clock.advance(hours=2)  # past the deadline: every target not done is overdue
    (t,) = queries.status(desk)["tasks"]
    assert t["receipts"]["overdue"] == 4 and t["receipts"]["done"] == 1
    board = queries.board(desk)
    states = {line["code"]: line["state"] for line in board["tasks"][0]["targets"]}
    assert states == {"V01G01": "done", "V01G02": "overdue", "V02G01": "overdue", "V02": "overdue", "V03": "overdue"}
    assert board["tasks"][0]["moved"] == 7


def test_receipt_for_a_non_target_is_refused(desk, actors):
    _start(desk, actors["director"])
    task = services.add_task(desk, actors["dispatcher"], {"title": "巡查", "to": "V01,V02",
                                                          "due": (desk.now() + timedelta(hours=1)).isoformat()})
    for data, field in (({"target": "V03", "status": "done"}, "target"),
                        ({"target": "V01", "status": "finished"}, "status"),
                        ({"target": "V01", "status": "done", "count": -1}, "count")):
        with pytest.raises(ValidationError) as e:
            services.add_receipt(desk, actors["intake"], task["id"], data)
        assert e.value.field == field
    with pytest.raises(AppError):
        services.add_receipt(desk, actors["intake"], "no-such-task", {"target": "V01", "status": "done"})
    with pytest.raises(PermissionDenied):  # a village answers only for itself
        services.add_receipt(desk, actors["unit_p01"], task["id"], {"target": "V01", "status": "done"})
    assert _count(desk, EmergencyReceipt) == 0


def test_stop_requires_an_active_emergency(desk, actors):
    with pytest.raises(WorkflowError):
        services.stop(desk, actors["director"], {"reason": "结束"})
    _start(desk, actors["director"])
    out = services.stop(desk, actors["director"], {"reason": "雨情缓解，预警解除"})
    assert queries.status(desk)["active"] is False and queries.active(desk) is None
    with desk.db.read() as s:
        row = s.get(Emergency, out["id"])
        assert row.stop_reason == "雨情缓解，预警解除" and row.stopped_by == "director"
        assert s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.entity == "emergency")) == 2


def test_active_offers_the_type_categories(desk, actors):
    _start(desk, actors["director"], type="fire")
    assert queries.active(desk)["categories"][:2] == ["PA0502", "PA0201"]


def test_prepared_lists(desk, actors):
    demo = lists.list_people(desk, village="V07")
    assert demo and {p["status"] for p in demo} == {"pending"}
    teams = lists.list_teams(desk, village="V07")
    assert {m["duty_label"] for m in teams} == {"监测预警", "转移", "抢险", "后勤"}
    p = lists.add_person(desk, actors["dispatcher"], {"name": "王阿婆", "village": "V01", "grid": "V01G01",
                                                      "kind": "elderly_alone", "phone": "138 0000 2222"})
    assert p["phone"] == "13800002222" and p["status_label"] == "待转移"
    moved = lists.set_person_status(desk, actors["intake"], p["id"], {"status": "moved"})
    assert moved["status_label"] == "已转移"
    assert any(x["id"] == p["id"] for x in lists.list_people(desk, status="moved"))
    m = lists.add_team_member(desk, actors["director"], {"village": "V01", "duty": "rescue", "staff": "GS0001"})
    assert m["name"] == "郭佳怡" and m["phone"] == "13800000001"
    for bad, field in ((dict(village="V99"), "village"), (dict(grid="V02G01"), "grid"), (dict(kind="x"), "kind"),
                       (dict(phone="110"), "phone")):
        data = {"name": "李四", "village": "V01", "kind": "dilapidated", **bad}
        with pytest.raises(ValidationError) as e:
            lists.add_person(desk, actors["dispatcher"], data)
        assert e.value.field == field
    with pytest.raises(ValidationError) as e:
        lists.add_team_member(desk, actors["director"], {"village": "V01", "duty": "rescue", "staff": "NOPE"})
    assert e.value.field == "staff"


def test_board_shows_prepared_lists_of_the_area(desk, actors):
    assert queries.board(desk)["active"] is None
    _start(desk, actors["director"], area="V07")
    board = queries.board(desk)
    assert board["active"]["area"] == ["V07"]
    assert board["people"]["total"] == len(lists.list_people(desk, village="V07"))
    assert sum(board["teams"].values()) == 4
