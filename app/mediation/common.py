"""What the mediation services and queries share: finding a dispute or a 积案 by its number or its
case's number, the human numbers, and who may do what."""
from __future__ import annotations

from sqlalchemy import func, select

from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.timezone import LOCAL_TZ
from app.errors import NotFound, PermissionDenied
from app.store.models import Backlog, Dispute

LEADERS = (wf.DIRECTOR, wf.ADMIN)                                  # 积案: registered and closed by leaders
MEDIATION_ROLES = (wf.INTAKE, wf.DISPATCHER, wf.DIRECTOR, wf.UNIT, wf.ADMIN)


def require_role(actor: Actor, roles: tuple[str, ...], what: str) -> None:
    if actor.role not in roles:
        names = "、".join(wf.ROLE_LABELS[r] for r in roles)
        raise PermissionDenied(f"{what}须由{names}办理", field="as")


def find_dispute(s, key: str) -> Dispute:
    """A dispute by its number, or by its case's number; NotFound in Chinese otherwise."""
    key = (key or "").strip()
    row = s.scalar(select(Dispute).where(Dispute.code == key, Dispute.deleted.is_(False))) or \
        s.scalar(select(Dispute).where(Dispute.case_no == key, Dispute.deleted.is_(False)))
    if row is None:
        raise NotFound(f"纠纷「{key}」不存在（请用纠纷编号或案件编号）", field="no")
    return row


def find_backlog(s, key: str) -> Backlog:
    key = (key or "").strip()
    row = s.scalar(select(Backlog).where(Backlog.code == key, Backlog.deleted.is_(False))) or \
        s.scalar(select(Backlog).where(Backlog.case_no == key, Backlog.deleted.is_(False)))
    if row is None:
        raise NotFound(f"积案「{key}」不存在（请用积案编号或案件编号）", field="no")
    return row


def next_number(s, desk: Desk, model, prefix: str) -> str:
    """``<prefix>-<town>-<yyyymmdd>-<workstation>-<3-digit seq>``: unique without the network."""
    day = desk.now().astimezone(LOCAL_TZ)
    head = f"{prefix}-{desk.town_code}-{day:%Y%m%d}-{desk.workstation}-"
    n = s.scalar(select(func.count()).select_from(model).where(model.code.like(head + "%"))) or 0
    while s.scalar(select(model.id).where(model.code == f"{head}{n + 1:03d}")) is not None:
        n += 1
    return f"{head}{n + 1:03d}"
