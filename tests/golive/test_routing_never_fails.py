"""Intake never fails on routing: a rule naming an unknown, deactivated or several units leaves the
case registered (待分派) with the reason shown; a co-unit that is unknown is left out."""
from __future__ import annotations

from app.cases import intake
from app.domain.ids import stable_id
from app.store.models import Rule, Unit
from tests.conftest import sample_case


def _rule(desk, code, category, unit, **kw):
    with desk.db.tx() as s:
        s.add(Rule(id=stable_id("rule", code), code=code, name="", category_code=category, unit_code=unit,
                   updated_at=desk.now(), **kw))
    desk.invalidate()


def test_unknown_unit_registers_the_case(desk, actors):
    # the field seen on a second workstation: 企业偷排 -> Q03 while Q03 never arrived
    with desk.db.tx() as s:
        s.delete(s.get(Unit, stable_id("unit", "Q03")))
    desk.invalidate()
    view = intake.take_in(desk, actors["intake"], sample_case(category="JJ0307", type="report"))
    assert view["state"] == "registered"
    assert view["routing"]["unit"] is None
    assert "「Q03」在本机不存在" in view["routing"]["reason"] and "待分派" in view["routing"]["reason"]


def test_inactive_unit_registers_the_case(desk, actors):
    with desk.db.tx() as s:
        s.get(Unit, stable_id("unit", "Q03")).deleted = True
    desk.invalidate()
    view = intake.take_in(desk, actors["intake"], sample_case(category="JJ0307", type="report"))
    assert view["state"] == "registered"
    assert "「Q03」已停用（区生态环境分局）" in view["routing"]["reason"]


def test_ambiguous_rules_register_the_case(desk, actors):
    _rule(desk, "X1", "JJ0307", "D01")  # a second town-wide line for the same category
    view = intake.take_in(desk, actors["intake"], sample_case(category="JJ0307", type="report"))
    assert view["state"] == "registered"
    assert {c["code"] for c in view["routing"]["candidates"]} == {"D01", "Q03"}
    assert "多个承办单位" in view["routing"]["reason"]


def test_unknown_co_unit_is_left_out(desk, actors):
    _rule(desk, "X2", "PA0101", "V01", village_code="V01", co_units="D02,ZZ9", handle_days=2)
    view = intake.take_in(desk, actors["intake"], sample_case())
    assert view["state"] != "registered" and view["unit"]["code"] == "V01"
    assert [c["code"] for c in view["co_units"]] == ["D02"]
    assert "协办单位「ZZ9」在本机不存在" in view["routing"]["reason"]
