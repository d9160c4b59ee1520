"""The centre on its own LAN (issue 15 item 5): the district is down, workstation A serves the
relay, B and C take in cases and sync with ``--peer``; each sees the others' cases within one
round; the district returns: all converge on its order, nothing duplicated, ``check`` passes, and
an action the district refuses is a conflict on the workstation that made it (and leaves the
others' logs)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import func, select

from app.admin import integrity
from app.cases import dispatch, handling, intake
from app.lan.handon import hand_on
from app.lan.serve import tick
from app.store.models import Case, CaseAction, LanEntry
from app.sync import conflicts
from tests.conftest import sample_case
from tests.lan.conftest import peer_sync, sign_in
from tests.sync.conftest import accepted_log, pending, server_log, server_rows_hash, station_rows_hash, sync
from tests.sync.conftest import transport as district_transport


def _take_in(desk, tag: str, n: int) -> list[str]:
    return [intake.take_in(desk, desk.actors["intake"], sample_case(
        title=f"{tag}诉求{i}", description=f"{tag}工作站在断网时受理的第{i}件诉求。",
        reporter={"name": "王五", "phone": f"1390000{i:04d}"}))["case_no"] for i in range(n)]


def _case_nos(desk) -> set[str]:
    with desk.db.read() as s:
        return set(s.scalars(select(Case.case_no)))


def _check_ok(desk) -> None:
    assert integrity.integrity(desk)["sqlite"] == "ok"
    assert integrity.rebuild_differences(desk, repair=False)["differences"] == 0
    assert integrity.verify_chains(desk)["ok"]


def _no_duplicates(desk) -> None:
    with desk.db.read() as s:
        n = s.scalar(select(func.count()).select_from(CaseAction))
        distinct = s.scalar(select(func.count(func.distinct(CaseAction.id))))
        assert n == distinct


def test_lan_round_and_district_return(stations, server, relay_on):
    a, b, c = stations("A"), stations("B", fresh=True), stations("C", fresh=True)
    for d in (a, b, c):
        sync(d)  # every workstation holds the town's device list (the relay admits only those)
    sign_in(a, b, c)
    server.kill()
    srv = relay_on(a)
    url = srv.url

    nos_b, nos_c = _take_in(b, "乙", 3), _take_in(c, "丙", 2)
    nos_a = _take_in(a, "甲", 1)
    out_b = peer_sync(b, url)
    assert out_b["pushed"] == 3 and out_b["accepted"] == 3 and out_b["rejected"] == 0
    assert set(out_b) >= {"pushed", "accepted", "rejected", "pulled", "conflicts", "pending", "digest"}
    out_c = peer_sync(c, url)
    assert out_c["accepted"] == 2 and out_c["digest"]["equal"]
    assert set(nos_b) <= _case_nos(c)                      # C sees B's cases in its first round
    assert set(nos_a) <= _case_nos(c)                      # and A's (the relay's own outbox joins the log)
    assert set(nos_b) | set(nos_c) <= _case_nos(a)         # A holds them at once, before its own round
    assert peer_sync(b, url)["digest"]["equal"]
    assert set(nos_c) | set(nos_a) <= _case_nos(b)         # B sees C's and A's within one round
    tick(a, url)                                           # A's own round with its relay: nothing new
    assert set(nos_b) | set(nos_c) <= _case_nos(a)
    # A resent round changes nothing (idempotent ids)
    again = peer_sync(b, url)
    assert again["pushed"] == 0 and again["pulled"] == 0
    # C dispatches B's case through the relay; B acts on it (the relay's fold judges it)
    dispatch.dispatch(c, c.actors["dispatcher"], nos_b[0], "D01")
    peer_sync(c, url)
    peer_sync(b, url)
    handling.act(b, b.actors["unit"], nos_b[0], "sign", {})
    # B's clock runs far ahead: the relay takes the comment, the district will refuse it
    refused_case = nos_c[0]
    frozen = b.clock.current
    b.clock.set(datetime.now(UTC) + timedelta(hours=3))
    handling.act(b, b.actors["dispatcher"], refused_case, "comment", {"note": "乙的时钟超前"})
    b.clock.set(frozen)
    assert peer_sync(b, url)["rejected"] == 0
    peer_sync(c, url)
    tick(a, url)
    with a.db.read() as s:
        assert s.scalar(select(func.count()).select_from(LanEntry)) > 0

    # the district returns: A hands on what the relay holds, then everyone syncs with it
    server.start()
    t = district_transport(a)
    handed = hand_on(a, t)
    assert handed["handed_on"] > 0
    with a.db.read() as s:
        refused = s.execute(select(LanEntry.entry_id, LanEntry.upstream_reason)
                            .where(LanEntry.upstream != "accepted")).all()
    assert handed["rejected"] == 1, refused                # B's comment dated in the future
    for d in (a, b, c, a, b, c):
        out = sync(d)
        assert out["digest"]["equal"]
    for d in (a, b, c):
        assert pending(d) == 0
        assert accepted_log(d) == server_log(server)
        assert station_rows_hash(d) == server_rows_hash(server)
        _no_duplicates(d)
        _check_ok(d)
        with d.db.read() as s:
            assert s.scalar(select(func.count()).select_from(CaseAction).where(CaseAction.status == "lan")) == 0
    # the refused comment is a conflict on B only; A and C dropped their copy of it
    listed = {d: [x for x in conflicts.list_conflicts(d) if x["kind"] == "action"] for d in (a, b, c)}
    assert [x["case_no"] for x in listed[b]] == [refused_case]
    assert "晚于服务器接收时间" in listed[b][0]["reason"]
    assert listed[a] == [] and listed[c] == []


def test_relay_refuses_strangers_and_judges_with_the_workflow(stations, server, relay_on):
    a, b = stations("A"), stations("B", fresh=True)
    sync(a)
    srv = relay_on(a)
    # unsigned: refused with a Chinese message
    r = requests.get(srv.url + "/api/v1/changes", headers={"X-Towndesk-Protocol": "1", "X-Towndesk-Schema": "1"},
                     timeout=5)
    assert r.status_code == 401 and "已注册的工作站" in r.json()["error"]["message"]
    # a station of another town: its device is not in A's list
    q = stations("Q", fresh=True, town="QL")
    try:
        peer_sync(q, srv.url)
        raise AssertionError("another town's station was admitted")
    except Exception as e:  # noqa: BLE001
        assert "镇街" in str(getattr(e, "message", e))
    # B with its own signature works; the same case signed twice (sign after sign) is refused by the workflow
    nos = _take_in(b, "乙", 1)
    dispatch.dispatch(b, b.actors["dispatcher"], nos[0], "D01")
    out = peer_sync(b, srv.url)
    assert out["accepted"] == 2
    relay_view = srv.relay.page(0, 100)
    assert [c["entity"] for c in relay_view["changes"]] == ["action", "action"]
    assert relay_view["digest"]["count"] == 2
    # an entry whose action breaks the workflow (archive of a case just dispatched) is refused per item
    from app.lan.relay import Relay

    bad = {"id": "bad-entry-1", "device_seq": 1, "entity": "action", "entity_id": "bad-action-1", "payload": {
        "id": "bad-action-1", "case_id": relay_view["changes"][0]["data"]["case_id"], "kind": "close",
        "at": "2026-11-27T10:00:00+08:00", "actor": "dispatcher", "actor_name": "调度员", "actor_role": "dispatcher",
        "actor_unit": None, "payload": {}, "device_id": b.device_id}}
    reply = Relay(a).push(b.device_id, [bad])
    assert reply["results"][0]["status"] == "rejected" and reply["results"][0]["http"] == 422
    assert Relay(a).push(b.device_id, [bad])["results"][0]["status"] == "rejected"  # the stored verdict
    changed = dict(bad, payload=dict(bad["payload"], kind="comment", payload={"note": "x"}))
    assert Relay(a).push(b.device_id, [changed])["results"][0]["status"] == "conflict"
