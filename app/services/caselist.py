"""Backing queries for the window's big case table: the ordered key list of a query (integer
``rid``s only, a few MB even for a million cases) and the rows for a window of those keys.

The table model holds the key list and asks for rows lazily (ARCHITECTURE.md section 6)."""
from __future__ import annotations

from array import array

from sqlalchemy import func, select

from app.errors import ValidationError
from app.services.desk import Actor, Desk
from app.services.queries import FAR_FUTURE, SORTS, conditions
from app.services.views import case_summary
from app.store.models import Case

MAX_WINDOW = 1000


def _ordered(desk: Desk, actor: Actor | None, filters: dict | None, sort: str):
    if sort not in SORTS:
        raise ValidationError("排序应为：" + "、".join(SORTS), field="sort")
    conds = conditions(desk, actor, filters or {}, desk.now())
    col, desc = SORTS[sort]
    key = func.coalesce(col, FAR_FUTURE) if sort.startswith("due") else col
    order = (key.desc(), Case.rid.desc()) if desc else (key.asc(), Case.rid.asc())
    return conds, select(Case.rid).where(*conds).order_by(*order)


def case_keys(desk: Desk, actor: Actor | None, filters: dict | None = None,
              sort: str = "received_desc") -> dict:
    """{"total": n, "keys": array('q') of rids in display order} for a filter and sort."""
    _conds, stmt = _ordered(desk, actor, filters, sort)
    with desk.db.read() as s:
        keys = array("q", s.execute(stmt).scalars())
    return {"total": len(keys), "keys": keys}


def first_page(desk: Desk, actor: Actor | None, filters: dict | None = None, sort: str = "received_desc",
               limit: int = 100) -> dict:
    """What the table paints first: {"total", "keys" (the first ``limit``), "rows"} — fast on a
    million cases (index order with LIMIT plus one count); the full key list follows."""
    conds, stmt = _ordered(desk, actor, filters, sort)
    with desk.db.read() as s:
        keys = array("q", s.execute(stmt.limit(limit)).scalars())
        total = len(keys) if len(keys) < limit else \
            s.scalar(select(func.count()).select_from(Case).where(*conds))
    return {"total": total, "keys": keys, "rows": case_rows(desk, actor, keys)}


def case_rows(desk: Desk, actor: Actor | None, keys) -> list[dict]:
    """Case views for ``keys`` (rids), in the same order; missing keys are skipped."""
    keys = list(keys)
    if len(keys) > MAX_WINDOW:
        raise ValidationError(f"一次最多读取 {MAX_WINDOW} 行", field="keys")
    if not keys:
        return []
    now = desk.now()
    refs = desk.refs()
    with desk.db.read() as s:
        rows = {r.rid: r for r in s.scalars(select(Case).where(Case.rid.in_(keys)))}
        return [dict(case_summary(rows[k], refs, now, actor), rid=k) for k in keys if k in rows]
