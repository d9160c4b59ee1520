"""Going live from the town workbook: the template, the import (dry run, ``--replace``), the export
and the case export. One service function per user action; the import is one transaction with its
audit entry and an outbox entry per changed record (district records made here stay local)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import workbook as wbk
from app.domain import workflow as wf
from app.domain.ids import stable_id
from app.domain.mediation import MEDIATOR_KIND_WORDS
from app.domain.vocab import CASE_TYPES
from app.errors import PermissionDenied
from app.reference.records import initials
from app.reference.xlsx import read_workbook, write_workbook
from app.store.audit import audit
from app.store.models import Category, Grid, Holiday, Mediator, Rule, Staff, Unit
from app.store.outbox import enqueue_record

MODELS = {"unit": Unit, "grid": Grid, "staff": Staff, "category": Category, "rule": Rule, "holiday": Holiday,
          "mediator": Mediator}
_SKIP = {"id", "updated_at", "sample", "code"}
_WORD = {k: {v: w for w, v in c.choices.items()} for k, c in
         (("unit_kind", wbk.BY_NAME["单位"].columns[2]), ("village_kind", wbk.BY_NAME["村社"].columns[2]))}
PLATFORM_WORD = {v: k for k, v in wbk.PLATFORMS.items()}


def _require_admin(actor: Actor) -> None:
    if actor.role != wf.ADMIN:
        raise PermissionDenied("只有管理员可以导入或修改基础数据", field="as")


def snapshot(session) -> wbk.Existing:
    """The store's reference records as the workbook plan reads them."""
    ex = wbk.Existing()
    for entity, model in MODELS.items():
        cols = [c.key for c in model.__table__.columns if c.key not in _SKIP]
        recs = ex.of(entity)
        for row in session.scalars(select(model)):
            recs[row.code] = {"id": row.id, **{k: getattr(row, k) for k in cols}}
    return ex


def check_workbook(desk: Desk, path, replace: Iterable[str] = ()) -> wbk.Plan:
    """Read and plan an import (nothing written): the dry run."""
    sheets = read_workbook(path)
    with desk.db.read() as s:
        return wbk.plan(wbk.parse(sheets, "town"), snapshot(s), "town", replace)


def import_workbook(desk: Desk, actor: Actor, path, *, dry_run: bool = False, replace: Iterable[str] = ()) -> dict:
    """``ref import``: the report ``{created, updated, unchanged, warnings, errors}``. With errors
    (or ``dry_run``) nothing is written; otherwise one transaction: every change, its outbox entry
    and one audit entry."""
    _require_admin(actor)
    replace = list(replace or ())
    sheets = read_workbook(path)
    with desk.db.tx() as s:
        p = wbk.plan(wbk.parse(sheets, "town"), snapshot(s), "town", replace)
        if p.errors or dry_run:
            return p.report()
        apply_plan(s, desk, p)
        audit(s, desk, actor.username, "ref.import", Path(path).name[:60],
              {"created": p.created, "updated": p.updated, "replace": replace})
    desk.invalidate()
    return p.report()


def apply_plan(s, desk: Desk, p: wbk.Plan) -> int:
    """Write a plan's changes in the caller's transaction; returns the number of rows written."""
    now = desk.now()
    rows: dict[tuple[str, str], object] = {}
    for entity in {c.entity for c in p.changes}:
        model = MODELS[entity]
        for r in s.scalars(select(model)):
            rows[(entity, r.code)] = r
    for ch in p.changes:
        model = MODELS[ch.entity]
        row = rows.get((ch.entity, ch.code))
        if row is None:
            row = model(id=stable_id(ch.entity, ch.code), code=ch.code)
            for key, col in model.__table__.columns.items():
                if key not in ("id", "code") and col.default is not None and not callable(col.default.arg):
                    setattr(row, key, col.default.arg)
            if ch.entity == "rule":
                row.name = ""
            rows[(ch.entity, ch.code)] = row
            s.add(row)
            row.owner_level = ch.owner_level
        for key, value in ch.values.items():
            if key != "code":
                setattr(row, key, value)
        if ch.entity == "category" and "name" in ch.values:
            row.initials = initials(row.name)
        row.updated_at = now
        if not ch.local_only and row.owner_level != "district":
            enqueue_record(s, desk, ch.entity, row)
    s.flush()
    return len(p.changes)


