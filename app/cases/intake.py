"""一窗受理: take in a case from any channel (single or bulk), with repeat check and
automatic dispatch by the responsibility list."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import literal_column, select

from app.cases import attachments, caselog
from app.cases.timing import dispatch_payload
from app.cases.views import case_summary
from app.desk import SYSTEM_ACTOR, Actor, Desk
from app.domain import validation as v
from app.domain import workflow as wf
from app.domain.ids import case_no as make_case_no
from app.domain.repeats import Candidate, Probe, find_repeats
from app.domain.routing import RouteResult, route
from app.domain.schema import Field, clean_text, validate
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import CASE_TYPES, CHANNELS, URGENCY
from app.errors import AppError, ValidationError
from app.store.models import Case, CaseCounter

NO_PHONE_CHANNELS = {"grid_report", "police_feed", "district_assign", "mini_program"}


# What ``case add`` and the intake form may give (types and limits; the meaning — a category
# that exists, a grid inside its village, a valid phone — is checked by normalize()).
CASE_INPUT = (
    Field("channel", "受理渠道", "choice", choices=CHANNELS), Field("type", "诉求类型", "choice", choices=CASE_TYPES),
    Field("title", "标题", "line", max_len=100), Field("description", "诉求内容", max_len=4000),
    Field("reporter", "报告人信息", "object", fields=(
        Field("name", "报告人姓名", "name"), Field("phone", "联系电话", "code", max_len=30),
        Field("id_no", "身份证号码", "code", max_len=30))),
    Field("anonymous", "匿名", "bool"),
    Field("persons", "人次", "int", low=1, high=10000, message="人次应为 1 至 10000 的整数"),
    Field("category", "事项分类", "code", max_len=100),
    Field("location", "地点信息", "object", fields=(
        Field("village", "村社", "code", max_len=100), Field("grid", "网格", "code", max_len=100),
        Field("address", "地址", "line"))),
    Field("urgency", "紧急程度", "choice", choices=URGENCY), Field("major", "重大事项", "bool"),
    Field("auto_dispatch", "自动派单", "bool"), Field("instant", "即办件", "bool"),
    Field("result", "即办答复内容"), Field("satisfaction", "满意度", "choice", choices=wf.SATISFACTION),
    Field("reopened_from", "原案件编号", "code", max_len=40),
)


def normalize(desk: Desk, data: dict) -> dict:
    """Validate raw intake input (CLI JSON or the form) into intake payload fields."""
    if not isinstance(data, dict):
        raise ValidationError("受理内容应为 JSON 对象", field="case")
    data = validate(CASE_INPUT, data, label="受理内容")
    refs = desk.refs()
    channel = data.get("channel") or "visit"
    if channel not in CHANNELS:
        raise ValidationError("受理渠道应为：" + "、".join(f"{k}（{n}）" for k, n in CHANNELS.items()), field="channel")
    description = v.require(data.get("description"), "description", "诉求内容")
    v.check_length(description, "description", "诉求内容", 4000, 4)
    title = (data.get("title") or "").strip() or clean_text(description[:30], multiline=False)
    v.check_length(title, "title", "标题", 100)
    ctype = data.get("type")
    category_key = (data.get("category") or "").strip()
    if not category_key:
        raise ValidationError("请选择事项分类", field="category")
    category = refs.find_category(category_key)
    if category is None or not category.leaf:
        raise ValidationError(f"事项分类「{category_key}」不存在或不是末级分类", field="category")
    ctype = ctype or category.case_type or "help"
    if ctype not in CASE_TYPES:
        raise ValidationError("诉求类型应为：" + "、".join(f"{k}（{n}）" for k, n in CASE_TYPES.items()), field="type")
    anonymous = bool(data.get("anonymous"))
    reporter = data.get("reporter") or {}
    if not isinstance(reporter, dict):
        raise ValidationError("报告人信息格式不正确", field="reporter")
    name = (reporter.get("name") or "").strip() or None
    if name:
        v.check_length(name, "reporter.name", "报告人姓名", 50)
    phone = (str(reporter.get("phone") or "")).strip() or None
    if phone:
        phone = v.check_phone(phone, "reporter.phone", "联系电话")
    elif not anonymous and channel not in NO_PHONE_CHANNELS:
        raise ValidationError("请填写联系电话（匿名诉求请勾选匿名）", field="reporter.phone")
    id_no = (str(reporter.get("id_no") or "")).strip() or None
    if id_no:
        id_no = v.check_id_no(id_no, "reporter.id_no", "身份证号码")
    persons = data.get("persons", 1)
    if isinstance(persons, bool) or not isinstance(persons, int) or not 1 <= persons <= 10000:
        raise ValidationError("人次应为 1 至 10000 的整数", field="persons")
    location = data.get("location") or {}
    village, grid = _location(refs, location)
    address = (location.get("address") or "").strip() or None
    if address:
        v.check_length(address, "location.address", "地址", 200)
    urgency = data.get("urgency") or "normal"
    if urgency not in URGENCY:
        raise ValidationError("紧急程度应为 normal（一般）或 urgent（加急）", field="urgency")
    return {
        "channel": channel, "type": ctype, "title": title, "description": description,
        "reporter_name": None if anonymous else name, "reporter_phone": None if anonymous else phone,
        "reporter_id_no": None if anonymous else id_no, "anonymous": anonymous, "persons": persons,
        "category": category.code, "village": village, "grid": grid, "address": address,
        "urgency": urgency, "major": bool(data.get("major") or category.major),
    }


def _location(refs, location: dict) -> tuple[str | None, str | None]:
    if not isinstance(location, dict):
        raise ValidationError("地点信息格式不正确", field="location")
    village = grid = None
    if location.get("village"):
        g = refs.find_grid(str(location["village"]), "village")
        if g is None:
            raise ValidationError(f"村社「{location['village']}」不存在", field="location.village")
        village = g.code
    if location.get("grid"):
        g = refs.find_grid(str(location["grid"]))
        if g is None or g.level == "village":
            raise ValidationError(f"网格「{location['grid']}」不存在", field="location.grid")
        if village and g.village != village:
            raise ValidationError(f"网格「{g.name}」不属于所选村社", field="location.grid")
        grid, village = g.code, g.village
    return village, grid


def next_case_no(session, desk: Desk, at) -> str:
    day = at.astimezone(LOCAL_TZ).date()
    key = f"{day:%Y%m%d}"
    counter = session.get(CaseCounter, key) or CaseCounter(day=key, last=0)
    counter.last += 1
    session.add(counter)
    return make_case_no(desk.town_code, day, desk.workstation, counter.last)


def repeat_candidates(session, desk: Desk, fields: dict, at) -> list[str]:
    """Earlier case numbers that look like the same petition (same phone, or same place and text)."""
    window = desk.setting("repeat_window_days")
    since = at - timedelta(days=window)
    cols = (Case.case_no, Case.reporter_phone, Case.description, Case.village, Case.grid, Case.address,
            Case.received_at)
    recent = (Case.received_at >= since, Case.received_at <= at)
    # Two index-friendly queries instead of one OR (which scanned a whole village: ~170 ms on a
    # million cases): the reporter's phone, and the same category at the same place, read
    # newest first along the (category, received_at) index.
    branches = []
    if fields["reporter_phone"]:
        branches.append(select(*cols).where(Case.reporter_phone == fields["reporter_phone"], *recent))
    if fields["grid"] and fields["category"]:  # along (grid, category, received_at)
        branches.append(select(*cols).where(Case.grid == fields["grid"], Case.category == fields["category"],
                                            *recent))
    elif fields["village"] and fields["category"]:
        # A unary "+" keeps SQLite off the (village, received_at) index: the category one is narrower.
        place = literal_column(f"+{Case.__tablename__}.village") == fields["village"]
        branches.append(select(*cols).where(Case.category == fields["category"], place, *recent))
    if not branches:
        return []
    found = {}
    for stmt in branches:
        for r in session.execute(stmt.order_by(Case.received_at.desc()).limit(100)):
            found[r.case_no] = r
    rows = sorted(found.values(), key=lambda r: r.received_at, reverse=True)[:100]
    probe = Probe(fields["reporter_phone"], fields["description"], fields["village"], fields["grid"],
                  fields["address"], at)
    cands = [Candidate(r.case_no, r.reporter_phone, r.description, r.village, r.grid, r.address, r.received_at)
             for r in rows]
    return find_repeats(probe, cands, window, desk.setting("repeat_threshold"))


def suggest_route(desk: Desk, category: str, village: str | None, grid: str | None) -> RouteResult:
    """The responsibility list's answer for a case, checked against the units this store knows:
    a rule naming a unit that is unknown here or deactivated gives no unit (the case waits for a
    dispatcher, 待分派) and a reason saying why, so that intake never fails on routing."""
    refs = desk.refs()
    found = route(category, refs.rules, village=village, grid=grid, category_parents=refs.category_parents,
                 unit_names={u.code: u.name for u in refs.units.values()},
                 category_names={c.code: c.name for c in refs.categories.values()},
                 village_names={g.code: g.name for g in refs.grids.values()},
                 grid_names={g.code: g.name for g in refs.grids.values()})
    if found.unique and found.unit not in refs.units:
        code = found.unit
        return RouteResult(None, f"责任清单指定的承办单位「{code}」{_missing(refs, code)}，已登记为待分派，请人工分派")
    missing = [c for c in found.co_units if c not in refs.units]
    if missing:  # a co-unit that cannot take part: dispatch to the lead alone and say so
        note = "；".join(f"协办单位「{c}」{_missing(refs, c)}，未列入" for c in missing)
        found = replace(found, co_units=tuple(c for c in found.co_units if c in refs.units),
                        reason=f"{found.reason}（{note}）")
    return found


def _missing(refs, code: str) -> str:
    return f"已停用（{refs.retired_units[code]}）" if code in refs.retired_units else "在本机不存在（基础数据可能尚未同步）"


def take_in(desk: Desk, actor: Actor, data: dict, *, at=None, files=(), then=None,
            external_id: str | None = None) -> dict:
    """Take in one case, with its photos and documents (``files``), and dispatch it automatically
    when its owner is clear. One transaction: a file that cannot be attached leaves no case
    behind. ``then(session, view) -> view`` runs in the same transaction after the intake (e.g.
    merging the new case into an earlier one: handling.take_in_repeat). ``external_id``: the
    channel's own id of a case imported from a feed (app.grids.feeds). Returns the case view."""
    prepared = [attachments.prepare(desk, path) for path in files]  # bytes first, outside the write
    at = at or desk.now()
    with desk.db.tx() as s:
        view = _take_in(s, desk, actor, data, at, external_id=external_id)
        if prepared:
            row = caselog.find_case(s, view["case_no"])
            for payload in prepared:
                row = attachments.record(s, desk, actor, row, payload, at=at)
            view = {**case_summary(row, desk.refs(), at, actor), "routing": view["routing"]}
        if then is not None:
            view = {**then(s, view), "routing": view["routing"]}
    return view


