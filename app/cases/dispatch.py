"""分流派单: dispatch one case or several to a unit by hand (the ``dispatch`` action)."""
from __future__ import annotations

from app.cases import handling
from app.desk import Actor, Desk


def dispatch(desk: Desk, actor: Actor, key: str, unit: str, co_units=(), due_at=None, note: str = "") -> dict:
    """Dispatch one case by hand (the ``dispatch`` action through handling.act_many)."""
    return dispatch_many(desk, actor, [key], unit, co_units, due_at, note)[0]


def dispatch_many(desk: Desk, actor: Actor, keys: list[str], unit: str, co_units=(), due_at=None,
                  note: str = "") -> list[dict]:
    """Dispatch several cases to the same unit at once (all or nothing)."""
    payload = {"unit": unit, "co_units": list(co_units or []), "due_at": due_at, "note": note}
    return handling.act_many(desk, actor, keys, "dispatch", payload).views
