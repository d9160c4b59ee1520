"""The risk register (风险研判): vocabularies, the add schema, the loop 监测 → 预警 → 处置 → 反馈 →
销号 declared once (with 督办 beside it), the deadline of each level, how a risk type finds its
事项分类 for the responsibility list, and the case-trend rules that propose risks.

Pure: no database, no I/O."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.loops import Step, step
from app.domain.schema import Field
from app.domain.states import DIRECTOR, DISPATCHER, INTAKE, UNIT, URGE_LEVELS

SOURCES = {"grid_report": "网格上报", "hotline": "热线", "police_feed": "警情推送", "inspection": "综合查一次",
           "assessment": "稳评", "case_trend": "案件趋势研判"}
LEVELS = {"high": "高", "medium": "中", "low": "低"}
LEVEL_WORDS = {v: k for k, v in LEVELS.items()}  # 高 -> high …
LEVEL_COLOURS = {"high": "red", "medium": "yellow", "low": "green"}  # 高红、中黄、低绿
# 处置时限 (working days from registration to 反馈) by level
HANDLE_DAYS = {"high": 1.0, "medium": 3.0, "low": 5.0}

MONITORING, WARNING, HANDLING, FEEDBACK, CLOSED = "monitoring", "warning", "handling", "feedback", "closed"
STATE_LABELS = {MONITORING: "监测", WARNING: "预警", HANDLING: "处置", FEEDBACK: "反馈", CLOSED: "销号"}
OPEN_STATES = (MONITORING, WARNING, HANDLING)  # the 处置时限 runs in these

RISK_INPUT = (
    Field("source", "风险来源", "choice", required=True, choices=SOURCES),
    Field("type", "风险类型", "line", required=True, max_len=50),
    Field("title", "风险标题", "line", required=True, max_len=100),
    Field("description", "情况描述", "text", required=True),
    Field("village", "村社", "code", required=True, max_len=32),
    Field("grid", "网格", "code", max_len=32),
    Field("persons", "涉及人数", "int", required=True, low=0, high=10**6),
    Field("level", "风险等级", "choice", required=True, choices=LEVELS),
    Field("category", "事项分类", "code", max_len=32),  # optional: routes by this category instead of the type
    Field("case_nos", "关联案件", "codes", max_items=200),
)

_NOTE = Field("note", "情况说明", "text", required=True)
_ANY = (MONITORING, WARNING, HANDLING, FEEDBACK)
# the loop, declared once: step -> roles, state -> next state, payload
STEPS: dict[str, Step] = {s.name: s for s in (
    step("add", "登记", (INTAKE, DISPATCHER, DIRECTOR), {None: MONITORING}),
    step("warn", "预警", (DISPATCHER, DIRECTOR), {MONITORING: WARNING},
         (_NOTE, Field("unit", "责任单位", "code", max_len=32, widget="unit"))),
    step("handle", "处置", (DISPATCHER, DIRECTOR, UNIT), {WARNING: HANDLING},
         (_NOTE, Field("unit", "责任单位", "code", max_len=32, widget="unit")), unit_bound=True),
    step("feedback", "反馈", (DISPATCHER, DIRECTOR, UNIT), {HANDLING: FEEDBACK}, (_NOTE,), unit_bound=True),
    step("close", "销号", (DIRECTOR,), {FEEDBACK: CLOSED}, (_NOTE,)),
    step("urge", "督办", (DIRECTOR,), {s: None for s in OPEN_STATES},
         (Field("note", "督办要求", "text", required=True),
          Field("level", "督办等级", "choice", choices=URGE_LEVELS))),
    step("report", "报区级", (DISPATCHER, DIRECTOR), {s: None for s in _ANY}, (_NOTE,)),
)}
ACT_STEPS = ("warn", "handle", "feedback", "close", "urge", "report")  # what `risk act` takes

# Risk types that are not themselves a category name -> the category whose responsibility-list
# lines decide the unit. A type equal to a category's name (邻里纠纷, 消防隐患, 劳资纠纷…) uses that
# category; "category" in the input overrides both.
TYPE_CATEGORIES = {"矛盾纠纷": "PA0101", "涉稳风险": "PA0302", "涉稳": "PA0302", "群体性事件": "PA0505",
                   "信访": "PA0110", "信访积案": "PA0110", "重点人员": "PA0304", "治安": "PA0301",
                   "安全生产": "PA0205", "消防": "PA0201"}


def category_for(risk_type: str, explicit: str | None, names: Mapping[str, str]) -> str | None:
    """The category that routes a risk: ``explicit`` (a code), else the synonym table, else the
    category whose name is the type; ``names`` maps category code -> name."""
    if explicit:
        return explicit
    if risk_type in TYPE_CATEGORIES and TYPE_CATEGORIES[risk_type] in names:
        return TYPE_CATEGORIES[risk_type]
    return next((code for code, name in names.items() if name == risk_type), None)


# -- case trends --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendRules:
    """≥ ``cluster_cases`` cases of one category (at ``category_depth`` above the case's own: 0 the
    category itself, 1 its parent) in one 村社 within ``cluster_days`` days; ≥ ``repeat_petitions``
    petitions by one person (same 身份证 or phone) within ``repeat_days`` days. 0 switches a rule off."""

    cluster_cases: int = 5
    cluster_days: int = 7
    category_depth: int = 0
    repeat_petitions: int = 3
    repeat_days: int = 30


@dataclass(frozen=True)
class TrendCase:
    case_no: str
    category: str | None
    village: str | None
    received_at: datetime
    person: str | None        # 身份证 or phone of the reporter (None: anonymous or none)
    person_name: str | None
    persons: int = 1
    merged: bool = False      # a merged duplicate: a petition, but not another incident


def _ancestor(code: str, depth: int, parents: Mapping[str, str | None]) -> str:
    for _ in range(depth):
        up = parents.get(code)
        if not up:
            break
        code = up
    return code


def person_key(person: str) -> str:
    """A proposal key for a person that does not carry the phone or 身份证 itself."""
    return hashlib.sha256(person.encode()).hexdigest()[:16]


def mask_name(name: str | None) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else "匿名"


def find_trends(cases: Iterable[TrendCase], now: datetime, rules: TrendRules,
                parents: Mapping[str, str | None], category_names: Mapping[str, str],
                village_names: Mapping[str, str]) -> list[dict]:
    """The proposals the rules raise at ``now``: [{key, rule, title, type, village, category,
    case_nos, count, level, persons, description}], largest first. Pure."""
    cases = list(cases)
    out: list[dict] = []
    if rules.cluster_cases > 0:
        since = now - timedelta(days=rules.cluster_days)
        groups: dict[tuple, list[TrendCase]] = defaultdict(list)
        for c in cases:
            if c.category and c.village and not c.merged and since <= c.received_at <= now:
                groups[(_ancestor(c.category, rules.category_depth, parents), c.village)].append(c)
        for (cat, village), found in groups.items():
            if len(found) >= rules.cluster_cases:
                cname, vname = category_names.get(cat, cat), village_names.get(village, village)
                out.append(_proposal(
                    f"cluster:{cat}:{village}", "cluster", f"{vname}{rules.cluster_days}天内{len(found)}件{cname}",
                    cname, village, cat, found, rules.cluster_cases,
                    f"{vname}近{rules.cluster_days}天受理「{cname}」{len(found)}件（规则：≥{rules.cluster_cases}件），"
                    "可能存在群体性或系统性风险。"))
    if rules.repeat_petitions > 0:
        since = now - timedelta(days=rules.repeat_days)
        people: dict[str, list[TrendCase]] = defaultdict(list)
        for c in cases:
            if c.person and since <= c.received_at <= now:
                people[c.person].append(c)
        for person, found in people.items():
            if len(found) >= rules.repeat_petitions:
                who = mask_name(found[-1].person_name)
                cats = [category_names.get(c.category, c.category) for c in found if c.category]
                cat = found[-1].category
                out.append(_proposal(
                    f"repeat:{person_key(person)}", "repeat", f"{who}{rules.repeat_days}天内重复信访{len(found)}次",
                    "重复信访", found[-1].village, cat, found, rules.repeat_petitions,
                    f"同一诉求人（{who}）近{rules.repeat_days}天信访{len(found)}次（规则：≥{rules.repeat_petitions}次），"
                    f"事项：{'、'.join(dict.fromkeys(cats)) or '未分类'}。"))
    out.sort(key=lambda p: (-p["count"], p["key"]))
    for p in out:
        p["village_name"] = village_names.get(p["village"] or "", p["village"])
    return out


def _proposal(key, rule, title, rtype, village, category, found, threshold, description) -> dict:
    found = sorted(found, key=lambda c: (c.received_at, c.case_no))
    count = len(found)
    return {"key": key, "rule": rule, "title": title[:100], "type": rtype, "village": village, "category": category,
            "case_nos": [c.case_no for c in found], "count": count,
            "level": "high" if count >= 2 * threshold else "medium",
            "persons": max(sum(c.persons for c in found), 1) if rule == "cluster" else 1,
            "first_at": found[0].received_at.isoformat(), "last_at": found[-1].received_at.isoformat(),
            "description": description}


def suppressed(proposal: dict, decisions: Iterable[tuple[str, list[str]]]) -> bool:
    """A proposal the director already answered: a decision on the same key whose cases include
    all of this proposal's cases (new cases make it a new proposal)."""
    mine = set(proposal["case_nos"])
    return any(key == proposal["key"] and mine <= set(nos) for key, nos in decisions)
