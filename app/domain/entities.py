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


TYPES: tuple[EntityType, ...] = (
    EntityType("action", "案件操作", ACTION),
    EntityType("town", "镇街", RECORD, owner=DISTRICT),
    EntityType("unit", "单位", RECORD),
    EntityType("grid", "网格", RECORD),
    EntityType("staff", "网格人员", RECORD),
    EntityType("category", "事项分类", RECORD),
    EntityType("rule", "责任清单", RECORD),
    # login counters are local to a machine
    EntityType("user", "用户", RECORD, local_fields=frozenset({"failed_logins", "locked_until"})),
)

BY_NAME: dict[str, EntityType] = {t.name: t for t in TYPES}
NAMES: tuple[str, ...] = tuple(t.name for t in TYPES)
RECORD_NAMES: tuple[str, ...] = tuple(t.name for t in TYPES if t.kind == RECORD)
# Columns that never travel, whatever the type (the union: a payload is cleaned without its type).
LOCAL_FIELDS: frozenset[str] = frozenset().union(*(t.local_fields for t in TYPES))


def label(name: str) -> str:
    """Chinese label of an entity type (the name itself for an unknown one)."""
    return BY_NAME[name].label if name in BY_NAME else name
