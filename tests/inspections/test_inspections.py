"""综合查一次 on a hand-built set: the statistics reproduce figures written by hand (the seed's
1153/109/106/76/47/2355 shape at a small scale); a bad 统一社会信用代码 or an unknown department is
refused with nothing written; a rectification order is tracked to done."""
from __future__ import annotations

import json

import pytest

from app.cli import main
from app.domain.validation import uscc_check_char
from app.errors import NotFound, ValidationError, WorkflowError
from app.inspections import queries
from app.inspections.services import add_inspection, mark_rectified, record_result
from tests.risk.conftest import counts, queued


def uscc(body: str) -> str:
    return body + uscc_check_char(body)


def plan(day: str, depts: list[str], name: str = "绍兴某机械有限公司", body: str = "91330602MA2BC1234") -> dict:
    return {"date": day, "departments": depts, "target": {"name": name, "uscc": uscc(body)},
            "matters": ["fire", "安全生产", "gas"]}


def P(desc: str, fixed: bool, clue: str | None = None, case: bool = False) -> dict:
    p = {"description": desc, "fixed": fixed, "case_filed": case}
    if clue:
        p["clue_to"] = clue
    return p


def test_statistics_reproduce_the_hand_written_figures(desk, actors):
    d = actors["dispatcher"]
    n1 = add_inspection(desk, d, plan("2026-11-02", ["D01", "D07", "P01"]))["inspection_no"]
    n2 = add_inspection(desk, d, plan("2026-11-05", ["D01", "D04"], "某某餐饮店", "92330602MA2XY0001"))["inspection_no"]
    n3 = add_inspection(desk, d, plan("2026-11-10", ["D01", "D02", "D05", "D07"], "某某物流公司",
                                      "91330602MA2WW7777"))["inspection_no"]
    n4 = add_inspection(desk, d, plan("2026-11-18", ["D04"], "某某超市", "92330602MA2AB5555"))["inspection_no"]
    n5 = add_inspection(desk, d, plan("2026-11-26", ["D07", "D01"], "某某加油站", "91330602MA2CD3333"))["inspection_no"]
    add_inspection(desk, d, plan("2026-10-15", ["D01", "D02", "D03"]))  # before the period
    record_result(desk, d, n1, {"problems": [P("消防通道堵塞", True), P("燃气软管老化", False, clue="D05")]})
    record_result(desk, d, n3, {"problems": [P("应急灯损坏", True), P("货物占用疏散通道", True),
                                             P("无证从事危险货物运输", False, clue="D05", case=True)]})
    record_result(desk, d, n4, {"problems": [P("价格标签不规范", True, clue="P01")]})
    record_result(desk, d, n5, {"problems": []})
    assert n2  # planned, no problems recorded: still a joint inspection on its date
    mark_rectified(desk, d, n1, {"problem": 2, "note": "已更换燃气软管"})
    # by hand: 5 inspections in November; departments 3+2+4+1+2 -> visits spared 2+1+3+0+1 = 7;
    # problems 2+3+1 = 6; fixed 1 (+1 rectified) + 2 + 1 = 5; clues 3; cases filed 1
    want = {"inspections": 5, "problems": 6, "fixed": 5, "clues": 3, "cases_filed": 1, "visits_spared": 7}
    assert queries.inspection_stats(desk, "2026-11-01", "2026-11-30") == want
    assert queries.inspection_stats(desk, "2026-10-01", "2026-11-30") == {
        **want, "inspections": 6, "visits_spared": 9}
    assert queries.inspection_stats(desk, "2026-11-06", "2026-11-17") == {
        "inspections": 1, "problems": 3, "fixed": 2, "clues": 1, "cases_filed": 1, "visits_spared": 3}


def test_cli_contract_and_refusals(desk, capsys):
    root = str(desk.root)

    def run(*argv):
        return main(["--data-dir", root, *argv])

    import io
    import sys

    def with_input(obj, *argv):
        old = sys.stdin
        sys.stdin = io.StringIO(json.dumps(obj, ensure_ascii=False))
        try:
            return main(["--data-dir", root, *argv])
        finally:
            sys.stdin = old

    desk.close()
    assert with_input(plan("2026-11-20", ["D01", "D07"]), "inspection", "add", "--json", "-") == 0
    no = json.loads(capsys.readouterr().out)["inspection_no"]
    from app.desk import open_desk

    d2 = open_desk(root)
    before = counts(d2)
    d2.close()
    bad_check = plan("2026-11-20", ["D01"])
    bad_check["target"]["uscc"] = bad_check["target"]["uscc"][:17] + ("0" if bad_check["target"]["uscc"][17] != "0" else "1")
    for data, field in ((bad_check, "target.uscc"), (plan("2026-11-20", ["D01", "XX9"]), "departments.1"),
                        (plan("2026-11-20", ["D01", "D01"]), "departments")):
        assert with_input(data, "inspection", "add", "--json", "-") == 2
        captured = capsys.readouterr()
        assert json.loads(captured.out)["error"]["field"] == field and "错误：" in captured.err
    assert with_input({"problems": [P("漏检", False, clue="NOPE")]}, "inspection", "result", no, "--json", "-") == 2
    assert json.loads(capsys.readouterr().out)["error"]["field"] == "problems.0.clue_to"
    d2 = open_desk(root)
    assert counts(d2) == before
    d2.close()
    assert with_input({"problems": [P("灭火器过期", False, case=True)]}, "inspection", "result", no, "--json", "-") == 0
    capsys.readouterr()
    assert with_input({"problems": []}, "inspection", "result", no, "--json", "-") == 2  # already recorded
    assert "已检查" in json.loads(capsys.readouterr().out)["error"]["message"]
    assert run("inspection", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"inspections": 1, "problems": 1, "fixed": 0, "clues": 0,
                                                   "cases_filed": 1, "visits_spared": 1}
    assert run("inspection", "stats", "--from", "2026-11-31", "--to", "2026-11-30", "--json") == 2
    capsys.readouterr()
    assert run("inspection", "show", no, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["problems"][0]["rectify_due"] == "2026-12-04"  # 10 working days after Friday 2026-11-20


def test_records_are_queued_and_rectification_is_checked(desk, actors):
    d = actors["dispatcher"]
    no = add_inspection(desk, d, plan("2026-11-20", ["D01", "D07"]))["inspection_no"]
    with pytest.raises(WorkflowError):
        mark_rectified(desk, d, no, {"problem": 1, "note": "x"})
    record_result(desk, d, no, {"problems": [P("隐患一", False, case=True)], "checked": ["fire"]})
    assert [k for k, _ in queued(desk)] == ["inspection", "inspection_problem", "inspection"]
    with pytest.raises(NotFound):
        mark_rectified(desk, d, no, {"problem": 2, "note": "x"})
    mark_rectified(desk, d, no, {"problem": 1, "note": "整改到位"})
    with pytest.raises(ValidationError):
        mark_rectified(desk, d, no, {"problem": 1, "note": "again"})
    shown = queries.show_inspection(desk, no)
    assert shown["checked"] == ["消防安全"] and shown["problems"][0]["fixed"] is True
    with pytest.raises(ValidationError) as e:
        add_inspection(desk, d, {**plan("2026-11-20", ["D01"]), "matters": []})
    assert e.value.field == "matters"
