"""人民调解协议书 and the mediation 卷宗 (ReportLab), on the case dossier's page template
(app.dossier.layout). Built from the plain dispute view (app.mediation.queries.show_dispute);
personal data of the parties is masked as the printing role requires."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer

from app.cases.views import mask_id, mask_phone
from app.domain import mediation as md
from app.dossier.casetext import sees_personal
from app.dossier.layout import P, PrintContext, build_pdf, fmt_time, form_table, frame_width, grid_table
from app.dossier.marks import signature_block

CN_NUM = "一二三四五六七八九十"


def _num(i: int) -> str:
    return CN_NUM[i - 1] if i <= 10 else str(i)


def party_rows(d: dict, ctx: PrintContext) -> list[list]:
    see = sees_personal(ctx)
    rows = []
    for p in d.get("parties") or []:
        id_no, phone = p.get("id_no"), p.get("phone")
        if not see:
            id_no, phone = mask_id(id_no), mask_phone(phone)
        rows.append([p.get("role_label") or md.ROLES.get(p.get("role"), ""), p.get("name") or "—", id_no or "—",
                     phone or "—", p.get("address") or "—"])
    return rows


def _parties_table(d: dict, ctx: PrintContext, width: float):
    head = [P(h, "label") for h in ("身份", "姓名", "身份证号码", "联系电话", "住址")]
    body = [[P(c, "cell") for c in r] for r in party_rows(d, ctx)]
    w = [16, 22, 42, 30, 60]
    scale = width / (sum(w) * mm)
    return grid_table([head] + body, [x * mm * scale for x in w])


def _head(ctx: PrintContext, title: str, number: str) -> list:
    return [P(ctx.extra.get("committee") or f"{ctx.town_name}人民调解委员会", "head"), P(title, "title"),
            P(f"编号：{number}", "subtitle"), Spacer(1, 3 * mm)]


def agreement_story(d: dict, ctx: PrintContext) -> list:
    width = frame_width()
    ag = d.get("agreement") or {}
    out = _head(ctx, "人民调解协议书", d["dispute_no"])
    out += [P("一、当事人", "h2"), _parties_table(d, ctx, width),
            P("二、纠纷主要事实、争议事项", "h2"), P(ag.get("facts") or d.get("facts") or "—", "para")]
    if ag.get("responsibility"):
        out += [P("三、各方责任", "h2"), P(ag["responsibility"], "para")]
    n = 4 if ag.get("responsibility") else 3
    out.append(P(f"{_num(n)}、经调解，自愿达成如下协议", "h2"))
    out += [P(f"{i}. {t}", "para") for i, t in enumerate(ag.get("terms") or [], start=1)]
    out += [P(f"{_num(n + 1)}、履行方式、时限", "h2"), P(ag.get("performance") or "—", "para")]
    copies = ag.get("copies") or len(d.get("parties") or []) + 1
    out += [P(f"本协议一式 {copies} 份，当事人、人民调解委员会各执一份，自各方当事人签名（盖章）、人民调解员签名"
              "并加盖人民调解委员会印章之日起生效。当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。", "para"),
            Spacer(1, 6 * mm)]
    roles = [f"{p['role_label']}（签名、捺印）" for p in d.get("parties") or []]
    out.append(signature_block(roles + ["人民调解员（签名）", "人民调解委员会（盖章）"], width))
    if d.get("judicial_confirmation_due"):
        out += [Spacer(1, 3 * mm), P(f"申请司法确认截止：{fmt_time(d['judicial_confirmation_due'], date_only=True)}", "small")]
    return out


def _sessions_table(d: dict, width: float):
    head = [P(h, "label") for h in ("次数", "时间", "地点", "参加人员", "结果")]
    body = [[P(str(i), "cell_c"), P(fmt_time(x["at"]), "cell"), P(x["place"], "cell"),
             P("、".join(x["attendees"]), "cell"), P(x["outcome_label"], "cell_c")]
            for i, x in enumerate(d.get("sessions") or [], start=1)]
    if not body:
        body = [[P("无", "cell"), "", "", "", ""]]
    w = [12, 34, 40, 60, 20]
    scale = width / (sum(w) * mm)
    return grid_table([head] + body, [x * mm * scale for x in w])


def dossier_story(d: dict, ctx: PrintContext) -> list:
    """卷宗: cover with the completeness check, then the documents in the prescribed order."""
    width = frame_width()
    out = _head(ctx, "人民调解卷宗", d["dispute_no"])
    out.append(form_table([("案件编号", d["case_no"]), ("纠纷类型", d["type"]), ("纠纷来源", d["source"]),
                           ("难易程度", d["difficulty"]), ("受理时间", fmt_time(d["opened_at"])),
                           ("调解期限", fmt_time(d["due_at"])), ("调解员", d.get("mediator_name") or d.get("mediator")),
                           ("状态", d["state_label"]), ("化解方式", d.get("means_label")),
                           ("结案时间", fmt_time(d["closed_at"]) if d.get("closed_at") else "—")], width))
    out += [P("卷内材料目录（按规定顺序）与完整性检查", "h2")]
    status = {"present": "已归档", "missing": "缺少", "n/a": "不适用"}
    rows = [[P(h, "label") for h in ("序号", "材料", "状态")]]
    rows += [[P(str(i), "cell_c"), P(it["title"], "cell"), P(status[it["status"]], "cell_c")]
             for i, it in enumerate(d["dossier_items"], start=1)]
    out.append(grid_table(rows, [16 * mm, width - 46 * mm, 30 * mm]))
    missing = d.get("missing_documents") or []
    out.append(P("缺少材料：" + ("、".join(missing) if missing else "无，卷宗完整"), "body"))
    out += [PageBreak(), P("一、受理登记表", "h1"),
            form_table([("案件标题", (d["title"], "wide")), ("涉及金额（元）", f"{d['amount']:,.2f}"),
                        ("涉及人数", str(d["persons"])), ("村社", d.get("village_name")),
                        ("三色等级", f"{d['color_label']}（{d['grade_lead']}）"),
                        ("纠纷事实", (d.get("facts") or "—", "wide"))], width),
            Spacer(1, 2 * mm), _parties_table(d, ctx, width)]
    out += [P("二、权利义务告知书", "h1"),
            P("已登记" if "notice" in d["documents"] else "（缺）未登记权利义务告知书", "para"),
            P("三、调查记录", "h1"), P("已登记" if "survey" in d["documents"] else "（缺）未登记调查记录", "para"),
            P("四、调解笔录", "h1"), _sessions_table(d, width)]
    for i, x in enumerate(d.get("sessions") or [], start=1):
        if x.get("record"):
            out += [P(f"第 {i} 次（{fmt_time(x['at'])}）", "h2"), P(x["record"], "para")]
    out.append(P("五、调解协议书", "h1"))
    if d.get("agreement"):
        out += [P(f"{i}. {t}", "para") for i, t in enumerate(d["agreement"].get("terms") or [], start=1)]
        out.append(P(f"履行方式、时限：{d['agreement'].get('performance') or '—'}", "para"))
    else:
        out.append(P(f"未达成调解协议。{d.get('reason') or ''}", "para"))
    out.append(P("六、回访记录", "h1"))
    out.append(P(f"{fmt_time(d['visited_at'])}：{d.get('visit_note')}（{'已履行' if d.get('performed') else '未履行'}）"
                 if d.get("visited_at") else "尚未回访", "para"))
    return out


def render_agreement(d: dict, ctx: PrintContext, out: str | Path | None):
    return build_pdf(agreement_story(d, ctx), out, ctx, title="人民调解协议书", note=d["dispute_no"],
                     subject="人民调解协议书")


def render_mediation_dossier(d: dict, ctx: PrintContext, out: str | Path | None):
    return build_pdf(dossier_story(d, ctx), out, ctx, title="人民调解卷宗", note=d["dispute_no"],
                     subject="人民调解卷宗")
