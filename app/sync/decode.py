"""Decoding a pulled page of the change log (no database access): each change is checked against
its declaration (actions: app.domain.actions; records: app.domain.entities); one that cannot be
applied becomes a quarantine row instead of stopping the page. app.sync.pull applies the result.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, NamedTuple

import orjson
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticError

from app.domain import entities
from app.domain.actions import ACTIONS
from app.domain.casefold import ActionRecord
from app.domain.schema import EARLIEST, validate
from app.errors import AppError, ValidationError
from app.store.types import dumps, to_sql_dt
from app.sync import protocol as P
from app.sync.transport import parse
from app.sync.wire import ActionData, RecordData

log = logging.getLogger("towndesk.sync")
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # a pulled action dated later cannot be shown in local time
QUARANTINE_KEEP = 256 * 1024               # characters of a quarantined change's data that are kept


class Pulled(NamedTuple):
    """A pulled action, checked, with its ``case_actions`` row as inserted and as folded."""

    seq: int
    action: ActionData
    row: tuple
    logged: ActionRecord


class Decoded(NamedTuple):
    page: P.ChangesPage
    actions: list[Pulled]
    records: list[tuple[int, str, str, RecordData]]
    quarantine: list[dict] = []       # changes that cannot be applied here: kept, listed, skipped
    voids: list[dict] = []            # the district voided earlier changes: drop them
    scopes: list[tuple] = []          # a unit workstation's cases in/out: (seq, op, case_id, case_no)


class _ActionChange(P.Msg):
    seq: int = Field(ge=1)
    entity: Literal["action"]
    id: str = P.Id
    data: ActionData


class _RecordChange(P.Msg):
    seq: int = Field(ge=1)
    entity: P.RecordEntityName
    id: str = P.Id
    data: RecordData


class _VoidData(P.Msg):
    seq: int = Field(ge=1)
    entity: str = Field(max_length=20)
    id: str = Field(max_length=64)
    reason: str = Field(default="", max_length=2000)


class _VoidChange(P.Msg):
    seq: int = Field(ge=1)
    entity: Literal["void"]
    id: str = P.Id
    data: _VoidData


class _ScopeData(P.Msg):
    op: Literal["in", "out"]
    case_id: str = P.Id
    case_no: str = Field(default="", max_length=40)
    actions: list[_ActionChange] = Field(default_factory=list, max_length=100_000)


class _ScopeChange(P.Msg):
    """A unit workstation's case comes in (with its log) or goes out (server/scope.py)."""

    seq: int = Field(ge=1)
    entity: Literal["scope"]
    id: str = P.Id
    data: _ScopeData


class TypedPage(P.ChangesPage):
    """A ChangesPage whose change contents are checked in the same pass (as ActionData or
    RecordData, by entity): one validation of the JSON text instead of three passes."""

    changes: list[Annotated[_ActionChange | _RecordChange | _VoidChange | _ScopeChange,
                            Field(discriminator="entity")]]


class _LooseChange(P.Msg):
    """A change whose contents are not checked yet (a page one of whose changes failed)."""

    seq: int = Field(ge=1)
    entity: str = Field(max_length=40)
    id: str = Field(max_length=200)
    data: Any = None


class LoosePage(P.ChangesPage):
    changes: list[_LooseChange]


_TYPED = {"action": _ActionChange, "void": _VoidChange, "scope": _ScopeChange}


def parse_page(raw: bytes) -> TypedPage | LoosePage:
    """The page with every change checked; when some change does not pass, the page as it came
    (``LoosePage``) and decode() checks the changes one by one, quarantining the bad ones. Only a
    page whose frame is wrong (not JSON, no cursor) is refused as a whole."""
    try:
        return TypedPage.model_validate_json(raw)
    except ValueError:
        pass
    try:
        return LoosePage.model_validate_json(raw)  # keeps integers beyond 64 bits as they are
    except ValueError:
        pass
    try:
        return LoosePage.model_validate(_loads_deep(raw))
    except (ValueError, RecursionError):
        return parse(raw, LoosePage)  # the transport's parser decides, with its error messages


def _loads_deep(raw: bytes):
    """The standard parser (integers of any size stay integers; orjson would make them floats)
    with room for a deeply nested value: such a change is quarantined, not a reason to refuse the
    page. Still bounded: deeper than ~2000 levels is a RecursionError."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3000))
    try:
        return json.loads(raw)
    finally:
        sys.setrecursionlimit(limit)


def _typed(c) -> object:
    """One loose change checked as its entity's change (raises ValueError / AppError)."""
    model = _TYPED.get(c.entity) or (_RecordChange if c.entity in P.RECORD_ENTITIES else None)
    if model is None:
        raise ValidationError(f"未知的数据类型：{str(c.entity)[:40]}", field="entity")
    return model.model_validate({"seq": c.seq, "entity": c.entity, "id": c.id, "data": c.data})


