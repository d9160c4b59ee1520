"""A tiny thread-safe publish/subscribe for core events the window must hear (sync finished,
conflict arrived, case changed). ui/ bridges it to Qt signals so handlers run on the GUI thread."""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable

log = logging.getLogger("towndesk.events")
_lock = threading.Lock()
_subscribers: dict[str, list[Callable]] = defaultdict(list)

CASE_CHANGED = "case_changed"          # payload: {"case_nos": [...]}
SYNC_STATE = "sync_state"              # payload: {"state": "online|offline|syncing", "pending": n, ...}
CONFLICT_ARRIVED = "conflict_arrived"  # payload: {"count": n}
EMERGENCY_CHANGED = "emergency_changed"  # 平战转换: started/stopped, a task, a receipt or a prepared list changed


def note_cases_changed(session, case_nos) -> None:
    """Record, in a write transaction, that these cases changed; one CASE_CHANGED event carries
    them all once the transaction has committed (nothing is announced on a rollback)."""
    changed = session.info.get("changed_cases")
    if changed is None:
        changed = session.info["changed_cases"] = set()
        session.info.setdefault("after_commit", []).append(
            lambda: publish(CASE_CHANGED, {"case_nos": sorted(changed)}))
    changed.update(case_nos)


def subscribe(event: str, callback: Callable[[dict], None]) -> Callable[[], None]:
    """Register a callback; returns a function that unsubscribes it."""
    with _lock:
        _subscribers[event].append(callback)

    def unsubscribe() -> None:
        with _lock:
            if callback in _subscribers[event]:
                _subscribers[event].remove(callback)

    return unsubscribe


def publish(event: str, payload: dict | None = None) -> None:
    """Call every subscriber (on the publishing thread); one failing callback does not stop others."""
    with _lock:
        callbacks = list(_subscribers[event])
    for cb in callbacks:
        try:
            cb(payload or {})
        except Exception:  # noqa: BLE001 — a subscriber's bug must not break the publisher
            log.exception("event subscriber failed: %s", event)
