"""Unit tests for app.domain.calendar and app.domain.deadlines.

Calendar facts used below (verified against chinese_calendar 1.11.0):
  * 2026 New Year: 01-01..01-03 off, Sunday 01-04 is a make-up working day.
  * 2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 are working days.
  * 2026 Mid-autumn: 09-25..09-27 off. National Day: 10-01 (Thu)..10-07 (Wed) off,
    Sunday 09-20 and Saturday 10-10 are working days; 10-11 (Sun) is off.
  * chinese_calendar has no data for 2027 (raises NotImplementedError).
All expected instants below are worked out by hand (1 working day = 24 h of working time).
"""
from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import WorkCalendar
from app.domain.deadlines import (
    DeadlinePolicy,
    colour,
    extend,
    handle_deadline,
    shift_for_suspension,
    sign_deadline,
    subtract_worktime,
    warn_at,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = UTC
H = timedelta(hours=1)


def sh(y, mo, d, h=0, mi=0, s=0, us=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=SH)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# --- facts the tests rely on ------------------------------------------------------------


def test_chinese_calendar_facts():
    off = [date(2026, 10, d) for d in range(1, 8)] + [date(2026, 2, d) for d in range(15, 24)]
    assert not any(chinese_calendar.is_workday(d) for d in off)
    for d in [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)]:
        assert d.weekday() >= 5 and chinese_calendar.is_workday(d)
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert not chinese_calendar.is_workday(date(2026, 10, 11))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 3, 1))


# --- is_workday / official years -------------------------------------------------------


def test_is_workday_official(cal):
    assert cal.is_workday(date(2026, 1, 4))  # 调休 Sunday
    assert cal.is_workday(date(2026, 10, 10))  # 调休 Saturday
    assert not cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 3, 7))  # ordinary Saturday
    assert cal.is_workday(date(2026, 3, 9))  # ordinary Monday


def test_is_workday_accepts_aware_datetime_as_local_date(cal):
    # 2026-10-09 17:00 UTC is 2026-10-10 01:00 in Shanghai: the 调休 Saturday.
    assert cal.is_workday(datetime(2026, 10, 9, 17, 0, tzinfo=UTC))
    # 2026-09-30 17:00 UTC is 10-01 01:00 local: a holiday.
    assert not cal.is_workday(datetime(2026, 9, 30, 17, 0, tzinfo=UTC))


def test_2027_falls_back_to_weekends(cal):
    assert cal.is_workday(date(2027, 1, 1))  # Friday; holiday unknown -> working day
    assert not cal.is_workday(date(2027, 1, 2))  # Saturday
    assert not cal.is_workday(date(2027, 1, 3))  # Sunday
    assert cal.is_workday(date(2027, 1, 4))
    assert not cal.is_official(2027)
    assert cal.is_official(2026)
    assert cal.missing_years(date(2026, 12, 1), date(2027, 2, 1)) == [2027]
    assert cal.missing_years(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert cal.missing_years(date(2028, 1, 1), date(2026, 1, 1)) == [2027, 2028]
    assert cal.missing_years(sh(2027, 1, 1), sh(2027, 1, 2)) == [2027]


def test_override_in_2027_is_honoured():
    cal = WorkCalendar({date(2027, 1, 1): False, date(2027, 1, 9): True})
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 9))  # Saturday made a working day
    assert cal.is_official(2027)
    assert cal.missing_years(date(2027, 1, 1), date(2028, 1, 1)) == [2028]
    # Thu 2026-12-31 15:00 + 1: Friday 2027-01-01 is a holiday now -> Monday 01-04 15:00.
    assert cal.add_workdays(sh(2026, 12, 31, 15), 1) == sh(2027, 1, 4, 15)
    # Without the override the fallback counts New Year's Day 2027 as a working day.
    assert WorkCalendar().add_workdays(sh(2026, 12, 31, 15), 1) == sh(2027, 1, 1, 15)


def test_override_beats_official_data():
    cal = WorkCalendar({date(2026, 10, 10): False, date(2026, 10, 8): False})
    assert not cal.is_workday(date(2026, 10, 10))
    # 09-30 10:00: 14 h on 09-30, 10-09 is the only working day before 10-12 -> 10 h into 10-12.
    assert cal.add_workdays(sh(2026, 9, 30, 10), 2) == sh(2026, 10, 12, 10)


# --- add_workdays -------------------------------------------------------------------------


def test_results_are_utc(cal):
    out = cal.add_workdays(sh(2026, 3, 2, 10), 1)
    assert out.tzinfo is UTC
    assert out == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def test_friday_plus_one_is_monday(cal):
    assert cal.add_workdays(sh(2026, 3, 6, 15), 1) == sh(2026, 3, 9, 15)


