"""The initial pull writes pulled actions and new case rows with raw bulk inserts and folds new
cases from the page itself: the rows (as stored, byte for byte), the search index and the digest
must be exactly what the ORM path and a read-back re-fold produce, also when a case's log is split
across pages."""
from __future__ import annotations

import sqlcipher3

from app.store import search
from app.sync.engine import run_round
from app.sync.enroll import enroll
from app.sync.refold import refold
from tests.sync.conftest import accepted_log, fast, open_station, station_rows_hash, sync, transport
from tests.sync.test_converge import _work


def _rows(desk) -> dict:
    con = desk.db.raw()  # the store is encrypted: a raw connection with its key
    con.row_factory = sqlcipher3.Row
    try:
        cases = {r["id"]: {k: r[k] for k in r.keys() if k != "rid"}
                 for r in con.execute("SELECT * FROM cases")}
        docs = dict(con.execute(f"SELECT c.id, f.body FROM cases c JOIN {search.FTS_TABLE} f ON f.rowid = c.rid"))
        actions = {r["id"]: {k: r[k] for k in r.keys() if k not in ("seq", "device_id", "chain")}  # chain: local order
                   for r in con.execute("SELECT * FROM case_actions")}
    finally:
        con.close()
    return {"cases": cases, "docs": docs, "actions": actions}


def test_bulk_pull_matches_the_orm_path(stations, server, tmp_path):
    a = stations("A")
    _work(a, 8, "甲")
    sync(a)
    b = stations("B", fresh=True)           # one page
    c = open_station(tmp_path / "station-C")  # 3-change pages: case logs split across pages
    try:
        fast(c)
        enroll(c, server.url, server.code("FS"), sync=False)
        fast(c)
        out = run_round(c, transport=transport(c), page_size=3, snapshot=False)
        assert out["digest"]["equal"]
        rc = _rows(c)
    finally:
        c.close()
    ra, rb = _rows(a), _rows(b)
    assert rb["cases"] == ra["cases"] == rc["cases"]
    assert rb["docs"] == ra["docs"] == rc["docs"]
    assert rb["actions"] == ra["actions"] == rc["actions"]
    assert accepted_log(a) == accepted_log(b)
    assert station_rows_hash(a) == station_rows_hash(b)
    # a re-fold read back from the stored log changes nothing
    with b.db.tx() as s:
        assert refold(s, list(rb["cases"])) == []
    assert _rows(b) == rb
    assert sync(b)["digest"]["equal"]
