"""Installer figures (issue 7): one-folder bundle size and the frozen program's start times.

    .venv/bin/python benchmarks/installer.py [--bundle dist/towndesk] [--runs 5]

Builds the bundle first when --bundle does not exist (and reports the build time). "Cold" runs
evict the bundle's own files from the page cache first (posix_fadvise DONTNEED, no root needed);
system libraries stay cached. The window start is the time until the login window is mapped on
an Xvfb display (skipped without Xvfb/xwininfo). Prints one JSON object.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(dist: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(dist.parent / "work"),
                    str(ROOT / "installer" / "towndesk.spec")], cwd=ROOT, check=True)
    return time.perf_counter() - t


def size(bundle: Path) -> dict:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    total = sum(p.stat().st_size for p in files)
    internal = bundle / "_internal"
    parts = {}
    for child in internal.iterdir():
        items = [child] if child.is_file() else [p for p in child.rglob("*") if p.is_file() and not p.is_symlink()]
        parts[child.name] = sum(p.stat().st_size for p in items if not p.is_symlink())
    top = sorted(parts.items(), key=lambda kv: -kv[1])[:6]
    return {"bundle_mb": round(total / 1e6, 1), "files": len(files),
            "largest_mb": {name: round(n / 1e6, 1) for name, n in top}}


def evict(bundle: Path) -> None:
    for p in bundle.rglob("*"):
        if p.is_file() and not p.is_symlink():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def timed_run(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def starts(exe: Path, bundle: Path, args: list[str], env: dict, runs: int) -> dict:
    evict(bundle)
    cold = timed_run([str(exe), *args], env)
    warm = [timed_run([str(exe), *args], env) for _ in range(runs)]
    return {"cold_s": round(cold, 2), "warm_median_s": round(statistics.median(warm), 2)}


def window_start(exe: Path, bundle: Path, data: Path, runs: int) -> dict | None:
    if not (shutil.which("Xvfb") and shutil.which("xwininfo")):
        return None
    display = ":93"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    try:
        time.sleep(1.0)

        def once() -> float:
            t = time.perf_counter()
            app = subprocess.Popen([str(exe), "--data-dir", str(data)], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            try:
                while time.perf_counter() - t < 60:
                    tree = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True,
                                          text=True).stdout
                    if '"towndesk"' in tree and "镇街指挥台" in tree:
                        return time.perf_counter() - t
                    time.sleep(0.05)
                raise RuntimeError("the window did not appear within 60 s")
            finally:
                app.terminate()
                app.wait(10)

        evict(bundle)
        cold = once()
        warm = [once() for _ in range(runs)]
        return {"cold_s": round(cold, 2), "warm_median_s": round(statistics.median(warm), 2)}
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", default=str(ROOT / "dist" / "towndesk"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    bundle = Path(args.bundle)
    out: dict = {"machine": f"{os.cpu_count()} CPUs", "load_avg_1m": round(os.getloadavg()[0], 1)}
    if not (bundle / "towndesk").exists():
        bundle.parent.mkdir(parents=True, exist_ok=True)
        out["build_s"] = round(build(bundle.parent), 1)
    exe = bundle / "towndesk"
    out.update(size(bundle))
    debs = sorted(bundle.parent.glob("towndesk_*.deb"))
    if debs:
        out["deb_mb"] = round(debs[-1].stat().st_size / 1e6, 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNDESK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        subprocess.run([str(exe), "--data-dir", str(data), "demo", "--cases", "0"], env=env, check=True,
                       capture_output=True)
        out["start_version"] = starts(exe, bundle, ["--version"], env, args.runs)
        out["start_status"] = starts(exe, bundle, ["--data-dir", str(data), "status"], env, args.runs)
        out["start_window"] = window_start(exe, bundle, data, max(1, args.runs // 2))
    out["load_avg_1m_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
