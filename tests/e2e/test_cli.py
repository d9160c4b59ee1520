"""The command-line contract, driven the way an administrator's scripts drive it."""
import json
import subprocess
import sys

import pytest


def run(data_dir, *args, stdin=None, user=None):
    cmd = [sys.executable, "-m", "app.cli", "--data-dir", str(data_dir)]
    if user:
        cmd += ["--as", user]
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True, text=True, timeout=120)


def ok_json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    out = ok_json(run(d, "demo", "--cases", "40", "--json"))
    assert out["cases"] == 40 and "intake" in out["users"]
    return d


CASE = {"channel": "phone", "type": "complaint", "title": "夜间施工噪声扰民",
        "description": "王小明来电反映附近工地夜间施工，噪声影响休息。", "category": "JJ0302",
        "reporter": {"name": "王小明", "phone": "13700003333"}, "location": {"village": "卧龙社区"}}


def test_case_add_then_carry_through_its_whole_life(store):
    added = ok_json(run(store, "case", "add", "--json", "-", stdin=json.dumps(CASE), user="intake"))
    for key in ("id", "case_no", "state", "category", "unit", "co_units", "sign_due_at", "due_at", "color",
                "repeat_of", "routing"):
        assert key in added
    no = added["case_no"]
    assert added["state"] == "registered" and added["routing"]["unit"] is None  # 噪声扰民 is ambiguous
    steps = [("dispatcher", "dispatch", {"unit": "D01", "co_units": ["P01"], "note": "请执法队牵头"}),
             ("unit", "sign", {}), ("unit", "progress", {"note": "已到现场"}),
             ("unit", "request_close", {"result": "已责令停止夜间施工", "close_type": "substantive"}),
             ("director", "approve_close", {}), ("intake", "callback", {"satisfaction": "satisfied"})]
    for user, action, payload in steps:
        out = ok_json(run(store, "case", "act", no, action, "--json", "-", stdin=json.dumps(payload), user=user))
    assert out["state"] == "closed"
    shown = ok_json(run(store, "case", "show", no, "--json"))
    assert [a["kind"] for a in shown["actions"]] == ["intake", "dispatch", "sign", "progress", "request_close",
                                                     "approve_close", "callback"]
    assert all({"id", "kind", "at", "actor", "payload"} <= set(a) for a in shown["actions"])
    found = ok_json(run(store, "case", "search", "王小明", "--json"))
    assert [c["case_no"] for c in found["items"]] == [no]
    listed = ok_json(run(store, "case", "list", "--state", "closed", "--unit", "D01", "--limit", "500", "--json"))
    assert no in [c["case_no"] for c in listed["items"]] and listed["total"] >= 1


def test_bulk_add_json_lines(store, tmp_path):
    lines = "\n".join(json.dumps(dict(CASE, title=f"批量{i}")) for i in range(3))
    f = tmp_path / "cases.jsonl"
    f.write_text(lines, encoding="utf-8")
    out = ok_json(run(store, "case", "add", "--json", str(f)))
    assert len(out) == 3 and len({c["case_no"] for c in out}) == 3


def test_bad_input_exits_2_with_a_chinese_message_and_writes_nothing(store):
    before = ok_json(run(store, "case", "list", "--json"))["total"]
    bad = dict(CASE, reporter={"name": "王小明", "phone": "13700003333", "id_no": "110105194912310021"})
    r = run(store, "case", "add", "--json", "-", stdin=json.dumps(bad))
    assert r.returncode == 2
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "reporter.id_no" and "身份证" in err["message"]
    assert "身份证" in r.stderr and "invalid" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run(store, "case", "add", "--json", "-", stdin="{not json")
    assert r.returncode == 2 and "JSON" in r.stderr
    assert ok_json(run(store, "case", "list", "--json"))["total"] == before


def test_forbidden_transition_and_wrong_role_exit_2(store):
    no = ok_json(run(store, "case", "add", "--json", "-", stdin=json.dumps(CASE)))["case_no"]
    r = run(store, "case", "act", no, "approve_close", "--json", "-", stdin="{}")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "forbidden_transition"
    r = run(store, "case", "act", no, "dispatch", "--json", "-", stdin='{"unit": "D01"}', user="intake")
    assert r.returncode == 2 and "无权" in r.stderr
    r = run(store, "case", "act", "FS-19990101-01-0001", "sign")
    assert r.returncode == 2 and "不存在" in r.stderr


def test_ref_list_user_add_and_check(store):
    cats = ok_json(run(store, "ref", "list", "categories", "--json"))
    leaf = {c["code"]: c for c in cats if c["leaf"]}
    assert len(leaf) >= 60 and leaf["PA0101"]["name"] == "邻里纠纷"
    assert leaf["JJ0302"]["routing_unique"] is False and leaf["GG0101"]["routing_unique"] is True
    units = ok_json(run(store, "ref", "list", "units", "--json"))
    assert {"code", "name"} <= set(units[0]) and len(units) >= 20
    assert len(ok_json(run(store, "ref", "list", "grids", "--json"))) >= 40
    out = ok_json(run(store, "user", "add", "zhao", "--role", "unit", "--unit", "P02", "--password", "s3cret!x",
                      "--json"))
    assert out == {"username": "zhao", "name": "zhao", "role": "unit", "unit": "P02"}
    r = run(store, "user", "add", "qian", "--role", "boss", "--password", "s3cret!x")
    assert r.returncode == 2 and "角色" in r.stderr
    r = run(store, "user", "add", "sun", "--role", "intake", "--password", "s3cret!x", user="intake")
    assert r.returncode == 2
    check = ok_json(run(store, "check", "--json"))
    assert check["ok"] and check["rebuild"]["differences"] == 0 and check["rebuild"]["checked"] >= 40
    assert check["facts"]["differences"] == 0 and check["facts"]["cases"] == check["rebuild"]["checked"]


def test_init_a_new_town_and_backup_restore(tmp_path):
    d = tmp_path / "new"
    out = ok_json(run(d, "init", "--town", "TS", "--name", "塔山街道", "--workstation", "02", "--json"))
    assert out["town"] == "TS" and out["workstation"] == "02"
    r = run(d, "init", "--town", "ZZ", "--name", "其他", "--workstation", "02")
    assert r.returncode == 2
    assert ok_json(run(d, "ref", "list", "units", "--json")) == []  # a real town starts with no sample units
    backup = ok_json(run(d, "backup", "-o", str(tmp_path / "b.sqlite3"), "--json"))
    assert (tmp_path / "b.sqlite3").exists() and backup["path"]
    assert ok_json(run(d, "restore", str(tmp_path / "b.sqlite3"), "--json"))["previous"]
    assert ok_json(run(d, "status", "--json"))["town"] == "TS"
