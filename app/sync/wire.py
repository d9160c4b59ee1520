"""Entity payloads on the wire (both sides): a case action, and a case fold as JSON."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson
from pydantic import AwareDatetime, Field

from app.domain.casefold import CASE_FIELDS, CaseState
from app.sync.protocol import Id, Msg

DATETIME_FIELDS = tuple(f for f in CASE_FIELDS if f.endswith("_at"))


class ActionData(Msg):
    """One case action as app.cases.caselog.action_dict writes it into the outbox."""

    id: str = Id
    case_id: str = Id
    kind: str = Field(min_length=1, max_length=20)
    at: AwareDatetime
    actor: str = Field(min_length=1, max_length=32)
    actor_name: str = Field(max_length=50)
    actor_role: str = Field(min_length=1, max_length=16)
    actor_unit: str | None = Field(default=None, max_length=32)
    payload: dict[str, Any]
    device_id: str = Field(max_length=36)


class RecordData(Msg):
    """A reference record change in the change log: only the fields that changed."""

    owner_level: str = Field(max_length=10)
    fields: dict[str, Any]
    deleted: bool = False


def fold_to_json(state: CaseState) -> str:
    return json.dumps(state.to_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))


def fold_from_json(text: str) -> CaseState:
    d = orjson.loads(text)  # a snapshot or a first pull reads 100k of these
    for key in DATETIME_FIELDS:
        if d.get(key) is not None:
            d[key] = datetime.fromisoformat(d[key])
    return CaseState(**{k: d[k] for k in CASE_FIELDS if k in d})
