"""installer/linux/glibc_needs.py reads ELF version needs exactly as readelf does (fast: no bundle)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "linux" / "glibc_needs.py"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files: Linux only")


def load():
    import importlib.util

    spec = importlib.util.spec_from_file_location("glibc_needs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def samples() -> list[Path]:
    """Python's own binary and extension modules, and a few system programs and libraries."""
    lib_dynload = Path(sys.base_prefix, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}",
                       "lib-dynload")
    found = [Path(sys.executable).resolve(), *sorted(lib_dynload.glob("*.so"))[:15]]
    found += [Path(p) for p in ("/bin/ls", "/usr/bin/python3", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0")
              if Path(p).exists()]
    return found


@pytest.mark.skipif(not shutil.which("readelf"), reason="readelf (binutils) is not installed")
def test_the_highest_glibc_need_matches_readelf():
    glibc_needs = load()
    checked = 0
    for path in samples():
        text = subprocess.run(["readelf", "-V", "-W", str(path)], capture_output=True, text=True).stdout
        needs = text.split("Version needs section")[1] if "Version needs section" in text else ""
        expected = {v for v in re.findall(r"Name: GLIBC_(\d+(?:\.\d+)*)", needs)}
        got = (glibc_needs.needed_versions(path) or {}).get("GLIBC", set())
        assert got == expected, path
        checked += bool(expected)
    assert checked >= 3


def test_folder_report_and_limit(tmp_path):
    (tmp_path / "not-elf.txt").write_text("GLIBC_2.99 is only text here")
    shutil.copy(Path(sys.executable).resolve(), tmp_path / "python")
    ok = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    import json

    report = json.loads(ok.stdout)
    assert report["elf_files"] == 1 and report["needing_max_glibc"] == ["python"]
    assert re.fullmatch(r"2\.\d+", report["max_glibc"])
    strict = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--max", "2.0"], capture_output=True, text=True)
    assert strict.returncode == 1 and "python" in strict.stdout
    assert subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "nowhere")], capture_output=True).returncode == 2
