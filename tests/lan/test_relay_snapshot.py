"""A spare laptop joins while the district is down (issue 15 items 5 and 6): enrolled with the
district but empty, it runs ``sync --peer`` against the centre relay and starts from the relay's
snapshot of what the relay holds from the district (app/lan/snapshot.py), then the relay's log;
when the district returns it pulls after the relay's cursor and converges, nothing duplicated."""
from __future__ import annotations

import logging

import requests
from sqlalchemy import func, select

from app.lan.handon import hand_on
from app.store.models import CaseAction
from app.sync import state as st
from tests.lan.conftest import peer_sync, sign_in
from tests.lan.test_relay import _case_nos, _check_ok, _no_duplicates, _take_in
from tests.sync.conftest import accepted_log, pending, server_log, sync
from tests.sync.conftest import transport as district_transport
from tests.sync.test_converge import _work
from tests.sync.test_first_pull import _fresh
from tests.sync.test_pull_bulk import _rows


def _accepted(desk) -> list:
    with desk.db.read() as s:
        return s.execute(select(CaseAction.id, CaseAction.server_seq).where(CaseAction.status == "accepted")
                         .order_by(CaseAction.server_seq)).all()


def test_spare_laptop_starts_from_the_relays_snapshot_with_the_district_down(stations, server, relay_on, tmp_path,
                                                                             caplog):
    a, b = stations("A"), stations("B", fresh=True)
    _work(a, 8, "甲")
    sync(a)
    spare = _fresh(server, tmp_path / "spare")  # enrolled with the district, nothing pulled yet
    for d in (a, b):
        sync(d)  # the relay's device list now names the spare laptop
    sign_in(a, b)
    server.kill()
    srv = relay_on(a)
    nos_b = _take_in(b, "乙", 2)
    assert peer_sync(b, srv.url)["accepted"] == 2

    # a stranger gets no snapshot from the relay
    assert requests.get(srv.url + "/api/v1/snapshot.db", timeout=10).status_code in (401, 426)

    with caplog.at_level(logging.INFO, logger="towndesk.lan"):
        out = peer_sync(spare, srv.url)
    assert any(r.getMessage().startswith("started from the relay's snapshot") for r in caplog.records)
    assert out["digest"]["equal"]
    assert _case_nos(spare) == _case_nos(a)          # the town as A holds it, B's relay cases included
    assert set(nos_b) <= _case_nos(spare)
    assert _accepted(spare) == _accepted(a)          # the district's log, in the district's order
    with spare.db.read() as s, a.db.read() as r:
        assert st.cursor(s) == st.cursor(r) > 0
        assert st.local_digest(s) == st.local_digest(r)
    rows_a, rows_spare = _rows(a), _rows(spare)
    assert rows_spare["cases"] == rows_a["cases"] and rows_spare["docs"] == rows_a["docs"]
    _check_ok(spare)
    # a second round with the relay adds nothing
    again = peer_sync(spare, srv.url)
    assert again["pulled"] == 0 and again["digest"]["equal"]

    # the district returns: A hands on, everyone converges on the district's order
    server.start()
    assert hand_on(a, district_transport(a))["handed_on"] > 0
    for d in (a, b, spare, a, b, spare):
        assert sync(d)["digest"]["equal"]
    for d in (a, b, spare):
        assert pending(d) == 0
        assert accepted_log(d) == server_log(server)
        _no_duplicates(d)
        _check_ok(d)
        with d.db.read() as s:
            assert s.scalar(select(func.count()).select_from(CaseAction).where(CaseAction.status == "lan")) == 0
