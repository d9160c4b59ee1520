"""The town workbook: an empty store goes live from it, hostile input is refused whole with every
error located, the export imports back unchanged, --dry-run and --replace."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.cases import intake
from app.domain.timezone import LOCAL_TZ
from app.reference import golive
from app.reference.users import get_actor
from app.store.models import AuditEntry, Grid, Holiday, OutboxEntry, Rule, Staff, Unit
from tests.conftest import sample_case
from tests.golive.conftest import TOWN, cli, write_xlsx


def _counts(desk) -> dict:
    """Rows of the reference tables, the outbox and the audit log (without the audit of the
    command-line use itself, which every successful command leaves)."""
    with desk.db.read() as s:
        out = {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in
               (Unit, Grid, Staff, Rule, Holiday, OutboxEntry)}
        out["AuditEntry"] = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "cli.use"))
        return out


def test_a_new_town_goes_live_from_the_workbook_alone(fresh_desk, tmp_path, capsys):
    book = write_xlsx(tmp_path / "town.xlsx", TOWN)
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(book), "--json")
    assert rc == 0, out
    assert out["errors"] == []
    assert out["created"] == {"单位": 3, "村社": 1, "网格": 1, "微网格": 1, "人员": 2, "事项分类": 1, "责任清单": 2,
                              "节假日": 2}
    assert set(out) == {"created", "updated", "unchanged", "warnings", "errors"}
    fresh_desk.invalidate()
    admin = get_actor(fresh_desk, None)
    # 企业偷排 in 东湖村: the imported line routes it to D1 with D2 and Q9 co-handling, in 3 working days
    view = intake.take_in(fresh_desk, admin, sample_case(category="企业偷排", type="report",
                                                         location={"village": "C1", "address": "东湖村3号"}))
    assert view["state"] == "dispatched", view["routing"]
    assert view["unit"]["code"] == "D1"
    assert [c["code"] for c in view["co_units"]] == ["D2", "Q9"]
    due = datetime.fromisoformat(view["due_at"]).astimezone(LOCAL_TZ)
    assert due == datetime(2026, 12, 2, 10, 0, tzinfo=LOCAL_TZ)  # Fri 10:00 + 3 working days
    # the town category routes to the village itself (a 村社 is a unit)
    view = intake.take_in(fresh_desk, admin, sample_case(category="TX01", location={"village": "C1"}))
    assert view["unit"]["code"] == "C1"
    # the lists show the imported rows, micro-grids and staff included
    rc, micro = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "list", "microgrids", "--json")
    assert [(m["code"], m["parent"], m["households"], m["scope"]) for m in micro] == [("C1G1M1", "C1G1", 35, "1-3幢")]
    rc, staff = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "list", "staff", "--json")
    assert {(s["code"], s["phone"], s["unit"]) for s in staff} == {("S1", "13800001234", None),
                                                                   ("S2", "13800005678", "D2")}
    # town records go up; the district unit made here stays local (the district's copy will win)
    with fresh_desk.db.read() as s:
        ents = {(e.entity, e.payload.get("code")) for e in s.scalars(select(OutboxEntry))}
        assert ("unit", "D1") in ents and ("holiday", "town-2027-02-08") in ents and ("unit", "Q9") not in ents
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "ref.import")) == 1
    # 2027-02-20 (a Saturday) is a working day here now
    assert fresh_desk.calendar().is_workday(datetime(2027, 2, 20, 12, tzinfo=LOCAL_TZ))


TEN_MISTAKES = {
    "单位": [["D1", "综合执法中队", "镇街部门", "12"],            # row 2: bad phone
           ["D1", "重复的单位", "镇街部门", None],               # row 3: duplicate code
           ["D3", "某站", "办事处", None]],                    # row 4: unknown kind
    "村社": [["C1", "东湖村", "村", "很多"]],                   # row 2: households not a number
    "网格": [["C1G1", "东湖村第一网格", "C9", 10]],              # row 2: unknown village
    "微网格": [["M1", "", "C1G1", 3, None]],                    # row 2: name missing
    "人员": [["S1", "王小明", "13800001234", "组长", "C1G1", None]],  # row 2: unknown role
    "事项分类": [["TX01", "河道漂浮物", "NOPE", "经济生态", None, 2, "是"]],  # row 2: unknown parent
    "责任清单": [["L1", "企业偷排", None, None, "ZZ1", None, None]],  # row 2: rule naming an unknown unit
    "节假日": [["2027-02-30", "休", None]],                     # row 2: bad date
}


def test_ten_mistakes_ten_errors_nothing_written(fresh_desk, tmp_path, capsys):
    book = write_xlsx(tmp_path / "bad.xlsx", TEN_MISTAKES)
    before = _counts(fresh_desk)
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(book), "--json")
    assert rc == 2
    got = {(e["sheet"], e["row"], e["column"]) for e in out["errors"]}
    assert got == {("单位", 2, "电话"), ("单位", 3, "编码"), ("单位", 4, "类型"), ("村社", 2, "户数"),
                   ("网格", 2, "所属村社"), ("微网格", 2, "名称"), ("人员", 2, "角色"), ("事项分类", 2, "上级编码"),
                   ("责任清单", 2, "主办单位"), ("节假日", 2, "日期")}, out["errors"]
    assert len(out["errors"]) == 10
    assert all(e["message"] and set(e) == {"sheet", "row", "column", "message"} for e in out["errors"])
    assert any("ZZ1" in e["message"] for e in out["errors"])
    assert _counts(fresh_desk) == before
    # text output: one line per error and exit 2
    rc, text = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(book))
    assert rc == 2 and "「节假日」第 2 行「日期」列" in text and "未写入" in text


def test_export_imports_back_unchanged(demo_desk, tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    rc, out = cli(capsys, "--data-dir", str(demo_desk.root), "ref", "export", "-o", str(path), "--json")
    assert rc == 0 and out["sheets"]["微网格"] > 100 and out["sheets"]["人员"] > 100
    before = _counts(demo_desk)
    rc, out = cli(capsys, "--data-dir", str(demo_desk.root), "ref", "import", str(path), "--json")
    assert rc == 0 and out["errors"] == []
    assert set(out["created"].values()) == {0} and set(out["updated"].values()) == {0}
    assert out["unchanged"]["责任清单"] == 109 and out["unchanged"]["单位"] == 34
    after = _counts(demo_desk)
    assert {k: after[k] - before[k] for k in after} == {"Unit": 0, "Grid": 0, "Staff": 0, "Rule": 0, "Holiday": 0,
                                                        "OutboxEntry": 0, "AuditEntry": 1}


def test_dry_run_and_replace(fresh_desk, tmp_path, capsys):
    root = str(fresh_desk.root)
    book = write_xlsx(tmp_path / "town.xlsx", TOWN)
    rc, out = cli(capsys, "--data-dir", root, "ref", "import", str(book), "--dry-run", "--json")
    assert rc == 0 and out["created"]["人员"] == 2
    assert _counts(fresh_desk)["Staff"] == 0
    assert cli(capsys, "--data-dir", root, "ref", "import", str(book), "--json")[0] == 0
    # a second book: S1 renamed, S2 gone; without --replace S2 stays, with it S2 is deactivated
    smaller = write_xlsx(tmp_path / "staff.xlsx", {"人员": [["S1", "王晓明", "13800001234", "网格长", "C1G1", None]]})
    rc, out = cli(capsys, "--data-dir", root, "ref", "import", str(smaller), "--json")
    assert out["updated"] == {"人员": 1} and out["created"] == {"人员": 0}
    rc, out = cli(capsys, "--data-dir", root, "ref", "import", str(smaller), "--replace", "人员", "--json")
    assert rc == 0 and out["updated"] == {"人员": 1} and out["unchanged"] == {"人员": 1}
    rc, staff = cli(capsys, "--data-dir", root, "ref", "list", "staff", "--json")
    assert [(s["code"], s["name"]) for s in staff] == [("S1", "王晓明")]
    rc, out = cli(capsys, "--data-dir", root, "ref", "import", str(smaller), "--replace", "单位", "--json")
    assert rc == 2 and "不能替换" in out["errors"][0]["message"]


def test_headers_unknown_columns_and_sheets_are_warnings(fresh_desk, tmp_path, capsys):
    book = write_xlsx(tmp_path / "w.xlsx", {"单位": [["D1", "综合执法中队", "镇街部门", None, "备注"]], "杂项": [[1]]},
                      headers={"单位": ["编码", "名称", "类型", "电话", "备注"], "杂项": ["x"]})
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(book), "--json")
    assert rc == 0 and out["created"] == {"单位": 1}
    assert {(w["sheet"], w["column"]) for w in out["warnings"]} == {("单位", "备注"), ("杂项", None)}
    book = write_xlsx(tmp_path / "h.xlsx", {"网格": [["G1", "x", "C1", 1]]}, headers={"网格": ["编码", "名称", "户数"]})
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(book), "--json")
    assert rc == 2 and out["errors"][0]["column"] == "所属村社" and out["errors"][0]["row"] == 1


def test_refused_without_a_traceback(fresh_desk, tmp_path, capsys):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(junk), "--json")
    assert rc == 2 and out["error"]["field"] == "file"
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(tmp_path / "none.xlsx"), "--json")
    assert rc == 2
    from app.reference.users import add_user
    add_user(fresh_desk, get_actor(fresh_desk, None), "clerk", "intake", "secret-123")
    book = write_xlsx(tmp_path / "town.xlsx", TOWN)
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "--as", "clerk", "ref", "import", str(book), "--json")
    assert rc == 2 and out["error"]["code"] == "forbidden" or out["error"]["field"] == "as"


def test_template_has_every_sheet_and_notes(tmp_path, capsys, fresh_desk):
    path = tmp_path / "t.xlsx"
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "template", "-o", str(path), "--json")
    from app.reference.xlsx import read_workbook

    sheets = read_workbook(path)
    assert list(sheets)[-1] == "说明"
    assert sheets["人员"][0] == ["编码", "姓名", "手机", "角色", "所属", "单位"]
    assert sheets["责任清单"][0] == ["编码", "事项分类", "村社", "网格", "主办单位", "协办单位", "办结时限(工作日)"]
    # the empty template imports as nothing
    rc, out = cli(capsys, "--data-dir", str(fresh_desk.root), "ref", "import", str(path), "--json")
    assert rc == 0 and sum(out["created"].values()) == 0


def test_export_service_is_the_same_as_the_cli(demo_desk, tmp_path):
    admin = get_actor(demo_desk, None)
    out = golive.export_workbook(demo_desk, admin, tmp_path / "x.xlsx")
    assert out["sheets"]["村社"] == 10


def test_a_new_towns_export_imports_back_unchanged(fresh_desk, tmp_path, capsys):
    root = str(fresh_desk.root)
    assert cli(capsys, "--data-dir", root, "ref", "import", str(write_xlsx(tmp_path / "t.xlsx", TOWN)), "--json")[0] == 0
    out = tmp_path / "back.xlsx"
    assert cli(capsys, "--data-dir", root, "ref", "export", "-o", str(out), "--json")[0] == 0
    rc, report = cli(capsys, "--data-dir", root, "ref", "import", str(out), "--json")
    assert rc == 0 and not any(report["created"].values()) and not any(report["updated"].values()), report
    assert report["unchanged"]["节假日"] == 2 and report["unchanged"]["微网格"] == 1
