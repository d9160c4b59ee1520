"""Before/after in one run: the foundation figures of two checkouts, measured interleaved.

    .venv/bin/python benchmarks/compare.py --before /path/to/old/checkout [--after DIR]
        [--cases 200000] [--demo-cases 200000] [--rounds 3] [--store-dir DIR]

The issue's acceptance ("intake, list, search, open case and the 1M demo measured before and
after in one run; no figure worse by more than 10 %") on a shared, noisy machine: absolute
figures drift with the other engineers' load, so only ratios measured in the same run count.

How:
- Every measurement runs in a child process ``python -P compare.py _probe ...`` with
  ``PYTHONPATH=<checkout>``, so the child imports that checkout's own ``app`` (checked); the probe
  tries the area-package layout (app.cases, app.desk, ...) and falls back to app.services.*.
- One demo store of ``--cases`` cases is built per checkout, each with its own code (reused from
  ``--store-dir`` when it holds one of that size). Then R rounds: each round starts one child per
  checkout with its store open, and the parent alternates them in small batches (``--batch``
  calls on before, the same on after, before, ...) through intake (50 cases), list pages, search
  and opening the case with the longest timeline (``--repeat`` calls per figure and side, after
  one uncounted warm-up call per child), so a burst of someone else's load hits both sides alike;
  then the CLI start-up (``case list --limit 1 --json``), ``--cli-runs`` fresh interpreters per
  checkout, alternating. Intake writes the same cases into both stores, so they stay alike.
- Then the demo generation of ``--demo-cases`` cases into a fresh directory, alternating before and
  after, ``--demo-rounds`` times each (default: R up to 200k cases, once each above).
- Each figure: the before and after medians over all rounds' samples, and the ratio after /
  before as the median of paired ratios (each batch of before calls against the batch of after
  calls run right after it; each CLI run and each demo run against the other side's next one);
  verdict "ok" when that ratio is at most 1.10. Shown alongside: the ratio of the two medians,
  per-round ratios and medians, and the same paired ratio of CPU time.

Bytecode goes to a cache under the work directory for both checkouts (PYTHONPYCACHEPREFIX), so
neither checkout is written to and both start with the same cache state (warmed before timing).
Prints one JSON object on stdout; progress goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve()
THRESHOLD = 1.10
DB_FILE = "towndesk.sqlite3"
INFO_FILE = "compare-store.json"

SAMPLE_CASE = {"channel": "visit", "type": "help", "title": "楼上漏水邻里纠纷",
               "description": "张三反映楼上住户卫生间漏水，多次协商未果，请求社区调解。",
               "reporter": {"name": "张三", "phone": "13800001111"}, "category": "PA0101",
               "location": {"village": "V01", "grid": "V01G02", "address": "卧龙社区解放北路1号"}}
LIST_FILTER = {"state": "in_progress", "village": "V03"}
NAME_QUERY = "王伟"     # a 2-character name from the demo's surnames x given names
PHONE_QUERY = "5678"    # a phone fragment (4 digits: 3 bigrams matched as a phrase)

# name -> (unit, what); the order is the order of the output
FIGURES = {
    "intake_one_case": ("ms", "take_in of one case (validation, repeat check, numbering, routing, FTS, audit)"),
    "list_first_page": ("ms", "queries.list_cases, no filter, received_desc, 50 with total"),
    "list_filtered_page": ("ms", "queries.list_cases state=in_progress village=V03, 50 with total"),
    "list_window_first_page": ("ms", "caselist.first_page, no filter (the window's table), 100 with total"),
    "search_name": ("ms", f"list_cases q={NAME_QUERY} (2-character name), 50 with total"),
    "search_phone": ("ms", f"list_cases q={PHONE_QUERY} (phone fragment), 50 with total"),
    "open_case": ("ms", "queries.show_case of the case with the longest timeline"),
    "cli_case_list_startup": ("ms", "fresh interpreter: app.cli.main(['case','list','--limit','1','--json'])"),
    "demo_generate": ("s", "open_desk + load_demo(--demo-cases) into an empty directory"),
}


# ---------------------------------------------------------------- probe (runs in the child)

def _app_modules(root: str) -> dict:
    """The checkout's modules, new layout first, old one second; checks they come from ``root``."""
    import app

    where = Path(app.__file__).resolve()
    if not where.is_relative_to(Path(root).resolve()):
        raise SystemExit(f"probe: app imported from {where}, not from {root} (check PYTHONPATH/-P)")
    try:
        from app.cases import caselist, intake, queries
        from app.demo.loader import load_demo
        from app.desk import open_desk
        from app.reference.users import get_actor
        layout = "areas"
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("app."):
            raise
        from app.services import caselist, intake, queries
        from app.services.auth import get_actor
        from app.services.demo import load_demo
        from app.services.desk import open_desk
        layout = "services"
    return {"layout": layout, "caselist": caselist, "intake": intake, "queries": queries,
            "load_demo": load_demo, "open_desk": open_desk, "get_actor": get_actor}


