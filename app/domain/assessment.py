"""重大决策社会风险评估 (稳评), the town's part: vocabularies, input schemas, the indicator template
(four dimensions 合法性、合理性、可行性、可控性, each with weighted indicators, and the level
thresholds), scoring, the level and the suggested conclusion, and the steps declared once.

Pure: no database, no I/O."""
from __future__ import annotations

import copy

from app.domain.loops import Step, step
from app.domain.schema import Field
from app.domain.states import DIRECTOR, DISPATCHER
from app.errors import ValidationError

METHODS = {"visit": "走访", "forum": "座谈会", "questionnaire": "问卷调查", "notice": "公示", "hearing": "听证会"}
DIMENSIONS = {"legality": "合法性", "rationality": "合理性", "feasibility": "可行性", "controllability": "可控性"}
LEVELS = {"high": "高", "medium": "中", "low": "低"}
LEVEL_MEANING = {"high": "可能引发较大规模群体性事件", "medium": "可能引发矛盾冲突",
                 "low": "多数群众支持，个别意见可通过工作化解"}
CONCLUSIONS = {"implement": "实施", "postpone": "暂缓实施", "reject": "不实施"}
SUGGESTED = {"low": "implement", "medium": "postpone", "high": "reject"}

DRAFT, GATHERING, SCORED, CONCLUDED = "draft", "gathering", "scored", "concluded"
STATE_LABELS = {DRAFT: "已立项", GATHERING: "意见征集", SCORED: "已评分", CONCLUDED: "已出结论"}

DEFAULT_TEMPLATE = {
    "dimensions": [
        {"key": "legality", "label": "合法性", "weight": 25, "indicators": [
            {"key": "basis", "label": "决策依据符合法律法规和政策", "weight": 50},
            {"key": "authority", "label": "决策主体在法定权限内", "weight": 25},
            {"key": "procedure", "label": "决策程序合法完备", "weight": 25}]},
        {"key": "rationality", "label": "合理性", "weight": 25, "indicators": [
            {"key": "interest", "label": "符合大多数群众根本利益", "weight": 40},
            {"key": "fairness", "label": "利益调整公平公正", "weight": 30},
            {"key": "compensation", "label": "补偿安置标准合理", "weight": 30}]},
        {"key": "feasibility", "label": "可行性", "weight": 25, "indicators": [
            {"key": "conditions", "label": "实施时机和条件成熟", "weight": 40},
            {"key": "funding", "label": "人财物保障到位", "weight": 30},
            {"key": "support", "label": "群众理解支持程度", "weight": 30}]},
        {"key": "controllability", "label": "可控性", "weight": 25, "indicators": [
            {"key": "factors", "label": "风险因素已充分识别", "weight": 30},
            {"key": "plans", "label": "防范化解措施和预案完善", "weight": 40},
            {"key": "response", "label": "突发情况应急处置能力", "weight": 30}]},
    ],
    # total >= low: 低; >= medium: 中; below: 高
    "levels": {"low": 80, "medium": 60},
}

PLAN = (Field("area", "涉及范围", "line", max_len=200), Field("households", "涉及户数", "int", low=0, high=10**7),
        Field("factors", "不稳定因素", "text"), Field("leaders", "责任领导", "line", max_len=100))
ADD_INPUT = (
    Field("matter", "评估事项", "line", required=True, max_len=100),
    Field("body", "责任主体", "line", required=True, max_len=100),
    Field("plan", "评估方案", "object", required=True, fields=PLAN),
    Field("template", "评估指标模板", "json"),
    Field("follow_up_of", "原评估编号", "code", max_len=32),
)
OPINION_INPUT = (
    Field("method", "征集方式", "choice", required=True, choices=METHODS),
    Field("date", "日期", "date", required=True),
    Field("participants", "参与人数", "int", required=True, low=0, high=10**7),
    Field("support", "支持人数", "int", low=0, high=10**7),
    Field("oppose", "反对人数", "int", low=0, high=10**7),
    Field("summary", "意见摘要", "text", required=True),
)
SCORE_INPUT = (Field("scores", "评分", "json", required=True), Field("note", "评分说明", "text"))
CONCLUDE_INPUT = (Field("conclusion", "评估结论", "choice", required=True, choices=CONCLUSIONS),
                  Field("note", "结论说明", "text", required=True))

STEPS: dict[str, Step] = {s.name: s for s in (
    step("add", "立项", (DISPATCHER, DIRECTOR), {None: DRAFT}),
    step("opinion", "意见征集", (DISPATCHER, DIRECTOR), {DRAFT: GATHERING, GATHERING: None}, OPINION_INPUT),
    step("score", "评分", (DISPATCHER, DIRECTOR), {GATHERING: SCORED, SCORED: None}, SCORE_INPUT),
    step("conclude", "出具结论", (DIRECTOR,), {SCORED: CONCLUDED}, CONCLUDE_INPUT),
)}