def routing_plan(desk: Desk, category: str, village: str | None, grid: str | None, *,
                 auto_requested: bool = True, instant: bool = False) -> dict:
    """What saving will do with a case of this category and place — the ONE function both the
    intake side panel and the save itself use, so the panel never promises what saving does not do.

    {"outcome": "dispatch" | "queue" | "instant", "unit", "reason", "unique", "candidates", "auto"}
    (unit and candidates are codes; "auto": automatic dispatch is allowed for this case), plus the
    responsibility line's "co_units" and "handle_days" (its 办结时限, or None)."""
    refs = desk.refs()
    r = suggest_route(desk, category, village, grid)
    auto = bool(auto_requested and desk.setting("auto_dispatch") and refs.categories[category].auto_dispatch)
    outcome = "instant" if instant else ("dispatch" if auto and r.unique else "queue")
    return {"outcome": outcome, "unit": r.unit, "reason": r.reason, "unique": r.unique,
            "candidates": list(r.candidates), "auto": auto, "co_units": list(r.co_units),
            "handle_days": r.handle_days}


def take_in_many(desk: Desk, actor: Actor, items: list[dict]) -> list[dict]:
    """Bulk intake: all or nothing (a bad item names its index and changes nothing)."""
    out = []
    with desk.db.tx() as s:
        for i, data in enumerate(items):
            try:
                out.append(_take_in(s, desk, actor, data, desk.now()))
            except AppError as e:
                e.message = f"第 {i + 1} 条：{e.message}"
                raise
    return out


