"""``towndesk print`` end to end through a subprocess."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.cases import queries
from tests.conftest import load_actors
from tests.dossier.conftest import flat, needs_poppler, pdf_page_size_mm, pdf_pages, pdftext

pytestmark = needs_poppler
TOWNDESK = [str(Path(sys.executable).with_name("towndesk"))]


def run(data_dir, *args):
    return subprocess.run(TOWNDESK + ["--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          timeout=120)


def test_print_one_case_and_errors(demo_desk, tmp_path):
    director = load_actors(demo_desk)["director"]
    no = queries.list_cases(demo_desk, director, {"state": "closed", "unit": "D01"}, limit=1)["items"][0]["case_no"]
    root = demo_desk.root
    out = tmp_path / "d.pdf"
    r = run(root, "print", no, "-o", str(out), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["paths"] == [str(out)] and data["kind"] == "dossier"
    assert no in flat(pdftext(out)) and pdf_pages(out) >= 6
    r = run(root, "print", no, "-o", str(tmp_path / "r.pdf"), "--kind", "receipt", "--size", "80mm", "--watermark")
    assert r.returncode == 0 and "受理回执" in r.stdout
    assert round(pdf_page_size_mm(tmp_path / "r.pdf")[0]) == 80
    for args, message in [
        (("print", "FS-20200101-01-0001", "-o", str(tmp_path / "x.pdf")), "不存在"),
        (("print", no, "-o", str(tmp_path / "x.pdf"), "--kind", "letter"), "文书类型"),
        (("print", no), "-o"),
        (("print", no, "-o", str(tmp_path / "x.pdf"), "--kind", "receipt", "--size", "a4"), "回执尺寸"),
        (("print", "--query", "--state", "closed"), "--out-dir"),
        (("print", "--query", "--state", "nonsense", "--out-dir", str(tmp_path / "q")), "状态"),
    ]:
        r = run(root, *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert message in r.stderr and r.stderr.startswith("错误："), r.stderr
    assert not (tmp_path / "x.pdf").exists()
    r = run(root, "print", "FS-20200101-01-0001", "-o", str(tmp_path / "x.pdf"), "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "not_found"


def test_print_query_batch(demo_desk, tmp_path):
    root = demo_desk.root
    r = run(root, "print", "--query", "--state", "closed", "--unit", "D01", "--out-dir", str(tmp_path / "out"), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["count"] == data["total"] >= 1 and len(data["paths"]) == data["count"]
    assert all(Path(p).is_file() for p in data["paths"])
    r = run(root, "print", "--query", "--state", "closed", "--unit", "D01", "--one-file", str(tmp_path / "all.pdf"))
    assert r.returncode == 0, r.stderr
    assert pdf_pages(tmp_path / "all.pdf") == sum(pdf_pages(p) for p in data["paths"])
