"""The command line as the issue states it (driven through app.cli.main): risk add/act/list/
proposals, assessment add/opinion/score/conclude and print --kind assessment; a step out of
order exits 2 with a Chinese message and writes nothing."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from app.cli import main
from app.desk import open_desk
from tests.risk.conftest import RISK, counts
from tests.risk.test_assessment import MATTER, OPINION


@pytest.fixture
def cli(desk, capsys):
    root = str(desk.root)
    desk.close()

    def run(*argv, data=None):
        old = sys.stdin
        if data is not None:
            sys.stdin = io.StringIO(json.dumps(data, ensure_ascii=False))
        try:
            code = main(["--data-dir", root, *argv])
        finally:
            sys.stdin = old
        out = capsys.readouterr()
        try:
            parsed = json.loads(out.out) if out.out.strip() else None
        except json.JSONDecodeError:
            parsed = out.out
        return code, parsed, out.err

    run.root = root
    return run


def _counts(root):
    d = open_desk(root)
    try:
        return counts(d)
    finally:
        d.close()


def test_risk_commands(cli):
    code, out, _ = cli("risk", "add", "--json", "-", data=RISK)
    assert code == 0 and set(out) == {"risk_no", "state", "color", "unit"}
    assert (out["state"], out["color"], out["unit"]) == ("monitoring", "yellow", "V01")
    no = out["risk_no"]
    before = _counts(cli.root)
    code, out, err = cli("risk", "act", no, "feedback", "--json", "-", data={"note": "越级反馈"})
    assert code == 2 and out["error"]["code"] == "forbidden_transition" and "不能「反馈」" in err
    code, out, err = cli("risk", "act", no, "bogus", "--json", "-", data={"note": "x"})
    assert code == 2 and out["error"]["field"] == "action"
    code, out, _ = cli("risk", "add", "--json", "-", data={**RISK, "level": "严重"})
    assert code == 2 and out["error"]["field"] == "level" and "风险等级" in out["error"]["message"]
    assert _counts(cli.root) == before  # nothing written, not even the CLI's audit entry
    for step in ("warn", "handle", "feedback", "close"):
        code, out, _ = cli("--as", "director", "risk", "act", no, step, "--json", "-", data={"note": f"{step} 说明"})
        assert code == 0 and out["step"] == step
    code, rows, _ = cli("risk", "list", "--json")
    assert code == 0 and [(r["risk_no"], r["state"]) for r in rows] == [(no, "closed")]
    code, shown, _ = cli("risk", "show", no, "--json")
    assert [s["kind"] for s in shown["steps"]] == ["add", "warn", "handle", "feedback", "close"]
    code, props, _ = cli("risk", "proposals", "--json")
    assert code == 0 and props == []
    code, villages, _ = cli("risk", "villages", "--json")
    assert code == 0 and {v["village"] for v in villages} >= {"V01", "V10"}


def test_proposals_accept_and_dismiss_from_the_command_line(cli):
    base = {"channel": "visit", "type": "help", "title": "物业不作为", "description": "小区物业长期不维修电梯。",
            "category": "PA0104", "location": {"village": "V03", "address": "府山社区某小区"}}
    for i in range(5):
        code, _, err = cli("case", "add", "--json", "-",
                           data={**base, "reporter": {"name": "赵六", "phone": f"1371111{i:04d}"}})
        assert code == 0, err
    code, props, _ = cli("risk", "proposals", "--json")
    assert code == 0 and len(props) == 1 and len(props[0]["case_nos"]) == 5
    key = props[0]["key"]
    code, out, _ = cli("--as", "dispatcher", "risk", "accept", key, "--json")
    assert code == 2 and out["error"]["code"] == "permission_denied"
    code, out, _ = cli("--as", "director", "risk", "accept", key, "--level", "high", "--json")
    assert code == 0 and out["color"] == "red" and out["case_nos"] == props[0]["case_nos"]
    code, shown, _ = cli("risk", "show", out["risk_no"], "--json")
    assert shown["source"] == "case_trend" and shown["reported"] is True
    code, props, _ = cli("risk", "proposals", "--json")
    assert props == []
    code, props, _ = cli("risk", "proposals", "--all", "--json")
    assert len(props) == 1


def test_assessment_commands_and_the_report(cli, tmp_path):
    code, out, _ = cli("assessment", "add", "--json", "-", data=MATTER)
    assert code == 0 and out["state"] == "draft"
    no = out["assessment_no"]
    code, tpl, _ = cli("assessment", "template", "--json")
    scores = {d["key"]: {i["key"]: 88 for i in d["indicators"]} for d in tpl["dimensions"]}
    before = _counts(cli.root)
    code, out, err = cli("assessment", "score", no, "--json", "-", data={"scores": scores})
    assert code == 2 and out["error"]["code"] == "forbidden_transition" and "意见征集" in err
    assert _counts(cli.root) == before
    assert cli("assessment", "opinion", no, "--json", "-", data=OPINION)[0] == 0
    code, out, _ = cli("assessment", "score", no, "--json", "-", data={"scores": scores})
    assert code == 0 and (out["total"], out["level"], out["suggested"]) == (88.0, "low", "implement")
    code, out, _ = cli("--as", "director", "assessment", "conclude", no, "--json", "-",
                       data={"conclusion": "implement", "note": "同意实施"})
    assert code == 0 and out["conclusion_label"] == "实施"
    pdf = tmp_path / "a.pdf"
    code, out, _ = cli("print", no, "--kind", "assessment", "-o", str(pdf), "--json")
    assert code == 0 and out["paths"] == [str(pdf)]
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "综合得分88.0分" in text and "评估结论：实施" in text and MATTER["matter"] in text
    code, out, _ = cli("print", "FS-WP20991231-01-001", "--kind", "assessment", "-o", str(pdf), "--json")
    assert code == 2 and out["error"]["code"] == "not_found"
