"""Supervision indicators (督查考评): pure formulas over plain counts.

``Counts`` holds the raw tallies for one group of cases (see docs/INDICATORS.md for what each
tally counts); :func:`rates` turns them into the published indicators. Nothing here touches the
database: app.supervision.indicators fills ``Counts`` with SQL, so the dashboard, the rankings and
the bulletins all read the same numbers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime

NA = "—"  # how a rate without a denominator is shown (never 0)


@dataclass
class Counts:
    received: int = 0            # 受理批次: cases received in the period
    persons: int = 0             # 人次: sum of persons over those cases
    to_handle: int = 0           # 需办理: received minus merged and 不予受理
    dispatched: int = 0          # ever dispatched (dispatched_at set)
    auto_dispatched: int = 0     # current dispatch made by the responsibility list
    assigned: int = 0            # 派单次数: current unit + returns + transfers away
    returned: int = 0            # 退回次数
    transferred: int = 0         # 流转次数
    signed: int = 0              # signed (signed_at set)
    signed_on_time: int = 0      # signed_at <= sign_due_at
    sign_overdue_open: int = 0   # still waiting to be signed after sign_due_at
    done: int = 0                # 办结: review passed (callback, closed, archived)
    done_on_time: int = 0        # review_at <= due_at (or no handling deadline)
    handle_overdue_open: int = 0  # not yet 办结 and due_at passed
    closed: int = 0              # 结案: callback finished (closed, archived)
    callbacks: int = 0           # cases with a callback result
    satisfied: int = 0           # 满意 + 基本满意
    handle_cases: int = 0        # done cases with a handling time (dispatched_at and review_at set)
    handle_seconds: float = 0.0  # their working time, 挂账 excluded
    open: int = 0                # still open (any open state)
    overdue: int = 0             # open and the running deadline passed (red)
    warning: int = 0             # open and yellow

    def add(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def ratio(num: float, den: float) -> float | None:
    """num/den as a fraction, ``None`` when there is no denominator."""
    return None if not den else num / den


RATE_NAMES = {
    "sign_on_time_rate": "按时签收率", "on_time_rate": "按期办结率", "done_rate": "办结率",
    "close_rate": "结案率", "satisfaction_rate": "满意率", "return_rate": "退回率",
    "transfer_rate": "流转率", "auto_dispatch_rate": "自动派单率",
}
COUNT_NAMES = {"received": "受理批次", "persons": "人次", "done": "办结件数", "closed": "结案件数",
               "overdue": "超期件数", "warning": "临期件数", "open": "在办件数"}
LOWER_IS_BETTER = {"return_rate", "transfer_rate", "avg_handle_days", "overdue"}


def rates(c: Counts) -> dict:
    """Every published indicator of one group (rates as fractions 0..1 or None)."""
    sign_den = c.signed + c.sign_overdue_open
    return {
        "sign_on_time_rate": ratio(c.signed_on_time, sign_den),
        "on_time_rate": ratio(c.done_on_time, c.done + c.handle_overdue_open),
        "done_rate": ratio(c.done, c.to_handle),
        "close_rate": ratio(c.closed, c.to_handle),
        "satisfaction_rate": ratio(c.satisfied, c.callbacks),
        "return_rate": ratio(c.returned, c.assigned),
        "transfer_rate": ratio(c.transferred, c.assigned),
        "auto_dispatch_rate": ratio(c.auto_dispatched, c.dispatched),
        "avg_handle_days": None if not c.handle_cases else c.handle_seconds / c.handle_cases / 86400,
    }


def summary(c: Counts) -> dict:
    """Counts and indicators together (the JSON shape of one group)."""
    return {**asdict(c), **rates(c)}


def pct(value: float | None, digits: int = 2) -> str:
    """A rate as shown to people: "97.97%" or "—"."""
    return NA if value is None else f"{value * 100:.{digits}f}%"


def days(value: float | None) -> str:
    return NA if value is None else f"{value:.2f}"


def change(now: float | None, before: float | None) -> float | None:
    """Difference against the previous period (None if either side is missing)."""
    return None if now is None or before is None else now - before


# -- composite score and ranking ---------------------------------------------------------------

@dataclass(frozen=True)
class RankWeights:
    """Weights of the composite score (三色评比). Lower-is-better rates enter as 1 - rate."""

    sign_on_time_rate: float = 0.15
    on_time_rate: float = 0.30
    done_rate: float = 0.15
    satisfaction_rate: float = 0.30
    return_rate: float = 0.10
    flagged: int = 3          # bottom N red, top N green
    min_cases: int = 1        # units with fewer assigned cases are listed but not ranked

    def items(self) -> list[tuple[str, float]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self) if f.name in RATE_NAMES]


DEFAULT_WEIGHTS = RankWeights()


def composite(r: dict, w: RankWeights = DEFAULT_WEIGHTS) -> float | None:
    """Weighted score 0..100 over the rates that exist (missing rates re-weight the rest)."""
    total = weight = 0.0
    for name, wt in w.items():
        v = r.get(name)
        if v is None or not wt:
            continue
        total += wt * ((1 - v) if name in LOWER_IS_BETTER else v)
        weight += wt
    return None if not weight else round(100 * total / weight, 2)


def rank(scores: dict[str, float | None], lower_is_better: bool = False, flagged: int = 3) -> dict:
    """{key: (rank, mark)} with competition ranking (ties share a rank); mark red/green/None.

    Keys whose score is None get no rank. With fewer than 2 x ``flagged`` ranked keys, only the
    single best is green and the single worst red (never both for one key).
    """
    ranked = sorted(((k, v) for k, v in scores.items() if v is not None),
                    key=lambda kv: (kv[1] if lower_is_better else -kv[1], kv[0]))
    out: dict = {k: (None, None) for k in scores}
    n = len(ranked)
    flag = flagged if n >= 2 * flagged else (1 if n >= 2 else 0)
    prev, place = None, 0
    for i, (k, v) in enumerate(ranked):
        if v != prev:
            place, prev = i + 1, v
        mark = "green" if i < flag else ("red" if i >= n - flag else None)
        out[k] = (place, mark)
    return out


def parse_utc(value) -> datetime | None:
    """A stored timestamp (naive UTC text or datetime) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
