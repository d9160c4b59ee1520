"""Attachment bytes, apart from record sync (which never waits for them): uploads resume from the
offset the server reports, in 1-4 MiB chunks; downloads resume from the local partial file; both
are verified by sha256 before they count."""
from __future__ import annotations

import hashlib
import io
import json
import logging

import requests
from sqlalchemy import func, select, text, update

from app.cases.attachments import blob_path, put_blob, read_blob
from app.store import crypto
from app.store.models import Attachment, CaseAction
from app.sync import protocol as P
from app.sync import state as st
from app.sync.transport import SyncError, Transport

log = logging.getLogger("towndesk.sync")


def _sha_of(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def upload_pending(desk, t: Transport, cancel=None) -> dict:
    """Upload the bytes of attachments whose attach action the district accepted."""
    chunk = max(64 << 10, min(P.CHUNK_MAX, desk.setting("sync_chunk_kib") << 10))
    out = {"uploaded": 0, "upload_bytes": 0, "upload_errors": 0}
    with desk.db.read() as s:
        todo = s.execute(select(Attachment.id, Attachment.sha256, Attachment.size)
                         .join(CaseAction, CaseAction.id == Attachment.action_id)
                         .where(Attachment.uploaded.is_(False), CaseAction.status == "accepted")).all()
    for _att, sha, _size in todo:
        if cancel is not None and cancel.is_set():
            break
        plain = read_blob(desk, sha)  # the plain bytes (the local copy is sealed): at most 50 MB
        if plain is None:
            log.warning("attachment %s has no local bytes", sha)
            out["upload_errors"] += 1
            continue
        size = len(plain)
        state = t.json("GET", f"{P.API}/blobs/{sha}/state", P.BlobState)
        offset = state.offset
        with io.BytesIO(plain) as f:
            while not state.complete:
                if offset > size:
                    raise SyncError("服务器报告的附件续传位置不正确", code="bad_reply")
                f.seek(offset)
                data = f.read(chunk)
                try:
                    state = t.json("PUT", f"{P.API}/blobs/{sha}", P.BlobState, data=data,
                                   params={"offset": offset, "size": size},
                                   headers={"Content-Type": "application/octet-stream"})
                except SyncError as e:
                    if e.status != 409:
                        raise
                    state = t.json("GET", f"{P.API}/blobs/{sha}/state", P.BlobState)  # resume where it is
                out["upload_bytes"] += len(data)
                offset = state.offset
        with desk.db.tx() as s:
            s.execute(update(Attachment).where(Attachment.sha256 == sha).values(uploaded=True))
        out["uploaded"] += 1
    return out


def download_missing(desk, t: Transport, cancel=None) -> dict:
    """Fetch the bytes of attachments pulled from other workstations."""
    out = {"downloaded": 0, "download_bytes": 0, "download_errors": 0}
    with desk.db.read() as s:  # only attachments not seen before, and those still missing
        seen = int(st.get(s, "files.rowid", "0"))
        missing = set(json.loads(st.get(s, "files.missing", "[]")))
        top = s.scalar(select(func.coalesce(func.max(text("rowid")), 0)).select_from(Attachment))
        missing |= set(s.scalars(select(Attachment.sha256).where(text("rowid > :r")).params(r=seen)))
    shas = sorted(missing)
    still: set[str] = set()
    try:
        _download(desk, t, shas, out, still, cancel)
    finally:
        with desk.db.tx() as s:
            st.put(s, "files.rowid", top)
            done = set(out.pop("_done", []))
            st.put(s, "files.missing", json.dumps(sorted(still | (set(shas) - done))))
    return out


def _download(desk, t: Transport, shas: list[str], out: dict, still: set, cancel) -> None:
    out["_done"] = []
    for sha in shas:
        if cancel is not None and cancel.is_set():
            break
        target = blob_path(desk, sha)
        if target.exists():
            out["_done"].append(sha)
            continue
        crypto.private_dir(target.parent)
        part = target.with_suffix(".part")
        offset = part.stat().st_size if part.exists() else 0
        try:
            r = t.call("GET", f"{P.API}/blobs/{sha}", params={"offset": offset}, stream=True)
        except SyncError as e:
            if e.status == 404:
                out["download_errors"] += 1  # not uploaded yet by its workstation: later
                still.add(sha)
                out["_done"].append(sha)
                continue
            raise
        try:
            with part.open("ab") as f:
                for data in r.iter_content(1 << 20):
                    f.write(data)
                    out["download_bytes"] += len(data)
        except requests.exceptions.RequestException:
            raise SyncError("附件下载中断，已下载部分会在下次同步时续传", code="offline") from None
        if _sha_of(part) != sha:
            part.unlink(missing_ok=True)
            out["download_errors"] += 1
            still.add(sha)
            out["_done"].append(sha)
            continue
        put_blob(desk, sha, part)  # sealed into place; the plain partial download goes
        part.unlink(missing_ok=True)
        out["downloaded"] += 1
        out["_done"].append(sha)
