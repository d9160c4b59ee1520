"""The working-day calendar as an administrator sees and sets it: ``calendar list`` (every day of a
year with where its status comes from), ``calendar set`` (a town day, synced to the town's other
workstations) and the warning the window shows when the coming days rest on a guess.

Sources, first match wins: ``override`` (this town's days: ``calendar set``, the workbook's 节假日
sheet, older local days), ``district`` (the official calendar the district entered on its
server), ``official`` (chinese-calendar), ``provisional`` (statutory days of a year
chinese-calendar lacks, from the ``holidays`` package) and ``weekend`` / ``weekday``.
"""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import workbook as wbk
from app.domain import workflow as wf
from app.domain.calendar import library_knows, provisional_days
from app.domain.ids import stable_id
from app.domain.schema import Field, validate
from app.domain.timezone import LOCAL_TZ
from app.errors import PermissionDenied, ValidationError
from app.store.audit import audit
from app.store.models import CalendarDay, Holiday
from app.store.outbox import enqueue_record

SOURCES = ("official", "district", "override", "provisional", "weekend", "weekday")
GUESSED = ("provisional", "weekday", "weekend")  # a year nobody has entered the official calendar of


def _year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError("年份应为 2000 至 2100 之间的整数", field="year")
    return year


def _entered(desk: Desk) -> tuple[dict, dict]:
    """(town days, district days): date -> (workday, note)."""
    town, district = {}, {}
    with desk.db.read() as s:
        for d in s.scalars(select(CalendarDay)):
            town[date.fromisoformat(d.day)] = (d.workday, d.note or "")
        for h in s.scalars(select(Holiday).where(Holiday.deleted.is_(False))):
            (district if h.owner_level == "district" else town)[date.fromisoformat(h.day)] = (h.workday, h.name or "")
    return town, district


_CHINESE = {h.value: h.chinese for h in chinese_calendar.Holiday}


def _official_note(d: date, workday: bool) -> str:
    _on, name = chinese_calendar.get_holiday_detail(d)
    chinese = _CHINESE.get(name, name) if name else ""
    if workday and d.weekday() >= 5:
        return f"{chinese}调休上班" if chinese else "调休上班"
    return chinese or ""


def days(desk: Desk, start: date, end: date) -> list[dict]:
    """``{date, workday, source, note}`` for every day from ``start`` to ``end`` inclusive."""
    cal = desk.calendar()
    town, district = _entered(desk)
    out, d = [], start
    known: dict[int, bool] = {}
    while d <= end:
        if d.year not in known:
            known[d.year] = library_knows(d.year)
        if d in town:
            workday, note, source = *town[d], "override"
        elif d in district:
            workday, note, source = *district[d], "district"
        elif known[d.year]:
            workday = cal.is_workday(d)
            note, source = _official_note(d, workday), "official"
        elif d in provisional_days(d.year):
            workday, note, source = False, provisional_days(d.year)[d], "provisional"
        else:
            workday = d.weekday() < 5
            note, source = "", "weekday" if workday else "weekend"
        out.append({"date": d.isoformat(), "workday": bool(workday), "source": source, "note": note})
        d += timedelta(days=1)
    return out


def calendar_list(desk: Desk, year: int) -> list[dict]:
    """``calendar list --year``: every day of the year."""
    year = _year(year)
    return days(desk, date(year, 1, 1), date(year, 12, 31))


def calendar_set(desk: Desk, actor: Actor, day: str, workday: bool, note: str = "") -> dict:
    """``calendar set DATE --workday|--holiday``: a town day (administrators), synced to the
    town's other workstations; it wins over the district's and the official calendar."""
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以设置工作日历", field="as")
    data = validate((Field("date", "日期", "date", required=True), Field("note", "说明", "line", max_len=100)),
                    {"date": day, "note": note or None})
    if len(data["date"]) != 10:
        raise ValidationError("日期格式应为 YYYY-MM-DD", field="date")
    the_day = date.fromisoformat(data["date"])
    _year(the_day.year)
    code = wbk.holiday_code("town", the_day.isoformat())
    with desk.db.tx() as s:
        row = s.get(Holiday, stable_id("holiday", code))
        if row is None:
            row = Holiday(id=stable_id("holiday", code), code=code, owner_level="town", sample=False,
                          day=the_day.isoformat())
            s.add(row)
        row.workday, row.name, row.deleted, row.updated_at = bool(workday), data.get("note") or "", False, desk.now()
        audit(s, desk, actor.username, "calendar.set", the_day.isoformat(), {"workday": bool(workday),
                                                                            "note": row.name})
        enqueue_record(s, desk, "holiday", row)
    desk.invalidate()
    return {"date": the_day.isoformat(), "workday": bool(workday), "source": "override", "note": row.name}


def guessed_ahead(desk: Desk, horizon: int = 60) -> dict | None:
    """The window's banner: the coming ``horizon`` days that rest on a guess (provisional statutory
    days or plain Monday-Friday of a year whose official calendar nobody entered), else None."""
    today = desk.now().astimezone(LOCAL_TZ).date()
    ahead = [d for d in days(desk, today, today + timedelta(days=horizon)) if d["source"] in GUESSED]
    if not ahead:
        return None
    years = sorted({int(d["date"][:4]) for d in ahead})
    prov = [d for d in ahead if d["source"] == "provisional"]
    text = (f"{'、'.join(map(str, years))} 年的官方节假日安排尚未录入：未来 {horizon} 天中有 {len(ahead)} 天按"
            f"{'法定节假日（暂定）和' if prov else ''}周一至周五推算，时限可能不准。请管理员在「工作日历」中录入国务院"
            f"办公厅公布的放假安排，或等待区级同步。")
    return {"years": years, "days": len(ahead), "provisional": [d["date"] for d in prov], "message": text}
