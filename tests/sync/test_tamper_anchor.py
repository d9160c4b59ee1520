"""Tamper evidence on the district (issue 13 item 3): each sync anchors the workstation's log
heads on the server; ``audit verify`` checks the local chains against them (a chain recomputed
after an edit passes the local walk and fails the anchor); offline it says so without failing.
The sync digest covers each accepted action's content: an action edited in the store after
acceptance makes the digest differ, and the repair puts the district's content back (audited)."""
from __future__ import annotations

import json

from sqlalchemy import select

from app.admin.integrity import verify_chains
from app.cases import intake
from app.cli import main
from app.store import chain
from app.store.crypto import open_store_raw
from app.store.models import AuditEntry, Case, CaseAction
from app.sync import protocol as P
from tests.conftest import sample_case
from tests.sync.conftest import sync


def _raw(root, work):
    con = open_store_raw(root)
    try:
        out = work(con)
        con.commit()
        return out
    finally:
        con.close()


def edit_and_rechain(root, seq: int, note: str) -> None:
    """A thief holding the store's key: edit one action's payload, then recompute every link of
    both chains and their heads so that the local walk passes."""
    def work(con):
        con.execute("UPDATE case_actions SET payload = json_set(payload, '$.note', ?) WHERE seq = ?", (note, seq))
        for log in chain.LOGS:
            con.execute(f"UPDATE {log} SET chain = NULL")
            con.execute("DELETE FROM meta WHERE key = ?", (f"chain.{log}",))
        chain.extend(con)
    _raw(root, work)


