"""稳评报告: the social stability risk assessment report of one major decision, on the same page
template as the case dossier (app.dossier.layout): the matter and plan, the opinion gathering,
the scores by dimension and indicator, the level and the conclusion, and re-assessments."""
from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from app.domain import assessment as A
from app.dossier.layout import P, PrintContext, build_pdf, fmt_time, form_table, frame_width, grid_table


def _table(head: list[str], body: list[list[str]], widths: list[float], width: float):
    scale = width / (sum(widths) * mm)
    rows = [[P(h, "label") for h in head]] + [[P(c, "cell") for c in r] for r in body]
    if not body:
        rows.append([P("无", "cell")] + [""] * (len(head) - 1))
    return grid_table(rows, [w * mm * scale for w in widths])


def story(a: dict, ctx: PrintContext, width: float) -> list:
    plan = a.get("plan") or {}
    out = [P(ctx.org_name, "head"), P("重大决策社会稳定风险评估报告", "title"),
           P(f"评估编号：{a['assessment_no']}", "subtitle"), Spacer(1, 3 * mm), P("一、评估事项", "h1"),
           form_table([("评估事项", a["matter"]), ("责任主体", a["body"]), ("涉及范围", plan.get("area") or "—"),
                       ("涉及户数", str(plan.get("households", "—"))), ("责任领导", plan.get("leaders") or "—"),
                       ("立项时间", fmt_time(a["created_at"])), ("不稳定因素", plan.get("factors") or "—"),
                       ("复评", f"本评估为「{a['follow_up_of']}」的决策后复评" if a.get("follow_up_of") else "否")],
                      width)]
    ops = a.get("opinions") or []
    total = sum(o["participants"] for o in ops)
    support = sum(o["support"] for o in ops)
    oppose = sum(o["oppose"] for o in ops)
    out += [P("二、意见征集", "h1"),
            P(f"共开展意见征集 {len(ops)} 次，参与 {total} 人次，其中支持 {support} 人次、反对 {oppose} 人次。", "para"),
            _table(["方式", "日期", "参与", "支持", "反对", "意见摘要"],
                   [[o["method_label"], o["date"], str(o["participants"]), str(o["support"]), str(o["oppose"]),
                     o["summary"]] for o in ops], [18, 22, 12, 12, 12, 84], width)]
    out.append(P("三、风险分析与评分", "h1"))
    scores = a.get("scores") or {}
    rows = []
    for d in (a.get("template") or {}).get("dimensions", []):
        got = (scores.get("indicators") or {}).get(d["key"], {})
        dim_score = (scores.get("dimensions") or {}).get(d["key"])
        rows.append([f"{d['label']}（权重 {d['weight']:g}）", "维度得分", "", f"{dim_score:.1f}" if dim_score is not None else "—"])
        for ind in d["indicators"]:
            val = got.get(ind["key"])
            rows.append(["", ind["label"], f"{ind['weight']:g}", f"{val:g}" if val is not None else "—"])
    out.append(_table(["维度", "指标", "权重", "得分"], rows, [36, 90, 16, 18], width))
    levels = (a.get("template") or {}).get("levels") or {}
    if a.get("total") is not None:
        out.append(P(f"综合得分 {a['total']:.1f} 分（{levels.get('low', 80):g} 分及以上为低风险，"
                     f"{levels.get('medium', 60):g} 分以下为高风险）。", "para"))
        if scores.get("note"):
            out.append(P(f"评分说明：{scores['note']}", "para"))
    out.append(P("四、风险等级与评估结论", "h1"))
    if a.get("level"):
        out.append(P(f"风险等级：{a['level_label']}（{A.LEVEL_MEANING[a['level']]}）。", "para"))
    else:
        out.append(P("尚未评分。", "para"))
    if a.get("conclusion"):
        out += [P(f"评估结论：{a['conclusion_label']}。", "para"), P(a.get("conclusion_note") or "", "para"),
                P(f"结论时间：{fmt_time(a.get('concluded_at'))}", "right")]
    else:
        out.append(P("尚未出具评估结论。", "para"))
    if a.get("follow_ups"):
        out.append(P("决策后复评：" + "、".join(a["follow_ups"]), "para"))
    return out


def render_assessment(a: dict, ctx: PrintContext, out: str | Path | io.BytesIO | None = None) -> bytes | None:
    return build_pdf(story(a, ctx, frame_width()), out, ctx, title="稳评报告", note=f"评估编号 {a['assessment_no']}",
                     subject=f"社会稳定风险评估报告 {a['assessment_no']}")
