"""稳评 scored end to end from a template: weights as configured, the level from the thresholds,
the conclusion, a re-assessment after the decision, the report read back with pdftotext; steps
out of order refused with nothing written."""
from __future__ import annotations

import subprocess

import pytest

from app.domain import assessment as A
from app.errors import PermissionDenied, ValidationError, WorkflowError
from app.risk import assessments as svc
from app.risk.report import print_assessment
from tests.risk.conftest import counts

MATTER = {"matter": "府山横街老旧小区加装电梯", "body": "府山街道城建办",
          "plan": {"area": "府山横街1-30号", "households": 420, "factors": "低层住户担心采光和分摊费用",
                   "leaders": "王建国"}}
# a town's own template: legality weighs double; two indicators with unequal weights
TEMPLATE = {"dimensions": [
    {"key": "legality", "weight": 40, "indicators": [{"key": "basis", "label": "依据合法", "weight": 3},
                                                     {"key": "procedure", "label": "程序合法", "weight": 1}]},
    {"key": "rationality", "weight": 20, "indicators": [{"key": "fair", "label": "公平公正", "weight": 1}]},
    {"key": "feasibility", "weight": 20, "indicators": [{"key": "ready", "label": "条件成熟", "weight": 1}]},
    {"key": "controllability", "weight": 20, "indicators": [{"key": "plans", "label": "预案完善", "weight": 1}]},
], "levels": {"low": 85, "medium": 70}}
SCORES = {"legality": {"basis": 90, "procedure": 70}, "rationality": {"fair": 80},
          "feasibility": {"ready": 75}, "controllability": {"plans": 60}}
# by hand: legality (90*3 + 70*1)/4 = 85; total (85*40 + 80*20 + 75*20 + 60*20)/100 = 77.0 -> 中 (70 <= 77 < 85)
OPINION = {"method": "forum", "date": "2026-11-20", "participants": 40, "support": 31, "oppose": 6,
           "summary": "多数住户支持，低层住户要求补偿采光损失"}


def test_scored_end_to_end_from_a_template_and_the_report(desk, actors, tmp_path):
    d = actors["dispatcher"]
    out = svc.add_assessment(desk, d, {**MATTER, "template": TEMPLATE})
    no = out["assessment_no"]
    assert out == {"assessment_no": "FS-WP20261127-01-001", "state": "draft", "follow_up_of": None}
    before = counts(desk)
    with pytest.raises(WorkflowError):  # no opinions gathered yet
        svc.score_assessment(desk, d, no, {"scores": SCORES})
    with pytest.raises(WorkflowError):
        svc.conclude(desk, actors["director"], no, {"conclusion": "implement", "note": "x"})
    assert counts(desk) == before

    svc.add_opinion(desk, d, no, OPINION)
    got = svc.add_opinion(desk, d, no, {"method": "questionnaire", "date": "2026-11-22", "participants": 200,
                                        "support": 150, "oppose": 30, "summary": "问卷回收200份"})
    assert got == {"assessment_no": no, "state": "gathering", "opinions": 2}
    scored = svc.score_assessment(desk, d, no, {"scores": SCORES, "note": "可控性偏弱"})
    assert scored["dimensions"] == {"legality": 85.0, "rationality": 80.0, "feasibility": 75.0, "controllability": 60.0}
    assert (scored["total"], scored["level"], scored["suggested"]) == (77.0, "medium", "postpone")
    with pytest.raises(PermissionDenied):
        svc.conclude(desk, d, no, {"conclusion": "postpone", "note": "x"})
    done = svc.conclude(desk, actors["director"], no, {"conclusion": "postpone",
                                                       "note": "完善采光补偿方案后再行实施"})
    assert (done["state"], done["conclusion_label"], done["level"]) == ("concluded", "暂缓实施", "medium")
    with pytest.raises(WorkflowError):
        svc.add_opinion(desk, d, no, OPINION)

    pdf = tmp_path / "稳评.pdf"
    out = print_assessment(desk, d, no, str(pdf))
    assert out["kind_label"] == "稳评报告" and pdf.stat().st_size > 1000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for needle in ("重大决策社会稳定风险评估报告", no, "府山横街老旧小区加装电梯", "府山街道城建办", "王建国",
                   "共开展意见征集2次，参与240人次，其中支持181人次、反对36人次", "座谈会", "问卷调查",
                   "合法性（权重40）", "依据合法", "85.0", "综合得分77.0分", "风险等级：中", "评估结论：暂缓实施",
                   "完善采光补偿方案后再行实施", "可控性偏弱"):
        assert needle in flat, needle

    # the follow-up re-assessment after the decision keeps the template
    again = svc.add_assessment(desk, d, {**MATTER, "matter": "加装电梯（决策后复评）", "follow_up_of": no})
    assert again["follow_up_of"] == no
    shown = svc.show_assessment(desk, again["assessment_no"])
    assert shown["template"]["levels"] == {"low": 85.0, "medium": 70.0}
    assert svc.show_assessment(desk, no)["follow_ups"] == [again["assessment_no"]]
    with pytest.raises(WorkflowError):  # only a concluded assessment is re-assessed
        svc.add_assessment(desk, d, {**MATTER, "follow_up_of": again["assessment_no"]})


