"""What the relay's modules share: its error, the writer's lock, and taking relayed changes into
a workstation's own store (a peer's pull, and the relay workstation itself at every push)."""
from __future__ import annotations

from sqlalchemy import select, text

from app.errors import AppError
from app.store.models import CaseAction
from app.sync import records as rec
from app.sync.pull import _INSERT_ACTION, _side_rows
from app.sync.refold import refold

LAN_STATUS = "lan"


class RelayError(AppError):
    """A request the relay refuses as a whole (HTTP status, code, Chinese message)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message, field="peer", code=code)
        self.status = status


def take_write_lock(s) -> None:
    """Start the transaction as a writer (SQLite's RESERVED lock, waiting out other writers with
    the busy timeout). A transaction that reads first and writes later fails at once with
    'database is locked' when another writer committed in between (WAL snapshot); the relay and
    its own workstation write the same store from several threads."""
    s.execute(text("UPDATE meta SET value = value WHERE key = '~lan-write-lock'"))


def hold(s, decoded) -> None:
    """Relayed changes into this store, in the caller's transaction: another workstation's action
    not yet here becomes a case action with status ``lan`` (folded like a pending one until the
    district decides), records are merged field by field; the affected cases are re-folded."""
    if decoded.actions:
        ids = [p.action.id for p in decoded.actions]
        known = set()
        for start in range(0, len(ids), 500):
            known |= set(s.scalars(select(CaseAction.id).where(CaseAction.id.in_(ids[start:start + 500]))))
        rows, side = [], []
        for p in decoded.actions:
            if p.action.id in known:
                continue
            known.add(p.action.id)
            rows.append(p.row[:10] + (LAN_STATUS, None, "局域网中继已接受，待区级确认"))
            side.append(p.action)
        if rows:
            s.connection().exec_driver_sql(_INSERT_ACTION, rows)
            _side_rows(s, side)
        refold(s, {p.action.case_id for p in decoded.actions})
    if decoded.records:
        pending = rec.pending_changes(s)
        rec.merge_many(s, ((entity, rid, data.fields, data.deleted, data.owner_level)
                           for _seq, entity, rid, data in decoded.records), pending)
