#!/usr/bin/env python3
"""Smoke test of a built towndesk program (the one-folder bundle or an installed copy).

    python installer/smoke.py dist/towndesk/towndesk                       # Linux
    python installer\\smoke.py dist\\towndesk\\towndesk-cli.exe --window dist\\towndesk\\towndesk.exe   # Windows

Steps, each printed with its time: ``--version``; ``demo`` on a fresh data directory; a case taken
in from JSON; its dossier printed to PDF (checked to be a PDF; its text checked with pdftotext
when that is installed); the window started on the demo store and still running after a few
seconds (the login dialog waits), with no traceback. Exit 0 when all pass, 1 otherwise.
Needs only the Python standard library (any Python 3.8+; it does not import towndesk).
installer/windows/build.ps1 runs it after the Windows build; tests/installer/test_bundle.py runs
it on the Linux bundle.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = {"channel": "phone", "type": "complaint", "title": "夜间施工噪声扰民",
        "description": "王小明来电反映附近工地夜间施工，噪声影响休息。", "category": "JJ0302",
        "reporter": {"name": "王小明", "phone": "13700003333"}, "location": {"village": "卧龙社区"}}


class Failed(Exception):
    pass


def env() -> dict:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TOWNDESK_"))}
    out.setdefault("LANG", "C.UTF-8")
    out["PYTHONIOENCODING"] = "utf-8"  # a frozen program on a Chinese Windows console
    if not sys.platform.startswith("win") and not os.environ.get("DISPLAY"):
        out["QT_QPA_PLATFORM"] = "offscreen"
    return out


def run(exe: Path, *args: str, stdin: str | None = None, timeout: float = 180) -> str:
    proc = subprocess.run([str(exe), *args], input=stdin, capture_output=True, timeout=timeout, env=env(),
                          encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise Failed(f"{exe.name} {' '.join(args)} -> exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return proc.stdout


def smoke(cli: Path, window: Path, data: Path, version: str | None, window_seconds: float) -> list[str]:
    done = []

    def step(name, fn):
        t = time.perf_counter()
        detail = fn()
        done.append(name)
        print(f"ok  {name:<10} {time.perf_counter() - t:6.2f} s  {detail or ''}", flush=True)
        return detail

    def check_version():
        out = run(cli, "--version").strip()
        if not out.startswith("towndesk ") or (version and out != f"towndesk {version}"):
            raise Failed(f"--version printed {out!r}")
        return out

    step("version", check_version)
    step("demo", lambda: json.loads(run(cli, "--data-dir", str(data), "demo", "--cases", "20", "--json"))["town"])
    case_no = step("case add", lambda: json.loads(run(cli, "--data-dir", str(data), "--as", "intake", "case", "add",
                                                      "--json", "-", stdin=json.dumps(CASE)))["case_no"])

    def dossier():
        pdf = data / "smoke-dossier.pdf"
        run(cli, "--data-dir", str(data), "print", case_no, "-o", str(pdf))
        if pdf.read_bytes()[:5] != b"%PDF-":
            raise Failed(f"{pdf} is not a PDF")
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, encoding="utf-8",
                                  errors="replace").stdout
            if case_no not in text or "案卷" not in text:
                raise Failed(f"the dossier's text lacks {case_no} or 案卷")
            return f"{pdf.stat().st_size} bytes, text checked"
        return f"{pdf.stat().st_size} bytes"

    step("dossier", dossier)

    def start_window():
        log = data / "window-stderr.txt"
        with open(log, "w", encoding="utf-8") as f:
            proc = subprocess.Popen([str(window), "--data-dir", str(data)], stdout=f, stderr=f, env=env())
        try:
            time.sleep(window_seconds)  # start-up checks, font, store open, then the login dialog waits
            alive = proc.poll() is None
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)
        text = log.read_text(encoding="utf-8", errors="replace")
        if not alive or "Traceback" in text:
            raise Failed(f"the window did not stay up (exit {proc.returncode}):\n{text[-2000:]}")
        return f"up after {window_seconds:g} s"

    step("window", start_window)
    return done


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="smoke test of a built towndesk")
    p.add_argument("cli", type=Path, help="the console program (towndesk; on Windows towndesk-cli.exe)")
    p.add_argument("--window", type=Path, help="the windowed program (default: the same as cli)")
    p.add_argument("--version", dest="expect", help="the version --version must print")
    p.add_argument("--data-dir", type=Path, help="default: a new temporary directory, removed afterwards")
    p.add_argument("--window-seconds", type=float, default=8)
    args = p.parse_args(argv)
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="towndesk-smoke-"))
    try:
        done = smoke(args.cli.resolve(), (args.window or args.cli).resolve(), data, args.expect, args.window_seconds)
    except (Failed, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError, OSError) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        if not args.data_dir:
            shutil.rmtree(data, ignore_errors=True)
    print(f"smoke test passed: {', '.join(done)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
