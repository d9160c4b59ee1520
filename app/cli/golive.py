"""Going live: ``ref template | import | export`` (added under the ``ref`` command), ``case export``
(under ``case``), ``calendar list | set`` and ``setting set | list``.

    towndesk ref template -o FILE.xlsx
    towndesk ref import FILE.xlsx [--dry-run] [--replace SHEET] [--json]
    towndesk ref export -o FILE.xlsx
    towndesk case export [case list filters] -o FILE.xlsx
    towndesk calendar list --year YYYY [--json]
    towndesk calendar set DATE --workday|--holiday [--note TEXT]
    towndesk setting set KEY VALUE / setting list [--json]

``ref import`` prints ``{"created", "updated", "unchanged", "warnings", "errors"}``; with errors it
exits 2 and writes nothing (each error: sheet, Excel row, column, message).
"""
from __future__ import annotations

import argparse
import json

from app.cli.output import actor, add_json_flag, emit, wants_json
from app.desk import Desk


def _subcommands(parser: argparse.ArgumentParser):
    """The sub-command group of an existing command (``ref``, ``case``), to add ours to it."""
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


_NOT_FILTERS = {"help", "limit", "after", "json_out"}  # `case list` options that are not filters ("sort" is kept)


def sub_parser(group, name: str) -> argparse.ArgumentParser:
    return group.choices[name]


def register(sub) -> None:
    ref = _subcommands(sub.choices["ref"])
    x = ref.add_parser("template", help="生成镇街基础数据 Excel 模板")
    x.add_argument("-o", "--output", required=True)
    add_json_flag(x)
    x.set_defaults(handler=cmd_template)
    x = ref.add_parser("import", help="从 Excel 导入镇街基础数据")
    x.add_argument("file")
    x.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    x.add_argument("--replace", action="append", default=[], metavar="SHEET",
                   help="文件中没有的该表记录将停用（可重复）")
    add_json_flag(x)
    x.set_defaults(handler=cmd_import)
    x = ref.add_parser("export", help="导出镇街基础数据为 Excel")
    x.add_argument("-o", "--output", required=True)
    add_json_flag(x)
    x.set_defaults(handler=cmd_export)

    case = _subcommands(sub.choices["case"])
    x = case.add_parser("export", help="导出案件为 Excel（与案件列表相同的筛选条件）")
    filters = []
    for a in sub_parser(case, "list")._actions:  # every filter of `case list`, as it declares them
        if a.dest in _NOT_FILTERS or not a.option_strings:
            continue
        x._add_action(a)
        filters.append(a.dest)
    x.add_argument("-o", "--output", required=True)
    add_json_flag(x)
    x.set_defaults(handler=cmd_case_export, filters=tuple(filters))

    cal = sub.add_parser("calendar", help="工作日历").add_subparsers(dest="calendar_cmd", required=True)
    x = cal.add_parser("list", help="列出一年每天是否工作日及来源")
    x.add_argument("--year", type=int, required=True)
    add_json_flag(x)
    x.set_defaults(handler=cmd_calendar_list)
    x = cal.add_parser("set", help="设置某天为工作日或休息日（管理员）")
    x.add_argument("date")
    g = x.add_mutually_exclusive_group(required=True)
    g.add_argument("--workday", action="store_true")
    g.add_argument("--holiday", action="store_true")
    x.add_argument("--note", default="")
    add_json_flag(x)
    x.set_defaults(handler=cmd_calendar_set)

    st = sub.add_parser("setting", help="中心设置").add_subparsers(dest="setting_cmd", required=True)
    x = st.add_parser("set", help="修改设置（管理员）")
    x.add_argument("key")
    x.add_argument("value")
    add_json_flag(x)
    x.set_defaults(handler=cmd_setting_set)
    x = st.add_parser("list", help="列出设置")
    add_json_flag(x)
    x.set_defaults(handler=cmd_setting_list)


def cmd_template(args, desk: Desk):
    from app.reference import golive

    out = golive.template(args.output)
    emit(args, out, f"已生成模板 {out['path']}（{'、'.join(out['sheets'])}）")


def _issue(i: dict) -> str:
    where = "".join(x for x in (f"「{i['sheet']}」" if i.get("sheet") else "",
                                f"第 {i['row']} 行" if i.get("row") else "",
                                f"「{i['column']}」列" if i.get("column") else ""))
    return f"{where}：{i['message']}" if where else i["message"]


def cmd_import(args, desk: Desk) -> int:
    from app.reference import golive

    out = golive.import_workbook(desk, actor(args, desk), args.file, dry_run=args.dry_run, replace=args.replace)
    if wants_json(args):
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for w in out["warnings"]:
            print("提示：" + _issue(w))
        for e in out["errors"]:
            print("错误：" + _issue(e))
        if not out["errors"]:
            head = "检查通过（未写入）" if args.dry_run else "已导入"
            print(head + "：" + "；".join(f"{s} 新增 {out['created'][s]}、更新 {out['updated'][s]}、"
                                          f"不变 {out['unchanged'][s]}" for s in out["created"]))
        else:
            print(f"共 {len(out['errors'])} 处错误，未写入任何数据")
    return 2 if out["errors"] else 0


def cmd_export(args, desk: Desk):
    from app.reference import golive

    out = golive.export_workbook(desk, actor(args, desk), args.output)
    emit(args, out, f"已导出 {out['rows']} 行到 {out['path']}")


def cmd_case_export(args, desk: Desk):
    from app.cases.export import export_cases

    filters = {k: getattr(args, k, None) for k in args.filters if k != "sort"}
    out = export_cases(desk, actor(args, desk), filters, args.output, args.sort)
    emit(args, out, f"已导出 {out['cases']} 件案件到 {out['path']}")


def cmd_calendar_list(args, desk: Desk):
    from app.reference import workdays

    out = workdays.calendar_list(desk, args.year)
    words = {"official": "官方", "district": "区级", "override": "本镇", "provisional": "暂定",
             "weekend": "周末", "weekday": "平日"}
    emit(args, out, lambda: "\n".join(f"{d['date']}  {'班' if d['workday'] else '休'}  {words[d['source']]}"
                                      f"  {d['note']}".rstrip() for d in out
                                      if not d["workday"] or d["source"] != "weekday"))


def cmd_calendar_set(args, desk: Desk):
    from app.reference import workdays

    out = workdays.calendar_set(desk, actor(args, desk), args.date, bool(args.workday), args.note)
    emit(args, out, f"已设置 {out['date']} 为{'工作日' if out['workday'] else '休息日'}")


def cmd_setting_set(args, desk: Desk):
    from app.admin import centre

    out = centre.setting_set(desk, actor(args, desk), args.key, args.value)
    emit(args, out, f"已设置 {out['key']} = {out['value']}")


def cmd_setting_list(args, desk: Desk):
    from app.admin import centre

    out = centre.setting_list(desk)
    emit(args, out, lambda: "\n".join(f"{s['key']} = {s['value']}  （{s['label']}）" for s in out))
