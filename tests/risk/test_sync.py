"""Every new record syncs through the generic record path: a risk with its steps, a trend
decision, an assessment with its opinions, a joint inspection with its problems, made on one
workstation, appear field for field on another of the town after both sync (and not in another
town); a step taken on the second comes back to the first."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cases.intake import take_in
from app.inspections import queries as iq
from app.inspections.services import add_inspection, record_result
from app.risk import assessments, queries, trends
from app.risk.register import act_risk, add_risk
from app.store import models as m
from tests.conftest import sample_case
from tests.inspections.test_inspections import plan
from tests.risk.conftest import RISK
from tests.risk.test_assessment import MATTER, OPINION
from tests.sync.conftest import pending, sync

MODELS = (m.Risk, m.RiskStep, m.RiskDecision, m.Assessment, m.AssessmentOpinion, m.Inspection, m.InspectionProblem)


def _rows(desk) -> dict:
    out = {}
    with desk.db.read() as s:
        for model in MODELS:
            cols = [c.key for c in model.__table__.columns if c.key != "updated_at"]
            out[model.__tablename__] = sorted(
                tuple(str(getattr(r, c)) for c in cols) for r in s.scalars(select(model)))
    return out


def test_all_new_records_reach_the_other_workstation(server, stations):
    a = stations("A")
    b = stations("B", fresh=True)
    other = stations("C", fresh=True, town="QL")
    act = a.actors
    no = add_risk(a, act["dispatcher"], {**RISK, "level": "high"})["risk_no"]
    act_risk(a, act["dispatcher"], no, "warn", {"note": "预警"})
    for i in range(5):
        take_in(a, act["intake"], sample_case(category="PA0104", location={"village": "V03", "address": "x"},
                                               reporter={"name": "甲", "phone": f"1350000{i:04d}"}),
                at=a.now() - timedelta(hours=i + 1))
    key = trends.proposals(a)[0]["key"]
    trends.dismiss(a, act["director"], {"key": key, "note": "已掌握"})
    wp = assessments.add_assessment(a, act["dispatcher"], MATTER)["assessment_no"]
    assessments.add_opinion(a, act["dispatcher"], wp, OPINION)
    zc = add_inspection(a, act["dispatcher"], plan(a.now().date().isoformat(), ["D01", "D07"]))["inspection_no"]
    record_result(a, act["dispatcher"], zc, {"problems": [{"description": "消防通道堵塞", "fixed": True,
                                                          "case_filed": False, "clue_to": "D05"}]})
    assert pending(a) > 0
    sync(a)
    assert pending(a) == 0
    sync(b)
    sync(other)
    mine = _rows(a)
    assert all(mine[t] for t in mine), mine
    assert _rows(b) == mine
    assert not any(_rows(other).values())
    # what B sees through the services
    assert queries.show_risk(b, no)["state"] == "warning"
    assert [s["kind"] for s in queries.show_risk(b, no)["steps"]] == ["add", "report", "warn"]
    assert trends.proposals(b) == []  # B's cases came from A too, and the dismissal with them
    assert assessments.show_assessment(b, wp)["opinions"][0]["participants"] == 40
    assert iq.inspection_stats(b)["visits_spared"] == 1 and iq.inspection_stats(b)["clues"] == 1

    # a step on B travels back to A
    act_risk(b, b.actors["director"], no, "urge", {"note": "请加快处置", "level": "yellow"})
    sync(b)
    sync(a)
    shown = queries.show_risk(a, no)
    assert shown["urge_count"] == 1 and shown["steps"][-1]["kind"] == "urge"
    assert _rows(a) == _rows(b)
