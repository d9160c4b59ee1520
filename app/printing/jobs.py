"""Printing: one service function per user action (print one case's document, print a batch of
dossiers). Documents are built from the plain case view (queries.show_case), so the printing
role's masking applies; every print writes an audit entry."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from app.cases import queries
from app.cases.attachments import read_blob
from app.cases.timing import policy_for
from app.desk import Actor, Desk
from app.domain.deadlines import handle_deadline
from app.errors import ValidationError
from app.store.audit import audit

KINDS = {"dossier": "案卷", "receipt": "受理回执", "slip": "交办单", "supervision": "督办单"}
RECEIPT_SIZES = ("a5", "80mm")
BATCH_PAGE = 100


def print_context(desk: Desk, actor: Actor, watermark: bool = False):
    """The PrintContext of ``actor`` printing now (town name, operator, role, unit names)."""
    # app.dossier (ReportLab, ~0.2 s) loads on the first print, not when the window starts
    from app.dossier.layout import PrintContext

    refs = desk.refs()
    units = {code: u.name for code, u in getattr(refs, "units", {}).items()}
    return PrintContext(town_name=desk.meta("town_name") or desk.meta("town_code") or "",
                        org=desk.setting("centre_name") or None, operator=actor.name or actor.username, role=actor.role, printed_at=desk.now(),
                        watermark=bool(watermark), extra={"units": units})


def _check_kind(kind: str, size: str | None) -> None:
    if kind not in KINDS:
        raise ValidationError("文书类型应为：" + "、".join(f"{k}（{v}）" for k, v in KINDS.items()), field="kind")
    if size is not None and size not in RECEIPT_SIZES:
        raise ValidationError("回执尺寸应为 a5 或 80mm", field="size")


def render(desk: Desk, actor: Actor, case: dict, kind: str, out, watermark: bool = False,
           size: str | None = None, ctx=None) -> bytes | None:
    """Build the ``kind`` document of an already loaded case view into ``out`` (path, buffer or None)."""
    ctx = ctx or print_context(desk, actor, watermark)
    if kind == "dossier":
        from app.dossier.dossier import render_dossier  # ReportLab: on first use (see print_context)

        return render_dossier(case, ctx, out, lambda sha: read_blob(desk, sha))
    if kind == "receipt":
        from app.dossier.receipt import render_receipt  # ReportLab: on first use (see print_context)

        return render_receipt(case, ctx, out, size or "a5", info=_receipt_info(desk, case))
    from app.dossier.slip import render_slip, render_supervision  # ReportLab: on first use

    return (render_slip if kind == "slip" else render_supervision)(case, ctx, out)


def _receipt_info(desk: Desk, case: dict) -> dict:
    """Contact details (the centre settings ``towndesk setting set centre_phone | centre_address |
    receipt_footer``; older meta keys contact_phone / contact_address) and, for a case not yet
    dispatched, the reply time its category's handling deadline would give from receipt."""
    info = {"phone": desk.setting("centre_phone") or desk.meta("contact_phone") or "",
            "address": desk.setting("centre_address") or desk.meta("contact_address") or "",
            "footer": desk.setting("receipt_footer") or "", "hotline": "12345", "expected_reply": None}
    if not case.get("due_at") and case.get("received_at"):
        start = datetime.fromisoformat(case["received_at"])
        due = handle_deadline(desk.calendar(), start, policy_for(desk, case.get("category")),
                              case.get("urgency") == "urgent")
        info["expected_reply"] = due.isoformat()
    return info


