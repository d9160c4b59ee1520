"""``towndesk demo``: the demo town 府山街道 (sample data) and generated sample cases."""
from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from app.services.audit import audit
from app.services.desk import Desk
from app.services.reference import read_json
from app.services.setup import init_store
from app.store import bulk, search
from app.store.models import CaseCounter

BATCH = 5000


def load_demo(desk: Desk, cases: int = 300, seed: int = 20261127, progress=None, cancel=None) -> dict:
    """Load the demo town (idempotent) and add ``cases`` sample cases over the past 60 days."""
    started = time.perf_counter()
    town = read_json("demo_town.json")
    if desk.meta("town_code") is None:
        init_store(desk, town["town"]["code"], town["town"]["name"], "01", reference=town)
    elif desk.meta("town_code") == town["town"]["code"]:
        from app.services.reference import load_reference

        with desk.db.tx() as s:
            load_reference(s, desk.now(), town)
        desk.invalidate()
    added = generate_cases(desk, cases, seed, town, progress, cancel) if cases else 0
    return {"town": desk.town_code, "town_name": desk.meta("town_name"), "cases": added,
            "users": [u["username"] for u in town["users"]], "seconds": round(time.perf_counter() - started, 1),
            "notice": town.get("notice")}


def generate_cases(desk: Desk, n: int, seed: int, town: dict, progress=None, cancel=None) -> int:
    from app.services.demogen import DemoGenerator

    now = desk.now()
    text = read_json("demo_text.json")
    gen = DemoGenerator(desk.refs(), text, town, desk.calendar(), now, seed, desk.workstation, desk.town_code,
                        desk.setting("yellow_days"), desk.setting("yellow_fraction"))
    with desk.db.read() as s:
        counters = defaultdict(int, {c.day: c.last for c in s.scalars(select(CaseCounter))})

    def seq_for_day(day):
        key = f"{day:%Y%m%d}"
        counters[key] += 1
        return counters[key]

    # Received times spread over the past 60 days, more on working days and office hours.
    r = gen.r
    times = sorted(now - timedelta(days=60 * r.random() ** 1.15, hours=0) for _ in range(n))
    times = [_office_hours(t, r, now) for t in times]
    times.sort()
    device = desk.device_id
    raw = desk.db.engine.raw_connection()
    done = 0
    try:
        conn = raw.driver_connection
        conn.execute("PRAGMA synchronous=OFF")
        for start in range(0, n, BATCH):
            if cancel is not None and cancel.is_set():
                break
            cases, actions, docs = [], [], []
            for received in times[start:start + BATCH]:
                state, acts = gen.case(received, seq_for_day)
                d = state.to_dict()
                cases.append(bulk.case_tuple(d))
                docs.append(search.document(d))
                actions.extend(bulk.action_tuple(a, device) for a in acts)
            conn.execute("BEGIN")
            bulk.insert_batch(conn, cases, actions, docs)
            conn.executemany("INSERT OR REPLACE INTO case_counters(day, last) VALUES (?, ?)",
                             list(counters.items()))
            conn.execute("COMMIT")
            done += len(cases)
            if progress:
                progress(done, n)
        conn.execute("PRAGMA synchronous=NORMAL")
    finally:
        raw.close()
    with desk.db.tx() as s:
        audit(s, desk, "admin", "demo.generate", None, {"cases": done, "seed": seed})
    return done


def _office_hours(t, r, now):
    """Move a time into 08:00-20:00 Shanghai time (UTC+8) on the same day, not in the future."""
    hour = 0 + r.choices((8, 9, 10, 11, 13, 14, 15, 16, 17, 19), (8, 14, 14, 10, 9, 12, 12, 10, 7, 4))[0]
    local = t + timedelta(hours=8)
    moved = local.replace(hour=hour, minute=r.randint(0, 59), second=r.randint(0, 59)) - timedelta(hours=8)
    return moved if moved < now else now - timedelta(minutes=r.randint(1, 120))
