"""Printing the 稳评报告 (``towndesk print NO --kind assessment -o F.pdf``, through AREA_KINDS in
app/cli/printing.py): the assessment as data, the PDF on the case dossier's page template, and
the print in the audit log."""
from __future__ import annotations

from pathlib import Path

from app.desk import Actor, Desk
from app.errors import ValidationError
from app.printing.jobs import print_context
from app.risk.assessments import show_assessment
from app.store.audit import audit


def print_assessment(desk: Desk, actor: Actor, number: str, output, watermark: bool = False) -> dict:
    # ReportLab loads when a document is printed, not when the command line starts
    from app.dossier.assessment import render_assessment

    a = show_assessment(desk, number)
    if output is None:
        raise ValidationError("请用 -o 指定输出的 PDF 文件", field="output")
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise ValidationError(f"输出目录不存在：{path.parent}", field="output")
    render_assessment(a, print_context(desk, actor, watermark), path)
    with desk.db.tx() as s:
        audit(s, desk, actor.username, "print.assessment", number, {"path": str(path), "watermark": bool(watermark)})
    return {"assessment_no": number, "kind": "assessment", "kind_label": "稳评报告", "path": str(path),
            "bytes": path.stat().st_size}
