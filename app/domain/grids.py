"""一网格 rules (issue 17): the grid report's input, the outcomes, the channel feeds, the four
platforms, the points rules and the grid figures' formulas. Pure: no database, no Qt.

The grid figures (docs/INDICATORS.md, "Grid figures") are defined here once:
  流转率 flow_rate = passed ÷ reported; 办结率 closed_rate = done ÷ to_handle (the supervision
  definition, over the grid events); avg_handle_days and overdue as in the supervision indicators.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.domain import indicators as ind
from app.domain.schema import Field
from app.domain.vocab import PLATFORMS
from app.errors import ValidationError

OUTCOMES = {"solved": "当场解决", "passed": "上报中心"}

# ``grid report --json -``: what a grid worker's report carries (the meaning — a staff member of
# the grid's 村社, a category that exists — is checked by app.grids.reports).
GRID_REPORT_INPUT = (
    Field("grid", "网格", "code", required=True, max_len=32),
    Field("reporter", "上报人", "code", required=True, max_len=32),
    Field("category", "事项分类", "code", required=True, max_len=100),
    Field("title", "标题", "line", max_len=100),
    Field("description", "事件描述", required=True, max_len=4000),
    Field("address", "地址", "line", max_len=200),
    Field("outcome", "上报结果", "choice", required=True, choices=OUTCOMES),
    Field("result", "解决情况", max_len=4000),
    Field("urgency", "紧急程度", "choice", choices={"normal": "一般", "urgent": "加急"}),
    Field("persons", "人次", "int", low=1, high=10000, message="人次应为 1 至 10000 的整数"),
)

# The channels whose own systems hand us cases as files (``feed import --channel``).
FEED_CHANNELS = {"mini_program": "越平安小程序", "hotline_12345": "12345热线", "online_petition": "网络问政",
                 "police_feed": "公安民意感知"}
FEED_MAX_BYTES = 20 * 1024 * 1024   # a feed file larger than this is refused as a whole
FEED_MAX_ROWS = 20_000
FEED_EXTRA = (Field("external_id", "渠道编号", "code", required=True, max_len=64),
              Field("received_at", "受理时间", "datetime"))



def platform_code(value) -> str:
    """A platform given by code (PA) or name (平安法治) -> its code; a refusal naming the field."""
    v = str(value or "").strip()
    if v.upper() in PLATFORMS:
        return v.upper()
    for code, name in PLATFORMS.items():
        if v == name:
            return code
    raise ValidationError("平台应为：" + "、".join(f"{k}（{n}）" for k, n in PLATFORMS.items()), field="platform")


def platform_categories(categories, platform: str) -> list[str]:
    """The category codes of one platform (``categories``: the RefCache's CategoryRef values)."""
    return [c.code for c in categories if c.platform == platform]

# 一长三员 and the other roles of a grid roster (the town workbook's 人员 sheet).
GRID_CHIEF, FULL_TIME, PART_TIME, INSTRUCTOR = "网格长", "专职网格员", "兼职网格员", "网格指导员"
MICRO_CHIEF, LIAISON = "微网格长", "联络员"


@dataclass(frozen=True)
class PointRule:
    code: str
    label: str
    points: int
    person_kind: str   # staff | citizen
    automatic: bool    # given by the grid report itself (otherwise awarded by an operator)


# 有奖上报: the default rules; a town changes points per rule with ``points rules --set`` (meta
# key ``grids.points_rules``: {"code": points}).
DEFAULT_RULES = (
    PointRule("grid_solved", "网格员当场解决事件", 2, "staff", True),
    PointRule("grid_passed", "网格员上报事件（报送中心）", 1, "staff", True),
    PointRule("citizen_verified", "群众有效上报（经核实）", 5, "citizen", False),
    PointRule("micro_survey", "完成微网格走访排查", 3, "staff", False),
)
RULE_FOR_OUTCOME = {"solved": "grid_solved", "passed": "grid_passed"}


def rules_with(overrides: dict | None) -> dict[str, PointRule]:
    """The rules with a town's point values applied (unknown codes in ``overrides`` ignored)."""
    overrides = overrides or {}
    out = {}
    for r in DEFAULT_RULES:
        v = overrides.get(r.code, r.points)
        out[r.code] = PointRule(r.code, r.label, v if isinstance(v, int) and not isinstance(v, bool) else r.points,
                                r.person_kind, r.automatic)
    return out


@dataclass
class GridCounts:
    """The counts of one group of grid events (see docs/INDICATORS.md, "Grid figures")."""

    reported: int = 0
    solved_on_spot: int = 0
    passed: int = 0
    cases: ind.Counts = field(default_factory=ind.Counts)

    def add(self, other: GridCounts) -> None:
        self.reported += other.reported
        self.solved_on_spot += other.solved_on_spot
        self.passed += other.passed
        self.cases.add(other.cases)


def grid_summary(g: GridCounts) -> dict:
    """Counts and rates of one group: flow_rate = passed ÷ reported, closed_rate = 办结 ÷ 需办理."""
    c = g.cases
    r = ind.rates(c)  # not ind.summary(): its asdict() was most of a 400-reporter board's time
    return {"reported": g.reported, "solved_on_spot": g.solved_on_spot, "passed": g.passed,
            "flow_rate": ind.ratio(g.passed, g.reported), "done": c.done, "to_handle": c.to_handle,
            "closed_rate": r["done_rate"], "avg_handle_days": r["avg_handle_days"], "overdue": c.overdue,
            "open": c.open}


# 网格事项准入清单: the demo town's list of task kinds that may be sent down to grid staff (a town
# keeps its own with ``grid admission add|remove``).
DEMO_ADMISSIONS = {
    "survey": ("入户走访排查", "微网格走访、人口与房屋信息采集"),
    "safety_check": ("安全隐患巡查", "消防、燃气、电动车充电等隐患巡查"),
    "dispute": ("矛盾纠纷排查化解", "邻里、家庭纠纷的排查与初步调解"),
    "policy": ("政策宣传", "惠民政策、防诈反诈宣传"),
    "care": ("重点人群关爱", "独居老人、困难群众的走访关爱"),
}
