"""Lists, keyset paging, colour filters and Chinese full-text search on the demo store."""
from datetime import datetime, timedelta

from sqlalchemy import select

from app.cases import intake, queries
from app.domain.deadlines import colour
from app.store.models import Case
from app.store.search import bigrams, match_expression
from tests.conftest import SHANGHAI, sample_case


def test_bigrams_and_match_expression():
    assert bigrams("张三 13800001111") == ["张三", "13", "38", "80", "00", "00", "00", "01", "11", "11", "11"]
    assert bigrams("府山街道") == ["府山", "山街", "街道"]
    assert match_expression("府山街道") == '"府山 山街 街道"'
    assert match_expression("张") is None


def test_keyset_pages_cover_everything_once_in_order(demo_desk):
    seen, after, total = [], None, None
    while True:
        page = queries.list_cases(demo_desk, None, {}, limit=37, after=after)
        total = page["total"]
        seen += [(c["received_at"], c["case_no"]) for c in page["items"]]
        after = page["next"]
        if not after:
            break
    assert total == 300 and len(seen) == 300 == len({c for _, c in seen})
    assert [t for t, _ in seen] == sorted((t for t, _ in seen), reverse=True)


def test_due_sort_pages_put_cases_without_a_clock_last(demo_desk):
    first = queries.list_cases(demo_desk, None, {"state": "open"}, sort="due_asc", limit=20)
    dues = [c["due_at"] for c in first["items"]]
    page2 = queries.list_cases(demo_desk, None, {"state": "open"}, sort="due_asc", limit=20, after=first["next"])
    assert not set(c["case_no"] for c in first["items"]) & set(c["case_no"] for c in page2["items"])
    assert dues  # ordered by the running deadline


def test_colour_filters_agree_with_the_colour_of_each_case(demo_desk):
    now = demo_desk.now()
    with demo_desk.db.read() as s:
        rows = list(s.scalars(select(Case).where(Case.state.in_(
            ["registered", "dispatched", "in_progress", "suspended", "review", "callback", "escalated"]))))
    by_colour = {"red": 0, "yellow": 0, "green": 0}
    for r in rows:
        by_colour[colour(now, r.clock_due_at, r.clock_warn_at)] += 1
    assert by_colour["red"] > 0 and by_colour["yellow"] > 0
    for c, n in by_colour.items():
        page = queries.list_cases(demo_desk, None, {"color": c}, limit=500)
        assert page["total"] == n
        assert {item["color"] for item in page["items"]} <= {c}


def test_filters_combine(demo_desk):
    page = queries.list_cases(demo_desk, None, {"state": "closed", "channel": "hotline_12345"}, limit=500)
    assert page["total"] > 0
    assert all(c["state"] == "closed" and c["channel"] == "hotline_12345" for c in page["items"])
    day = (demo_desk.now() - timedelta(days=5)).date().isoformat()
    page = queries.list_cases(demo_desk, None, {"date_from": day}, limit=500)
    local_days = {datetime.fromisoformat(c["received_at"]).astimezone(SHANGHAI).date().isoformat()
                  for c in page["items"]}
    assert page["total"] > 0 and min(local_days) == day


def test_two_character_name_and_phone_fragment_are_found(desk, actors):
    intake.take_in(desk, actors["intake"], sample_case())
    intake.take_in(desk, actors["intake"], sample_case(reporter={"name": "李四", "phone": "13900002222"},
                                                       description="李四反映路灯损坏"))
    assert queries.list_cases(desk, None, {"q": "张三"})["total"] == 1
    assert queries.list_cases(desk, None, {"q": "2222"})["total"] == 1
    assert queries.list_cases(desk, None, {"q": "李"})["total"] == 1  # one character: LIKE fallback
    assert queries.list_cases(desk, None, {"q": "FS-20261127-01-0002"})["total"] == 1


def test_show_case_lists_only_the_actions_the_role_may_take(desk, actors):
    no = intake.take_in(desk, actors["intake"], sample_case())["case_no"]
    assert queries.show_case(desk, actors["unit_v01"], no)["allowed_actions"][:2] == ["sign", "return"]
    assert "sign" not in queries.show_case(desk, actors["unit"], no)["allowed_actions"]
    assert "sign" not in queries.show_case(desk, actors["intake"], no)["allowed_actions"]
    masked = queries.show_case(desk, actors["unit_v01"], no)["reporter"]
    assert masked["phone"] == "138****1111" and masked["id_no"] == "110105********002X"
    assert queries.show_case(desk, actors["intake"], no)["reporter"]["phone"] == "13800001111"


def test_urge_level_filter_keeps_that_level_and_names_the_field_when_bad(demo_desk):
    import pytest

    from app.errors import ValidationError

    page = queries.list_cases(demo_desk, None, {"supervised": True, "urge_level": "red"}, limit=500)
    assert page["total"] > 0 and all(c["urge_level"] == "red" for c in page["items"])
    assert page["total"] < queries.list_cases(demo_desk, None, {"supervised": True}, limit=1)["total"]
    with pytest.raises(ValidationError) as e:
        queries.list_cases(demo_desk, None, {"urge_level": "purple"}, limit=1)
    assert e.value.field == "urge_level"
