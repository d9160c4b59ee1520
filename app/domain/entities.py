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
