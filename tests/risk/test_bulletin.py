"""The monthly bulletin's 风险 section: the figures of the month (risks by level and source,
closed, open, overdue, proposals answered, 稳评 concluded, 综合查一次) and the PDF read back; the
weekly bulletin has no such section."""
from __future__ import annotations

import subprocess
from datetime import date

from app.inspections.services import add_inspection, record_result
from app.risk import assessments
from app.risk.register import act_risk, add_risk
from app.supervision import bulletins as bl
from tests.inspections.test_inspections import plan
from tests.risk.conftest import RISK
from tests.risk.test_assessment import MATTER, OPINION


def test_monthly_bulletin_has_the_risk_section(desk, actors, clock, tmp_path):
    d, boss = actors["dispatcher"], actors["director"]
    high = add_risk(desk, d, {**RISK, "level": "high", "source": "police_feed"})["risk_no"]
    low = add_risk(desk, d, {**RISK, "level": "low"})["risk_no"]
    add_risk(desk, d, {**RISK, "village": "V02"})
    for step in ("warn", "handle", "feedback", "close"):
        act_risk(desk, boss, low, step, {"note": step})
    wp = assessments.add_assessment(desk, d, MATTER)["assessment_no"]
    assessments.add_opinion(desk, d, wp, OPINION)
    scores = {dim["key"]: {i["key"]: 50 for i in dim["indicators"]}
              for dim in assessments.show_assessment(desk, wp)["template"]["dimensions"]}
    assessments.score_assessment(desk, d, wp, {"scores": scores})
    assessments.conclude(desk, boss, wp, {"conclusion": "reject", "note": "风险过高"})
    zc = add_inspection(desk, d, plan("2026-11-20", ["D01", "D07", "P01"]))["inspection_no"]
    record_result(desk, d, zc, {"problems": [{"description": "隐患", "fixed": True, "case_filed": True}]})
    clock.advance(days=4)  # the high risk (one working day) is now overdue

    f = bl.figures(desk, "monthly", date(2026, 11, 27))  # November, seen on 1 December
    r = f["risk"]
    assert (r["new"], r["new_by_level"], r["closed"], r["reported"], r["open"]) == (
        3, {"high": 1, "medium": 1, "low": 1}, 1, 1, 2)
    assert r["new_by_source"] == {"网格上报": 2, "警情推送": 1}
    assert [o["risk_no"] for o in r["overdue"]] == [high]
    assert r["assessments"] == {"concluded": 1, "by_conclusion": {"实施": 0, "暂缓实施": 0, "不实施": 1}}
    assert r["inspections"] == {"inspections": 1, "problems": 1, "fixed": 1, "clues": 0, "cases_filed": 1,
                                "visits_spared": 2}
    assert bl.figures(desk, "weekly", date(2026, 11, 27))["risk"] is None

    from app.dossier.bulletins import render

    pdf = render(f, tmp_path / "m.pdf")
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "风险研判本期新登记风险3件（高1、中1、低1），其中报区级1件" in text
    assert "超期1件" in text and high in text and "不实施1" in text
    assert "综合查一次1次，发现问题1个，整改1个，移交线索0条，立案1件，减少扰民2次" in text
