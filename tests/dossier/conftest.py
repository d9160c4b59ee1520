"""Printing fixtures: poppler helpers, a case with a phone number dispatched to unit D01, a PNG."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import load_actors, sample_case

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdftext(path, layout: bool = False, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    return subprocess.run(cmd + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """Text without any whitespace (pdftotext drops or adds spaces around CJK characters)."""
    return re.sub(r"\s+", "", text)


def pdf_pages(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def pdf_page_size_mm(path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    w, h = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.M).groups()
    return float(w) * 25.4 / 72, float(h) * 25.4 / 72


def make_png(path: Path, size=(640, 480), colour=(40, 120, 200)) -> Path:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, colour)
    d = ImageDraw.Draw(im)
    d.rectangle([size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4], fill=(240, 200, 40))
    im.save(path)
    return path


@pytest.fixture
def people(desk):
    return load_actors(desk)


@pytest.fixture
def dispatched_case(desk, people):
    """A visit case with phone and id number, dispatched to D01 and signed."""
    from app.cases import dispatch, handling, intake

    c = intake.take_in(desk, people["intake"], sample_case(auto_dispatch=False))
    dispatch.dispatch(desk, people["dispatcher"], c["case_no"], "D01", note="请尽快处理")
    handling.act(desk, people["unit"], c["case_no"], "sign", {})
    return c["case_no"]
