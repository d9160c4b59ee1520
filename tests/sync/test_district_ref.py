"""District-owned data authored on the server (towndesk-server ref import --level district) reaches
every workstation of every town; a town's calendar day reaches its other workstations."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

from sqlalchemy import select

from app.cases import intake
from app.domain.timezone import LOCAL_TZ
from app.paths import resource_path
from app.reference import workdays
from app.store.models import Unit
from tests.conftest import sample_case
from tests.golive.conftest import write_xlsx
from tests.sync.conftest import ROOT, sync

# the district's units are the ones the demo town names (区信访局 Q01 … 区教育体育局 Q05)
_DEMO = json.loads(resource_path("reference", "demo_town.json").read_text(encoding="utf-8"))
DISTRICT = {
    "单位": [[u["code"], u["name"], "区级部门", None] for u in _DEMO["units"] if u["kind"] == "district"],
    "节假日": [["2027-02-08", "休", "春节"], ["2027-02-20", "班", "春节调休上班"]],
}
N = len(DISTRICT["单位"])


def server_cli(server, *argv) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "server.cli", "--db", server.db_url, *argv], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def _units(desk) -> dict:
    with desk.db.read() as s:
        return {u.code: (u.name, u.kind, u.owner_level) for u in s.scalars(select(Unit).where(Unit.deleted.is_(False)))}


def _auto(desk) -> None:
    with desk.db.tx() as s:
        desk.set_meta(s, "setting.auto_dispatch", "true")


def test_district_units_reach_a_workstation_enrolled_later(server, stations, tmp_path):
    a = stations("A")
    book = write_xlsx(tmp_path / "district.xlsx", DISTRICT)
    # a town sheet is refused at the district level, with its place
    bad = write_xlsx(tmp_path / "bad.xlsx", {"网格": [["G1", "x", "V01", 1]]})
    rc, out = server_cli(server, "ref", "import", str(bad), "--level", "district", "--json")
    assert rc == 2 and json.loads(out)["errors"][0]["sheet"] == "网格"
    rc, out = server_cli(server, "ref", "import", str(book), "--level", "district", "--dry-run", "--json")
    assert rc == 0 and json.loads(out)["created"] == {"单位": N, "节假日": 2}
    rc, out = server_cli(server, "ref", "import", str(book), "--level", "district", "--json")
    assert rc == 0, out
    report = json.loads(out)
    assert report["created"] == {"单位": N, "节假日": 2} and report["errors"] == []
    # importing again changes nothing
    rc, out = server_cli(server, "ref", "import", str(book), "--level", "district", "--json")
    assert json.loads(out)["unchanged"] == {"单位": N, "节假日": 2}

    b = stations("B", fresh=True)
    sync(a)
    assert _units(b) == _units(a)
    assert _units(b)["Q03"] == ("区生态环境分局", "district", "district")
    for desk in (a, b):
        _auto(desk)
        desk.invalidate()
        view = intake.take_in(desk, desk.actors["intake"], sample_case(category="企业偷排", type="report"))
        assert view["state"] == "dispatched" and view["unit"]["code"] == "Q03", view["routing"]
    # the district's calendar: 2027-02-20 (Saturday) is a working day on every workstation
    for desk in (a, b):
        days = {d["date"]: d for d in workdays.calendar_list(desk, 2027)}
        assert days["2027-02-20"]["workday"] and days["2027-02-20"]["source"] == "district"
        assert days["2027-02-08"]["source"] == "district" and not days["2027-02-08"]["workday"]

    # a town added after the import starts with the district's records
    server_cli(server, "town", "add", "XQ", "西桥镇")
    c = stations("C", fresh=True, town="XQ")
    assert _units(c)["Q01"][0] == "区信访局"


def test_a_calendar_day_set_on_one_workstation_reaches_the_other(server, stations):
    a = stations("A")
    b = stations("B", fresh=True)
    out = workdays.calendar_set(a, a.actors["admin"], "2027-03-01", False, "镇庆")
    assert out["source"] == "override"
    sync(a)
    sync(b)
    days = {d["date"]: d for d in workdays.calendar_list(b, 2027)}
    assert days["2027-03-01"] == {"date": "2027-03-01", "workday": False, "source": "override", "note": "镇庆"}
    assert not b.calendar().is_workday(datetime(2027, 3, 1, 12, tzinfo=LOCAL_TZ))
