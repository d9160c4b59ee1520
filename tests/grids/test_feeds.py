"""Channel feeds: a JSON array, JSON lines and an .xlsx are imported keyed by the channel's own
id; importing the same file twice creates nothing new; bad rows are listed with their row number
and a Chinese reason while the good rows are taken; a hostile file is refused as a whole."""
from __future__ import annotations

import json

import openpyxl
import pytest
from sqlalchemy import func, select

from app.errors import ValidationError
from app.grids import feeds
from app.store.models import Case
from tests.grids.conftest import counts

GOOD = [
    {"external_id": "YPA-1", "category": "PA0101", "description": "小区门口占道经营，影响通行",
     "reporter": {"name": "王明", "phone": "13912345678"}, "received_at": "2026-11-26T09:30:00+08:00"},
    {"external_id": "YPA-2", "category": "PA0101", "description": "夜间施工噪音扰民", "anonymous": True},
]


def _cases(desk) -> int:
    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_json_array_twice_creates_nothing_new(desk, actors, tmp_path):
    f = tmp_path / "feed.json"
    f.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    first = feeds.import_feed(desk, actors["intake"], f, "mini_program")
    assert [c["row"] for c in first["created"]] == [1, 2] and first["errors"] == [] and first["skipped_existing"] == []
    with desk.db.read() as s:
        row = s.scalar(select(Case).where(Case.external_id == "YPA-1"))
        assert row.channel == "mini_program" and row.received_at.isoformat().startswith("2026-11-26T01:30")
        assert row.case_no.startswith("FS-20261126-")  # numbered by its received day
    before = counts(desk.root)
    second = feeds.import_feed(desk, actors["intake"], f, "mini_program")
    assert second["created"] == [] and second["errors"] == []
    assert [(s["row"], s["external_id"]) for s in second["skipped_existing"]] == [(1, "YPA-1"), (2, "YPA-2")]
    assert {s["case_no"] for s in second["skipped_existing"]} == {c["case_no"] for c in first["created"]}
    assert counts(desk.root)["cases"] == before["cases"]
    # the same external id from another channel is another case
    other = feeds.import_feed(desk, actors["intake"], f, "hotline_12345")
    assert len(other["created"]) == 2


def test_bad_rows_are_listed_and_good_rows_taken(desk, actors, tmp_path):
    lines = [
        json.dumps(GOOD[0], ensure_ascii=False),                                      # 1 good
        json.dumps({"external_id": "B-2", "category": "NOPE", "description": "路灯不亮"}, ensure_ascii=False),
        "{not json",                                                                   # 3
        "",                                                                            # (blank: skipped)
        json.dumps({"category": "PA0101", "description": "没有编号的一条"}, ensure_ascii=False),  # 5
        json.dumps({"external_id": "YPA-1", "category": "PA0101", "description": "文件内重复"}, ensure_ascii=False),
        json.dumps({"external_id": "B-7", "category": "PA0101", "description": "未来时间",
                    "received_at": "2099-01-01T00:00:00+08:00", "anonymous": True}, ensure_ascii=False),
        json.dumps({"external_id": ["x"], "category": "PA0101", "description": "编号类型错"}, ensure_ascii=False),
        json.dumps({"external_id": "B-9", "category": "PA0101", "description": "无时区",
                    "received_at": "2026-11-20 10:00:00", "anonymous": True}, ensure_ascii=False),
        "[1, 2]",                                                                      # 10 not an object
        json.dumps({"external_id": "B-11", "category": "PA0101", "description": "人次类型错误的一条", "persons": "三",
                    "anonymous": True}, ensure_ascii=False),
        json.dumps({"external_id": "B-12", "category": "PA0101", "description": "渠道不符", "channel": "visit",
                    "anonymous": True}, ensure_ascii=False),
        json.dumps(GOOD[1], ensure_ascii=False),                                       # 13 good
    ]
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(lines), encoding="utf-8")
    out = feeds.import_feed(desk, actors["intake"], f, "mini_program")
    assert [c["row"] for c in out["created"]] == [1, 13]
    errors = {e["row"]: e["message"] for e in out["errors"]}
    assert sorted(errors) == [2, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "事项分类" in errors[2] and "JSON" in errors[3] and "external_id" in errors[5]
    assert "第 1 条重复" in errors[6] and "晚于现在" in errors[7] and "字符串" in errors[8]
    assert "时区" in errors[9] and "JSON 对象" in errors[10] and "人次" in errors[11] and "不符" in errors[12]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors.values())  # Chinese reasons
    assert _cases(desk) == 2