def test_friday_plus_one_is_make_up_saturday(cal):
    assert cal.add_workdays(sh(2026, 2, 13, 15), 1) == sh(2026, 2, 14, 15)
    assert cal.add_workdays(sh(2026, 10, 9, 15), 1) == sh(2026, 10, 10, 15)


def test_friday_plus_one_is_make_up_sunday(cal):
    # Fri 2026-09-18 -> Sat 09-19 off -> Sun 09-20 is a 调休 working day.
    assert cal.add_workdays(sh(2026, 9, 18, 15), 1) == sh(2026, 9, 20, 15)
    # New Year: Wed 2025-12-31 15:00 + 1 skips 01-01..01-03 and lands on Sun 01-04.
    assert cal.add_workdays(sh(2025, 12, 31, 15), 1) == sh(2026, 1, 4, 15)


def test_national_day_five_working_days(cal):
    # Wed 09-30 10:00: 14 h left that day; 10-01..10-07 off; 10-08 (24 h, 38), 10-09 (62),
    # Sat 10-10 make-up (86), 10-11 off, 10-12 (110), then 10 h into Tue 10-13.
    assert cal.add_workdays(sh(2026, 9, 30, 10), 5) == sh(2026, 10, 13, 10)
    assert cal.add_workdays(sh(2026, 9, 30, 10), 1) == sh(2026, 10, 8, 10)
    assert cal.add_workdays(sh(2026, 9, 30, 10), 3) == sh(2026, 10, 10, 10)


def test_start_on_non_working_day_starts_at_next_working_midnight(cal):
    assert cal.add_workdays(sh(2026, 3, 7, 13, 30), 1) == sh(2026, 3, 10, 0)  # Sat -> Mon 00:00 + 24h
    assert cal.add_workdays(sh(2026, 10, 3, 9), 0.5) == sh(2026, 10, 8, 12)


def test_fractional_days_and_day_end(cal):
    assert cal.add_workdays(sh(2026, 3, 6, 15), 0.25) == sh(2026, 3, 6, 21)
    # Exactly used up at 24:00 Friday: Saturday 00:00 is returned (not Monday).
    assert cal.add_workdays(sh(2026, 3, 6, 0), 1) == sh(2026, 3, 7, 0)
    assert cal.add_workdays(sh(2026, 3, 6, 15), 0) == sh(2026, 3, 6, 15)


def test_negative_days_go_back(cal):
    assert cal.add_workdays(sh(2026, 3, 9, 15), -1) == sh(2026, 3, 6, 15)


def test_fifteen_working_days(cal):
    # Mon 2026-03-02 09:00 + 15 working days = three whole weeks later.
    assert cal.add_workdays(sh(2026, 3, 2, 9), 15) == sh(2026, 3, 23, 9)


def test_speed(cal):
    t0 = _time.perf_counter()
    for i in range(200):
        cal.add_workdays(sh(2026, 1, 1) + i * H, 15)
    cal.add_workdays(sh(2026, 1, 1), 1000)
    assert _time.perf_counter() - t0 < 2.0


def test_naive_rejected(cal):
    naive = datetime(2026, 3, 2, 9)
    with pytest.raises(ValueError):
        cal.add_workdays(naive, 1)
    with pytest.raises(ValueError):
        cal.worktime_between(naive, sh(2026, 3, 3))
    with pytest.raises(ValueError):
        cal.worktime_between(sh(2026, 3, 3), naive)
    with pytest.raises(ValueError):
        cal.next_workday_end(naive)
    with pytest.raises(ValueError):
        sign_deadline(cal, naive, DeadlinePolicy(), urgent=True)
    with pytest.raises(ValueError):
        colour(naive, sh(2026, 3, 3), None)


# --- worktime_between / next_workday_end -------------------------------------------------


def test_worktime_between(cal):
    assert cal.worktime_between(sh(2026, 3, 6, 18), sh(2026, 3, 9, 6)) == 12 * H
    assert cal.worktime_between(sh(2026, 9, 30, 20), sh(2026, 10, 8, 4)) == 8 * H
    assert cal.worktime_between(sh(2026, 3, 7, 1), sh(2026, 3, 8, 23)) == timedelta(0)
    assert cal.worktime_between(sh(2026, 3, 9), sh(2026, 3, 6)) == timedelta(0)
    # Across the Spring Festival: Fri 02-13 12:00 -> Tue 02-24 12:00 = 12 + 24 (Sat 02-14) + 12.
    assert cal.worktime_between(sh(2026, 2, 13, 12), sh(2026, 2, 24, 12)) == 48 * H
    # Mixed offsets are the same instants.
    assert cal.worktime_between(datetime(2026, 3, 6, 2, tzinfo=UTC), sh(2026, 3, 6, 12)) == 2 * H


