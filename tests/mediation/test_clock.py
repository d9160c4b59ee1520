"""The 30-working-day mediation clock on the working calendar, with a frozen clock across 中秋 and
国庆 2026 (make-up working days included), its 三色, the extension with both parties' consent, and
the 30-day 司法确认 reminder after an agreement."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import ValidationError
from app.mediation import queries, services
from tests.mediation.conftest import AGREEMENT, dispute_input, new_cases

SH = ZoneInfo("Asia/Shanghai")


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_thirty_working_days_across_the_national_day_holiday(desk, actors, clock):
    # Monday 2026-09-14 10:00. Working days after it: 9/15-18, Sunday 9/20 (调休上班), 9/21-24,
    # (中秋 9/25-27 off), 9/28-30, (国庆 10/1-7 off), 10/8-10 (Saturday 10/10 调休上班), 10/12-16,
    # 10/19-23, 10/26-30: the 30th is Friday 10/30. Weekends alone would give Monday 10/26.
    clock.set(_at(2026, 9, 14, 10))
    [case_no] = new_cases(desk, 1)
    out = services.open_dispute(desk, actors["admin"], case_no, dispute_input())
    assert datetime.fromisoformat(out["due_at"]) == _at(2026, 10, 30, 10)
    assert out["color"] == "green" and out["state"] == "accepted"
    no = out["dispute_no"]

    def colour_at(when: datetime) -> str:
        clock.set(when)
        return queries.show_dispute(desk, None, no)["color"]

    # yellow from 6 working days (a fifth of 30) before the deadline: Thursday 10/22 10:00
    assert colour_at(_at(2026, 10, 22, 9, 59)) == "green"
    assert colour_at(_at(2026, 10, 22, 10, 0)) == "yellow"
    assert colour_at(_at(2026, 10, 30, 10, 0)) == "yellow"
    assert colour_at(_at(2026, 10, 30, 10, 1)) == "red"
    assert [d["dispute_no"] for d in queries.list_disputes(desk, None, color="red")] == [no]

    # both parties agree to 5 more working days: 11/2-6, due Friday 11/6 10:00, yellow again
    with pytest.raises(ValidationError) as e:
        services.extend(desk, actors["admin"], no, 5, consent=False)
    assert e.value.field == "consent" and "双方当事人同意" in e.value.message
    out = services.extend(desk, actors["admin"], no, 5, consent=True)
    assert datetime.fromisoformat(out["due_at"]) == _at(2026, 11, 6, 10) and out["color"] == "yellow"
    with pytest.raises(ValidationError):
        services.extend(desk, actors["admin"], no, 26, consent=True)  # 31 days in all


def test_judicial_confirmation_reminder(desk, actors, clock):
    [case_no] = new_cases(desk, 1)
    admin = actors["admin"]
    no = services.open_dispute(desk, admin, case_no, dispute_input())["dispute_no"]
    before = queries.show_dispute(desk, None, no)
    assert before["judicial_confirmation_due"] is None and before["judicial_reminder"] is None
    closed = services.close_dispute(desk, admin, no, {"means": "mediation", "success": True, "agreement": AGREEMENT})
    # agreed Friday 2026-11-27 10:00: 30 days to apply for 司法确认, until 2026-12-27 10:00
    assert datetime.fromisoformat(closed["judicial_confirmation_due"]) == _at(2026, 12, 27, 10)
    assert closed["judicial_reminder"]["level"] == "pending" and closed["judicial_reminder"]["days_left"] == 30
    clock.advance(days=24)
    r = queries.show_dispute(desk, None, no)["judicial_reminder"]
    assert (r["level"], r["days_left"]) == ("soon", 6) and "还剩 6 天" in r["text"]
    clock.advance(days=6, minutes=1)
    r = queries.show_dispute(desk, None, no)["judicial_reminder"]
    assert r["level"] == "overdue" and "已过" in r["text"]
    services.apply_judicial(desk, admin, no)
    assert queries.show_dispute(desk, None, no)["judicial_reminder"] is None


def test_no_reminder_without_agreement(desk, actors):
    [case_no] = new_cases(desk, 1)
    no = services.open_dispute(desk, actors["admin"], case_no, dispute_input())["dispute_no"]
    out = services.close_dispute(desk, actors["admin"], no, {"means": "compensation", "success": True})
    assert out["judicial_confirmation_due"] is None and out["judicial_reminder"] is None


def test_difficulty_and_grade(desk, actors, clock):
    admin = actors["admin"]
    nos = new_cases(desk, 5)
    assert services.open_dispute(desk, admin, nos[0], dispute_input(amount=500, persons=2))["difficulty"] == "简单"
    assert services.open_dispute(desk, admin, nos[1], dispute_input(amount=20000, persons=3))["difficulty"] == "一般"
    major = services.open_dispute(desk, admin, nos[2], dispute_input(amount=100000, persons=2))
    assert (major["difficulty"], major["color"], major["grade_lead"]) == ("重大疑难", "yellow", "班子成员领办")
    with pytest.raises(ValidationError) as e:  # set by hand against the rule: a reason is required
        services.open_dispute(desk, admin, nos[3], dispute_input(persons=12, difficulty="一般"))
    assert e.value.field == "reason" and "重大疑难" in e.value.message
    by_hand = services.open_dispute(desk, admin, nos[3], dispute_input(persons=12, difficulty="一般",
                                                                       reason="同一家族成员，诉求一致"))
    assert by_hand["difficulty"] == "一般" and by_hand["difficulty_reason"] == "同一家族成员，诉求一致"
    risky = services.open_dispute(desk, admin, nos[4], dispute_input(criminal_risk=True))
    assert (risky["difficulty"], risky["color"], risky["grade_lead"]) == ("重大疑难", "red", "镇领导包案")
    # a failed session turns an ordinary dispute red
    no = services.open_dispute(desk, admin, new_cases(desk, 1)[0], dispute_input())["dispute_no"]
    out = services.record_session(desk, admin, no, {"at": (clock() - timedelta(hours=1)).isoformat(),
                                                    "place": "卧龙社区调解室", "attendees": ["张三", "李四"],
                                                    "record": "双方分歧较大", "outcome": "failed"})
    assert out["color"] == "red" and out["failed_sessions"] == 1
