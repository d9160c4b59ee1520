"""The bulletins' 一网格与四平台 section (issue 17): grid reports of the period (上报, 当场解决,
上报中心, 流转率, 办结率, 超期) in total and per 村社, and the four platforms. Figures come from
app.grids.overview.bulletin_section (in the bulletin's figures under ``grids``)."""
from __future__ import annotations

from reportlab.lib.units import mm

from app.domain import indicators as ind
from app.dossier.layout import P, frame_width, grid_table


def _table(head: list[str], body: list[list], widths: list[float]):
    scale = frame_width() / (sum(widths) * mm)
    rows = [[P(h, "label") for h in head]] + [[P(str(c), "cell") for c in r] for r in body]
    extra = None
    if not body:
        rows.append([P("无", "cell")] + [""] * (len(head) - 1))
        extra = [("SPAN", (0, 1), (-1, 1))]
    return grid_table(rows, [x * mm * scale for x in widths], extra=extra)


def grid_story(f: dict) -> list:
    g = f.get("grids")
    if not g:
        return []
    t = g["total"]
    out = [P("七、一网格与四平台", "h1"),
           P(f"本期网格上报事件 {t['reported']:,} 件，其中网格员当场解决 {t['solved_on_spot']:,} 件、上报中心 "
             f"{t['passed']:,} 件，流转率 {ind.pct(t['flow_rate'])}，办结率 {ind.pct(t['closed_rate'])}，"
             f"超期 {t['overdue']:,} 件。", "para"),
           _table(["村社", "上报", "当场解决", "上报中心", "流转率", "办结率", "超期"],
                  [[r["name"], f"{r['reported']:,}", f"{r['solved_on_spot']:,}", f"{r['passed']:,}",
                    ind.pct(r["flow_rate"]), ind.pct(r["closed_rate"]), f"{r['overdue']:,}"] for r in g["by_village"]],
                  [40, 20, 22, 22, 22, 22, 16]),
           P("四平台受理与办理", "h2"),
           _table(["平台", "受理", "办结", "办结率", "按期办结率", "满意率", "超期"],
                  [[r["name"], f"{r['received']:,}", f"{r['done']:,}", ind.pct(r["done_rate"]),
                    ind.pct(r["on_time_rate"]), ind.pct(r["satisfaction_rate"]), f"{r['overdue']:,}"]
                   for r in g["platforms"]], [30, 20, 20, 22, 26, 22, 16]),
           P("注：流转率 = 上报中心件数 ÷ 网格上报件数；办结率 = 办结件数 ÷ 需办理件数（口径见《指标定义》）。", "small")]
    return out
