"""Column types: UTC datetimes stored naive, returned aware; JSON as text."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

SQL_DT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime stores values


class UTCDateTime(TypeDecorator):
    """Aware UTC datetime in, aware UTC datetime out; stored as naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


class JSONText(TypeDecorator):
    """JSON kept as compact UTF-8 text (readable in the sqlite3 shell, stable for hashing)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else dumps(value)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=_default)


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def to_sql_dt(value: datetime | None) -> str | None:
    """Format an aware datetime the way UTCDateTime stores it (for raw bulk inserts)."""
    return None if value is None else value.astimezone(UTC).strftime(SQL_DT_FORMAT)


def utcnow() -> datetime:
    return datetime.now(UTC)
