"""Figures for the server-trust work (issue 12), printed as JSON (docs/PERFORMANCE.md).

    python benchmarks/trust.py ingest --pg URL|sqlite [--unsigned] [--threads N] [--baseline TREE
        [--baseline-kind baseline|checked]] [--rounds R] [--actions 20000] [--cases 4000]
    python benchmarks/trust.py load --pg URL [--towns 17] [--stations 10] [--seconds 30] [--ceiling]

``ingest``: server ingestion through the push path (in process, batches of 500), on PostgreSQL, in
this tree with every check of a device push (Ed25519 signature over the body, each action's
signature by its actor's registered key (issue 12 item 2), the actor's role and
unit from the directory as of the action's time, unit existence, time checks and the backdated
audit) and, in the same run, in the baseline tree (``--baseline``, e.g. /work/main: the code before
these checks) with its own benchmark (``--baseline-kind checked``: that tree's own checked push,
e.g. the commit before signed actions in a ``git worktree``). ``--unsigned``: also this tree with
no actor signatures and the per-action signature check off (the same-run unsigned rate);
``--threads N``: also this tree verifying the signatures in N worker threads. Each side generates
the same demo town (seed 11) and gets a fresh database (``--pg sqlite``: a fresh SQLite file); each
of ``--rounds`` runs every side once, in turn. Rates are wall time; ``cpu_s`` is the process's CPU.

``load``: the district load run over real HTTP against a real server on PostgreSQL: T towns x S
workstations, each syncing every second (a pull after its cursor), the town's workstations pushing
5 new signed actions per second between them; p50/p99 of push and of no-op sync latency. With
``--ceiling`` it runs again with 1, 2, 3, 5, 7, 10, 15, 20 workstations per town until p99 of
either passes 500 ms. The workstations are threads of this one process (HTTP, signing, JSON), on
the same machine as the server (one uvicorn worker) and PostgreSQL: the latencies are what those
threads saw, client-side scheduling included.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def new_database(pg: str) -> str:
    if pg == "sqlite":  # a fresh SQLite file
        return "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="towndesk-trustbench-db-")) / "server.sqlite3")
    import psycopg

    base = pg.replace("postgresql+psycopg://", "postgresql://")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = pg.rpartition("/")
    return f"{head}/{name}"


def make_source(cases: int):
    from app.demo.loader import load_demo
    from app.desk import open_desk

    source = open_desk(Path(tempfile.mkdtemp(prefix="towndesk-trustbench-")) / "source", backup=False)
    load_demo(source, cases, seed=11)
    return source


# -- ingestion ---------------------------------------------------------------------------------
def ingest_checked(url: str, source, n_actions: int, unsigned: bool = False) -> dict:
    """This tree: a signed device push with the directory founded from the source's records.
    ``unsigned``: the same push without the actors' signatures and with the per-action signature
    check switched off (everything else as the signed path): the baseline for its cost."""
    from sqlalchemy import select

    from app.store.models import CaseAction
    from app.store.outbox import record_payload
    from app.sync import protocol as P
    from app.sync import records as rec
    from app.sync.enroll import new_device_key
    from server import admin, ingest, migrate
    from server.auth import Caller
    from server.db import ServerDB

    db = ServerDB(url)
    migrate.upgrade(db)
    admin.add_town(db, "IN", "吞吐测试")
    private, public = new_device_key()
    admin.enroll(db, P.EnrollRequest(code=admin.enroll_code(db, "IN"), device_id="bench-device", db_id="bench-db",
                                     chain="c" * 24, public_key=public))
    caller = Caller("bench-device", "IN", "01", "bench-db")

    class _Desk:  # what push.sign reads
        device_id = "bench-device"

        @staticmethod
        def meta(key, default=None):
            return private if key == "sync.device_key" else default

    from app.sync.push import sign

    def batch_of(entries):
        body = json.dumps({"entries": entries}, ensure_ascii=False, separators=(",", ":")).encode()
        return body, sign(_Desk, "c" * 24, None, body)

    _users_for_actors(source)
    with source.db.read() as s:
        seeds = [{"id": f"s{i}", "device_seq": i, "entity": e, "entity_id": row.id,
                  "payload": json.loads(json.dumps(record_payload(row) | {"_seed": True}, default=str))}
                 for i, (e, row) in enumerate(rec.town_owned(s)) if e in ("user", "unit")]
        # time order: what a device's outbox holds; case order: the baseline benchmark's (times jump
        # back at every case, so about every other action is audited as backdated: the worst case)
        order = (CaseAction.case_id, CaseAction.seq) if os.environ.get("TRUST_BENCH_ORDER") == "case" else (
            CaseAction.at, CaseAction.seq)
        acts = s.scalars(select(CaseAction).order_by(*order).limit(n_actions)).all()
    for start in range(0, len(seeds), 500):
        body, sig = batch_of(seeds[start:start + 500])
        reply = ingest.push(db, caller, P.PushRequest.model_validate_json(body), "c" * 24, None,
                            signature=sig, body=body)
        assert all(v.status == "accepted" for v in reply.results), reply.results[:3]
    # every actor logged in on the bench device once: its key registered as an online login does
    from app.store.userkeys import Signer
    from server.models import UserKey

    keys = {"system": Signer.from_b64(private)}  # the system actor's work is signed by the device
    with db.tx() as s:
        for actor in sorted({a.actor for a in acts} - {"system"}):
            keys[actor] = Signer.new()
            s.add(UserKey(town="IN", username=actor, device_id="bench-device", public_key=keys[actor].public_b64,
                          created_at="2026-12-06T00:00:00+00:00"))
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
        if not unsigned:
            e = entries[-1]
            e["actor_key"] = keys[a.actor].public_b64
            e["actor_sig"] = keys[a.actor].sign(P.action_signed_text(e["payload"]))
    if unsigned:
        from server import signatures

        signatures.check = lambda *a, **k: False  # noqa: ARG005 — the one check this side leaves out
    batches = [batch_of(entries[i:i + 500]) for i in range(0, len(entries), 500)]  # signed by the client
    t0, c0 = time.perf_counter(), time.process_time()
    accepted, refused = 0, {}
    for body, sig in batches:
        reply = ingest.push(db, caller, P.PushRequest.model_validate(json.loads(body)), "c" * 24, None,
                            signature=sig, body=body)
        for v in reply.results:
            if v.status == "accepted":
                accepted += 1
            else:
                refused[v.code] = refused.get(v.code, 0) + 1
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    from sqlalchemy import func

    from server.models import AuditEntry

    with db.read() as s:
        backdated = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.kind == "backdated"))
    db.close()
    return {"actions_per_s": round(accepted / seconds, 1), "accepted": accepted, "refused": refused,
            "backdated_audited": backdated, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
            "order": os.environ.get("TRUST_BENCH_ORDER", "time")}


def _users_for_actors(source) -> None:
    """The demo generator acts as unit staff (unit_d01, ...) who are not users of the demo town;
    a real store's actors are its users, so they are added before its records found the directory."""
    from sqlalchemy import select

    from app.domain.ids import stable_id
    from app.reference.users import hash_password
    from app.store.models import CaseAction, User

    pw = hash_password("demo1234")
    with source.db.tx() as s:
        known = set(s.scalars(select(User.code)))
        for actor, name, role, unit in s.execute(select(CaseAction.actor, CaseAction.actor_name, CaseAction.actor_role,
                                                        CaseAction.actor_unit).distinct()):
            if actor not in known and role != "system":
                s.add(User(id=stable_id("user", actor), code=actor, name=name, role=role, unit_code=unit,
                           password_hash=pw, owner_level="town"))
                known.add(actor)


