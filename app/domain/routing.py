"""Routing a case to its 承办单位 by the responsibility list (事项责任清单).

A :class:`Rule` applies to a case when
  * its category is the case's category or an ancestor of it (``category_parents`` maps a
    category code to its parent code, ``None`` at the root), and
  * its scope matches: ``grid`` set -> must equal the case's grid; ``village`` set -> must equal
    the case's village; neither -> town-wide.

The most specific applicable rules win: first by scope (grid > village > town-wide), then by
category (exact > parent > grandparent ...). If the winning rules name exactly one unit the case
is routed there; several units or none leave it to a dispatcher (``unit is None``).

Codes are shown through the ``*_names`` mappings in messages when a name is given.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Rule", "RouteResult", "route", "category_chain"]

_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class Rule:
    """One line of the responsibility list: ``category`` in scope (village/grid) -> ``unit``."""

    category: str
    unit: str
    village: str | None = None
    grid: str | None = None
    note: str = ""
    co_units: tuple[str, ...] = ()     # 协办单位
    handle_days: float | None = None   # 办结时限 of this line (overrides the category's)


@dataclass(frozen=True)
class RouteResult:
    """``unit`` is the chosen unit or ``None``; ``candidates`` (sorted codes) when ambiguous."""

    unit: str | None
    reason: str
    candidates: tuple[str, ...] = ()
    co_units: tuple[str, ...] = ()      # of the winning line (unique routes only)
    handle_days: float | None = None    # of the winning line, when it sets one

    @property
    def unique(self) -> bool:
        return self.unit is not None


def category_chain(category: str, category_parents: Mapping[str, str | None]) -> list[str]:
    """``[category, parent, grandparent, ...]``; stops at a root, an unknown code or a cycle."""
    chain = [category]
    seen = {category}
    parent = category_parents.get(category)
    while parent and parent not in seen:
        chain.append(parent)
        seen.add(parent)
        parent = category_parents.get(parent)
    return chain


def _scope_rank(rule: Rule, village: str | None, grid: str | None) -> int | None:
    """2 grid, 1 village, 0 town-wide; ``None`` when the rule's scope does not cover the case."""
    if rule.grid:
        if grid is None or rule.grid != grid:
            return None
        if rule.village and rule.village != village:
            return None
        return 2
    if rule.village:
        return 1 if rule.village == village else None
    return 0


def route(
    category: str,
    rules: Iterable[Rule],
    village: str | None = None,
    grid: str | None = None,
    category_parents: Mapping[str, str | None] = _EMPTY,
    unit_names: Mapping[str, str] = _EMPTY,
    category_names: Mapping[str, str] = _EMPTY,
    village_names: Mapping[str, str] = _EMPTY,
    grid_names: Mapping[str, str] = _EMPTY,
) -> RouteResult:
    """Pick the 承办单位 for a case of ``category`` located in ``village``/``grid``.

    Returns a :class:`RouteResult` whose ``reason`` explains the outcome in Chinese:
    unique -> "按责任清单「邻里纠纷」（府山社区）由 府山社区 承办"; several units ->
    "责任清单中「噪声扰民」有多个承办单位：综合执法队、派出所，请人工分派" (``candidates`` sorted);
    none -> "责任清单中没有「X」的承办单位，请人工分派".
    """
    chain = category_chain(category, category_parents)
    depth_of = {code: i for i, code in enumerate(chain)}

    best: tuple[int, int] | None = None  # (scope rank, -category depth): larger is better
    winners: list[Rule] = []
    for rule in rules:
        depth = depth_of.get(rule.category)
        if depth is None:
            continue
        rank = _scope_rank(rule, village, grid)
        if rank is None:
            continue
        key = (rank, -depth)
        if best is None or key > best:
            best, winners = key, [rule]
        elif key == best:
            winners.append(rule)

    def cat_name(code: str) -> str:
        return category_names.get(code) or code

    def unit_name(code: str) -> str:
        return unit_names.get(code) or code

    if best is None:
        return RouteResult(None, f"责任清单中没有「{cat_name(category)}」的承办单位，请人工分派", ())

    rank, neg_depth = best
    rule_category = chain[-neg_depth]
    units = tuple(sorted({r.unit for r in winners}))
    if len(units) > 1:
        names = "、".join(unit_name(u) for u in units)
        return RouteResult(
            None, f"责任清单中「{cat_name(rule_category)}」有多个承办单位：{names}，请人工分派", units
        )

    if rank == 2:
        scope = grid_names.get(grid or "") or grid or ""
        if village:
            scope = f"{village_names.get(village) or village} {scope}"
    elif rank == 1:
        scope = village_names.get(village or "") or village or ""
    else:
        scope = "全镇"
    if neg_depth:
        scope = f"{scope}，「{cat_name(category)}」的上级类别"
    unit = units[0]
    co_units = tuple(dict.fromkeys(c for r in winners for c in r.co_units if c != unit))
    days = [r.handle_days for r in winners if r.handle_days is not None]
    co = f"，{'、'.join(unit_name(c) for c in co_units)} 协办" if co_units else ""
    return RouteResult(
        unit, f"按责任清单「{cat_name(rule_category)}」（{scope}）由 {unit_name(unit)} 承办{co}", (unit,),
        co_units, min(days) if days else None,
    )