def _take_in(s, desk: Desk, actor: Actor, data: dict, at, *, external_id: str | None = None) -> dict:
    fields = normalize(desk, data)
    if external_id:
        fields["external_id"] = external_id
    fields["repeat_of"] = repeat_candidates(s, desk, fields, at)
    fields["case_no"] = next_case_no(s, desk, at)
    fields["town"] = desk.town_code
    if data.get("reopened_from"):
        fields["reopened_from"] = data["reopened_from"]
    row, _ = caselog.record(s, desk, actor, None, "intake", fields, at=at)
    plan = routing_plan(desk, fields["category"], fields["village"], fields["grid"],
                        auto_requested=data.get("auto_dispatch", True), instant=bool(data.get("instant")))
    refs = desk.refs()
    if plan["outcome"] == "instant":
        result = v.require(data.get("result"), "result", "即办答复内容")
        row, _ = caselog.record(s, desk, actor, row, "answer", {"result": result}, at=at)
        if actor.role in wf.ACTIONS["callback"].roles:  # the visitor is present: record the answer's reception
            row, _ = caselog.record(s, desk, actor, row, "callback",
                                    {"satisfaction": data.get("satisfaction", "satisfied"),
                                     "note": "即办件当场答复"}, at=at)
    elif plan["outcome"] == "dispatch":
        payload = dispatch_payload(desk, row, plan["unit"], plan["co_units"], None, at,
                                   handle_days=plan["handle_days"])
        payload.update(auto=True, note=plan["reason"])
        row, _ = caselog.record(s, desk, SYSTEM_ACTOR, row, "dispatch", payload, at=at)
    view = case_summary(row, refs, at, actor)
    view["routing"] = {"unit": refs.unit_obj(plan["unit"]), "reason": plan["reason"],
                       "candidates": [refs.unit_obj(c) for c in plan["candidates"]], "outcome": plan["outcome"]}
    return view