def _num(value, where: str, label: str, low: float = 0, high: float = 100, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high \
            or (positive and value <= 0):
        raise ValidationError(f"{label}应为 {low:g} 至 {high:g} 的数字" + ("（大于 0）" if positive else ""), field=where)
    return float(value)


def check_template(template: dict | None) -> dict:
    """A valid indicator template (the default when ``None``): the four dimensions once each, each
    with a positive weight and at least one indicator (unique keys, positive weights); level
    thresholds 0 < medium < low <= 100. Raises a ValidationError naming the bad part."""
    if template is None:
        return copy.deepcopy(DEFAULT_TEMPLATE)
    if not isinstance(template, dict) or not isinstance(template.get("dimensions"), list):
        raise ValidationError("评估指标模板应为含 dimensions 列表的 JSON 对象", field="template")
    dims, seen = [], set()
    for i, d in enumerate(template["dimensions"]):
        where = f"template.dimensions.{i}"
        if not isinstance(d, dict) or d.get("key") not in DIMENSIONS or d["key"] in seen:
            raise ValidationError("评估维度应为 " + "、".join(f"{k}（{v}）" for k, v in DIMENSIONS.items()) + "，各一次",
                                  field=where)
        seen.add(d["key"])
        inds = d.get("indicators")
        if not isinstance(inds, list) or not inds or len(inds) > 20:
            raise ValidationError(f"{DIMENSIONS[d['key']]}至少需要一个评估指标（最多 20 个）", field=f"{where}.indicators")
        keys, clean = set(), []
        for j, ind in enumerate(inds):
            w = f"{where}.indicators.{j}"
            if not isinstance(ind, dict) or not isinstance(ind.get("key"), str) or not ind["key"].strip() \
                    or len(ind["key"]) > 32 or ind["key"] in keys:
                raise ValidationError("评估指标需要不重复的 key", field=w)
            keys.add(ind["key"])
            label = str(ind.get("label") or ind["key"])[:100]
            clean.append({"key": ind["key"], "label": label,
                          "weight": _num(ind.get("weight"), f"{w}.weight", f"指标「{label}」的权重", positive=True)})
        dims.append({"key": d["key"], "label": DIMENSIONS[d["key"]], "indicators": clean,
                     "weight": _num(d.get("weight"), f"{where}.weight", f"{DIMENSIONS[d['key']]}的权重", positive=True)})
    if seen != set(DIMENSIONS):
        missing = "、".join(v for k, v in DIMENSIONS.items() if k not in seen)
        raise ValidationError(f"评估指标模板缺少维度：{missing}", field="template.dimensions")
    levels = template.get("levels") or DEFAULT_TEMPLATE["levels"]
    low = _num(levels.get("low") if isinstance(levels, dict) else None, "template.levels.low", "低风险分数线")
    medium = _num(levels.get("medium") if isinstance(levels, dict) else None, "template.levels.medium", "中风险分数线")
    if not 0 < medium < low:
        raise ValidationError("分数线应满足 0 < 中风险分数线 < 低风险分数线 ≤ 100", field="template.levels")
    order = list(DIMENSIONS)
    dims.sort(key=lambda d: order.index(d["key"]))
    return {"dimensions": dims, "levels": {"low": low, "medium": medium}}


def score(template: dict, scores) -> dict:
    """Weighted scores: every indicator of the template scored 0-100 (``scores[dimension][indicator]``).
    Returns {"dimensions": {key: score}, "indicators": {key: {ind: score}}, "total", "level",
    "suggested"}; scores rounded to 0.1."""
    if not isinstance(scores, dict):
        raise ValidationError("评分应为 {维度: {指标: 分数}} 的 JSON 对象", field="scores")
    dims, given = {}, {}
    for d in template["dimensions"]:
        part = scores.get(d["key"])
        if not isinstance(part, dict):
            raise ValidationError(f"请为{d['label']}（{d['key']}）的各项指标评分", field=f"scores.{d['key']}")
        given[d["key"]] = {}
        for ind in d["indicators"]:
            where = f"scores.{d['key']}.{ind['key']}"
            if ind["key"] not in part:
                raise ValidationError(f"请为指标「{ind['label']}」评分（0-100）", field=where)
            given[d["key"]][ind["key"]] = _num(part[ind["key"]], where, f"指标「{ind['label']}」的分数")
        wsum = sum(i["weight"] for i in d["indicators"])
        dims[d["key"]] = sum(given[d["key"]][i["key"]] * i["weight"] for i in d["indicators"]) / wsum
    total = sum(dims[d["key"]] * d["weight"] for d in template["dimensions"]) / sum(
        d["weight"] for d in template["dimensions"])
    lv = level_of(total, template)
    return {"dimensions": {k: round(v, 1) for k, v in dims.items()}, "indicators": given, "total": round(total, 1),
            "level": lv, "suggested": SUGGESTED[lv]}


def level_of(total: float, template: dict) -> str:
    t = template["levels"]
    return "low" if total >= t["low"] else ("medium" if total >= t["medium"] else "high")