def _cpu_s() -> float:
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _store_facts(store: Path) -> dict:
    import sqlite3

    con = sqlite3.connect(f"file:{store / DB_FILE}?mode=ro", uri=True)
    try:
        cases = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        actions = con.execute("SELECT count(*) FROM case_actions").fetchone()[0]
        rev = con.execute("SELECT group_concat(version_num) FROM alembic_version").fetchone()[0]
        # the longest timeline; ties broken by case number, so both stores usually pick the same case
        case_no, timeline = con.execute(
            "SELECT c.case_no, count(*) AS n FROM case_actions a JOIN cases c ON c.id = a.case_id "
            "GROUP BY a.case_id ORDER BY n DESC, c.case_no LIMIT 1").fetchone()
    finally:
        con.close()
    return {"cases": cases, "actions": actions, "schema_revision": rev, "long_case": case_no,
            "long_case_actions": timeline, "mb": round((store / DB_FILE).stat().st_size / 2**20)}


def _timed(fn, repeat: int) -> dict:
    wall, cpu = [], []
    for _ in range(repeat):
        c, t = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"wall": wall, "cpu": cpu}


def probe(spec: dict) -> dict:
    m = _app_modules(spec["root"])
    out: dict = {"layout": m["layout"], "pid": os.getpid()}
    store = Path(spec["store"])
    if spec["op"] == "build":
        t, c = time.perf_counter(), _cpu_s()
        desk = m["open_desk"](store)
        try:
            if desk.meta("town_code") is None:
                m["load_demo"](desk, spec["cases"])
                out["build_s"] = round(time.perf_counter() - t, 1)
                out["build_cpu_s"] = round(_cpu_s() - c, 1)
        finally:
            desk.close()
        out.update(_store_facts(store))
    elif spec["op"] == "demo":
        t, c = time.perf_counter(), _cpu_s()
        desk = m["open_desk"](store)
        try:
            m["load_demo"](desk, spec["cases"])
        finally:
            desk.close()
        out["wall"] = [time.perf_counter() - t]
        out["cpu"] = [_cpu_s() - c]
    else:
        raise SystemExit(f"probe: unknown op {spec['op']}")
    return out


def serve(spec: dict) -> None:
    """Measure on request: one JSON command a line on stdin ({"run": figure, "n": calls} or
    {"checks": true}), one JSON answer a line on the original stdout; the app's own output, if
    any, goes to stderr. The store stays open between commands, so the parent can alternate small
    batches between the two checkouts' children."""
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    m = _app_modules(spec["root"])
    q, cl = m["queries"], m["caselist"]
    desk = m["open_desk"](Path(spec["store"]))
    clerk = m["get_actor"](desk, "intake")
    no = spec["long_case"]
    calls = {
        "list_first_page": lambda: q.list_cases(desk, None, {}, "received_desc", 50),
        "list_filtered_page": lambda: q.list_cases(desk, None, LIST_FILTER, "received_desc", 50),
        "list_window_first_page": lambda: cl.first_page(desk, None, {}, "received_desc", 100),
        "search_name": lambda: q.list_cases(desk, None, {"q": NAME_QUERY}, limit=50),
        "search_phone": lambda: q.list_cases(desk, None, {"q": PHONE_QUERY}, limit=50),
        "open_case": lambda: q.show_case(desk, clerk, no),
        # writes: the same cases go into both stores, so they stay alike
        "intake_one_case": lambda: m["intake"].take_in(desk, clerk, SAMPLE_CASE),
    }
    warmed: set = set()
    answers.write(json.dumps({"ready": True, "layout": m["layout"], "pid": os.getpid()}) + "\n")
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            if cmd.get("checks"):
                out = {"filtered_total": q.list_cases(desk, None, LIST_FILTER, "received_desc", 1)["total"],
                       "name_hits": q.list_cases(desk, None, {"q": NAME_QUERY}, limit=1)["total"],
                       "phone_hits": q.list_cases(desk, None, {"q": PHONE_QUERY}, limit=1)["total"],
                       "long_case_actions": len(q.show_case(desk, clerk, no)["actions"]),
                       "cases": q.list_cases(desk, None, {}, limit=1)["total"]}
            elif cmd.get("quit"):
                break
            else:
                fn = calls[cmd["run"]]
                if cmd["run"] not in warmed:  # first call of a figure in this process: not counted
                    fn()
                    warmed.add(cmd["run"])
                out = _timed(fn, cmd["n"])
            answers.write(json.dumps(out) + "\n")
    finally:
        desk.close()


