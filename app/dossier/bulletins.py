"""日简报 / 周通报 / 月专报 as PDF (ReportLab): headline figures with the change against the
previous period, charts (reportlab.graphics), the unit ranking with red/green marks, the overdue
list, 督办 status and notable cases. Figures come from app.supervision.bulletins.figures()."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from app.domain import indicators as ind
from app.dossier.fonts import register_fonts
from app.dossier.grid_section import grid_story
from app.dossier.layout import P, PrintContext, build_pdf, centre_name, fmt_time, frame_width, grid_table
from app.dossier.mediation_bulletin import mediation_story
from app.dossier.risk_bulletin import section as risk_section
from app.supervision import bulletins as bl

GREEN = colors.HexColor("#d8f0d8")
REDBG = colors.HexColor("#f8d4d4")
YELLOWBG = colors.HexColor("#fff2c0")
SERIES = [colors.HexColor(c) for c in ("#2f6fb0", "#d9822b", "#3a9a5b", "#b03a3a", "#7d5ba6", "#8c8c8c",
                                       "#c7a43a", "#3aa6b0")]
RATES = set(ind.RATE_NAMES)


def fmt(key: str, v) -> str:
    if key in RATES:
        return ind.pct(v)
    if key == "avg_handle_days":
        return ind.days(v)
    return ind.NA if v is None else f"{v:,}"


def fmt_change(key: str, v) -> str:
    if v is None:
        return ind.NA
    if key in RATES:
        return f"{v * 100:+.2f} 个百分点"
    if key == "avg_handle_days":
        return f"{v:+.2f}"
    return f"{v:+,}"


def _overview(f: dict) -> str:
    s, b = f["summary"], f["previous_summary"]
    diff = s["received"] - b["received"]
    trend = "持平" if not diff else (f"增加 {diff:,} 批" if diff > 0 else f"减少 {-diff:,} 批")
    return (f"{f['period_label']}，全镇共受理群众诉求 {s['received']:,} 批、{s['persons']:,} 人次，较上期"
            f"{trend}；已办结 {s['done']:,} 件，办结率 {ind.pct(s['done_rate'])}，结案率 {ind.pct(s['close_rate'])}，"
            f"按期办结率 {ind.pct(s['on_time_rate'])}，满意率 {ind.pct(s['satisfaction_rate'])}。"
            f"当前超期 {f['overdue']['red']:,} 件、临期 {f['overdue']['yellow']:,} 件，"
            f"在督办 {f['urges']['total']:,} 件。")


def _trend_chart(f: dict, width: float) -> Drawing:
    font = register_fonts()
    days = f["trend"]
    d = Drawing(width, 62 * mm)
    c = VerticalBarChart()
    c.x, c.y, c.width, c.height = 12 * mm, 12 * mm, width - 20 * mm, 42 * mm
    c.data = [[x["received"] for x in days], [x["closed"] for x in days]]
    step = max(1, len(days) // 10)
    c.categoryAxis.categoryNames = [x["date"][5:] if i % step == 0 else "" for i, x in enumerate(days)]
    c.categoryAxis.labels.fontName = c.valueAxis.labels.fontName = font
    c.categoryAxis.labels.fontSize = c.valueAxis.labels.fontSize = 7
    c.valueAxis.valueMin = 0
    c.bars[0].fillColor, c.bars[1].fillColor = SERIES[0], SERIES[1]
    c.groupSpacing, c.barSpacing = 2, 0
    d.add(c)
    lg = Legend()
    lg.x, lg.y, lg.fontName, lg.fontSize = width - 60 * mm, 60 * mm, font, 8
    lg.alignment, lg.columnMaximum, lg.dx, lg.dy = "right", 1, 6, 6
    lg.colorNamePairs = [(SERIES[0], "受理"), (SERIES[1], "结案")]
    d.add(lg)
    d.add(String(12 * mm, 58 * mm, f"每日受理与结案（{f['trend_label']}）", fontName=font, fontSize=9))
    return d


def _channel_chart(f: dict, width: float) -> Drawing:
    font = register_fonts()
    rows = [r for r in f["by_channel"] if r["received"]]
    d = Drawing(width, 55 * mm)
    d.add(String(12 * mm, 51 * mm, "受理渠道分布", fontName=font, fontSize=9))
    if not rows:
        d.add(String(12 * mm, 25 * mm, "本期无受理", fontName=font, fontSize=9))
        return d
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 16 * mm, 4 * mm, 42 * mm, 42 * mm
    pie.data = [r["received"] for r in rows]
    pie.labels = None
    for i in range(len(rows)):
        pie.slices[i].fillColor = SERIES[i % len(SERIES)]
        pie.slices[i].strokeColor = colors.white
    d.add(pie)
    total = sum(pie.data)
    lg = Legend()
    lg.x, lg.y, lg.fontName, lg.fontSize, lg.alignment = 75 * mm, 44 * mm, font, 8, "right"
    lg.columnMaximum, lg.dx, lg.dy = 8, 6, 6
    lg.colorNamePairs = [(SERIES[i % len(SERIES)], f"{r['name']}  {r['received']:,}（{r['received'] / total:.1%}）")
                         for i, r in enumerate(rows)]
    d.add(lg)
    return d


def _ranking_table(f: dict, width: float):
    rk = f["ranking"]
    head = ["名次", "单位", rk["indicator_label"], "派单", "办结率", "按期办结率", "满意率", "退回率", "上期名次", "变化"]
    rows, extra = [[P(h, "label") for h in head]], []
    for i, r in enumerate(rk["rows"], start=1):
        mark = {"red": "（红）", "green": "（绿）"}.get(r["mark"], "")
        change = ind.NA if r["rank_change"] is None else (f"↑{r['rank_change']}" if r["rank_change"] > 0 else
                                                          f"↓{-r['rank_change']}" if r["rank_change"] < 0 else "—")
        rows.append([str(r["rank"] or ind.NA), P(r["name"] + mark, "cell"), ind.days(r["score"]),
                     f"{r['assigned']:,}", ind.pct(r["done_rate"]), ind.pct(r["on_time_rate"]),
                     ind.pct(r["satisfaction_rate"]), ind.pct(r["return_rate"]), str(r["prev_rank"] or ind.NA),
                     change])
        if r["mark"]:
            extra.append(("BACKGROUND", (0, i), (-1, i), GREEN if r["mark"] == "green" else REDBG))
    w = [11, 44, 18, 14, 18, 20, 18, 16, 16, 12]
    scale = width / (sum(w) * mm)
    return grid_table(rows, [x * mm * scale for x in w], extra=extra + [("ALIGN", (2, 1), (-1, -1), "RIGHT")])


def _table(head: list[str], body: list[list], widths: list[float], width: float, extra=None):
    scale = width / (sum(widths) * mm)
    rows = [[P(h, "label") for h in head]] + [[P(c, "cell") if isinstance(c, str) else c for c in r] for r in body]
    if not body:
        rows.append([P("无", "cell")] + [""] * (len(head) - 1))
        extra = (extra or []) + [("SPAN", (0, 1), (-1, 1))]
    return grid_table(rows, [x * mm * scale for x in widths], extra=extra)


def story(f: dict) -> list:
    width = frame_width()
    out = [P(centre_name(f["town"]), "head"), P(f["title"], "title"), P(f["issue"]["label"], "subtitle"),
           P(f"统计周期：{f['period_label']}　　对比周期：{f['previous_label']}　　"
             f"生成时间：{fmt_time(f['generated_at'])}", "subtitle"), Spacer(1, 3 * mm),
           P("一、总体情况", "h1"), P(_overview(f), "para"), Spacer(1, 2 * mm)]
    body = [[h["label"], fmt(h["key"], h["value"]), fmt(h["key"], h["previous"]), fmt_change(h["key"], h["change"])]
            for h in f["headline"]]
    out += [_table(["指标", "本期", "上期", "变化"], body, [50, 35, 35, 40], width),
            P("注：比率的分母为零时显示“—”。指标口径见随软件提供的《指标定义》。", "small"),
            P("二、趋势与分布", "h1"), _trend_chart(f, width), _channel_chart(f, width)]
    cats = [[r["name"], f"{r['received']:,}", f"{r['done']:,}", ind.pct(r["done_rate"]), ind.pct(r["satisfaction_rate"])]
            for r in f["by_category"]]
    out += [P("受理量前十的事项分类", "h2"), _table(["事项分类", "受理", "办结", "办结率", "满意率"], cats,
                                              [60, 25, 25, 30, 30], width)]
    out += [P("三、单位考评排名（三色评比）", "h1"),
            P("按综合得分排名：后三名标红，前三名标绿；综合得分由按时签收率、按期办结率、办结率、满意率与退回率加权计算。",
              "small"), _ranking_table(f, width)]
    od = f["overdue"]
    out += [P("四、超期与临期", "h1"), P(f"当前超期（红色）{od['red']:,} 件，临期（黄色）{od['yellow']:,} 件。", "para")]
    out.append(_table(["单位", "超期", "临期"], [[u["name"], f"{u['red']:,}", f"{u['yellow']:,}"] for u in od["units"]],
                      [80, 30, 30], width))
    out += [P("超期时间最长的案件", "h2"), _table(
        ["案件编号", "标题", "承办单位", "状态", "超期（工作日）"],
        [[c["case_no"], c["title"], c["unit_name"] or "—", c["state_label"],
          ind.days(c["overdue_days"]) if c["color"] == "red" else "临期"] for c in od["cases"]],
        [40, 62, 32, 18, 22], width)]
    u = f["urges"]
    out += [P("五、督办情况", "h1"),
            P(f"在督办案件 {u['total']:,} 件，其中红牌 {u['counts']['red']:,} 件、黄牌 {u['counts']['yellow']:,} 件、"
              f"普通 {u['counts']['normal']:,} 件；逾期未回复 {sum(1 for i in u['items'] if i['reply_overdue'])} 件（列表前 "
              f"{len(u['items'])} 件中）。", "para"),
            _table(["案件编号", "标题", "承办单位", "等级", "督办时长（工作日）", "回复"],
                   [[i["case_no"], i["title"], i["unit_name"] or "—", i["level_label"], ind.days(i["age_days"]),
                     "已回复" if i["replied"] else ("逾期未回复" if i["reply_overdue"] else "待回复")] for i in u["items"]],
                   [38, 56, 30, 14, 24, 18], width)]
    out += [P("六、重点关注", "h1"), _table(
        ["案件编号", "标题", "承办单位", "状态", "人次", "关注原因"],
        [[n["case_no"], n["title"], n["unit_name"], n["state_label"], str(n["persons"]), n["reason"]]
         for n in f["notable"]], [38, 56, 30, 16, 12, 28], width)]
    out += mediation_story(f["mediation"], width, _table)  # 七、矛盾调处 (app.dossier.mediation_bulletin)
    out += grid_story(f)  # 一网格与四平台 (issue 17: app/dossier/grid_section.py)
    out += risk_section(f, width)  # 风险 (monthly; issue 18)
    return out


def render(f: dict, out: str | Path, operator: str = "系统", watermark: bool = False) -> Path:
    """Write the bulletin PDF for figures ``f`` to ``out``."""
    ctx = PrintContext(town_name=f["town"], operator=operator, watermark=watermark,
                       printed_at=datetime.fromisoformat(f["generated_at"]))
    out = Path(out)
    build_pdf(story(f), out, ctx, title=f["title"], note=f["period_label"], subject=f["title"])
    return out


def produce(desk, kind: str, day, out: str | Path, operator: str = "系统", watermark: bool = False,
            progress=None) -> dict:
    """Figures + PDF in one call (for the window's background task): returns {file, summary}."""
    if progress:
        progress(0, 2)
    f = bl.figures(desk, kind, day)
    if progress:
        progress(1, 2)
    render(f, out, operator=operator, watermark=watermark)
    if progress:
        progress(2, 2)
    return {"file": str(out), "title": f["title"], "period_label": f["period_label"], "summary": f["summary"]}
