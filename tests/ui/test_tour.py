"""`towndesk` without a display: one line saying so, then the headless tour's files."""
import os
import subprocess
import sys
from pathlib import Path


def test_no_display_runs_the_headless_tour(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    base = [sys.executable, "-m", "app.cli", "--data-dir", str(tmp_path)]
    assert subprocess.run(base + ["demo", "--cases", "30"], env=env, capture_output=True, timeout=120).returncode == 0
    r = subprocess.run(base, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert "没有图形显示" in lines[0] and "headless tour" in lines[0]
    paths = [Path(line) for line in lines if line.startswith("/")]
    pngs = [p for p in paths if p.suffix == ".png"]
    assert len(pngs) >= 5 and all(p.stat().st_size > 10_000 for p in pngs)
    pdf = next(p for p in paths if p.suffix == ".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "夜间施工噪声扰民" in text and "派单" in text
