"""Chain anchors: each sync round a workstation sends the heads of its hash-chained logs (the
action log and the audit log, app/store/chain.py) and the district keeps the last one per device
and log. A head moves on only when the request carries the workstation's chain value at the
anchored seq and it equals the anchored value: a log edited on the workstation and re-chained
from there (someone holding the store's key) can never anchor again, and ``towndesk audit verify``
online compares the local chain with the anchor (docs/SECURITY.md "Tamper evidence").

The district cannot check a head by itself (it does not hold the workstation's audit log); what it
guarantees is continuity from the first anchor on. A refused head is audited (``anchor_mismatch``,
``anchor_regressed``) and answered per log in a 200 reply: the round's cases still sync.

A unit workstation (server/scope.py) legitimately re-seals its action log when a case leaves its
unit (app/sync/scope.py removes the case's entries): for that device and that log only, a head
that does not continue the anchor replaces it (``resealed``, audited ``anchor_resealed``). The
audit log, only ever appended to, keeps the strict rule everywhere.
"""
from __future__ import annotations

from sqlalchemy import select

from app.sync import protocol as P
from server import audit
from server.auth import Caller
from server.db import now_iso
from server.models import ChainAnchor

RESEALABLE = "case_actions"  # the log a unit workstation re-seals when a case leaves its unit


def _out(row: ChainAnchor) -> dict:
    return {"seq": row.seq, "chain": row.chain, "count": row.count, "at": row.at}


def list_for(db, caller: Caller) -> dict:
    with db.read() as s:
        rows = s.scalars(select(ChainAnchor).where(ChainAnchor.device_id == caller.device_id,
                                                   ChainAnchor.town == caller.town)).all()
        return {"anchors": {r.log: _out(r) for r in rows}, "status": {}}


def anchor(db, caller: Caller, req: P.AnchorRequest) -> dict:
    status: dict[str, str] = {}
    with db.tx() as s:
        for log, head in req.heads.items():
            row = s.get(ChainAnchor, (caller.device_id, log))
            if row is None:
                s.add(ChainAnchor(device_id=caller.device_id, log=log, town=caller.town, seq=head.seq,
                                  chain=head.chain, count=head.count, at=now_iso()))
                status[log] = "anchored"
                continue
            prev = req.prev.get(log)
            broken = (head.seq < row.seq or head.count < row.count
                      or (prev is not None and prev.seq == row.seq and prev.chain != row.chain))
            if broken and caller.unit and log == RESEALABLE:
                status[log] = "resealed"
                audit.record(s, caller.town, "anchor_resealed", device=caller.device_id, subject=log,
                             detail={"anchored": {"seq": row.seq, "count": row.count},
                                     "head": {"seq": head.seq, "count": head.count}, "unit": caller.unit})
                row.seq, row.chain, row.count, row.at = head.seq, head.chain, head.count, now_iso()
                continue
            if head.seq < row.seq or head.count < row.count:
                status[log] = "regressed"
            elif prev is None or prev.seq != row.seq:
                status[log] = "stale"  # the workstation did not know the anchored seq: it asks again
                continue
            elif prev.chain != row.chain:
                status[log] = "mismatch"
            elif head.seq == row.seq and head.chain == row.chain:
                status[log] = "unchanged"
                continue
            else:
                row.seq, row.chain, row.count, row.at = head.seq, head.chain, head.count, now_iso()
                status[log] = "anchored"
                continue
            audit.record(s, caller.town, f"anchor_{status[log]}", device=caller.device_id, subject=log,
                         detail={"anchored": {"seq": row.seq, "count": row.count},
                                 "head": {"seq": head.seq, "count": head.count},
                                 "prev": prev.model_dump() if prev else None})
    out = list_for(db, caller)
    out["status"] = status
    return out
