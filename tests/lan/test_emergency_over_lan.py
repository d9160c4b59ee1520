"""Issue 15's acceptance across its two halves: the district is down, A serves the LAN relay and
starts an emergency, sends a task to five grids; B and C enter receipts and sync with ``--peer``;
``emergency status`` on A counts them. The district returns: all three converge on it with the
same emergency records, nothing duplicated."""
from __future__ import annotations

from datetime import timedelta

from app.emergency import queries, services
from app.lan.handon import hand_on
from app.lan.serve import tick
from tests.lan.conftest import peer_sync, sign_in
from tests.lan.test_relay import _check_ok
from tests.sync.conftest import sync
from tests.sync.conftest import transport as district_transport

GRIDS = ["V01G01", "V02G01", "V03G01", "V04G01", "V05G01"]


def test_emergency_task_and_receipts_through_the_relay(stations, server, relay_on):
    a, b, c = stations("A"), stations("B", fresh=True), stations("C", fresh=True)
    for d in (a, b, c):
        sync(d)
    sign_in(a, b, c)
    server.kill()
    url = relay_on(a).url

    em = services.start(a, a.actors["director"], {"type": "typhoon", "level": 2, "area": "all",
                                                  "reason": "台风「海葵」登陆"})
    task = services.add_task(a, a.actors["dispatcher"], {"title": "转移危房住户", "to": ",".join(GRIDS),
                                                         "due": (a.now() + timedelta(hours=3)).isoformat()})
    assert task["targets"] == GRIDS
    for d in (b, c):
        peer_sync(d, url)
        assert queries.active(d)["id"] == em["id"]  # the switch reached B and C through the relay
    services.add_receipt(b, b.actors["intake"], task["id"], {"target": "V01G01", "status": "done", "count": 12})
    services.add_receipt(b, b.actors["intake"], task["id"], {"target": "V02G01", "status": "in_progress"})
    services.add_receipt(c, c.actors["intake"], task["id"], {"target": "V03G01", "status": "acknowledged",
                                                             "note": "电话回执"})
    peer_sync(b, url)
    peer_sync(c, url)
    tick(a, url)
    expected = {"acknowledged": 1, "in_progress": 1, "done": 1, "none": 2, "overdue": 0}
    assert queries.status(a)["tasks"][0]["receipts"] == expected
    peer_sync(b, url)
    assert queries.status(b)["tasks"][0]["receipts"] == expected  # B sees C's receipt within a round

    server.start()
    handed = hand_on(a, district_transport(a))
    assert handed["rejected"] == 0, handed
    for d in (a, b, c, a, b, c):
        assert sync(d)["digest"]["equal"]
    for d in (a, b, c):
        st = queries.status(d)
        assert st["active"] and st["id"] == em["id"] and st["tasks"][0]["receipts"] == expected
        _check_ok(d)
