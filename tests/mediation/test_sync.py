"""Disputes, sessions, 积案 and their progress entries travel through the real district server
(subprocess on 127.0.0.1) to the town's other workstation; two workstations changing different
fields of one dispute offline both keep their change (field-by-field merge); another town sees
nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.mediation import backlog, queries, services
from app.store.models import OutboxEntry
from server.models import Record
from tests.conftest import sample_case
from tests.mediation.conftest import AGREEMENT, dispute_input
from tests.sync.conftest import pending, sync


def _case(desk) -> str:
    from app.cases.intake import take_in

    return take_in(desk, desk.actors["intake"], sample_case())["case_no"]


def test_disputes_sessions_and_backlog_reach_the_other_workstation(server, stations):
    a = stations("A")
    b = stations("B", fresh=True)
    other = stations("C", fresh=True, town="QL")
    admin = a.actors["admin"]
    case_no = _case(a)
    no = services.open_dispute(a, admin, case_no, dispute_input())["dispute_no"]
    services.assign(a, admin, no, "M01", ["M04"])
    services.record_session(a, admin, no, {"at": (a.now() - timedelta(hours=1)).isoformat(), "place": "卧龙社区调解室",
                                           "attendees": ["张三", "李四"], "record": "达成一致", "outcome": "agreed"})
    services.close_dispute(a, admin, no, {"means": "mediation", "success": True, "agreement": AGREEMENT})
    bno = backlog.add_backlog(a, admin, case_no, {"lead": "王镇长", "members": ["李干部"], "units": ["D08"],
                                                  "plan": "专班化解", "due": "2027-03-31"})["backlog_no"]
    backlog.add_progress(a, admin, bno, "走访信访人")
    with a.db.read() as s:
        queued = sorted({e.entity for e in s.scalars(select(OutboxEntry))})
    assert {"dispute", "med_session", "backlog", "backlog_step"} <= set(queued)

    sync(a)
    assert pending(a) == 0
    sync(b)
    sync(other)
    seen = queries.show_dispute(b, None, no)
    mine = queries.show_dispute(a, None, no)
    for key in ("dispute_no", "case_no", "state", "mediator", "co_mediators", "means", "success", "agreement",
                "due_at", "judicial_confirmation_due", "parties", "missing_documents", "color"):
        assert seen[key] == mine[key], key
    assert [x["record"] for x in seen["sessions"]] == ["达成一致"]
    [entry] = queries.list_backlog(b)
    assert (entry["backlog_no"], entry["state"], [p["note"] for p in entry["progress"]]) == (bno, "open", ["走访信访人"])
    assert queries.list_disputes(other, None) == [] and queries.list_backlog(other) == []
    with server.db.read() as s:
        scopes = {r.scope for r in s.scalars(select(Record).where(Record.entity.in_(("dispute", "backlog"))))}
    assert scopes == {"FS"}

    # B resolves the 积案; A sees it after syncing
    backlog.resolve(b, b.actors["admin"], bno, "facts,lawful,solved,satisfied,approved")
    sync(b)
    sync(a)
    assert queries.list_backlog(a)[0]["state"] == "resolved"


def test_offline_changes_to_different_fields_both_survive(server, stations):
    a = stations("A")
    b = stations("B", fresh=True)
    case_no = _case(a)
    no = services.open_dispute(a, a.actors["admin"], case_no, dispute_input())["dispute_no"]
    sync(a)
    sync(b)
    services.assign(a, a.actors["admin"], no, "M02")            # A: the mediator
    services.register_document(b, b.actors["admin"], no, "notice")  # B, offline too: a 卷宗 document
    sync(a)
    sync(b)
    sync(a)
    for desk in (a, b):
        v = queries.show_dispute(desk, None, no)
        assert (v["mediator"], v["state"], v["documents"]) == ("M02", "mediating", ["notice"])
