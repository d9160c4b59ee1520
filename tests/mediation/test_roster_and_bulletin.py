"""The 调解员 sheet of the town workbook (import, a bad cell named by sheet, row and column, export
back) and the bulletins' 期号 and 矛盾调处 section (read back with pdftotext)."""
from __future__ import annotations

from datetime import date

from app.mediation import backlog
from app.reference import golive
from app.reference.records import list_refs
from app.supervision import bulletins as bl
from tests.dossier.conftest import flat, needs_poppler, pdftext
from tests.golive.conftest import write_xlsx
from tests.mediation.conftest import new_cases


def test_mediator_sheet_imports_checks_and_exports(desk, actors, tmp_path):
    admin = actors["admin"]
    bad = write_xlsx(tmp_path / "bad.xlsx", {"调解员": [["M20", "钱律师", "1390575", "律师", "越州律所"],
                                                     ["M21", "孙调解", "13905750021", "调解能手", None]]})
    report = golive.import_workbook(desk, admin, bad)
    assert {(e["sheet"], e["row"], e["column"]) for e in report["errors"]} == {("调解员", 2, "手机"), ("调解员", 3, "类型")}
    assert "M20" not in {m["code"] for m in list_refs(desk, "mediators")}
    good = write_xlsx(tmp_path / "good.xlsx", {"调解员": [["M20", "钱律师", "13905750020", "律师", "越州律所"],
                                                       ["M01", "周立新", "13905751111", "专职调解员", "府山街道人民调解委员会"]]})
    report = golive.import_workbook(desk, admin, good)
    assert (report["created"]["调解员"], report["updated"]["调解员"]) == (1, 1) and not report["errors"]
    got = {m["code"]: m for m in list_refs(desk, "mediators")}
    assert got["M20"] == {"code": "M20", "name": "钱律师", "phone": "13905750020", "kind": "lawyer", "org": "越州律所"}
    assert got["M01"]["phone"] == "13905751111"
    out = golive.export_workbook(desk, admin, tmp_path / "out.xlsx")
    assert out["sheets"]["调解员"] == len(got)
    again = golive.import_workbook(desk, admin, tmp_path / "out.xlsx", dry_run=True)
    assert again["unchanged"]["调解员"] == len(got) and not again["errors"]


def test_issue_numbers_per_kind_and_year():
    assert bl.issue_number("daily", bl.period_for("daily", date(2026, 11, 27)))["label"] == "2026年第331期"
    assert bl.issue_number("weekly", bl.period_for("weekly", date(2026, 11, 27)))["label"] == "2026年第48期"
    assert bl.issue_number("monthly", bl.period_for("monthly", date(2026, 11, 27)))["label"] == "2026年第11期"
    assert bl.issue_number("daily", bl.period_for("daily", date(2027, 1, 1)))["number"] == 1


@needs_poppler
def test_bulletins_carry_the_mediation_section(desk, actors, tmp_path):
    from app.dossier.bulletins import render

    admin = actors["admin"]
    nos = new_cases(desk, 4)
    for no, unit in zip(nos, ("D01", "D02", "D03", "D04"), strict=True):
        backlog.add_backlog(desk, admin, no, {"lead": "王镇长", "members": ["李干部"], "units": [unit],
                                              "plan": "专班化解", "due": "2027-03-31"})
    backlog.resolve(desk, admin, nos[0], "facts,lawful,solved,satisfied,approved")
    for kind in ("daily", "weekly", "monthly"):
        f = bl.figures(desk, kind, "2026-11-27")
        m = f["mediation"]
        assert m["backlog"] == {"registered": 4, "resolved": 1, "rate": 0.25}
        assert [g["mark"] for g in m["ranking"]] == [None, "red", "red", "red"]
        render(f, tmp_path / f"{kind}.pdf")
        text = flat(pdftext(tmp_path / f"{kind}.pdf"))
        assert f["issue"]["label"] in text
        assert "七、矛盾调处" in text and "积案4件，已实质性化解1件，积案化解率25.00%" in text
        assert "1综合执法队11100.00%" in text and "平安办（红）" in text
