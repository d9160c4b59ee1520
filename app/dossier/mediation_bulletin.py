"""The 矛盾调处 section of 日简报 / 周通报 / 月专报: the period's mediation figures and the 积案
化解率 ranking of the responsible units, the bottom three in red. Figures from
app.mediation.indicators.bulletin_section (``figures()["mediation"]``)."""
from __future__ import annotations

from reportlab.lib import colors

from app.domain import indicators as ind
from app.domain import mediation as md
from app.dossier.layout import P

REDBG = colors.HexColor("#f8d4d4")


def _text(m: dict) -> str:
    f, b = m["figures"], m["backlog"]
    means = "、".join(f"{md.MEANS[k]} {v}" for k, v in f["by_means"].items() if v) or "无"
    return (f"本期调解受理纠纷 {f['accepted']:,} 件，结案 {f['closed']:,} 件，其中化解成功 {f['succeeded']:,} 件，"
            f"调解成功率 {ind.pct(f['success_rate'])}，诉前化解率 {ind.pct(f['pre_litigation_rate'])}；"
            f"化解方式：{means}。在调纠纷 {m['open']:,} 件，超过调解期限 {m['overdue']:,} 件。"
            f"积案 {b['registered']:,} 件，已实质性化解 {b['resolved']:,} 件，积案化解率 {ind.pct(b['rate'])}。")


def mediation_story(m: dict, width: float, table) -> list:
    """``table(head, body, widths, width, extra)`` is the bulletin's own table helper."""
    rows, extra = [], []
    for i, r in enumerate(m["ranking"], start=1):
        rows.append([str(r["rank"]), r["name"] + ("（红）" if r["mark"] == "red" else ""), f"{r['registered']:,}",
                     f"{r['resolved']:,}", ind.pct(r["rate"])])
        if r["mark"] == "red":
            extra.append(("BACKGROUND", (0, i), (-1, i), REDBG))
    return [P("七、矛盾调处", "h1"), P(_text(m), "para"),
            P("积案化解率排名（按责任单位；后三名标红）", "h2"),
            table(["名次", "责任单位", "积案", "实质性化解", "化解率"], rows, [14, 70, 20, 26, 24], width, extra)]
