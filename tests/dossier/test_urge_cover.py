"""The dossier cover marks a case under 督办: a stamp with the level and a 督办情况 row (level, count,
reply date, reply status, instruction); the cover stays one page."""
from __future__ import annotations

from app.cases import handling
from app.printing import jobs as printing
from tests.dossier.conftest import flat, needs_poppler, pdftext

pytestmark = needs_poppler


def test_cover_marks_the_urge(desk, people, dispatched_case, tmp_path):
    no = dispatched_case
    plain = tmp_path / "plain.pdf"
    printing.print_case(desk, people["director"], no, "dossier", plain)
    assert "督办件" not in flat(pdftext(plain, first=1, last=1))
    assert "督办情况" not in flat(pdftext(plain, first=1, last=1))

    handling.act(desk, people["director"], no, "urge",
                 {"level": "red", "instruction": "请当日上门调解并书面回复", "reply_by": "2026-11-30"})
    out = tmp_path / "urged.pdf"
    printing.print_case(desk, people["director"], no, "dossier", out)
    cover = flat(pdftext(out, first=1, last=1))
    assert "诉求案件办理案卷" in cover and no in cover
    assert "督办件·红牌督办" in cover                      # the stamp
    assert "督办情况" in cover and "红牌督办（第1次），限2026-11-3023:59前回复" in cover
    assert "待回复" in cover and "请当日上门调解并书面回复" in cover
    assert "扫码核验案件编号" in cover                       # QR code still on the cover page
    assert "卷内目录" in flat(pdftext(out, first=2, last=2))  # the cover is one page

    handling.act(desk, people["unit"], no, "urge_reply", {"note": "已调解"})
    printing.print_case(desk, people["director"], no, "dossier", out)
    assert "已回复" in flat(pdftext(out, first=1, last=1))
