"""Backups of the workstation store: complete, sealed, checked before anything is replaced.

A backup file is one sealed stream (app.store.crypto: chunked AES-256-GCM under a key derived from
the store's key) whose authenticated header says what it is (``kind`` "towndesk-backup", the town,
the schema revision, the time, the size and sha256 of the database inside) and whose content is a
consistent snapshot of the SQLCipher database (the online backup API, WAL safe; its pages stay
encrypted on disk at every step). It is written under a temporary name in the target folder and
renamed only when complete and flushed, so a full disk never leaves a partial file under a backup's
name. ``restore`` refuses anything else before touching the store.
"""
from __future__ import annotations

import errno
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError, ValidationError
from app.store import crypto

KIND = "towndesk-backup"
PURPOSE = b"backup"
BACKUP_SUFFIX = ".tdbak"


class DiskFull(AppError):
    code = "disk_full"
    english = "not enough disk space"


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _snapshot(db_path: Path, key: bytes, target: Path) -> dict:
    """Online backup of the live store into ``target`` (same key); returns what the meta says."""
    src = crypto.connect_raw(db_path, key)
    try:
        dst = crypto.connect_raw(target, key)
        try:
            src.backup(dst)
            info = _describe(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return info


def _describe(conn) -> dict:
    def one(sql, args=()):
        try:
            row = conn.execute(sql, args).fetchone()
        except Exception:  # noqa: BLE001 — a missing table: not a towndesk store
            return None
        return row[0] if row else None

    return {"town": one("SELECT value FROM meta WHERE key = 'town_code'"),
            "revision": one("SELECT version_num FROM alembic_version"),
            "cases": one("SELECT count(*) FROM cases")}


def _digest(path: Path) -> dict:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return {"sha256": h.hexdigest(), "size": size}


def backup_to(db_path: Path, target: Path, key: bytes | None, created: str = "") -> Path:
    """Write a sealed backup of the store at ``db_path`` to ``target`` (complete or not at all)."""
    if key is None:
        raise ValidationError("数据库尚未加密，不能写加密备份（重新打开一次即自动加密）", field="data_dir")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(4)
    snap = target.parent / f".{target.name}.{tag}.snapshot"
    part = target.parent / f".{target.name}.{tag}.partial"
    try:
        try:
            info = _snapshot(db_path, key, snap)
        except OSError:
            raise
        except Exception as e:  # noqa: BLE001 — sqlite3/sqlcipher3 errors: a full disk is the likely one
            if "full" in str(e) or "I/O" in str(e):
                raise OSError(errno.ENOSPC, str(e)) from None
            raise
        crypto.private_file(snap)
        info |= _digest(snap)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, open(snap, "rb") as src:
            crypto.seal_stream(key, PURPOSE, src, out, dict(info, kind=KIND, created=created))
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
        _fsync_dir(target.parent)
    except OSError as e:
        part.unlink(missing_ok=True)
        if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            raise DiskFull(f"磁盘空间不足，备份未完成（没有留下不完整的备份文件）：{target.parent}",
                           field="output") from None
        raise ValidationError(f"无法写入备份文件：{target}（{e.strerror}）", field="output") from None
    finally:
        snap.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    return target


@dataclass
class Checked:
    header: dict
    database: Path  # the decrypted-from-seal database (still SQLCipher, same key), in the data dir


def check_backup(source: Path, key: bytes | None, town: str | None, work_dir: Path, known_revisions=()) -> Checked:
    """Unseal ``source`` into a temporary database in ``work_dir`` and check that it is a complete
    towndesk backup of ``town`` with a good checksum; raises ValidationError (nothing changed)."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"备份文件不存在：{source}", field="file")
    if source.stat().st_size == 0:
        raise ValidationError(f"备份文件是空的：{source}", field="file")
    if not crypto.is_sealed(source):
        raise ValidationError(f"不是镇街指挥台的备份文件：{source}", field="file")
    if key is None:
        raise ValidationError("本机数据库尚未加密，无法读取加密备份", field="file")
    with open(source, "rb") as f:
        try:
            header, _ = crypto.read_header(f)
        except crypto.SealError:
            raise ValidationError(f"不是镇街指挥台的备份文件：{source}", field="file") from None
    if header.get("kind") != KIND:
        raise ValidationError(f"不是镇街指挥台的备份文件：{source}", field="file")
    if town and header.get("town") != town:
        raise ValidationError(f"这是镇街 {header.get('town')} 的备份，不是本机镇街 {town} 的", field="file")
    tmp = work_dir / f".restore-{secrets.token_hex(4)}.sqlite3"
    try:
        digest, size = hashlib.sha256(), 0
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, open(source, "rb") as f:
            try:
                for chunk in crypto.open_stream(key, PURPOSE, f):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            except crypto.SealError:
                raise ValidationError("备份文件已损坏、被改动、不完整，或不是用本机密钥加密的", field="file") from None
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != header.get("sha256") or size != header.get("size"):
            raise ValidationError("备份文件校验和不符", field="file")
        conn = crypto.connect_raw(tmp, key)
        try:
            quick = conn.execute("PRAGMA quick_check").fetchone()[0]
            info = _describe(conn)
        except Exception:  # noqa: BLE001 — not a database under this key
            raise ValidationError("备份中的数据库无法打开", field="file") from None
        finally:
            conn.close()
        if quick != "ok":
            raise ValidationError(f"备份中的数据库已损坏（{quick}）", field="file")
        if not info["town"] or (town and info["town"] != town) or info["cases"] is None:
            raise ValidationError("备份中的数据库不是本镇街的镇街指挥台数据", field="file")
        if known_revisions and info["revision"] not in known_revisions:
            raise ValidationError(f"备份的数据库版本（{info['revision']}）比本程序新", field="file")
        return Checked(header | {"cases_inside": info["cases"]}, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def put_in_place(checked: Checked, db_path: Path) -> None:
    """Replace the store file with the checked database (every connection is closed)."""
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(checked.database, db_path)
    crypto.private_file(db_path)
