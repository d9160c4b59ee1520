"""``towndesk lan serve``: this workstation becomes the centre's relay on its own LAN.

    towndesk lan serve [--host H] [--port P]

Other workstations sync with it by ``towndesk sync --peer http://H:P`` (app/cli/sync.py).
"""
from __future__ import annotations

import signal
import sys
import threading

from app.cli.output import add_json_flag
from app.desk import Desk
from app.errors import ValidationError

DEFAULT_PORT = 8710


def register(sub) -> None:
    x = sub.add_parser("lan", help="局域网中继：区级断网时本中心各工作站经本机互相同步")
    lsub = x.add_subparsers(dest="lan_cmd", metavar="serve")
    s = lsub.add_parser("serve", help="把本机作为本中心的局域网中继（Ctrl+C 停止）")
    s.add_argument("--host", default="0.0.0.0", help="监听地址（默认 0.0.0.0：本机所有网卡）")
    s.add_argument("--port", default=str(DEFAULT_PORT), help=f"监听端口（默认 {DEFAULT_PORT}）")
    s.add_argument("--interval", default="15", help="与中继自身及区级同步的间隔秒数（默认 15）")
    add_json_flag(s)
    x.set_defaults(handler=cmd_lan)
    s.set_defaults(handler=cmd_lan)


def cmd_lan(args, desk: Desk):
    if getattr(args, "lan_cmd", None) != "serve":
        raise ValidationError("用法：towndesk lan serve [--host H] [--port P]", field="lan")
    try:
        port = int(args.port)
        interval = float(args.interval)
    except ValueError:
        raise ValidationError("端口和间隔应为数字", field="port") from None
    if not 1 <= port <= 65535:
        raise ValidationError("端口应在 1-65535 之间", field="port")
    if not 1 <= interval <= 3600:
        raise ValidationError("同步间隔应在 1-3600 秒之间", field="interval")
    if not desk.meta("town_code") or not desk.meta("sync.device_key"):
        raise ValidationError("本工作站尚未注册到区级（towndesk enroll），不能作为局域网中继", field="lan")
    from app.lan.serve import serve

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def ready(srv) -> None:
        host, bound = srv.server_address[:2]
        print(f"局域网中继已启动：http://{host}:{bound}（镇街 {desk.meta('town_code')}，工作站 "
              f"{desk.meta('workstation')}）；其他工作站：towndesk sync --peer http://本机地址:{bound}", flush=True)

    try:
        serve(desk, args.host, port, interval, stop, on_ready=ready)
    except OSError as e:
        raise ValidationError(f"无法在 {args.host}:{port} 上启动中继（{e.strerror or e}）：端口可能已被占用",
                              field="port") from None
    except KeyboardInterrupt:
        pass
    print("局域网中继已停止", file=sys.stderr)
