"""``towndesk demo``: the demo town 府山街道 (sample data) and generated sample cases."""
from __future__ import annotations

import gc
import multiprocessing
import os
import random
import time
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from app.admin.setup import init_store
from app.demo.emergency import load_prepared_lists
from app.demo.generator import DemoGenerator
from app.desk import Desk
from app.domain.calendar import WorkCalendar
from app.domain.ids import case_no as make_case_no
from app.domain.timezone import LOCAL_TZ
from app.grids.roster import seed_demo_admissions, with_full_roster
from app.reference.records import load_reference, read_json
from app.store import bulk, facts, search
from app.store.audit import audit
from app.store.models import CaseCounter

BATCH = 5000
BULK_INDEX_THRESHOLD = 50_000


def load_demo(desk: Desk, cases: int = 300, seed: int = 20261127, progress=None, cancel=None) -> dict:
    """Load the demo town (idempotent) and add ``cases`` sample cases over the past 60 days."""
    started = time.perf_counter()
    town = read_json("demo_town.json")
    town["mediators"] = read_json("demo_mediators.json")["mediators"]  # 矛盾调处的调解员
    town = with_full_roster(town)  # 一网格: 一长三员 for every grid, 微网格长, 联络员 (app/grids/roster.py)
    if desk.meta("town_code") is None:
        init_store(desk, town["town"]["code"], town["town"]["name"], "01", reference=town)
    elif desk.meta("town_code") == town["town"]["code"]:
        with desk.db.tx() as s:
            load_reference(s, desk.now(), town)
        desk.invalidate()
    load_prepared_lists(desk, town)  # 平战转换: people to move and emergency teams per 村社
    with desk.db.tx() as s:  # 一网格: the demo's 网格事项准入清单
        seed_demo_admissions(s, desk.now())
    added = generate_cases(desk, cases, seed, town, progress, cancel) if cases else 0
    if added:  # derive the indicator facts now, so the first dashboard does not wait for them
        with desk.db.tx() as s:
            facts.rebuild(desk, s, desk.now())
    return {"town": desk.town_code, "town_name": desk.meta("town_name"), "cases": added,
            "users": [u["username"] for u in town["users"]], "seconds": round(time.perf_counter() - started, 1),
            "notice": town.get("notice")}


def generate_cases(desk: Desk, n: int, seed: int, town: dict, progress=None, cancel=None) -> int:
    """Generate ``n`` cases; large runs generate in worker processes while this one writes."""
    now = desk.now()
    with desk.db.read() as s:
        counters = defaultdict(int, {c.day: c.last for c in s.scalars(select(CaseCounter))})
    # Received times spread over the past 60 days, mostly in office hours; numbers in time order.
    r = random.Random(seed)
    times = sorted(_office_hours(now - timedelta(days=60 * r.random() ** 1.15), r, now) for _ in range(n))
    numbered = []
    for t in times:
        day = t.astimezone(LOCAL_TZ).date()
        counters[f"{day:%Y%m%d}"] += 1
        numbered.append((t, make_case_no(desk.town_code, day, desk.workstation, counters[f"{day:%Y%m%d}"])))
    chunks = [(i // BATCH, numbered[i:i + BATCH]) for i in range(0, n, BATCH)]
    setup = {"refs": desk.refs(), "overrides": desk.calendar().overrides, "town": town, "now": now, "seed": seed,
             "workstation": desk.workstation, "town_code": desk.town_code, "device": desk.device_id,
             "yellow": (desk.setting("yellow_days"), desk.setting("yellow_fraction"))}
    done = 0
    raw = desk.db.engine.raw_connection()
    pool = None
    try:
        conn = raw.driver_connection
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA foreign_keys=OFF")  # generated rows are consistent; `check` verifies
        if n >= BULK_INDEX_THRESHOLD:  # building indexes once, sorted, beats maintaining them per row
            bulk.drop_secondary_indexes(conn)
        if n > 4 * BATCH and (os.cpu_count() or 1) > 1:
            pool = multiprocessing.get_context("spawn" if os.name == "nt" else "fork").Pool(
                max(1, min(4, (os.cpu_count() or 2))), initializer=_init_pool_worker, initargs=(setup,))
            results = pool.imap(_generate_chunk, chunks)
        else:
            _init_worker(setup)
            results = map(_generate_chunk, chunks)
        for cases, actions, docs in results:
            if cancel is not None and cancel.is_set():
                break
            conn.execute("BEGIN")
            bulk.insert_batch(conn, cases, actions, docs)
            conn.executemany("INSERT OR REPLACE INTO case_counters(day, last) VALUES (?, ?)",
                             list(counters.items()))
            conn.execute("COMMIT")
            done += len(cases)
            if progress:
                progress(done, n)
    finally:
        if pool is not None:
            pool.terminate()
        bulk.restore_indexes(raw.driver_connection)
        raw.driver_connection.execute("PRAGMA synchronous=NORMAL")
        raw.driver_connection.execute("PRAGMA foreign_keys=ON")
        raw.close()
    with desk.db.tx() as s:
        audit(s, desk, "admin", "demo.generate", None, {"cases": done, "seed": seed})
    return done


_worker: dict = {}


def _init_pool_worker(setup: dict) -> None:
    """A generator process: no cyclic garbage collection. A chunk's rows live until they are sent
    to the writer, so the collector kept walking them (200k demo: 54.8 s -> 43.1 s without it);
    generating makes no reference cycles (a test checks), so reference counting frees it all."""
    gc.disable()
    _init_worker(setup)


def _init_worker(setup: dict) -> None:
    _worker.clear()
    _worker.update(setup)
    # One generator per process, so its route and deadline caches live across chunks.
    _worker["gen"] = DemoGenerator(setup["refs"], read_json("demo_text.json"), setup["town"],
                                   WorkCalendar(setup["overrides"]), setup["now"], setup["seed"],
                                   setup["workstation"], setup["town_code"], *setup["yellow"])


def _generate_chunk(chunk) -> tuple[list, list, list]:
    """Generate one chunk of cases (in a worker process or inline): rows, actions, FTS documents."""
    index, numbered = chunk
    w = _worker
    gen = w["gen"]
    gen.reseed(w["seed"] * 1000 + index)
    cases, actions, docs = [], [], []
    for received, case_no in numbered:
        state, acts = gen.case(received, case_no)
        d = state.to_dict()
        cases.append(bulk.case_tuple(d))
        docs.append(search.document(d))
        actions.extend(bulk.action_tuple(a, w["device"]) for a in acts)
    return cases, actions, docs


def _office_hours(t, r, now):
    """Move a time into 08:00-20:00 Shanghai time (UTC+8) on the same day, not in the future."""
    hour = 0 + r.choices((8, 9, 10, 11, 13, 14, 15, 16, 17, 19), (8, 14, 14, 10, 9, 12, 12, 10, 7, 4))[0]
    local = t + timedelta(hours=8)
    moved = local.replace(hour=hour, minute=r.randint(0, 59), second=r.randint(0, 59)) - timedelta(hours=8)
    return moved if moved < now else now - timedelta(minutes=r.randint(1, 120))
