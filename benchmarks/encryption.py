"""Encryption at rest: the same work on a plain store and on an encrypted one, in one run.

    .venv/bin/python benchmarks/encryption.py --cases 1000000 --dir /tmp/bench_enc [--reuse]

Loads the demo into both stores (timed one after the other), then measures intake, a filtered list
page, the unfiltered first page, a 2-character search and opening a case with its timeline,
alternating plain and encrypted sample by sample so that the machine's load hits both alike.
Prints one JSON object: per measure the median milliseconds of each and their ratio.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.admin import maintenance  # noqa: E402
from app.cases import intake, queries  # noqa: E402
from app.demo.loader import load_demo  # noqa: E402
from app.desk import open_desk  # noqa: E402
from app.reference.users import get_actor  # noqa: E402

MODES = ("plain", "encrypted")
SAMPLE = {"channel": "visit", "type": "help", "title": "楼上漏水邻里纠纷",
          "description": "张三反映楼上住户卫生间漏水，多次协商未果，请求社区调解。",
          "reporter": {"name": "张三", "phone": "13800001111"}, "category": "PA0101",
          "location": {"village": "V01", "grid": "V01G02", "address": "卧龙社区解放北路1号"}}


def alternate(fns: dict, repeat: int) -> dict:
    """Median wall and CPU milliseconds of each mode, samples interleaved. On a shared, loaded
    machine the wall time is mostly waiting for a core; the process CPU time is the steadier figure."""
    wall = {m: [] for m in fns}
    cpu = {m: [] for m in fns}
    for _ in range(repeat):
        for mode, fn in fns.items():
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall[mode].append((time.perf_counter() - t) * 1000)
            cpu[mode].append((time.process_time() - c) * 1000)
    out = {f"{m}_ms": round(statistics.median(s), 2) for m, s in wall.items()}
    out |= {f"{m}_cpu_ms": round(statistics.median(s), 2) for m, s in cpu.items()}
    out["ratio"] = round(out["encrypted_ms"] / out["plain_ms"], 3) if out["plain_ms"] else None
    out["cpu_ratio"] = round(out["encrypted_cpu_ms"] / out["plain_cpu_ms"], 3) if out["plain_cpu_ms"] else None
    return out


def cipher_settings(desk) -> dict:
    """What SQLCipher runs with on the store's connections (raw key: no key derivation per connection)."""
    with desk.db.connection() as conn:
        out = {}
        for name in ("cipher_version", "cipher_provider_version", "cipher_memory_security", "cipher_page_size",
                     "cipher_hmac_algorithm", "cipher_use_hmac", "cache_size", "page_size"):
            row = conn.execute(f"PRAGMA {name}").fetchall()
            out[name] = row[0][0] if row else None
    return out


def connect_cost(desk, repeat: int = 20) -> float:
    """CPU milliseconds to open a new connection with the key and read one row (median)."""
    samples = []
    for _ in range(repeat):
        c = time.process_time()
        conn = desk.db.raw()
        conn.execute("SELECT count(*) FROM meta").fetchall()
        samples.append((time.process_time() - c) * 1000)
        conn.close()
    return round(statistics.median(samples), 3)


def scan_per_page(desk, pages: int | None = None, repeat: int = 5) -> dict:
    """A full scan of ``case_actions`` through a 1 MB page cache (the file itself in the OS cache):
    CPU per database page read. Plain minus encrypted is what decrypting and authenticating a page
    costs. SQLCipher has no ``dbstat`` table: the encrypted store is given the plain store's page
    count (the two demo stores hold the same amount of data within a few per cent)."""
    samples = []
    with desk.db.connection() as conn:
        if pages is None and _has_dbstat(conn):
            pages = conn.execute("SELECT count(*) FROM dbstat WHERE name = 'case_actions'").fetchone()[0]
        conn.execute("PRAGMA cache_size=-1024")
        try:
            for _ in range(repeat):
                c = time.process_time()
                conn.execute("SELECT count(*), sum(length(payload)) FROM case_actions").fetchall()
                samples.append(time.process_time() - c)
        finally:
            conn.execute("PRAGMA cache_size=-65536")
    if pages is None:
        pages = _table_pages(desk)
    return {"pages": pages, "cpu_ms": round(statistics.median(samples) * 1000, 1),
            "us_per_page": round(statistics.median(samples) * 1e6 / max(pages, 1), 2)}


