"""Sync figures, printed as JSON (docs/PERFORMANCE.md, "## Sync").

    .venv/bin/python benchmarks/sync.py [--cases 100000] [--pg URL] [--offline-changes 10000]

- initial pull of N cases with their actions into a fresh workstation (loopback, real server);
- a sync with nothing to do: requests and bytes;
- an incremental sync of 100 changes on a 1x (N/10) and a 10x (N) store;
- 7 days offline: 10k changes made on one workstation, then one sync;
- server ingestion (actions/s) through the push path, on SQLite and on PostgreSQL (--pg);
- initial pull as a ratio of a raw SQLite insert of the same rows.
The server's database is bulk-loaded from a generated demo store (faster than pushing it).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from app.desk import open_desk  # noqa: E402
from app.domain.casefold import ActionRecord, fold  # noqa: E402
from app.store.models import CaseAction  # noqa: E402
from app.sync import protocol as P  # noqa: E402
from app.sync.wire import fold_to_json  # noqa: E402


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def bulk_load(server_db, town: str, source, case_ids: list[str]) -> int:
    """Write cases and their actions into the server tables as if they had been pushed."""
    from server.models import Action, Case, Change, Town

    seq = 0
    count, xor = 0, 0
    with server_db.tx() as s:
        for start in range(0, len(case_ids), 2000):
            chunk = case_ids[start:start + 2000]
            with source.db.read() as r:
                acts = r.scalars(select(CaseAction).where(CaseAction.case_id.in_(chunk))
                                 .order_by(CaseAction.case_id, CaseAction.seq)).all()
            by_case: dict = {}
            for a in acts:
                by_case.setdefault(a.case_id, []).append(a)
            actions, changes, cases = [], [], []
            for cid in chunk:
                log_ = by_case.get(cid, [])
                state = fold([ActionRecord(a.id, a.case_id, a.kind, a.at, a.actor, a.actor_role, a.payload,
                                           a.actor_unit) for a in log_])
                for a in log_:
                    seq += 1
                    data = P.canonical({"id": a.id, "case_id": a.case_id, "kind": a.kind, "at": a.at.isoformat(),
                                        "actor": a.actor, "actor_name": a.actor_name, "actor_role": a.actor_role,
                                        "actor_unit": a.actor_unit, "payload": a.payload, "device_id": a.device_id})
                    actions.append(dict(id=a.id, town=town, case_id=cid, seq=seq, kind=a.kind, device_id=a.device_id,
                                        hash="-", data=data))
                    changes.append(dict(town=town, seq=seq, entity="action", entity_id=a.id, data=data))
                    count += 1
                    xor ^= P.action_hash(a)
                cases.append(dict(id=cid, town=town, case_no=state.case_no, state=state.state,
                                  fold=fold_to_json(state), last_seq=seq))
            s.execute(insert(Action.__table__), actions)
            s.execute(insert(Change.__table__), changes)
            s.execute(insert(Case.__table__), cases)
        t = s.get(Town, town)
        t.last_seq, t.digest_count, t.digest_xor = seq, count, P.to_signed64(xor)
    return count


def station(root: Path, server, town: str):
    from app.sync.enroll import enroll

    desk = open_desk(root, backup=False)
    enroll(desk, server.url, server.code(town), sync=False)
    return desk


def timed_round(desk, **kw) -> tuple[float, dict]:
    from app.sync.engine import run_round

    t0 = time.perf_counter()
    out = run_round(desk, **kw)
    return time.perf_counter() - t0, out


def make_changes(desk, n: int, rng: random.Random) -> None:
    """n case actions (comments and urges) written through the service layer, 500 per transaction."""
    from app.cases import caselog
    from app.reference.users import get_actor
    from app.store.models import Case

    director = get_actor(desk, "director") if _has_user(desk, "director") else get_actor(desk, None)
    with desk.db.read() as s:
        ids = list(s.scalars(select(Case.id).where(Case.state.in_(("dispatched", "in_progress")))))
    for start in range(0, n, 500):
        with desk.db.tx() as s:
            for i in range(start, min(n, start + 500)):
                row = caselog.find_case(s, rng.choice(ids))
                caselog.record(s, desk, director, row, "comment", {"note": f"离线工作记录{i}"})


def _has_user(desk, name: str) -> bool:
    from app.store.models import User

    with desk.db.read() as s:
        return s.scalar(select(User.id).where(User.code == name)) is not None


def ingestion(url: str, source, n_actions: int) -> float:
    """Push-path ingestion in-process: actions/s judged, folded and written (batches of 500)."""
    from server import admin, ingest, migrate
    from server.auth import Caller
    from server.db import ServerDB

    db = ServerDB(url)
    migrate.upgrade(db)
    admin.add_town(db, "IN", "吞吐测试")
    req = P.EnrollRequest(code=admin.enroll_code(db, "IN"), device_id="bench-device", db_id="bench-db",
                          chain="c" * 24)
    admin.enroll(db, req)
    caller = Caller("bench-device", "IN", "01", "bench-db")
    with source.db.read() as s:
        acts = s.scalars(select(CaseAction).order_by(CaseAction.case_id, CaseAction.seq).limit(n_actions)).all()
    entries = []
    for a in acts:
        payload = dict(a.payload)
        if a.kind == "intake":
            payload["town"] = "IN"
            payload["case_no"] = "IN" + payload["case_no"][2:]
        entries.append({"id": f"e{len(entries)}-{a.id[:24]}"[:36], "device_seq": len(entries), "entity": "action",
                        "entity_id": a.id, "payload": {
                            "id": a.id, "case_id": a.case_id, "kind": a.kind, "at": a.at.isoformat(),
                            "actor": a.actor, "actor_name": a.actor_name, "actor_role": a.actor_role,
                            "actor_unit": a.actor_unit, "payload": payload, "device_id": "bench-device"}})
    t0 = time.perf_counter()
    accepted = 0
    for start in range(0, len(entries), 500):
        reply = ingest.push(db, caller, P.PushRequest.model_validate({"entries": entries[start:start + 500]}),
                            "c" * 24, None)
        accepted += sum(1 for v in reply.results if v.status == "accepted")
    seconds = time.perf_counter() - t0
    db.close()
    return round(accepted / seconds, 1)


def raw_insert_seconds(desk) -> float:
    """Raw sqlite3 executemany of the pulled rows (cases + actions) into an empty copy of the schema."""
    src = sqlite3.connect(desk.db.path)
    tmp = Path(tempfile.mkdtemp()) / "raw.sqlite3"
    shutil.copy(ROOT / "benchmarks" / "sync.py", tmp.with_suffix(".txt"))  # keep tmp dir non-empty
    empty = open_desk(tmp.parent / "raw", backup=False)
    dst = sqlite3.connect(empty.db.path)
    cases = src.execute("SELECT * FROM cases").fetchall()
    actions = src.execute("SELECT * FROM case_actions").fetchall()
    t0 = time.perf_counter()
    dst.execute("BEGIN")
    dst.executemany(f"INSERT INTO cases VALUES ({','.join('?' * len(cases[0]))})", cases)
    dst.executemany(f"INSERT INTO case_actions VALUES ({','.join('?' * len(actions[0]))})", actions)
    dst.execute("COMMIT")
    seconds = time.perf_counter() - t0
    empty.close()
    return seconds


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--offline-changes", type=int, default=10_000)
    p.add_argument("--pg", help="PostgreSQL URL for the ingestion figure (e.g. from .ci/pg.sh start)")
    p.add_argument("--ingest-actions", type=int, default=20_000)
    p.add_argument("--keep", help="work directory to keep")
    args = p.parse_args()
    from app.demo.loader import load_demo
    from app.store.models import Case
    from tests.sync.conftest import Server

    work = Path(args.keep or tempfile.mkdtemp(prefix="towndesk-syncbench-"))
    small = max(1, args.cases // 10)
    log("generating", args.cases + small, "cases")
    source = open_desk(work / "source", backup=False)
    load_demo(source, args.cases + small, seed=11)
    with source.db.read() as s:
        ids = list(s.scalars(select(Case.id).order_by(Case.rid)))
    server = Server(work / "server", hooks=False)
    server.db.close()
    from server.db import ServerDB

    server.db = ServerDB(server.db_url)
    from server import admin

    admin.add_town(server.db, "SX", "小镇")
    log("bulk-loading the server")
    n_big = bulk_load(server.db, "FS", source, ids[:args.cases])
    bulk_load(server.db, "SX", source, ids[args.cases:])
    server.start()
    out: dict = {"cases": args.cases, "actions": n_big}
    try:
        log("initial pull")
        big = station(work / "big", server, "FS")
        seconds, r = timed_round(big, files=False)
        out["initial_pull"] = {"seconds": round(seconds, 1), "changes": r["pulled"],
                               "mb_received": round(r["bytes_received"] / 1e6, 1)}
        seconds, r = timed_round(big, files=False)
        out["noop_sync"] = {"seconds": round(seconds, 3), "requests": r["requests"],
                            "bytes": r["bytes_sent"] + r["bytes_received"]}
        small_desk = station(work / "small", server, "SX")
        timed_round(small_desk, files=False)
        rng = random.Random(5)
        for name, desk in (("incremental_100_1x", small_desk), ("incremental_100_10x", big)):
            for u in ("director",):
                if not _has_user(desk, u):
                    from app.reference.users import add_user, get_actor

                    add_user(desk, get_actor(desk, None), u, "director", "demo1234")
            make_changes(desk, 100, rng)
            seconds, r = timed_round(desk, files=False)
            out[name] = {"seconds": round(seconds, 3), "pushed": r["pushed"], "pulled": r["pulled"]}
        out["incremental_10x_over_1x"] = round(out["incremental_100_10x"]["seconds"]
                                               / out["incremental_100_1x"]["seconds"], 2)
        log("offline changes")
        make_changes(big, args.offline_changes, rng)
        seconds, r = timed_round(big, files=False)
        out["offline_7_days"] = {"changes": args.offline_changes, "seconds": round(seconds, 1),
                                 "pushed": r["pushed"], "pulled": r["pulled"]}
        raw = raw_insert_seconds(big)
        out["raw_sqlite_insert_seconds"] = round(raw, 2)
        out["initial_pull_over_raw_insert"] = round(out["initial_pull"]["seconds"] / raw, 1)
    finally:
        server.close()
    log("ingestion")
    out["ingest_actions_per_s_sqlite"] = ingestion(f"sqlite:///{work / 'ingest.sqlite3'}", source,
                                                   args.ingest_actions)
    if args.pg:
        from tests.sync import conftest

        conftest.PG = args.pg
        out["ingest_actions_per_s_postgresql"] = ingestion(conftest._pg_database(), source, args.ingest_actions)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
