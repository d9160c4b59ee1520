"""The outbox: changes that must go up to the district, written in the change's transaction."""
from __future__ import annotations

import json

from sqlalchemy import inspect

from app.domain.ids import new_id
from app.store.models import OutboxEntry
from app.store.types import dumps


def enqueue(session, desk, entity: str, entity_id: str, payload: dict) -> None:
    session.add(OutboxEntry(id=new_id(), entity=entity, entity_id=entity_id,
                            payload=json.loads(dumps(payload)), created_at=desk.now()))


def record_payload(row) -> dict:
    """All column values of a reference row, JSON-ready. For a changed existing row ``_changed``
    names the columns this change touched, so that the district merges field by field."""
    state = inspect(row)
    out = {c.key: getattr(row, c.key) for c in state.mapper.column_attrs}
    if state.persistent:
        changed = sorted(a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes())
        if changed:
            out["_changed"] = changed
    return out


def enqueue_record(session, desk, entity: str, row) -> None:
    enqueue(session, desk, entity, row.id, record_payload(row))
