"""Server engine set-up: SQLite for development (WAL, one writer at a time), PostgreSQL in
production. Write transactions lock their town row first, so sequence numbers are allocated and
committed in one order and a reader following the cursor never skips a change."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.models import Town

DEFAULT_URL = "sqlite:///towndesk-server.sqlite3"


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def normalize_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, hide_parameters=True,  # no personal data in error messages and logs
                           connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=60000", "synchronous=NORMAL", "foreign_keys=ON"):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class ServerDB:
    """Engines and sessions. On SQLite, writers begin IMMEDIATE (no lock upgrades, no deadlock)."""

    def __init__(self, url: str = DEFAULT_URL):
        self.url = normalize_url(url)
        self.sqlite = self.url.startswith("sqlite")
        if self.sqlite:
            self.read_engine = _sqlite_engine(self.url, immediate=False)
            self.write_engine = _sqlite_engine(self.url, immediate=True)
        else:
            self.read_engine = self.write_engine = create_engine(
                self.url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.read_engine.url.database) if self.sqlite and self.read_engine.url.database else None

    @contextmanager
    def tx(self):
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self):
        with self._read() as session, session.begin():
            yield session

    def close(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()


def lock_town(session: Session, code: str) -> Town | None:
    """The town row, locked until commit (PostgreSQL: FOR UPDATE; SQLite: the writer lock)."""
    stmt = select(Town).where(Town.code == code)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)
