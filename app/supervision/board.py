"""Deadlines at work: the 超期/临期 board, yellow/red reminders (one per case per change),
催办 proposals the day after a missed deadline, and 督办 (issue, reply, open list).

督办 is the workflow action ``urge`` {level, instruction, reply_by}; the unit answers with
``urge_reply`` {note}. Both go through app.cases.handling.act like every other action.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import text

from app import events
from app.cases import handling
from app.cases.views import urge_view
from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.timezone import LOCAL_TZ
from app.errors import AppError, ValidationError
from app.store import supervision_schema  # noqa: F401 (tables and indexes)
from app.store.types import to_sql_dt
from app.supervision import indicators

DEADLINE_CHANGED = "deadline_changed"  # app.events: {"notices": [...], "total": n}
URGEABLE = tuple(s for s in wf.ACTIONS["urge"].moves if s != wf.SUSPENDED)  # 挂账: the clock is stopped
LEVEL_ORDER = {"red": 0, "yellow": 1, "normal": 2}
_OPEN = ",".join(f"'{s}'" for s in wf.OPEN_STATES)
_COLOUR = "CASE WHEN c.clock_due_at < :now THEN 'red' ELSE 'yellow' END"
# Yellow or red now. A running clock (clock_due_at set) exists only in open states (casefold._set_clock).
_LIT = "c.clock_due_at IS NOT NULL AND (c.clock_due_at < :now OR c.clock_warn_at <= :now)"
BASELINE_KEY = "supervision.notices_baseline"


def _filter_unit(refs, unit, conds: list, params: dict) -> None:
    """Add ``c.unit = :unit`` for a unit given by code or name (ValidationError if unknown)."""
    u = refs.find_unit(str(unit))
    if u is None:
        raise ValidationError(f"单位「{unit}」不存在", field="unit")
    conds.append("c.unit = :unit")
    params["unit"] = u.code

def _dt(v) -> datetime | None:
    if v is None:
        return None
    v = datetime.fromisoformat(v) if isinstance(v, str) else v
    return v if v.tzinfo else v.replace(tzinfo=UTC)


def _workdays(desk: Desk, a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    sign = 1 if b >= a else -1
    lo, hi = (a, b) if sign > 0 else (b, a)
    return round(sign * desk.calendar().worktime_between(lo, hi).total_seconds() / 86400, 2)


# -- 超期/临期 board ----------------------------------------------------------------------------

def board(desk: Desk, unit: str | None = None, colour: str | None = None, limit: int = 50) -> dict:
    """Red and yellow open cases by unit: counts for every unit and the most urgent cases."""
    if colour not in (None, "red", "yellow"):
        raise ValidationError("颜色应为 red 或 yellow", field="color")
    if not 1 <= limit <= 1000:
        raise ValidationError("条数应为 1 至 1000", field="limit")
    now = desk.now()
    refs = desk.refs()
    params = {"now": to_sql_dt(now), "limit": limit}
    conds = [_LIT]
    if unit:
        _filter_unit(refs, unit, conds, params)
    if colour:
        conds.append(f"{_COLOUR} = :colour")
        params["colour"] = colour
    where = " AND ".join(conds)
    per_unit: dict = {}
    for u, c in indicators.open_by(desk, "unit", now).items():  # the counts from the indicator facts
        if (unit and u != params["unit"]) or not (c.overdue or c.warning):
            continue
        per_unit[u] = {"red": c.overdue if colour != "yellow" else 0, "yellow": c.warning if colour != "red" else 0}
    with desk.db.read() as s:
        rows = s.execute(text(
            f"SELECT c.case_no, c.title, c.unit, c.state, c.clock_due_at, c.urge_level, c.urge_count, "
            f"{_COLOUR}, c.urge_reply_by FROM cases c WHERE {where} ORDER BY c.clock_due_at, c.rid LIMIT :limit"),
            params).all()
    units = [{"unit": u, "name": refs.unit_name(u) or "（未指定）", **v} for u, v in per_unit.items()
             if v["red"] or v["yellow"]]
    units.sort(key=lambda x: (-x["red"], -x["yellow"], x["name"]))
    cases = [_board_item(desk, refs, now, r) for r in rows]
    return {"now": now.isoformat(), "red": sum(x["red"] for x in units), "yellow": sum(x["yellow"] for x in units),
            "units": units, "cases": cases}


def _board_item(desk: Desk, refs, now: datetime, r) -> dict:
    due = _dt(r[4])
    return {"case_no": r[0], "title": r[1], "unit": r[2], "unit_name": refs.unit_name(r[2]),
            "state": r[3], "state_label": wf.STATE_LABELS[r[3]], "due_at": due.isoformat() if due else None,
            "color": r[7], "urge_level": r[5], "urge_count": r[6], "urge": urge_view(r[5], r[6], r[8], r[3]),
            # positive: working days overdue; negative: working days left
            "overdue_days": _workdays(desk, due, now)}


# -- reminders ---------------------------------------------------------------------------------

FULL_SCAN_HOURS = 6  # a full comparison now and then also catches changes no action announced


def scan_reminders(desk: Desk, publish: bool = True, limit: int = 200) -> dict:
    """Record colour changes since the last scan and return one notice per changed case.

    The very first scan of a store records the current colours silently (no flood of old cases).
    Cases that turned green again or closed are forgotten, so a later change is announced anew.
    Later scans are incremental: only cases whose deadline or warning instant passed since the last
    scan, or that got an action since, are compared (a full comparison every FULL_SCAN_HOURS).
    """
    now = desk.now()
    p = {"now": to_sql_dt(now)}
    with desk.db.tx() as s:
        raw = s.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": BASELINE_KEY}).scalar()
        last = json.loads(raw) if raw and raw.startswith("{") else None
        seq = s.execute(text("SELECT coalesce(max(seq), 0) FROM case_actions")).scalar()
        full_at = datetime.fromisoformat(last["full"]) if last else None
        if last is None or now < datetime.fromisoformat(last["at"]) or \
                (now - full_at).total_seconds() > FULL_SCAN_HOURS * 3600:
            changed = _full_scan(s, p)
            full_at = now
        else:
            changed = _incremental_scan(s, p, to_sql_dt(datetime.fromisoformat(last["at"])), last["seq"])
        if changed:
            s.execute(text("INSERT OR REPLACE INTO deadline_notices (case_id, colour, due_at, notified_at) "
                           "VALUES (:id, :col, :due, :now)"),
                      [{"id": r[0], "col": r[4], "due": r[5], "now": p["now"]} for r in changed])
        s.execute(text("INSERT OR REPLACE INTO meta (key, value) VALUES (:k, :v)"),
                  {"k": BASELINE_KEY, "v": json.dumps({"at": now.isoformat(), "seq": seq,
                                                       "full": full_at.isoformat()})})
    if last is None:
        return {"notices": [], "total": 0, "baseline": len(changed)}
    refs = desk.refs()
    notices = [{"case_no": r[1], "title": r[2], "unit": r[3], "unit_name": refs.unit_name(r[3]), "color": r[4],
                "due_at": _dt(r[5]).isoformat() if r[5] else None,
                "message": f"{r[1]} {'已超期' if r[4] == 'red' else '即将超期'}（{refs.unit_name(r[3]) or '未指定'}）"}
               for r in changed[:limit]]
    out = {"notices": notices, "total": len(changed)}
    if publish and changed:
        events.publish(DEADLINE_CHANGED, out)
    return out


_CHANGED = (f"SELECT c.id, c.case_no, c.title, c.unit, {_COLOUR} AS col, c.clock_due_at FROM cases c "
            f"LEFT JOIN deadline_notices n ON n.case_id = c.id WHERE {_LIT} AND (n.case_id IS NULL "
            f"OR n.colour != {_COLOUR} OR n.due_at IS NOT c.clock_due_at)")


def _full_scan(s, p: dict) -> list:
    s.execute(text(f"DELETE FROM deadline_notices WHERE case_id IN (SELECT n.case_id FROM deadline_notices n "
                   f"JOIN cases c ON c.id = n.case_id WHERE NOT ({_LIT}))"), p)
    return s.execute(text(_CHANGED + " ORDER BY c.clock_due_at"), p).all()


def _incremental_scan(s, p: dict, last_at: str, last_seq: int) -> list:
    ids = {r[0] for r in s.execute(text(
        "SELECT id FROM cases WHERE clock_due_at >= :last AND clock_due_at < :now "
        "UNION SELECT id FROM cases WHERE clock_due_at >= :last AND clock_warn_at > :last AND clock_warn_at <= :now "
        "UNION SELECT DISTINCT case_id FROM case_actions WHERE seq > :seq"),
        {**p, "last": last_at, "seq": last_seq})}
    changed = []
    ids = sorted(ids)
    for i in range(0, len(ids), 500):
        chunk = {f"i{j}": c for j, c in enumerate(ids[i:i + 500])}
        names = ",".join(f":{k}" for k in chunk)
        s.execute(text(f"DELETE FROM deadline_notices WHERE case_id IN (SELECT n.case_id FROM deadline_notices n "
                       f"JOIN cases c ON c.id = n.case_id WHERE n.case_id IN ({names}) AND NOT ({_LIT}))"),
                  {**p, **chunk})
        changed += s.execute(text(_CHANGED + f" AND c.id IN ({names})"), {**p, **chunk}).all()
    changed.sort(key=lambda r: str(r[5]))
    return changed


# -- 催办 proposals ------------------------------------------------------------------------------

def urge_proposals(desk: Desk, limit: int = 200) -> list[dict]:
    """Open cases whose running deadline was missed before today (local) and that have had no 督办
    since: a 催办 is proposed, its level rising with earlier 督办 (普通 -> 黄牌 -> 红牌)."""
    now = desk.now()
    today = datetime.combine(now.astimezone(LOCAL_TZ).date(), time.min, LOCAL_TZ)
    states = ",".join(f"'{s}'" for s in URGEABLE)
    # "+c.state": walk ix_cases_clock in deadline order and stop at the limit (the state index
    # would collect every open case of the store first and sort them)
    with desk.db.read() as s:
        rows = s.execute(text(
            f"SELECT c.case_no, c.title, c.unit, c.state, c.clock_due_at, c.urge_count FROM cases c "
            f"WHERE c.clock_due_at < :today AND +c.state IN ({states}) AND NOT EXISTS (SELECT 1 FROM case_actions a "
            f"WHERE a.case_id = c.id AND +a.kind = 'urge' AND a.at >= c.clock_due_at) "
            f"ORDER BY c.clock_due_at, c.rid LIMIT :limit"), {"today": to_sql_dt(today), "limit": limit}).all()
    refs = desk.refs()
    out = []
    for no, title, unit, state, due, urged in rows:
        due = _dt(due)
        level = "normal" if not urged else ("yellow" if urged == 1 else "red")
        out.append({"case_no": no, "title": title, "unit": unit, "unit_name": refs.unit_name(unit),
                    "state": state, "state_label": wf.STATE_LABELS[state], "due_at": due.isoformat(),
                    "overdue_days": _workdays(desk, due, now), "urge_count": urged, "level": level,
                    "level_label": wf.URGE_LEVELS[level],
                    "instruction": f"该件已超过{'签收' if state == wf.DISPATCHED else '办理'}时限，请立即办理并回复。"})
    return out


def issue_urges(desk: Desk, actor: Actor, proposals: list[dict], reply_days: float = 1) -> dict:
    """Issue proposed 催办 as ``urge`` actions; each case in its own transaction."""
    done, failed = [], []
    for p in proposals:
        try:
            done.append(urge(desk, actor, p["case_no"], p.get("level") or "normal", p.get("instruction") or
                             "请尽快办理并回复。", reply_days=reply_days))
        except AppError as e:
            failed.append({"case_no": p.get("case_no"), "error": e.message})
    return {"issued": len(done), "failed": failed, "cases": [c["case_no"] for c in done]}


# -- 督办 ----------------------------------------------------------------------------------------

def urge(desk: Desk, actor: Actor, case_no: str, level: str, instruction: str, reply_by=None,
         reply_days: float = 1) -> dict:
    """督办 with a level, the director's instruction and a reply date (default: end of the next
    working day after ``reply_days`` - 1 more working days)."""
    if not (instruction or "").strip():
        raise ValidationError("请填写督办要求（领导批示）", field="instruction")
    if reply_by is None:
        due = desk.now()
        for _ in range(max(1, int(reply_days))):
            due = desk.calendar().next_workday_end(due) - timedelta(microseconds=1)
        reply_by = due.isoformat()
    return handling.act(desk, actor, case_no, "urge", {"level": level, "instruction": instruction,
                                                       "reply_by": reply_by})


def reply(desk: Desk, actor: Actor, case_no: str, note: str) -> dict:
    """The handling unit's answer to the latest 督办."""
    return handling.act(desk, actor, case_no, "urge_reply", {"note": note})


