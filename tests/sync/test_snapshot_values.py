"""The snapshot's shortcuts give the same values as the slow paths they replace (issue 15 item 6)."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.store import chain
from app.store.values import to_sql_dt
from server.snapshot import _stored_at


@pytest.mark.parametrize("at", ["2026-10-07T00:04:15.637791+00:00", "2026-10-07T00:10:00+00:00",
                                "2026-10-07T08:04:15.637791+08:00", "2026-12-31T23:59:59.000001+00:00",
                                "2026-10-07T00:04:15.637791-05:00"])
def test_action_time_in_storage_form_matches_parsing(at):
    assert _stored_at(at) == to_sql_dt(datetime.fromisoformat(at))


def test_bulk_chain_values_equal_the_row_by_row_chain():
    rows = [("a1", "c1", "intake", "2026-10-07 00:04:15.637791", "u", "张三", "dispatcher", None, '{"x":1}', "d",
             "accepted", 1, None),
            ("a2", "c1", "comment", "2026-10-07 00:05:00.000000", "u", "张三", "dispatcher", "U1", "{}", "d",
             "accepted", 2, None)]
    prev, expected = chain.GENESIS, []
    for row in rows:
        prev = chain.link(prev, row[:10])
        expected.append(prev)
    assert chain.links(chain.GENESIS, rows, 10) == expected
    assert chain.links(expected[0], rows[1:], 10) == expected[1:]
