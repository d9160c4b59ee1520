"""Snapshot enrolment from a pre-built database (issue 15 item 6, server/snapshot_file.py and
app/sync/snapshot_file.py): the rows equal the page path's; a kept file is served again and the
later changes come by page; a damaged, cut, miscounted or wrongly chained file is refused with
the store left empty at cursor 0 (the round then reads pages)."""
from __future__ import annotations

import logging

import pytest
import sqlcipher3

from app.cases import handling
from app.store import chain
from app.sync import snapshot_file as sf
from app.sync import state as st
from app.sync.engine import run_round
from app.sync.transport import SyncError
from tests.sync.conftest import accepted_log, server_log, sync, transport
from tests.sync.test_converge import _work
from tests.sync.test_first_pull import _fresh
from tests.sync.test_pull_bulk import _rows
from tests.sync.test_snapshot import _counts, _first_case, _records


def _form(caplog) -> str | None:
    for r in caplog.records:
        if r.getMessage().startswith("started from the server's snapshot"):
            return r.args.get("form") if isinstance(r.args, dict) else None
    return None


def test_file_snapshot_rows_equal_the_page_path_and_a_kept_file_is_served_again(stations, server, tmp_path,
                                                                               caplog):
    a = stations("A")
    _work(a, 12, "甲")
    sync(a)
    by_file, by_pages = _fresh(server, tmp_path / "file"), _fresh(server, tmp_path / "pages")
    try:
        with caplog.at_level(logging.INFO, logger="towndesk.sync"):
            out = run_round(by_file, transport=transport(by_file))
        assert _form(caplog) == "file"
        plain = run_round(by_pages, transport=transport(by_pages), snapshot=False)
        assert out["digest"]["equal"] and plain["digest"]["equal"]
        assert _rows(by_file) == _rows(by_pages)
        assert _records(by_file) == _records(by_pages)
        assert accepted_log(by_file) == server_log(server)
        with by_file.db.read() as s, by_pages.db.read() as p:
            assert st.cursor(s) == st.cursor(p) and st.local_digest(s) == st.local_digest(p)
        from app.admin import integrity

        assert integrity.verify_chains(by_file)["ok"]  # every chain value recomputed from the rows
        assert integrity.rebuild_differences(by_file, repair=False)["differences"] == 0
        assert not (by_file.root / sf.PARTIAL).exists()
        # a change after the file was built: the next spare laptop gets the kept file (older upto)
        # and the change by page
        handling.act(a, a.actors["dispatcher"], _first_case(a), "comment", {"note": "文件之后的变更"})
        sync(a)
        later = _fresh(server, tmp_path / "later")
        try:
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="towndesk.sync"):
                r = run_round(later, transport=transport(later))
            assert _form(caplog) == "file"
            assert r["digest"]["equal"]
            assert accepted_log(later) == server_log(server)
            with later.db.read() as s:
                assert st.cursor(s) == r["digest"]["upto"]
            assert integrity.verify_chains(later)["ok"]
        finally:
            later.close()
    finally:
        by_file.close()
        by_pages.close()


def _download(desk, tmp_path):
    target = tmp_path / "copy.db"
    key = sf.download(transport(desk), target)
    return target, key


def _edit(path, key, *sql):
    con = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        con.execute(f"PRAGMA key = \"x'{key}'\"")
        for statement in sql:
            con.execute(statement)
    finally:
        con.close()


@pytest.mark.parametrize("damage", ["chain", "count", "kind", "cut", "key"])
def test_a_bad_file_is_refused_and_the_store_stays_empty(stations, server, tmp_path, damage, caplog):
    a = stations("A")
    _work(a, 6, "甲")
    sync(a)
    desk = _fresh(server, tmp_path / "spare")
    try:
        path, key = _download(desk, tmp_path)
        if damage == "chain":  # the first row is always among the checked links
            _edit(path, key, "UPDATE actions SET chain = '" + "0" * 64 + "' WHERE seq = (SELECT min(seq) FROM actions)")
        elif damage == "count":
            _edit(path, key, "DELETE FROM cases WHERE rid = (SELECT max(rid) FROM cases)")
        elif damage == "kind":
            _edit(path, key, "UPDATE actions SET kind = 'mystery' WHERE seq = (SELECT max(seq) FROM actions)")
        elif damage == "cut":
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        else:
            key = "0" * 64
        with pytest.raises(SyncError) as e:
            sf._load(desk, path, key, None)
        assert e.value.code == "bad_reply" and "本机数据未受影响" in e.value.message
        assert _counts(desk) == (0, 0)
        with desk.db.read() as s:
            assert st.cursor(s) == 0 and st.get(s, "digest.count", "0") == "0"
        con = desk.db.raw()
        try:
            assert con.execute("SELECT value FROM meta WHERE key = ?", (chain._key("case_actions"),)).fetchone() is None
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            assert "ix_actions_lan_held" in names  # the dropped indexes are back
        finally:
            con.close()
        # the next round takes a good copy, from the file (the connection was given back detached)
        with caplog.at_level(logging.INFO, logger="towndesk.sync"):
            out = run_round(desk, transport=transport(desk))
        assert _form(caplog) == "file"
        assert out["digest"]["equal"] and accepted_log(desk) == server_log(server)
    finally:
        desk.close()


def test_a_cut_download_is_refused(stations, server, tmp_path, monkeypatch):
    a = stations("A")
    _work(a, 4, "甲")
    sync(a)
    desk = _fresh(server, tmp_path / "spare")
    try:
        t = transport(desk)
        real = t.call

        def short(method, path, **kw):
            r = real(method, path, **kw)
            if path.endswith("/snapshot.db"):
                full = r.raw.stream

                def half(amt, decode_content=False):
                    data = b"".join(full(amt, decode_content=decode_content))
                    yield data[: len(data) // 2]

                r.raw.stream = half
            return r

        monkeypatch.setattr(t, "call", short)
        with pytest.raises(SyncError) as e:
            sf.download(t, tmp_path / "cut.db")
        assert e.value.code == "bad_reply"
    finally:
        desk.close()
