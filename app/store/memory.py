"""Memory use of a long-running desktop process.

The store opens each SQLite connection with a 64 MB page cache (app/store/db.py). The window
keeps several pooled connections (one writer, a few readers, the GUI thread), so a busy session
on a million cases reached ~500 MB resident. The window caps the cache per connection instead;
the operating system still caches the file, so reads stay fast."""
from __future__ import annotations

from sqlalchemy import event


def limit_page_cache(desk, mib: int = 16) -> None:
    """Cap SQLite's page cache of every connection of this Desk at ``mib`` MiB (idempotent)."""
    engine = desk.db.engine
    if getattr(engine, "_towndesk_cache_mib", None) == mib:
        return
    first = not hasattr(engine, "_towndesk_cache_mib")
    engine._towndesk_cache_mib = mib

    if first:
        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn, _record) -> None:
            dbapi_conn.execute(f"PRAGMA cache_size=-{int(engine._towndesk_cache_mib) * 1024}")

    engine.dispose()  # pooled connections reopen with the cap; checked-out ones finish first
