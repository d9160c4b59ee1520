"""有奖上报: points given by rules to grid staff or citizens, an append-only ledger (synced records,
entity ``points_entry``), reversals and the monthly leaderboard.

Points cannot be transferred (there is no such function, and no entry is ever changed after it is
written); a wrong entry is reversed by a new entry with the negative points that names the
original (``reverses``) and counts in the original's month.
"""
from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from app.cases.views import mask_phone
from app.desk import Actor, Desk
from app.domain import grids as gd
from app.domain import validation as v
from app.domain import workflow as wf
from app.domain.ids import new_id
from app.domain.schema import clean_text
from app.domain.timezone import LOCAL_TZ
from app.errors import NotFound, PermissionDenied, ValidationError
from app.store.audit import audit
from app.store.models import Case, PointsEntry, Staff
from app.store.outbox import enqueue_record

RULES_META = "grids.points_rules"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
KEEPERS = (wf.DIRECTOR, wf.ADMIN)  # who may change rules, award by hand and reverse


def rules(desk: Desk) -> dict[str, gd.PointRule]:
    """The town's rules (the defaults with its point values)."""
    try:
        overrides = json.loads(desk.meta(RULES_META) or "{}")
    except ValueError:
        overrides = {}
    return gd.rules_with(overrides if isinstance(overrides, dict) else {})


def list_rules(desk: Desk) -> list[dict]:
    return [{"code": r.code, "label": r.label, "points": r.points, "person_kind": r.person_kind,
             "automatic": r.automatic} for r in rules(desk).values()]


def set_rule(desk: Desk, actor: Actor, code: str, points) -> dict:
    """Change the points of one rule (director or admin); applies to entries written from now on."""
    _keeper(actor)
    current = rules(desk)
    if code not in current:
        raise ValidationError("积分规则应为：" + "、".join(current), field="rule")
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 1000:
        raise ValidationError("积分应为 0 至 1000 的整数", field="points")
    values = {k: r.points for k, r in current.items()}
    values[code] = points
    with desk.db.tx() as s:
        desk.set_meta(s, RULES_META, json.dumps(values, ensure_ascii=False))
        audit(s, desk, actor.username, "points.rule", code, {"points": points})
    return {"code": code, "points": points}


def _keeper(actor: Actor) -> None:
    if actor.role not in KEEPERS:
        raise PermissionDenied("只有主任或管理员可以维护积分", field="role")


def _month_of(at) -> str:
    return f"{at.astimezone(LOCAL_TZ):%Y-%m}"


def _write(s, desk: Desk, actor: Actor, *, person: str, kind: str, name: str | None, rule: str, points: int,
           reason: str, case_no: str | None, reverses: str | None = None, month: str | None = None) -> PointsEntry:
    at = desk.now()
    code = new_id().replace("-", "")
    row = PointsEntry(id=code, code=code, name=reason[:100], owner_level="town", sample=False, deleted=False,
                      updated_at=at, person=person, person_kind=kind, person_name=name, rule=rule, points=points,
                      case_no=case_no, reverses=reverses, month=month or _month_of(at), at=at)
    s.add(row)
    s.flush()
    audit(s, desk, actor.username, "points.reverse" if reverses else "points.award", code,
          {"rule": rule, "points": points, "case_no": case_no})
    enqueue_record(s, desk, "points_entry", row)
    return row


def award_for_report(s, desk: Desk, actor: Actor, staff: Staff, outcome: str, case_no: str) -> dict:
    """The automatic entry of a grid report (in the report's transaction)."""
    rule = rules(desk)[gd.RULE_FOR_OUTCOME[outcome]]
    row = _write(s, desk, actor, person=staff.code, kind="staff", name=staff.name, rule=rule.code,
                 points=rule.points, reason=rule.label, case_no=case_no)
    return entry_dict(row)


def award(desk: Desk, actor: Actor, rule: str, *, person: str | None = None, case_no: str | None = None,
          note: str | None = None) -> dict:
    """An operator's award by a rule that is not automatic: ``citizen_verified`` (the reporter of
    ``case_no``, by the case's phone) or a staff rule (``person`` = staff code)."""
    _keeper(actor)
    known = rules(desk)
    if rule not in known:
        raise ValidationError("积分规则应为：" + "、".join(known), field="rule")
    r = known[rule]
    if r.automatic:
        raise ValidationError(f"「{r.label}」由网格上报自动计分，不能手工加分", field="rule")
    note = clean_text(note or "", multiline=False)[:60] if note else ""
    with desk.db.tx() as s:
        case = None
        if case_no:
            case = s.scalar(select(Case).where(Case.case_no == case_no))
            if case is None:
                raise NotFound(f"案件「{case_no}」不存在", field="case")
        if r.person_kind == "citizen":
            if case is None:
                raise ValidationError("群众上报积分须指定案件（积分给该案件的报告人）", field="case")
            if case.anonymous or not case.reporter_phone:
                raise ValidationError("该案件为匿名或没有报告人电话，无法记入群众积分", field="case")
            if s.scalar(select(func.count()).select_from(PointsEntry).where(
                    PointsEntry.case_no == case.case_no, PointsEntry.rule == rule, PointsEntry.reverses.is_(None))):
                raise ValidationError("该案件已记过群众上报积分", field="case")
            person, kind, name = case.reporter_phone, "citizen", case.reporter_name
        else:
            staff = _staff(s, person)
            person, kind, name = staff.code, "staff", staff.name
        reason = r.label + (f"：{note}" if note else "")
        return entry_dict(_write(s, desk, actor, person=person, kind=kind, name=name, rule=rule, points=r.points,
                                 reason=reason, case_no=case.case_no if case else None))


