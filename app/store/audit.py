"""The audit log: who did what, written in the caller's transaction."""
from __future__ import annotations

from app.domain.ids import new_id
from app.store.models import AuditEntry


def audit(session, desk, actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
    session.add(AuditEntry(id=new_id(), at=desk.now(), actor=actor, action=action, target=target, detail=detail))
