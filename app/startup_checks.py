"""Start-up checks before the window opens (Qt-free): what an installed copy needs to run.

Each check returns a Problem with a calm Chinese message for the operator (and a technical
detail for the log and IT support), or None. The checks are fast (no migration runs here:
open_desk migrates after a backup, behind the splash). They catch what breaks an installation:
an unwritable or full data directory, a database that is damaged or newer than this program,
Alembic scripts or the CJK font missing from the bundle.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.paths import data_dir as resolve_data_dir
from app.paths import resource_path

MIN_FREE_BYTES = 50 * 1024 * 1024
FONT_FILE = ("fonts", "wqy-microhei.ttc")
DB_FILENAME = "towndesk.sqlite3"  # app.store.db.DB_FILENAME (not imported: keeps this module light)


@dataclass(frozen=True)
class Problem:
    key: str
    message: str
    detail: str = ""


def check_data_dir(root: Path) -> Problem | None:
    hint = "请检查该目录的权限和磁盘空间，或用 --data-dir 参数 / TOWNDESK_HOME 环境变量指定其他数据目录。"
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".write-test-", delete=True) as f:
            f.write(b"ok")
            f.flush()
    except OSError as e:
        return Problem("data_dir", f"数据目录无法写入：{root}\n{hint}", f"{type(e).__name__}: {e}")
    db = root / DB_FILENAME
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists() and not os.access(path, os.W_OK):
            return Problem("data_dir", f"数据库文件是只读的：{path}\n{hint}", "not writable")
    free = shutil.disk_usage(root).free
    if free < MIN_FREE_BYTES:
        return Problem("data_dir", f"数据目录所在磁盘空间不足（剩余 {free // (1024 * 1024)} MB）：{root}\n"
                                   "请清理磁盘后再启动。", f"free={free}")
    return None


def check_fonts() -> Problem | None:
    path = resource_path(*FONT_FILE)
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        ok = head in (b"ttcf", b"\x00\x01\x00\x00") and path.stat().st_size > 1_000_000
    except OSError:
        ok = False
    if ok:
        return None
    return Problem("fonts", f"缺少中文字体文件：{path}\n界面和打印的中文将无法显示，请重新安装镇街指挥台。",
                   "font missing or damaged")


def check_database(root: Path) -> Problem | None:
    """Migration scripts present; an existing database opens and is not newer than this program."""
    from app.store import crypto, migrate  # Alembic and SQLAlchemy: imported only when the checks run

    try:
        known = set(migrate.script_revisions())  # read from the scripts' text, without Alembic
    except Exception as e:  # noqa: BLE001 — any failure here means the bundle is incomplete
        return Problem("database", "程序文件不完整：找不到数据库升级脚本，请重新安装镇街指挥台。",
                       f"{type(e).__name__}: {e}")
    path = root / DB_FILENAME
    if not path.exists():
        return None  # a fresh data directory: open_desk creates and migrates it
    try:
        conn = crypto.connect_raw(path, crypto.load_key(root), readonly=True, timeout=5)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            has_version = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone() if has_version else None
        finally:
            conn.close()
    except crypto.KeyMissing as e:
        return Problem("database", f"{e.message}\n请联系管理员。", "key missing")
    except Exception as e:  # noqa: BLE001 — sqlite3 or sqlcipher3 errors alike: the file does not open
        return Problem("database", f"数据库无法打开（文件可能已损坏）：{path}\n"
                                   f"请联系管理员用 towndesk restore 从 backups 目录中的备份恢复。",
                       f"{type(e).__name__}: {e}")
    revision = row[0] if row else None
    if revision and revision not in known:
        return Problem("database", f"数据库版本（{revision}）比本程序新，可能是用更新版本的镇街指挥台创建的。\n"
                                   "请安装最新版本后再打开，不要用旧版本打开新数据。", f"unknown revision {revision}")
    return None


def run_checks(data_dir: str | os.PathLike | None = None) -> list[Problem]:
    root = resolve_data_dir(data_dir)
    problems = [p for p in (check_data_dir(root), check_fonts()) if p]
    if not any(p.key == "data_dir" for p in problems):
        problem = check_database(root)
        if problem:
            problems.append(problem)
    return problems


def describe(problems: list[Problem]) -> str:
    """The text shown to the operator (and printed to stderr)."""
    lines = ["镇街指挥台无法启动：", ""]
    for i, p in enumerate(problems, 1):
        lines.append(f"{i}. {p.message}")
    return "\n".join(lines)


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))
