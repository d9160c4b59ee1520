"""Case queries: filtered, sorted lists with keyset paging (no OFFSET scans), case detail,
full-text search. Stays fast on a million cases: every filter rides an index."""
from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, literal_column, or_, select, text, tuple_

from app.cases import caselog
from app.cases.views import action_view, case_summary
from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.grids import platform_categories, platform_code
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import CHANNELS
from app.errors import ValidationError
from app.store import search
from app.store.models import Attachment, Case, CaseAction, CohandleTask

SORTS = {
    "received_desc": (Case.received_at, True), "received_asc": (Case.received_at, False),
    "case_no_desc": (Case.case_no, True), "case_no_asc": (Case.case_no, False),
    "due_asc": (Case.clock_due_at, False), "due_desc": (Case.clock_due_at, True),
}
COLOURS = ("red", "yellow", "green")
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)  # sorts cases without a running clock last
CLOSED_STATES = (wf.CLOSED, wf.ARCHIVED)  # "closed in a period" (indicators.activity)
# Event-date filters: (from key, to key, column). Local dates, inclusive, like indicators.activity().
EVENT_DATES = (("dispatched_from", "dispatched_to", Case.dispatched_at),
               ("closed_from", "closed_to", Case.closed_at))


def _as_list(value) -> list[str]:
    if value in (None, "", []):
        return []
    return [v for v in (value if isinstance(value, list | tuple) else str(value).split(",")) if v]


def _day(value, field: str, end: bool) -> datetime:
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError("日期格式应为 YYYY-MM-DD", field=field) from None
    return datetime.combine(d, time.max if end else time.min, LOCAL_TZ)


def _day_start(value, field: str, next_day: bool = False) -> datetime:
    """Local midnight starting ``value`` (or the day after it): half-open periods as activity() counts."""
    d = _day(value, field, False)
    return d + timedelta(days=1) if next_day else d


def _event_dates(f: dict) -> list:
    """dispatched_from/to and closed_from/to: the case was dispatched (closed, and is now closed or
    archived) on those local dates, counted exactly as app.supervision.indicators.activity() counts.
    Each range rides its index (ix_cases_dispatched, ix_cases_closed)."""
    conds = []
    for lo, hi, col in EVENT_DATES:
        if f.get(lo):
            conds.append(col >= _day_start(f[lo], lo))
        if f.get(hi):
            conds.append(col < _day_start(f[hi], hi, next_day=True))
        if (f.get(lo) or f.get(hi)) and col is Case.closed_at:
            # "+cases.state": keep SQLite on ix_cases_closed(closed_at, state), not the state index
            state = literal_column(f"+{Case.__tablename__}.state", type_=Case.state.type)
            conds.append(state.in_(CLOSED_STATES))
    return conds


def conditions(desk: Desk, actor: Actor | None, f: dict, now: datetime) -> list:
    """SQL conditions for a filter dict (state, color, unit, category, platform, channel, village, q,
    date_from, date_to (received), dispatched_from/to, closed_from/to, mine, supervised, urge_level, case_nos
    (a list of case numbers, e.g. the rows selected in 案件查询))."""
    refs = desk.refs()
    conds = []
    states = _as_list(f.get("state"))
    for s in states:
        if s not in wf.STATES and s != "open":
            raise ValidationError("状态应为：" + "、".join(wf.STATES), field="state")
    if states:
        expanded = [x for s in states for x in (wf.OPEN_STATES if s == "open" else (s,))]
        conds.append(Case.state.in_(expanded))
    colours = _as_list(f.get("color"))
    if colours:
        if any(c not in COLOURS for c in colours):
            raise ValidationError("颜色应为 red、yellow 或 green", field="color")
        ors = []
        if "red" in colours:
            ors.append(Case.clock_due_at < now)
        if "yellow" in colours:
            ors.append(and_(Case.clock_warn_at <= now, Case.clock_due_at >= now))
        if "green" in colours:
            ors.append(and_(Case.state.in_(wf.OPEN_STATES),
                            or_(Case.clock_due_at.is_(None), Case.clock_warn_at > now)))
        conds.append(or_(*ors))
    if f.get("unit"):
        u = refs.find_unit(str(f["unit"]))
        if u is None:
            raise ValidationError(f"单位「{f['unit']}」不存在", field="unit")
        conds.append(Case.unit == u.code)
    if f.get("category"):
        c = refs.find_category(str(f["category"]))
        if c is None:
            raise ValidationError(f"事项分类「{f['category']}」不存在", field="category")
        codes = [c.code] + [x.code for x in refs.categories.values() if x.parent == c.code]
        conds.append(Case.category.in_(codes))
    if f.get("platform"):  # 四平台 (issue 17): the platform's categories
        conds.append(Case.category.in_(platform_categories(refs.categories.values(), platform_code(f["platform"]))))
    channels = _as_list(f.get("channel"))
    if channels:
        if any(ch not in CHANNELS for ch in channels):
            raise ValidationError("渠道应为：" + "、".join(CHANNELS), field="channel")
        conds.append(Case.channel.in_(channels))
    if f.get("village"):
        g = refs.find_grid(str(f["village"]), "village")
        if g is None:
            raise ValidationError(f"村社「{f['village']}」不存在", field="village")
        conds.append(Case.village == g.code)
    if f.get("date_from"):
        conds.append(Case.received_at >= _day(f["date_from"], "date_from", False))
    if f.get("date_to"):
        conds.append(Case.received_at <= _day(f["date_to"], "date_to", True))
    conds += _event_dates(f)
    if f.get("supervised"):
        conds.append(Case.urge_count > 0)
    if f.get("urge_level"):  # the 督办 page's level filter (its export)
        if f["urge_level"] not in wf.URGE_LEVELS:
            raise ValidationError("督办等级应为：" + "、".join(wf.URGE_LEVELS), field="urge_level")
        conds.append(Case.urge_level == f["urge_level"])
    if f.get("mine") and actor is not None:
        if actor.role == wf.UNIT:
            conds.append(Case.unit == actor.unit)
        else:
            conds.append(exists().where(CaseAction.case_id == Case.id, CaseAction.actor == actor.username))
    if f.get("case_nos"):
        conds.append(Case.case_no.in_([str(n) for n in _as_list(f["case_nos"])]))
    q = (f.get("q") or "").strip()
    if q:
        expr = search.match_expression(q)
        if expr:
            conds.append(Case.rid.in_(select(text("rowid")).select_from(text(search.FTS_TABLE))
                                      .where(text(f"{search.FTS_TABLE} MATCH :fts")).params(fts=expr)))
        else:
            like = f"%{q}%"
            conds.append(or_(*[getattr(Case, c).like(like) for c in search.SEARCH_COLUMNS]))
    return conds


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise ValidationError("分页游标无效", field="after") from None


