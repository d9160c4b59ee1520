"""Failed enrolments and bad tokens, counted per client address: past ``limit`` failures within
``window`` seconds the address gets 429 (with Retry-After) on every enrolment and authenticated
call until the window has passed, so codes and tokens cannot be guessed at speed.

Kept in memory per server process (a restart forgets; with several workers each counts its own).
Behind a reverse proxy every client has the proxy's address: put the limit in the proxy as well.
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque

DEFAULT_LIMIT = 10      # failures
DEFAULT_WINDOW = 60.0   # seconds


class Limiter:
    def __init__(self, limit: int | None = None, window: float | None = None):
        self.limit = limit if limit is not None else int(os.environ.get("TOWNDESK_SERVER_FAIL_LIMIT", DEFAULT_LIMIT))
        self.window = window if window is not None else DEFAULT_WINDOW
        self._fails: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _trim(self, q: deque, now: float) -> None:
        while q and q[0] <= now - self.window:
            q.popleft()

    def retry_after(self, who: str) -> int | None:
        """Seconds to wait when ``who`` is over the limit, else None."""
        now = time.monotonic()
        with self._lock:
            q = self._fails.get(who)
            if not q:
                return None
            self._trim(q, now)
            if len(q) < self.limit:
                return None
            return max(1, int(q[0] + self.window - now) + 1)

    def fail(self, who: str) -> bool:
        """Count one failure; True when this one reached the limit (audit it once)."""
        now = time.monotonic()
        with self._lock:
            if len(self._fails) > 100_000:  # bounded memory under a spray of addresses
                self._fails.clear()
            q = self._fails.setdefault(who, deque())
            self._trim(q, now)
            q.append(now)
            return len(q) == self.limit
