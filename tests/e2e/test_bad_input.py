"""Hostile input through the command line: every row of the table exits 2 with a Chinese message
naming the field, prints no traceback and writes nothing (rows counted before and after)."""
import json
import shutil
import subprocess
import sys

import pytest

from app.cli import main
from app.store.crypto import open_store_raw

TABLES = ("cases", "case_actions", "outbox", "audit_log", "attachments", "cohandle_tasks")

CASE = {"channel": "phone", "type": "complaint", "title": "夜间施工噪声扰民",
        "description": "王小明来电反映附近工地夜间施工，噪声影响休息。", "category": "JJ0302",
        "reporter": {"name": "王小明", "phone": "13700003333"}, "location": {"village": "卧龙社区"}}


DEEP = "@@deep@@"


def nested(depth: int) -> str:
    """A placeholder replaced by ``depth`` nested JSON arrays when the input is written out
    (the json module itself refuses to write such a value)."""
    return f"{DEEP}{depth}"


def as_json(payload) -> str:
    text = json.dumps(payload, ensure_ascii=False)
    while DEEP in text:
        start = text.index('"' + DEEP)
        end = text.index('"', start + 1)
        depth = int(text[start + 1 + len(DEEP):end])
        text = text[:start] + "[" * depth + '"x"' + "]" * depth + text[end + 1:]
    return text


def with_(**changes) -> dict:
    out = json.loads(json.dumps(CASE))
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            out[outer][inner] = value
        else:
            out[key] = value
    return out


# (case add payload, field named in the message)
BAD_CASES = [
    (with_(title=123), "title"),
    (with_(anonymous="false"), "anonymous"),
    (with_(anonymous=1), "anonymous"),
    (with_(persons="3"), "persons"),
    (with_(persons=2**65), "persons"),
    (with_(persons=True), "persons"),
    (with_(description="长" * 4001), "description"),
    (with_(**{"reporter.name": "张\x00三"}), "reporter.name"),
    (with_(**{"reporter.name": "张\u202e三"}), "reporter.name"),
    (with_(**{"reporter.phone": 13700003333}), "reporter.phone"),
    (with_(**{"reporter.name": nested(50)}), "reporter.name"),
    (with_(reporter=nested(50)), "reporter"),
    (with_(reporter=nested(1000)), "json"),  # deeper than any JSON reader recurses: refused as a whole
    (with_(location="卧龙社区"), "location"),
    (with_(urgency=True), "urgency"),
    (with_(channel="fax"), "channel"),
    (with_(category="JJ\u200b0302"), "category"),
    (with_(auto_dispatch="no"), "auto_dispatch"),
    (with_(instant="true", result="已答复"), "instant"),
    ([CASE, with_(title=["a"])], "title"),  # a bad item in a batch: nothing of the batch is written
]

# (user, action, payload, field) on a case the fixture took in and dispatched to D01
BAD_ACTS = [
    ("unit", "progress", {"note": "长" * 2001}, "note"),
    ("unit", "progress", {"note": "x" * (7 << 20)}, "note"),
    ("unit", "progress", {"note": 2**65}, "note"),
    ("unit", "progress", {"note": {"a": nested(50)}}, "note"),
    ("unit", "progress", {"note": nested(1000)}, "json"),
    ("unit", "progress", {"note": ["进展"]}, "note"),
    ("unit", "extend_request", {"days": "3", "reason": "需要协调"}, "days"),
    ("unit", "extend_request", {"days": 2**65, "reason": "需要协调"}, "days"),
    ("unit", "extend_request", {"days": True, "reason": "需要协调"}, "days"),
    ("unit", "request_close", {"result": False, "close_type": "substantive"}, "result"),
    ("unit", "request_close", {"result": "已处理", "close_type": "done"}, "close_type"),
    ("dispatcher", "flag", {"major": "false"}, "major"),
    ("dispatcher", "flag", {"urgency": 1}, "urgency"),
    ("director", "urge", {"level": "red", "reply_by": "2026-12-20T10:00:00"}, "reply_by"),
    ("director", "urge", {"level": "red", "reply_by": "明天"}, "reply_by"),
    ("director", "urge", {"level": 3}, "level"),
    ("dispatcher", "transfer", {"unit": "P\x0701", "reason": "转交"}, "unit"),
    ("dispatcher", "transfer", {"unit": ["P01"], "reason": "转交"}, "unit"),
    ("dispatcher", "cohandle", {"unit": "P01", "due_at": "2026-13-40"}, "due_at"),
    ("dispatcher", "cohandle", {"unit": "P01", "due_at": "2026-12-09T17:00"}, "due_at"),
    ("director", "edit", {"title": 5}, "title"),
    ("director", "edit", {"reporter_name": "李\u202e四"}, "reporter_name"),
    ("director", "comment", [{"note": "数组"}], "json"),
]


