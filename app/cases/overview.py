"""Small read-only figures for the window: status-bar counts, the home page's "my tasks", the
reporter's earlier cases, the intake side panel and the dispatch queue."""
from __future__ import annotations

from sqlalchemy import and_, func, select

from app.cases.caselist import count_cases
from app.cases.intake import repeat_candidates, routing_plan, suggest_route
from app.cases.queries import list_cases
from app.desk import Actor, Desk
from app.domain import validation as v
from app.domain import workflow as wf
from app.errors import AppError
from app.reference.records import list_refs, read_json
from app.store.models import Case


def status_counts(desk: Desk) -> dict:
    """Open cases and how many of them are yellow (due soon) or red (overdue) right now."""
    now = desk.now()
    with desk.db.read() as s:
        open_n = s.scalar(select(func.count()).select_from(Case).where(Case.state.in_(wf.OPEN_STATES)))
        # Only open cases have a running clock (casefold._set_clock), so the clock index alone counts.
        red = s.scalar(select(func.count()).select_from(Case).where(Case.clock_due_at < now))
        yellow = s.scalar(select(func.count()).select_from(Case).where(
            and_(Case.clock_warn_at <= now, Case.clock_due_at >= now)))
    return {"open": open_n or 0, "yellow": yellow or 0, "red": red or 0}


def _tasks_for(actor: Actor) -> list[tuple[str, dict]]:
    unit = {"unit": actor.unit} if actor.unit else {}
    by_role = {
        wf.INTAKE: [("待回访", {"state": wf.CALLBACK}), ("待分派", {"state": wf.REGISTERED}),
                    ("我经手的在办件", {"state": "open", "mine": True})],
        wf.DISPATCHER: [("待分派", {"state": wf.REGISTERED}), ("已上报", {"state": wf.ESCALATED}),
                        ("超期未办结", {"color": "red"})],
        wf.DIRECTOR: [("待审核", {"state": wf.REVIEW}), ("挂账", {"state": wf.SUSPENDED}),
                      ("超期未办结", {"color": "red"}),
                      ("即将超期", {"color": "yellow"})],
        wf.UNIT: [("待签收", {"state": wf.DISPATCHED, **unit}), ("办理中", {"state": wf.IN_PROGRESS, **unit}),
                  ("即将超期", {"color": "yellow", **unit}),
                  ("已超期", {"color": "red", **unit})],
        wf.ADMIN: [("待分派", {"state": wf.REGISTERED}), ("待审核", {"state": wf.REVIEW}),
                   ("超期未办结", {"color": "red"})],
    }
    return by_role.get(actor.role, [])


def my_tasks(desk: Desk, actor: Actor) -> list[dict]:
    """What needs this user now: [{label, count, filters}] (filters open the case list)."""
    return [{"label": label, "count": count_cases(desk, actor, filters), "filters": filters}
            for label, filters in _tasks_for(actor)]


def reporter_history(desk: Desk, phone: str | None, limit: int = 10) -> list[dict]:
    """The reporter's earlier cases by phone, newest first, with what 沿用 can take over (name,
    身份证, village/grid and address of each)."""
    if not phone:
        return []
    with desk.db.read() as s:
        rows = s.execute(select(Case.case_no, Case.title, Case.state, Case.received_at, Case.reporter_name,
                                Case.reporter_id_no, Case.village, Case.grid, Case.address)
                         .where(Case.reporter_phone == phone.strip())
                         .order_by(Case.received_at.desc()).limit(limit)).all()
    return [{"case_no": r.case_no, "title": r.title, "state_label": wf.STATE_LABELS[r.state],
             "received_at": r.received_at.isoformat(), "name": r.reporter_name, "id_no": r.reporter_id_no,
             "village": r.village, "grid": r.grid, "address": r.address} for r in rows]


def repeat_details(desk: Desk, case_nos: list[str]) -> list[dict]:
    """Title, state and unit of possible repeats (the side panel and the save-time question)."""
    if not case_nos:
        return []
    refs = desk.refs()
    with desk.db.read() as s:
        rows = {r.case_no: r for r in s.execute(select(Case.case_no, Case.title, Case.state, Case.unit,
                                                       Case.received_at).where(Case.case_no.in_(case_nos))).all()}
    return [{"case_no": no, "title": rows[no].title, "state": rows[no].state,
             "state_label": wf.STATE_LABELS[rows[no].state],
             "unit_name": refs.unit_name(rows[no].unit) if rows[no].unit else "",
             "received_at": rows[no].received_at.isoformat()} for no in case_nos if no in rows]


