"""Grid reports and the points ledger travel through the real district server: a report and a
reversal made on workstation A appear on workstation B (case, report facts, ledger), B's grid
figures and points board equal A's, and the server holds them as town records; a fed case keeps
its channel id on B."""
from __future__ import annotations

from sqlalchemy import select

from app.grids import points, reports, stats
from app.store.models import Case, GridAdmission, GridReport, PointsEntry
from server.models import Record
from tests.grids.conftest import REPORT
from tests.sync.conftest import pending, sync


def test_reports_and_ledger_reach_the_other_workstation(server, stations, tmp_path):
    a = stations("A")
    b = stations("B", fresh=True)
    solved = reports.report(a, a.actors["intake"], {**REPORT, "outcome": "solved", "result": "已处理"})
    reports.report(a, a.actors["intake"], {**REPORT, "grid": "V01G01"})
    reversal = points.reverse(a, a.actors["director"], "核实为无效上报", case_no=solved["case_no"])
    assert pending(a) > 0
    sync(a)
    assert pending(a) == 0
    sync(b)
    with b.db.read() as s:
        facts = {r.code: (r.reporter_staff, r.grid_code, r.micro_code, r.outcome)
                 for r in s.scalars(select(GridReport))}
        ledger = sorted((e.person, e.points, e.reverses) for e in s.scalars(select(PointsEntry)))
        case = s.scalar(select(Case).where(Case.case_no == solved["case_no"]))
    assert facts[solved["case_no"]] == ("GS0003", "V01G01", "V01G01M01", "solved")
    assert len(facts) == 2 and case.state == "closed" and case.result == "已处理"
    assert ledger == sorted([("GS0003", 2, None), ("GS0003", 1, None), ("GS0003", -2, reversal["reversed"][0])])
    period = ("2026-11-01", "2026-12-31")
    assert stats.stats(b, *period, "village") == stats.stats(a, *period, "village")
    assert points.ledger(b, "GS0003")["total"] == points.ledger(a, "GS0003")["total"] == 1
    with server.db.read() as s:
        kinds = sorted(r.entity for r in s.scalars(select(Record).where(
            Record.entity.in_(("grid_report", "points_entry")))))
    assert kinds == ["grid_report", "grid_report", "points_entry", "points_entry", "points_entry"]


def test_admission_list_and_fed_case_travel(server, stations, tmp_path):
    import json

    from app.grids import admission, feeds

    a = stations("A")
    b = stations("B", fresh=True)
    admission.add(a, a.actors["director"], "flood_watch", "汛期巡查")
    f = tmp_path / "feed.json"
    f.write_text(json.dumps([{"external_id": "12345-77", "category": "PA0101", "description": "路面积水严重，影响通行",
                              "reporter": {"name": "陈立", "phone": "13912340000"}}], ensure_ascii=False), "utf-8")
    made = feeds.import_feed(a, a.actors["intake"], f, "hotline_12345")["created"][0]
    sync(a)
    sync(b)
    assert admission.check(b, "flood_watch")["name"] == "汛期巡查"
    with b.db.read() as s:
        assert s.scalar(select(Case.external_id).where(Case.case_no == made["case_no"])) == "12345-77"
        assert s.scalar(select(GridAdmission.name).where(GridAdmission.code == "flood_watch")) == "汛期巡查"
    again = feeds.import_feed(b, b.actors["intake"], f, "hotline_12345")  # B knows it came in already
    assert again["created"] == [] and again["skipped_existing"][0]["case_no"] == made["case_no"]


def test_the_same_feed_on_two_offline_workstations_does_not_break_sync(server, stations, tmp_path):
    """Both take the file in while offline; the cases meet at the next sync (the pull must not
    fail on the channel id) and both stay; an import after that skips the row on either side."""
    import json

    from app.grids import feeds

    a = stations("A")
    b = stations("B", fresh=True)
    f = tmp_path / "feed.json"
    f.write_text(json.dumps([{"external_id": "X-1", "category": "PA0101", "description": "路面积水严重影响通行",
                              "anonymous": True}], ensure_ascii=False), "utf-8")
    feeds.import_feed(a, a.actors["intake"], f, "police_feed")
    feeds.import_feed(b, b.actors["intake"], f, "police_feed")
    sync(a)
    sync(b)
    sync(a)
    for d in (a, b):
        with d.db.read() as s:
            assert len(s.execute(select(Case.case_no).where(Case.external_id == "X-1")).all()) == 2
        assert pending(d) == 0
        assert feeds.import_feed(d, d.actors["intake"], f, "police_feed")["created"] == []
