"""Printing figures as JSON: one dossier with 30 actions and 4 photos, a receipt, and a batch of
dossiers (one file per case and one merged file) with RSS at start, middle and end.

    .venv/bin/python benchmarks/printing.py [--batch 1000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain.timezone import LOCAL_TZ  # noqa: E402

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def photo(path: Path, seed: int) -> Path:
    """A 4032 x 3024 camera-like JPEG (noise and shapes, so it does not compress to nothing)."""
    from PIL import Image, ImageDraw, ImageFilter

    base = Image.effect_noise((1008, 756), 40 + seed).convert("RGB").resize((4032, 3024))
    d = ImageDraw.Draw(base)
    for i in range(12):
        d.ellipse([300 * i, 200 + 80 * seed, 300 * i + 900, 1400 + 80 * i], fill=(20 * i, 100 + seed * 30, 200 - 10 * i))
    base.filter(ImageFilter.GaussianBlur(2)).save(path, "JPEG", quality=88)
    return path


def timed(fn, repeat: int) -> dict:
    """Wall and CPU time of ``fn`` (CPU time is the fairer figure on a busy shared machine)."""
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1), "cpu_median_ms": round(statistics.median(cpu), 1), "runs": repeat}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--keep", help="keep the work directory here")
    args = ap.parse_args()

    from app.cases import dispatch, handling, intake
    from app.cases.attachments import attach
    from app.demo.loader import load_demo
    from app.desk import open_desk
    from app.printing import jobs as printing
    from app.reference.users import get_actor

    work = Path(args.keep or tempfile.mkdtemp(prefix="towndesk-bench-print-"))
    work.mkdir(parents=True, exist_ok=True)
    out: dict = {"python": sys.version.split()[0]}
    try:
        import _rl_accel  # noqa: F401

        out["rl_accel"] = True
    except ImportError:
        out["rl_accel"] = False

    desk = open_desk(work / "one", clock=lambda: NOW)
    load_demo(desk, 0)
    who = {u: get_actor(desk, u) for u in ("intake", "dispatcher", "director", "unit")}
    case = intake.take_in(desk, who["intake"], {
        "channel": "visit", "type": "complaint", "title": "小区地下车库长期积水", "category": "PA0101",
        "description": "居民反映小区地下车库每逢雨天积水严重，车辆无法进出，多次向物业反映未解决。" * 2,
        "reporter": {"name": "王建国", "phone": "13900002222", "id_no": "11010519491231002X"},
        "location": {"village": "V01", "address": "卧龙社区解放北路8号"}, "auto_dispatch": False})
    no = case["case_no"]
    dispatch.dispatch(desk, who["dispatcher"], no, "D01", note="请尽快核实处理")
    handling.act(desk, who["unit"], no, "sign", {})
    for i in range(4):
        attach(desk, who["unit"], no, photo(work / f"现场照片{i + 1}.jpg", i))
    for i in range(20):
        handling.act(desk, who["unit"], no, "progress", {"note": f"第{i + 1}次现场核查：已协调物业清理排水沟，持续跟踪。"})
    handling.act(desk, who["director"], no, "urge", {"level": "yellow", "instruction": "请加快办理，按时反馈"})
    handling.act(desk, who["unit"], no, "request_close", {"result": "已疏通排水管道并加装排水泵", "close_type": "substantive"})
    handling.act(desk, who["director"], no, "approve_close", {})
    n_actions = len(printing.queries.show_case(desk, who["director"], no)["actions"])

    t = time.perf_counter()
    printing.print_case(desk, who["director"], no, "dossier", work / "cold.pdf")
    out["dossier_cold_first_ms"] = round((time.perf_counter() - t) * 1000, 1)
    out["dossier_30_actions_4_photos"] = {"actions": n_actions, "photos": 4, **timed(
        lambda: printing.print_case(desk, who["director"], no, "dossier", work / "d.pdf"), 7)}
    out["dossier_30_actions_4_photos"]["bytes"] = (work / "d.pdf").stat().st_size
    out["receipt_a5"] = timed(lambda: printing.print_case(desk, who["intake"], no, "receipt", work / "r.pdf"), 9)
    out["receipt_80mm"] = timed(lambda: printing.print_case(desk, who["intake"], no, "receipt", work / "r80.pdf",
                                                            size="80mm"), 9)
    out["slip"] = timed(lambda: printing.print_case(desk, who["dispatcher"], no, "slip", work / "s.pdf"), 5)
    desk.close()

    if args.batch:
        bdesk = open_desk(work / "batch", clock=lambda: NOW)
        load_demo(bdesk, args.batch, seed=11)
        director = get_actor(bdesk, "director")
        for mode in ("out_dir", "one_file"):
            marks = {"start": rss_mb()}

            def progress(done, total, marks=marks):
                if done == total // 2:
                    marks["middle"] = rss_mb()

            kw = {"out_dir": work / "batch-out"} if mode == "out_dir" else \
                {"out_file": work / "batch.pdf", "one_file": True}
            t, c = time.perf_counter(), time.process_time()
            res = printing.print_batch(bdesk, director, {}, progress=progress, **kw)
            secs, cpu = time.perf_counter() - t, time.process_time() - c
            marks["end"] = rss_mb()
            size = sum(p.stat().st_size for p in (work / "batch-out").glob("*.pdf")) if mode == "out_dir" \
                else (work / "batch.pdf").stat().st_size
            out[f"batch_{mode}"] = {"dossiers": res["count"], "seconds": round(secs, 1), "cpu_seconds": round(cpu, 1),
                                    "ms_per_dossier": round(secs * 1000 / max(res["count"], 1), 1),
                                    "rss_mb": marks, "output_mb": round(size / 2**20, 1)}
        bdesk.close()
    out["load_average"] = os.getloadavg()[0]
    out["cpus"] = os.cpu_count()
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
