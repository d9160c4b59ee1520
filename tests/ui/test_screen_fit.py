"""Screen fit in a real X window (Xvfb at 1366×768): window, status bar, Save buttons and the print
preview inside the screen; the dashboard's tables show several rows (scripts/screen_fit.py)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
@pytest.mark.parametrize("size", ["1366x768", "1920x1080"])
def test_window_fits_the_screen(tmp_path, size):
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "screen_fit.py"), "--size", size, "--data-dir",
                          str(tmp_path / "store"), "--out", str(tmp_path / "shots"), "--cases", "120"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert run.returncode == 0 and report["ok"], report
    width, height = (int(x) for x in size.split("x"))
    assert report["platform"] == "xcb" and report["window"][0] <= width and report["window"][1] <= height
    assert report["preview_inside"] and min(report["dashboard_rows_visible"].values()) >= 5
    assert all((tmp_path / "shots" / Path(p).name).stat().st_size > 10_000 for p in report["shots"])
