"""Values as the store keeps them, without SQLAlchemy (app.store.types builds its column types on
these; plain-SQL paths such as the command line's case list and audit entry use them directly)."""
from __future__ import annotations

from datetime import UTC, datetime

import orjson


def dumps(value) -> str:
    """Canonical JSON: sorted keys, compact, UTF-8 (stable for hashing on every side)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def to_sql_dt(value: datetime | None) -> str | None:
    """Format an aware datetime the way UTCDateTime stores it (for raw bulk inserts)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # Drop the fixed "+00:00" suffix from the string: cheaper than a naive copy (bulk pulls format millions).
    return value.isoformat(" ", "microseconds")[:-6]


def utcnow() -> datetime:
    return datetime.now(UTC)


def from_sql_dt(value: str | datetime | None) -> datetime | None:
    """A stored UTC datetime (naive text) read back as an aware datetime, as UTCDateTime returns it."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)
