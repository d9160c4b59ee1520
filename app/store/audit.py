"""The audit log: who did what, written in the caller's transaction."""
from __future__ import annotations

from app.domain.ids import new_id
from app.store.values import dumps, to_sql_dt


def audit(session, desk, actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
    from app.store.models import AuditEntry  # loaded already by whoever holds an ORM session

    session.add(AuditEntry(id=new_id(), at=desk.now(), actor=actor, action=action, target=target, detail=detail))


def audit_raw(conn, desk, actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
    """The same entry on a DB-API connection inside the caller's transaction (Database.raw_tx),
    stored exactly as the ORM's column types store it: a read command audits its use without
    loading the ORM."""
    conn.execute("INSERT INTO audit_log(id, at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                 (new_id(), to_sql_dt(desk.now()), actor, action, target, None if detail is None else dumps(detail)))
