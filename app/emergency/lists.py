"""Prepared lists, kept in peacetime and shown on the board when the mode starts: people to move
(独居老人, 危房住户, 地质灾害隐患点, 在建工地) per 村社/网格 with contact and status (待转移/已转移/已返回),
and each 村社's emergency teams (监测预警, 转移, 抢险, 后勤) from the staff roster. Synced records
(entities ``evacuee`` and ``emergency_team``); every change with its audit and outbox entry."""
from __future__ import annotations

from sqlalchemy import select

from app import events
from app.desk import Actor, Desk
from app.domain import emergency as E
from app.domain import workflow as wf
from app.domain.ids import new_id
from app.domain.schema import validate
from app.domain.validation import check_phone
from app.errors import NotFound, PermissionDenied, ValidationError
from app.store.audit import audit
from app.store.models import EmergencyTeamMember, Evacuee, Staff
from app.store.outbox import enqueue_record

KEEPERS = (wf.DISPATCHER, wf.DIRECTOR, wf.ADMIN)


def _keeper(actor: Actor) -> None:
    if actor.role not in KEEPERS:
        raise PermissionDenied("应急预案名单由调度员、值班长或管理员维护", field="role")


def _village(desk: Desk, code: str) -> str:
    g = desk.refs().grids.get(code)
    if g is None or g.level != "village":
        raise ValidationError(f"「{code}」不是本镇街的村社代码", field="village")
    return code


def _grid(desk: Desk, code: str | None, village: str) -> str | None:
    if not code:
        return None
    g = desk.refs().grids.get(code)
    if g is None or g.level not in ("grid", "micro") or village not in (g.village, g.parent):
        raise ValidationError(f"「{code}」不是村社 {village} 的网格代码", field="grid")
    return code


def _announce(session) -> None:
    session.info.setdefault("after_commit", []).append(lambda: events.publish(events.EMERGENCY_CHANGED, {"lists": True}))


def add_person(desk: Desk, actor: Actor, data: dict) -> dict:
    """Add a person to move (status 待转移)."""
    _keeper(actor)
    clean = validate(E.EVACUEE_INPUT, data)
    village = _village(desk, clean["village"])
    grid = _grid(desk, clean.get("grid"), village)
    if clean.get("phone"):
        clean["phone"] = check_phone(clean["phone"], field="phone")
    now = desk.now()
    with desk.db.tx() as s:
        rid = new_id()
        row = Evacuee(id=rid, code=rid.replace("-", ""), name=clean["name"], owner_level="town", sample=False,
                      deleted=False, updated_at=now, village_code=village, grid_code=grid, kind=clean["kind"],
                      phone=clean.get("phone"), address=clean.get("address"), note=clean.get("note"),
                      status="pending", status_at=now)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "emergency.person_add", rid, {"village": village, "kind": row.kind})
        enqueue_record(s, desk, "evacuee", row)
        _announce(s)
        return _person(row, desk)


def set_person_status(desk: Desk, actor: Actor, key: str, data: dict) -> dict:
    """Mark a person 待转移 / 已转移 / 已返回."""
    if actor.role not in (*KEEPERS, wf.INTAKE):
        raise PermissionDenied("转移状态由受理员、调度员、值班长或管理员录入", field="role")
    clean = validate(E.EVACUEE_SET_INPUT, data)
    now = desk.now()
    with desk.db.tx() as s:
        row = s.get(Evacuee, key) or s.scalar(select(Evacuee).where(Evacuee.code == key))
        if row is None or row.deleted:
            raise NotFound(f"转移人员「{key}」不存在", field="id")
        before = row.status
        row.status, row.status_at, row.updated_at = clean["status"], now, now
        s.flush()
        audit(s, desk, actor.username, "emergency.person_status", row.id, {"from": before, "to": row.status})
        enqueue_record(s, desk, "evacuee", row)
        _announce(s)
        return _person(row, desk)


