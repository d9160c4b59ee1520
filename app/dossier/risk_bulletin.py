"""The 风险 section of the monthly bulletin (月专报), from app.risk.bulletin.figures (kept under
the bulletin figures' "risk" key)."""
from __future__ import annotations

from reportlab.lib.units import mm

from app.dossier.layout import P, grid_table


def section(f: dict, width: float) -> list:
    r = f.get("risk")
    if not r:
        return []
    lv = r["new_by_level"]
    ol = r["open_by_level"]
    src = "、".join(f"{k} {v} 件" for k, v in r["new_by_source"].items()) or "无"
    ins = r["inspections"]
    a = r["assessments"]
    out = [P("风险研判", "h1"),
           P(f"本期新登记风险 {r['new']} 件（高 {lv['high']}、中 {lv['medium']}、低 {lv['low']}），其中报区级 {r['reported']} 件；"
             f"来源：{src}。销号 {r['closed']} 件；当前在办 {r['open']} 件（高 {ol['high']}、中 {ol['medium']}、"
             f"低 {ol['low']}），超期 {len(r['overdue'])} 件。案件趋势研判建议采纳 {r['proposals']['accepted']} 条、"
             f"忽略 {r['proposals']['dismissed']} 条。", "para"),
           P(f"重大决策社会稳定风险评估出具结论 {a['concluded']} 件（"
             + "、".join(f"{k} {v}" for k, v in a["by_conclusion"].items()) + "）。", "para"),
           P(f"综合查一次 {ins['inspections']} 次，发现问题 {ins['problems']} 个，整改 {ins['fixed']} 个，"
             f"移交线索 {ins['clues']} 条，立案 {ins['cases_filed']} 件，减少扰民 {ins['visits_spared']} 次。", "para")]
    if r["overdue"]:
        rows = [[P(h, "label") for h in ("风险编号", "风险", "等级", "责任单位", "环节")]]
        rows += [[P(o["risk_no"], "cell"), P(o["title"], "cell"), P(o["level_label"], "cell_c"),
                  P(o["unit_name"], "cell"), P(o["state_label"], "cell_c")] for o in r["overdue"]]
        w = [40, 62, 12, 32, 18]
        scale = width / (sum(w) * mm)
        out += [P("超期未反馈的风险", "h2"), grid_table(rows, [x * mm * scale for x in w])]
    return out
