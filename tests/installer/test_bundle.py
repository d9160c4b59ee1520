"""The installed program as IT support gets it: PyInstaller one-folder build, frozen smoke run,
.deb built, installed, run and removed (install/remove only as root, which CI is).

Slow (one PyInstaller build, ~45 s of CPU); CI runs it. The bundle is built once per session.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from app import __version__

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the frozen build is tested on Linux"),
]

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "towndesk.spec"
BUILD_DEB = ROOT / "installer" / "linux" / "build_deb.sh"
CASE = {"channel": "phone", "type": "complaint", "title": "夜间施工噪声扰民",
        "description": "王小明来电反映附近工地夜间施工，噪声影响休息。", "category": "JJ0302",
        "reporter": {"name": "王小明", "phone": "13700003333"}, "location": {"village": "卧龙社区"}}


def frozen_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TOWNDESK_"))}
    env.update(QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8", **extra)
    return env


def run(exe: Path, *args, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout,
                          env=frozen_env(), **kw)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed: pip install -e '.[installer]'")
    base = tmp_path_factory.mktemp("pyinstaller")
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(base / "dist"), "--workpath", str(base / "work"), str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    folder = base / "dist" / "towndesk"
    assert (folder / "towndesk").is_file()
    return folder


@pytest.fixture(scope="session")
def exe(bundle) -> Path:
    return bundle / "towndesk"


def test_frozen_version(exe):
    proc = run(exe, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"towndesk {__version__}"


def test_bundle_holds_resources_migrations_and_qt_plugins(bundle):
    internal = bundle / "_internal"
    assert (internal / "resources" / "fonts" / "wqy-microhei.ttc").stat().st_size > 1_000_000
    assert (internal / "resources" / "icons" / "towndesk.png").is_file()
    assert (internal / "resources" / "reference" / "taxonomy.json").is_file()
    scripts = {p.name for p in (internal / "app" / "store" / "migrations" / "versions").glob("*.py")}
    assert scripts == {p.name for p in (ROOT / "app" / "store" / "migrations" / "versions").glob("*.py")}
    assert (internal / "app" / "store" / "migrations" / "env.py").is_file()
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for rel in ("platforms/libqoffscreen.so", "platforms/libqxcb.so", "imageformats/libqpdf.so",
                "imageformats/libqsvg.so", "printsupport/libcupsprintersupport.so"):
        assert (plugins / rel).is_file(), rel
    names = {p.name for p in internal.rglob("*.so*")}
    assert not any(n.startswith(("libQt6Quick", "libQt6Qml", "libQt6WebEngine", "libQt63D")) for n in names)


def test_bundle_highest_glibc_need(bundle, capsys):
    """The figure that decides which systems the bundle runs on (issue 19): printed with the test run.
    TOWNDESK_MAX_GLIBC=2.28 (set by the old-glibc build) turns it into a limit."""
    import platform

    proc = subprocess.run([sys.executable, str(ROOT / "installer" / "linux" / "glibc_needs.py"), str(bundle), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    need = report["max_glibc"]
    with capsys.disabled():  # printed in every run, not only with -s
        print(f"\n[bundle] {report['elf_files']} ELF files; highest need GLIBC_{need} "
              f"(GLIBCXX_{report['max_glibcxx']}), from: {', '.join(report['needing_max_glibc'][:6])}")
    assert report["elf_files"] > 50 and need

    def key(v):
        return tuple(int(x) for x in v.split("."))

    libc, host = platform.libc_ver()
    if libc == "glibc":
        assert key(need) <= key(host)  # it runs here, so it cannot need more than this machine has
    limit = os.environ.get("TOWNDESK_MAX_GLIBC")
    if limit:
        assert key(need) <= key(limit), report["needing_max_glibc"]


def test_the_smoke_script_passes_on_the_bundle(exe):
    """installer/smoke.py is what the Windows build runs; here it proves itself on the Linux bundle."""
    proc = subprocess.run([sys.executable, str(ROOT / "installer" / "smoke.py"), str(exe), "--version", __version__,
                           "--window-seconds", "6"], capture_output=True, text=True, timeout=600, env=frozen_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke test passed: version, demo, case add, dossier, window" in proc.stdout


def test_frozen_smoke_store_case_and_dossier(exe, tmp_path):
    data = str(tmp_path / "data")
    proc = run(exe, "--data-dir", data, "demo", "--cases", "0", "--json")
    assert proc.returncode == 0, proc.stderr
    proc = run(exe, "--data-dir", data, "--as", "intake", "case", "add", "--json", "-", input=json.dumps(CASE))
    assert proc.returncode == 0, proc.stderr
    case_no = json.loads(proc.stdout)["case_no"]
    shown = json.loads(run(exe, "--data-dir", data, "case", "show", case_no, "--json").stdout)
    assert shown["case_no"] == case_no and shown["actions"][0]["kind"] == "intake"
    if "print" not in run(exe, "--help").stdout:
        pytest.skip("this build has no `towndesk print` command yet")
    pdf = tmp_path / "dossier.pdf"
    proc = run(exe, "--data-dir", data, "print", case_no, "-o", str(pdf))
    assert proc.returncode == 0, proc.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert case_no in text and "案卷" in text


def _wait_for(path: Path, text: str, proc: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    content = ""
    while time.monotonic() < deadline:
        content = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if text in content or proc.poll() is not None:
            break
        time.sleep(0.2)
    return content


def test_frozen_window_starts_offscreen(exe, tmp_path):
    data = tmp_path / "data"
    assert run(exe, "--data-dir", str(data), "demo", "--cases", "0").returncode == 0
    err = tmp_path / "stderr.txt"
    with open(err, "w") as f:
        proc = subprocess.Popen([str(exe), "--data-dir", str(data)], stdout=f, stderr=f, env=frozen_env())
    try:
        time.sleep(6)  # start-up checks, font, store open, login dialog
        assert proc.poll() is None, err.read_text()  # still running: the login dialog is up
    finally:
        proc.terminate()
        proc.wait(10)
    assert "Traceback" not in err.read_text()
    assert (data / "logs" / "towndesk.log").is_file()


def test_frozen_start_up_checks_explain_in_chinese(exe, tmp_path):
    (tmp_path / "file").write_text("x")
    err = tmp_path / "stderr.txt"
    with open(err, "w") as f:
        proc = subprocess.Popen([str(exe), "--data-dir", str(tmp_path / "file" / "data")], stdout=f, stderr=f,
                                env=frozen_env())
    try:
        content = _wait_for(err, "数据目录无法写入", proc, 30)  # then a message box waits for the user
    finally:
        proc.kill()
        proc.wait(10)
    assert "镇街指挥台无法启动" in content and "数据目录无法写入" in content


@pytest.fixture(scope="session")
def deb(bundle, tmp_path_factory) -> Path:
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is not available")
    out = tmp_path_factory.mktemp("deb")
    proc = subprocess.run(["bash", str(BUILD_DEB), str(bundle), str(out)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "DEB_COMPRESS": "gzip", "DEB_LEVEL": "1"})
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path.is_file()
    return path


def test_deb_metadata_and_layout(deb):
    info = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True).stdout
    assert "Package: towndesk" in info and f"Version: {__version__}" in info
    assert "libxcb-cursor0" in info and "libc6 (>= 2." in info
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True).stdout
    for path in ("./opt/towndesk/towndesk", "./usr/bin/towndesk", "./usr/share/applications/towndesk.desktop",
                 "./usr/share/icons/hicolor/256x256/apps/towndesk.png"):
        assert path in listing
    desktop = (ROOT / "installer" / "linux" / "towndesk.desktop").read_text(encoding="utf-8")
    assert "Name=镇街指挥台" in desktop and "Icon=towndesk" in desktop


@pytest.fixture
def dpkg_lock():
    """Serialize install/remove with other runs of this test on the same machine."""
    import fcntl

    with open(Path(tempfile.gettempdir()) / "towndesk-deb-test.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def test_deb_installs_runs_and_removes(deb, tmp_path, dpkg_lock):
    if os.geteuid() != 0:
        pytest.skip("dpkg -i needs root (CI runs as root)")
    if subprocess.run(["dpkg", "-s", "towndesk"], capture_output=True).returncode == 0:
        pytest.skip("towndesk is already installed on this machine: not touching that installation")
    data = tmp_path / "operator-data"
    try:
        proc = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out = run(Path("/usr/bin/towndesk"), "--version")
        assert out.returncode == 0 and out.stdout.strip() == f"towndesk {__version__}", out.stderr
        assert run(Path("/usr/bin/towndesk"), "--data-dir", str(data), "demo", "--cases", "0").returncode == 0
    finally:
        removed = subprocess.run(["dpkg", "-r", "towndesk"], capture_output=True, text=True, timeout=300)
    assert removed.returncode == 0, removed.stderr
    assert not Path("/usr/bin/towndesk").exists() and not Path("/opt/towndesk").exists()
    assert (data / "towndesk.sqlite3").is_file()  # removing the program never touches operator data