def list_cases(desk: Desk, actor: Actor | None, filters: dict | None = None, sort: str = "received_desc",
               limit: int = 50, after: str | None = None, with_total: bool = True) -> dict:
    """One page of cases: {total, items, next}. ``next`` is an opaque keyset cursor."""
    if sort not in SORTS:
        raise ValidationError("排序应为：" + "、".join(SORTS), field="sort")
    if not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValidationError("每页条数应为 1 至 1000", field="limit")
    now = desk.now()
    conds = conditions(desk, actor, filters or {}, now)
    col, desc = SORTS[sort]
    key = func.coalesce(col, FAR_FUTURE) if sort.startswith("due") else col
    is_time = col.key.endswith("_at")
    stmt = select(Case).where(*conds)
    if after:
        value, rid = decode_cursor(after)
        if is_time:
            value = datetime.fromisoformat(value)
        cmp = tuple_(key, Case.rid) < tuple_(value, rid) if desc else tuple_(key, Case.rid) > tuple_(value, rid)
        stmt = stmt.where(cmp)
    stmt = stmt.order_by(key.desc() if desc else key.asc(), Case.rid.desc() if desc else Case.rid.asc())
    with desk.db.read() as s:
        rows = list(s.scalars(stmt.limit(limit + 1)))
        total = s.scalar(select(func.count()).select_from(Case).where(*conds)) if with_total else None
        refs = desk.refs()
        items = [case_summary(r, refs, now, actor) for r in rows[:limit]]
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        v = getattr(last, col.key)
        if is_time:
            v = (v or FAR_FUTURE).isoformat()
        nxt = encode_cursor([v, last.rid])
    return {"total": total, "items": items, "next": nxt}


def _urge_details(view: dict, now: datetime) -> None:
    """Add the latest 督办's instruction, issuer, time and the unit's reply to ``view["urge"]``."""
    urge = view.get("urge")
    if not urge:
        return
    acts = [a for a in view["actions"] if a.get("status") != "rejected"]  # as the fold sees them
    at = next((i for i in range(len(acts) - 1, -1, -1) if acts[i]["kind"] == "urge"), None)
    last = acts[at] if at is not None else None
    p = (last or {}).get("payload") or {}
    replies = [a for a in acts[at + 1:] if a["kind"] == "urge_reply"] if last else []
    due = datetime.fromisoformat(urge["reply_by"]) if urge.get("reply_by") else None
    overdue = urge["active"] and not replies and due is not None and now > due
    urge.update({"instruction": p.get("instruction"), "urged_at": last["at"] if last else None,
                 "urged_by": last["actor_name"] if last else None, "replied": bool(replies),
                 "reply_at": replies[-1]["at"] if replies else None, "reply_overdue": overdue,
                 "reply_status": "已回复" if replies else ("逾期未回复" if overdue else
                                                          ("待回复" if urge["active"] else "未回复"))})


def show_case(desk: Desk, actor: Actor | None, key: str) -> dict:
    """The case with its whole timeline, attachments, co-handling tasks and allowed actions."""
    now = desk.now()
    with desk.db.read() as s:
        row = caselog.find_case(s, key)
        view = case_summary(row, desk.refs(), now, actor)
        acts = s.scalars(select(CaseAction).where(CaseAction.case_id == row.id).order_by(CaseAction.seq))
        view["actions"] = [action_view(a) for a in acts]
        _urge_details(view, now)
        view["attachments"] = [
            {"sha256": a.sha256, "filename": a.filename, "mime": a.mime, "size": a.size}
            for a in s.scalars(select(Attachment).where(Attachment.case_id == row.id))]
        view["cohandle"] = [
            {"unit": desk.refs().unit_obj(t.unit_code), "due_at": t.due_at.isoformat() if t.due_at else None,
             "state": t.state} for t in s.scalars(select(CohandleTask).where(CohandleTask.case_id == row.id))]
        role = actor.role if actor else wf.ADMIN
        allowed = wf.allowed_actions(row.state, role, actor.unit if actor else None, row.unit)
        view["allowed_actions"] = [a for a in allowed if a != "intake"]
    return view
