"""Alembic environment for the workstation store (batch mode for SQLite)."""
from alembic import context
from sqlalchemy import create_engine

from app.store import supervision_schema  # noqa: F401,E402 (its tables and indexes join the metadata)
from app.store.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # FTS5 virtual tables and their shadow tables are created by hand in migrations.
    return not (type_ == "table" and name.startswith("case_fts"))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      render_as_batch=True, include_object=include_object, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
