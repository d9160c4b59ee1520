"""The reference cache: a read snapshot of the reference tables (categories, units, grids,
routing rules). ``Desk.refs()`` keeps one and replaces it (never changes it) when reference data
changes; the reference services themselves are in app/reference/."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.routing import Rule as RoutingRule


@dataclass(frozen=True)
class CategoryRef:
    code: str
    name: str
    parent: str | None
    platform: str
    case_type: str | None
    sign_days: float
    handle_days: float
    urgent_sign_hours: float
    urgent_handle_days: float
    auto_dispatch: bool
    major: bool
    initials: str
    leaf: bool = True


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class GridRef:
    code: str
    name: str
    level: str
    parent: str | None
    village: str | None


@dataclass
class RefCache:
    categories: dict[str, CategoryRef] = field(default_factory=dict)
    units: dict[str, UnitRef] = field(default_factory=dict)
    grids: dict[str, GridRef] = field(default_factory=dict)
    rules: tuple[RoutingRule, ...] = ()
    retired_units: dict[str, str] = field(default_factory=dict)  # deactivated units: code -> name

    def unit_name(self, code: str | None) -> str | None:
        return self.units[code].name if code in self.units else code

    def unit_obj(self, code: str | None) -> dict | None:
        return None if code is None else {"code": code, "name": self.unit_name(code)}

    def category_name(self, code: str | None) -> str | None:
        return self.categories[code].name if code in self.categories else code

    def grid_name(self, code: str | None) -> str | None:
        return self.grids[code].name if code in self.grids else code

    def find_category(self, value: str) -> CategoryRef | None:
        if value in self.categories:
            return self.categories[value]
        return next((c for c in self.categories.values() if c.name == value), None)

    def find_unit(self, value: str) -> UnitRef | None:
        if value in self.units:
            return self.units[value]
        return next((u for u in self.units.values() if u.name == value), None)

    def find_grid(self, value: str, level: str | None = None) -> GridRef | None:
        g = self.grids.get(value) or next((g for g in self.grids.values() if g.name == value), None)
        return g if g and (level is None or g.level == level) else None

    @property
    def category_parents(self) -> dict[str, str | None]:
        return {c.code: c.parent for c in self.categories.values()}

    def villages(self) -> list[GridRef]:
        return [g for g in self.grids.values() if g.level == "village"]


def split_codes(value: str | None) -> tuple[str, ...]:
    """``"D01,D02"`` (as stored in ``rules.co_units``) -> ``("D01", "D02")``."""
    return tuple(c for c in (value or "").split(",") if c)


def load_cache(desk) -> RefCache:
    """Read the reference tables with plain SQL on ``desk.db.connection()`` (no ORM: the case list
    of a command needs the names, and loading the mapped models would double its start-up)."""
    cache = RefCache()
    with desk.db.connection() as conn:
        cats = conn.execute(
            "SELECT code, name, parent_code, platform, case_type, sign_days, handle_days, urgent_sign_hours, "
            "urgent_handle_days, auto_dispatch, major, initials FROM categories WHERE deleted IS 0").fetchall()
        parents = {c[2] for c in cats}
        for (code, name, parent, platform, case_type, sign_days, handle_days, urgent_sign_hours,
             urgent_handle_days, auto_dispatch, major, initials) in cats:
            cache.categories[code] = CategoryRef(
                code, name, parent, platform, case_type, sign_days, handle_days, urgent_sign_hours,
                urgent_handle_days, bool(auto_dispatch), bool(major), initials, leaf=code not in parents)
        for code, name, kind, deleted in conn.execute("SELECT code, name, kind, deleted FROM units").fetchall():
            if deleted:
                cache.retired_units[code] = name
            else:
                cache.units[code] = UnitRef(code, name, kind)
        for code, name, level, parent, village in conn.execute(
                "SELECT code, name, level, parent_code, village_code FROM grids WHERE deleted IS 0").fetchall():
            cache.grids[code] = GridRef(code, name, level, parent, village)
        cache.rules = tuple(
            RoutingRule(category, unit, village, grid, name, split_codes(co_units), handle_days)
            for category, unit, village, grid, name, co_units, handle_days in conn.execute(
                "SELECT category_code, unit_code, village_code, grid_code, name, co_units, handle_days "
                "FROM rules WHERE deleted IS 0").fetchall())
    return cache
