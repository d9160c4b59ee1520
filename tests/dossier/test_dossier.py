"""The case dossier: content, masking, pagination, every state, photos, QR code."""
from __future__ import annotations

import subprocess

import pytest

from app.cases import handling, intake, queries
from app.cases.attachments import attach
from app.domain import workflow as wf
from app.printing import jobs as printing
from tests.conftest import load_actors, sample_case
from tests.dossier.conftest import flat, make_png, needs_poppler, pdf_pages, pdftext

pytestmark = needs_poppler


def test_dossier_has_case_number_timeline_in_order_and_footer(desk, people, dispatched_case, tmp_path):
    no = dispatched_case
    handling.act(desk, people["unit"], no, "progress", {"note": "已联系双方到场协商"})
    handling.act(desk, people["director"], no, "urge", {"level": "yellow", "instruction": "请加快调解进度"})
    handling.act(desk, people["unit"], no, "request_close",
                 {"result": "双方达成调解协议，漏水点已修复", "close_type": "substantive"})
    out = tmp_path / "d.pdf"
    res = printing.print_case(desk, people["director"], no, "dossier", out)
    assert res["path"] == str(out) and out.stat().st_size == res["bytes"]
    text = flat(pdftext(out))
    pages = pdf_pages(out)
    assert pages >= 6
    assert no in text
    assert "诉求案件办理案卷" in text and "卷内目录" in text and "受理登记表" in text and "备考表" in text
    for n in range(1, pages + 1):
        assert f"第{n}页共{pages}页" in text
    assert "打印：金立诚" in text or "打印：" + people["director"].name in text
    case = queries.show_case(desk, people["director"], no)
    timeline = flat(pdftext(out, layout=True, first=4, last=pages))
    labels = [a["label"] for a in case["actions"]]
    assert labels == ["受理登记", "派单", "签收", "办理进展", "督办", "申请办结"]
    pos = 0
    for content in ("受理「楼上漏水邻里纠纷」", "派至", "已联系双方到场协商", "黄牌督办：请加快调解进度",
                    "实质性办结"):
        found = timeline.find(content, pos)
        assert found >= 0, content
        pos = found
    assert "保管期限：30年" in text  # supervised cases are kept 30 years


def test_reporter_masked_for_unit_and_shown_to_director(desk, people, dispatched_case, tmp_path):
    a, b = tmp_path / "unit.pdf", tmp_path / "director.pdf"
    printing.print_case(desk, people["unit"], dispatched_case, "dossier", a)
    printing.print_case(desk, people["director"], dispatched_case, "dossier", b)
    unit_text, director_text = flat(pdftext(a)), flat(pdftext(b))
    assert "138****1111" in unit_text and "13800001111" not in unit_text
    assert "110105********002X" in unit_text and "11010519491231002X" not in unit_text
    assert "13800001111" in director_text and "11010519491231002X" in director_text


def test_anonymous_reporter_is_not_named_for_units(desk, people, tmp_path):
    c = intake.take_in(desk, people["intake"], sample_case(anonymous=True))
    out = tmp_path / "a.pdf"
    printing.print_case(desk, people["unit"], c["case_no"], "dossier", out)
    text = flat(pdftext(out, first=3, last=3))
    assert "匿名" in text and "张三" not in text.split("诉求内容")[0]


def test_contents_page_numbers_point_at_sections(desk, people, dispatched_case, tmp_path):
    out = tmp_path / "d.pdf"
    printing.print_case(desk, people["director"], dispatched_case, "dossier", out)
    toc = pdftext(out, layout=True, first=2, last=2)
    lines = {ln.split()[1]: ln.split()[2] for ln in toc.splitlines() if len(ln.split()) >= 3 and ln.split()[0].isdigit()}
    assert lines["受理登记表"] == "3"
    assert lines["办理过程记录"].startswith("4")
    assert lines["备考表"] == str(pdf_pages(out))
    assert "受理登记表" in pdftext(out, first=3, last=3)


def test_dossier_with_200_actions_paginates_and_repeats_the_table_header(desk, people, dispatched_case, tmp_path):
    no = dispatched_case
    for i in range(1, 198):
        handling.act(desk, people["unit"], no, "progress", {"note": f"第{i}次进展记录"})
    case = queries.show_case(desk, people["director"], no)
    assert len(case["actions"]) == 200
    out = tmp_path / "long.pdf"
    printing.print_case(desk, people["director"], no, "dossier", out)
    pages = pdf_pages(out)
    timeline_pages = [p for p in range(4, pages + 1) if "办理进展" in pdftext(out, first=p, last=p)]
    assert len(timeline_pages) >= 5
    for p in timeline_pages:  # the header row is repeated on every page of the timeline
        assert "序号时间操作人所在单位操作内容" in flat(pdftext(out, layout=True, first=p, last=p))
    text = flat(pdftext(out, layout=True))
    positions = [text.find(f"第{i}次进展记录") for i in range(1, 198)]
    assert all(p >= 0 for p in positions)
    assert positions == sorted(positions)
    assert f"第{pages}页共{pages}页" in text


