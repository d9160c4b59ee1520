"""Safe backup and restore (issue 13 item 4) and a read-only store, through the CLI in subprocesses."""
from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys

import pytest

from tests.e2e.test_cli import ok_json, run


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("bk") / "data"
    ok_json(run(d, "demo", "--cases", "30", "--json"))
    return d


def case_count(d) -> int:
    return ok_json(run(d, "status", "--json"))["cases"]


def refused(d, path, words):
    before = case_count(d)
    r = run(d, "restore", str(path), "--json")
    assert r.returncode == 2, r.stderr
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "file" and words in err["message"], err
    assert "Traceback" not in r.stderr
    assert case_count(d) == before
    return err


def test_backup_is_complete_sealed_and_private(store, tmp_path):
    out = ok_json(run(store, "backup", "--json"))
    path = out["path"]
    assert path.endswith(".tdbak") and os.path.dirname(path) == str(store / "backups")
    data = open(path, "rb").read()
    assert data.startswith(b"TDSEAL01") and b"SQLite format 3" not in data
    # words the store holds in clear many times (a single character would match random bytes by chance)
    for word in ("府山街道", "综合执法队", "平安办"):
        assert word.encode() not in data, word
    if os.name == "posix":
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert os.stat(store / "backups").st_mode & 0o777 == 0o700
    assert not [p for p in os.listdir(store / "backups") if p.startswith(".")]  # no temporary left


def test_restore_refuses_what_is_not_a_good_backup_of_this_town(store, tmp_path):
    empty = tmp_path / "empty.tdbak"
    empty.write_bytes(b"")
    refused(store, empty, "空")
    foreign = tmp_path / "foreign.sqlite3"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE cases (id TEXT)")
    con.commit()
    con.close()
    refused(store, foreign, "不是镇街指挥台的备份文件")
    refused(store, tmp_path / "missing.tdbak", "不存在")

    good = ok_json(run(store, "backup", "-o", str(tmp_path / "good.tdbak"), "--json"))["path"]
    data = bytearray(open(good, "rb").read())
    truncated = tmp_path / "truncated.tdbak"
    truncated.write_bytes(bytes(data[: len(data) // 2]))
    refused(store, truncated, "不完整")
    data[len(data) // 2] ^= 0x01
    edited = tmp_path / "edited.tdbak"
    edited.write_bytes(bytes(data))
    refused(store, edited, "被改动")

    other = tmp_path / "other"
    ok_json(run(other, "init", "--town", "TS", "--name", "塔山街道", "--workstation", "02", "--json"))
    theirs = ok_json(run(other, "backup", "-o", str(tmp_path / "ts.tdbak"), "--json"))["path"]
    refused(store, theirs, "TS")


def test_restore_puts_a_good_backup_back_and_is_audited(store, tmp_path):
    good = ok_json(run(store, "backup", "-o", str(tmp_path / "keep.tdbak"), "--json"))["path"]
    before = case_count(store)
    case = {"channel": "phone", "title": "备份之后的案件", "description": "用于恢复测试", "category": "PA0101",
            "reporter": {"name": "赵恢复", "phone": "13900001234"}, "location": {"village": "V01"}}
    ok_json(run(store, "case", "add", "--json", "-", stdin=json.dumps(case), user="intake"))
    assert case_count(store) == before + 1
    out = ok_json(run(store, "restore", good, "--json"))
    assert out["cases"] == before and out["previous"].endswith(".tdbak")
    assert case_count(store) == before
    assert ok_json(run(store, "check", "--json"))["ok"]
    from app.store.crypto import open_store_raw

    con = open_store_raw(store)
    try:
        rows = con.execute("SELECT action, target FROM audit_log WHERE action = 'store.restore'").fetchall()
    finally:
        con.close()
    assert rows == [("store.restore", good)]


def _limited(limit):
    def pre():
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE stands in for a full disk on POSIX")
def test_backup_on_a_full_disk_exits_2_and_leaves_no_partial_file(store, tmp_path):
    out = tmp_path / "full"
    out.mkdir()
    cmd = [sys.executable, "-m", "app.cli", "--data-dir", str(store), "backup", "-o", str(out / "b.tdbak"), "--json"]
    from app.store.crypto import read_header

    with open(ok_json(run(store, "backup", "-o", str(tmp_path / "probe.tdbak"), "--json"))["path"], "rb") as f:
        snapshot = read_header(f)[0]["size"]
    # the database snapshot does not fit / the snapshot fits but the sealed copy does not
    for limit in (64 * 1024, snapshot + 64):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, preexec_fn=_limited(limit))
        assert r.returncode == 2, (limit, r.stdout, r.stderr)
        assert json.loads(r.stdout)["error"]["code"] == "disk_full"
        assert "磁盘空间不足" in r.stderr and "Traceback" not in r.stderr
        assert os.listdir(out) == []
    assert ok_json(run(store, "check", "--json"))["ok"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="chattr +i needs root (root ignores modes)")
def test_a_read_only_store_answers_read_commands(tmp_path):
    d = tmp_path / "ro"
    ok_json(run(d, "demo", "--cases", "12", "--json"))
    targets = [str(d / "towndesk.sqlite3"), str(d)]
    if subprocess.run(["chattr", "+i", *targets], capture_output=True).returncode != 0:
        pytest.skip("chattr +i not supported here")
    try:
        listed = ok_json(run(d, "case", "list", "--limit", "5", "--json"))
        assert listed["total"] == 12
        no = listed["items"][0]["case_no"]
        assert ok_json(run(d, "case", "show", no, "--json"))["case_no"] == no
        assert ok_json(run(d, "status", "--json"))["cases"] == 12
        r = run(d, "case", "act", no, "comment", "--json", "-", stdin=json.dumps({"note": "只读"}), user="director")
        assert r.returncode == 2 and "只读" in r.stderr and "Traceback" not in r.stderr
    finally:
        subprocess.run(["chattr", "-i", *targets], check=True)


def test_a_backup_restores_on_a_replacement_machine_with_the_exported_key(store, tmp_path):
    backup = ok_json(run(store, "backup", "-o", str(tmp_path / "move.tdbak"), "--json"))["path"]
    r = run(store, "key", "export", "-o", str(tmp_path / "k.txt"), "--json", user="intake")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["field"] == "as"
    key = ok_json(run(store, "key", "export", "-o", str(tmp_path / "k.txt"), "--json"))["path"]
    if os.name == "posix":
        assert os.stat(key).st_mode & 0o777 == 0o600
    fresh = tmp_path / "replacement"
    refused(fresh, backup, "本机密钥")  # its own new key cannot open the backup
    out = ok_json(run(fresh, "restore", backup, "--key-file", key, "--json"))
    assert out["cases"] == case_count(store) == case_count(fresh)
    assert ok_json(run(fresh, "check", "--json"))["ok"]
    assert ok_json(run(fresh, "status", "--json"))["encrypted"] is True
