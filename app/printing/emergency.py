"""``towndesk print emergency ID -o FILE.pdf``: the summary of an emergency (usually printed when it
stops; an active one prints as it stands). Audited like every print."""
from __future__ import annotations

from pathlib import Path

from app.desk import Actor, Desk
from app.emergency.queries import summary
from app.errors import ValidationError
from app.printing.jobs import _atomic_write, print_context
from app.store.audit import audit


def print_emergency(desk: Desk, actor: Actor, number: str, output, watermark: bool = False) -> dict:
    """Write the summary PDF of emergency ``number`` (its id or code) to ``output``."""
    if not output:
        raise ValidationError("请用 -o 指定输出的 PDF 文件", field="output")
    data = summary(desk, number)
    ctx = print_context(desk, actor, watermark)
    # ReportLab loads on the first print (as in app.printing.jobs)
    from app.dossier.emergency import render_emergency

    path = Path(output)
    _atomic_write(path, lambda tmp: render_emergency(data, ctx, tmp))
    with desk.db.tx() as s:
        audit(s, desk, actor.username, "print.emergency", data["emergency"]["id"], {"path": str(path)})
    return {"id": data["emergency"]["id"], "code": data["emergency"]["code"], "kind": "emergency",
            "kind_label": "应急响应总结", "path": str(path), "bytes": path.stat().st_size}
