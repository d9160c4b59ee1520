"""Online backup and restore of the workstation database (sqlite3 backup API, WAL safe)."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def backup_to(db_path: Path, target: Path) -> Path:
    """Copy a consistent snapshot of the live database to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(db_path)
    try:
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def check_file(path: Path) -> bool:
    """True if ``path`` is a readable SQLite database that passes a quick integrity check."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def restore_from(source: Path, db_path: Path) -> None:
    """Replace the database file with ``source`` (the caller has closed every connection)."""
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    shutil.copy2(source, db_path)