def _quarantine_row(c, reason: str) -> dict:
    try:
        data = c.data.model_dump_json() if isinstance(c.data, BaseModel) else \
            orjson.dumps(c.data, default=str, option=orjson.OPT_SORT_KEYS).decode()
    except Exception:  # noqa: BLE001 — too deep or not JSON: the reason says why; keep a marker
        data = f"<无法完整保存的内容：{type(c.data).__name__}>"
    return {"seq": c.seq, "entity": str(c.entity)[:20], "entity_id": str(c.id)[:64], "data": data[:QUARANTINE_KEEP],
            "reason": reason[:1000], "at": datetime.now(UTC).isoformat()}


def _reason(e: Exception) -> str:
    if isinstance(e, AppError):
        return e.message
    if isinstance(e, PydanticError) and e.errors():
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"][1:] if x != "data") or "?"
        return f"格式不正确（{where}：{err['msg'][:120]}）"
    return f"格式不正确（{type(e).__name__}）"


def decode(page: P.ChangesPage) -> Decoded:
    """Check a page's contents and format its action rows (no database access). A change that
    cannot be applied here is set aside for quarantine; the others go on (the cursor moves past
    both)."""
    if not isinstance(page, TypedPage | LoosePage):
        page = parse(page.model_dump_json().encode(), LoosePage)
    loose = isinstance(page, LoosePage)
    actions, records, quarantine, voids, scopes = [], [], [], [], []
    ids: set[str] = set()
    for c in page.changes:
        try:
            if loose:
                c = _typed(c)
            if c.entity == "void":
                voids.append({"seq": c.seq, "void": c.data.seq, "entity": c.data.entity, "id": c.data.id,
                              "reason": c.data.reason})
                continue
            if c.entity == "scope":
                if c.data.case_id != c.id or any(x.data.case_id != c.id or x.seq > c.seq for x in c.data.actions):
                    raise ValidationError("案件范围变更与其操作不一致", field="case_id")
                scopes.append((c.seq, c.data.op, c.id, c.data.case_no))
                for x in c.data.actions:  # a case coming in: its log (some of it may be in this page)
                    if x.id not in ids:
                        ids.add(x.id)
                        actions.append(_pulled(x))
                continue
            if c.entity != "action":
                _check_record(c.entity, c.id, c.data)
                records.append((c.seq, c.entity, c.id, c.data))
                continue
            ids.add(c.id)
            actions.append(_pulled(c))
        except (AppError, ValueError, TypeError, OverflowError, RecursionError) as e:
            log.warning("change %s (%s %s) quarantined: %s", c.seq, c.entity, c.id, _reason(e))
            quarantine.append(_quarantine_row(c, _reason(e)))
    return Decoded(page, actions, records, quarantine, voids, scopes)


def _pulled(c) -> Pulled:
    a = c.data
    if a.id != c.id:
        raise ValidationError("变更编号与操作编号不一致", field="id")
    _check_payload(a)
    at = a.at.astimezone(UTC)
    return Pulled(c.seq, a, (
        a.id, a.case_id, a.kind, to_sql_dt(at), a.actor, a.actor_name, a.actor_role, a.actor_unit,
        dumps(a.payload), a.device_id, "accepted", c.seq, None), ActionRecord(
        a.id, a.case_id, a.kind, at, a.actor, a.actor_role, a.payload or {}, a.actor_unit))


def _check_payload(a: ActionData) -> None:
    """The pulled action against its declaration (app.domain.actions), as the server judged it,
    and its time within what this store can keep and show."""
    spec = ACTIONS.get(a.kind)
    if spec is None:
        raise ValidationError(f"未知的操作：{a.kind}", field="kind")
    if not EARLIEST <= a.at < LATEST:
        raise ValidationError(f"操作时间 {a.at.isoformat()} 超出可保存的范围", field="at")
    validate(spec.stored, a.payload, mode="stored")


def _check_record(entity: str, record_id: str, data: RecordData) -> None:
    """A pulled record change against its type's declared fields (app.domain.entities)."""
    validate(entities.BY_NAME[entity].fields, data.fields, mode="stored", label=entities.label(entity))
