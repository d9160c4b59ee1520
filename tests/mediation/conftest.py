"""Mediation fixtures: cases to open disputes on, the parties of a dispute, a CLI runner and the row
counts of the mediation tables (to prove that refused input writes nothing)."""
from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import load_actors, sample_case
from tests.sync.conftest import server, stations  # noqa: F401 — the real district server and workstations
from tests.ui.conftest import open_window  # noqa: F401 — windows with synchronous tasks

TABLES = ("disputes", "mediation_sessions", "backlogs", "backlog_steps", "audit_log", "outbox")
APPLICANT = {"role": "applicant", "name": "张三", "id_no": "11010519491231002X", "phone": "13800001111",
             "address": "卧龙社区解放北路1号"}
RESPONDENT = {"role": "respondent", "name": "李四", "phone": "13900002222", "address": "卧龙社区解放北路3号"}


def dispute_input(**over) -> dict:
    data = {"type": "邻里", "source": "当事人申请", "parties": [dict(APPLICANT), dict(RESPONDENT)],
            "amount": 3000, "persons": 2}
    data.update(over)
    return data


AGREEMENT = {"facts": "楼上卫生间漏水致楼下天花板受损，双方就赔偿金额发生争议。",
             "terms": ["李四赔偿张三维修费用二千元", "李四于2026年12月10日前修复卫生间防水"],
             "performance": "2026年12月10日前一次性当面支付并完成修复"}


def new_cases(desk, n: int, **over) -> list[str]:
    from app.cases.intake import take_in

    actor = load_actors(desk)["intake"]
    return [take_in(desk, actor, sample_case(title=f"邻里纠纷{i}", **over))["case_no"] for i in range(n)]


@pytest.fixture
def cases(desk):
    return new_cases(desk, 6)


def counts(desk) -> dict:
    from app.store.crypto import open_store_raw

    con = open_store_raw(desk.root)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


class _Stdin:
    def __init__(self, text: str):
        self.text = text

    def read(self):
        return self.text


def run(desk, capsys, monkeypatch, *args, stdin=None):
    """``towndesk --data-dir <desk's store> ARGS``: (exit code, parsed JSON or text, stderr)."""
    from app.cli import main

    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", _Stdin(stdin if isinstance(stdin, str) else json.dumps(stdin)))
    code = main(["--data-dir", str(desk.root), *args])
    out = capsys.readouterr()
    try:
        return code, json.loads(out.out), out.err
    except ValueError:
        return code, out.out, out.err
