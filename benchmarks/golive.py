"""Go-live figures (issue 14): the town workbook import (500 grids, 3,000 micro-grids, 5,000 staff,
1,000 rules), its dry run, re-import (all unchanged) and export; the case export of 100k cases with
flat memory (peak RSS of an export of ~10% of the cases vs all of them, each in its own process).

    /work/main/.venv/bin/python benchmarks/golive.py --cases 100000 --store /tmp/bench_golive

Prints one JSON object. Baselines in the same run: reading the workbook (calamine, then openpyxl
read-only), and the plain ``case list`` first page for the export.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.admin.setup import init_store  # noqa: E402
from app.desk import open_desk  # noqa: E402
from app.reference import golive  # noqa: E402
from app.reference.users import get_actor  # noqa: E402
from app.reference.xlsx import read_workbook, write_workbook  # noqa: E402


def town_workbook(path: Path, villages=50, grids=500, micro=3000, staff=5000, rules=1000) -> dict:
    """A large town: ``villages`` 村社, ``grids`` 网格 (10 each), ``micro`` 微网格 (6 per grid), ``staff``
    people, 20 departments and ``rules`` lines (20 categories x ``villages`` villages)."""
    from app.reference.records import read_json

    leaves = [c for c in read_json("taxonomy.json")["categories"] if c.get("case_type")][:20]
    vs = [[f"C{i:03d}", f"第{i}村", "村" if i % 2 else "社区", 300 + i] for i in range(1, villages + 1)]
    gs = [[f"C{1 + i // (grids // villages):03d}G{i:03d}", f"网格{i}", f"C{1 + i // (grids // villages):03d}", 120]
          for i in range(grids)]
    per = micro // grids
    ms = [[f"{g[0]}M{j}", f"{g[1]}{j}号微网格", g[0], 20, f"{j}幢"] for g in gs for j in range(1, per + 1)]
    owners = [m[0] for m in ms] + [g[0] for g in gs]
    ss = [[f"S{i:05d}", f"人员{i}", f"138{i:08d}", "专职网格员" if i % 3 else "微网格长",
           owners[i % len(owners)], None] for i in range(staff)]
    units = [[f"D{i:02d}", f"部门{i}", "镇街部门", f"0575-8800{i:04d}"] for i in range(1, 21)]
    rs = []
    for k in range(rules):
        v = vs[k % villages][0]
        c = leaves[(k // villages) % len(leaves)]["code"]
        rs.append([f"R{k:05d}", c, v, None, units[k % 20][0], units[(k + 1) % 20][0], None])
    sheets = {"单位": units, "村社": vs, "网格": gs, "微网格": ms, "人员": ss, "责任清单": rs}
    from app.domain import workbook as wbk

    write_workbook(path, [(n, list(wbk.BY_NAME[n].headers), rows) for n, rows in sheets.items()])
    return {n: len(r) for n, r in sheets.items()}


def _t(fn):
    t = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - t, 3)


def bench_import(work: Path) -> dict:
    book = work / "town.xlsx"
    sizes = town_workbook(book)
    _, read_s = _t(lambda: read_workbook(book))
    from app.reference.xlsx import _read_openpyxl

    _, read_openpyxl_s = _t(lambda: _read_openpyxl(book))
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    desk = open_desk(store)
    try:
        init_store(desk, "BX", "基准镇", "01", admin_password="bench-pass-1")
        admin = get_actor(desk, None)
        dry, dry_s = _t(lambda: golive.import_workbook(desk, admin, book, dry_run=True))
        assert not dry["errors"], dry["errors"][:3]
        rep, import_s = _t(lambda: golive.import_workbook(desk, admin, book))
        again, again_s = _t(lambda: golive.import_workbook(desk, admin, book))
        assert not any(again["created"].values()) and not any(again["updated"].values())
        out, export_s = _t(lambda: golive.export_workbook(desk, admin, work / "export.xlsx"))
        back, back_s = _t(lambda: golive.import_workbook(desk, admin, work / "export.xlsx"))
        assert not any(back["created"].values()) and not any(back["updated"].values()), back
    finally:
        desk.close()
    rows = sum(sizes.values())
    return {"rows": sizes, "total_rows": rows, "read_calamine_s": read_s, "read_openpyxl_s": read_openpyxl_s,
            "dry_run_s": dry_s, "import_s": import_s, "import_rows_per_s": round(rows / import_s),
            "reimport_unchanged_s": again_s, "export_s": export_s, "export_rows": out["rows"],
            "export_reimport_unchanged_s": back_s, "import_vs_read": round(import_s / read_s, 1)}


_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})


def hwm():  # VmHWM: this process's peak RSS (ru_maxrss would carry the parent's over fork + exec)
    line = next(x for x in open("/proc/self/status") if x.startswith("VmHWM"))
    return round(int(line.split()[1]) / 1024, 1)


from app.desk import open_desk
from app.reference.users import get_actor
from app.cases.export import export_cases
from app.cases import queries
desk = open_desk({store!r})
admin = get_actor(desk, None)
filters = json.loads({filters!r})
t = time.perf_counter()
page = queries.list_cases(desk, admin, filters, "received_desc", 50)
list_s = time.perf_counter() - t
t = time.perf_counter()
out = export_cases(desk, admin, filters, {out!r})
export_s = time.perf_counter() - t
print(json.dumps({{"cases": out["cases"], "export_s": round(export_s, 2), "first_page_s": round(list_s, 3),
                  "peak_rss_mb": hwm()}}))
"""


def bench_case_export(store: Path, cases: int, work: Path) -> dict:
    from app.demo.loader import load_demo

    desk = open_desk(store)
    try:
        have = desk.meta("town_code") is not None
        if not have:
            load_demo(desk, cases, seed=14)
    finally:
        desk.close()
    out = {}
    for label, filters in (("village_V01", {"village": "V01"}), ("all", {})):
        code = _CHILD.format(root=str(ROOT), store=str(store), filters=json.dumps(filters),
                             out=str(work / f"cases_{label}.xlsx"))
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out[label] = json.loads(p.stdout.strip().splitlines()[-1])
    small, big = out["village_V01"], out["all"]
    out["cases_ratio"] = round(big["cases"] / max(1, small["cases"]), 1)
    out["rss_ratio"] = round(big["peak_rss_mb"] / small["peak_rss_mb"], 2)
    out["cases_per_s"] = round(big["cases"] / big["export_s"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--store", default="/tmp/bench_golive")
    ap.add_argument("--work", default="/tmp/bench_golive_work")
    ap.add_argument("--skip-cases", action="store_true")
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    result = {} if args.skip_import else {"import": bench_import(work)}
    if not args.skip_cases:
        result["case_export"] = bench_case_export(Path(args.store), args.cases, work)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
