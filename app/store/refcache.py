"""The reference cache: a read snapshot of the reference tables (categories, units, grids,
routing rules). ``Desk.refs()`` keeps one and replaces it (never changes it) when reference data
changes; the reference services themselves are in app/reference/."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.domain.routing import Rule as RoutingRule
from app.store.models import Category, Grid, Rule, Unit


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
    cache = RefCache()
    with desk.db.read() as s:
        cats = list(s.scalars(select(Category).where(Category.deleted.is_(False))))
        parents = {c.parent_code for c in cats}
        for c in cats:
            cache.categories[c.code] = CategoryRef(
                c.code, c.name, c.parent_code, c.platform, c.case_type, c.sign_days, c.handle_days,
                c.urgent_sign_hours, c.urgent_handle_days, c.auto_dispatch, c.major, c.initials,
                leaf=c.code not in parents)
        for u in s.scalars(select(Unit)):
            if u.deleted:
                cache.retired_units[u.code] = u.name
            else:
                cache.units[u.code] = UnitRef(u.code, u.name, u.kind)
        for g in s.scalars(select(Grid).where(Grid.deleted.is_(False))):
            cache.grids[g.code] = GridRef(g.code, g.name, g.level, g.parent_code, g.village_code)
        cache.rules = tuple(
            RoutingRule(r.category_code, r.unit_code, r.village_code, r.grid_code, r.name,
                        split_codes(r.co_units), r.handle_days)
            for r in s.scalars(select(Rule).where(Rule.deleted.is_(False))))
    return cache