def _has_dbstat(conn) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1").fetchall()
        return True
    except Exception:  # noqa: BLE001 — SQLite built without the dbstat table
        return False


def _table_pages(desk) -> int:
    """Without dbstat: the file's pages (an upper bound for one table)."""
    return desk.db.path.stat().st_size // 4096


def pages_written_per_intake(desk, clerk, repeat: int = 10) -> float:
    """WAL frames (pages) one intake commits: the WAL is checkpointed and emptied before each one."""
    frames = []
    with desk.db.connection() as conn:
        for _ in range(repeat):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            intake.take_in(desk, clerk, SAMPLE)
            frames.append(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    return statistics.median(frames)


def cpu_total() -> float:
    """User + system CPU seconds of this process and its reaped children (the demo's generators)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def note(out: dict, key: str, value) -> None:
    """Record a figure and print it at once (a long run keeps what it measured)."""
    out[key] = value
    print(json.dumps({key: value}, ensure_ascii=False), file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--dir", default="/tmp/bench_enc")
    ap.add_argument("--reuse", action="store_true", help="keep stores already loaded with --cases")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    base = Path(args.dir)
    out: dict = {"cases": args.cases}
    desks = {}
    for mode in MODES:
        root = base / mode
        if not args.reuse and root.exists():
            shutil.rmtree(root)
        desk = open_desk(root, encrypt=(mode == "encrypted"))
        assert (desk.db.key is not None) == (mode == "encrypted")
        if desk.meta("town_code") is None:
            t, c = time.perf_counter(), cpu_total()
            load_demo(desk, args.cases)
            note(out, f"demo_{mode}_s", round(time.perf_counter() - t, 1))
            note(out, f"demo_{mode}_cpu_s", round(cpu_total() - c, 1))
        out[f"store_{mode}_mb"] = round((root / "towndesk.sqlite3").stat().st_size / 2**20)
        desks[mode] = desk
    if "demo_plain_s" in out and "demo_encrypted_s" in out:
        out["demo_ratio"] = round(out["demo_encrypted_s"] / out["demo_plain_s"], 3)
        out["demo_cpu_ratio"] = round(out["demo_encrypted_cpu_s"] / out["demo_plain_cpu_s"], 3)
    clerks = {m: get_actor(d, "intake") for m, d in desks.items()}
    filters = {"state": "in_progress", "village": "V03"}
    nos = {m: queries.list_cases(d, None, filters, "received_desc", 50)["items"][0]["case_no"]
           for m, d in desks.items()}

    def each(fn):
        return {m: (lambda m=m: fn(m, desks[m])) for m in MODES}

    note(out, "intake_one_case", alternate(each(lambda m, d: intake.take_in(d, clerks[m], SAMPLE)), args.repeat))
    note(out, "list_first_page_filtered", alternate(
        each(lambda m, d: queries.list_cases(d, None, filters, "received_desc", 50)), args.repeat))
    note(out, "list_first_page_unfiltered", alternate(
        each(lambda m, d: queries.list_cases(d, None, {}, "received_desc", 50)), args.repeat))
    note(out, "search_two_chars", alternate(each(lambda m, d: queries.list_cases(d, None, {"q": "漏水"}, limit=50)),
                                              args.repeat))
    note(out, "search_name", alternate(each(lambda m, d: queries.list_cases(d, None, {"q": "张三"}, limit=50)),
                                         args.repeat))
    note(out, "open_case_with_timeline", alternate(each(lambda m, d: queries.show_case(d, clerks[m], nos[m])),
                                                     args.repeat))
    out["cipher"] = cipher_settings(desks["encrypted"])
    out["connect_cpu_ms"] = {m: connect_cost(d) for m, d in desks.items()}
    scans = {"plain": scan_per_page(desks["plain"])}
    scans["encrypted"] = scan_per_page(desks["encrypted"], scans["plain"]["pages"])
    scans["decrypt_us_per_page"] = round(scans["encrypted"]["us_per_page"] - scans["plain"]["us_per_page"], 2)
    note(out, "scan_case_actions", scans)
    note(out, "intake_pages_written", {m: pages_written_per_intake(d, clerks[m]) for m, d in desks.items()})
    t = time.perf_counter()
    maintenance.backup(desks["encrypted"], base / "backup.tdbak")
    out["backup_encrypted_s"] = round(time.perf_counter() - t, 1)
    (base / "backup.tdbak").unlink(missing_ok=True)
    for d in desks.values():
        d.close()
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