def test_xlsx_with_the_same_keys_as_headers(desk, actors, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["external_id", "category", "description", "reporter.name", "reporter.phone", "location.village"])
    ws.append([12345001, "PA0101", "楼道堆放杂物", "李华", 13912345679, "V01"])
    ws.append([None, "PA0101", "没有编号", None, None, None])
    ws.append(["W-3", "PA0101", "另一条群众诉求", "赵敏", "13912345670", "V99"])
    f = tmp_path / "feed.xlsx"
    wb.save(f)
    out = feeds.import_feed(desk, actors["intake"], f, "online_petition")
    assert [(c["row"], c["external_id"]) for c in out["created"]] == [(2, "12345001")]
    assert {e["row"] for e in out["errors"]} == {3, 4}
    assert "村社" in {e["row"]: e["message"] for e in out["errors"]}[4]
    again = feeds.import_feed(desk, actors["intake"], f, "online_petition")
    assert again["created"] == [] and [s["row"] for s in again["skipped_existing"]] == [2]


@pytest.mark.parametrize("content,words", [
    ("[{\"external_id\": \"A\", ", "JSON 格式错误"),
    ("", "文件为空"),
    ("[" * 100_000 + "]" * 100_000, "JSON"),
])
def test_a_broken_file_is_refused_as_a_whole(desk, actors, tmp_path, content, words):
    f = tmp_path / "bad.json"
    f.write_text(content, encoding="utf-8")
    before = counts(desk.root)
    with pytest.raises(ValidationError) as e:
        feeds.import_feed(desk, actors["intake"], f, "police_feed")
    assert words in e.value.message and e.value.field == "file"
    assert counts(desk.root) == before


def test_size_limit_binary_file_and_unknown_channel(desk, actors, tmp_path, monkeypatch):
    f = tmp_path / "big.json"
    f.write_text(json.dumps(GOOD), encoding="utf-8")
    monkeypatch.setattr("app.domain.grids.FEED_MAX_BYTES", 10)
    with pytest.raises(ValidationError, match="文件过大"):
        feeds.import_feed(desk, actors["intake"], f, "police_feed")
    monkeypatch.undo()
    b = tmp_path / "x.json"
    b.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValidationError, match="UTF-8"):
        feeds.import_feed(desk, actors["intake"], b, "police_feed")
    with pytest.raises(ValidationError) as e:
        feeds.import_feed(desk, actors["intake"], f, "visit")
    assert e.value.field == "channel"


def test_cli_feed_import_report(desk, run, tmp_path):
    f = tmp_path / "feed.json"
    f.write_text(json.dumps(GOOD + [{"external_id": "Z", "description": "缺分类"}], ensure_ascii=False), "utf-8")
    rc, out = run("feed", "import", str(f), "--channel", "hotline_12345", "--json")
    assert rc == 0
    assert set(out) >= {"created", "skipped_existing", "errors"}
    assert len(out["created"]) == 2 and out["errors"] == [{"row": 3, "message": out["errors"][0]["message"]}]
    rc, out = run("feed", "import", str(f), "--channel", "hotline_12345", "--json")
    assert rc == 0 and out["created"] == [] and len(out["skipped_existing"]) == 2
    rc, out = run("--json", "feed", "import", str(tmp_path / "missing.json"), "--channel", "hotline_12345")
    assert rc == 2 and out["error"]["field"] == "file"