def open_urges(desk: Desk, level: str | None = None, unit: str | None = None, limit: int = 500) -> dict:
    """Open cases under 督办 with the latest 督办, its age in working days and the reply status."""
    if level and level not in wf.URGE_LEVELS:
        raise ValidationError("督办等级应为：" + "、".join(wf.URGE_LEVELS), field="level")
    now = desk.now()
    refs = desk.refs()
    # IN lists on both columns let SQLite read ix_cases_urge (urge_level, state) alone
    levels = ",".join(f"'{x}'" for x in wf.URGE_LEVELS)
    conds, params = [f"c.urge_level IN ({levels})", f"c.state IN ({_OPEN})"], {"limit": limit}
    if level:
        conds.append("c.urge_level = :level")
        params["level"] = level
    if unit:
        _filter_unit(refs, unit, conds, params)
    where = " AND ".join(conds)
    with desk.db.read() as s:
        counts = dict(s.execute(text(f"SELECT c.urge_level, count(*) FROM cases c WHERE {where} "
                                     f"GROUP BY c.urge_level"), params).all())
        cases = s.execute(text(f"SELECT c.id, c.case_no, c.title, c.unit, c.state, c.urge_level, c.urge_count, "
                               f"c.urge_reply_by FROM cases c WHERE {where} ORDER BY c.rid DESC LIMIT :limit"),
                          params).all()
        ids = [r[0] for r in cases]
        acts: dict = defaultdict(list)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            names = ",".join(f":i{j}" for j in range(len(chunk)))
            for cid, kind, at, actor_name, payload in s.execute(text(
                    f"SELECT case_id, kind, at, actor_name, payload FROM case_actions WHERE case_id IN ({names}) "
                    f"AND +kind IN ('urge', 'urge_reply', 'instruct') ORDER BY seq"),
                    {f"i{j}": c for j, c in enumerate(chunk)}):
                acts[cid].append((kind, _dt(at), actor_name, payload))
    items = [_urge_item(desk, refs, now, r, acts.get(r[0], [])) for r in cases]
    items.sort(key=lambda x: (LEVEL_ORDER.get(x["level"], 9), not x["reply_overdue"], -(x["age_days"] or 0)))
    return {"counts": {k: counts.get(k, 0) for k in wf.URGE_LEVELS}, "total": sum(counts.values()),
            "items": items}


def _urge_item(desk: Desk, refs, now: datetime, r, acts: list) -> dict:
    _, no, title, unit, state, level, count, reply_by = r
    last = next((a for a in reversed(acts) if a[0] == "urge"), None)
    urged_at = last[1] if last else None
    p = last[3] if last else {}
    p = json.loads(p) if isinstance(p, str) else (p or {})
    replies = [a for a in acts if a[0] == "urge_reply" and urged_at and a[1] >= urged_at]
    instructions = [a for a in acts if a[0] == "instruct"]
    due = _dt(reply_by)
    return {"case_no": no, "title": title, "unit": unit, "unit_name": refs.unit_name(unit), "state": state,
            "state_label": wf.STATE_LABELS[state], "level": level, "level_label": wf.URGE_LEVELS.get(level, level),
            "urge_count": count, "urged_at": urged_at.isoformat() if urged_at else None,
            "urged_by": last[2] if last else None, "instruction": p.get("instruction"),
            "reply_by": due.isoformat() if due else None, "age_days": _workdays(desk, urged_at, now),
            "replied": bool(replies), "reply_at": replies[-1][1].isoformat() if replies else None,
            "reply_overdue": not replies and due is not None and now > due,
            "instructions": len(instructions)}
