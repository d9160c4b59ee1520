"""Engine and session set-up for the workstation's SQLite file."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

DB_FILENAME = "towndesk.sqlite3"


def make_engine(path: Path | str) -> Engine:
    """An engine whose every connection has WAL, foreign keys and a busy timeout."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record):
        # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN is unreliable).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


class Database:
    """One workstation database: engine plus a session factory."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.engine = make_engine(self.path)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def tx(self):
        """One transaction: commit on success, roll back everything on any error.

        Callables in ``session.info["after_commit"]`` run once the commit succeeded (cache drops).
        """
        with self.Session() as session:
            with session.begin():
                yield session
            for callback in session.info.pop("after_commit", []):
                callback()

    @contextmanager
    def read(self):
        with self.Session() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
