"""The synced entity types: the one list that the sync protocol, the workstation's record merge
and the district server all read.

To add a synced type, add it here, give its model in app/store/models.py ``__entity__ = "<name>"``
(reference records: the RefMixin columns), and the protocol, records and server follow:
app.sync.protocol builds its ``entity`` literals and ``RECORD_ENTITIES`` from ``TYPES``,
app.sync.records finds the model by its ``__entity__``, and the server judges every record
type with the same rules (a type whose ``owner`` is the district is refused from towns).
A test checks that every record type here has exactly one model and every model one type.

Data only: no database, no Qt, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.domain.schema import Field

ACTION, RECORD = "action", "record"
DISTRICT, TOWN = "district", "town"  # owning levels (``owner_level`` of a reference record)


@dataclass(frozen=True)
class EntityType:
    name: str                      # on the wire (``entity``) and in the outbox
    label: str                     # Chinese, shown to operators (e.g. in the conflicts list)
    kind: Literal["action", "record"]  # a case action (append-only log) or a reference record
    owner: str | None = None       # the level owning every record of the type, when that is fixed;
    #                                None: each record says (a unit of kind district is the district's)
    local_fields: frozenset[str] = frozenset()  # per-workstation columns that never travel
    # A record's fields as they travel (a change carries only some of them): checked on the
    # district server's ingest and when a page is pulled (app.domain.schema, stored mode).
    fields: tuple[Field, ...] = ()


def _code(key: str, label: str, size: int = 32) -> Field:
    return Field(key, label, "code", max_len=size)


def _days(key: str, label: str, high: float = 365) -> Field:
    return Field(key, label, "number", low=0, high=high)


# The columns every reference record has (app.store.models.RefMixin).
_REF = (_code("id", "编号", 36), _code("code", "代码"), Field("name", "名称", "name", max_len=100),
        Field("owner_level", "所属层级", "choice", choices={TOWN: "镇街", DISTRICT: "区级"}),
        Field("sample", "示例数据", "bool"), Field("deleted", "已删除", "bool"),
        Field("updated_at", "更新时间", "datetime"))


TYPES: tuple[EntityType, ...] = (
    EntityType("action", "案件操作", ACTION),
    EntityType("town", "镇街", RECORD, owner=DISTRICT, fields=(*_REF, Field("district", "所属区", "name"))),
    EntityType("unit", "单位", RECORD, fields=(*_REF, _code("kind", "单位类型", 16), _code("phone", "电话", 30))),
    EntityType("grid", "网格", RECORD, fields=(*_REF, _code("level", "层级", 10), _code("parent_code", "上级网格"),
                                             _code("village_code", "村社"),
                                             Field("households", "户数", "int", low=0, high=10**7),
                                             Field("scope", "范围", "line", max_len=100), _code("kind", "村社类型", 10))),
    EntityType("staff", "网格人员", RECORD, fields=(*_REF, _code("grid_code", "网格"), _code("role", "岗位", 20),
                                                _code("phone", "电话", 30), _code("unit_code", "单位"))),
    EntityType("category", "事项分类", RECORD, fields=(
        *_REF, _code("parent_code", "上级分类"), _code("platform", "平台", 4), _code("case_type", "诉求类型", 16),
        _days("sign_days", "签收时限（工作日）"), _days("handle_days", "办结时限（工作日）"),
        _days("urgent_sign_hours", "加急签收时限（小时）", 720), _days("urgent_handle_days", "加急办结时限（工作日）"),
        Field("auto_dispatch", "自动派单", "bool"), Field("major", "重大事项", "bool"), _code("initials", "拼音首字母", 40))),
    EntityType("rule", "责任清单", RECORD, fields=(*_REF, _code("category_code", "事项分类"), _code("village_code", "村社"),
                                              _code("grid_code", "网格"), _code("unit_code", "责任单位"),
                                              _code("co_units", "协办单位", 200), _days("handle_days", "办结时限（工作日）"))),
    EntityType("holiday", "节假日", RECORD, fields=(*_REF, Field("day", "日期", "date"),
                                                Field("workday", "工作日", "bool"))),
    # login counters are local to a machine
    EntityType("user", "用户", RECORD, local_fields=frozenset({"failed_logins", "locked_until"}), fields=(
        *_REF, _code("role", "角色", 16), _code("unit_code", "所属单位"), _code("password_hash", "密码", 200),
        Field("active", "启用", "bool"),
        Field("failed_logins", "登录失败次数", "int", low=0, high=10**6),
        Field("locked_until", "锁定至", "datetime", future_days=3660))),
    # 中心常用语 (the admin's list for the whole town; personal phrases never travel); how often a
    # phrase was picked is local to a machine
    EntityType("phrase", "中心常用语", RECORD, owner=TOWN, local_fields=frozenset({"uses"}), fields=(
        *_REF, _code("field", "常用语类别", 20), Field("text", "常用语内容", "text", max_len=500),
        Field("keys", "拼音首字母", "line", max_len=500), Field("uses", "使用次数", "int", low=0, high=10**9))),
    # 平战转换 (app/emergency): the emergency (its start and stop), broadcast tasks, receipts (never
    # changed after creation) and the prepared lists (people to move, emergency teams)
    EntityType("emergency", "应急响应", RECORD, owner=TOWN, fields=(
        *_REF, _code("type", "应急类型", 20), Field("level", "响应级别", "int", low=1, high=4),
        Field("area", "范围", "line", max_len=2000), Field("reason", "启动原因", "text", max_len=1000),
        Field("started_at", "启动时间", "datetime"), Field("started_by", "启动人", "name"),
        Field("stopped_at", "结束时间", "datetime"), Field("stopped_by", "结束人", "name"),
        Field("stop_reason", "结束原因", "text", max_len=1000))),
    EntityType("emergency_task", "应急任务", RECORD, owner=TOWN, fields=(
        *_REF, _code("emergency_id", "应急响应", 36), Field("instructions", "任务要求", "text", max_len=2000),
        Field("targets", "下发对象", "line", max_len=4000), Field("due_at", "完成时限", "datetime", future_days=3660),
        Field("created_at", "下发时间", "datetime"), Field("created_by", "下发人", "name"))),
    EntityType("emergency_receipt", "任务回执", RECORD, owner=TOWN, fields=(
        *_REF, _code("task_id", "应急任务", 36), _code("target", "回执单位"), _code("status", "回执状态", 16),
        Field("count", "数量", "int", low=0, high=10**7), Field("note", "说明", "text", max_len=1000),
        Field("at", "回执时间", "datetime"), Field("entered_by", "录入人", "name"))),
    EntityType("evacuee", "转移人员", RECORD, owner=TOWN, fields=(
        *_REF, _code("village_code", "村社"), _code("grid_code", "网格"), _code("kind", "类别", 20),
        _code("phone", "联系电话", 30), Field("address", "住址", "line", max_len=200),
        Field("note", "备注", "line", max_len=200), _code("status", "转移状态", 16),
        Field("status_at", "状态时间", "datetime"))),
    EntityType("emergency_team", "应急队伍", RECORD, owner=TOWN, fields=(
        *_REF, _code("village_code", "村社"), _code("duty", "队伍类别", 16), _code("staff_code", "网格人员"),
        _code("phone", "联系电话", 30))),
    # 矛盾调处 (app.domain.mediation): mediators, disputes, their sessions, 积案 and progress entries
    EntityType("mediator", "调解员", RECORD, fields=(*_REF, _code("phone", "手机", 30), _code("kind", "调解员类型", 16),
                                                Field("org", "所属组织", "line", max_len=100))),
    EntityType("dispute", "矛盾纠纷", RECORD, owner=TOWN, fields=(
        *_REF, _code("case_no", "案件编号", 40), Field("type", "纠纷类型", "line", max_len=16),
        Field("source", "纠纷来源", "line", max_len=16), Field("parties", "当事人", "json"),
        Field("facts", "纠纷事实", "text"), Field("amount", "涉及金额", "number", low=0, high=10**12),
        Field("persons", "涉及人数", "int", low=0, high=10**6), _code("difficulty", "难易程度", 10),
        Field("difficulty_reason", "定级理由", "text"), Field("criminal_risk", "民转刑风险", "bool"),
        Field("police_calls", "报警次数", "int", low=0, high=10**6), _code("village", "村社"),
        _code("state", "调处状态", 12), Field("opened_at", "受理时间", "datetime"),
        Field("due_at", "调解期限", "datetime", future_days=3660),
        Field("warn_at", "预警时间", "datetime", future_days=3660), _days("extension_days", "延长（工作日）"),
        _code("mediator", "调解员"), Field("co_mediators", "协助调解员", "codes", max_len=32),
        Field("documents", "已登记材料", "codes", max_len=32), _code("means", "化解方式", 16),
        Field("success", "化解成功", "bool"), Field("agreement", "调解协议", "json"),
        Field("fail_reason", "调解不成原因", "text"), Field("closed_at", "结案时间", "datetime"),
        Field("judicial_due_at", "司法确认期限", "datetime", future_days=3660),
        Field("judicial_applied_at", "申请司法确认时间", "datetime"), Field("visited_at", "回访时间", "datetime"),
        Field("visit_note", "回访记录", "text"), Field("performed", "已履行", "bool"))),
    EntityType("med_session", "调解记录", RECORD, owner=TOWN, fields=(
        *_REF, _code("dispute_id", "纠纷", 36), _code("dispute_no", "纠纷编号"),
        Field("at", "调解时间", "datetime", future_days=3660), Field("place", "调解地点", "line", max_len=100),
        _code("village", "村社"), Field("attendees", "参加人员", "json"), Field("record", "调解笔录", "text"),
        _code("outcome", "调解结果", 10), _code("mediator", "调解员"), _code("actor", "记录人"))),
    EntityType("backlog", "积案", RECORD, owner=TOWN, fields=(
        *_REF, _code("case_no", "案件编号", 40), Field("kind", "积案类别", "line", max_len=10),
        Field("lead", "包案领导", "name"), Field("members", "专班成员", "json"),
        Field("units", "责任单位", "codes", max_len=32), _code("village", "村社"), Field("plan", "化解方案", "text"),
        Field("due", "化解期限", "date"), _code("state", "化解状态", 10),
        Field("registered_at", "登记时间", "datetime"), Field("resolved_at", "化解时间", "datetime"),
        Field("checklist", "实质性化解核验", "codes", max_len=16))),
    EntityType("backlog_step", "积案进展", RECORD, owner=TOWN, fields=(
        *_REF, _code("backlog_id", "积案", 36), _code("backlog_no", "积案编号"), Field("at", "时间", "datetime"),
        Field("note", "进展情况", "text"), _code("actor", "记录人"))),
    # 一网格 (issue 17): a grid report's facts (code = case number), the points ledger (append-only:
    # a reversal is a new entry) and the admission list of task kinds for grid staff
    EntityType("grid_report", "网格上报", RECORD, owner=TOWN, fields=(
        *_REF, _code("case_id", "案件", 36), _code("reporter_staff", "上报人"), _code("village_code", "村社"),
        _code("grid_code", "网格"), _code("micro_code", "微网格"),
        Field("outcome", "上报结果", "choice", choices={"solved": "当场解决", "passed": "上报中心"}),
        Field("reported_at", "上报时间", "datetime"))),
    EntityType("points_entry", "积分记录", RECORD, owner=TOWN, fields=(
        *_REF, _code("person", "积分对象"), Field("person_kind", "对象类型", "choice",
                                              choices={"staff": "网格人员", "citizen": "群众"}),
        Field("person_name", "姓名", "name", max_len=50), _code("rule", "积分规则"),
        Field("points", "积分", "int", low=-10**6, high=10**6), _code("case_no", "案件编号", 40),
        _code("reverses", "冲正的记录"), _code("month", "计入月份", 7), Field("at", "时间", "datetime"))),
    EntityType("grid_admission", "网格事项准入清单", RECORD, owner=TOWN, fields=(
        *_REF, Field("note", "说明", "line", max_len=200))),
    # 分析研判 (issue 18): the risk register, its steps (append-only) and the director's answers to
    # case-trend proposals; 稳评 and its opinion records; 综合查一次 and the problems it found
    EntityType("risk", "风险", RECORD, owner=TOWN, fields=(
        *_REF, _code("source", "来源", 16), Field("type", "风险类型", "line", max_len=50),
        Field("description", "情况描述", "text"), _code("village", "村社"), _code("grid", "网格"),
        Field("persons", "涉及人数", "int", low=0, high=10**6), _code("level", "风险等级", 8), _code("state", "状态", 16),
        _code("unit", "责任单位"), Field("route_reason", "派单依据", "text", max_len=500),
        Field("reported", "已报区级", "bool"), Field("case_nos", "关联案件", "json"),
        Field("created_at", "登记时间", "datetime"), _code("created_by", "登记人"),
        Field("due_at", "处置时限", "datetime", future_days=3660), Field("warn_at", "预警时间", "datetime", future_days=3660),
        Field("closed_at", "销号时间", "datetime"), Field("urge_count", "督办次数", "int", low=0, high=10**6),
        _code("urge_level", "督办等级", 10))),
    EntityType("risk_step", "风险处置记录", RECORD, owner=TOWN, fields=(
        *_REF, _code("risk_no", "风险编号"), _code("kind", "步骤", 16), Field("at", "时间", "datetime"),
        _code("actor", "操作人"), Field("actor_name", "操作人姓名", "name"), Field("note", "情况说明", "text"),
        _code("from_state", "原状态", 16), _code("to_state", "新状态", 16), Field("detail", "详情", "json"))),
    EntityType("risk_decision", "风险研判意见", RECORD, owner=TOWN, fields=(
        *_REF, _code("rule", "研判规则", 16), _code("decision", "意见", 10), Field("case_nos", "关联案件", "json"),
        _code("risk_no", "风险编号"), Field("at", "时间", "datetime"), _code("actor", "操作人"),
        Field("note", "说明", "text"))),
    EntityType("assessment", "社会稳定风险评估", RECORD, owner=TOWN, fields=(
        *_REF, Field("body", "责任主体", "line", max_len=100), Field("plan", "评估方案", "json"),
        Field("template", "评估指标", "json"), _code("state", "状态", 16), Field("scores", "评分", "json"),
        Field("total", "综合得分", "number", low=0, high=100), _code("level", "风险等级", 8),
        _code("conclusion", "评估结论", 16), Field("conclusion_note", "结论说明", "text"),
        _code("follow_up_of", "原评估编号"), Field("created_at", "登记时间", "datetime"), _code("created_by", "登记人"),
        Field("scored_at", "评分时间", "datetime"), Field("concluded_at", "结论时间", "datetime"))),
    EntityType("assessment_opinion", "稳评意见征集", RECORD, owner=TOWN, fields=(
        *_REF, _code("assessment_no", "评估编号"), _code("method", "征集方式", 16), Field("held_on", "日期", "date"),
        Field("participants", "参与人数", "int", low=0, high=10**7), Field("support", "支持", "int", low=0, high=10**7),
        Field("oppose", "反对", "int", low=0, high=10**7), Field("summary", "意见摘要", "text"),
        Field("at", "登记时间", "datetime"), _code("actor", "登记人"))),
    EntityType("inspection", "综合查一次", RECORD, owner=TOWN, fields=(
        *_REF, Field("day", "检查日期", "date"), Field("departments", "检查部门", "json"), _code("uscc", "统一社会信用代码", 18),
        Field("matters", "检查事项", "json"), Field("checked", "已查事项", "json"), _code("state", "状态", 10),
        Field("created_at", "登记时间", "datetime"), _code("created_by", "登记人"), Field("done_at", "检查完成时间", "datetime"))),
    EntityType("inspection_problem", "综合查一次问题", RECORD, owner=TOWN, fields=(
        *_REF, _code("inspection_no", "检查编号"), Field("seq", "序号", "int", low=1, high=10**4),
        Field("description", "问题描述", "text"), Field("fixed", "已整改", "bool"), Field("fixed_at", "整改完成时间", "datetime"),
        Field("rectify_due", "整改期限", "date"), _code("clue_to", "移交线索单位"), Field("case_filed", "已立案", "bool"))),
    # the town's enrolled workstations as the district lists them (code = workstation code, name =
    # host name): a centre relay admits only these, checking requests with their public keys
    EntityType("device", "工作站", RECORD, owner=DISTRICT, fields=(
        *_REF, Field("public_key", "公钥", "line", max_len=60), Field("revoked", "已吊销", "bool"))),
)

BY_NAME: dict[str, EntityType] = {t.name: t for t in TYPES}
NAMES: tuple[str, ...] = tuple(t.name for t in TYPES)
RECORD_NAMES: tuple[str, ...] = tuple(t.name for t in TYPES if t.kind == RECORD)
# Columns that never travel, whatever the type (the union: a payload is cleaned without its type).
LOCAL_FIELDS: frozenset[str] = frozenset().union(*(t.local_fields for t in TYPES))


def label(name: str) -> str:
    """Chinese label of an entity type (the name itself for an unknown one)."""
    return BY_NAME[name].label if name in BY_NAME else name
