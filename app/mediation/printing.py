"""Printing the mediation documents (``towndesk print DISPUTE_NO --kind agreement|mediation_dossier``,
through app.cli.printing.AREA_KINDS): built from the dispute view as the printing user sees it,
written atomically, audited."""
from __future__ import annotations

from pathlib import Path

from app.desk import Actor, Desk
from app.errors import ValidationError
from app.mediation.queries import show_dispute
from app.printing.jobs import _atomic_write, print_context
from app.store.audit import audit

KINDS = {"agreement": "人民调解协议书", "mediation_dossier": "人民调解卷宗"}


def _print(desk: Desk, actor: Actor, number: str, output, kind: str, watermark: bool) -> dict:
    view = show_dispute(desk, actor, number)
    if kind == "agreement" and not view.get("agreement"):
        raise ValidationError(f"纠纷 {view['dispute_no']} 没有调解协议，不能打印人民调解协议书", field="kind")
    # ReportLab loads on the first print, not when the command line starts
    from app.dossier.mediation_docs import render_agreement, render_mediation_dossier

    render = render_agreement if kind == "agreement" else render_mediation_dossier
    ctx = print_context(desk, actor, watermark)
    if output is None:
        data = render(view, ctx, None)
        path, size = None, len(data)
    else:
        path = Path(output)
        _atomic_write(path, lambda tmp: render(view, ctx, tmp))
        size = path.stat().st_size
    with desk.db.tx() as s:
        audit(s, desk, actor.username, "print.mediation", view["dispute_no"],
              {"kind": kind, "watermark": bool(watermark), "path": str(path) if path else None})
    out = {"dispute_no": view["dispute_no"], "case_no": view["case_no"], "kind": kind, "kind_label": KINDS[kind],
           "path": str(path) if path else None, "bytes": size}
    if output is None:
        out["pdf"] = data
    return out


def print_agreement(desk: Desk, actor: Actor, number: str, output, watermark: bool = False) -> dict:
    return _print(desk, actor, number, output, "agreement", watermark)


def print_dossier(desk: Desk, actor: Actor, number: str, output, watermark: bool = False) -> dict:
    return _print(desk, actor, number, output, "mediation_dossier", watermark)