def _soft(fn, *args):
    try:
        return fn(*args)
    except AppError:
        return None


def intake_preview(desk: Desk, data: dict) -> dict:
    """The intake side panel while typing: routing suggestion, possible repeats, earlier cases.

    Works on incomplete input: anything not yet valid is simply left out."""
    refs = desk.refs()
    phone, category, village_code, grid_code = _probe(desk, data)
    routing = None
    if category:  # exactly what saving will do (intake.routing_plan is what _take_in calls)
        plan = routing_plan(desk, category.code, village_code, grid_code,
                            auto_requested=bool(data.get("auto_dispatch", True)), instant=bool(data.get("instant")))
        routing = {**plan, "unit": refs.unit_obj(plan["unit"]),
                   "candidates": [refs.unit_obj(c) for c in plan["candidates"]]}
    repeats = _repeats(desk, data, phone, category, village_code, grid_code)
    return {"routing": routing, "repeats": repeats, "repeat_cases": repeat_details(desk, repeats),
            "history": reporter_history(desk, phone)}


def save_repeats(desk: Desk, data: dict) -> list[dict]:
    """What saving asks about first: the earlier cases this input may repeat (details for the
    合并 / 关联 / 仍新建 question; [] for none) — the preview's repeat check alone, without the
    routing and the caller's history the side panel also shows."""
    return repeat_details(desk, _repeats(desk, data, *_probe(desk, data)))


def _probe(desk: Desk, data: dict) -> tuple:
    """(phone, category, village code, grid code) of possibly incomplete input (invalid parts None)."""
    refs = desk.refs()
    reporter = data.get("reporter") or {}
    location = data.get("location") or {}
    phone = str(reporter.get("phone") or "").strip()
    phone = _soft(v.check_phone, phone, "reporter.phone", "联系电话") if phone else None
    category = refs.find_category(str(data.get("category") or ""))
    category = category if category and category.leaf else None
    village = refs.find_grid(str(location.get("village") or ""), "village")
    grid = refs.find_grid(str(location.get("grid") or "")) if location.get("grid") else None
    village_code = village.code if village else (grid.village if grid else None)
    grid_code = grid.code if grid and grid.level != "village" else None
    return phone, category, village_code, grid_code


def _repeats(desk: Desk, data: dict, phone, category, village_code, grid_code) -> list[str]:
    if not (category or phone):
        return []
    location = data.get("location") or {}
    fields = {"reporter_phone": phone, "grid": grid_code, "village": village_code,
              "category": category.code if category else None,
              "description": (data.get("description") or "").strip(),
              "address": (location.get("address") or "").strip() or None}
    with desk.db.read() as s:
        return repeat_candidates(s, desk, fields, desk.now())


def dispatch_queue(desk: Desk, actor: Actor, after: str | None = None, limit: int = 200) -> dict:
    """Cases waiting for dispatch (including returned ones, with last_reason), oldest first, each
    with its routing suggestion and candidates."""
    page = list_cases(desk, actor, {"state": wf.REGISTERED}, sort="received_asc", limit=limit, after=after)
    refs = desk.refs()
    for item in page["items"]:
        if item["category"] in refs.categories:
            r = suggest_route(desk, item["category"], item["location"]["village"], item["location"]["grid"])
            item["routing"] = {"unit": refs.unit_obj(r.unit), "reason": r.reason, "unique": r.unique,
                               "candidates": [refs.unit_obj(c) for c in r.candidates]}
        else:
            item["routing"] = {"unit": None, "reason": "无事项分类", "unique": False, "candidates": []}
    return page



def desk_info(desk: Desk) -> dict:
    """What the login prompt and the top bar show: town, demo flag and demo users, idle lock."""
    demo = read_json("demo_town.json")
    is_demo = desk.meta("town_code") == demo["town"]["code"]
    users = []
    if is_demo:
        present = {u["username"]: u for u in list_refs(desk, "users") if u["active"]}
        users = [{"username": u["username"], "name": present[u["username"]]["name"],
                  "role": u["role"], "role_label": wf.ROLE_LABELS[u["role"]], "password": u["password"]}
                 for u in demo["users"] if u["username"] in present]
    return {"town_code": desk.meta("town_code"), "town_name": desk.meta("town_name") or "",
            "demo": is_demo, "demo_users": users, "demo_notice": demo.get("notice") if is_demo else None,
            "idle_lock_minutes": desk.setting("idle_lock_minutes")}
