"""Two workstations of one town work offline, sync, and converge; conflicting offline dispatches
end with exactly one accepted and the other rejected, kept and listed; clock skew changes nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cases import dispatch, handling, intake
from app.domain.timezone import LOCAL_TZ
from app.store import facts
from app.store.models import CaseAction
from app.supervision import indicators as si
from app.sync import conflicts
from tests.conftest import sample_case
from tests.sync.conftest import (
    accepted_log,
    pending,
    server_log,
    server_rows_hash,
    station_rows_hash,
    sync,
)


def _work(desk, n: int, tag: str) -> list[str]:
    a = desk.actors
    nos = []
    for i in range(n):
        c = intake.take_in(desk, a["intake"], sample_case(title=f"{tag}诉求{i}", description=f"{tag}工作站受理的第{i}件诉求，请处理。",
                                                          reporter={"name": "王五", "phone": f"1380000{i:04d}"}))
        nos.append(c["case_no"])
        if i % 2 == 0:
            dispatch.dispatch(desk, a["dispatcher"], c["case_no"], "D01")
        if i % 4 == 0:
            handling.act(desk, a["unit"], c["case_no"], "sign", {})
            handling.act(desk, a["unit"], c["case_no"], "progress", {"note": f"{tag}进展"})
    return nos


def test_two_workstations_converge(stations, server):
    a, b = stations("A"), stations("B", fresh=True)
    assert a.workstation != b.workstation  # the server gave each its own code
    nos_a, nos_b = _work(a, 6, "甲"), _work(b, 5, "乙")
    assert not set(nos_a) & set(nos_b)
    # B comments on a case of A's after pulling it, A escalates one of its own: still offline-made
    out_a = sync(a)
    assert out_a["pushed"] > 0 and out_a["rejected"] == 0
    sync(b)
    handling.act(b, b.actors["dispatcher"], nos_a[1], "comment", {"note": "乙补充情况"})
    handling.act(a, a.actors["dispatcher"], nos_a[3], "escalate", {"reason": "需区级协调"})
    for d in (a, b, a, b):
        out = sync(d)
        assert out["digest"]["equal"]
    assert pending(a) == pending(b) == 0
    assert accepted_log(a) == accepted_log(b) == server_log(server)
    assert station_rows_hash(a) == station_rows_hash(b) == server_rows_hash(server)
    with b.db.read() as s:
        assert s.scalar(select(CaseAction).where(CaseAction.status != "accepted")) is None
    # the indicator facts followed every pulled and re-folded row on both stations
    today = a.now().astimezone(LOCAL_TZ).date()
    month = si.Period(today - timedelta(days=40), today + timedelta(days=1))
    groups = si.compute_groups(a, month, "unit", now=a.now())
    assert sum(c.received for c in groups.values()) == 11
    assert groups == si.compute_groups(b, month, "unit", now=a.now())
    for d in (a, b):
        assert facts.verify(d, a.now())["differences"] == 0


def test_conflicting_offline_dispatch(stations, server):
    a, b = stations("A"), stations("B", fresh=True)
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    sync(a)
    sync(b)
    # both offline: A dispatches to D01, B to D02
    dispatch.dispatch(a, a.actors["dispatcher"], no, "D01")
    dispatch.dispatch(b, b.actors["dispatcher"], no, "D02")
    first, second = sync(a), sync(b)
    assert (first["accepted"], first["rejected"]) == (1, 0)
    assert (second["accepted"], second["rejected"]) == (0, 1)
    assert second["conflicts"] == 1
    listed = conflicts.list_conflicts(b)
    assert len(listed) == 1 and listed[0]["case_no"] == no and listed[0]["action"] == "dispatch"
    assert "待签收" in listed[0]["reason"]  # the reason names the state the district saw
    with b.db.read() as s:
        kept = s.scalar(select(CaseAction).where(CaseAction.id == listed[0]["id"]))
        assert kept.status == "rejected" and kept.verdict and kept.payload["unit"] == "D02"
    sync(a)
    sync(b)
    assert station_rows_hash(a) == station_rows_hash(b) == server_rows_hash(server)
    row = intake_row(b, no)
    assert row["unit"] == "D01"  # the case row follows the accepted log
    # the operator re-dispatches (a transfer to the intended unit), which goes up and is accepted
    conflicts.resolve(b, b.actors["dispatcher"], listed[0]["id"], "redispatch")
    assert conflicts.list_conflicts(b) == []
    assert len(conflicts.list_conflicts(b, include_done=True)) == 1  # dismissed entries are kept
    out = sync(b)
    assert out["accepted"] == 1 and out["rejected"] == 0
    sync(a)
    assert intake_row(a, no)["unit"] == "D02"


def intake_row(desk, no: str) -> dict:
    from app.cases import queries

    return queries.show_case(desk, None, no) | {"unit": queries.show_case(desk, None, no)["unit"]["code"]}


def test_conflict_note_and_dismiss(stations):
    a, b = stations("A"), stations("B", fresh=True)
    nos = [intake.take_in(a, a.actors["intake"], sample_case(title=f"案{i}"))["case_no"] for i in range(2)]
    sync(a)
    sync(b)
    for no in nos:
        dispatch.dispatch(a, a.actors["dispatcher"], no, "D01")
        handling.act(b, b.actors["intake"], no, "reject", {"reason": "不属于受理范围"})
    sync(a)
    assert sync(b)["rejected"] == 2
    first, second = conflicts.list_conflicts(b)
    conflicts.resolve(b, b.actors["dispatcher"], first["id"], "note")
    conflicts.resolve(b, b.actors["dispatcher"], second["id"], "dismiss")
    assert conflicts.list_conflicts(b) == []
    with b.db.read() as s:  # dismissing keeps the rejected action in the log
        assert s.scalar(select(CaseAction.status).where(CaseAction.id == second["id"])) == "rejected"
    out = sync(b)
    assert out["accepted"] == 1  # the note
    sync(a)
    from app.cases import queries

    notes = [x for x in queries.show_case(a, None, first["case_no"])["actions"] if x["kind"] == "comment"]
    assert notes and "未生效" in str(notes[-1])


def _scenario(stations, skew_a: timedelta, skew_b: timedelta) -> tuple:
    from tests.conftest import FrozenClock

    ca, cb = FrozenClock(), FrozenClock()
    a, b = stations("A", clock=ca), stations("B", fresh=True, clock=cb)
    ca.advance(seconds=skew_a.total_seconds())
    cb.advance(seconds=skew_b.total_seconds())
    nos = [intake.take_in(a, a.actors["intake"], sample_case(title=f"偏差{i}"))["case_no"] for i in range(3)]
    sync(a)
    sync(b)
    # A acts later in real order, but B's clock says B's actions happened later (or earlier)
    for no in nos:
        dispatch.dispatch(b, b.actors["dispatcher"], no, "D02")
        dispatch.dispatch(a, a.actors["dispatcher"], no, "D01")
    sync(b)
    sync(a)
    sync(b)
    units = tuple(intake_row(a, no)["unit"] for no in nos)
    return units, len(conflicts.list_conflicts(a)), len(conflicts.list_conflicts(b)), station_rows_hash(a) == \
        station_rows_hash(b)


def test_clock_skew_changes_no_outcome(stations):
    outcomes = {_scenario(stations, timedelta(0), timedelta(0)),
                _scenario(stations, timedelta(hours=24), timedelta(hours=-24)),
                _scenario(stations, timedelta(hours=-24), timedelta(hours=24))}
    assert outcomes == {(("D02",) * 3, 3, 0, True)}  # server order decides, never the clocks
