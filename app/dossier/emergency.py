"""应急响应总结 (the summary of an emergency, printed when the mode stops): the switch's timeline,
the tasks with their receipt rates and per-target answers, the people moved and returned, and the
cases taken in and closed during the emergency. Same page template as the case dossier."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from app.domain import emergency as E
from app.dossier.layout import RED, P, PrintContext, build_pdf, fmt_time, form_table, frame_width, grid_table

STATE_LABELS = {**E.RECEIPT_STATUS, "none": "未回执", "overdue": "超时未完成"}


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def emergency_story(data: dict, ctx: PrintContext, width: float) -> list:
    em = data["emergency"]
    story = [Spacer(1, 4 * mm), P(ctx.org_name, "head"), P(f"{em['name']}总结", "title"),
             P(f"编号 {em['code']}", "subtitle"), Spacer(1, 3 * mm)]
    story.append(form_table([
        ("应急类型", em["type_label"]), ("响应级别", em["level_label"]),
        ("范围", (em["area_label"], "wide")),
        ("启动时间", fmt_time(em["started_at"])), ("启动人", em["started_by"]),
        ("结束时间", fmt_time(em["stopped_at"]) or "进行中"), ("结束人", em["stopped_by"] or "—"),
        ("启动原因", (em["reason"], "wide")), ("结束原因", (em["stop_reason"] or "—", "wide")),
    ], width))

    story += [P("一、时间线", "h1")]
    rows = [[P("时间", "label"), P("事项", "label")]]
    rows += [[P(fmt_time(at), "cell"), P(text, "cell")] for at, text in data["timeline"]]
    story.append(grid_table(rows, [32 * mm, width - 32 * mm]))

    story += [P("二、任务与回执", "h1")]
    tasks = data["tasks"]
    if not tasks:
        story.append(P("本次应急响应未下发任务。"))
    head = ["任务", "时限", "对象", "已收到", "处置中", "已完成", "未回执", "超时", "完成率"]
    rows = [[P(h, "label") for h in head]]
    for t in tasks:
        r, n = t["receipts"], len(t["targets"])
        rows.append([P(t["title"], "cell"), P(fmt_time(t["due_at"]), "cell_c"), P(n, "cell_c"),
                     P(r["acknowledged"], "cell_c"), P(r["in_progress"], "cell_c"), P(r["done"], "cell_c"),
                     P(r["none"], "cell_c"), P(r["overdue"], "cell_c"), P(_rate(r["done"], n), "cell_c")])
    if tasks:
        story.append(grid_table(rows, [width - 146 * mm, 28 * mm] + [15 * mm] * 6 + [28 * mm]))
    for t in tasks:
        story += [P(f"「{t['title']}」各对象回执", "h2")]
        if t["instructions"]:
            story.append(P(f"任务要求：{t['instructions']}", "body"))
        rows = [[P(h, "label") for h in ("对象", "状态", "数量", "说明", "回执时间")]]
        extra = []
        for i, line in enumerate(t["targets"], start=1):
            # plain strings where nothing wraps: a Paragraph per cell is most of a long summary's time
            rows.append([P(f"{line['name']}（{line['code']}）", "cell"), STATE_LABELS[line["state"]],
                         "" if line["count"] is None else str(line["count"]),
                         P(line["note"], "cell") if line["note"] else "", fmt_time(line["at"])])
            if line["state"] == "overdue":
                extra.append(("TEXTCOLOR", (1, i), (1, i), RED))
        extra += [("ALIGN", (1, 1), (2, -1), "CENTER"), ("ALIGN", (4, 1), (4, -1), "CENTER")]
        story.append(grid_table(rows, [50 * mm, 24 * mm, 16 * mm, width - 122 * mm, 32 * mm], extra=extra))

    story += [P("三、人员转移", "h1")]
    people = data["people"]
    story.append(P(f"预案名单中需转移人员 {people['total']} 人：待转移 {people['pending']} 人，"
                   f"已转移 {people['moved']} 人，已返回 {people['returned']} 人。"
                   f"各村社回执报告转移 {data['moved_reported']} 人次。", "para"))

    story += [P("四、期间案件", "h1")]
    cases = data["cases"]
    story.append(P(f"应急响应期间（范围内）受理案件 {cases['taken']} 件，其中加急 {cases['urgent']} 件；"
                   f"期间办结 {cases['closed']} 件。", "para"))
    return story


def render_emergency(data: dict, ctx: PrintContext, out: str | Path | None) -> bytes | None:
    width = frame_width()
    return build_pdf(emergency_story(data, ctx, width), out, ctx, title=f"{data['emergency']['name']}总结",
                     note=data["emergency"]["code"], subject="应急响应总结")