def _child(args) -> int:
    sys.path.insert(0, args.tree)
    source = make_source(args.cases)
    url = new_database(args.pg)
    if args.kind == "baseline":
        from benchmarks.sync import ingestion  # the baseline tree's own benchmark

        out = {"actions_per_s": ingestion(url, source, args.actions)}
    else:
        out = ingest_checked(url, source, args.actions, unsigned=args.kind == "unsigned")
    source.close()
    print(json.dumps(out))
    return 0


def _run_child(kind: str, tree: str, args, script: Path | None = None, env: dict | None = None) -> dict:
    log("ingestion:", kind, tree, env or "")
    r = subprocess.run([sys.executable, str(script or Path(__file__).resolve()), "_child", "--kind", kind,
                        "--tree", tree, "--pg", args.pg, "--actions", str(args.actions), "--cases", str(args.cases)],
                       cwd=tree, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": tree, **(env or {})})
    if r.returncode:
        raise SystemExit(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def ingest_figures(args) -> dict:
    """Each round: the baseline tree (if any), the unsigned side (if asked) and this tree, one
    after the other; ratios per round (rounds alternate, so a change of machine load hits both)."""
    rounds = []
    for _ in range(args.rounds):
        out = {}
        if args.baseline:
            if args.baseline_kind == "checked":  # that tree's own checked push (its own script)
                out["baseline"] = _run_child("checked", args.baseline, args, Path(args.baseline) / "benchmarks/trust.py")
            else:
                out["baseline"] = _run_child("baseline", args.baseline, args)
        if args.unsigned:
            out["unsigned"] = _run_child("unsigned", str(ROOT), args)
        if args.threads:  # the signatures verified ahead in worker threads
            out["checked_threads"] = _run_child("checked", str(ROOT), args,
                                                env={"TOWNDESK_VERIFY_THREADS": str(args.threads)})
        out["checked"] = _run_child("checked", str(ROOT), args)
        for side in ("baseline", "unsigned", "checked_threads"):
            if side in out:
                out[f"checked_over_{side}"] = round(out["checked"]["actions_per_s"] / out[side]["actions_per_s"], 2)
        out["checked_over_1036"] = round(out["checked"]["actions_per_s"] / 1036, 2)
        out["loadavg"] = [round(x, 1) for x in os.getloadavg()]
        log("round", out)
        rounds.append(out)
    return {"db": "sqlite" if args.pg == "sqlite" else "postgresql", "rounds": rounds}


# -- the district load run ------------------------------------------------------------------------
def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)


class Station:
    """One simulated workstation: its token, device key, chain and cursor; plain HTTP."""

    def __init__(self, base: str, town: str, enroll_code: str, cases: list[str], actor: dict):
        import requests

        from app.sync import protocol as P
        from app.sync.enroll import new_device_key

        self.P, self.base, self.town, self.cases, self.actor = P, base, town, cases, actor
        self.http = requests.Session()
        self.device, self.db_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.private, public = new_device_key()
        self.chain = uuid.uuid4().hex + uuid.uuid4().hex
        self.h = {P.H_PROTOCOL: "1", P.H_SCHEMA: "1"}
        r = self.http.post(base + P.API + "/enroll", headers=self.h, timeout=30, json={
            "code": enroll_code, "device_id": self.device, "db_id": self.db_id, "chain": self.chain,
            "public_key": public})
        r.raise_for_status()
        self.h |= {"Authorization": f"Bearer {r.json()['token']}", P.H_DEVICE: self.device, P.H_DB: self.db_id}
        from app.store.userkeys import Signer

        self.user_key = Signer.new()  # the town's clerk logs in on this workstation (online): key registered
        r = self.http.post(base + P.API + "/login", headers=self.h, timeout=30, json={
            "username": actor["actor"], "password": "secret12", "public_key": self.user_key.public_b64})
        r.raise_for_status()
        self.cursor, self.seq = 0, 0
        self.push_ms: list[float] = []
        self.sync_ms: list[float] = []

    def meta(self, key, default=None):
        return self.private if key == "sync.device_key" else default

    @property
    def device_id(self):
        return self.device

    def pull(self) -> float:
        t0 = time.perf_counter()
        while True:
            r = self.http.get(self.base + self.P.API + "/changes", params={"after": self.cursor, "limit": 2000},
                              headers=self.h, timeout=30)
            r.raise_for_status()
            page = r.json()
            self.cursor = page["next"]
            if not page["more"]:
                return time.perf_counter() - t0

    def push(self, n: int) -> float:
        from datetime import UTC, datetime

        from app.sync.push import sign

        entries = []
        for _ in range(n):
            self.seq += 1
            aid = str(uuid.uuid4())
            entries.append({"id": str(uuid.uuid4()), "device_seq": self.seq, "entity": "action", "entity_id": aid,
                            "payload": {"id": aid, "case_id": self.cases[self.seq % len(self.cases)], "kind": "comment",
                                        "at": datetime.now(UTC).isoformat(), **self.actor,
                                        "payload": {"note": f"负载测试备注{self.seq}"}, "device_id": self.device}})
            entries[-1]["actor_key"] = self.user_key.public_b64
            entries[-1]["actor_sig"] = self.user_key.sign(self.P.action_signed_text(entries[-1]["payload"]))
        nxt = uuid.uuid4().hex + uuid.uuid4().hex
        body = json.dumps({"entries": entries}, ensure_ascii=False, separators=(",", ":")).encode()
        h = self.h | {self.P.H_CHAIN: self.chain, self.P.H_CHAIN_NEXT: nxt, "Content-Type": "application/json",
                      self.P.H_SIGNATURE: sign(self, self.chain, nxt, body)}
        t0 = time.perf_counter()
        r = self.http.post(self.base + self.P.API + "/push", data=body, headers=h, timeout=30)
        took = time.perf_counter() - t0
        r.raise_for_status()
        assert all(v["status"] == "accepted" for v in r.json()["results"]), r.text[:300]
        self.chain = nxt
        return took


def _seed_town(server_db, town: str, n_cases: int) -> tuple[list[str], dict]:
    """A town with a unit, a dispatcher in the directory and cases to comment on (as the district)."""
    from server import admin, directory

    admin.add_town(server_db, town, f"负载{town}")
    directory.set_user(server_db, town, "clerk", by="bench", role="dispatcher", password="secret12", create=True)
    cases = [admin.district_assign(server_db, town, {"description": f"负载测试诉求{i}，请处理。",
                                                     "category": "C01"})["case_id"] for i in range(n_cases)]
    return cases, {"actor": "clerk", "actor_name": "clerk", "actor_role": "dispatcher", "actor_unit": None}


def load_run(base: str, server_db, towns: list[str], per_town: int, seconds: float, rate_per_town: float,
             state: dict) -> dict:
    """Every station syncs once a second; the town's pushes are spread over its stations."""
    stations = []
    for town in towns:
        if town not in state:
            state[town] = _seed_town(server_db, town, 20)
        cases, actor = state[town]
        from server import admin

        for _ in range(per_town):
            stations.append(Station(base, town, admin.enroll_code(server_db, town), cases, actor))
    for st in stations:
        st.pull()  # start from the town's head
    stop = time.monotonic() + seconds
    errors: list[str] = []
    per_station_rate = rate_per_town / per_town  # actions per second per station

    def run(st: Station, offset: float):
        time.sleep(offset)
        owed = 0.0
        while time.monotonic() < stop:
            tick = time.monotonic()
            try:
                owed += per_station_rate
                if owed >= 1:
                    n = int(owed)
                    owed -= n
                    st.push_ms.append(st.push(n))
                st.sync_ms.append(st.pull())
            except Exception as e:  # noqa: BLE001 — counted, reported
                errors.append(repr(e)[:200])
            time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))

    threads = [threading.Thread(target=run, args=(st, i / len(stations)), daemon=True)
               for i, st in enumerate(stations)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    push = [x for st in stations for x in st.push_ms]
    sync = [x for st in stations for x in st.sync_ms]
    return {"towns": len(towns), "stations": len(stations), "seconds": seconds, "pushes": len(push),
            "syncs": len(sync), "push_p50_ms": _pct(push, 0.5), "push_p99_ms": _pct(push, 0.99),
            "noop_sync_p50_ms": _pct(sync, 0.5), "noop_sync_p99_ms": _pct(sync, 0.99), "errors": len(errors),
            "first_error": errors[0] if errors else None}


def load_figures(args) -> dict:
    sys.path.insert(0, str(ROOT))
    from server import migrate
    from server.db import ServerDB
    from tests.sync.conftest import free_port

    url = new_database(args.pg)
    db = ServerDB(url)
    migrate.upgrade(db)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOWNDESK_SERVER_FAIL_LIMIT": "1000000"}
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "--db", url, "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        for _ in range(100):
            try:
                if requests.get(base + "/api/v1/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        towns = [f"T{i:02d}" for i in range(args.towns)]
        state: dict = {}
        out = {"run": load_run(base, db, towns, args.stations, args.seconds, 5.0, state)}
        log("load run", out["run"])
        if args.ceiling:
            # workstations per town, rising, until p99 of push or sync passes 500 ms (fresh stations
            # each step; the towns and their cases stay)
            steps = []
            for per_town in (1, 2, 3, 5, 7, 10, 15, 20):
                r = load_run(base, db, towns, per_town, args.seconds, 5.0, state)
                log("ceiling step", r)
                steps.append(r)
                if r["push_p99_ms"] > 500 or r["noop_sync_p99_ms"] > 500 or r["errors"]:
                    break
            out["ceiling_steps"] = steps
            ok = [s for s in steps if s["push_p99_ms"] <= 500 and s["noop_sync_p99_ms"] <= 500 and not s["errors"]]
            out["ceiling_stations"] = max((s["stations"] for s in ok), default=0)
        return out
    finally:
        proc.terminate()
        proc.wait(10)
        db.close()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["ingest", "load", "_child"])
    p.add_argument("--pg", required=True, help="PostgreSQL URL, or 'sqlite' (ingest only): a fresh SQLite file")
    p.add_argument("--baseline", help="tree of the code before these checks, e.g. /work/main")
    p.add_argument("--baseline-kind", choices=["baseline", "checked"], default="baseline",
                   help="baseline: that tree's benchmarks/sync.py ingestion; checked: that tree's own checked push")
    p.add_argument("--unsigned", action="store_true",
                   help="also this tree without the actors' signatures (the per-action check off)")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--threads", type=int, default=0,
                   help="also this tree with the signatures verified ahead in N worker threads")
    p.add_argument("--actions", type=int, default=20_000)
    p.add_argument("--cases", type=int, default=4_000)
    p.add_argument("--kind", choices=["baseline", "checked", "unsigned"])
    p.add_argument("--tree", default=str(ROOT))
    p.add_argument("--towns", type=int, default=17)
    p.add_argument("--stations", type=int, default=10)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--ceiling", action="store_true")
    args = p.parse_args()
    if args.what == "_child":
        return _child(args)
    if args.what == "ingest":
        sys.path.insert(0, str(ROOT))
        out = ingest_figures(args)
    else:
        out = load_figures(args)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
