"""``towndesk demo``: the demo town 府山街道 and generated sample cases."""
from __future__ import annotations

from app.cli.output import add_json_flag, emit
from app.desk import Desk
from app.errors import ValidationError


def register(sub) -> None:
    x = sub.add_parser("demo", help="载入演示镇街（府山街道）与示例案件")
    x.add_argument("--cases", type=int, default=300)
    x.add_argument("--seed", type=int, default=20261127)
    add_json_flag(x)
    x.set_defaults(handler=cmd_demo)


def cmd_demo(args, desk: Desk):
    from app.demo.loader import load_demo

    if args.cases < 0:
        raise ValidationError("案件数量不能为负数", field="cases")
    out = load_demo(desk, args.cases, seed=args.seed)
    emit(args, out, f"演示数据已载入：{out['town_name']}，案件 {out['cases']} 件（用时 {out['seconds']} 秒）；"
                    f"演示用户 {', '.join(out['users'])}，密码 demo1234")