def _person(row: Evacuee, desk: Desk) -> dict:
    refs = desk.refs()
    return {"id": row.id, "code": row.code, "name": row.name, "village": row.village_code,
            "village_name": refs.grid_name(row.village_code),
            "grid": row.grid_code, "kind": row.kind, "kind_label": E.EVACUEE_KINDS.get(row.kind, row.kind),
            "phone": row.phone, "address": row.address, "note": row.note, "status": row.status,
            "status_label": E.EVACUEE_STATUS.get(row.status, row.status),
            "status_at": row.status_at.isoformat() if row.status_at else None}


def list_people(desk: Desk, village: str | None = None, status: str | None = None,
                area: list[str] | None = None) -> list[dict]:
    """People to move, by 村社 then name; filtered by one 村社, a status or an area (村社 codes)."""
    if status and status not in E.EVACUEE_STATUS:
        raise ValidationError("转移状态应为：" + "、".join(f"{k}（{v}）" for k, v in E.EVACUEE_STATUS.items()),
                              field="status")
    stmt = select(Evacuee).where(Evacuee.deleted.is_(False)).order_by(Evacuee.village_code, Evacuee.name, Evacuee.id)
    if village:
        stmt = stmt.where(Evacuee.village_code == _village(desk, village))
    if status:
        stmt = stmt.where(Evacuee.status == status)
    if area:
        stmt = stmt.where(Evacuee.village_code.in_(area))
    with desk.db.read() as s:
        return [_person(r, desk) for r in s.scalars(stmt)]


def add_team_member(desk: Desk, actor: Actor, data: dict) -> dict:
    """Put someone on a 村社's emergency team: a staff member of the roster (``staff``: name and phone
    from the roster) or a person named with ``name`` (and ``phone``)."""
    _keeper(actor)
    clean = validate(E.TEAM_INPUT, data)
    village = _village(desk, clean["village"])
    now = desk.now()
    with desk.db.tx() as s:
        name, phone = clean.get("name"), clean.get("phone")
        if clean.get("staff"):
            staff = s.scalar(select(Staff).where(Staff.code == clean["staff"], Staff.deleted.is_(False)))
            if staff is None:
                raise ValidationError(f"网格人员「{clean['staff']}」不在人员名册中", field="staff")
            name, phone = name or staff.name, phone or staff.phone
        if not name:
            raise ValidationError("请填写姓名，或用 --staff 从人员名册选人", field="name")
        if phone:
            phone = check_phone(phone, field="phone")
        rid = new_id()
        row = EmergencyTeamMember(id=rid, code=rid.replace("-", ""), name=name, owner_level="town", sample=False,
                                  deleted=False, updated_at=now, village_code=village, duty=clean["duty"],
                                  staff_code=clean.get("staff"), phone=phone)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "emergency.team_add", rid, {"village": village, "duty": row.duty})
        enqueue_record(s, desk, "emergency_team", row)
        _announce(s)
        return _member(row, desk)


def _member(row: EmergencyTeamMember, desk: Desk) -> dict:
    return {"id": row.id, "name": row.name, "village": row.village_code,
            "village_name": desk.refs().grid_name(row.village_code), "duty": row.duty,
            "duty_label": E.TEAM_DUTIES.get(row.duty, row.duty), "staff": row.staff_code, "phone": row.phone}


def list_teams(desk: Desk, village: str | None = None, area: list[str] | None = None) -> list[dict]:
    stmt = select(EmergencyTeamMember).where(EmergencyTeamMember.deleted.is_(False)) \
        .order_by(EmergencyTeamMember.village_code, EmergencyTeamMember.duty, EmergencyTeamMember.name)
    if village:
        stmt = stmt.where(EmergencyTeamMember.village_code == _village(desk, village))
    if area:
        stmt = stmt.where(EmergencyTeamMember.village_code.in_(area))
    with desk.db.read() as s:
        return [_member(r, desk) for r in s.scalars(stmt)]


def shown_phone(role: str | None, phone: str | None) -> str:
    """A phone as a table or the CLI's text shows it: whole for the roles that see personal data
    (app.cases.views.SEE_PERSONAL, as for a case's reporter), else 138****5678. JSON keeps it whole
    (the services' contract)."""
    from app.cases.views import SEE_PERSONAL, mask_phone

    return (phone if role in SEE_PERSONAL else mask_phone(phone)) or ""
