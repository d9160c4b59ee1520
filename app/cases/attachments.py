"""Content-addressed attachments: bytes stored once by sha256 beside the database.

On an encrypted store each file is sealed (app.store.crypto: AES-256-GCM under a key derived from
the store's key); its name stays the sha256 of the plain bytes (what the case log and sync name).
Read them with :func:`read_blob`, never from the path directly."""
from __future__ import annotations

import hashlib
import mimetypes
import os
import secrets
import shutil
from pathlib import Path

from app.cases import caselog
from app.cases.views import case_summary
from app.desk import Actor, Desk
from app.domain.actions import ATTACHMENT_MAX_BYTES
from app.domain.ids import new_id
from app.errors import ValidationError
from app.store import crypto
from app.store.models import Attachment

MAX_BYTES = ATTACHMENT_MAX_BYTES
PURPOSE = crypto.ATTACHMENT_PURPOSE


def blob_path(desk: Desk, sha256: str) -> Path:
    return desk.attachments_dir / sha256[:2] / sha256


def store_file(desk: Desk, source: Path) -> tuple[str, int]:
    """Copy a file into the content store; returns (sha256, size)."""
    if not source.is_file():
        raise ValidationError(f"文件不存在：{source}", field="path")
    size = source.stat().st_size
    if size == 0:
        raise ValidationError(f"附件「{source.name}」是空文件，请重新选择", field="path")
    if size > MAX_BYTES:
        raise ValidationError("附件不能超过 50 MB", field="path")
    h = hashlib.sha256()
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    put_blob(desk, digest, source)
    return digest, size


def put_blob(desk: Desk, digest: str, source: Path) -> Path:
    """Store the plain file ``source`` under ``digest`` (sealed on an encrypted store); no-op when
    the bytes are already there."""
    target = blob_path(desk, digest)
    if target.exists():
        return target
    crypto.private_dir(desk.attachments_dir)
    crypto.private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        if desk.db.key is None:
            shutil.copyfile(source, tmp)
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                crypto.seal_stream(desk.db.key, PURPOSE, src, out, {"kind": "attachment"})
        crypto.private_file(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def has_blob(desk: Desk, digest: str) -> bool:
    return blob_path(desk, digest).is_file()


def read_blob(desk: Desk, digest: str) -> bytes | None:
    """The plain bytes of an attachment, or None when they are missing or do not open."""
    path = blob_path(desk, digest)
    try:
        if crypto.is_sealed(path):
            if desk.db.key is None:
                return None
            with open(path, "rb") as f:
                return b"".join(crypto.open_stream(desk.db.key, PURPOSE, f))
        return path.read_bytes()
    except (OSError, crypto.SealError):
        return None


def prepare(desk: Desk, path: str | Path, note: str = "") -> dict:
    """Store a file's bytes (content-addressed) and return its ``attach`` payload; nothing is
    written to the database yet, so a bad file changes nothing."""
    source = Path(path)
    digest, size = store_file(desk, source)
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    payload = {"sha256": digest, "filename": source.name, "mime": mime, "size": size}
    if note:
        payload["note"] = note
    return payload


def check_scope(desk: Desk, row) -> None:
    """A unit workstation attaches files only to cases its unit handles or co-handles (the
    district refuses the rest: server/scope.py)."""
    from app.sync import scope

    unit = scope.unit(desk)
    if not scope.holds(unit, row):
        raise ValidationError(f"案件 {row.case_no} 不由本单位（{unit}）承办或协办，本单位工作站不能为其添加附件",
                              field="case")


def record(s, desk: Desk, actor: Actor, row, payload: dict, at=None):
    """Write one prepared attachment onto case ``row`` in the caller's transaction."""
    check_scope(desk, row)
    row, action = caselog.record(s, desk, actor, row, "attach", payload, at=at)
    s.add(Attachment(id=new_id(), case_id=row.id, action_id=action.id, sha256=payload["sha256"],
                     filename=payload["filename"], mime=payload["mime"], size=payload["size"]))
    return row


def attach(desk: Desk, actor: Actor, key: str, path: str | Path, note: str = "") -> dict:
    """Attach a file to a case (the bytes are stored first; the action records the metadata)."""
    with desk.db.read() as s:
        check_scope(desk, caselog.find_case(s, key))  # before any byte is stored
    payload = prepare(desk, path, note)
    with desk.db.tx() as s:
        row = record(s, desk, actor, caselog.find_case(s, key), payload)
        return case_summary(row, desk.refs(), desk.now(), actor)
