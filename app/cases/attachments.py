"""Content-addressed attachments: bytes stored once by sha256 beside the database."""
from __future__ import annotations

import hashlib
import mimetypes
import shutil
from pathlib import Path

from app.domain.ids import new_id
from app.errors import ValidationError
from app.cases import caselog
from app.desk import Actor, Desk
from app.cases.views import case_summary
from app.store.models import Attachment

MAX_BYTES = 50 * 1024 * 1024


def blob_path(desk: Desk, sha256: str) -> Path:
    return desk.attachments_dir / sha256[:2] / sha256


def store_file(desk: Desk, source: Path) -> tuple[str, int]:
    """Copy a file into the content store; returns (sha256, size)."""
    if not source.is_file():
        raise ValidationError(f"文件不存在：{source}", field="path")
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError("附件不能超过 50 MB", field="path")
    h = hashlib.sha256()
    with source.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    target = blob_path(desk, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return digest, size


def attach(desk: Desk, actor: Actor, key: str, path: str | Path, note: str = "") -> dict:
    """Attach a file to a case (the bytes are stored first; the action records the metadata)."""
    source = Path(path)
    digest, size = store_file(desk, source)
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    payload = {"sha256": digest, "filename": source.name, "mime": mime, "size": size}
    if note:
        payload["note"] = note
    with desk.db.tx() as s:
        row = caselog.find_case(s, key)
        row, action = caselog.record(s, desk, actor, row, "attach", payload)
        s.add(Attachment(id=new_id(), case_id=row.id, action_id=action.id, sha256=digest,
                         filename=source.name, mime=mime, size=size))
        return case_summary(row, desk.refs(), desk.now(), actor)
