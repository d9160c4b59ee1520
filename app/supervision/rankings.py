"""三色评比: units ranked by a composite score (or one indicator), bottom three red, top three
green, compared with the previous period. Figures come from app.supervision.indicators.compute_by."""
from __future__ import annotations

import json
from dataclasses import fields, replace

from app.desk import Desk
from app.domain import indicators as ind
from app.errors import ValidationError
from app.supervision import indicators as si

WEIGHTS_KEY = "supervision.rank_weights"  # meta: JSON object overriding RankWeights fields
SINGLE = {**ind.RATE_NAMES, "avg_handle_days": "平均办理时长（工作日）", "overdue": "超期件数"}


def weights_for(desk: Desk) -> ind.RankWeights:
    """The town's weights: RankWeights defaults overridden by the stored JSON (if any)."""
    raw = desk.meta(WEIGHTS_KEY)
    if not raw:
        return ind.DEFAULT_WEIGHTS
    try:
        data = json.loads(raw)
        known = {f.name: f.type for f in fields(ind.RankWeights)}
        return replace(ind.DEFAULT_WEIGHTS, **{k: (int(v) if k in ("flagged", "min_cases") else float(v))
                                               for k, v in data.items() if k in known})
    except (ValueError, TypeError):
        return ind.DEFAULT_WEIGHTS


def _scores(rows: list[dict], indicator: str | None, w: ind.RankWeights) -> dict:
    out = {}
    for r in rows:
        if r["key"] is None or r["assigned"] < w.min_cases:
            continue
        out[r["key"]] = ind.composite(r, w) if indicator is None else r.get(indicator)
    return out


def ranking(desk: Desk, p: si.Period, indicator: str | None = None, weights: ind.RankWeights | None = None,
            filters: dict | None = None, now=None, groups: tuple[dict, dict] | None = None) -> dict:
    """Units ranked for period ``p`` with the previous period's rank and score beside them."""
    if indicator is not None and indicator not in SINGLE:
        raise ValidationError("排名指标应为：" + "、".join(SINGLE), field="indicator")
    w = weights or weights_for(desk)
    lower = indicator in ind.LOWER_IS_BETTER
    if groups is None:  # (this period, previous period) from si.compute_groups(by="unit")
        groups = (si.compute_groups(desk, p, "unit", filters, now),
                  si.compute_groups(desk, p.previous(), "unit", filters, now))
    rows = si.rows_of(desk, "unit", groups[0])
    before = {r["key"]: r for r in si.rows_of(desk, "unit", groups[1])}
    cur, prev = _scores(rows, indicator, w), _scores(list(before.values()), indicator, w)
    ranks, prev_ranks = ind.rank(cur, lower, w.flagged), ind.rank(prev, lower, w.flagged)
    out = []
    for r in rows:
        if r["key"] not in cur:
            continue
        place, mark = ranks[r["key"]]
        pplace = prev_ranks.get(r["key"], (None, None))[0]
        out.append({**r, "score": cur[r["key"]], "rank": place, "mark": mark,
                    "prev_score": prev.get(r["key"]), "prev_rank": pplace,
                    "score_change": ind.change(cur[r["key"]], prev.get(r["key"])),
                    "rank_change": None if place is None or pplace is None else pplace - place})
    out.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0, x["name"]))
    return {"period": p.as_dict(), "previous": p.previous().as_dict(),
            "indicator": indicator or "composite",
            "indicator_label": "综合得分" if indicator is None else SINGLE[indicator],
            "weights": {k: v for k, v in w.items()}, "rows": out}
