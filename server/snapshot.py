"""Snapshot enrolment (issue 15 item 6): a consistent copy of a town as of a sequence number, so
that a new workstation starts from it instead of replaying every page; later changes follow by
page from ``upto``.

The reply is gzip-coded JSON lines, each an array:
``["h", {"upto", "digest"}]`` — the town's high mark and digest, read together from the town row;
``["r", entity, id, owner_level, deleted, fields]`` — every reference record's current state;
``["a", seq, id, case_id, kind, at, actor, actor_name, actor_role, actor_unit, payload, device_id]``
— every accepted action with ``seq <= upto`` in order, ``at`` and ``payload`` already in the
workstation's storage form (``app.store.types``), so it inserts them without parsing them again;
``["c", case_id, fold]`` — the district's fold of every case whose last change is ``<= upto``
(cases changed after ``upto`` are folded by the workstation from the actions);
``["e", {"actions": n, "records": n, "cases": n}]`` — the end (a cut stream is refused);
``["x", seq, why]`` instead of the rest when an action cannot be put in storage form: the
workstation then reads pages, which quarantine what it cannot keep.

Consistency: everything is bounded by ``upto``, read first; a later action is left to the pages; a
record changed later arrives in its newer state and its change again by page (merging is
idempotent); a voided action has left the table (its void change then finds nothing to drop).
"""
from __future__ import annotations

import json
from datetime import datetime

import orjson
from sqlalchemy import select

from app.store.types import dumps, to_sql_dt
from server import directory, scope
from server.auth import ApiError
from server.changes import digest_of
from server.models import Action, Case, Record, Town

CHUNK = 5000


def _line(doc) -> bytes:
    return orjson.dumps(doc) + b"\n"


def _stored_at(at: str) -> str:
    """An action's ISO time in the workstation's storage form (``to_sql_dt``); the usual shape
    (UTC with microseconds, as pushes carry it) by slicing, anything else parsed."""
    if len(at) == 32 and at[10] == "T" and at.endswith("+00:00"):
        return f"{at[:10]} {at[11:26]}"
    return to_sql_dt(datetime.fromisoformat(at))


def lines(db, town_code: str, unit: str | None = None):
    """The snapshot's lines (bytes), read in one read transaction. A unit workstation's holds only
    the cases its unit holds as of ``upto`` (server/scope.py)."""
    with db.read() as s:
        town = s.get(Town, town_code)
        if town is None:
            raise ApiError(401, "auth_invalid", "镇街不存在")
        upto = town.last_seq
        keep = scope.held_at(s, town_code, unit, upto) if unit else None
        yield _line(["h", {"upto": upto, "digest": digest_of(town) if keep is None else None}])
        n_rec = n_act = n_case = 0
        for r in s.execute(select(Record.entity, Record.id, Record.owner_level, Record.deleted, Record.data)
                           .where(Record.scope.in_([town_code, "*"])).order_by(Record.seq)):
            n_rec += 1
            data = json.loads(r.data)
            if r.entity == "user":  # as the change log carries it: never the password hash
                data = directory.public_fields(data)
            yield _line(["r", r.entity, r.id, r.owner_level, bool(r.deleted), data])
        buf = []
        stmt = (select(Action.seq, Action.data).where(Action.town == town_code, Action.seq <= upto)
                .order_by(Action.seq).execution_options(yield_per=CHUNK))
        conn = s.connection()  # Core rows: the ORM's row loading costs as much as the rest per action
        for seq, data in conn.execute(stmt):
            try:
                a = orjson.loads(data)
                if keep is not None and a["case_id"] not in keep:
                    continue
                buf.append(_line(["a", seq, a["id"], a["case_id"], a["kind"],
                                  _stored_at(a["at"]), a["actor"], a["actor_name"],
                                  a["actor_role"], a.get("actor_unit"), dumps(a["payload"]), a["device_id"]]))
            except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as e:
                # not storable as a row: the workstation takes the pages instead (they quarantine it)
                yield b"".join(buf) + _line(["x", seq, type(e).__name__])
                return
            n_act += 1
            if len(buf) >= 500:
                yield b"".join(buf)
                buf = []
        if buf:
            yield b"".join(buf)
            buf = []
        stmt = (select(Case.id, Case.fold).where(Case.town == town_code, Case.last_seq <= upto)
                .execution_options(yield_per=CHUNK))
        for cid, fold in conn.execute(stmt):
            if keep is not None and cid not in keep:
                continue
            buf.append(_line(["c", cid, fold]))
            n_case += 1
            if len(buf) >= 500:
                yield b"".join(buf)
                buf = []
        if buf:
            yield b"".join(buf)
        yield _line(["e", {"actions": n_act, "records": n_rec, "cases": n_case}])


def gzipped(chunks):
    """gzip level 1 over the stream, flushed every ~1 MB."""
    import zlib

    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    pending = 0
    for chunk in chunks:
        out = z.compress(chunk)
        pending += len(chunk)
        if pending >= 1 << 20:
            out += z.flush(zlib.Z_SYNC_FLUSH)
            pending = 0
        if out:
            yield out
    yield z.flush()


__all__ = ["lines", "gzipped"]
