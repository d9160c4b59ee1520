"""Qt-free queries the window needs: key lists and row windows, counts, tasks, intake preview."""
from __future__ import annotations

from app.cases import caselist, overview, queries
from app.cases.dispatch import dispatch
from app.cases.intake import take_in
from app.domain import workflow as wf
from tests.conftest import load_actors, sample_case


def test_case_keys_match_list_cases_order(demo_desk):
    actors = load_actors(demo_desk)
    page = queries.list_cases(demo_desk, actors["admin"], {"state": "open"}, limit=50)
    keys = caselist.case_keys(demo_desk, actors["admin"], {"state": "open"})
    assert keys["total"] == page["total"]
    rows = caselist.case_rows(demo_desk, actors["admin"], keys["keys"][:50])
    assert [r["case_no"] for r in rows] == [i["case_no"] for i in page["items"]]


def test_case_keys_sort_by_due_and_search(demo_desk):
    actors = load_actors(demo_desk)
    due = caselist.case_keys(demo_desk, actors["admin"], {"state": "open"}, sort="due_asc")
    rows = caselist.case_rows(demo_desk, actors["admin"], due["keys"][:20])
    dues = [r["due_at"] or r["sign_due_at"] for r in rows]
    assert rows and all(d is not None for d in dues[:5])
    name = rows[0]["reporter"]["name"] or rows[0]["title"][:2]
    found = caselist.case_keys(demo_desk, actors["admin"], {"q": name[:2]})
    assert found["total"] >= 1


def test_status_counts_agree_with_colour_filters(demo_desk):
    actors = load_actors(demo_desk)
    counts = overview.status_counts(demo_desk)
    red = queries.list_cases(demo_desk, actors["admin"], {"state": "open", "color": "red"}, limit=1)["total"]
    yellow = queries.list_cases(demo_desk, actors["admin"], {"state": "open", "color": "yellow"}, limit=1)["total"]
    opened = queries.list_cases(demo_desk, actors["admin"], {"state": "open"}, limit=1)["total"]
    assert counts == {"open": opened, "yellow": yellow, "red": red}
    assert counts["open"] > 0


def test_my_tasks_per_role(demo_desk):
    actors = load_actors(demo_desk)
    for name in ("intake", "dispatcher", "director", "unit", "admin"):
        tasks = overview.my_tasks(demo_desk, actors[name])
        assert tasks and all(t["label"] and t["count"] >= 0 for t in tasks)
    unit_tasks = overview.my_tasks(demo_desk, actors["unit"])
    assert all(t["filters"].get("unit") == "D01" for t in unit_tasks)


def test_intake_preview_routing_repeats_and_history(desk, clock):
    actors = load_actors(desk)
    take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    data = sample_case()
    preview = overview.intake_preview(desk, data)
    assert preview["routing"] and preview["routing"]["reason"]
    assert len(preview["repeats"]) == 1
    assert preview["history"][0]["state_label"] == "待分派"
    # Incomplete input gives an empty panel rather than an error.
    assert overview.intake_preview(desk, {"reporter": {"phone": "12"}, "category": "nope"}) == \
        {"routing": None, "repeats": [], "repeat_cases": [], "history": []}


def test_dispatch_queue_has_returned_cases_with_reason(desk):
    actors = load_actors(desk)
    case = take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    dispatch(desk, actors["dispatcher"], case["case_no"], "D01")
    from app.cases.handling import act

    act(desk, actors["unit"], case["case_no"], "return", {"reason": "不属于本单位职责"})
    queue = overview.dispatch_queue(desk, actors["dispatcher"])
    item = next(i for i in queue["items"] if i["case_no"] == case["case_no"])
    assert item["state"] == wf.REGISTERED and item["last_reason"] == "不属于本单位职责"
    assert item["routing"]["reason"]


def test_desk_info_lists_demo_users(desk):
    info = overview.desk_info(desk)
    assert info["demo"] and info["town_name"] == "府山街道"
    assert {u["username"] for u in info["demo_users"]} >= {"intake", "dispatcher", "director", "unit", "admin"}
    assert info["idle_lock_minutes"] == 15


def test_first_page_agrees_with_full_key_list(demo_desk):
    actors = load_actors(demo_desk)
    cases = [({}, "due_asc"), ({"state": "open"}, "due_asc"), ({"color": "red"}, "due_asc")] + [
        (f, "received_desc") for f in ({"color": "red"}, {"color": "yellow,green"}, {"state": "open", "color": "red"},
                                        {"state": "dispatched", "color": "green"}, {"color": "red", "unit": "D01"})]
    for filters, sort in cases:
        full = caselist.case_keys(demo_desk, actors["admin"], filters, sort=sort)
        first = caselist.first_page(demo_desk, actors["admin"], filters, sort=sort, limit=20)
        assert first["total"] == full["total"]
        assert list(first["keys"]) == list(full["keys"][:20])
        assert [r["rid"] for r in first["rows"]] == list(first["keys"])


