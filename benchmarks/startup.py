"""Command start-up (issue 19): wall time of short CLI commands, as ratios to `python -c pass`.

    .venv/bin/python benchmarks/startup.py [--cases 10000] [--store /tmp/bench_startup] [--runs 15]
                                           [--before /path/to/another/checkout] [--bundle dist/towndesk]

Each command runs as its own process (``python -m app.cli …`` with this checkout first on
PYTHONPATH), one warm-up run first (bytecode caches), then --runs timed runs, interleaved with the
baseline so that load changes hit both alike. With --before, the same commands also run against
another source tree (e.g. ``git worktree add /tmp/before main``), in the same rounds. The store is
made once with ``towndesk demo --cases N`` and reused. With --bundle, the frozen
program's ``case list`` is timed too (what an operator's installed copy does). Prints one JSON object: median and min
wall ms per command and tree, each also as a ratio to the baseline's median, and the median CPU
time (user + system) of the process — steadier than wall time on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands(store: Path) -> dict[str, list[str]]:
    cli = ["-m", "app.cli", "--data-dir", str(store)]
    return {
        "python -c pass": ["-c", "pass"],
        "import sqlalchemy.orm": ["-c", "import sqlalchemy.orm"],
        "towndesk --version": ["-m", "app.cli", "--version"],
        "towndesk case list --limit 50 --json": [*cli, "case", "list", "--limit", "50", "--json"],
        "towndesk case show NO --json": [*cli, "case", "show", "{case_no}", "--json"],
    }


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(tree: Path, args: list[str]) -> tuple[float, float]:
    """``python ARGS`` with ``tree`` on PYTHONPATH; or, when ``tree`` is a frozen bundle folder, its
    ``towndesk`` program with the arguments after ``-m app.cli``."""
    frozen = (tree / "towndesk").is_file() and not (tree / "app").is_dir()
    if frozen:
        cmd = [str(tree / "towndesk"), *args[2:]]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    else:
        cmd = [sys.executable, *args]
        env = {**os.environ, "PYTHONPATH": str(tree)}
    cpu, t = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = (time.perf_counter() - t) * 1000
    cpu = (_children_cpu() - cpu) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {tree}:\n{proc.stderr[-2000:]}")
    return elapsed, cpu


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--store", type=Path, default=Path("/tmp/bench_startup"))
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--before", type=Path, help="another source tree to time the same commands against")
    p.add_argument("--bundle", type=Path, help="a one-folder build (dist/towndesk): time its case list too")
    args = p.parse_args()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not (args.store / "towndesk.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "app.cli", "--data-dir", str(args.store), "demo", "--cases",
                        str(args.cases)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    listing = json.loads(subprocess.run(
        [sys.executable, "-m", "app.cli", "--data-dir", str(args.store), "case", "list", "--limit", "1", "--json"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout)
    case_no = listing["items"][0]["case_no"]
    cmds = {name: [a.replace("{case_no}", case_no) for a in argv] for name, argv in commands(args.store).items()}
    trees = {"this": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    if args.bundle:
        trees["bundle"] = args.bundle.resolve()

    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    def wanted(label: str, name: str) -> bool:
        if name in ("python -c pass", "import sqlalchemy.orm"):
            return label == "this"  # the same for every tree
        return label != "bundle" or name.startswith("towndesk ")

    for label, tree in trees.items():  # warm-up: bytecode caches, page cache
        for name, argv in cmds.items():
            if wanted(label, name):
                run_once(tree, argv)
    for _ in range(args.runs):
        for label, tree in trees.items():
            for name, argv in cmds.items():
                if wanted(label, name):
                    samples.setdefault((label, name), []).append(run_once(tree, argv))

    base = statistics.median(w for w, _ in samples[("this", "python -c pass")])
    base_cpu = statistics.median(c for _, c in samples[("this", "python -c pass")])
    result = {"cases": listing["total"], "runs": args.runs, "load_avg": os.getloadavg(),
              "python": sys.version.split()[0], "baseline_ms": round(base, 1), "baseline_cpu_ms": round(base_cpu, 1),
              "commands": {}}
    for (label, name), xs in samples.items():
        wall = [w for w, _ in xs]
        cpu = statistics.median(c for _, c in xs)
        med = statistics.median(wall)
        result["commands"].setdefault(name, {})[label] = {
            "median_ms": round(med, 1), "min_ms": round(min(wall), 1), "ratio_to_pass": round(med / base, 1),
            "cpu_ms": round(cpu, 1), "cpu_ratio_to_pass": round(cpu / base_cpu, 1) if base_cpu else None}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
