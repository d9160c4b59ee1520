"""Emergency records travel on the generic record path: B sees A's emergency (the switch: who,
when, why), tasks and receipts after a sync; receipts entered on B count on A; the stop reaches B;
another town sees nothing. Real district server subprocess, real stores."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.emergency import lists, queries, services
from server.models import Record
from tests.sync.conftest import pending, sync


def test_b_sees_a_s_emergency_tasks_and_receipts(server, stations):
    a = stations("A")
    b = stations("B", fresh=True)
    other = stations("C", fresh=True, town="QL")
    assert queries.active(b) is None
    em = services.start(a, a.actors["director"], {"type": "flood", "level": 2, "area": "all",
                                                  "reason": "上游水库泄洪"})
    grids = ["V01G01", "V02G01", "V03G01", "V04G01", "V05G01"]
    task = services.add_task(a, a.actors["dispatcher"], {"title": "巡查沿河堤坝", "to": ",".join(grids),
                                                         "due": (a.now() + timedelta(hours=4)).isoformat()})
    services.add_receipt(a, a.actors["intake"], task["id"], {"target": "V01G01", "status": "acknowledged"})
    sync(a)
    sync(b)
    sync(other)
    seen = queries.active(b)
    assert seen["id"] == em["id"] and seen["reason"] == "上游水库泄洪" and seen["started_by"] == "director"
    assert queries.active(other) is None
    st = queries.status(b)
    assert st["tasks"][0]["id"] == task["id"] and st["tasks"][0]["receipts"]["acknowledged"] == 1

    services.add_receipt(b, b.actors["intake"], task["id"], {"target": "V01G01", "status": "done", "count": 9})
    services.add_receipt(b, b.actors["intake"], task["id"], {"target": "V02G01", "status": "in_progress"})
    person = lists.list_people(b, village="V03")[0]
    lists.set_person_status(b, b.actors["intake"], person["id"], {"status": "moved"})
    sync(b)
    sync(a)
    r = queries.status(a)["tasks"][0]["receipts"]
    assert r == {"acknowledged": 0, "in_progress": 1, "done": 1, "none": 3, "overdue": 0}
    assert next(p for p in lists.list_people(a, village="V03") if p["id"] == person["id"])["status"] == "moved"

    services.stop(a, a.actors["director"], {"reason": "洪峰已过"})
    sync(a)
    sync(b)
    assert queries.active(b) is None and queries.status(b)["active"] is False
    assert pending(a) == pending(b) == 0
    with server.db.read() as s:
        kinds = {r.entity for r in s.scalars(select(Record).where(Record.scope == "FS"))}
        assert {"emergency", "emergency_task", "emergency_receipt", "evacuee"} <= kinds
        assert not list(s.scalars(select(Record).where(Record.scope == "QL", Record.entity == "emergency")))
