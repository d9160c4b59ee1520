"""The sections of a case dossier after its cover and contents: registration form, timeline,
dispatch records, supervision records, result and review, callback, attachments, 备考表."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

from app.domain import workflow as wf
from app.domain.vocab import URGENCY
from app.dossier import casetext as ct
from app.dossier.layout import P, PrintContext, fmt_time, form_table, grid_table
from app.dossier.marks import human_size, is_image, photo, signature_block

BlobPath = Callable[[str], Path | bytes | None]  # a photo's file, or its plain bytes


def heading(text: str) -> list:
    return [CondPageBreak(30 * mm), P(text, "h1")]


def _yes(v) -> str:
    return "是" if v else "否"


def registration(case: dict, ctx: PrintContext, width: float) -> list:
    """受理登记表: every intake field."""
    rep = ct.reporter_lines(case, ctx)
    loc = case.get("location") or {}
    intake = ct.last_action(case, "intake") or {}
    repeat = "、".join(case.get("repeat_of") or []) or "无"
    pairs = [
        ("案件编号", case["case_no"]), ("受理时间", fmt_time(case.get("received_at"))),
        ("受理渠道", case.get("channel_label")), ("诉求类型", case.get("type_label")),
        ("诉求人", rep["name"]), ("联系电话", rep["phone"]),
        ("身份证号码", rep["id_no"]), ("涉及人数", str(case.get("persons") or 1)),
        ("是否匿名", _yes(case.get("anonymous"))), ("紧急程度", URGENCY.get(case.get("urgency"), "一般")),
        ("重大事项", _yes(case.get("major"))), ("事项分类", case.get("category_name") or case.get("category")),
        ("所属村社", loc.get("village_name")), ("所属网格", loc.get("grid_name")),
        ("详细地址", (loc.get("address") or "—", "wide")),
        ("案件标题", (case.get("title"), "wide")),
        ("诉求内容", (case.get("description"), "wide")),
        ("重复件关联", (repeat, "wide")),
        ("受理人", ct.actor_line(intake) if intake else "—"), ("登记时间", fmt_time(intake.get("at"))),
    ]
    return [P("受理登记表", "title"), Spacer(1, 2 * mm), form_table(pairs, width)]


def timeline(case: dict, ctx: PrintContext, width: float) -> list:
    """办理过程记录: every action in order (the header row repeats on each page)."""
    head = [P(x, "cell_c") for x in ("序号", "时间", "操作人", "所在单位", "操作", "内容")]
    rows = [head]
    for i, a in enumerate(case.get("actions", ()), 1):
        rows.append([P(str(i), "cell_c"), P(fmt_time(a["at"]), "cell"), P(ct.actor_line(a), "cell"),
                     P(ct.actor_unit(a, ctx), "cell"), P(a["label"], "cell_c"),
                     P(ct.describe(a, ctx), "cell")])
    fixed = [10 * mm, 23 * mm, 31 * mm, 24 * mm, 17 * mm]
    return [P("办理过程记录", "title"), Spacer(1, 2 * mm),
            grid_table(rows, fixed + [width - sum(fixed)], zebra=True)]


def _records(rows: list[list[str]], head: list[str], widths: list[float], empty: str) -> list:
    if not rows:
        return [P(empty, "body")]
    return [grid_table([[P(h, "cell_c") for h in head]] + [[P(x, "cell") for x in r] for r in rows], widths)]


def dispatch_records(case: dict, ctx: PrintContext, width: float) -> list:
    """派单、协办、流转与退回."""
    rows = []
    for a in case.get("actions", ()):
        p = a.get("payload") or {}
        if a["kind"] == "dispatch":
            limit = f"签收 {fmt_time(p.get('sign_due_at'))}；办结 {fmt_time(p.get('due_at'))}" if p.get("due_at") else ""
            rows.append([fmt_time(a["at"]), "派单", ct.unit_name(ctx, p.get("unit")), limit or (p.get("note") or "")])
            for co in p.get("co_units") or []:
                rows.append([fmt_time(a["at"]), "协办", ct.unit_name(ctx, co), ""])
        elif a["kind"] == "cohandle":
            rows.append([fmt_time(a["at"]), "协办", ct.unit_name(ctx, p.get("unit")),
                         f"时限 {fmt_time(p.get('due_at'))}" if p.get("due_at") else (p.get("note") or "")])
        elif a["kind"] == "transfer":
            rows.append([fmt_time(a["at"]), "流转", ct.unit_name(ctx, p.get("unit")), p.get("reason", "")])
        elif a["kind"] == "return":
            rows.append([fmt_time(a["at"]), "退回", ct.unit_name(ctx, a.get("actor_unit")), p.get("reason", "")])
        elif a["kind"] == "sign":
            rows.append([fmt_time(a["at"]), "签收", ct.unit_name(ctx, a.get("actor_unit")), ct.actor_line(a)])
    widths = [28 * mm, 16 * mm, 40 * mm]
    return heading("一、派单与流转") + _records(rows, ["时间", "环节", "单位", "时限或理由"],
                                            widths + [width - sum(widths)], "本案无派单记录。")


def supervision_records(case: dict, ctx: PrintContext, width: float) -> list:
    """督办与领导批示."""
    rows = []
    for a in case.get("actions", ()):
        p = a.get("payload") or {}
        if a["kind"] == "urge":
            rows.append([fmt_time(a["at"]), ct.actor_line(a), wf.URGE_LEVELS.get(p.get("level"), ""),
                         p.get("instruction") or "", fmt_time(p.get("reply_by")) or "—"])
        elif a["kind"] == "instruct":
            rows.append([fmt_time(a["at"]), ct.actor_line(a), "领导批示", p.get("instruction") or "", "—"])
    widths = [28 * mm, 30 * mm, 18 * mm, 28 * mm]
    return heading("二、督办记录") + _records(
        rows, ["时间", "督办人", "等级", "督办内容", "回复时限"],
        widths[:3] + [width - sum(widths)] + widths[3:], "本案无督办记录。")


def result_review(case: dict, ctx: PrintContext, width: float) -> list:
    """办理结果与办结审核."""
    out = heading("三、办理结果与审核")
    req = ct.last_action(case, "request_close", "answer")
    if req is None and not case.get("result"):
        return out + [P("本案尚未办结。", "body")]
    pairs = [
        ("办结类型", wf.CLOSE_TYPES.get(case.get("close_type"), "即办答复" if req and req["kind"] == "answer" else "—")),
        ("办结时间", fmt_time(case.get("closed_at")) or "—"),
        ("办理结果", (case.get("result") or "—", "wide")),
        ("申请人", ct.actor_line(req) if req else "—"), ("申请时间", fmt_time(req["at"]) if req else "—"),
    ]
    for a in case.get("actions", ()):
        if a["kind"] in ("approve_close", "reject_close"):
            pairs.append((a["label"], (f"{fmt_time(a['at'])}  {ct.actor_line(a)}  {ct.describe(a, ctx)}", "wide")))
    return out + [form_table(pairs, width)]


def callback_records(case: dict, ctx: PrintContext, width: float) -> list:
    """回访与满意度."""
    out = heading("四、回访评价")
    rows = []
    for a in case.get("actions", ()):
        if a["kind"] == "callback":
            p = a.get("payload") or {}
            rows.append([fmt_time(a["at"]), ct.actor_line(a), wf.SATISFACTION.get(p.get("satisfaction"), ""),
                         p.get("note") or ("承办单位有责，退回重办" if p.get("unit_at_fault") else "")])
    widths = [28 * mm, 30 * mm, 20 * mm]
    return out + _records(rows, ["回访时间", "回访人", "满意度", "回访情况"],
                          widths + [width - sum(widths)], "本案尚未回访。")


def attachments(case: dict, ctx: PrintContext, width: float, blob: BlobPath | None,
                max_photo_h: float = 105 * mm) -> list:
    """附件材料: a list with sha256, then each photo embedded and scaled."""
    atts = case.get("attachments") or []
    out = [P("附件材料", "title"), Spacer(1, 2 * mm)]
    if not atts:
        return out + [P("本案无附件。", "body")]
    head = [P(x, "cell_c") for x in ("序号", "文件名", "类型", "大小", "SHA-256 校验值")]
    rows = [head] + [[P(str(i), "cell_c"), P(a.get("filename"), "cell"), P(a.get("mime") or "", "cell"),
                      P(human_size(a.get("size")), "cell"), P(a["sha256"], "small")]
                     for i, a in enumerate(atts, 1)]
    fixed = [10 * mm, 44 * mm, 24 * mm, 18 * mm]
    out.append(grid_table(rows, fixed + [width - sum(fixed)]))
    for i, a in enumerate(atts, 1):
        if not is_image(a) or blob is None:
            continue
        path = blob(a["sha256"])  # a path, or the plain bytes (an encrypted store's sealed file)
        usable = isinstance(path, bytes | bytearray) or (path is not None and path.is_file())
        img = photo(path, width, max_photo_h) if usable else None
        caption = f"附件{i}：{a.get('filename')}"
        if img is None:
            out += [Spacer(1, 3 * mm), P(caption + "（图片文件缺失或无法读取）", "small_c")]
            continue
        out.append(KeepTogether([Spacer(1, 4 * mm), img, Spacer(1, 1 * mm), P(caption, "small_c")]))
    return out


def filing_note(case: dict, ctx: PrintContext, width: float) -> list:
    """备考表 with the signature blocks."""
    n = len(case.get("actions", ()))
    photos = sum(1 for a in case.get("attachments") or [] if is_image(a))
    text = (f"本卷共收录办理过程记录 {n} 条、附件 {len(case.get('attachments') or [])} 件（其中图片 {photos} 件）。"
            f"案件当前状态：{case.get('state_label')}。保管期限：{ct.retention(case)}。")
    pairs = [("情况说明", (text, "wide")), ("立卷人", ctx.operator), ("立卷时间", ctx.printed_text)]
    return [P("备考表", "title"), Spacer(1, 2 * mm), form_table(pairs, width), Spacer(1, 10 * mm),
            signature_block(["承办人（签字）", "审核人（签字）", "立卷人（签字）", "检查人（签字）"], width)]
