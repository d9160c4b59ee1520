"""The exact command line of issue 16, through app.cli.main on a real store; bad input exits 2
with a Chinese message and writes nothing (row counts of the mediation tables, audit and outbox)."""
from __future__ import annotations

import pytest

from tests.mediation.conftest import AGREEMENT, counts, dispute_input, run


@pytest.fixture
def cli(desk, capsys, monkeypatch):
    def call(*args, stdin=None):
        return run(desk, capsys, monkeypatch, *args, stdin=stdin)
    return call


def test_ref_list_mediators(cli):
    code, out, _ = cli("ref", "list", "mediators", "--json")
    assert code == 0 and len(out) >= 6
    assert all(set(m) == {"code", "name", "phone", "kind", "org"} for m in out)
    assert {m["kind"] for m in out} == {"professional", "court", "village", "lawyer"}


def test_dispute_life_on_the_command_line(cli, cases):
    code, out, _ = cli("dispute", "open", cases[0], "--json", "-", stdin=dispute_input())
    assert code == 0 and set(out) == {"dispute_no", "case_no", "state", "difficulty", "due_at", "color"}
    assert (out["case_no"], out["state"], out["difficulty"], out["color"]) == (cases[0], "accepted", "简单", "green")
    no = out["dispute_no"]
    code, out, _ = cli("dispute", "assign", no, "--mediator", "M01", "--co", "M04,M06", "--json")
    assert code == 0 and (out["mediator"], out["co_mediators"], out["state"]) == ("M01", ["M04", "M06"], "mediating")
    session = {"at": "2026-11-27T09:00:00+08:00", "place": "卧龙社区调解室", "attendees": ["张三", "李四", "周立新"],
               "record": "双方陈述事实，同意以赔偿了结。", "outcome": "agreed"}
    code, out, _ = cli("dispute", "session", no, "--json", "-", stdin=session)
    assert code == 0 and out["session"]["no"] == 1 and out["session"]["outcome"] == "agreed"
    code, out, _ = cli("dispute", "close", no, "--json", "-",
                       stdin={"means": "mediation", "success": True, "agreement": AGREEMENT})
    assert code == 0 and out["state"] == "closed" and out["judicial_confirmation_due"]
    code, out, _ = cli("dispute", "show", cases[0], "--json")  # by the case number too
    assert code == 0 and out["dispute_no"] == no
    assert [s["attendees"] for s in out["sessions"]] == [["张三", "李四", "周立新"]]
    assert out["judicial_confirmation_due"] and out["missing_documents"] == ["权利义务告知书", "调查记录", "回访记录"]
    cli("dispute", "doc", no, "--kind", "notice")
    cli("dispute", "doc", no, "--kind", "survey")
    code, out, _ = cli("dispute", "visit", no, "--note", "已按期支付并修复", "--json")
    assert code == 0 and out["missing_documents"] == []
    code, out, _ = cli("dispute", "list", "--state", "closed", "--color", "green", "--json")
    assert code == 0 and [d["dispute_no"] for d in out] == [no]
    code, out, _ = cli("dispute", "list", "--state", "open", "--json")
    assert code == 0 and out == []


def test_backlog_and_indicators(cli, cases):
    code, out, _ = cli("backlog", "add", cases[1], "--json", "-",
                       stdin={"lead": "王镇长", "members": ["李干部", "赵干部"], "units": ["D08", "V01"],
                              "plan": "一案一策", "due": "2027-03-31"})
    assert code == 0 and set(out) == {"backlog_no", "case_no", "state"} and out["state"] == "open"
    bno = out["backlog_no"]
    assert cli("backlog", "progress", bno, "--note", "召开专班会议，走访信访人")[0] == 0
    code, out, _ = cli("backlog", "resolve", cases[1], "--checklist", "facts,lawful,solved,satisfied,approved",
                       "--json")
    assert code == 0 and out["state"] == "resolved"
    code, out, _ = cli("backlog", "list", "--json")
    assert code == 0 and [(b["backlog_no"], b["state"], len(b["progress"])) for b in out] == [(bno, "resolved", 1)]
    code, out, _ = cli("dispute", "open", cases[2], "--json", "-", stdin=dispute_input())
    cli("dispute", "close", out["dispute_no"], "--json", "-", stdin={"means": "arbitration", "success": False,
                                                                    "reason": "申请人申请劳动仲裁"})
    from datetime import date, timedelta  # the command line runs on the real clock: a window around today

    start, end = (date.today() - timedelta(days=2)).isoformat(), (date.today() + timedelta(days=2)).isoformat()
    code, out, _ = cli("mediation", "indicators", "--from", start, "--to", end, "--json")
    assert code == 0 and {"accepted", "closed", "succeeded", "success_rate", "by_means", "backlog"} <= set(out)
    assert (out["accepted"], out["closed"], out["succeeded"], out["success_rate"]) == (1, 1, 0, 0)
    assert out["by_means"]["arbitration"] == 1
    assert out["backlog"] == {"registered": 1, "resolved": 1, "rate": 1}
    code, out, _ = cli("mediation", "indicators", "--from", start, "--to", end, "--by", "source", "--json")
    assert code == 0 and [g["key"] for g in out["groups"]] == ["当事人申请"]


