"""Following a change report in the case table (app.cases.listchanges): the old key list with the
returned steps applied equals the query run again, for every sort and several filters."""
from __future__ import annotations

from array import array

from app.cases import caselist, handling, listchanges
from app.cases.intake import take_in
from tests.conftest import load_actors, sample_case


def apply(keys: array, plan: dict) -> array:
    keys = array("q", keys)
    for step in plan["steps"]:
        if step[0] == "remove":
            del keys[step[1]]
        elif step[0] == "insert":
            keys.insert(step[1], step[2])
        else:
            rid = keys.pop(step[1])
            keys.insert(step[2], rid)
    return keys


FILTERS = [{}, {"state": "registered"}, {"state": "open"}, {"village": "V01"}, {"q": "漏水"}, {"state": "dispatched"}]
SORTS = ["received_desc", "received_asc", "case_no_asc", "case_no_desc", "due_asc", "due_desc"]


def test_followed_list_equals_the_query_again(demo_desk):
    actors = load_actors(demo_desk)
    before = {(tuple(sorted(f.items())), s): caselist.case_keys(demo_desk, actors["admin"], f, s)["keys"]
              for f in FILTERS for s in SORTS}
    # one report: two new cases, one dispatched (leaves 待分派, enters 待签收, its 办结时限 moves), one signed
    new = [take_in(demo_desk, actors["intake"], sample_case(auto_dispatch=False, reporter={"name": "王五", "phone": f"1390000{i:04d}"},
                                                           description=f"第{i}件：楼上漏水，请求社区调解。"))["case_no"]
           for i in range(2)]
    registered = caselist.case_keys(demo_desk, actors["admin"], {"state": "registered"})["keys"]
    waiting = caselist.case_rows(demo_desk, actors["admin"], registered[-1:])[0]["case_no"]
    handling.act(demo_desk, actors["dispatcher"], waiting, "dispatch", {"unit": "D01"})
    signer, unit_case = next((a, rows[0]) for a in actors.values() if a.role == "unit" and a.unit
                             for rows in [caselist.case_rows(demo_desk, a, caselist.case_keys(
                                 demo_desk, a, {"state": "dispatched", "unit": a.unit})["keys"][:1])] if rows)
    handling.act(demo_desk, signer, unit_case["case_no"], "sign", {})
    changed = [*new, waiting, unit_case["case_no"], "FS-NO-SUCH-CASE"]
    moved = 0
    for f in FILTERS:
        for s in SORTS:
            old = before[(tuple(sorted(f.items())), s)]
            plan = listchanges.follow_changes(demo_desk, actors["admin"], f, s, old, changed)
            fresh = caselist.case_keys(demo_desk, actors["admin"], f, s)["keys"]
            assert apply(old, plan) == fresh, (f, s, plan["steps"])
            assert plan["delta"] == len(fresh) - len(old)
            assert set(plan["at"]) == {r["rid"] for r in plan["rows"]}
            for rid, at in plan["at"].items():
                assert fresh[at] == rid
            moved += sum(1 for step in plan["steps"] if step[0] == "move")
    assert moved > 0  # the due sorts moved a case (its 办结时限 changed)
    # a new case in an unfiltered received_desc list is one insert at the top, nothing else read
    old = caselist.case_keys(demo_desk, actors["admin"], {}, "received_desc")["keys"]
    no = take_in(demo_desk, actors["intake"], sample_case(auto_dispatch=False))["case_no"]
    plan = listchanges.follow_changes(demo_desk, actors["admin"], {}, "received_desc", old, [no])
    assert plan["steps"] == [("insert", 0, plan["rows"][0]["rid"])] and plan["rows"][0]["case_no"] == no
    # an action that changes nothing the list orders by: no steps, the row repaints in place
    plan = listchanges.follow_changes(demo_desk, actors["admin"], {}, "received_desc",
                                      caselist.case_keys(demo_desk, actors["admin"], {}, "received_desc")["keys"],
                                      [unit_case["case_no"]])
    assert plan["steps"] == [] and len(plan["rows"]) == 1
    # too many at once (a sync round): the caller queries again
    assert listchanges.follow_changes(demo_desk, actors["admin"], {}, "received_desc", old,
                                      [f"X{i}" for i in range(listchanges.MAX_CHANGES + 1)]) is None
