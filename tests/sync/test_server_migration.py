"""Upgrading a district server that already holds users: they found each town's directory, so
the towns' actions keep being accepted (in process, SQLite)."""
from __future__ import annotations

import json

from alembic import command
from sqlalchemy import select, text


def test_existing_users_found_the_directory(tmp_path):
    from server import migrate
    from server.db import ServerDB
    from server.models import DirectoryEntry

    db = ServerDB(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        cfg = migrate.config()
        with db.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "s0001")  # a server from before the directory
        with db.write_engine.begin() as conn:
            conn.execute(text("INSERT INTO records (scope, id, entity, owner_level, deleted, seq, data) VALUES "
                              "('FS', 'u1', 'user', 'town', 0, 1, :d)"),
                         {"d": json.dumps({"code": "director", "role": "director", "active": True})})
        migrate.upgrade(db)
        with db.read() as s:
            [row] = s.scalars(select(DirectoryEntry)).all()
        assert (row.town, row.username, row.role, row.active) == ("FS", "director", "director", True)
        assert row.valid_from.startswith("2000-01-01")
    finally:
        db.close()
