"""calendar list / set, the 60-day warning, centre settings on the receipt, case export."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.domain.timezone import LOCAL_TZ
from app.reference import workdays
from app.reference.xlsx import read_workbook
from app.store.models import OutboxEntry
from tests.golive.conftest import cli


def test_calendar_list_2027(desk, capsys):
    rc, days = cli(capsys, "--data-dir", str(desk.root), "calendar", "list", "--year", "2027", "--json")
    assert rc == 0 and len(days) == 365
    by = {d["date"]: d for d in days}
    assert set(days[0]) == {"date", "workday", "source", "note"}
    assert by["2027-02-08"]["workday"] is False and by["2027-02-08"]["source"] == "provisional"
    assert by["2027-02-08"]["note"] == "春节"
    assert by["2027-01-01"]["source"] == "provisional"
    assert by["2027-01-04"] == {"date": "2027-01-04", "workday": True, "source": "weekday", "note": ""}
    assert by["2027-01-09"]["source"] == "weekend" and not by["2027-01-09"]["workday"]
    # the deadlines use the same days: Friday 2027-02-05 + 1 working day skips the Spring Festival
    cal = desk.calendar()
    assert not cal.is_workday(datetime(2027, 2, 8, 12, tzinfo=LOCAL_TZ))
    rc, days = cli(capsys, "--data-dir", str(desk.root), "calendar", "list", "--year", "2026", "--json")
    by = {d["date"]: d for d in days}
    assert by["2026-02-14"] == {"date": "2026-02-14", "workday": True, "source": "official", "note": "春节调休上班"}
    assert by["2026-10-01"]["source"] == "official" and by["2026-10-01"]["note"] == "国庆节"


def test_calendar_set_is_a_synced_town_day(desk, capsys):
    root = str(desk.root)
    rc, out = cli(capsys, "--data-dir", root, "calendar", "set", "2027-02-20", "--workday", "--note", "春节调休上班",
                  "--json")
    assert rc == 0 and out == {"date": "2027-02-20", "workday": True, "source": "override", "note": "春节调休上班"}
    rc, days = cli(capsys, "--data-dir", root, "calendar", "list", "--year", "2027", "--json")
    assert {d["date"]: d for d in days}["2027-02-20"]["source"] == "override"
    with desk.db.read() as s:
        e = s.scalars(select(OutboxEntry).where(OutboxEntry.entity == "holiday")).one()
        assert e.payload["day"] == "2027-02-20" and e.payload["workday"] is True
    desk.invalidate()
    assert desk.calendar().is_workday(datetime(2027, 2, 20, 9, tzinfo=LOCAL_TZ))
    for bad in (["2027-02-30", "--holiday"], ["20270220", "--holiday"], ["2027-02-20"]):
        rc, out = cli(capsys, "--data-dir", root, "calendar", "set", *bad, "--json") if bad[-1] != "2027-02-20" \
            else (2, None)
        assert rc == 2
    rc, out = cli(capsys, "--data-dir", root, "--as", "intake", "calendar", "set", "2027-03-01", "--holiday", "--json")
    assert rc == 2 and out["error"]["field"] == "as"
    rc, out = cli(capsys, "--data-dir", root, "calendar", "list", "--year", "1999", "--json")
    assert rc == 2 and out["error"]["field"] == "year"


def test_banner_when_the_next_60_days_are_guessed(desk, clock):
    clock.set(datetime(2026, 10, 1, 10, tzinfo=LOCAL_TZ))
    assert workdays.guessed_ahead(desk) is None  # all of 2026 is official
    clock.set(datetime(2026, 12, 5, 10, tzinfo=LOCAL_TZ))
    warn = workdays.guessed_ahead(desk)
    assert warn["years"] == [2027] and "2027-01-01" in warn["provisional"] and "尚未录入" in warn["message"]


def test_settings_reach_the_receipt(desk, capsys):
    root = str(desk.root)
    rc, out = cli(capsys, "--data-dir", root, "setting", "set", "centre_phone", "0575 8512 3456", "--json")
    assert rc == 0 and out["value"] == "0575-85123456"
    for key, value in (("centre_name", "西桥镇矛调中心"), ("centre_address", "西桥镇人民路1号"),
                       ("receipt_footer", "请保管好本回执")):
        assert cli(capsys, "--data-dir", root, "setting", "set", key, value, "--json")[0] == 0
    rc, out = cli(capsys, "--data-dir", root, "setting", "list", "--json")
    values = {s["key"]: s["value"] for s in out}
    assert values["centre_address"] == "西桥镇人民路1号" and values["receipt_footer"] == "请保管好本回执"
    assert cli(capsys, "--data-dir", root, "setting", "set", "centre_phone", "12", "--json")[0] == 2
    assert cli(capsys, "--data-dir", root, "setting", "set", "nonsense", "1", "--json")[0] == 2
    assert cli(capsys, "--data-dir", root, "setting", "set", "idle_lock_minutes", "abc", "--json")[0] == 2
    assert cli(capsys, "--data-dir", root, "--as", "intake", "setting", "set", "centre_name", "x", "--json")[0] == 2
    from app.printing.jobs import _receipt_info, print_context
    from app.reference.users import get_actor

    desk.reload_meta()
    info = _receipt_info(desk, {"due_at": "x"})
    assert info["phone"] == "0575-85123456" and info["footer"] == "请保管好本回执"
    assert print_context(desk, get_actor(desk, None)).org_name == "西桥镇矛调中心"


def test_case_export_masks_as_the_role_requires(demo_desk, tmp_path, capsys):
    root = str(demo_desk.root)
    path = tmp_path / "cases.xlsx"
    rc, out = cli(capsys, "--data-dir", root, "case", "export", "-o", str(path), "--json")
    assert rc == 0 and out["cases"] == 300
    rows = read_workbook(path)["案件"]
    assert rows[0][0] == "案件编号" and len(rows) == 301
    rc, listed = cli(capsys, "--data-dir", root, "--as", "unit", "case", "list", "--limit", "1000", "--json")
    path2 = tmp_path / "unit.xlsx"
    rc, out = cli(capsys, "--data-dir", root, "--as", "unit", "case", "export", "--state", "dispatched", "-o",
                  str(path2), "--json")
    rc2, listed = cli(capsys, "--data-dir", root, "--as", "unit", "case", "list", "--state", "dispatched",
                      "--limit", "1000", "--json")
    assert rc == 0 and out["cases"] == listed["total"]
    unit_rows = read_workbook(path2)["案件"][1:]
    phones = {str(r[8]) for r in unit_rows if r[8]}
    assert phones == {c["reporter"]["phone"] for c in listed["items"] if c["reporter"]["phone"]}
    assert rc == 0 and (not phones or all("*" in p for p in phones))
