"""Reference records (units, grids, staff, categories, rules, users, towns): field-by-field merge
in server order, tombstones for deletes, local pending changes re-applied on top."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import entities
from app.store.models import Base, OutboxEntry
from app.store.types import UTCDateTime
from app.sync import protocol as P

log = logging.getLogger("towndesk.sync")


def model_classes() -> dict[str, list]:
    """Every mapped model that names a synced type (``__entity__``), by that name."""
    found: dict[str, list] = {}
    for mapper in Base.registry.mappers:
        name = mapper.class_.__dict__.get("__entity__")
        if name is not None:
            found.setdefault(name, []).append(mapper.class_)
    return found


# entity -> model, in the registry's order (app.domain.entities); a test checks one model per type
MODELS = {name: classes[0] for name in P.RECORD_ENTITIES if (classes := model_classes().get(name))}
ENTITY_OF = {m: e for e, m in MODELS.items()}


_COLUMNS: dict = {}


def _columns(model) -> dict:
    if model not in _COLUMNS:
        _COLUMNS[model] = {c.key: c for c in model.__table__.columns}
    return _COLUMNS[model]


def _value(column, value):
    if value is not None and isinstance(column.type, UTCDateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def merge_many(session: Session, items, pending: dict | None = None) -> None:
    """Apply a page's record changes ``(entity, id, fields, deleted, owner_level)`` in order."""
    items = list(items)
    rows: dict = {}
    for entity in {i[0] for i in items}:
        model = MODELS[entity]
        ids = [i[1] for i in items if i[0] == entity]
        for start in range(0, len(ids), 500):
            rows.update({(entity, r.id): r for r in session.scalars(
                select(model).where(model.id.in_(ids[start:start + 500])))})
    clashes: dict = {}
    for entity in {i[0] for i in items}:
        model = MODELS[entity]
        codes = [i[2]["code"] for i in items if i[0] == entity and (entity, i[1]) not in rows and i[2].get("code")]
        for start in range(0, len(codes), 500):
            clashes.update({(entity, r.code): r for r in session.scalars(
                select(model).where(model.code.in_(codes[start:start + 500])))})
    with session.no_autoflush:
        for entity, record_id, fields, deleted, owner_level in items:
            row = rows.get((entity, record_id))
            if row is None:
                clash = clashes.pop((entity, fields.get("code")), None)
                row = rows[(entity, record_id)] = _new_row(session, entity, record_id, fields, clash)
            _set(row, entity, fields, deleted, owner_level, pending)
    session.flush()


def _new_row(session: Session, entity: str, record_id: str, fields: dict, clash=None):
    model = MODELS[entity]
    if clash is not None and clash.id != record_id:  # same code, another id: the district's record wins
        clash.code = f"{str(clash.code)[:24]}~{clash.id[:6]}"
        clash.deleted = True
        session.flush()
    row = model(id=record_id)
    for key, col in _columns(model).items():  # defaults for a partial first change
        if key != "id" and col.default is not None and not callable(col.default.arg):
            setattr(row, key, col.default.arg)
    if entity == "user" and "password_hash" not in fields:
        row.password_hash = "!"
    session.add(row)
    return row


def _set(row, entity: str, fields: dict, deleted: bool, owner_level: str, pending: dict | None) -> None:
    cols = _columns(MODELS[entity])
    for key, value in fields.items():
        if key in cols and key != "id" and key not in P.LOCAL_FIELDS:
            setattr(row, key, _value(cols[key], value))
    row.deleted = bool(deleted)
    row.owner_level = owner_level or row.owner_level
    for change in (pending or {}).get((entity, row.id), []):
        for key in change.get("_changed") or [k for k in change if k != "_changed"]:
            if key in cols and key != "id" and key not in P.LOCAL_FIELDS and key in change:
                setattr(row, key, _value(cols[key], change[key]))


def pending_changes(session: Session) -> dict:
    """Local record changes still in the outbox, by (entity, id), in order."""
    out: dict = {}
    for e in session.scalars(select(OutboxEntry).where(OutboxEntry.entity != "action")
                             .order_by(OutboxEntry.device_seq)):
        out.setdefault((e.entity, e.entity_id), []).append(e.payload)
    return out


def town_owned(session: Session) -> list[tuple[str, object]]:
    """Town-owned records of this store (they go up when an existing store enrolls)."""
    out = []
    for entity, model in MODELS.items():
        if entities.BY_NAME[entity].owner == entities.DISTRICT:  # towns: the district's alone
            continue
        for row in session.scalars(select(model).where(model.owner_level == "town").order_by(model.code)):
            out.append((entity, row))
    return out
