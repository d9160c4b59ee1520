"""Where the workstation keeps its sync facts.

``meta``: sync.server, sync.token, sync.db_id, sync.last_success, sync.last_error, sync.last_attempt.
``sync_state``: cursor, digest.count / digest.xor / digest.kind (accepted actions by content, kept
in the same transaction as the rows they describe; digest.full_at: the last full recomputation), chain / chain.next (the rolling secret of this database), and
conflict.record.<entry id> / dismissed.<action id> (JSON) for the conflicts list.
"""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from sqlalchemy import delete, func, select

from app.errors import AppError
from app.store.models import CaseAction, OutboxEntry, Quarantined, SyncState  # noqa: F401
from app.sync import protocol as P


def get(session, key: str, default: str | None = None) -> str | None:
    row = session.get(SyncState, key)
    return row.value if row else default


def put(session, key: str, value) -> None:
    session.merge(SyncState(key=key, value=str(value)))


def drop(session, key: str) -> None:
    session.execute(delete(SyncState).where(SyncState.key == key))


def cursor(session) -> int:
    return int(get(session, "cursor", "0"))


def add_accepted(session, action_ids) -> None:
    """Count actions that just became accepted into the running digest (same transaction), each by
    its content as stored here (protocol.content_hash)."""
    _move_digest(session, list(action_ids), +1)


def drop_accepted(session, action_ids) -> None:
    """Take actions that are no longer accepted (voided by the district) out of the digest."""
    _move_digest(session, list(action_ids), -1)


_CONTENT = ", ".join(P.CONTENT_FIELDS)
DIGEST_KIND = "content"   # sync_state digest.kind: the running digest covers content (not ids)


def _hashes(session, ids: list) -> dict[str, int]:
    conn, out = session.connection(), {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        rows = conn.exec_driver_sql(f"SELECT {_CONTENT} FROM case_actions WHERE id IN ({','.join('?' * len(part))})",
                                    tuple(part)).all()
        out.update((r[0], P.stored_action_hash(r)) for r in rows)
    return out


def _move_digest(session, ids: list, sign: int) -> None:
    if not ids:
        return
    count, xor = int(get(session, "digest.count", "0")), int(get(session, "digest.xor", "0"))
    for h in _hashes(session, ids).values():
        xor ^= h  # XOR: adding and removing an action are the same step
    put(session, "digest.count", count + sign * len(ids))
    put(session, "digest.xor", xor)


def quarantined_hash(entity_id: str, data: str | None) -> int:
    """A quarantined action's value from the change as it came (the district hashed the same)."""
    return P.stored_text_hash(entity_id, data)


def local_digest(session) -> tuple[int, str]:
    """The accepted actions' count and hash, with the actions held in quarantine counted in: the
    district accepted them, this store could not apply them (so a quarantine never looks like a
    lost action and never triggers a repair)."""
    count, xor = int(get(session, "digest.count", "0")), int(get(session, "digest.xor", "0"))
    for aid, data in session.execute(select(Quarantined.entity_id, Quarantined.data)
                                     .where(Quarantined.entity == "action")):
        count += 1
        xor ^= quarantined_hash(aid, data)
    return count, P.digest_hex(xor)


def full_digest(session) -> tuple[int, int]:
    """Recompute the digest from the table, every accepted action's content as stored now (a repair,
    the upgrade from id digests, and the periodic full check: an action edited in the store after
    it was accepted no longer adds what the district adds)."""
    count, xor = 0, 0
    rows = session.connection().exec_driver_sql(f"SELECT {_CONTENT} FROM case_actions WHERE status = 'accepted'")
    for r in rows:
        count += 1
        xor ^= P.stored_action_hash(r)
    return count, xor


def reset_digest(session, at: str | None = None) -> tuple[int, int]:
    """The running digest set from the table (content digest); ``at``: the time of this full
    recomputation (the next one is due ``sync_full_digest_hours`` later)."""
    count, xor = full_digest(session)
    put(session, "digest.count", count)
    put(session, "digest.xor", xor)
    put(session, "digest.kind", DIGEST_KIND)
    if at:
        put(session, "digest.full_at", at)
    return count, xor


def upgrade_digest(session, at: str | None = None) -> bool:
    """A store whose running digest still XORs action ids (before content digests): recompute it
    once from the table. True when it did."""
    if get(session, "digest.kind") == DIGEST_KIND:
        return False
    reset_digest(session, at)
    return True


def settings(desk):
    """Transport settings from the store (server, token, identity) and the typed settings."""
    from app.sync.transport import Settings  # requests: loaded for a round, not for the window's summary()

    server = desk.meta("sync.server")
    if not server:
        raise AppError("本工作站尚未注册到区级服务器，请先运行 towndesk enroll --server URL --code 注册码",
                       code="not_enrolled")
    return Settings(server=server, token=desk.meta("sync.token"), device_id=desk.device_id,
                    db_id=desk.meta("sync.db_id", ""), timeout=desk.setting("sync_timeout_seconds"),
                    attempts=desk.setting("sync_attempts"), proxy=desk.setting("sync_proxy"),
                    ca_bundle=desk.setting("sync_ca_bundle"), insecure=desk.meta("sync.insecure") == "1")


def insecure(desk) -> bool:
    """Enrolled with --insecure and talking plain http:// (the window says 不安全连接)."""
    return desk.meta("sync.insecure") == "1" and str(desk.meta("sync.server") or "").startswith("http://")


def summary(desk) -> dict:
    """Sync facts for ``towndesk status`` and the window's indicator."""
    with desk.db.read() as s:
        pending = s.scalar(select(func.count()).select_from(OutboxEntry))
        conflicts = int(get(s, "rejected.count", "0"))  # kept with the verdicts: no scan of the log
        dismissed = s.scalar(select(func.count()).select_from(SyncState).where(SyncState.key.like("dismissed.%")))
        records = s.scalar(select(func.count()).select_from(SyncState).where(SyncState.key.like("conflict.record.%")))
        cur = cursor(s)
        quarantined = s.scalar(select(func.count()).select_from(Quarantined))
    return {"server": desk.meta("sync.server"), "device_id": desk.device_id, "workstation": desk.meta("workstation"),
            "enrolled": bool(desk.meta("sync.token")), "pending": pending,
            "last_success": desk.meta("sync.last_success"), "last_attempt": desk.meta("sync.last_attempt"),
            "last_error": desk.meta("sync.last_error"),
            "conflicts": conflicts + records + quarantined - dismissed, "quarantined": quarantined,
            "cursor": cur, "insecure": insecure(desk)}


@contextlib.contextmanager
def round_lock(root: Path):
    """One sync round at a time per data dir, across processes (released if the process dies)."""
    path = Path(root) / "sync.lock"
    f = path.open("a+")
    try:
        try:
            if os.name == "nt":
                import msvcrt  # Windows only

                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl  # POSIX only

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise AppError("另一个同步正在进行，请稍后再试", code="sync_busy") from None
        yield
    finally:
        f.close()


def record_conflict(session, entry_id: str, entity: str, entity_id: str, payload: dict, reason: str,
                    code: str | None, at: str) -> None:
    put(session, f"conflict.record.{entry_id}", json.dumps(
        {"entry_id": entry_id, "entity": entity, "entity_id": entity_id, "payload": payload, "reason": reason,
         "code": code, "at": at}, ensure_ascii=False, default=str))