def counts(store) -> dict:
    con = open_store_raw(store)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def cli(store, capsys, *args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", _Stdin(stdin))
    code = main(["--data-dir", str(store), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


class _Stdin:
    def __init__(self, text):
        self.text = text

    def read(self):
        return self.text


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad_input")
    assert main(["--data-dir", str(d), "demo", "--cases", "10"]) == 0
    return d


@pytest.fixture
def store(template, tmp_path, capsys, monkeypatch):
    d = tmp_path / "store"
    shutil.copytree(template, d)
    code, out, err = cli(d, capsys, "--as", "intake", "case", "add", "--json", "-",
                         stdin=json.dumps(with_(title="测试件", auto_dispatch=False)), monkeypatch=monkeypatch)
    assert code == 0, err
    no = json.loads(out)["case_no"]
    code, out, err = cli(d, capsys, "--as", "dispatcher", "case", "act", no, "dispatch", "--json", "-",
                         stdin=json.dumps({"unit": "D01"}), monkeypatch=monkeypatch)
    assert code == 0, err
    code, out, err = cli(d, capsys, "--as", "unit", "case", "act", no, "sign", "--json", "-",
                         stdin="{}", monkeypatch=monkeypatch)
    assert code == 0, err
    return d, no


def assert_refused(code, out, err, field):
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    line = err.strip().splitlines()
    assert len(line) == 1 and line[0].startswith("错误："), err
    assert f"[{field}]" in line[0], line[0]
    error = json.loads(out)["error"]
    assert error["field"] == field and error["message"]


@pytest.mark.parametrize("payload,field", BAD_CASES, ids=[f"{i}-{f}" for i, (_, f) in enumerate(BAD_CASES)])
def test_case_add_refuses_and_writes_nothing(store, capsys, monkeypatch, payload, field):
    d, _ = store
    before = counts(d)
    code, out, err = cli(d, capsys, "--as", "intake", "case", "add", "--json", "-", stdin=as_json(payload),
                         monkeypatch=monkeypatch)
    assert_refused(code, out, err, field)
    assert counts(d) == before


@pytest.mark.parametrize("user,action,payload,field", BAD_ACTS,
                         ids=[f"{i}-{a}-{f}" for i, (_, a, _, f) in enumerate(BAD_ACTS)])
def test_case_act_refuses_and_writes_nothing(store, capsys, monkeypatch, user, action, payload, field):
    d, no = store
    before = counts(d)
    code, out, err = cli(d, capsys, "--as", user, "case", "act", no, action, "--json", "-",
                         stdin=as_json(payload), monkeypatch=monkeypatch)
    assert_refused(code, out, err, field)
    assert counts(d) == before


def test_good_input_next_to_the_table_still_works(store, capsys, monkeypatch):
    """The table's near misses, written correctly, go through (the refusals are not blanket)."""
    d, no = store
    for user, action, payload in [("unit", "progress", {"note": "长" * 2000}),
                                  ("unit", "extend_request", {"days": 3, "reason": "需要协调"}),
                                  ("dispatcher", "flag", {"major": False, "urgency": "urgent"}),
                                  ("director", "urge", {"level": "red", "reply_by": "2030-12-20T10:00:00+08:00"}),
                                  ("dispatcher", "cohandle", {"unit": "P01", "due_at": "2026-12-09"})]:
        code, out, err = cli(d, capsys, "--as", user, "case", "act", no, action, "--json", "-",
                             stdin=as_json(payload), monkeypatch=monkeypatch)
        if action == "cohandle":  # its due date must not pass the main one: a clear refusal, not a crash
            assert code in (0, 2) and "Traceback" not in err
        else:
            assert code == 0, (action, err)
    code, out, err = cli(d, capsys, "--as", "intake", "case", "add", "--json", "-",
                         stdin=json.dumps(with_(anonymous=False, persons=3, title="近似正确")), monkeypatch=monkeypatch)
    assert code == 0, err


def test_a_deeply_nested_file_through_a_real_process(template, tmp_path):
    """The same refusal from a real process: exit 2, one line, no traceback."""
    d = tmp_path / "store"
    shutil.copytree(template, d)
    before = counts(d)
    r = subprocess.run([sys.executable, "-m", "app.cli", "--data-dir", str(d), "--as", "intake", "case", "add",
                        "--json", "-"], input=as_json(with_(reporter=nested(5000))), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("错误：") and len(r.stderr.strip().splitlines()) == 1
    assert counts(d) == before
