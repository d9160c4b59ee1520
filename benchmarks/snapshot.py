"""A spare laptop joins fast (issue 15 item 6): a fresh workstation enrolled from the district's
snapshot of an N-case town, printed as JSON (docs/PERFORMANCE.md, "A spare laptop joins fast").

    .venv/bin/python benchmarks/snapshot.py [--cases 100000] [--pages]

The server (real, loopback) is bulk-loaded from a generated demo store (benchmarks/sync.py's
``bulk_load``). Timed: the first round of a freshly enrolled store (snapshot, then the pages after
it). Baseline in the same run: a raw SQLite ``executemany`` of the same rows (cases, actions, their
search documents) into an empty plain copy of the schema, no indexes dropped, one transaction;
``--pages`` also times the page replay (the path before snapshots).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOWNDESK_KEYRING", "0")
os.environ.setdefault("TOWNDESK_KEY_DIR", tempfile.mkdtemp(prefix="towndesk-bench-keys-"))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def raw_insert_seconds(desk, work: Path) -> tuple[float, float]:
    """The same rows (cases, case_actions, search documents) with plain sqlite3 executemany."""
    from app.store import search

    src = desk.db.raw()
    try:
        schema = [r[0] for r in src.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ('cases', 'case_actions')")]
        cases = src.execute("SELECT * FROM cases").fetchall()
        actions = src.execute("SELECT * FROM case_actions").fetchall()
        docs = src.execute(f"SELECT rowid, body FROM {search.FTS_TABLE}").fetchall()
    finally:
        src.close()
    (work / "raw.sqlite3").unlink(missing_ok=True)  # a kept work directory (--keep) is reused
    dst = sqlite3.connect(work / "raw.sqlite3")
    for sql in schema:
        dst.execute(sql)
    dst.execute("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='unicode61')")
    t0, c0 = time.perf_counter(), time.process_time()
    dst.execute("BEGIN")
    dst.executemany(f"INSERT INTO cases VALUES ({','.join('?' * len(cases[0]))})", cases)
    dst.executemany(f"INSERT INTO case_actions VALUES ({','.join('?' * len(actions[0]))})", actions)
    dst.executemany("INSERT INTO docs(rowid, body) VALUES (?, ?)", docs)
    dst.execute("COMMIT")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    dst.close()
    return seconds, cpu


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--pages", action="store_true", help="also time the page replay")
    p.add_argument("--keep", help="work directory to keep (and reuse its server)")
    p.add_argument("--prepare", action="store_true", help="only generate the server's data (with --keep)")
    p.add_argument("--profile", action="store_true", help="cProfile the kept-file enrolment (stderr)")
    args = p.parse_args()
    from sqlalchemy import select

    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.store.models import Case
    from app.sync.engine import run_round
    from app.sync.enroll import enroll
    from benchmarks.sync import bulk_load
    from tests.sync.conftest import Server

    work = Path(args.keep or tempfile.mkdtemp(prefix="towndesk-snapbench-"))
    work.mkdir(parents=True, exist_ok=True)
    server = Server(work / "server", hooks=False)
    from server.models import Action

    with server.db.read() as s:
        loaded = s.scalar(select(Action.id).limit(1)) is not None
    n_actions = None
    if not loaded:
        log("generating", args.cases, "cases")
        t0 = time.perf_counter()
        source = open_desk(work / "source", backup=False)
        load_demo(source, args.cases, seed=11)
        with source.db.read() as s:
            ids = list(s.scalars(select(Case.id).order_by(Case.rid)))
        log("generated in", round(time.perf_counter() - t0), "s; bulk-loading the server")
        n_actions = bulk_load(server.db, "FS", source, ids)
        source.close()
    if args.prepare:
        return 0
    if args.profile:
        import logging

        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    server.start()
    out: dict = {"cases": args.cases}
    try:
        def fresh(name: str):
            root = work / f"{name}-{time.time_ns()}"
            desk = open_desk(root, backup=False)
            enroll(desk, server.url, server.code("FS"), sync=False)
            return desk

        for label in ("snapshot_enrolment", "snapshot_enrolment_kept"):
            # the first builds the district's file (server/snapshot_file.py), the second is served it
            log(label)
            desk = fresh("snap")
            prof = None
            if args.profile and label.endswith("kept"):
                import cProfile

                prof = cProfile.Profile()
                prof.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            r = run_round(desk, files=False)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            if prof:
                import pstats

                prof.disable()
                pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
            out[label] = {"seconds": round(seconds, 1), "client_cpu_seconds": round(cpu, 1), "pulled": r["pulled"],
                          "mb_received": round(r["bytes_received"] / 1e6, 1),
                          "digest_equal": r["digest"]["equal"], "requests": r["requests"]}
            out["actions"] = n_actions or r["pulled"]
            if label.endswith("kept"):
                raw, raw_cpu = raw_insert_seconds(desk, work)
                out["raw_sqlite_insert_seconds"] = round(raw, 2)
                out["raw_sqlite_insert_cpu_seconds"] = round(raw_cpu, 2)
                out["snapshot_over_raw_insert"] = round(out["snapshot_enrolment"]["seconds"] / raw, 1)
                out["kept_snapshot_over_raw_insert"] = round(seconds / raw, 1)
            desk.close()
        if args.pages:
            log("page replay")
            desk = fresh("pages")
            t0 = time.perf_counter()
            r = run_round(desk, files=False, snapshot=False)
            seconds = time.perf_counter() - t0
            out["page_replay"] = {"seconds": round(seconds, 1), "pulled": r["pulled"],
                                  "digest_equal": r["digest"]["equal"]}
            out["page_replay_over_raw_insert"] = round(seconds / raw, 1)
            desk.close()
    finally:
        server.close()
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
