"""Bulletins and rankings: the PDF read back with pdftotext; the CLI commands."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from app.cli import main
from app.domain import indicators as ind
from app.supervision import bulletins as bl
from app.supervision import indicators as si
from app.supervision import rankings
from tests.supervision.test_indicators import WEEK, week  # noqa: F401 (fixture)


def test_ranking_marks_and_previous(desk, week):  # noqa: F811
    r = rankings.ranking(desk, WEEK)
    keys = [x["key"] for x in r["rows"]]
    assert set(keys) == {"V01", "D01"}
    # two ranked units: one green, one red
    assert sorted(x["mark"] for x in r["rows"]) == ["green", "red"]
    assert all(x["prev_rank"] is None for x in r["rows"])     # nothing the week before
    single = rankings.ranking(desk, WEEK, "return_rate")
    assert [x["key"] for x in single["rows"]] == ["V01", "D01"]  # lower return rate ranks first


def test_rank_helper_ties_and_flags():
    scores = {k: v for k, v in zip("abcdefgh", (90, 80, 80, 70, 60, 50, 40, None), strict=True)}
    out = ind.rank(scores)
    assert out["a"] == (1, "green") and out["b"] == (2, "green") and out["c"] == (2, "green")
    assert out["d"] == (4, None) and out["e"] == (5, "red") and out["g"] == (7, "red")
    assert out["h"] == (None, None)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_weekly_bulletin_pdf_contains_figures(desk, week, tmp_path):  # noqa: F811
    from app.dossier.bulletins import render

    f = bl.figures(desk, "weekly", "2026-11-04")
    assert f["period"] == {"from": "2026-11-02", "to": "2026-11-08"}
    assert f["summary"] == {k: v for k, v in si.compute(desk, WEEK).items() if k not in ("key", "name")}
    out = render(f, tmp_path / "weekly.pdf", operator="金立诚")
    txt = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                         check=True).stdout
    for needle in ("周通报", "2026-11-02 至 2026-11-08", "受理群众诉求 6 批、8 人次", "办结率 80.00%",
                   "结案率 60.00%", "满意率 66.67%", "卧龙社区", "综合执法队", "三色评比", "督办情况",
                   "14.29%", "3.02"):
        assert needle in txt, needle


def test_cli_indicators_ranking_report(desk, week, tmp_path, capsys):  # noqa: F811
    root = str(desk.root)
    desk.close()
    # the CLI runs on the real clock: the hand-built week is long over, so only stable figures are checked
    assert main(["--data-dir", root, "indicators", "--from", "2026-11-02", "--to", "2026-11-08", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["received"], out["persons"], out["returned"]) == (6, 8, 1)
    assert main(["--data-dir", root, "indicators", "--from", "2026-11-02", "--to", "2026-11-08",
                 "--by", "unit", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {r["key"]: r["assigned"] for r in rows} == {"V01": 5, "D01": 2, None: 0}  # None: E, 不予受理
    assert main(["--data-dir", root, "ranking", "--from", "2026-11-02", "--to", "2026-11-08", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["rows"]) == 2
    pdf = tmp_path / "d.pdf"
    assert main(["--data-dir", root, "report", "daily", "--date", "2026-11-02", "-o", str(pdf)]) == 0
    assert pdf.stat().st_size > 1000
    capsys.readouterr()
    assert main(["--data-dir", root, "report", "yearly", "--date", "2026-11-02", "-o", str(pdf)]) == 2
    assert "简报类型" in capsys.readouterr().err
    assert main(["--data-dir", root, "indicators", "--from", "2026-11-31", "--to", "2026-12-01", "--json"]) == 2
    assert "日期格式" in json.loads(capsys.readouterr().out)["error"]["message"]


def test_notable_cases_read_from_their_partial_index(demo_desk):
    from sqlalchemy import text

    from app.supervision.bulletins import NOTABLE_SQL

    with demo_desk.db.read() as s:
        plan = " ".join(str(r[-1]) for r in s.execute(text("EXPLAIN QUERY PLAN " + NOTABLE_SQL),
                                                       {"start": "2026-11-01", "end": "2026-12-01", "limit": 10}))
    assert "ix_cases_notable" in plan