def test_next_workday_end(cal):
    # 回访 due by the end of the next working day.
    assert cal.next_workday_end(sh(2026, 9, 30, 10)) == sh(2026, 10, 9, 0)  # end of 10-08
    assert cal.next_workday_end(sh(2026, 10, 9, 23, 59)) == sh(2026, 10, 11, 0)  # end of Sat 10-10
    assert cal.next_workday_end(sh(2026, 10, 10, 8)) == sh(2026, 10, 13, 0)  # end of Mon 10-12
    assert cal.next_workday_end(sh(2026, 3, 6, 0, 0)) == sh(2026, 3, 10, 0)  # Fri -> end of Mon
    assert cal.next_workday_end(sh(2026, 3, 6)).tzinfo is UTC


def test_subtract_worktime(cal):
    assert subtract_worktime(cal, sh(2026, 3, 9, 10), 24 * H) == sh(2026, 3, 6, 10)
    # Used up exactly at Monday 00:00: the earliest equivalent instant is Friday 24:00.
    assert subtract_worktime(cal, sh(2026, 3, 9, 10), 10 * H) == sh(2026, 3, 7, 0)
    assert subtract_worktime(cal, sh(2026, 3, 9, 10), timedelta(0)) == sh(2026, 3, 9, 10)
    # Back over National Day and the 调休 Saturday: Tue 10-13 10:00 - 5 days = 09-30 10:00.
    assert subtract_worktime(cal, sh(2026, 10, 13, 10), 120 * H) == sh(2026, 9, 30, 10)


# --- properties -------------------------------------------------------------------------

