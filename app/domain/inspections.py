"""综合查一次 (joint inspections): the combined checklist (一表通查), the input schemas, the steps
declared once, and the statistics (减少扰民次数 = Σ (departments − 1) per joint inspection).

Pure: no database, no I/O."""
from __future__ import annotations

from collections.abc import Iterable

from app.domain.loops import Step, step
from app.domain.schema import Field
from app.domain.states import DIRECTOR, DISPATCHER, UNIT

# 一表通查: one combined checklist; a plan picks its matters from it (by code or by name). A matter
# not on the list is kept as written (a town may check something the list lacks).
CHECKLIST = {
    "fire": "消防安全", "production": "安全生产", "gas": "燃气安全", "food": "食品安全", "environment": "环境保护",
    "labour": "劳动用工", "licence": "证照经营", "equipment": "特种设备", "rental": "出租房安全",
    "chemicals": "危化品", "sanitation": "环境卫生", "order": "市容秩序", "pricing": "价格计量", "signs": "广告招牌",
    "epidemic": "卫生防疫", "tax": "税务合规",
}
PLANNED, DONE = "planned", "done"
STATE_LABELS = {PLANNED: "已计划", DONE: "已检查"}
RECTIFY_DAYS = 10  # 整改期限 of a rectification order, working days after the inspection, unless given

ADD_INPUT = (
    Field("date", "检查日期", "date", required=True),
    Field("departments", "检查部门", "codes", required=True, max_items=20, max_len=32),
    Field("target", "检查对象", "object", required=True, fields=(
        Field("name", "企业名称", "line", required=True, max_len=100),
        Field("uscc", "统一社会信用代码", "code", required=True, max_len=40))),
    Field("matters", "检查事项", "json", required=True),
)
PROBLEM = (
    Field("description", "问题描述", "text", required=True, max_len=500),
    Field("fixed", "当场整改", "bool", required=True),
    Field("clue_to", "移交线索单位", "code", max_len=32),
    Field("case_filed", "立案查处", "bool"),
    Field("rectify_due", "整改期限", "date"),
)
RESULT_INPUT = (Field("problems", "发现问题", "json"), Field("checked", "已查事项", "json"))
RECTIFIED_INPUT = (Field("problem", "问题序号", "int", required=True, low=1, high=10**4),
                   Field("note", "整改情况", "text", required=True))

STEPS: dict[str, Step] = {s.name: s for s in (
    step("add", "登记检查计划", (DISPATCHER, DIRECTOR), {None: PLANNED}),
    step("result", "录入检查结果", (DISPATCHER, DIRECTOR, UNIT), {PLANNED: DONE}, RESULT_INPUT),
    step("rectified", "整改完成", (DISPATCHER, DIRECTOR, UNIT), {DONE: None}, RECTIFIED_INPUT),
)}


def matter_label(value: str) -> str:
    """A checklist code or name -> the matter's name (anything else as written)."""
    return CHECKLIST.get(value, value)


def stats(inspections: Iterable[dict], problems: Iterable[dict]) -> dict:
    """{inspections, problems, fixed, clues, cases_filed, visits_spared} of the given inspections
    (each {"inspection_no", "departments"}) and the problems they found (each {"inspection_no",
    "fixed", "clue_to", "case_filed"}); problems of other inspections are ignored."""
    ins = list(inspections)
    nos = {i["inspection_no"] for i in ins}
    found = [p for p in problems if p["inspection_no"] in nos]
    return {"inspections": len(ins), "problems": len(found), "fixed": sum(1 for p in found if p["fixed"]),
            "clues": sum(1 for p in found if p.get("clue_to")), "cases_filed": sum(1 for p in found if p["case_filed"]),
            "visits_spared": sum(max(len(i["departments"]) - 1, 0) for i in ins)}
