"""网格事项准入清单: the task kinds that may be sent down to grid staff (synced records, entity
``grid_admission``). A task outside the list is refused (``check``) with a message that names the
kind and says where the list is kept."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.ids import stable_id
from app.domain.schema import clean_text
from app.errors import PermissionDenied, ValidationError
from app.store.audit import audit
from app.store.models import GridAdmission
from app.store.outbox import enqueue_record

KIND = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def list_admissions(desk: Desk) -> list[dict]:
    with desk.db.read() as s:
        rows = s.scalars(select(GridAdmission).where(GridAdmission.deleted.is_(False)).order_by(GridAdmission.code))
        return [{"kind": r.code, "name": r.name, "note": r.note} for r in rows]


def check(desk: Desk, kind: str) -> dict:
    """The admitted kind, or a refusal naming it (exit 2 on the CLI)."""
    kind = (kind or "").strip()
    with desk.db.read() as s:
        row = s.scalar(select(GridAdmission).where(GridAdmission.code == kind, GridAdmission.deleted.is_(False)))
    if row is None:
        listed = "、".join(f"{a['name']}（{a['kind']}）" for a in list_admissions(desk)) or "（清单为空）"
        raise ValidationError(f"事项「{kind}」不在网格事项准入清单内，不能下派给网格人员。准入事项：{listed}",
                              field="kind")
    return {"kind": row.code, "name": row.name, "note": row.note, "admitted": True}


def _keeper(actor: Actor) -> None:
    if actor.role not in (wf.DIRECTOR, wf.ADMIN):
        raise PermissionDenied("只有主任或管理员可以维护网格事项准入清单", field="role")


def add(desk: Desk, actor: Actor, kind: str, name: str, note: str | None = None, *, sample: bool = False) -> dict:
    _keeper(actor)
    kind = (kind or "").strip()
    if not KIND.match(kind):
        raise ValidationError("事项代码应为 2 至 32 位小写字母、数字或下划线，以字母开头", field="kind")
    name = clean_text(name or "", multiline=False)
    if not name or len(name) > 100:
        raise ValidationError("请填写事项名称（不超过 100 字）", field="name")
    note = clean_text(note, multiline=False)[:200] if note else None
    with desk.db.tx() as s:
        row = s.get(GridAdmission, stable_id("grid_admission", kind))
        if row is None:
            row = GridAdmission(id=stable_id("grid_admission", kind), code=kind, owner_level="town", sample=sample)
            s.add(row)
        row.name, row.note, row.deleted, row.updated_at = name, note, False, desk.now()
        s.flush()
        audit(s, desk, actor.username, "grid.admission_add", kind, {"name": name})
        enqueue_record(s, desk, "grid_admission", row)
    return {"kind": kind, "name": name, "note": note}


def remove(desk: Desk, actor: Actor, kind: str) -> dict:
    _keeper(actor)
    with desk.db.tx() as s:
        row = s.scalar(select(GridAdmission).where(GridAdmission.code == kind, GridAdmission.deleted.is_(False)))
        if row is None:
            raise ValidationError(f"事项「{kind}」不在准入清单内", field="kind")
        row.deleted, row.updated_at = True, desk.now()
        s.flush()
        audit(s, desk, actor.username, "grid.admission_remove", kind, None)
        enqueue_record(s, desk, "grid_admission", row)
    return {"kind": kind, "removed": True}
