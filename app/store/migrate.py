"""Apply Alembic migrations on open (after a backup when an existing store must move).

Alembic costs ~0.1 s of imports (its DDL modules for every dialect), and almost every open finds the
store already at head. So the check is cheap and Alembic-free: the scripts' head is read from the
``revision`` / ``down_revision`` lines of the files in migrations/versions, the store's revision
with one SELECT; Alembic is imported only when a migration is due (or by the helpers that need it).
tests/services/test_migrate_lazy.py checks that this reading agrees with Alembic's.
"""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
_ASSIGN = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*(?:#.*)?$", re.M)


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config  # Alembic only when migrating (see the module docstring)

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


@lru_cache(maxsize=4)
def _read_scripts(versions: Path) -> dict[str, tuple[str, ...]]:
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted(versions.glob("*.py")):
        found = dict(m.groups() for m in _ASSIGN.finditer(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        rev = ast.literal_eval(found["revision"])
        down = ast.literal_eval(found.get("down_revision", "None"))
        graph[rev] = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    if not graph:
        raise FileNotFoundError(f"no migration scripts in {versions}")
    return graph


def script_revisions() -> dict[str, tuple[str, ...]]:
    """Every script's revision -> its down revisions, read from the files' text (no Alembic)."""
    return _read_scripts(MIGRATIONS / "versions")


def head_revision() -> str:
    graph = script_revisions()
    heads = set(graph) - {d for downs in graph.values() for d in downs}
    if len(heads) == 1:
        return heads.pop()
    from alembic.script import ScriptDirectory  # several heads: let Alembic say what is wrong

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine) -> str | None:
    """The store's revision, from an Engine or a DB-API connection (Database.connection(): the
    check on open needs no SQLAlchemy)."""
    if hasattr(engine, "raw_connection"):
        raw = engine.raw_connection()
        try:
            return current_revision(raw.driver_connection)
        finally:
            raw.close()
    conn = engine
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone() is None:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def upgrade(engine: Engine) -> bool:
    """Bring the store to head. Returns True when a migration ran."""
    if current_revision(engine) == head_revision():
        return False
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True


def known_revisions() -> set[str]:
    """Every revision this program knows (a store or backup at another one is newer)."""
    return set(script_revisions())