def probe_main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    if spec["op"] == "serve":
        serve(spec)
        return
    result = probe(spec)
    Path(spec["result"]).write_text(json.dumps(result, ensure_ascii=False))


# ---------------------------------------------------------------- driver (the parent)

class Side:
    def __init__(self, label: str, root: Path, work: Path):
        self.label, self.root = label, root
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONHOME", "TOWNDESK_HOME")}
        self.env["PYTHONPATH"] = str(root)
        self.env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        self.commit = _git(root, "rev-parse", "HEAD")
        self.dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no"))


def _git(root: Path, *args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def log(msg: str) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"[{time.strftime('%H:%M:%S')} load {load}] {msg}", file=sys.stderr, flush=True)


def run_probe(side: Side, work: Path, spec: dict) -> dict:
    result = work / f"result-{side.label}.json"
    result.unlink(missing_ok=True)
    spec = {**spec, "root": str(side.root), "result": str(result)}
    cmd = [sys.executable, "-P", str(HERE), "_probe", json.dumps(spec, ensure_ascii=False)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=side.env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0 or not result.exists():
        raise SystemExit(f"{side.label} probe {spec['op']} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(result.read_text())
    out["child_wall_s"] = round(time.perf_counter() - t, 2)
    return out


class Server:
    """A ``serve`` child of one checkout, its store open, answering measurement requests."""

    def __init__(self, side: Side, work: Path, store: Path, long_case: str):
        spec = {"op": "serve", "root": str(side.root), "store": str(store), "long_case": long_case}
        self.side = side
        self.err = open(work / f"serve-{side.label}.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-P", str(HERE), "_probe", json.dumps(spec)],
                                     env=side.env, cwd=work, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, encoding="utf-8", bufsize=1)
        self.ready = self._answer()

    def _answer(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            self.err.flush()
            tail = Path(self.err.name).read_text()[-3000:]
            raise SystemExit(f"{self.side.label} measuring child died (exit {self.proc.returncode}):\n{tail}")
        return json.loads(line)

    def ask(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"quit": True}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.err.close()


def cli_once(side: Side, work: Path, store: Path) -> float:
    argv = ["--data-dir", str(store), "case", "list", "--limit", "1", "--json"]
    code = f"import sys; from app.cli import main; sys.exit(main({argv!r}))"
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-P", "-c", code], env=side.env, cwd=work,
                          capture_output=True, text=True)
    ms = (time.perf_counter() - t) * 1000
    if proc.returncode != 0 or '"items"' not in proc.stdout:
        raise SystemExit(f"{side.label} CLI failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return ms


def prepare_store(side: Side, work: Path, store: Path, cases: int) -> dict:
    info_path = store / INFO_FILE
    if info_path.exists():
        info = json.loads(info_path.read_text())
        if info.get("built_cases") != cases:
            raise SystemExit(f"{store} holds a {info.get('built_cases')}-case store, not {cases}: "
                             "use another --store-dir or delete it")
        if info.get("built_by_commit") != side.commit:
            log(f"note: {store} was built by {info.get('built_by')} @ {info.get('built_by_commit', '?')[:12]}")
        log(f"{side.label}: reusing {store}")
        facts = run_probe(side, work, {"op": "build", "store": str(store), "cases": cases})
        return {**info, **facts, "reused": True}
    if store.exists() and any(store.iterdir()):
        raise SystemExit(f"{store} exists but has no {INFO_FILE}: not a store made by this script")
    log(f"{side.label}: building a {cases}-case store in {store} with {side.root}")
    facts = run_probe(side, work, {"op": "build", "store": str(store), "cases": cases})
    info = {"built_cases": cases, "built_by": str(side.root), "built_by_commit": side.commit,
            "build_s": facts.get("build_s"), "build_cpu_s": facts.get("build_cpu_s"),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    info_path.write_text(json.dumps(info, indent=2))
    return {**info, **facts, "reused": False}


def _med(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _r(x: float | None, unit: str) -> float | None:
    return None if x is None else round(x, 2 if unit == "ms" else 1)


def order(i: int) -> tuple[str, str]:
    """Which side goes first in the i-th pair: before-after, after-before, ... (ABBA), so a load
    that rises or falls over the run does not favour the side that always goes second."""
    return ("before", "after") if i % 2 == 0 else ("after", "before")


def summarise(samples: dict) -> dict:
    """samples[name] = {"before": [per round {"wall": [...], "cpu": [...]}], "after": [...],
    "pairs": [(before, after) wall medians of two adjacent batches, and the same for CPU]}"""
    out = {}
    for name, (unit, what) in FIGURES.items():
        if name not in samples:
            continue
        per = samples[name]
        b_wall = [x for rnd in per["before"] for x in rnd["wall"]]
        a_wall = [x for rnd in per["after"] for x in rnd["wall"]]
        b, a = _med(b_wall), _med(a_wall)
        # The verdict's ratio is paired: each batch of before calls with the batch of after calls
        # run right after it (a CLI run with the next one, a demo run with the next one). Load from
        # other processes changes over seconds, so it hits both halves of a pair alike; the ratio
        # of the pooled medians is shown too, but it jumps when the load shifts between rounds.
        pair_ratios = [pa / pb for pb, pa, *_ in per["pairs"] if pb]
        ratio = round(statistics.median(pair_ratios), 3) if pair_ratios else None
        fig = {"what": what, "unit": unit, "before": _r(b, unit), "after": _r(a, unit), "ratio": ratio,
               "verdict": "ok" if ratio is not None and ratio <= THRESHOLD else "WORSE",
               "ratio_of_medians": round(a / b, 3) if a is not None and b else None,
               "round_ratios": [round(_med(ra["wall"]) / _med(rb["wall"]), 3)
                                for rb, ra in zip(per["before"], per["after"], strict=True)],
               "round_medians": {k: [_r(_med(rnd["wall"]), unit) for rnd in per[k]] for k in ("before", "after")},
               "samples_per_side": len(b_wall), "pairs": len(pair_ratios)}
        cpu_ratios = [pa / pb for _, _, pb, pa in per["pairs"] if pb and pa is not None]
        if cpu_ratios:
            b_cpu = [x for rnd in per["before"] for x in rnd.get("cpu", [])]
            a_cpu = [x for rnd in per["after"] for x in rnd.get("cpu", [])]
            fig["cpu_before"], fig["cpu_after"] = _r(_med(b_cpu), unit), _r(_med(a_cpu), unit)
            fig["cpu_ratio"] = round(statistics.median(cpu_ratios), 3)
            fig["cpu_verdict"] = "ok" if fig["cpu_ratio"] <= THRESHOLD else "WORSE"
        out[name] = fig
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_probe"]:
        probe_main(argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, type=Path, help="checkout measured as 'before' (required)")
    ap.add_argument("--after", type=Path, default=HERE.parents[1],
                    help="checkout measured as 'after' (default: the one this script is in)")
    ap.add_argument("--cases", type=int, default=200_000, help="store size for the query figures")
    ap.add_argument("--demo-cases", type=int, default=200_000,
                    help="cases for the demo-generation figure (e.g. 1000000; 0 skips it)")
    ap.add_argument("--rounds", type=int, default=3, help="before/after rounds of the query figures")
    ap.add_argument("--demo-rounds", type=int,
                    help="demo generations per checkout (default: --rounds up to 200k cases, else 1)")
    ap.add_argument("--repeat", type=int, default=20, help="calls per query figure per round")
    ap.add_argument("--intakes", type=int, default=50, help="intakes per round")
    ap.add_argument("--batch", type=int, default=5,
                    help="calls in a row on one side before switching to the other (default 5)")
    ap.add_argument("--cli-runs", type=int, default=5, help="CLI start-ups per checkout per round")
    ap.add_argument("--store-dir", type=Path,
                    help="keep the two stores here (before/, after/) and reuse them next time; "
                         "default: a temporary directory, removed at the end")
    args = ap.parse_args(argv)
    before, after = args.before.resolve(), args.after.resolve()
    for d in (before, after):
        if not (d / "app" / "__init__.py").exists():
            ap.error(f"{d} is not a towndesk checkout (no app/__init__.py)")
    if before == after:
        ap.error("--before and --after are the same directory")
    demo_rounds = args.demo_rounds if args.demo_rounds is not None else (
        args.rounds if args.demo_cases <= 200_000 else 1)

    started = time.perf_counter()
    load_start = os.getloadavg()
    temp = args.store_dir is None
    work = Path(tempfile.mkdtemp(prefix="towndesk-compare-")) if temp else args.store_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    sides = {"before": Side("before", before, work), "after": Side("after", after, work)}
    result: dict = {
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "cpus": os.cpu_count(),
        "sizes": {"cases": args.cases, "demo_cases": args.demo_cases, "rounds": args.rounds,
                  "demo_rounds": demo_rounds if args.demo_cases else 0, "repeat": args.repeat,
                  "intakes": args.intakes, "batch": args.batch, "cli_runs": args.cli_runs},
        "checkouts": {k: {"dir": str(s.root), "commit": s.commit, "uncommitted_changes": s.dirty}
                      for k, s in sides.items()},
        "load_average": {"start": [round(x, 2) for x in load_start]},
    }
    samples: dict = {name: {"before": [], "after": [], "pairs": []} for name in FIGURES}
    rounds_load = []
    try:
        stores = {k: work / k for k in sides}
        result["stores"] = {k: prepare_store(s, work, stores[k], args.cases) for k, s in sides.items()}
        for k in sides:
            result["checkouts"][k]["layout"] = result["stores"][k]["layout"]
        if len({st["schema_revision"] for st in result["stores"].values()}) != 1:
            log("warning: the two stores have different schema revisions")
        # warm the bytecode cache (and the OS page cache) for both, not timed
        for k, s in sides.items():
            cli_once(s, work, stores[k])
        checks: dict = {"before": [], "after": []}
        query_figures = [n for n in FIGURES if n not in ("cli_case_list_startup", "demo_generate")]
        for rnd in range(1, args.rounds + 1):
            rounds_load.append([round(x, 2) for x in os.getloadavg()])
            log(f"round {rnd}/{args.rounds}: queries and intake, batches of {args.batch} alternating")
            servers = {}
            try:
                for k, s in sides.items():
                    servers[k] = Server(s, work, stores[k], result["stores"][k]["long_case"])
                for name in query_figures:
                    total = args.intakes if name == "intake_one_case" else args.repeat
                    got = {k: {"wall": [], "cpu": []} for k in sides}
                    done = 0
                    while done < total:
                        n = min(args.batch, total - done)
                        batch = {k: servers[k].ask(run=name, n=n) for k in order(done // args.batch)}
                        for k in sides:
                            got[k]["wall"] += batch[k]["wall"]
                            got[k]["cpu"] += batch[k]["cpu"]
                        samples[name]["pairs"].append(
                            tuple(_med(batch[k][m]) for m in ("wall", "cpu") for k in sides))
                        done += n
                    for k in sides:
                        samples[name][k].append(got[k])
                for k in sides:
                    checks[k].append(servers[k].ask(checks=True))
            finally:
                for srv in servers.values():
                    srv.close()
            log(f"round {rnd}/{args.rounds}: CLI start-up x{args.cli_runs}, alternating")
            cli = {"before": [], "after": []}
            for i in range(args.cli_runs):
                for k in order(i):
                    cli[k].append(cli_once(sides[k], work, stores[k]))
                samples["cli_case_list_startup"]["pairs"].append((cli["before"][-1], cli["after"][-1], None, None))
            for k in sides:
                samples["cli_case_list_startup"][k].append({"wall": cli[k]})
        result["checks"] = checks
        if args.demo_cases and demo_rounds:
            for rnd in range(1, demo_rounds + 1):
                rounds_load.append([round(x, 2) for x in os.getloadavg()])
                pair = {}
                for k in order(rnd - 1):
                    s = sides[k]
                    target = work / f"demo-{k}"
                    shutil.rmtree(target, ignore_errors=True)
                    log(f"demo {rnd}/{demo_rounds}: {k} generating {args.demo_cases} cases")
                    out = run_probe(s, work, {"op": "demo", "store": str(target), "cases": args.demo_cases})
                    samples["demo_generate"][k].append({"wall": out["wall"], "cpu": out["cpu"]})
                    pair[k] = out
                    shutil.rmtree(target, ignore_errors=True)
                    os.sync()  # the deleted store's write-back must not land in the next run
                samples["demo_generate"]["pairs"].append(
                    tuple(pair[k][m][0] for m in ("wall", "cpu") for k in sides))
        else:
            del samples["demo_generate"]
    finally:
        if temp:
            shutil.rmtree(work, ignore_errors=True)
    figures = summarise(samples)
    worse = [name for name, f in figures.items() if f["verdict"] != "ok"]
    result["figures"] = figures
    result["verdict"] = "ok" if not worse else "worse: " + ", ".join(worse)
    result["load_average"]["per_round"] = rounds_load
    result["load_average"]["end"] = [round(x, 2) for x in os.getloadavg()]
    result["elapsed_s"] = round(time.perf_counter() - started)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