# -- export ------------------------------------------------------------------------------------

def _num(x):
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


def town_sheets(session, level: str = "town") -> list[tuple[str, list[str], list[list]]]:
    """The store's data as the workbook's sheets (importing them back changes nothing)."""
    def active(model, *where):
        return list(session.scalars(select(model).where(model.deleted.is_(False), *where).order_by(model.code)))

    out = []
    units = active(Unit)
    out.append(("单位", [[u.code, u.name, _WORD["unit_kind"].get(u.kind, u.kind), u.phone] for u in units]))
    grids = active(Grid)
    out.append(("村社", [[g.code, g.name, _WORD["village_kind"].get(g.kind, g.kind) if g.kind else None,
                        g.households] for g in grids if g.level == "village"]))
    out.append(("网格", [[g.code, g.name, g.parent_code, g.households] for g in grids if g.level == "grid"]))
    out.append(("微网格", [[g.code, g.name, g.parent_code, g.households, g.scope] for g in grids if g.level == "micro"]))
    out.append(("人员", [[st.code, st.name, st.phone, st.role, st.grid_code, st.unit_code] for st in active(Staff)]))
    out.append(("事项分类", [[c.code, c.name, c.parent_code, PLATFORM_WORD.get(c.platform, c.platform),
                          CASE_TYPES.get(c.case_type) if c.case_type else None, _num(c.handle_days),
                          "是" if c.auto_dispatch else "否"] for c in active(Category)]))
    out.append(("责任清单", [[r.code, r.category_code, r.village_code, r.grid_code, r.unit_code,
                          "、".join(c for c in (r.co_units or "").split(",") if c) or None, _num(r.handle_days)]
                         for r in active(Rule)]))
    days = sorted(active(Holiday, Holiday.owner_level == level), key=lambda h: h.day)
    out.append(("节假日", [[h.day, "班" if h.workday else "休", h.name or None] for h in days]))
    out.append(("调解员", [[m.code, m.name, m.phone, MEDIATOR_KIND_WORDS.get(m.kind, m.kind), m.org]
                         for m in active(Mediator)]))
    return [(name, list(wbk.BY_NAME[name].headers), rows) for name, rows in out]


def _widths(sheet: wbk.Sheet) -> list[int]:
    return [max(10, len(h) * 2 + 4) if c.kind not in ("name", "line") else 28 for h, c in
            zip(sheet.headers, sheet.columns, strict=True)]


WIDTHS = {s.name: _widths(s) for s in wbk.SHEETS}


def export_workbook(desk: Desk, actor: Actor, output, progress=None, cancel=None) -> dict:
    """``ref export``: the town's data in the workbook's format."""
    with desk.db.read() as s:
        sheets = town_sheets(s)
    total = sum(len(r) for _n, _h, r in sheets)
    n = write_workbook(output, sheets, progress, total, cancel, WIDTHS)
    counts = {name: len(rows) for name, _h, rows in sheets}
    if not desk.db.readonly:  # the staff sheet holds names and phone numbers
        with desk.db.tx() as s:
            audit(s, desk, actor.username, "export.reference", None, {"rows": n, "sheets": counts})
    return {"path": str(output), "rows": n, "sheets": counts}


def template(output) -> dict:
    """``ref template``: the sheets with their headers, and a 说明 sheet describing every column."""
    notes = []
    for sh in wbk.SHEETS:
        notes.append([sh.name, "", "", sh.note])
        for c in sh.columns:
            choices = " | ".join(c.choices) if c.choices else ""
            notes.append(["", c.header, "必填" if c.required else "", "；".join(x for x in (choices, c.note) if x)])
    notes.append(["", "", "", "第一行为列名，不可修改；按编码新建或更新，文件中没有的记录保持不变（--replace 表名 则停用）"])
    sheets = [(sh.name, list(sh.headers), []) for sh in wbk.SHEETS]
    sheets.append((wbk.NOTES_SHEET, ["工作表", "列", "必填", "说明"], notes))
    write_workbook(output, sheets, widths={**WIDTHS, wbk.NOTES_SHEET: [12, 18, 8, 80]})
    return {"path": str(output), "sheets": [sh.name for sh in wbk.SHEETS]}
