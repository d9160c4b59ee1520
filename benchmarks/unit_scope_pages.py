"""Pull page and snapshot cost for a town device vs a unit device (server/scope.py), in-process, SQLite.

Usage: PYTHONPATH=. python benchmarks/unit_scope_pages.py N_CASES [DB_PREFIX] (a fresh prefix per run)."""
import json
import sys
import time
from datetime import UTC, datetime, timedelta

from server import admin, changes, migrate, snapshot
from server.db import ServerDB
from server.ingest import ingest_as_district

N = int(sys.argv[1])
PREFIX = sys.argv[2] if len(sys.argv) > 2 else "/tmp/unit_scope_bench"
db = ServerDB(f"sqlite:///{PREFIX}-{N}.sqlite3")
migrate.upgrade(db)
admin.add_town(db, "FS", "府山街道")
at = datetime.now(UTC)
due = (at + timedelta(days=5)).isoformat()
for start in range(0, N, 250):
    entries = []
    for i in range(start, min(N, start + 250)):
        e = admin._district_entry("intake", at, {"case_no": f"FS-20261206-D0-{i + 1:04d}", "town": "FS", "channel": "district_assign",
            "type": "help", "title": f"案件{i}", "description": "测试诉求内容足够长", "reporter_name": None, "reporter_phone": None,
            "reporter_id_no": None, "anonymous": True, "persons": 1, "category": "PA0101", "village": None, "grid": None,
            "address": None, "urgency": "normal", "major": False})
        entries.append(e)
        entries.append(admin._district_entry("dispatch", at, {"unit": f"D{i % 10 + 1:02d}", "co_units": [], "due_at": due},
                                             e.payload["case_id"]))
    v = ingest_as_district(db, "FS", entries)
    assert all(x.status == "accepted" for x in v), [x for x in v if x.status != "accepted"][:1]

def pages(unit):
    after, n, t0, c0 = 0, 0, time.perf_counter(), time.process_time()
    while True:
        p = json.loads(changes.page_json(db, "FS", after, 1000, unit))
        n += len(p["changes"])
        after = p["next"]
        if not p["more"]:
            return n, round(time.perf_counter() - t0, 3), round(time.process_time() - c0, 3)

def snap(unit):
    t0, c0 = time.perf_counter(), time.process_time()
    b = sum(len(x) for x in snapshot.lines(db, "FS", unit))
    return b, round(time.perf_counter() - t0, 3), round(time.process_time() - c0, 3)

for label, unit in (("town", None), ("unit D01", "D01"), ("town again", None), ("unit D01 again", "D01")):
    print(label, "pages (changes, wall s, cpu s):", pages(unit), "snapshot (bytes, wall s, cpu s):", snap(unit))