def _states_to_fill(desk, actors):
    """Cases in the states the demo may lack: suspended, escalated, merged (and the rest by hand)."""
    made = {}
    c = intake.take_in(desk, actors["intake"], sample_case(title="挂账测试", auto_dispatch=False))
    handling.act(desk, actors["dispatcher"], c["case_no"], "dispatch", {"unit": "D01"})
    handling.act(desk, actors["unit"], c["case_no"], "sign", {})
    handling.act(desk, actors["director"], c["case_no"], "suspend", {"reason": "等待政策明确"})
    made[wf.SUSPENDED] = c["case_no"]
    c = intake.take_in(desk, actors["intake"], sample_case(title="上报测试", auto_dispatch=False))
    handling.act(desk, actors["dispatcher"], c["case_no"], "escalate", {"reason": "涉及跨镇街"})
    made[wf.ESCALATED] = c["case_no"]
    a = intake.take_in(desk, actors["intake"], sample_case(title="合并测试", auto_dispatch=False))
    b = intake.take_in(desk, actors["intake"], sample_case(title="合并目标", auto_dispatch=False))
    handling.act(desk, actors["intake"], a["case_no"], "merge", {"into": b["case_no"]})
    made[wf.MERGED] = a["case_no"]
    return made


def test_a_dossier_renders_for_every_workflow_state(demo_desk, tmp_path):
    actors = load_actors(demo_desk)
    director = actors["director"]
    by_state = {}
    for state in wf.STATES:
        items = queries.list_cases(demo_desk, director, {"state": state}, limit=1)["items"]
        if items:
            by_state[state] = items[0]["case_no"]
    by_state.update({s: no for s, no in _states_to_fill(demo_desk, actors).items() if s not in by_state})
    assert set(by_state) == set(wf.STATES)
    for state, no in by_state.items():
        out = tmp_path / f"{state}.pdf"
        printing.print_case(demo_desk, director, no, "dossier", out)
        text = flat(pdftext(out))
        assert no in text and wf.STATE_LABELS[state] in text, state


def test_photo_attachment_is_embedded_and_other_files_listed(desk, people, dispatched_case, tmp_path):
    png = make_png(tmp_path / "现场照片.png", size=(2400, 1800))
    doc = tmp_path / "调解协议.txt"
    doc.write_text("协议内容", encoding="utf-8")
    attach(desk, people["unit"], dispatched_case, png)
    attach(desk, people["unit"], dispatched_case, doc)
    out = tmp_path / "photo.pdf"
    printing.print_case(desk, people["director"], dispatched_case, "dossier", out)
    listing = subprocess.run(["pdfimages", "-list", str(out)], check=True, capture_output=True, text=True).stdout
    images = [ln for ln in listing.splitlines()[2:] if ln.strip()]
    assert any(" image " in f" {ln} " for ln in images)
    sizes = {(int(ln.split()[3]), int(ln.split()[4])) for ln in images if ln.split()[2] == "image"}
    assert (1200, 900) in sizes  # scaled down before embedding
    case = queries.show_case(desk, people["director"], dispatched_case)
    text = flat(pdftext(out))
    for att in case["attachments"]:
        assert att["sha256"] in text and att["filename"] in text
    assert "附件1：现场照片.png" in text


def test_missing_photo_blob_is_reported_not_fatal(desk, people, dispatched_case, tmp_path):
    from app.cases.attachments import blob_path

    png = make_png(tmp_path / "p.png")
    attach(desk, people["unit"], dispatched_case, png)
    case = queries.show_case(desk, people["director"], dispatched_case)
    blob_path(desk, case["attachments"][0]["sha256"]).unlink()
    out = tmp_path / "m.pdf"
    printing.print_case(desk, people["director"], dispatched_case, "dossier", out)
    assert "图片文件缺失或无法读取" in flat(pdftext(out))


def test_qr_code_decodes_to_the_case_number(desk, people, dispatched_case, tmp_path):
    out = tmp_path / "qr.pdf"
    printing.print_case(desk, people["director"], dispatched_case, "dossier", out)
    try:
        from PIL import Image
        from pyzbar.pyzbar import decode
    except (ImportError, OSError):  # pyzbar or libzbar0 missing: check the drawing instead
        from app.dossier.dossier import dossier_story

        case = queries.show_case(desk, people["director"], dispatched_case)
        ctx = printing.print_context(desk, people["director"])
        story = dossier_story(case, ctx)
        found = []

        def walk(f):
            if getattr(f, "_towndesk_qr", None):
                found.append(f._towndesk_qr)
            for row in getattr(f, "_cellvalues", ()):
                for cell in row:
                    walk(cell)
        for f in story:
            walk(f)
        assert dispatched_case in found
        return
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(out), str(tmp_path / "cover")],
                   check=True)
    image = Image.open(next(tmp_path.glob("cover*.png")))
    assert dispatched_case in [d.data.decode() for d in decode(image)]


def test_watermark_and_audit_entry(desk, people, dispatched_case, tmp_path):
    from sqlalchemy import select

    from app.store.models import AuditEntry

    out = tmp_path / "w.pdf"
    printing.print_case(desk, people["director"], dispatched_case, "dossier", out, watermark=True)
    assert "内部资料" in flat(pdftext(out))
    with desk.db.read() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "print.case")))
    assert [(r.actor, r.target, r.detail["kind"], r.detail["watermark"]) for r in rows] == \
        [("director", dispatched_case, "dossier", True)]


def test_bytes_when_no_path_and_errors_in_chinese(desk, people, dispatched_case):
    from app.errors import AppError

    res = printing.print_case(desk, people["director"], dispatched_case, "dossier")
    assert res["pdf"].startswith(b"%PDF") and res["path"] is None
    with pytest.raises(AppError, match="文书类型"):
        printing.print_case(desk, people["director"], dispatched_case, "bogus")
    with pytest.raises(AppError, match="不存在"):
        printing.print_case(desk, people["director"], "FS-20260101-01-9999", "dossier")
    with pytest.raises(AppError, match="回执尺寸"):
        printing.print_case(desk, people["director"], dispatched_case, "receipt", size="a4")
