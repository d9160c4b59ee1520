"""A spare laptop joins fast (issue 15 item 6): a fresh workstation starts from the district's
snapshot of the town (one stream, consistent as of a sequence number), then pulls later changes
by page. The rows it stores are the page path's, byte for byte; a workstation killed in the middle
of the snapshot is left empty and the next round completes; a snapshot the store cannot take
whole falls back to pages (tests/sync/test_trust.py's quarantine test runs through it)."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import requests
import sqlcipher3

from app.cases import handling
from app.sync import state as st
from app.sync.engine import run_round
from tests.sync.conftest import ROOT, accepted_log, fast, open_station, server_log, sync, transport
from tests.sync.test_converge import _work
from tests.sync.test_first_pull import _fresh
from tests.sync.test_pull_bulk import _rows


def _records(desk) -> dict:
    con = desk.db.raw()
    con.row_factory = sqlcipher3.Row
    try:
        out = {}
        for table in ("units", "grids", "staff", "categories", "users", "town_devices"):
            out[table] = sorted((tuple(r) for r in con.execute(f"SELECT * FROM {table}")), key=repr)
        return out
    finally:
        con.close()


def _counts(desk) -> tuple[int, int]:
    con = desk.db.raw()
    try:
        return (con.execute("SELECT count(*) FROM case_actions").fetchone()[0],
                con.execute("SELECT count(*) FROM cases").fetchone()[0])
    finally:
        con.close()


def test_snapshot_enrolment_matches_the_page_path(stations, server, tmp_path):
    a = stations("A")
    _work(a, 10, "甲")
    sync(a)
    by_snapshot, by_pages = _fresh(server, tmp_path / "snap"), _fresh(server, tmp_path / "pages")
    try:
        r = requests.get(server.url + "/api/v1/snapshot", headers=transport(by_snapshot).headers(), timeout=10)
        assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
        lines = r.text.splitlines()
        assert lines[0].startswith('["h",') and lines[-1].startswith('["e",')
        out = run_round(by_snapshot, transport=transport(by_snapshot))
        plain = run_round(by_pages, transport=transport(by_pages), snapshot=False)
        assert out["digest"]["equal"] and plain["digest"]["equal"]
        assert out["requests"] < plain["requests"] or out["requests"] <= 3
        assert _rows(by_snapshot) == _rows(by_pages)
        assert _records(by_snapshot) == _records(by_pages)
        assert accepted_log(by_snapshot) == server_log(server)
        with by_snapshot.db.read() as s, by_pages.db.read() as p:
            assert st.cursor(s) == st.cursor(p) and st.local_digest(s) == st.local_digest(p)
        # later changes come by page, after the snapshot's sequence number
        handling.act(a, a.actors["dispatcher"], _first_case(a), "comment", {"note": "快照之后的变更"})
        sync(a)
        later = run_round(by_snapshot, transport=transport(by_snapshot))
        assert later["pulled"] == 1 and later["digest"]["equal"]
        assert accepted_log(by_snapshot) == server_log(server)
        from app.admin import integrity

        assert integrity.rebuild_differences(by_snapshot, repair=False)["differences"] == 0
        assert integrity.verify_chains(by_snapshot)["ok"]
    finally:
        by_snapshot.close()
        by_pages.close()


def _first_case(desk) -> str:
    from sqlalchemy import select

    from app.store.models import Case

    with desk.db.read() as s:
        return s.scalar(select(Case.case_no).order_by(Case.case_no))


def test_snapshot_killed_midway_leaves_the_store_empty(stations, server, tmp_path):
    a = stations("A")
    _work(a, 40, "甲")
    sync(a)
    root = tmp_path / "spare"
    desk = _fresh(server, root)
    desk.close()
    seen = set()
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "--data-dir", str(root), "sync"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        desk = open_station(root)
        try:
            actions, cases = _counts(desk)
            with desk.db.read() as s:
                cursor = st.cursor(s)
            assert (actions, cases, cursor) == (0, 0, 0) or cursor > 0  # all of it or none of it
            seen.add(cursor > 0)
            if cursor > 0:
                break
        finally:
            desk.close()
    desk = open_station(root)
    try:
        fast(desk)
        out = run_round(desk, transport=transport(desk))
        assert out["digest"]["equal"]
        assert accepted_log(desk) == server_log(server)
        assert _counts(desk)[1] == _counts(a)[1]
    finally:
        desk.close()
