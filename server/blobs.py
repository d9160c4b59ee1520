"""Attachment bytes: content-addressed, uploaded in resumable chunks, verified by sha256.

A town may upload or read only the blobs its accepted attach actions name. Partial uploads live
in parts/<town>-<sha256>; the client asks for the received offset and continues from there.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import select

from app.sync import protocol as P
from server import scope
from server.auth import ApiError, Caller
from server.db import now_iso
from server.models import Blob, TownBlob


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        (self.root / "parts").mkdir(parents=True, exist_ok=True)

    def final(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def part(self, town: str, sha: str) -> Path:
        return self.root / "parts" / f"{town}-{sha}"


def _allowed(db, caller: Caller, sha: str) -> None:
    with db.read() as s:
        if s.get(TownBlob, (caller.town, sha)) is None:
            raise ApiError(404, "blob_unknown", "没有引用该附件的已同步操作")
        scope.check_blob(s, caller.town, caller.unit, sha)  # a unit workstation: its unit's cases only


def state(db, store: BlobStore, caller: Caller, sha: str) -> P.BlobState:
    _allowed(db, caller, sha)
    if store.final(sha).exists():
        size = store.final(sha).stat().st_size
        return P.BlobState(sha256=sha, offset=size, complete=True, size=size)
    part = store.part(caller.town, sha)
    return P.BlobState(sha256=sha, offset=part.stat().st_size if part.exists() else 0, complete=False)


def put_chunk(db, store: BlobStore, caller: Caller, sha: str, offset: int, size: int, body: bytes) -> P.BlobState:
    current = state(db, store, caller, sha)
    if current.complete:
        return current
    if offset != current.offset:
        raise ApiError(409, "offset_mismatch", f"续传位置不符：服务器已收到 {current.offset} 字节",
                       {"offset": current.offset})
    if len(body) > P.CHUNK_MAX or offset + len(body) > size:
        raise ApiError(413, "chunk_too_large", "分块过大或超出文件大小")
    part = store.part(caller.town, sha)
    with part.open("ab") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    received = part.stat().st_size
    if received < size:
        return P.BlobState(sha256=sha, offset=received, complete=False)
    h = hashlib.sha256()
    with part.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    if h.hexdigest() != sha:
        part.unlink(missing_ok=True)
        raise ApiError(422, "hash_mismatch", "附件内容与哈希不符，已丢弃，请重新上传", {"offset": 0})
    target = store.final(sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, target)
    with db.tx() as s:
        if s.get(Blob, sha) is None:
            s.add(Blob(sha256=sha, size=size, created_at=now_iso()))
    return P.BlobState(sha256=sha, offset=size, complete=True, size=size)


def open_for_read(db, store: BlobStore, caller: Caller, sha: str, offset: int):
    _allowed(db, caller, sha)
    path = store.final(sha)
    if not path.exists():
        raise ApiError(404, "blob_missing", "附件尚未上传到服务器")
    size = path.stat().st_size
    if offset > size:
        raise ApiError(416, "bad_offset", "续传位置超出文件大小")
    return path, size


def known_shas(db, town: str) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(TownBlob.sha256).where(TownBlob.town == town)))
