"""A real X window under Xvfb: start, log in through the dialog, show the intake page."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
def test_real_window_under_xvfb_logs_in_and_shows_intake(tmp_path):
    display = _free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", "1366x860x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while not Path(f"/tmp/.X11-unix/X{display}").exists() and time.time() < deadline:
            time.sleep(0.05)
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env["DISPLAY"] = f":{display}"
        shot = tmp_path / "xvfb-intake.png"
        run = subprocess.run([sys.executable, str(ROOT / "scripts" / "xvfb_window.py"), "--data-dir",
                              str(tmp_path / "store"), "--shot", str(shot)],
                             env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert run.returncode == 0, run.stdout + run.stderr
        report = json.loads(run.stdout.strip().splitlines()[-1])
        assert report["platform"] == "xcb" and report["logged_in"] and report["page"] == "一窗受理"
        assert shot.stat().st_size > 10_000
    finally:
        xvfb.terminate()
        xvfb.wait(10)
