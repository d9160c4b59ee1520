"""Pull: the town's change log after a cursor, in pages, with the digest on the last page.

The town row is read first; its ``last_seq`` was written in the same transaction as the changes
up to it, so every change at or below it is committed and visible: no reader skips a row.
"""
from __future__ import annotations

from sqlalchemy import select

from app.sync import protocol as P
from server import scope
from server.auth import ApiError
from server.models import Action, Change, Received, Town


def digest_of(town: Town) -> dict:
    return {"upto": town.last_seq, "count": town.digest_count, "hash": P.digest_hex(town.digest_xor)}


def page_json(db, town_code: str, after: int, limit: int, unit: str | None = None) -> str:
    """The page as JSON text (stored change documents are embedded as they are). A unit
    workstation's page holds only its unit's cases and no digest (server/scope.py)."""
    with db.read() as s:
        town = s.get(Town, town_code)
        if town is None:
            raise ApiError(401, "auth_invalid", "镇街不存在")
        high = town.last_seq
        if after > high or after < town.min_seq:
            raise ApiError(410, "must_resync", "同步位置已失效（服务器数据已恢复或已压缩），需要完整重新同步",
                           {"must_resync": True, "high": high})
        rows = s.execute(select(Change.seq, Change.entity, Change.entity_id, Change.data, Change.received_at)
                         .where(Change.town == town_code, Change.seq > after, Change.seq <= high)
                         .order_by(Change.seq).limit(limit)).all()
        digest = digest_of(town)
        scoped = scope.page_parts(s, town_code, unit, rows) if unit and rows else None
    nxt = rows[-1].seq if rows else high
    more = nxt < high
    parts = scoped if scoped is not None else [f'{{"seq":{r.seq},"entity":"{r.entity}","id":"{r.entity_id}","data":{r.data}'
                                 + (f',"received_at":"{r.received_at}"}}' if r.received_at else "}") for r in rows]
    tail = "" if more or unit else ',"digest":' + P.canonical(digest)
    return f'{{"changes":[{",".join(parts)}],"next":{nxt},"more":{"true" if more else "false"},"high":{high}{tail}}}'


def digest(db, town_code: str) -> dict:
    with db.read() as s:
        return digest_of(s.get(Town, town_code))


def verdicts(db, town_code: str, ids: list[str]) -> dict:
    """What the district made of these actions: accepted (with its sequence number), or the
    rejection kept with the pushed entry. Actions it has never been sent are left out."""
    ids = [i for i in ids if isinstance(i, str)][: P.MAX_BATCH_ENTRIES]
    out: dict[str, dict] = {}
    with db.read() as s:
        for r in s.execute(select(Received.entity_id, Received.status, Received.reason).where(
                Received.town == town_code, Received.entity == "action", Received.entity_id.in_(ids))):
            if r.status != "accepted":
                out.setdefault(r.entity_id, {"id": r.entity_id, "status": r.status, "reason": r.reason})
        for a in s.execute(select(Action.id, Action.seq).where(Action.town == town_code, Action.id.in_(ids))):
            out[a.id] = {"id": a.id, "status": "accepted", "server_seq": a.seq, "reason": None}
    return {"verdicts": list(out.values())}