def test_repeat_candidates_by_phone_and_by_place(desk):
    """The two-query repeat check finds the same cases the single OR query did."""
    actors = load_actors(desk)
    by_phone = take_in(desk, actors["intake"], sample_case(auto_dispatch=False, category="PA0102"))
    by_place = take_in(desk, actors["intake"], sample_case(
        auto_dispatch=False, reporter={"name": "李四", "phone": "13700002222"}))
    other = take_in(desk, actors["intake"], sample_case(
        auto_dispatch=False, category="PA0102", reporter={"name": "王五", "phone": "13600003333"}))
    new = take_in(desk, actors["intake"], sample_case(auto_dispatch=False))
    assert by_phone["case_no"] in new["repeat_of"] and by_place["case_no"] in new["repeat_of"]
    assert other["case_no"] not in new["repeat_of"]


def test_fast_key_path_matches_the_orm_path(demo_desk):
    """The window's key list (plain SQL of app.cases.casesql) against the same filters written with
    the mapped models (the ORM query the list used before issue 19): same cases, same order."""
    from array import array

    actors = load_actors(demo_desk)
    for filters in ({}, {"color": "red"}, {"q": "张三"}, {"q": "1380"}, {"date_from": "2026-11-01", "state": "open"},
                    {"q": "O'Brien x"}, {"q": "'"}, {"q": "张"}, {"mine": True}, {"category": "PA0101", "channel": "visit,phone"}):
        stmt = _orm_reference(demo_desk, actors["intake"], filters)
        with demo_desk.db.read() as s:
            slow = array("q", s.execute(stmt).scalars())
        assert caselist.case_keys(demo_desk, actors["intake"], filters)["keys"] == slow, filters


def _orm_reference(desk, actor, f: dict):
    from datetime import date, datetime, time

    from sqlalchemy import and_, exists, or_, select, text

    from app.domain import workflow as wf
    from app.domain.timezone import LOCAL_TZ
    from app.store import search
    from app.store.models import Case, CaseAction

    now, conds = desk.now(), []
    if f.get("color") == "red":
        conds.append(Case.clock_due_at < now)
    if f.get("state") == "open":
        conds.append(Case.state.in_(wf.OPEN_STATES))
    if f.get("date_from"):
        conds.append(Case.received_at >= datetime.combine(date.fromisoformat(f["date_from"]), time.min, LOCAL_TZ))
    if f.get("category"):
        codes = [f["category"]] + [c.code for c in desk.refs().categories.values() if c.parent == f["category"]]
        conds.append(Case.category.in_(codes))
    if f.get("channel"):
        conds.append(Case.channel.in_(f["channel"].split(",")))
    if f.get("mine"):
        conds.append(exists().where(CaseAction.case_id == Case.id, CaseAction.actor == actor.username))
    if f.get("q"):
        expr = search.match_expression(f["q"])
        if expr:
            conds.append(Case.rid.in_(select(text("rowid")).select_from(text(search.FTS_TABLE))
                                      .where(text(f"{search.FTS_TABLE} MATCH :fts")).params(fts=expr)))
        else:
            conds.append(or_(*[getattr(Case, c).like(f"%{f['q']}%") for c in search.SEARCH_COLUMNS]))
    return select(Case.rid).where(and_(True, *conds)).order_by(Case.received_at.desc(), Case.rid.desc())


def test_limit_page_cache_applies_to_new_connections(desk):
    from sqlalchemy import text

    from app.store.memory import limit_page_cache

    limit_page_cache(desk, 8)
    limit_page_cache(desk, 8)
    with desk.db.read() as s:
        assert s.execute(text("PRAGMA cache_size")).scalar() == -8 * 1024


def test_first_page_of_a_search_is_not_counted(demo_desk):
    actors = load_actors(demo_desk)
    full = caselist.case_keys(demo_desk, actors["admin"], {"q": "社区"})
    assert full["total"] > 20
    first = caselist.first_page(demo_desk, actors["admin"], {"q": "社区"}, limit=20)
    assert first["total"] is None and list(first["keys"]) == list(full["keys"][:20])
    assert caselist.first_page(demo_desk, actors["admin"], {"q": "社区"}, limit=20, count=True)["total"] == full["total"]
