"""Batch printing of a filtered case list: one file per case or one file, progress, cancel, audit."""
from __future__ import annotations

import threading

from sqlalchemy import select

from app.cases import queries
from app.printing import jobs as printing
from app.store.models import AuditEntry
from tests.conftest import load_actors
from tests.dossier.conftest import flat, needs_poppler, pdf_pages, pdftext

pytestmark = needs_poppler
FILTERS = {"state": "closed", "unit": "D01"}


def test_batch_one_file_per_case(demo_desk, tmp_path):
    director = load_actors(demo_desk)["director"]
    expected = queries.list_cases(demo_desk, director, FILTERS, limit=1000)
    assert expected["total"] >= 3
    seen = []
    out = printing.print_batch(demo_desk, director, FILTERS, out_dir=tmp_path / "out",
                               progress=lambda done, total: seen.append((done, total)))
    assert out["count"] == out["total"] == expected["total"] and not out["cancelled"]
    assert sorted(p.rsplit("/", 1)[1] for p in out["paths"]) == sorted(f"{c['case_no']}.pdf" for c in expected["items"])
    assert seen[-1] == (out["total"], out["total"]) and len(seen) == out["total"]
    assert not list((tmp_path / "out").glob("*.part"))
    with demo_desk.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "print.batch")).one()
    assert entry.detail["count"] == out["total"] and entry.detail["filters"] == FILTERS


def test_batch_one_file_numbers_each_case_on_its_own(demo_desk, tmp_path):
    director = load_actors(demo_desk)["director"]
    filters = {**FILTERS}
    singles = printing.print_batch(demo_desk, director, filters, out_dir=tmp_path / "singles")
    target = tmp_path / "all.pdf"
    out = printing.print_batch(demo_desk, director, filters, out_file=target, one_file=True)
    assert out["paths"] == [str(target)] and out["count"] == singles["count"]
    counts = [pdf_pages(p) for p in singles["paths"]]
    assert pdf_pages(target) == sum(counts)
    text = flat(pdftext(target))
    for path, n in zip(singles["paths"], counts, strict=True):
        no = path.rsplit("/", 1)[1][:-4]
        assert f"案件编号{no}" in text
        assert text.count(f"共{n}页") >= n


def test_batch_cancel_stops_after_the_current_case(demo_desk, tmp_path):
    director = load_actors(demo_desk)["director"]
    cancel = threading.Event()

    def progress(done, total):
        if done == 2:
            cancel.set()

    out = printing.print_batch(demo_desk, director, {"state": "closed"}, out_dir=tmp_path / "o",
                               progress=progress, cancel=cancel)
    assert out["cancelled"] and out["count"] == 2 and len(list((tmp_path / "o").glob("*.pdf"))) == 2
    cancel.clear()
    target = tmp_path / "one.pdf"
    out = printing.print_batch(demo_desk, director, {"state": "closed"}, out_file=target, one_file=True,
                               progress=progress, cancel=cancel)
    assert out["cancelled"] and out["paths"] == [] and not target.exists()
    assert not list(tmp_path.glob("*.part"))


def test_batch_pages_through_more_than_one_query_page(demo_desk, tmp_path, monkeypatch):
    director = load_actors(demo_desk)["director"]
    monkeypatch.setattr(printing, "BATCH_PAGE", 2)
    total, numbers = printing.iter_case_numbers(demo_desk, director, FILTERS)
    got = list(numbers)
    assert len(got) == total == len(set(got))
