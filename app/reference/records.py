"""Reference data: the taxonomy, units, grids, staff, responsibility rules and users.

Records loaded from resources/ get ids derived from their codes (``stable_id``), so two stores
loaded from the same files agree record for record. The read snapshot services use
(``desk.refs()``) is app/store/refcache.py.
"""
from __future__ import annotations

import json

from sqlalchemy import select

from app.domain.ids import stable_id
from app.domain.routing import route
from app.errors import ValidationError
from app.paths import resource_path
from app.reference.users import hash_password
from app.store.models import Category, Grid, Mediator, Rule, Staff, Town, Unit, User


def initials(name: str) -> str:
    """Pinyin initials for quick pickers: 邻里纠纷 -> lljf."""
    from pypinyin import Style, lazy_pinyin  # imported on first use: loading its dictionaries takes ~1 s

    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()


def read_json(name: str) -> dict:
    return json.loads(resource_path("reference", name).read_text(encoding="utf-8"))


def load_reference(session, now, town: dict | None = None) -> dict:
    """Upsert the taxonomy and (optionally) a town's reference data into the store. Returns counts."""
    taxonomy = read_json("taxonomy.json")
    counts: dict[str, int] = {}

    def upsert(model, ref_kind, code, **values):
        row = session.get(model, stable_id(ref_kind, code)) or model(id=stable_id(ref_kind, code), code=code)
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = now
        session.add(row)
        counts[ref_kind] = counts.get(ref_kind, 0) + 1

    for c in taxonomy["categories"]:
        upsert(Category, "category", c["code"], name=c["name"], parent_code=c.get("parent"),
               platform=c["platform"], case_type=c.get("case_type"), sign_days=c.get("sign_days", 1),
               handle_days=c.get("handle_days", 5), urgent_sign_hours=c.get("urgent_sign_hours", 2),
               urgent_handle_days=c.get("urgent_handle_days", 1), auto_dispatch=c.get("auto_dispatch", True),
               major=c.get("major", False), initials=initials(c["name"]), owner_level="district")
    if town is None:
        return counts
    t = town["town"]
    upsert(Town, "town", t["code"], name=t["name"], district=t.get("district"), owner_level="district")
    for u in town["units"]:
        upsert(Unit, "unit", u["code"], name=u["name"], kind=u["kind"], sample=u.get("sample", False),
               owner_level="district" if u["kind"] == "district" else "town")
    grids = {g["code"]: g for g in town["grids"]}
    for g in town["grids"]:
        village = g["code"]
        while grids[village].get("parent"):
            village = grids[village]["parent"]
        upsert(Grid, "grid", g["code"], name=g["name"], level=g["level"], parent_code=g.get("parent"),
               village_code=village, sample=g.get("sample", False))
    for st in town.get("staff", []):
        upsert(Staff, "staff", st["code"], name=st["name"], grid_code=st["grid"], role=st["role"],
               phone=st.get("phone"), sample=st.get("sample", False), unit_code=st.get("unit"))
    for i, r in enumerate(town["rules"], 1):
        code = r.get("code") or f"R{i:04d}"
        upsert(Rule, "rule", code, name=r.get("note", ""), category_code=r["category"],
               village_code=r.get("village"), grid_code=r.get("grid"), unit_code=r["unit"],
               sample=r.get("sample", False))
    for m in town.get("mediators", []):  # 调解员 (app.domain.mediation.MEDIATOR_KINDS)
        upsert(Mediator, "mediator", m["code"], name=m["name"], phone=m.get("phone"), kind=m["kind"],
               org=m.get("org"), sample=m.get("sample", False))
    for u in town.get("users", []):
        if session.get(User, stable_id("user", u["username"])) is None:
            upsert(User, "user", u["username"], name=u["name"], role=u["role"], unit_code=u.get("unit"),
                   password_hash=hash_password(u["password"]), sample=u.get("sample", False))
    return counts


def list_refs(desk, kind: str) -> list[dict]:
    """Reference records for ``ref list``: code, name and what an administrator needs to see."""
    refs = desk.refs()
    if kind == "categories":
        out = []
        for c in refs.categories.values():
            r = route(c.code, refs.rules, category_parents=refs.category_parents) if c.leaf else None
            out.append({"code": c.code, "name": c.name, "parent": c.parent, "platform": c.platform,
                        "leaf": c.leaf, "case_type": c.case_type, "handle_days": c.handle_days,
                        "auto_dispatch": c.auto_dispatch, "initials": c.initials,
                        "routing_unique": bool(r and r.unique), "routing_unit": r.unit if r else None})
        return out
    if kind == "units":
        return [{"code": u.code, "name": u.name, "kind": u.kind} for u in refs.units.values()]
    if kind in ("villages", "grids", "microgrids"):
        levels = {"villages": ("village",), "grids": ("grid", "micro", "building", "floor"),
                  "microgrids": ("micro",)}[kind]
        with desk.db.read() as s:
            return [{"code": g.code, "name": g.name, "level": g.level, "parent": g.parent_code,
                     "village": g.village_code, "households": g.households, "scope": g.scope, "kind": g.kind}
                    for g in s.scalars(select(Grid).where(Grid.deleted.is_(False), Grid.level.in_(levels))
                                       .order_by(Grid.code))]
    if kind == "staff":
        with desk.db.read() as s:
            return [{"code": st.code, "name": st.name, "phone": st.phone, "role": st.role, "grid": st.grid_code,
                     "unit": st.unit_code} for st in s.scalars(select(Staff).where(Staff.deleted.is_(False))
                                                               .order_by(Staff.code))]
    if kind == "users":
        with desk.db.read() as s:
            return [{"code": u.code, "username": u.code, "name": u.name, "role": u.role, "unit": u.unit_code,
                     "active": u.active} for u in s.scalars(select(User).where(User.deleted.is_(False)))]
    if kind == "rules":
        return [{"category": r.category, "unit": r.unit, "village": r.village, "grid": r.grid, "note": r.note}
                for r in refs.rules]
    if kind == "mediators":
        with desk.db.read() as s:
            return [{"code": m.code, "name": m.name, "phone": m.phone, "kind": m.kind, "org": m.org}
                    for m in s.scalars(select(Mediator).where(Mediator.deleted.is_(False)).order_by(Mediator.code))]
    raise ValidationError("可列出的类别：categories、units、villages、grids、microgrids、staff、users、rules、mediators",
                          field="kind")
