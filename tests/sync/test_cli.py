"""The command-line contract of the district server and of ``towndesk enroll|sync|conflicts|status``."""
from __future__ import annotations

import json
import re
import shutil

from tests.conftest import sample_case
from tests.sync.conftest import cli, server_cli

PW = {"TOWNDESK_PASSWORD": "demo1234"}  # on an enrolled store the acting user's password is needed


def test_server_and_client_commands(server, tmp_path, _template_empty):
    out = server_cli(server, "town", "add", "SX", "示例镇")
    assert out.returncode == 0, out.stderr
    code = server_cli(server, "enroll-code", "--town", "FS")
    assert code.returncode == 0 and re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}\n", code.stdout)  # the code alone
    # a fresh data dir enrolls and pulls the town (an existing store enrolled first sends it up)
    existing = tmp_path / "existing"
    shutil.copytree(_template_empty, existing)
    first = cli("enroll", "--server", server.url, "--code", code.stdout.strip(), "--json", data_dir=existing)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["sync"]["pushed"] > 0
    fresh = tmp_path / "fresh"
    code2 = server_cli(server, "enroll-code", "--town", "FS").stdout.strip()
    r = cli("enroll", "--server", server.url, "--code", code2, "--json", data_dir=fresh)
    assert r.returncode == 0, r.stderr
    enrolled = json.loads(r.stdout)
    assert enrolled["town"] == "FS" and enrolled["workstation"] == "02" and enrolled["sync"]["pulled"] > 0
    units = json.loads(cli("ref", "list", "units", "--json", data_dir=fresh).stdout)
    assert any(u["code"] == "D01" for u in units)  # the town's reference data came down
    # the code works once
    again = cli("enroll", "--server", server.url, "--code", code2, "--json", data_dir=tmp_path / "third")
    assert again.returncode == 2 and "只能使用一次" in again.stderr
    # work, then sync with the JSON summary
    (tmp_path / "case.json").write_text(json.dumps(sample_case(), ensure_ascii=False), encoding="utf-8")
    assert cli("--as", "intake", "case", "add", "--json", tmp_path / "case.json", data_dir=fresh,
               env_extra=PW).returncode == 0
    status = cli("status", data_dir=fresh).stdout
    assert re.search(r"^pending: [12]$", status, re.M) and "server: " + server.url in status and "device_id: " in status
    s = cli("sync", "--json", data_dir=fresh)
    assert s.returncode == 0, s.stderr
    summary = json.loads(s.stdout)
    assert {"pushed", "accepted", "rejected", "pulled", "conflicts", "files"} <= set(summary)
    assert summary["pushed"] == summary["accepted"] >= 1 and (summary["rejected"], summary["conflicts"]) == (0, 0)
    st = json.loads(cli("status", "--json", data_dir=fresh).stdout)
    assert st["pending"] == 0 and st["last_sync"] and st["server"] == server.url and st["device_id"]
    assert json.loads(cli("conflicts", "--json", data_dir=fresh).stdout) == []
    # 上级交办: the district creates a case for the town; workstations pull it
    (tmp_path / "assign.json").write_text(json.dumps(
        {"title": "区级交办事项", "description": "区长信箱转来的道路破损问题，请镇街核实处理。", "category": "PA0101"},
        ensure_ascii=False), encoding="utf-8")
    a = server_cli(server, "district", "assign", "--town", "FS", "--json", tmp_path / "assign.json")
    assert a.returncode == 0, a.stderr
    case_no = json.loads(a.stdout)["case_no"]
    assert json.loads(cli("sync", "--json", data_dir=fresh).stdout)["pulled"] == 1
    shown = json.loads(cli("case", "show", case_no, "--json", data_dir=fresh).stdout)
    assert shown["title"] == "区级交办事项" and shown["state"] == "registered"
    # revoke by device id: the next sync is refused with a clear message, nothing is lost
    assert server_cli(server, "revoke", enrolled["device_id"]).returncode == 0
    assert cli("--as", "intake", "case", "add", "--json", tmp_path / "case.json", data_dir=fresh,
               env_extra=PW).returncode == 0
    refused = cli("sync", "--json", data_dir=fresh)
    assert refused.returncode == 2 and "吊销" in refused.stderr
    assert json.loads(cli("status", "--json", data_dir=fresh).stdout)["pending"] >= 1


def test_bad_server_input_is_one_line(server, tmp_path):
    r = server_cli(server, "enroll-code", "--town", "NOPE")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "不存在" in r.stderr
    r = cli("sync", data_dir=tmp_path / "blank")
    assert r.returncode == 2 and "尚未注册" in r.stderr


def test_escalation_reaches_the_district_and_comes_back_down(server, tmp_path, _template_empty):
    station = tmp_path / "station"
    shutil.copytree(_template_empty, station)  # a town's store (its users and units go up on enrolment)
    code = server_cli(server, "enroll-code", "--town", "FS").stdout.strip()
    assert cli("enroll", "--server", server.url, "--code", code, "--json", data_dir=station).returncode == 0
    (tmp_path / "case.json").write_text(json.dumps(sample_case(auto_dispatch=False), ensure_ascii=False),
                                        encoding="utf-8")
    added = cli("--as", "intake", "case", "add", "--json", tmp_path / "case.json", data_dir=station,
                env_extra=PW)
    assert added.returncode == 0, added.stderr
    case_no = json.loads(added.stdout)["case_no"]
    up = cli("--as", "dispatcher", "case", "act", case_no, "escalate", "--json", "-", data_dir=station, env_extra=PW,
             input=json.dumps({"reason": "涉及多个镇街，需区级协调"}, ensure_ascii=False))
    assert up.returncode == 0, up.stderr
    assert cli("sync", "--json", data_dir=station).returncode == 0
    listed = json.loads(server_cli(server, "district", "escalations", "--town", "FS").stdout)
    assert [(x["case_no"], x["reason"]) for x in listed] == [(case_no, "涉及多个镇街，需区级协调")]
    assert listed[0]["escalated_at"] and listed[0]["town"] == "FS"
    down = server_cli(server, "district", "assign-down", "--town", "FS", case_no, "--instruction", "请牵头协调处理")
    assert down.returncode == 0, down.stderr
    assert json.loads(server_cli(server, "district", "escalations").stdout) == []
    assert json.loads(cli("sync", "--json", data_dir=station).stdout)["pulled"] >= 2
    shown = json.loads(cli("case", "show", case_no, "--json", data_dir=station).stdout)
    assert shown["state"] == "registered"  # back in the town's 待分派 queue
    assert [a["kind"] for a in shown["actions"]][-2:] == ["instruct", "assign_down"]
    # a case not escalated, an unknown case or town: one line, exit 2, nothing written
    again = server_cli(server, "district", "assign-down", "--town", "FS", case_no)
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert server_cli(server, "district", "assign-down", "--town", "FS", "FS-20990101-01-0001").returncode == 2
    assert server_cli(server, "district", "escalations", "--town", "NOPE").returncode == 2
