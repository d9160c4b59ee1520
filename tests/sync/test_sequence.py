"""Server sequence numbers become visible in order: while one push holds its transaction open
(numbers allocated, commit delayed), concurrent pushes wait and a reader following the cursor
never skips a change."""
from __future__ import annotations

import threading
import time

from app.cases import intake
from app.sync import protocol as P
from app.sync.pull import apply_page
from tests.conftest import sample_case
from tests.sync.conftest import accepted_log, server_log, sync, transport


def test_delayed_commit_never_lets_a_reader_skip(stations, server):
    from app.sync.engine import run_round

    a, b, c = stations("A"), stations("B", fresh=True), stations("C", fresh=True)
    for i in range(4):
        intake.take_in(a, a.actors["intake"], sample_case(title=f"甲{i}"))
        intake.take_in(b, b.actors["intake"], sample_case(title=f"乙{i}"))
    errors = []

    def push(desk, delay):
        try:
            t = transport(desk)
            if delay:
                t.s.extra_headers = {"X-Test-Commit-Delay": str(delay)}
            run_round(desk, transport=t, files=False)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    slow = threading.Thread(target=push, args=(a, 1.5))
    slow.start()
    time.sleep(0.3)  # A holds the town lock with its numbers allocated but not committed
    fast = threading.Thread(target=push, args=(b, 0))
    fast.start()
    # C follows the cursor the whole time, page by page
    t = transport(c)
    with c.db.read() as s:
        from app.sync import state as st

        cursor = start = st.cursor(s)
    seen = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page = t.json("GET", P.API + "/changes", P.ChangesPage, params={"after": cursor, "limit": 3})
        seen += [ch.seq for ch in page.changes]
        apply_page(c, page)
        cursor = page.next
        if not slow.is_alive() and not fast.is_alive() and not page.more:
            break
        time.sleep(0.02)
    slow.join()
    fast.join()
    assert not errors
    final = t.json("GET", P.API + "/changes", P.ChangesPage, params={"after": cursor})
    assert final.changes == []  # nothing was left behind the cursor
    assert seen == list(range(start + 1, start + 1 + len(seen)))  # contiguous: no change skipped
    sync(c)
    assert accepted_log(c) == server_log(server)
