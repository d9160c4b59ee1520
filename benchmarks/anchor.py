"""Tamper evidence on sync: what the chain anchor and the content digest add to a sync round,
printed as JSON (docs/PERFORMANCE.md, "Tamper evidence on sync").

    .venv/bin/python benchmarks/anchor.py [--cases 5000] [--changes 100] [--rounds 3]

In one run, on one store pulled from a real district server on loopback: rounds with ``--changes``
new actions each and idle rounds, timed whole (wall and CPU), with the time spent in the anchor
(``POST /anchors``) and in hashing accepted actions' content timed inside the same rounds; the
old path's cost is the round less those plus what XORing the ids cost (measured on the same ids).
Also the full recomputation of the digest from the table (the daily check) against a scan of
the ids alone, and the per-action cost of the content hash against the id hash.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sync as base  # noqa: E402 — benchmarks/sync.py: server bulk load, stations, changes
from sqlalchemy import select  # noqa: E402

from app.desk import open_desk  # noqa: E402
from app.sync import engine  # noqa: E402
from app.sync import protocol as P  # noqa: E402
from app.sync import state as st  # noqa: E402


class Timer:
    def __init__(self):
        self.wall = self.cpu = 0.0
        self.ids: list = []

    def wrap(self, fn, keep_ids=False):
        def inner(*a, **kw):
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                self.wall += time.perf_counter() - w
                self.cpu += time.process_time() - c
                if keep_ids:
                    self.ids.extend(a[1])
        return inner


def one_round(desk, hashes: Timer, anchor: Timer) -> dict:
    hashes.wall = hashes.cpu = anchor.wall = anchor.cpu = 0.0
    hashes.ids = []
    w, c = time.perf_counter(), time.process_time()
    out = engine.run_round(desk, files=False)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    t0 = time.perf_counter()
    for aid in hashes.ids:
        P.id_hash(aid)
    ids_cost = time.perf_counter() - t0
    old = wall - anchor.wall - hashes.wall + ids_cost
    assert out["digest"]["equal"] and out["anchor"]["ok"], out
    return {"wall": wall, "cpu": cpu, "anchor": anchor.wall, "content_hash": hashes.wall, "old_wall": old,
            "pushed": out["pushed"], "pulled": out["pulled"], "requests": out["requests"]}


def summary(rows: list[dict]) -> dict:
    med = {k: statistics.median(r[k] for r in rows) for k in ("wall", "cpu", "anchor", "content_hash", "old_wall")}
    return {"rounds": len(rows), "wall_ms": round(med["wall"] * 1e3, 1), "cpu_ms": round(med["cpu"] * 1e3, 1),
            "anchor_ms": round(med["anchor"] * 1e3, 1), "content_hash_ms": round(med["content_hash"] * 1e3, 2),
            "old_path_ms": round(med["old_wall"] * 1e3, 1), "ratio_to_old": round(med["wall"] / med["old_wall"], 3),
            "requests": rows[-1]["requests"], "pushed": rows[-1]["pushed"]}


def full_scan(desk) -> dict:
    with desk.db.read() as s:
        w = time.perf_counter()
        c = time.process_time()
        count, _ = st.full_digest(s)
        content = (time.perf_counter() - w, time.process_time() - c)
        w = time.perf_counter()
        xor = 0
        for (aid,) in s.connection().exec_driver_sql("SELECT id FROM case_actions WHERE status = 'accepted'"):
            xor ^= P.id_hash(aid)
        ids = time.perf_counter() - w
    return {"actions": count, "content_ms": round(content[0] * 1e3, 1), "content_cpu_ms": round(content[1] * 1e3, 1),
            "ids_ms": round(ids * 1e3, 1), "ratio": round(content[0] / ids, 2),
            "content_us_per_action": round(content[0] / max(count, 1) * 1e6, 2)}


def make_changes(desk, actor, n: int, rng: random.Random) -> None:
    """n comments by ``actor`` (signed), 500 per transaction."""
    from app.cases import caselog
    from app.store.models import Case

    with desk.db.read() as s:
        ids = list(s.scalars(select(Case.id).where(Case.state.in_(("dispatched", "in_progress")))))
    for start in range(0, n, 500):
        with desk.db.tx() as s:
            for i in range(start, min(n, start + 500)):
                caselog.record(s, desk, actor, caselog.find_case(s, rng.choice(ids)), "comment", {"note": f"记录{i}"})


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=5000)
    p.add_argument("--changes", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    from app.demo.loader import load_demo
    from app.store.models import Case
    from tests.sync.conftest import Server

    work = Path(tempfile.mkdtemp(prefix="towndesk-anchorbench-"))
    source = open_desk(work / "source", backup=False)
    load_demo(source, args.cases, seed=11)
    with source.db.read() as s:
        ids = list(s.scalars(select(Case.id).order_by(Case.rid)))
    server = Server(work / "server", hooks=False)
    n = base.bulk_load(server.db, "FS", source, ids)
    server.start()
    out: dict = {"cases": args.cases, "actions": n}
    try:
        # the demo town's users but no cases: its enrolment seeds the district's directory, the
        # first round pulls the cases, and the director logs in online (actions are signed)
        desk = open_desk(work / "ws", backup=False)
        load_demo(desk, 0, seed=11)
        desk.close()
        desk = base.station(work / "ws", server, "FS")
        engine.run_round(desk, files=False)  # the first pull
        from app.sync.login import sign_in
        from app.sync.transport import Transport

        director = sign_in(desk, "director", "demo1234", Transport(st.settings(desk)))
        with desk.db.tx() as s:
            desk.set_meta(s, "setting.sync_full_digest_hours", "24")
        engine.run_round(desk, files=False)  # the daily full recompute done: the rounds below are ordinary
        hashes, anchor = Timer(), Timer()
        st._hashes = hashes.wrap(st._hashes, keep_ids=True)
        engine._anchor = anchor.wrap(engine._anchor)
        rng = random.Random(5)
        busy, idle = [], []
        for _ in range(args.rounds):
            make_changes(desk, director, args.changes, rng)
            busy.append(one_round(desk, hashes, anchor))
            idle.append(one_round(desk, hashes, anchor))
        out[f"round_{args.changes}_changes"] = summary(busy)
        out["idle_round"] = summary(idle)
        out["full_digest"] = full_scan(desk)
        with desk.db.read() as s:
            rows = s.connection().exec_driver_sql(f"SELECT {', '.join(P.CONTENT_FIELDS)} FROM case_actions "
                                                  "LIMIT 20000").all()
        t0 = time.perf_counter()
        for r in rows:
            P.stored_action_hash(r)
        t1 = time.perf_counter()
        for r in rows:
            P.id_hash(r[0])
        t2 = time.perf_counter()
        out["per_action_us"] = {"content_hash": round((t1 - t0) / len(rows) * 1e6, 2),
                                "id_hash": round((t2 - t1) / len(rows) * 1e6, 2)}
        desk.close()
    finally:
        server.close()
        source.close()
    print(json.dumps(out, ensure_ascii=False, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
