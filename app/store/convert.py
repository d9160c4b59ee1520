"""Turning a plain SQLite store (and its plain backups) into encrypted ones, on open.

The plain database is exported into a new SQLCipher file beside it (``sqlcipher_export``: schema,
data, FTS tables, triggers), the copy is checked (integrity, same row counts), a sealed backup of it
is written to backups/, and only then does it replace the plain file (whose WAL and shared-memory
files go with it). Plain ``*.sqlite3`` backups in backups/ are sealed the same way and removed.
"""
from __future__ import annotations

import os
from pathlib import Path

from app.errors import AppError
from app.store import backup as bk
from app.store import crypto

_COUNTED = ("cases", "case_actions", "audit_log", "meta")



def _export(plain: Path, target: Path, key: bytes) -> None:
    import sqlcipher3  # the SQLCipher driver: only a store being encrypted needs it here

    target.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(plain), isolation_level=None)
    try:
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(target),))
        conn.execute("SELECT sqlcipher_export('enc')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA enc.user_version = {int(version)}")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    crypto.private_file(target)


def _counts(conn) -> dict:
    out = {}
    for table in _COUNTED:
        try:
            out[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except Exception:  # noqa: BLE001 — a table an old schema did not have
            out[table] = None
    return out


def _check_copy(plain: Path, copy: Path, key: bytes) -> None:
    a = crypto.connect_raw(plain, None, readonly=True)
    b = crypto.connect_raw(copy, key)
    try:
        quick = b.execute("PRAGMA quick_check").fetchone()[0]
        same = _counts(a) == _counts(b)
    finally:
        a.close()
        b.close()
    if quick != "ok" or not same:
        copy.unlink(missing_ok=True)
        raise AppError("数据库加密转换失败（副本校验不一致），原数据库未改动", code="encrypt_failed")


def encrypt_store(root: Path, path: Path, key: bytes, stamp: str) -> Path:
    """Encrypt the plain store at ``path`` in place (after a sealed backup). Returns the backup."""
    copy = path.with_name(f".{path.name}.encrypting")
    _export(path, copy, key)
    _check_copy(path, copy, key)
    backups = crypto.private_dir(root / "backups")
    made = bk.backup_to(copy, backups / f"pre-encrypt-{stamp}{bk.BACKUP_SUFFIX}", key, created=stamp)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(copy, path)
    crypto.private_file(path)
    seal_plain_backups(backups, key, stamp)
    seal_plain_attachments(root / "attachments", key)
    return made


def seal_plain_attachments(folder: Path, key: bytes) -> int:
    """Seal attachment files an unencrypted store kept plain (same names: sha256 of the plain bytes)."""
    if not folder.is_dir():
        return 0
    done = 0
    crypto.private_dir(folder)
    for path in sorted(folder.glob("*/*")):
        if path.name.startswith(".") or not path.is_file() or crypto.is_sealed(path):
            continue
        crypto.private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.sealing")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            crypto.seal_stream(key, crypto.ATTACHMENT_PURPOSE, src, out, {"kind": "attachment"})
        os.replace(tmp, path)
        done += 1
    return done


def seal_plain_backups(backups: Path, key: bytes, stamp: str) -> list[Path]:
    """Replace plain SQLite backups (older versions wrote them) by sealed ones."""
    sealed = []
    for old in sorted(backups.glob("*.sqlite3")):
        if not crypto.is_plain_sqlite(old):
            continue
        copy = old.with_name(f".{old.name}.encrypting")
        try:
            _export(old, copy, key)
            target = old.with_suffix(bk.BACKUP_SUFFIX)
            sealed.append(bk.backup_to(copy, target, key, created=stamp))
            old.unlink()
        except Exception:  # noqa: BLE001 — a damaged old backup stays as it was; the store is what matters
            continue
        finally:
            copy.unlink(missing_ok=True)
    return sealed