BAD_ID = dict(dispute_input(), parties=[{"role": "applicant", "name": "张三", "id_no": "110105194912310021"},
                                        {"role": "respondent", "name": "李四"}])


@pytest.mark.parametrize("args, stdin, field, words", [
    (("dispute", "open", "FS-20990101-01-0001", "--json", "-"), dispute_input(), "case_no", "不存在"),
    (("dispute", "open", "{case}", "--json", "-"), BAD_ID, "parties.0.id_no", "校验位"),
    (("dispute", "open", "{case}", "--json", "-"), dict(dispute_input(), type="吵架"), "type", "纠纷类型"),
    (("dispute", "open", "{case}", "--json", "-"), dict(dispute_input(), source="路过"), "source", "纠纷来源"),
    (("dispute", "close", "{dispute}", "--json", "-"), {"success": True}, "means", "化解方式"),
    (("dispute", "close", "{dispute}", "--json", "-"),
     {"means": "mediation", "success": True, "agreement": {"facts": "漏水", "terms": [], "performance": "当场"}},
     "agreement.terms", "协议内容"),
    (("dispute", "close", "{dispute}", "--json", "-"), {"means": "mediation", "success": True}, "agreement", "调解协议"),
    (("dispute", "close", "{dispute}", "--json", "-"), {"means": "litigation", "success": False}, "reason", "原因"),
    (("dispute", "assign", "{dispute}", "--mediator", "M99"), None, "mediator", "调解员"),
    (("dispute", "session", "{dispute}", "--json", "-"),
     {"at": "2026-11-27 09:00", "place": "调解室", "attendees": ["张三"], "outcome": "agreed", "record": "x"},
     "at", "时区"),
    (("backlog", "add", "{case}", "--json", "-"), {"lead": "王镇长", "members": [], "units": ["D01"], "plan": "x",
                                                   "due": "2027-01-01"}, "members", "专班成员"),
    (("backlog", "add", "{case}", "--json", "-"), {"lead": "王镇长", "members": ["李"], "units": ["ZZ9"], "plan": "x",
                                                   "due": "2027-01-01"}, "units", "责任单位"),
    (("mediation", "indicators", "--from", "2026-13-01", "--to", "2026-12-31"), None, "from", "日期"),
])
def test_bad_input_exits_2_in_chinese_and_writes_nothing(desk, actors, cli, cases, args, stdin, field, words):
    from app.mediation import services

    dispute = services.open_dispute(desk, actors["admin"], cases[5], dispute_input())["dispute_no"]
    before = counts(desk)
    args = [a.replace("{case}", cases[0]).replace("{dispute}", dispute) for a in args]
    code, out, err = cli(*args, "--json", stdin=stdin) if "--json" not in args else cli(*args, stdin=stdin)
    assert code == 2, (out, err)
    assert out["error"]["field"] == field and words in out["error"]["message"], out
    assert "错误：" in err and "Traceback" not in err
    assert counts(desk) == before


def test_a_dispute_opened_twice_and_a_partial_checklist(desk, cli, cases):
    assert cli("dispute", "open", cases[0], "--json", "-", stdin=dispute_input())[0] == 0
    before = counts(desk)
    code, out, _ = cli("dispute", "open", cases[0], "--json", "-", stdin=dispute_input())
    assert code == 2 and "已转调解" in out["error"]["message"] and counts(desk) == before
    cli("backlog", "add", cases[1], "--json", "-", stdin={"lead": "王镇长", "members": ["李干部"], "units": ["D01"],
                                                          "plan": "专班化解", "due": "2027-01-31"})
    before = counts(desk)
    code, out, _ = cli("backlog", "resolve", cases[1], "--checklist", "facts,lawful", "--json")
    assert code == 2 and out["error"]["message"] == "实质性化解须逐项核验，尚缺：问题已解决、信访人满意、化解已审批"
    code, out, _ = cli("backlog", "resolve", cases[1], "--checklist", "facts,magic", "--json")
    assert code == 2 and "magic" in out["error"]["message"] and counts(desk) == before


def test_circuit_schedule_and_workload(desk, cli, cases):
    code, out, _ = cli("dispute", "open", cases[0], "--json", "-", stdin=dispute_input())
    no = out["dispute_no"]
    cli("dispute", "assign", no, "--mediator", "M04")
    from datetime import UTC, datetime, timedelta  # the command line runs on the real clock

    at = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    later = {"at": at, "place": "青藤村文化礼堂", "attendees": ["张三", "李四"], "village": "V07"}
    code, out, _ = cli("dispute", "session", no, "--json", "-", stdin=later)  # planned: no outcome yet
    assert code == 0 and out["session"]["outcome"] is None and out["session_count"] == 0
    code, out, _ = cli("dispute", "schedule", "--days", "60", "--json")
    assert code == 0 and [(x["village_name"], x["dispute_no"], x["place"]) for x in out] == \
        [("青藤村", no, "青藤村文化礼堂")]
    code, out, _ = cli("mediation", "workload", "--json")
    assert code == 0 and {w["code"]: w["open"] for w in out}["M04"] == 1
