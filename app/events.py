"""A tiny thread-safe publish/subscribe for core events the window must hear (sync finished,
conflict arrived, case changed). ui/ bridges it to Qt signals so handlers run on the GUI thread."""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable

_lock = threading.Lock()
_subscribers: dict[str, list[Callable]] = defaultdict(list)

CASE_CHANGED = "case_changed"          # payload: {"case_nos": [...]}
SYNC_STATE = "sync_state"              # payload: {"state": "online|offline|syncing", "pending": n, ...}
CONFLICT_ARRIVED = "conflict_arrived"  # payload: {"count": n}


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
            logging.getLogger("towndesk.events").exception("event subscriber failed: %s", event)