def verify_cli(root, capsys) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["--data-dir", str(root), "audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


def _station_with_cases(stations, n: int = 3):
    a = stations("A")
    nos = [intake.take_in(a, a.actors["intake"], sample_case(title=f"锚定{i}"))["case_no"] for i in range(n)]
    out = sync(a)
    assert out["anchor"]["ok"] is True and set(out["anchor"]["anchored"]) == {"case_actions", "audit_log"}
    return a, nos


def test_sync_anchors_heads_and_verify_checks_them(stations, server, capsys):
    a, _ = _station_with_cases(stations)
    anchored = sync(a)["anchor"]  # the second round proves the chain through the first anchor
    assert anchored["ok"] is True and anchored["status"]["case_actions"] in ("anchored", "unchanged")
    code, out = verify_cli(a.root, capsys)
    assert code == 0 and out["ok"] and out["anchors"]["checked"] is True
    assert out["anchors"]["logs"]["case_actions"]["seq"] == anchored["anchored"]["case_actions"]


def test_a_chain_recomputed_after_an_edit_fails_against_the_anchor(stations, server, capsys):
    a, _ = _station_with_cases(stations)
    with a.db.read() as s:
        first = s.scalar(select(CaseAction.seq).where(CaseAction.kind == "intake").order_by(CaseAction.seq))
    anchored_seq = sync(a)["anchor"]["anchored"]["case_actions"]
    assert first < anchored_seq
    edit_and_rechain(a.root, first, "被改写的受理说明")
    local = verify_chains(a, online=False)
    assert local["ok"], local["first_bad"]  # the local walk cannot see it: every link was recomputed
    code, out = verify_cli(a.root, capsys)
    assert code == 1 and not out["ok"]
    bad = out["first_bad"]
    assert (bad["log"], bad["seq"], bad["reason"]) == ("case_actions", anchored_seq, "anchor_mismatch")
    with a.db.read() as s:
        assert bad["id"] == s.scalar(select(CaseAction.id).where(CaseAction.seq == anchored_seq))
    assert "锚定" in bad["message"]
    # the district refuses to move the anchor on along the forged chain, and audits it
    again = sync(a)["anchor"]
    assert again["ok"] is False and again["status"]["case_actions"] == "mismatch"
    with a.db.tx() as s:  # the command runs on the real clock: no full digest (and so no repair) in it
        a.set_meta(s, "setting.sync_full_digest_hours", "1000000")
    capsys.readouterr()
    assert main(["--data-dir", str(a.root), "sync"]) == 0  # the round's cases still sync; the text says it
    assert "拒绝锚定" in capsys.readouterr().out
    code, out = verify_cli(a.root, capsys)
    assert code == 1 and out["first_bad"]["seq"] == anchored_seq
    from server.models import AuditEntry as ServerAudit

    with server.db.read() as s:
        kinds = s.scalars(select(ServerAudit.kind).where(ServerAudit.device == a.device_id)).all()
    assert "anchor_mismatch" in kinds


def test_a_deleted_tail_recomputed_is_caught(stations, server, capsys):
    a, _ = _station_with_cases(stations)
    anchored_seq = sync(a)["anchor"]["anchored"]["audit_log"]

    def work(con):
        con.execute("DELETE FROM audit_log WHERE seq >= ?", (anchored_seq - 1,))
        con.execute("UPDATE audit_log SET chain = NULL")
        con.execute("DELETE FROM meta WHERE key = 'chain.audit_log'")
        chain.extend(con)
    _raw(a.root, work)
    assert verify_chains(a, online=False)["ok"]
    code, out = verify_cli(a.root, capsys)
    assert code == 1 and out["first_bad"]["log"] == "audit_log" and out["first_bad"]["reason"] == "anchor_missing"


def test_offline_verify_says_it_could_not_check(stations, server, capsys):
    a, _ = _station_with_cases(stations, 1)
    server.kill()
    code, out = verify_cli(a.root, capsys)
    assert code == 0 and out["ok"] and out["anchors"]["checked"] is False
    assert out["anchors"]["message"].startswith("未能与区级服务器核对链头")
    capsys.readouterr()
    assert main(["--data-dir", str(a.root), "audit", "verify"]) == 0
    assert "未能与区级服务器核对链头" in capsys.readouterr().out


def test_an_edited_accepted_action_makes_the_digest_differ_and_is_restored(stations, server):
    a, nos = _station_with_cases(stations)
    with a.db.tx() as s:
        a.set_meta(s, "setting.sync_full_digest_hours", "0")  # the content digest recomputed every round
    with a.db.read() as s:
        case = s.scalar(select(Case).where(Case.case_no == nos[1]))
        act = s.scalar(select(CaseAction).where(CaseAction.case_id == case.id, CaseAction.kind == "intake"))
        aid, original, title = act.id, dict(act.payload), case.title
        assert act.status == "accepted"
    assert sync(a)["digest"]["equal"]

    def work(con):  # edited with sqlite3, the case row too, the chains left as they are
        con.execute("UPDATE case_actions SET payload = json_set(payload, '$.title', '改过的标题') WHERE id = ?", (aid,))
        con.execute("UPDATE cases SET title = '改过的标题' WHERE case_no = ?", (nos[1],))
    _raw(a.root, work)
    assert verify_chains(a, online=False)["first_bad"]["id"] == aid  # not re-chained: the walk sees it
    out = sync(a)
    assert out["digest_before_repair"]["equal"] is False and out["repaired"]
    assert out["digest"]["equal"] and out["restored"] == [aid]
    with a.db.read() as s:
        act = s.scalar(select(CaseAction).where(CaseAction.id == aid))
        assert act.payload == original and act.status == "accepted"
        assert s.scalar(select(Case.title).where(Case.case_no == nos[1])) == title
        restored = s.scalars(select(AuditEntry.target).where(AuditEntry.action == "sync.restored")).all()
    assert restored == [aid]
    # nothing was sent up again as if it were a new action; the district's content is what the
    # chain was computed over, so the log is whole again (the audit entry is the record)
    assert out["pushed"] == 0
    assert verify_chains(a, online=False)["ok"]


def test_an_edit_re_chained_and_restored_stays_named_by_verify(stations, server):
    """The thief re-chains after the edit: the repair puts the district's content back under the
    forged chain value, so the local walk names the row (and the anchor the forged chain)."""
    a, nos = _station_with_cases(stations)
    with a.db.tx() as s:
        a.set_meta(s, "setting.sync_full_digest_hours", "0")
    with a.db.read() as s:
        seq, aid = s.execute(select(CaseAction.seq, CaseAction.id).where(CaseAction.kind == "intake")
                             .order_by(CaseAction.seq.desc())).first()
    edit_and_rechain(a.root, seq, "改写")
    assert verify_chains(a, online=False)["ok"]
    out = sync(a)
    assert out["restored"] == [aid] and out["digest"]["equal"] and out["anchor"]["ok"] is False
    bad = verify_chains(a, online=False)["first_bad"]
    assert bad["id"] == aid and bad["reason"] == "edited"


def test_without_a_full_recompute_the_running_digest_is_used(stations, server):
    a, nos = _station_with_cases(stations, 1)
    out = sync(a)
    assert out["digest"]["equal"] and out["digest"]["full"] is False  # the daily full recompute was done already


def test_a_store_from_before_content_digests_upgrades_without_a_repair(stations, server):
    from app.sync import state as st

    a, _ = _station_with_cases(stations)
    with a.db.tx() as s:  # as an older build left it: ids XORed
        xor = 0
        for (aid,) in s.execute(select(CaseAction.id).where(CaseAction.status == "accepted")):
            xor ^= P.id_hash(aid)
        st.put(s, "digest.xor", xor)
        st.drop(s, "digest.kind")
    out = sync(a)
    assert out["digest"]["equal"] and not out["repaired"]


def test_server_digest_is_over_content_and_the_migration_recomputes_it(stations, server):
    import importlib.util

    from app.sync import state as st
    from server.migrate import MIGRATIONS
    from server.models import Town

    a, _ = _station_with_cases(stations)
    with server.db.read() as s:
        before = (s.get(Town, "FS").digest_count, s.get(Town, "FS").digest_xor)
    spec = importlib.util.spec_from_file_location("s0006", MIGRATIONS / "versions" / "s0006_anchors.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with server.db.write_engine.begin() as conn:
        conn.exec_driver_sql("UPDATE towns SET digest_xor = 0, digest_count = 0")
        mod.recompute_digests(conn)
    with server.db.read() as s:
        assert (s.get(Town, "FS").digest_count, s.get(Town, "FS").digest_xor) == before
    with a.db.read() as s:
        count, hexhash = st.local_digest(s)
    assert (count, hexhash) == (before[0], P.digest_hex(before[1]))


def test_a_deleted_accepted_action_makes_the_digest_differ_and_comes_back(stations, server):
    from app.cases import handling

    a, nos = _station_with_cases(stations, 1)
    handling.act(a, a.actors["intake"], nos[0], "comment", {"note": "将被删除的备注"})
    handling.act(a, a.actors["intake"], nos[0], "comment", {"note": "之后的备注"})
    with a.db.tx() as s:
        a.set_meta(s, "setting.sync_full_digest_hours", "0")
    assert sync(a)["digest"]["equal"]
    with a.db.read() as s:
        seq, aid = s.execute(select(CaseAction.seq, CaseAction.id).where(CaseAction.kind == "comment")
                             .order_by(CaseAction.seq)).first()

    def work(con):
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("DELETE FROM case_actions WHERE id = ?", (aid,))
    _raw(a.root, work)
    out = sync(a)
    assert out["digest_before_repair"]["equal"] is False and out["digest"]["equal"] and out["repaired"]
    with a.db.read() as s:
        back = s.execute(select(CaseAction.seq, CaseAction.status).where(CaseAction.id == aid)).first()
    assert back is not None and back.status == "accepted" and back.seq > seq  # re-read from the district
    bad = verify_chains(a, online=False)["first_bad"]
    assert bad is not None and bad["reason"] == "deleted"  # the hole stays visible
