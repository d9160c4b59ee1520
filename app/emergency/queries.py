"""Reads of emergency mode: the active emergency, ``emergency status`` (the live counts), the
board (per-task per-target status, the prepared lists of the area) and one emergency in full
(the summary PDF). Plain dicts out; no writes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.desk import Desk
from app.domain import emergency as E
from app.errors import NotFound
from app.store.models import (
    Case,
    Emergency,
    EmergencyReceipt,
    EmergencyTask,
    EmergencyTeamMember,
    Evacuee,
)


def active_row(session) -> Emergency | None:
    """The emergency in force (the latest started when two workstations started one offline)."""
    return session.scalars(select(Emergency).where(Emergency.stopped_at.is_(None), Emergency.deleted.is_(False))
                           .order_by(Emergency.started_at.desc(), Emergency.id.desc()).limit(1)).first()


def find_emergency(session, key: str) -> Emergency:
    row = session.get(Emergency, key) or session.scalar(select(Emergency).where(Emergency.code == key))
    if row is None or row.deleted:
        raise NotFound(f"应急响应「{key}」不存在", field="id")
    return row


def find_task(session, key: str) -> EmergencyTask:
    row = session.get(EmergencyTask, key) or session.scalar(select(EmergencyTask).where(EmergencyTask.code == key))
    if row is None or row.deleted:
        raise NotFound(f"应急任务「{key}」不存在", field="task_id")
    return row


def area_out(area: str) -> str | list[str]:
    """``all`` for the whole town, else the list of 村社 codes."""
    return E.ALL if area == E.ALL else E.split_codes(area)


def active(desk: Desk) -> dict | None:
    """The emergency in force as {id, code, name, type, type_label, level, area, started_at, started_by,
    reason, categories} (categories: the type's intake categories this town has), or None."""
    with desk.db.read() as s:
        row = active_row(s)
        if row is None:
            return None
        out = _head(row)
    cats = desk.refs().categories
    out["categories"] = [c for c in E.CATEGORIES.get(out["type"], ()) if c in cats]
    return out


def _head(row: Emergency) -> dict:
    return {"id": row.id, "code": row.code, "name": row.name, "type": row.type,
            "type_label": E.TYPES.get(row.type, row.type), "level": row.level, "level_label": E.level_label(row.level),
            "area": area_out(row.area), "reason": row.reason, "started_at": row.started_at.isoformat(),
            "started_by": row.started_by,
            "stopped_at": row.stopped_at.isoformat() if row.stopped_at else None, "stopped_by": row.stopped_by,
            "stop_reason": row.stop_reason}


def _tasks(s, emergency_id: str) -> list[EmergencyTask]:
    return list(s.scalars(select(EmergencyTask).where(EmergencyTask.emergency_id == emergency_id,
                                                      EmergencyTask.deleted.is_(False))
                          .order_by(EmergencyTask.created_at, EmergencyTask.id)))


def _receipts(s, task_ids: list[str]) -> dict[str, list]:
    """task id -> the latest receipt of each of its targets (rows with id, target, status, count,
    note, at), read with one window query over the (task_id, target, at) index."""
    out: dict[str, list] = {t: [] for t in task_ids}
    R = EmergencyReceipt
    for start in range(0, len(task_ids), 500):
        ranked = select(R.id, R.task_id, R.target, R.status, R.count, R.note, R.at,
                        func.row_number().over(partition_by=(R.task_id, R.target),
                                               order_by=(R.at.desc(), R.id.desc())).label("rank")) \
            .where(R.task_id.in_(task_ids[start:start + 500]), R.deleted.is_(False)).subquery()
        for row in s.execute(select(ranked).where(ranked.c.rank == 1)):
            out[row.task_id].append(row)
    return out


def status(desk: Desk) -> dict:
    """``emergency status --json``: the active emergency and, per task, its targets counted by their
    latest receipt (acknowledged, in_progress, done, none) and ``overdue`` (targets not done once the
    deadline has passed)."""
    now = desk.now()
    with desk.db.read() as s:
        row = active_row(s)
        if row is None:
            return {"active": False, "id": None, "type": None, "level": None, "area": None, "tasks": []}
        tasks = _tasks(s, row.id)
        receipts = _receipts(s, [t.id for t in tasks])
        return {"active": True, "id": row.id, "type": row.type, "level": row.level, "area": area_out(row.area),
                "tasks": [{"id": t.id, "title": t.name, "due_at": t.due_at.isoformat(),
                           "targets": len(E.split_codes(t.targets)),
                           "receipts": E.tally(E.split_codes(t.targets), receipts[t.id], t.due_at, now)}
                          for t in tasks]}


def task_rows(desk: Desk, s, emergency_id: str, now) -> list[dict]:
    """Each task with its per-target lines {code, name, status, state, count, note, at} (state:
    the latest status, or ``overdue`` past the deadline without 已完成) and its tally."""
    refs = desk.refs()
    tasks = _tasks(s, emergency_id)
    receipts = _receipts(s, [t.id for t in tasks])
    out = []
    for t in tasks:
        targets = E.split_codes(t.targets)
        latest = E.latest_receipts(receipts[t.id])
        lines = []
        for code in targets:
            r = latest.get(code)
            lines.append({"code": code, "name": refs.grid_name(code), "status": r.status if r else None,
                          "state": E.target_state(r.status if r else None, t.due_at, now),
                          "count": r.count if r else None, "note": r.note if r else "",
                          "at": r.at.isoformat() if r else None})
        out.append({"id": t.id, "title": t.name, "instructions": t.instructions, "due_at": t.due_at.isoformat(),
                    "created_at": t.created_at.isoformat(), "created_by": t.created_by, "targets": lines,
                    "receipts": E.tally(targets, receipts[t.id], t.due_at, now),
                    "moved": sum(line["count"] or 0 for line in lines if line["status"] == "done")})
    return out


def board(desk: Desk) -> dict:
    """What the emergency board shows: the active emergency (None in peacetime), its tasks with
    per-target status, and the prepared lists (people to move, teams) of its area."""
    now = desk.now()
    with desk.db.read() as s:
        row = active_row(s)
        if row is None:
            return {"active": None, "tasks": [], "people": people_counts(s, None), "cases": None}
        head = _head(row)
        area = [] if row.area == E.ALL else E.split_codes(row.area)
        return {"active": head, "tasks": task_rows(desk, s, row.id, now), "people": people_counts(s, area),
                "teams": team_counts(s, area), "cases": case_counts(s, row, area, now)}


def people_counts(s, area: list[str] | None) -> dict:
    """Prepared people to move in the area (None or []: the whole town), by status."""
    stmt = select(Evacuee.status, func.count()).where(Evacuee.deleted.is_(False)).group_by(Evacuee.status)
    if area:
        stmt = stmt.where(Evacuee.village_code.in_(area))
    out = dict.fromkeys(E.EVACUEE_STATUS, 0)
    out.update({k: n for k, n in s.execute(stmt)})
    out["total"] = sum(out[k] for k in E.EVACUEE_STATUS)
    return out


def team_counts(s, area: list[str]) -> dict:
    stmt = select(EmergencyTeamMember.duty, func.count()).where(EmergencyTeamMember.deleted.is_(False)) \
        .group_by(EmergencyTeamMember.duty)
    if area:
        stmt = stmt.where(EmergencyTeamMember.village_code.in_(area))
    out = dict.fromkeys(E.TEAM_DUTIES, 0)
    out.update({k: n for k, n in s.execute(stmt)})
    return out


def case_conditions(row: Emergency, area: list[str], until) -> list:
    """Cases of an emergency: taken in between its start and its stop (or now), in its area (any
    村社 for the whole town)."""
    conds = [Case.received_at >= row.started_at, Case.received_at <= until]
    if area:
        conds.append(Case.village.in_(area))
    return conds


def case_counts(s, row: Emergency, area: list[str], now) -> dict:
    until = row.stopped_at or now
    conds = case_conditions(row, area, until)
    taken = s.scalar(select(func.count()).select_from(Case).where(*conds)) or 0
    closed = s.scalar(select(func.count()).select_from(Case).where(*conds, Case.closed_at.is_not(None),
                                                                   Case.closed_at <= until)) or 0
    urgent = s.scalar(select(func.count()).select_from(Case).where(*conds, Case.urgency == "urgent")) or 0
    return {"taken": taken, "closed": closed, "urgent": urgent}


def emergency_cases(desk: Desk, limit: int = 200) -> list[dict]:
    """The active emergency's cases (see ``case_conditions``), urgent first, newest first."""
    with desk.db.read() as s:
        row = active_row(s)
        if row is None:
            return []
        area = [] if row.area == E.ALL else E.split_codes(row.area)
        rows = s.execute(select(Case.case_no, Case.title, Case.state, Case.urgency, Case.village, Case.received_at)
                         .where(*case_conditions(row, area, desk.now()))
                         .order_by((Case.urgency == "urgent").desc(), Case.received_at.desc()).limit(limit))
        return [{"case_no": r.case_no, "title": r.title, "state": r.state, "urgency": r.urgency,
                 "village": r.village, "received_at": r.received_at.isoformat()} for r in rows]


def summary(desk: Desk, key: str) -> dict:
    """One emergency in full, for its summary PDF: head, timeline, tasks with receipt rates,
    people moved and returned, cases taken in and closed during it."""
    now = desk.now()
    with desk.db.read() as s:
        row = find_emergency(s, key)
        area = [] if row.area == E.ALL else E.split_codes(row.area)
        tasks = task_rows(desk, s, row.id, row.stopped_at or now)
        people = people_counts(s, area)
        cases = case_counts(s, row, area, now)
        head = _head(row)
    refs = desk.refs()
    head["area_label"] = "全镇街" if head["area"] == E.ALL else "、".join(refs.grid_name(c) or c for c in head["area"])
    timeline = [(head["started_at"], f"{head['started_by']} 启动{row.name}：{head['reason']}")]
    for t in tasks:
        timeline.append((t["created_at"], f"{t['created_by']} 下发任务「{t['title']}」至 {len(t['targets'])} 个对象"))
    if head["stopped_at"]:
        timeline.append((head["stopped_at"], f"{head['stopped_by']} 结束应急响应：{head['stop_reason']}"))
    return {"emergency": head, "tasks": tasks, "people": people, "cases": cases,
            "moved_reported": sum(t["moved"] for t in tasks), "timeline": sorted(timeline)}


def is_emergency_case(item: dict, current: dict | None) -> bool:
    """A case view (``received_at``, ``location.village``) belongs to the emergency in force: taken in
    since it started, in its area (anywhere for the whole town)."""
    if not current or not item.get("received_at"):
        return False
    if datetime.fromisoformat(item["received_at"]) < datetime.fromisoformat(current["started_at"]):
        return False
    village = (item.get("location") or {}).get("village")
    return current["area"] == E.ALL or village in current["area"]


def emergency_first(items: list[dict], current: dict | None) -> list[dict]:
    """The loaded items with the emergency's cases first (order otherwise kept), each marked
    ``emergency: True``."""
    if not current:
        return items
    for item in items:
        item["emergency"] = is_emergency_case(item, current)
    return sorted(items, key=lambda i: not i["emergency"])