_instants = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1), timezones=st.just(SH)
)
_amounts = st.integers(min_value=1, max_value=30 * 24 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(_instants, _amounts)
def test_add_then_measure_round_trips(t, amount):
    cal = WorkCalendar()
    end = cal.add_worktime(t, amount)
    assert end > t
    assert cal.worktime_between(t, end) == amount
    # Earliest such instant: a microsecond earlier is not enough.
    assert cal.worktime_between(t, end - timedelta(microseconds=1)) < amount


@settings(max_examples=150, deadline=None)
@given(_instants, _amounts)
def test_subtract_then_measure_round_trips(t, amount):
    cal = WorkCalendar()
    begin = cal.subtract_worktime(t, amount)
    assert cal.worktime_between(begin, t) == amount
    assert cal.worktime_between(begin - timedelta(microseconds=1), t) > amount


@settings(max_examples=100, deadline=None)
@given(_instants, _instants, _instants)
def test_worktime_is_additive(a, b, c):
    cal = WorkCalendar()
    a, b, c = sorted([a, b, c])
    assert cal.worktime_between(a, c) == cal.worktime_between(a, b) + cal.worktime_between(b, c)


# --- deadlines ----------------------------------------------------------------------------


def test_sign_deadline(cal):
    policy = DeadlinePolicy()
    assert sign_deadline(cal, sh(2026, 3, 6, 15), policy, urgent=False) == sh(2026, 3, 9, 15)
    # Urgent: 2 real hours even on a Saturday.
    assert sign_deadline(cal, sh(2026, 3, 7, 10), policy, urgent=True) == sh(2026, 3, 7, 12)
    assert sign_deadline(cal, sh(2026, 3, 7, 10), policy, urgent=True).tzinfo is UTC


def test_handle_deadline(cal):
    policy = DeadlinePolicy()
    assert handle_deadline(cal, sh(2026, 9, 30, 10), policy, urgent=False) == sh(2026, 10, 13, 10)
    assert handle_deadline(cal, sh(2026, 9, 30, 10), policy, urgent=True) == sh(2026, 10, 8, 10)
    custom = DeadlinePolicy(handle_days=10)
    assert handle_deadline(cal, sh(2026, 3, 2, 10), custom, urgent=False) == sh(2026, 3, 16, 10)


def test_policy_is_frozen():
    with pytest.raises(AttributeError):
        DeadlinePolicy().handle_days = 3  # type: ignore[misc]


def test_suspension_across_weekend(cal):
    due = sh(2026, 3, 11, 15)  # Wednesday
    # 挂账 Fri 03-06 10:00 -> Mon 03-09 10:00: 14 h (Fri) + 10 h (Mon) = 24 h of working time.
    assert shift_for_suspension(cal, due, sh(2026, 3, 6, 10), sh(2026, 3, 9, 10)) == sh(2026, 3, 12, 15)
    # Suspended only over the weekend: nothing changes.
    assert shift_for_suspension(cal, due, sh(2026, 3, 7, 9), sh(2026, 3, 8, 20)) == due
    # Resumed before suspended (bad data) changes nothing either.
    assert shift_for_suspension(cal, due, sh(2026, 3, 9), sh(2026, 3, 6)) == due


def test_suspension_pushes_over_national_day(cal):
    due = sh(2026, 9, 30, 18)
    # 6 h of suspension on Tue 09-29: 18:00 + 6 h ends exactly at 24:00 of 09-30, which is
    # returned as 10-01 00:00 (not moved on to 10-08 although 10-01 is a holiday).
    assert shift_for_suspension(cal, due, sh(2026, 9, 29, 9), sh(2026, 9, 29, 15)) == sh(2026, 10, 1, 0)
    # 8 h: 6 h to the end of 09-30, 2 h into 10-08.
    assert shift_for_suspension(cal, due, sh(2026, 9, 29, 9), sh(2026, 9, 29, 17)) == sh(2026, 10, 8, 2)


def test_extend(cal):
    assert extend(cal, sh(2026, 10, 9, 15), 2) == sh(2026, 10, 12, 15)  # via make-up Saturday
    assert extend(cal, sh(2026, 3, 6, 15), 3) == sh(2026, 3, 11, 15)


# --- warn_at / colour -------------------------------------------------------------------


def test_warn_and_colours_across_weekend(cal):
    start = sh(2026, 3, 2, 10)  # Monday
    due = handle_deadline(cal, start, DeadlinePolicy(), urgent=False)
    assert due == sh(2026, 3, 9, 10)  # next Monday
    warn = warn_at(cal, start, due)
    # 1 working day before due: 10 h of Monday, then 14 h back into Friday -> Fri 10:00.
    assert warn == sh(2026, 3, 6, 10)
    assert colour(sh(2026, 3, 6, 9, 59), due, warn) == "green"
    assert colour(sh(2026, 3, 6, 10), due, warn) == "yellow"
    assert colour(sh(2026, 3, 8, 12), due, warn) == "yellow"  # Sunday
    assert colour(sh(2026, 3, 9, 10), due, warn) == "yellow"  # at the deadline
    assert colour(sh(2026, 3, 9, 10, 0, 0, 1), due, warn) == "red"


def test_warn_and_colours_across_make_up_saturday_and_spring_festival(cal):
    start = sh(2026, 2, 10, 9)  # Tuesday
    due = handle_deadline(cal, start, DeadlinePolicy(), urgent=False)
    # +1 Wed 02-11, +2 Thu 02-12, +3 Fri 02-13, +4 Sat 02-14 (调休), +5 after the festival: Tue 02-24.
    assert due == sh(2026, 2, 24, 9)
    warn = warn_at(cal, start, due)
    # 9 h of 02-24, 02-15..02-23 are off, 15 h back into Sat 02-14 -> 02-14 09:00.
    assert warn == sh(2026, 2, 14, 9)
    assert colour(sh(2026, 2, 14, 8, 59), due, warn) == "green"
    assert colour(sh(2026, 2, 14, 9), due, warn) == "yellow"
    assert colour(sh(2026, 2, 18, 12), due, warn) == "yellow"
    assert colour(sh(2026, 2, 24, 9, 1), due, warn) == "red"


def test_warn_fraction_dominates(cal):
    start = sh(2026, 3, 2, 10)
    due = handle_deadline(cal, start, DeadlinePolicy(handle_days=10), urgent=False)
    assert due == sh(2026, 3, 16, 10)
    # 20 % of 240 h = 48 h > 24 h: 10 h (Mon 03-16) + 24 h (Fri 03-13) + 14 h of Thu 03-12.
    assert warn_at(cal, start, due) == sh(2026, 3, 12, 10)
    # A larger yellow_days wins again.
    assert warn_at(cal, start, due, yellow_days=3) == sh(2026, 3, 11, 10)


def test_warn_never_before_start(cal):
    start = sh(2026, 3, 2, 10)
    due = sign_deadline(cal, start, DeadlinePolicy(), urgent=False)  # 1 working day
    assert warn_at(cal, start, due) == start
    assert colour(start, due, warn_at(cal, start, due)) == "yellow"
    # Urgent sign-for on a Saturday: no working time at all -> yellow from the start.
    s2 = sh(2026, 3, 7, 10)
    d2 = sign_deadline(cal, s2, DeadlinePolicy(), urgent=True)
    assert warn_at(cal, s2, d2) == s2
    assert colour(sh(2026, 3, 7, 12, 1), d2, warn_at(cal, s2, d2)) == "red"


def test_colour_edge_cases():
    now = sh(2026, 3, 2, 10)
    assert colour(now, None, None) == "green"
    assert colour(now, None, now) == "green"
    assert colour(now, now + H, None) == "green"
    assert colour(now, now - H, None) == "red"
