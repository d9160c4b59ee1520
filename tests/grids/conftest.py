"""Fixtures of the 一网格 tests: the CLI in-process, raw counts of what a command wrote, and the
sync fixtures (the real district server in a subprocess) of tests/sync."""
from __future__ import annotations

import io
import json
import sys

import pytest

from app.store.crypto import open_store_raw
from tests.sync.conftest import server, stations  # noqa: F401  (the real server fixture)

TABLES = ("cases", "case_actions", "grid_reports", "points_entries", "outbox", "audit_log")

REPORT = {"grid": "V01G01M01", "reporter": "GS0003", "category": "PA0101", "title": "楼道堆物",
          "description": "3幢楼道堆放杂物，堵塞消防通道", "address": "卧龙小区3幢", "outcome": "passed"}


def counts(root) -> dict:
    con = open_store_raw(root)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


@pytest.fixture
def run(desk, capsys, monkeypatch):
    """run(*argv, stdin=None) -> (exit status, parsed JSON or text) against the ``desk`` store."""
    from app.cli import main

    def call(*argv, stdin=None):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin if isinstance(stdin, str) else json.dumps(stdin)))
        rc = main(["--data-dir", str(desk.root), *argv])
        out = capsys.readouterr().out
        try:
            return rc, json.loads(out)
        except ValueError:
            return rc, out

    return call