def test_the_default_template_and_its_levels(desk, actors):
    t = A.check_template(None)
    assert [d["label"] for d in t["dimensions"]] == ["合法性", "合理性", "可行性", "可控性"]
    all_of = lambda v: {d["key"]: {i["key"]: v for i in d["indicators"]} for d in t["dimensions"]}  # noqa: E731
    assert A.score(t, all_of(90))["level"] == "low"
    assert A.score(t, all_of(65))["level"] == "medium"
    assert A.score(t, all_of(40)) == {**A.score(t, all_of(40)), "level": "high", "suggested": "reject", "total": 40.0}


@pytest.mark.parametrize("template,field", [
    ({"dimensions": []}, "template.dimensions"),
    ({"dimensions": [{"key": "legality", "weight": 0, "indicators": [{"key": "a", "weight": 1}]}]},
     "template.dimensions.0.weight"),
    ({"dimensions": [{"key": "luck", "weight": 1, "indicators": [{"key": "a", "weight": 1}]}]},
     "template.dimensions.0"),
    ({**TEMPLATE, "levels": {"low": 50, "medium": 70}}, "template.levels"),
])
def test_a_bad_template_is_refused(desk, actors, template, field):
    before = counts(desk)
    with pytest.raises(ValidationError) as e:
        svc.add_assessment(desk, actors["dispatcher"], {**MATTER, "template": template})
    assert e.value.field == field
    assert counts(desk) == before


def test_bad_scores_and_opinions_name_the_field(desk, actors):
    d = actors["dispatcher"]
    no = svc.add_assessment(desk, d, {**MATTER, "template": TEMPLATE})["assessment_no"]
    with pytest.raises(ValidationError) as e:
        svc.add_opinion(desk, d, no, {**OPINION, "support": 50})
    assert e.value.field == "support"
    with pytest.raises(ValidationError) as e:
        svc.add_opinion(desk, d, no, {**OPINION, "method": "rumour"})
    assert e.value.field == "method"
    svc.add_opinion(desk, d, no, OPINION)
    for scores, field in (({**SCORES, "legality": {"basis": 90}}, "scores.legality.procedure"),
                          ({**SCORES, "feasibility": {"ready": 101}}, "scores.feasibility.ready"),
                          ({k: v for k, v in SCORES.items() if k != "rationality"}, "scores.rationality")):
        with pytest.raises(ValidationError) as e:
            svc.score_assessment(desk, d, no, {"scores": scores})
        assert e.value.field == field
    assert svc.show_assessment(desk, no)["state"] == "gathering"
