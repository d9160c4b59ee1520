"""The district audit (``towndesk-server audit``): what the district must be able to show later.

Kinds: ``enroll``, ``enroll_refused``, ``revoke``, ``rate_limited``, ``forgery`` (a push whose
signature does not verify), ``future`` (an action dated too far after receipt, refused),
``backdated`` (accepted, dated before the device's earlier pushes), ``void`` (a change voided by
the district), ``user.add`` / ``user.set`` (directory changes), ``user.key`` (a user's signing key
registered for a device at an online login there), ``vouched`` (per push batch: users' actions
dated before their device's enrolment, signed by the device), ``anchor_mismatch`` /
``anchor_regressed`` (a workstation's log chain no longer runs through its last anchored head:
server/anchors.py).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from app.domain.timezone import LOCAL_TZ
from server.auth import ApiError
from server.db import now_iso
from server.models import AuditEntry, Town

KINDS = ("enroll", "enroll_refused", "revoke", "rate_limited", "forgery", "future", "backdated", "void",
         "user.add", "user.set", "user.key", "vouched", "anchor_mismatch", "anchor_regressed")


def row(town: str | None, kind: str, *, device: str | None = None, actor: str | None = None,
        subject: str | None = None, detail: dict | None = None, at: str | None = None) -> dict:
    """One audit entry's column values (for a bulk insert)."""
    return dict(town=town, at=at or now_iso(), kind=kind, device=device, actor=(actor or None) and actor[:32],
                subject=(subject or None) and str(subject)[:80],
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None)


def record(session, town: str | None, kind: str, **kw) -> None:
    """Add one audit entry in the caller's transaction."""
    session.add(AuditEntry(**row(town, kind, **kw)))


def parse_since(text: str | None) -> str | None:
    """``--since`` as YYYY-MM-DD (Shanghai day start) or an ISO time; returned as UTC ISO text."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(400, "invalid", "--since 应为日期（YYYY-MM-DD）或带时区的时间") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC).isoformat()


def entries(db, town: str, since: str | None = None) -> list[dict]:
    since_iso = parse_since(since)
    with db.read() as s:
        if s.get(Town, town) is None:
            raise ApiError(404, "town_unknown", f"镇街 {town} 不存在")
        q = select(AuditEntry).where(AuditEntry.town == town)
        if since_iso:
            q = q.where(AuditEntry.at >= since_iso)
        rows = s.scalars(q.order_by(AuditEntry.id)).all()
    return [{"id": r.id, "at": r.at, "kind": r.kind, "town": r.town, "device": r.device, "actor": r.actor,
             "subject": r.subject, "detail": json.loads(r.detail) if r.detail else None} for r in rows]
