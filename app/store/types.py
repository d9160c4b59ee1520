"""Column types: UTC datetimes stored naive, returned aware; JSON as text."""
from __future__ import annotations

from datetime import UTC, datetime

import orjson
from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

from app.store.values import dumps, to_sql_dt, utcnow  # noqa: F401 — re-exported: callers import them from here


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
        return None if value is None else orjson.loads(value)
