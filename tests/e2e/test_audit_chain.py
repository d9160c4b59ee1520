"""Tamper evidence (issue 13 item 3): ``towndesk audit verify [--json]`` names the first entry of
the action log or the audit log that was edited, deleted or reordered with sqlite3 (through a raw
connection that holds the store's key) and exits 1; ``check`` runs it."""
from __future__ import annotations

import json
import shutil

import pytest

from app.cli import main
from app.store.crypto import open_store_raw


@pytest.fixture()
def store(demo_desk, tmp_path):
    root = demo_desk.root
    main(["--data-dir", str(root), "backup", "-o", str(tmp_path / "b.tdbak")])  # an audit entry or two
    demo_desk.close()
    return root


def verify(root, capsys) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["--data-dir", str(root), "audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


def sql(root, *statements, args=()):
    con = open_store_raw(root)
    try:
        rows = None
        for st in statements:
            rows = con.execute(st, args).fetchall() if "?" in st else con.execute(st).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def nth_action(root, n: int) -> tuple[int, str]:
    return tuple(sql(root, f"SELECT seq, id FROM case_actions ORDER BY seq LIMIT 1 OFFSET {n - 1}")[0])


def test_a_clean_store_passes(store, capsys):
    code, out = verify(store, capsys)
    assert code == 0 and out["ok"] and out["first_bad"] is None
    assert out["logs"]["case_actions"]["entries"] > 300 and out["logs"]["audit_log"]["entries"] >= 1
    capsys.readouterr()
    assert main(["--data-dir", str(store), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["chain"]["ok"]


def test_an_edited_payload_is_named(store, capsys):
    seq, aid = nth_action(store, 120)
    sql(store, "UPDATE case_actions SET payload = json_set(payload, '$.forged', 1) WHERE seq = ?", args=(seq,))
    code, out = verify(store, capsys)
    assert code == 1 and not out["ok"]
    bad = out["first_bad"]
    assert (bad["log"], bad["seq"], bad["id"], bad["reason"]) == ("case_actions", seq, aid, "edited")
    assert aid in bad["message"] and "改动" in bad["message"]
    capsys.readouterr()
    assert main(["--data-dir", str(store), "check", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["chain"]["first_bad"]["id"] == aid


def test_rewriting_who_acted_is_named(store, capsys):
    seq, aid = nth_action(store, 7)
    sql(store, "UPDATE case_actions SET actor = 'director', actor_name = '值班长' WHERE seq = ?", args=(seq,))
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["id"] == aid and out["first_bad"]["reason"] == "edited"


def test_a_deleted_action_is_named(store, capsys):
    seq, _ = nth_action(store, 50)
    after_seq, after_id = nth_action(store, 51)
    sql(store, "PRAGMA foreign_keys=OFF", "DELETE FROM case_actions WHERE seq = ?", args=(seq,))
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["reason"] == "deleted"
    assert out["first_bad"]["seq"] == after_seq and out["first_bad"]["id"] == after_id


def test_the_last_entries_deleted_are_noticed(store, capsys):
    sql(store, "DELETE FROM case_actions WHERE seq = (SELECT max(seq) FROM case_actions)")
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["log"] == "case_actions" and out["first_bad"]["reason"] == "truncated"


def test_the_whole_audit_log_deleted_is_noticed(store, capsys):
    sql(store, "DELETE FROM audit_log")
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["log"] == "audit_log" and out["first_bad"]["reason"] == "truncated"


def test_reordered_entries_are_named(store, capsys):
    a_seq, a_id = nth_action(store, 30)
    b_seq, b_id = nth_action(store, 31)
    sql(store, "UPDATE case_actions SET seq = -1 WHERE seq = ?", args=(a_seq,))
    sql(store, "UPDATE case_actions SET seq = ? WHERE seq = ?", args=(a_seq, b_seq))
    sql(store, "UPDATE case_actions SET seq = ? WHERE seq = -1", args=(b_seq,))
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["seq"] == a_seq and out["first_bad"]["id"] == b_id
    assert out["first_bad"]["reason"] == "reordered"


def test_an_edited_audit_entry_is_named(store, capsys):
    seq, aid = sql(store, "SELECT seq, id FROM audit_log ORDER BY seq LIMIT 1")[0]
    sql(store, "UPDATE audit_log SET actor = 'nobody' WHERE seq = ?", args=(seq,))
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["log"] == "audit_log" and out["first_bad"]["id"] == aid


def test_an_entry_added_outside_the_program_is_named(store, capsys):
    row = sql(store, "SELECT case_id, at FROM case_actions ORDER BY seq DESC LIMIT 1")[0]
    sql(store, "INSERT INTO case_actions (id, case_id, kind, at, actor, actor_name, actor_role, payload, "
               "device_id, status) VALUES ('forged', ?, 'comment', ?, 'admin', 'x', 'admin', '{}', 'd', 'local')",
        args=tuple(row))
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["id"] == "forged" and out["first_bad"]["reason"] == "unsealed"


def test_writes_keep_the_chain_whole(store, capsys, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(store, copy)
    case = {"channel": "phone", "title": "链测试", "description": "写入后哈希链仍完整", "category": "PA0101",
            "reporter": {"name": "钱七", "phone": "13900007777"}, "location": {"village": "V01"}}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    assert main(["--data-dir", str(copy), "--as", "intake", "case", "add", "--json", str(path)]) == 0
    code, out = verify(copy, capsys)
    assert code == 0, out


def test_cli_use_is_audited_without_its_arguments(store, capsys):
    no = sql(store, "SELECT case_no FROM cases LIMIT 1")[0][0]
    assert main(["--data-dir", str(store), "--as", "director", "case", "show", no, "--json"]) == 0
    assert main(["--data-dir", str(store), "case", "list", "--q", "张三", "--json"]) == 0
    rows = sql(store, "SELECT actor, action, target, detail FROM audit_log WHERE action = 'cli.use' ORDER BY seq")
    assert [(r[0], r[2], json.loads(r[3])) for r in rows[-2:]] == [
        ("director", no, {"command": "case show", "exit": 0}), ("admin", None, {"command": "case list", "exit": 0})]
    assert "张三" not in json.dumps(rows, ensure_ascii=False)
    assert verify(store, capsys)[0] == 0


def test_small_batches_chain_and_verify_the_same(store, capsys, monkeypatch):
    from app.store import chain

    monkeypatch.setattr(chain, "BATCH", 7)  # batch edges everywhere (a bulk load streams 20,000 at a time)
    con = open_store_raw(store)
    try:
        con.execute("UPDATE case_actions SET chain = NULL WHERE seq > 100")
        con.execute("UPDATE meta SET value = json_set(value, '$.seq', 100, '$.count', 100, '$.hash', "
                    "(SELECT chain FROM case_actions WHERE seq = 100)) WHERE key = 'chain.case_actions'")
        con.commit()
    finally:
        con.close()
    assert main(["--data-dir", str(store), "backup", "-o", str(store.parent / "again.tdbak")]) == 0  # a commit
    code, out = verify(store, capsys)
    assert code == 0, out
    seq, aid = nth_action(store, 30)
    sql(store, "UPDATE case_actions SET kind = 'comment' WHERE seq = ?", args=(seq,))
    code, out = verify(store, capsys)
    assert code == 1 and out["first_bad"]["id"] == aid


def test_exports_of_personal_data_are_audited_from_any_caller(demo_desk, tmp_path):
    """The window calls the export services directly (no ``cli.use``): the services audit."""
    from sqlalchemy import select

    from app.cases.export import export_cases
    from app.reference.golive import export_workbook
    from app.store.models import AuditEntry
    from tests.conftest import load_actors

    actors = load_actors(demo_desk)
    out = export_cases(demo_desk, actors["director"], {"q": "张三", "state": "registered"}, tmp_path / "c.xlsx")
    export_workbook(demo_desk, actors["admin"], tmp_path / "r.xlsx")
    with demo_desk.db.read() as s:
        rows = {r.action: r for r in s.scalars(select(AuditEntry).where(AuditEntry.action.like("export.%")))}
    assert rows["export.cases"].actor == "director"
    assert rows["export.cases"].detail == {"cases": out["cases"], "filters": ["q", "state"]}
    assert "张三" not in json.dumps(rows["export.cases"].detail, ensure_ascii=False)
    assert rows["export.reference"].actor == "admin" and rows["export.reference"].detail["sheets"]["人员"] > 0
