"""A freshly enrolled workstation's first pull: change pages gzip-coded only when the client asks
for it, the first-pull path (no stored-id lookups, several pages per transaction, secondary indexes
dropped and rebuilt) stores exactly what the ordinary path stores, and a first pull killed while
the indexes are dropped gets them back (on the next open, or on the next pull) and converges."""
from __future__ import annotations

import gzip
import json
import os
import signal

import pytest
import requests

from app.store import bulk
from app.store.crypto import open_store_raw
from app.sync import protocol as P
from app.sync import pull
from app.sync.engine import run_round
from app.sync.enroll import enroll
from server.app import accepts_gzip
from tests.sync.conftest import (
    accepted_log,
    fast,
    open_station,
    server_log,
    station_rows_hash,
    sync,
    transport,
)
from tests.sync.test_converge import _work
from tests.sync.test_pull_bulk import _rows


def _indexes(root) -> tuple[set, bool]:
    """Secondary index names on cases/case_actions, and whether a drop is still pending."""
    con = open_store_raw(root)
    try:
        names = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            "AND tbl_name IN ('cases', 'case_actions')")}
        pending = con.execute("SELECT 1 FROM meta WHERE key = ?", (bulk.PENDING_KEY,)).fetchone() is not None
    finally:
        con.close()
    return names, pending


def _fresh(server, root):
    desk = open_station(root)
    fast(desk)
    enroll(desk, server.url, server.code("FS"), sync=False)
    fast(desk)
    return desk


def test_change_pages_are_gzipped_only_when_asked(stations, server):
    a = stations("A")
    _work(a, 8, "甲")
    sync(a)
    t = transport(a)
    url = server.url + P.API + "/changes"
    pages = {}
    for name, accept in (("gzip", "gzip"), ("old", "gzip, deflate"), ("plain", "identity"), ("refused", "gzip;q=0")):
        r = requests.get(url, params={"after": 0, "limit": 500}, headers=t.headers({"Accept-Encoding": accept}),
                         stream=True, timeout=10)
        assert r.status_code == 200
        wire = r.raw.read(decode_content=False)
        coded = r.headers.get("Content-Encoding")
        pages[name] = json.loads(gzip.decompress(wire) if coded == "gzip" else wire)
        assert coded == ("gzip" if name in ("gzip", "old") else None), name
        assert "Accept-Encoding" in r.headers.get("Vary", "")
    assert pages["gzip"] == pages["old"] == pages["plain"] == pages["refused"]
    assert len(pages["plain"]["changes"]) > 20
    # a client that does not ask for gzip (an older build, a proxy) pulls the same town
    plain = _fresh(server, a.root.parent / "plain")
    zipped = _fresh(server, a.root.parent / "zipped")
    try:
        out_plain = run_round(plain, transport=transport(plain, extra_headers={"Accept-Encoding": "identity"}),
                              snapshot=False)
        out_zipped = run_round(zipped, transport=transport(zipped), snapshot=False)
        assert out_plain["digest"]["equal"] and out_zipped["digest"]["equal"]
        assert out_zipped["bytes_received"] * 2 < out_plain["bytes_received"]  # counted as on the wire
        assert accepted_log(plain) == accepted_log(zipped) == server_log(server)
        assert _rows(plain) == _rows(zipped) == _rows(a)
    finally:
        plain.close()
        zipped.close()


def test_accept_encoding_is_read_as_http_says():
    assert accepts_gzip("gzip") and accepts_gzip("GZIP, deflate") and accepts_gzip("br;q=1.0, gzip;q=0.5")
    assert accepts_gzip("*") and accepts_gzip("x-gzip")
    assert not accepts_gzip(None) and not accepts_gzip("") and not accepts_gzip("identity")
    assert not accepts_gzip("deflate, br") and not accepts_gzip("gzip;q=0") and not accepts_gzip("gzip;q=0.0")


def test_first_pull_with_dropped_indexes_matches_the_ordinary_path(stations, server, tmp_path, monkeypatch):
    a = stations("A")
    _work(a, 8, "甲")
    sync(a)
    monkeypatch.setattr(pull, "FIRST_PULL_BULK_CHANGES", 1)  # every first pull counts as large
    drops = []
    real = pull.FirstPull.maybe_drop_indexes

    def spy(self, desk, remaining):
        real(self, desk, remaining)
        drops.append(_indexes(desk.root))

    monkeypatch.setattr(pull.FirstPull, "maybe_drop_indexes", spy)
    b = _fresh(server, tmp_path / "station-B")
    try:
        out = run_round(b, transport=transport(b), page_size=3, snapshot=False)  # case logs split across pages
        assert out["digest"]["equal"]
        during, pending = drops[0]
        assert pending and "ix_cases_received" not in during and "ix_actions_case_seq" in during
        assert _indexes(b.root) == _indexes(a.root) and not _indexes(b.root)[1]
        assert _rows(b) == _rows(a)
        assert station_rows_hash(b) == station_rows_hash(a)
        assert sync(b)["digest"]["equal"]
    finally:
        b.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("repair", ["next_open", "next_pull"])
def test_first_pull_killed_with_indexes_dropped_is_repaired(stations, server, tmp_path, repair):
    a = stations("A")
    _work(a, 8, "甲")
    sync(a)
    root = tmp_path / "station-K"
    _fresh(server, root).close()
    kept = open_station(root) if repair == "next_pull" else None  # a window left open meanwhile
    pid = os.fork()
    if pid == 0:  # the child pulls with small pages and is SIGKILLed inside its 4th transaction
        try:
            pull.FIRST_PULL_BULK_CHANGES, pull.FIRST_PULL_PAGES_PER_TX = 1, 1
            real, applied = pull._apply, []

            def dying(*args, **kw):
                out = real(*args, **kw)
                applied.append(1)
                if len(applied) == 4:
                    os.kill(os.getpid(), signal.SIGKILL)
                return out

            pull._apply = dying
            desk = open_station(root)
            run_round(desk, transport=transport(desk), page_size=3, files=False, snapshot=False)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    names, pending = _indexes(root)
    assert pending and "ix_cases_received" not in names  # killed with the indexes dropped
    if repair == "next_open":
        desk = open_station(root)
        assert _indexes(root) == _indexes(a.root)
    else:
        desk = kept
    try:
        fast(desk)
        out = sync(desk)
        assert out["digest"]["equal"] and out["pulled"] > 0
        assert _indexes(root) == _indexes(a.root) and not _indexes(root)[1]
        assert accepted_log(desk) == server_log(server) == accepted_log(a)
        assert station_rows_hash(desk) == station_rows_hash(a)
        assert _rows(desk) == _rows(a)
    finally:
        desk.close()
