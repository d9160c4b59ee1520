"""受理回执 (A5 and 80 mm), 交办单 and 督办单."""
from __future__ import annotations

import pytest

from app.cases import handling, intake
from app.errors import AppError
from app.printing import jobs as printing
from tests.conftest import sample_case
from tests.dossier.conftest import flat, needs_poppler, pdf_page_size_mm, pdf_pages, pdftext

pytestmark = needs_poppler


@pytest.mark.parametrize("size,width", [("a5", 148), ("80mm", 80)])
def test_receipt_sizes_and_content(desk, people, tmp_path, size, width):
    c = intake.take_in(desk, people["intake"], sample_case(auto_dispatch=False))
    out = tmp_path / f"r-{size}.pdf"
    printing.print_case(desk, people["intake"], c["case_no"], "receipt", out, size=size)
    w, h = pdf_page_size_mm(out)
    assert round(w) == width and pdf_pages(out) == 1
    if size == "a5":
        assert round(h) == 210
    text = flat(pdftext(out))
    assert "受理回执" in text and c["case_no"] in text and "来访" in text and "张三" in text
    assert "138****1111" in text and "13800001111" not in text  # goes home with the visitor: masked
    assert "预计答复" in text and "2026-12-04" in text           # 5 working days after Friday 27 Nov
    assert "12345" in text and "受理人" in text


def test_slip_names_unit_deadlines_and_has_a_tear_off(desk, people, dispatched_case, tmp_path):
    out = tmp_path / "slip.pdf"
    printing.print_case(desk, people["dispatcher"], dispatched_case, "slip", out)
    text = flat(pdftext(out))
    assert pdf_pages(out) == 1
    for needle in ("交办单", dispatched_case, "综合执法队", "签收时限", "办结时限", "请尽快处理", "交办单签收回执",
                   "承办单位签收人", "第1页共1页"):
        assert needle in text, needle


def test_transfer_slip_goes_to_the_new_unit(desk, people, dispatched_case, tmp_path):
    handling.act(desk, people["dispatcher"], dispatched_case, "transfer", {"unit": "V01", "reason": "属社区职责"})
    out = tmp_path / "slip.pdf"
    printing.print_case(desk, people["dispatcher"], dispatched_case, "slip", out)
    text = flat(pdftext(out))
    assert "流转交办" in text and "卧龙社区" in text and "属社区职责" in text


def test_supervision_notice(desk, people, dispatched_case, tmp_path):
    handling.act(desk, people["director"], dispatched_case, "urge",
                 {"level": "red", "instruction": "请于两个工作日内办结并书面反馈", "reply_by": "2026-12-01"})
    out = tmp_path / "urge.pdf"
    printing.print_case(desk, people["director"], dispatched_case, "supervision", out, watermark=True)
    text = flat(pdftext(out))
    for needle in ("督办单", "红牌督办", "请于两个工作日内办结并书面反馈", "2026-12-01", "第1次", "综合执法队",
                   "办理情况回复", "内部资料", f"督办编号：{dispatched_case}-D1"):
        assert needle in text, needle


def test_documents_that_do_not_apply_are_refused(desk, people, tmp_path):
    c = intake.take_in(desk, people["intake"], sample_case(auto_dispatch=False))
    with pytest.raises(AppError, match="尚未派单"):
        printing.print_case(desk, people["dispatcher"], c["case_no"], "slip", tmp_path / "x.pdf")
    with pytest.raises(AppError, match="没有督办记录"):
        printing.print_case(desk, people["dispatcher"], c["case_no"], "supervision", tmp_path / "x.pdf")
    with pytest.raises(AppError, match="只有受理回执"):
        printing.print_case(desk, people["dispatcher"], c["case_no"], "slip", tmp_path / "x.pdf", size="a5")
    assert not (tmp_path / "x.pdf").exists()