def _staff(s, code: str | None) -> Staff:
    if not code:
        raise ValidationError("请指定网格人员编号", field="person")
    row = s.scalar(select(Staff).where(Staff.code == code, Staff.deleted.is_(False)))
    if row is None:
        raise ValidationError(f"网格人员「{code}」不存在", field="person")
    return row


def reverse(desk: Desk, actor: Actor, reason: str, *, entry: str | None = None, case_no: str | None = None) -> dict:
    """冲正: reverse one entry, or every not yet reversed entry of a case found invalid. Each
    reversal is a new entry (negative points, ``reverses`` = the original) in the original's month."""
    _keeper(actor)
    reason = clean_text(reason or "", multiline=False)
    if not reason:
        raise ValidationError("请填写冲正原因", field="reason")
    if bool(entry) == bool(case_no):
        raise ValidationError("请指定一条积分记录或一个案件（二选一）", field="entry")
    with desk.db.tx() as s:
        if entry:
            originals = [s.scalar(select(PointsEntry).where(PointsEntry.code == entry))]
            if originals[0] is None:
                raise NotFound(f"积分记录「{entry}」不存在", field="entry")
            if originals[0].reverses:
                raise ValidationError("冲正记录不能再冲正", field="entry")
        else:
            originals = list(s.scalars(select(PointsEntry).where(PointsEntry.case_no == case_no,
                                                                  PointsEntry.reverses.is_(None))
                                       .order_by(PointsEntry.at, PointsEntry.code)))
        done = set(s.scalars(select(PointsEntry.reverses).where(
            PointsEntry.reverses.in_([o.code for o in originals]))))
        todo = [o for o in originals if o.code not in done]
        if entry and not todo:
            raise ValidationError("该积分记录已冲正", field="entry")
        if case_no and not todo:
            raise ValidationError(f"案件「{case_no}」没有可冲正的积分", field="case")
        made = [_write(s, desk, actor, person=o.person, kind=o.person_kind, name=o.person_name, rule=o.rule,
                       points=-o.points, reason=f"冲正：{reason}", case_no=o.case_no, reverses=o.code, month=o.month)
                for o in todo]
        return {"reversed": [o.code for o in todo], "entries": [entry_dict(m) for m in made]}


def entry_dict(r: PointsEntry) -> dict:
    return {"code": r.code, "person": r.person, "person_kind": r.person_kind, "person_name": r.person_name,
            "rule": r.rule, "points": r.points, "reason": r.name, "case_no": r.case_no, "reverses": r.reverses,
            "month": r.month, "at": r.at.isoformat()}


def ledger(desk: Desk, person: str) -> dict:
    """One person's entries (newest first) with the running total: a staff code or a citizen's phone."""
    person = (person or "").strip()
    if not person:
        raise ValidationError("请指定积分对象（网格人员编号或群众手机号）", field="person")
    with desk.db.read() as s:
        rows = list(s.scalars(select(PointsEntry).where(PointsEntry.person == person, PointsEntry.deleted.is_(False))
                              .order_by(PointsEntry.at.desc(), PointsEntry.code.desc())))
        staff = s.scalar(select(Staff).where(Staff.code == person))
    if not rows and staff is None:
        try:
            v.check_phone(person, "person", "积分对象")
        except ValidationError:
            raise ValidationError(f"积分对象「{person}」不存在（应为网格人员编号或群众手机号）", field="person") from None
    kind = "staff" if staff is not None else (rows[0].person_kind if rows else "citizen")
    name = staff.name if staff is not None else next((r.person_name for r in rows if r.person_name), None)
    reversed_codes = {r.reverses for r in rows if r.reverses}
    entries = [{**entry_dict(r), "reversed": r.code in reversed_codes} for r in rows]
    return {"person": person, "person_kind": kind, "name": name, "total": sum(r.points for r in rows),
            "entries": entries}


def board(desk: Desk, month: str, limit: int = 50) -> dict:
    """The month's leaderboard: points per person (reversals included), ties share a rank."""
    if not isinstance(month, str) or not MONTH.match(month.strip()):
        raise ValidationError("月份格式应为 YYYY-MM", field="month")
    month = month.strip()
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValidationError("条数应为 1 至 1000", field="limit")
    with desk.db.read() as s:
        rows = s.execute(select(PointsEntry.person, PointsEntry.person_kind, func.max(PointsEntry.person_name),
                                func.sum(PointsEntry.points), func.count())
                         .where(PointsEntry.month == month, PointsEntry.deleted.is_(False))
                         .group_by(PointsEntry.person, PointsEntry.person_kind)).all()
    rows = sorted(rows, key=lambda r: (-r[3], r[0]))
    items, rank, last = [], 0, None
    for i, (person, kind, name, total, n) in enumerate(rows, 1):
        if total != last:
            rank, last = i, total
        shown = person if kind == "staff" else mask_phone(person)
        items.append({"rank": rank, "person": shown, "person_kind": kind, "name": name, "points": int(total),
                      "entries": n})
    return {"month": month, "items": items[:limit]}
