"""Human numbers of the analysis records: ``<town>-<prefix><yyyymmdd>-<workstation>-<seq>``, e.g.
FS-FX20261127-01-001 (风险), FS-WP… (稳评), FS-ZC… (综合查一次). Unique without the network: the
workstation code is in the number and the sequence is this workstation's own for that day."""
from __future__ import annotations

from sqlalchemy import func, select

from app.desk import Desk
from app.domain.timezone import LOCAL_TZ


def next_number(session, desk: Desk, model, prefix: str) -> str:
    day = desk.now().astimezone(LOCAL_TZ).date()
    head = f"{desk.town_code}-{prefix}{day:%Y%m%d}-{desk.workstation}-"
    last = session.scalar(select(func.max(model.code)).where(model.code.like(head + "%")))
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{head}{seq:03d}"
