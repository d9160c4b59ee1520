"""``towndesk print``: one document of one case, or the dossiers of a filtered case list.

    towndesk print NO -o FILE.pdf [--kind dossier|receipt|slip|supervision] [--size a5|80mm] [--watermark]
    towndesk print --query [--state ..] [--unit ..] ... --out-dir DIR
    towndesk print --query [...] --one-file FILE.pdf
"""
from __future__ import annotations

import sys

from app.cli.output import actor, add_json_flag, emit
from app.desk import Desk
from app.errors import ValidationError

# Documents of the other areas' records, by ``--kind``: kind -> "module:function" (imported when
# printed), called as ``function(desk, actor, number, output, watermark=...)`` and returning
# ``{"path", "kind_label", ...}``. A positional word in ``AREA_WORDS`` names the kind instead
# (``towndesk print emergency ID -o F.pdf``). Areas add one line each here.
AREA_KINDS: dict[str, str] = {}
AREA_KINDS["assessment"] = "app.risk.report:print_assessment"  # 稳评报告 (issue 18)
AREA_WORDS: dict[str, str] = {}
AREA_KINDS["emergency"] = "app.printing.emergency:print_emergency"  # 应急响应总结
AREA_WORDS["emergency"] = "emergency"
AREA_KINDS.update(agreement="app.mediation.printing:print_agreement", mediation_dossier="app.mediation.printing:print_dossier")

FILTERS = ("state", "color", "unit", "category", "channel", "village", "q", "date_from", "date_to",
           "dispatched_from", "dispatched_to", "closed_from", "closed_to")


def register(sub) -> None:
    x = sub.add_parser("print", help="打印文书：案卷、受理回执、交办单、督办单；或按条件批量打印案卷")
    x.add_argument("case_no", nargs="?", help="案件编号（或其他文书的编号；或 emergency 等文书类别）")
    x.add_argument("number", nargs="?", help="文书类别之后的编号（如 print emergency ID）")
    x.add_argument("-o", "--output", help="输出 PDF 文件")
    x.add_argument("--kind", default="dossier", help="dossier（案卷）| receipt（受理回执）| slip（交办单）| "
                                                   "supervision（督办单）")
    x.add_argument("--size", help="受理回执尺寸：a5 或 80mm")
    x.add_argument("--watermark", action="store_true", help="加“内部资料”水印")
    x.add_argument("--query", action="store_true", help="按条件批量打印案卷（条件同 case list）")
    for name in FILTERS:
        x.add_argument(f"--{name.replace('_', '-')}", dest=name)
    x.add_argument("--mine", action="store_true")
    x.add_argument("--supervised", action="store_true")
    x.add_argument("--out-dir", help="批量：每件一个 PDF 的输出目录")
    x.add_argument("--one-file", help="批量：合并为一个 PDF 文件")
    x.add_argument("--progress", action="store_true", help="批量：在标准错误输出进度")
    add_json_flag(x)
    x.set_defaults(handler=cmd_print)


def cmd_print(args, desk: Desk):
    from app.printing import jobs

    who = actor(args, desk)
    if args.query:
        return _batch(args, desk, who)
    if not args.case_no:
        raise ValidationError("请指定案件编号，或用 --query 按条件批量打印", field="case_no")
    if not args.output:
        raise ValidationError("请用 -o 指定输出的 PDF 文件", field="output")
    if args.out_dir or args.one_file:
        raise ValidationError("--out-dir 和 --one-file 只用于 --query 批量打印", field="out_dir")
    kind, number = args.kind, args.case_no
    if args.case_no in AREA_WORDS:
        kind, number = AREA_WORDS[args.case_no], args.number
        if not number:
            raise ValidationError("请在文书类别之后指定编号", field="number")
    elif args.number:
        raise ValidationError(f"多余的参数：{args.number}", field="number")
    if kind in AREA_KINDS:
        import importlib  # the area's printing module, loaded only when its document is printed

        module, func = AREA_KINDS[kind].split(":")
        out = getattr(importlib.import_module(module), func)(desk, who, number, args.output,
                                                             watermark=args.watermark)
        emit(args, {"paths": [out["path"]], **out}, f"已生成{out['kind_label']}：{out['path']}")
        return
    out = jobs.print_case(desk, who, args.case_no, args.kind, args.output, watermark=args.watermark,
                          size=args.size)
    emit(args, {"paths": [out["path"]], **out}, f"已生成{out['kind_label']}：{out['path']}")


def _batch(args, desk: Desk, who):
    from app.printing import jobs

    if args.case_no:
        raise ValidationError("--query 批量打印时不要再指定案件编号", field="case_no")
    if args.kind != "dossier":
        raise ValidationError("批量打印目前只支持案卷（--kind dossier）", field="kind")
    if bool(args.out_dir) == bool(args.one_file):
        raise ValidationError("批量打印请指定 --out-dir 目录或 --one-file 文件（二选一）", field="out_dir")
    filters = {k: getattr(args, k) for k in FILTERS + ("mine", "supervised")}

    def progress(done, total):
        print(f"\r已打印 {done}/{total}", end="", file=sys.stderr, flush=True)

    out = jobs.print_batch(desk, who, filters, out_dir=args.out_dir, out_file=args.one_file,
                           one_file=bool(args.one_file), watermark=args.watermark,
                           progress=progress if args.progress else None)
    if args.progress:
        print(file=sys.stderr)
    where = args.one_file or args.out_dir
    emit(args, out, f"已打印案卷 {out['count']} 件（共 {out['total']} 件）：{where}")

