"""人民调解协议书 and the 卷宗, printed and read back with pdftotext: the parties (masked for a role
that may not see personal data), the terms, and the 卷宗's completeness list."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.errors import ValidationError
from app.mediation import printing, services
from tests.dossier.conftest import flat, needs_poppler, pdftext
from tests.mediation.conftest import AGREEMENT, dispute_input, new_cases

pytestmark = needs_poppler


@pytest.fixture
def agreed(desk, actors, clock):
    admin = actors["admin"]
    [case_no] = new_cases(desk, 1)
    no = services.open_dispute(desk, admin, case_no, dispute_input())["dispute_no"]
    services.assign(desk, admin, no, "M01")
    services.record_session(desk, admin, no, {"at": (clock() - timedelta(hours=2)).isoformat(), "place": "卧龙社区调解室",
                                              "attendees": ["张三", "李四"], "record": "双方同意由李四赔偿维修费用。",
                                              "outcome": "agreed"})
    services.close_dispute(desk, admin, no, {"means": "mediation", "success": True, "agreement": AGREEMENT})
    return no


def test_agreement_reads_back_with_parties_and_terms(desk, actors, agreed, tmp_path):
    out = printing.print_agreement(desk, actors["admin"], agreed, tmp_path / "ag.pdf")
    assert out["kind_label"] == "人民调解协议书" and out["bytes"] > 1000
    text = flat(pdftext(tmp_path / "ag.pdf"))
    for words in ("人民调解协议书", agreed, "申请人", "张三", "11010519491231002X", "13800001111", "被申请人", "李四",
                  "1.李四赔偿张三维修费用二千元", "2.李四于2026年12月10日前修复卫生间防水", "履行方式、时限",
                  "2026年12月10日前一次性当面支付并完成修复", "本协议一式3份", "司法确认", "人民调解员（签名）",
                  "人民调解委员会（盖章）", "申请司法确认截止：2026-12-27"):
        assert words in text, words


def test_unit_role_sees_the_parties_masked(desk, actors, agreed, tmp_path):
    printing.print_agreement(desk, actors["unit"], agreed, tmp_path / "ag.pdf")
    text = flat(pdftext(tmp_path / "ag.pdf"))
    assert "110105********002X" in text and "138****1111" in text and "139****2222" in text
    assert "11010519491231002X" not in text and "13800001111" not in text
    assert "张三" in text  # names stay


def test_dossier_lists_what_is_missing_in_order(desk, actors, agreed, tmp_path):
    printing.print_dossier(desk, actors["admin"], agreed, tmp_path / "d.pdf")
    text = flat(pdftext(tmp_path / "d.pdf"))
    assert "人民调解卷宗" in text and "卷内材料目录（按规定顺序）与完整性检查" in text
    order = ["1申请书/受理登记表已归档", "2权利义务告知书缺少", "3调查记录缺少", "4调解笔录已归档", "5调解协议书已归档",
             "6回访记录缺少"]
    pos = [text.find(x) for x in order]
    assert -1 not in pos and pos == sorted(pos), pos
    assert "缺少材料：权利义务告知书、调查记录、回访记录" in text
    assert "双方同意由李四赔偿维修费用。" in text and "李四赔偿张三维修费用二千元" in text
    services.register_document(desk, actors["admin"], agreed, "notice")
    services.register_document(desk, actors["admin"], agreed, "survey")
    services.follow_up(desk, actors["admin"], agreed, "已按期履行", True)
    printing.print_dossier(desk, actors["admin"], agreed, tmp_path / "d2.pdf")
    text = flat(pdftext(tmp_path / "d2.pdf"))
    assert "缺少材料：无，卷宗完整" in text and "已按期履行" in text


def test_print_through_the_cli_kinds(desk, actors, agreed, tmp_path, capsys):
    from app.cli import main

    for kind in ("agreement", "mediation_dossier"):
        assert main(["--data-dir", str(desk.root), "print", agreed, "--kind", kind, "-o",
                     str(tmp_path / f"{kind}.pdf"), "--json"]) == 0
        assert (tmp_path / f"{kind}.pdf").stat().st_size > 1000
    capsys.readouterr()


def test_no_agreement_no_agreement_document(desk, actors, tmp_path):
    [case_no] = new_cases(desk, 1)
    no = services.open_dispute(desk, actors["admin"], case_no, dispute_input())["dispute_no"]
    with pytest.raises(ValidationError) as e:
        printing.print_agreement(desk, actors["admin"], no, tmp_path / "x.pdf")
    assert "没有调解协议" in e.value.message and not (tmp_path / "x.pdf").exists()
