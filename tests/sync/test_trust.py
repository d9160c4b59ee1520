"""The district server decides what gets in (issue 12): the four unstorable values are refused,
an entry over the size limit is refused (by the server, and before sending by the client), a
pulled change a workstation cannot apply is quarantined and sync goes on, the district voids a
change and workstations drop it, action times are checked against the server's receipt time."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.cases import handling, intake
from app.domain.ids import new_id
from app.store.models import CaseAction, Quarantined
from app.store.types import dumps
from app.sync import protocol as P
from app.sync.transport import SyncError
from tests.conftest import FrozenClock, sample_case
from tests.sync.conftest import pending, raw_push, server_cli, server_log, sync


def _action_entry(desk, case_no: str, **over) -> dict:
    """A comment on ``case_no`` as the client would queue it, with fields replaced."""
    from app.cases.caselog import action_dict
    from app.store.models import Case

    with desk.db.read() as s:
        case = s.scalar(select(Case).where(Case.case_no == case_no))
        first = s.scalar(select(CaseAction).where(CaseAction.case_id == case.id, CaseAction.kind == "intake"))
        data = json.loads(dumps(action_dict(first)))
    data.update({"id": new_id(), "kind": "comment", "payload": {"note": "备注"}})
    data.update(over)
    return {"id": new_id(), "device_seq": 1, "entity": "action", "entity_id": data["id"], "payload": data}


DEEP = "__DEEP__"  # replaced in the JSON text by an object nested 960 levels (too deep for json.dumps here)


def _expand(text: str) -> str:
    return text.replace(f'"{DEEP}"', '{"a":' * 960 + '"底"' + "}" * 960)


def _unstorable(desk, case_no: str) -> list[dict]:
    user_id = new_id()
    return [
        _action_entry(desk, case_no, payload={"note": "大整数", "n": 2**70}),
        _action_entry(desk, case_no, payload={"note": "深层嵌套", "deep": DEEP}),
        _action_entry(desk, case_no, at="9999-12-31T00:00:00+00:00"),
        {"id": new_id(), "device_seq": 1, "entity": "user", "entity_id": user_id,
         "payload": {"id": user_id, "code": "backdoor2", "name": "后门", "role": "intake", "owner_level": "town",
                     "password_hash": "x", "active": True, "updated_at": "2026-12-01T09:00:00"}},
    ]


def test_server_refuses_the_four_unstorable_values(stations, server):
    a = stations("A")
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    sync(a)
    before = server_log(server)
    for entry in _unstorable(a, no):
        r = raw_push(a, server.url, [entry], expand=_expand)
        assert r.status_code in (200, 422), r.text
        if r.status_code == 200:
            [v] = r.json()["results"]
            assert v["status"] == "rejected" and v["http"] == 422 and v["reason"], v
    assert server_log(server) == before
    with server.db.read() as s:
        from server.models import Change, Record

        assert s.scalar(select(func.count()).select_from(Record).where(Record.data.like("%backdoor2%"))) == 0
        assert s.scalar(select(func.count()).select_from(Change).where(Change.data.like("%9999-12-31%"))) == 0


def test_entry_over_the_size_limit_is_refused_by_the_server(stations, server):
    a = stations("A")
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    sync(a)
    big = _action_entry(a, no, payload={"note": "大", "extra": ["字" * 1999] * 60})  # ~350 KB
    ok = _action_entry(a, no)
    r = raw_push(a, server.url, [big, ok])
    assert r.status_code == 200, r.text
    v_big, v_ok = r.json()["results"]
    assert v_big["status"] == "rejected" and v_big["code"] == "too_large" and "条目过大" in v_big["reason"]
    assert v_ok["status"] == "accepted"


def test_too_large_outbox_entry_is_rejected_locally_and_the_rest_goes_on(stations, server):
    from app.store.outbox import enqueue

    a, b = stations("A"), stations("B", fresh=True)
    no = intake.take_in(a, a.actors["intake"], sample_case(title="先登记"))["case_no"]
    big = _action_entry(a, no, payload={"note": "大", "extra": ["字" * 1999] * 2000})  # ~12 MB
    with a.db.tx() as s:  # what an older build could have queued
        s.add(CaseAction(id=big["entity_id"], case_id=big["payload"]["case_id"], kind="comment",
                         at=datetime.fromisoformat(big["payload"]["at"]), actor="intake", actor_name="受理员",
                         actor_role="intake", actor_unit=None, payload=big["payload"]["payload"],
                         device_id=a.device_id, status="local"))
        s.flush()
        enqueue(s, a, "action", big["entity_id"], big["payload"])
    intake.take_in(a, a.actors["intake"], sample_case(title="后登记"))
    out = sync(a)
    assert pending(a) == 0 and out["rejected"] == 1 and out["accepted"] >= 2
    with a.db.read() as s:
        row = s.scalar(select(CaseAction).where(CaseAction.id == big["entity_id"]))
    assert row.status == "rejected" and "条目过大" in row.verdict
    from app.sync.conflicts import list_conflicts

    assert any(c["id"] == big["entity_id"] and "条目过大" in c["reason"] for c in list_conflicts(a))
    assert sync(b)["pulled"] >= 2  # the others went up


def _inject(server, town: str, entity: str, entity_id: str, data_text: str, case_id: str | None = None) -> int:
    """A change written straight into the district's log, as an older server accepted it (an
    action also into its log and digest)."""
    from app.sync.state import quarantined_hash
    from server.db import lock_town
    from server.models import Action, Change

    with server.db.tx() as s:
        t = lock_town(s, town)
        t.last_seq += 1
        s.add(Change(town=town, seq=t.last_seq, entity=entity, entity_id=entity_id, data=data_text))
        if entity == "action":
            s.add(Action(id=entity_id, town=town, case_id=case_id, seq=t.last_seq, kind="comment", device_id="old",
                         hash="0" * 64, data=data_text))
            t.digest_count += 1
            t.digest_xor = P.to_signed64(t.digest_xor ^ quarantined_hash(entity_id, data_text))
        return t.last_seq


def test_unappliable_pulled_changes_are_quarantined_and_sync_goes_on(stations, server, tmp_path):
    from app.sync.conflicts import list_conflicts, resolve

    a = stations("A")
    no = intake.take_in(a, a.actors["intake"], sample_case(title="正常案件"))["case_no"]
    sync(a)
    bad = _unstorable(a, no)
    seqs = [_inject(server, "FS", e["entity"], e["entity_id"], _expand(
                    P.canonical(e["payload"]) if e["entity"] == "action" else P.canonical(
                        {"owner_level": "town", "fields": e["payload"], "deleted": False})),
                    e["payload"].get("case_id")) for e in bad]
    seqs.append(_inject(server, "FS", "mystery", new_id(), '{"x":1}'))  # a type this build does not know
    handling.act(a, a.actors["intake"], no, "comment", {"note": "之后的正常备注"})
    sync(a)

    b = stations("B", fresh=True)  # a new workstation pulls the whole log, bad changes included
    with b.db.read() as s:
        held = {q.seq: q for q in s.scalars(select(Quarantined))}
        notes = s.scalar(select(func.count()).select_from(CaseAction).where(CaseAction.kind == "comment"))
    assert sorted(held) == seqs
    assert notes == 1  # the good change after the bad ones arrived
    assert all(q.reason for q in held.values())
    out = sync(b)
    assert out["quarantined"] == 5 and out["pending"] == 0
    listed = [c for c in list_conflicts(b) if c["kind"] == "quarantine"]
    assert len(listed) == 5 and all(c["label"].startswith("无法应用的区级变更") for c in listed)
    with b.db.read() as s:
        from app.sync import state as st

        assert st.cursor(s) == out["digest"]["upto"]
    assert out["digest"]["equal"]

    # the district voids two of them: the workstations drop them on their next pull
    r = server_cli(server, "change", "void", "--town", "FS", seqs[0], "--reason", "历史遗留的错误数据")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["seq"] == seqs[0]
    assert server_cli(server, "change", "void", "--town", "FS", seqs[0], "--reason", "再次").returncode == 2
    assert server_cli(server, "change", "void", "--town", "FS", 99999, "--reason", "x").returncode == 2
    resolve(b, b.actors["admin"], f"q{seqs[1]}", "dismiss")
    assert server_cli(server, "change", "void", "--town", "FS", seqs[1], "--reason", "错误").returncode == 0
    out = sync(b)
    assert out["quarantined"] == 3
    assert out["digest"]["equal"]
    assert {c["id"] for c in list_conflicts(b, include_done=True) if c["kind"] == "quarantine"} == \
        {f"q{s}" for s in seqs[2:]}
    audit = json.loads(server_cli(server, "audit", "--town", "FS", "--json").stdout)
    voids = [e for e in audit if e["kind"] == "void"]
    assert [v["subject"] for v in voids] == [str(seqs[0]), str(seqs[1])]
    assert voids[0]["detail"]["reason"] == "历史遗留的错误数据"


def test_void_of_an_accepted_action_leaves_every_log(stations, server):
    a, b = stations("A"), stations("B", fresh=True)
    no = intake.take_in(a, a.actors["intake"], sample_case(title="误操作"))["case_no"]
    handling.act(a, a.actors["intake"], no, "comment", {"note": "错误的备注"})
    sync(a)
    sync(b)
    seq, note_id = next((q, i) for q, i in server_log(server) if _kind(b, i) == "comment")
    assert server_cli(server, "change", "void", "--town", "FS", seq, "--reason", "误录").returncode == 0
    assert note_id not in {i for _q, i in server_log(server)}
    for d in (a, b):
        out = sync(d)
        assert out["digest"]["equal"], out["digest"]
        with d.db.read() as s:
            row = s.scalar(select(CaseAction).where(CaseAction.id == note_id))
        assert row.status == "void" and "误录" in row.verdict


def _kind(desk, action_id: str) -> str | None:
    with desk.db.read() as s:
        row = s.scalar(select(CaseAction).where(CaseAction.id == action_id))
    return row.kind if row else None


def test_pull_runs_even_when_push_fails(stations, server, monkeypatch):
    from app.sync import engine

    a, b = stations("A"), stations("B", fresh=True)
    intake.take_in(a, a.actors["intake"], sample_case(title="别处登记"))
    sync(a)
    intake.take_in(b, b.actors["intake"], sample_case(title="本机待传"))

    def broken_push(*_a, **_k):
        raise SyncError("同步服务器内部错误（HTTP 500），数据已保存在本机，稍后自动重试", code="server_error", status=500)

    monkeypatch.setattr(engine, "push_all", broken_push)
    with pytest.raises(SyncError) as e:
        sync(b)
    assert e.value.code == "server_error"
    with b.db.read() as s:
        from app.store.models import Case

        titles = set(s.scalars(select(Case.title)))
    assert "别处登记" in titles and pending(b) >= 1  # pulled; own work kept for the next round
    monkeypatch.undo()
    assert sync(b)["pending"] == 0


def test_action_times_against_the_servers_receipt_time(stations, server):
    clock = FrozenClock(datetime.now(UTC))
    a = stations("A", clock=clock)
    no = intake.take_in(a, a.actors["intake"], sample_case(title="时间"))["case_no"]
    sync(a)
    # dated 30 minutes after receipt: refused, audited
    clock.advance(minutes=30)
    handling.act(a, a.actors["intake"], no, "comment", {"note": "来自未来"})
    clock.advance(minutes=-30)
    out = sync(a)
    assert out["rejected"] == 1
    from app.sync.conflicts import list_conflicts

    [c] = [c for c in list_conflicts(a) if c["kind"] == "action"]
    assert "晚于服务器接收时间" in c["reason"]
    # 5 minutes ahead is within the tolerance
    clock.advance(minutes=5)
    handling.act(a, a.actors["intake"], no, "comment", {"note": "时钟略快"})
    assert sync(a)["accepted"] == 1
    # dated before what this device already pushed: accepted, flagged as backdated
    clock.advance(hours=-3)
    handling.act(a, a.actors["intake"], no, "comment", {"note": "倒签"})
    assert sync(a)["accepted"] == 1
    audit = json.loads(server_cli(server, "audit", "--town", "FS", "--json").stdout)
    kinds = [e["kind"] for e in audit]
    assert "enroll" in kinds and kinds.count("future") == 1 and kinds.count("backdated") == 1
    back = next(e for e in audit if e["kind"] == "backdated")
    assert back["device"] == a.device_id and back["actor"] == "intake"
    # every change carries the server's receipt time
    from server.models import Change

    with server.db.read() as s:
        stamps = list(s.scalars(select(Change.received_at)))
    assert stamps and all(stamps)
    assert abs(datetime.fromisoformat(stamps[-1]) - datetime.now(UTC)) < timedelta(minutes=5)
    from app.domain.timezone import LOCAL_TZ

    since = (datetime.now(LOCAL_TZ) + timedelta(days=1)).date().isoformat()  # a day is a Shanghai day
    assert json.loads(server_cli(server, "audit", "--town", "FS", "--since", since, "--json").stdout) == []
    assert server_cli(server, "audit", "--town", "FS", "--since", "明天", "--json").returncode == 2