def _atomic_write(path: Path, data_fn: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        data_fn(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def print_case(desk: Desk, actor: Actor, case_no: str, kind: str = "dossier", out_path=None,
               watermark: bool = False, size: str | None = None) -> dict:
    """Print one document of one case to ``out_path`` (or return its bytes under "pdf" when None).

    Returns {case_no, kind, kind_label, path, bytes}.
    """
    _check_kind(kind, size if kind == "receipt" else None)
    if size is not None and kind != "receipt":
        raise ValidationError("只有受理回执可以选择尺寸", field="size")
    case = queries.show_case(desk, actor, case_no)
    _check_printable(case, kind)
    out: dict = {"case_no": case["case_no"], "kind": kind, "kind_label": KINDS[kind]}
    if out_path is None:
        out["pdf"] = render(desk, actor, case, kind, None, watermark, size)
        out["path"], out["bytes"] = None, len(out["pdf"])
    else:
        path = Path(out_path)
        _atomic_write(path, lambda tmp: render(desk, actor, case, kind, tmp, watermark, size))
        out["path"], out["bytes"] = str(path), path.stat().st_size
    with desk.db.tx() as s:
        audit(s, desk, actor.username, "print.case", case["case_no"],
              {"kind": kind, "watermark": bool(watermark), "size": size, "path": out["path"]})
    return out


def _check_printable(case: dict, kind: str) -> None:
    kinds = {a["kind"] for a in case.get("actions", ())}
    if kind == "slip" and not kinds & {"dispatch", "transfer"}:
        raise ValidationError(f"案件 {case['case_no']} 尚未派单，不能打印交办单", field="kind")
    if kind == "supervision" and "urge" not in kinds:
        raise ValidationError(f"案件 {case['case_no']} 没有督办记录，不能打印督办单", field="kind")


def iter_case_numbers(desk: Desk, actor: Actor, filters: dict | None) -> tuple[int, Iterator[str]]:
    """(total, case numbers) of a filtered list, paged by the keyset cursor (steady memory)."""
    first = queries.list_cases(desk, actor, filters or {}, sort="received_asc", limit=BATCH_PAGE)

    def numbers():
        page = first
        while True:
            yield from (c["case_no"] for c in page["items"])
            if not page["next"]:
                return
            page = queries.list_cases(desk, actor, filters or {}, sort="received_asc", limit=BATCH_PAGE,
                                      after=page["next"], with_total=False)

    return first["total"], numbers()


def print_batch(desk: Desk, actor: Actor, filters: dict | None = None, out_dir=None, out_file=None,
                one_file: bool = False, progress: Callable[[int, int], None] | None = None,
                cancel: threading.Event | None = None, watermark: bool = False) -> dict:
    """Print the dossiers of every case matching ``filters`` (the keys of queries.list_cases):
    one PDF per case in ``out_dir`` (named <case_no>.pdf), or all of them in ``out_file`` when
    ``one_file``. ``progress(done, total)`` is called after each case; setting ``cancel`` stops
    after the current case (a one-file output is then removed; finished per-case files stay).

    Returns {total, count, paths, cancelled}.
    """
    if one_file and not out_file:
        raise ValidationError("请指定合并输出的 PDF 文件", field="one_file")
    if not one_file and not out_dir:
        raise ValidationError("请指定输出目录", field="out_dir")
    total, numbers = iter_case_numbers(desk, actor, filters)
    ctx = print_context(desk, actor, watermark)
    done: list[str] = []
    stopped = threading.Event()

    def tick(no: str) -> None:
        done.append(no)
        if progress:
            progress(len(done), total)

    if one_file:
        from app.dossier.dossier import render_dossiers  # ReportLab: on first use (see print_context)

        def cases():
            for no in numbers:
                if cancel is not None and cancel.is_set():
                    stopped.set()
                    return
                case = queries.show_case(desk, actor, no)
                yield case
                tick(case["case_no"])  # resumed when the story asks for the next case

        path = Path(out_file)
        _atomic_write(path, lambda tmp: render_dossiers(cases(), ctx, tmp, lambda sha: read_blob(desk, sha)))
        if stopped.is_set():
            path.unlink(missing_ok=True)
        paths = [] if stopped.is_set() else [str(path)]
    else:
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for no in numbers:
            if cancel is not None and cancel.is_set():
                stopped.set()
                break
            case = queries.show_case(desk, actor, no)
            path = target / f"{case['case_no']}.pdf"
            _atomic_write(path, lambda tmp, case=case: render(desk, actor, case, "dossier", tmp, ctx=ctx))
            paths.append(str(path))
            tick(case["case_no"])
    with desk.db.tx() as s:
        audit(s, desk, actor.username, "print.batch", None,
              {"filters": {k: v for k, v in (filters or {}).items() if v not in (None, "", False)},
               "one_file": one_file, "count": len(done), "cancelled": stopped.is_set(),
               "watermark": bool(watermark), "cases": done})
    return {"total": total, "count": len(done), "paths": paths, "cancelled": stopped.is_set()}

