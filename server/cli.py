"""``towndesk-server``: the district server and its administration.

    towndesk-server [--db URL] migrate
    towndesk-server [--db URL] town add CODE NAME
    towndesk-server [--db URL] enroll-code --town CODE [--unit UNIT]  (prints the one-time code alone;
                                     --unit: a unit workstation, holds only that unit's cases)
    towndesk-server [--db URL] revoke DEVICE
    towndesk-server [--db URL] devices [--town CODE]
    towndesk-server [--db URL] district assign --town CODE --json FILE   (上级交办)
    towndesk-server [--db URL] district urge --town CODE CASE_NO --level yellow --instruction TEXT
    towndesk-server [--db URL] district escalations [--town CODE]          (上报 waiting, JSON)
    towndesk-server [--db URL] district assign-down --town CODE CASE_NO [--instruction TEXT]
    towndesk-server [--db URL] ref import FILE.xlsx --level district [--dry-run] [--replace SHEET] [--json]
    towndesk-server [--db URL] user add --town CODE NAME --role R [--unit U] --password P [--name N]
    towndesk-server [--db URL] user set --town CODE NAME [--role R] [--unit U] [--active yes|no] [--password P]
    towndesk-server [--db URL] change void --town CODE SEQ --reason TEXT     (workstations drop it)
    towndesk-server [--db URL] audit --town CODE [--since DATE] --json      (the district audit)
    towndesk-server [--db URL] serve --host 127.0.0.1 --port 8700 [--blobs DIR]
                                     [--certfile F --keyfile F] [--docs]

``--db`` defaults to $TOWNDESK_SERVER_DB or sqlite:///towndesk-server.sqlite3; PostgreSQL is
``postgresql+psycopg://user:pass@host/db``. Errors print one line and exit 2.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sqlalchemy import select

from app.errors import AppError
from server import admin, audit, directory, district_ref, migrate
from server.auth import ApiError
from server.db import ServerDB
from server.models import Town


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="towndesk-server", description="镇街指挥台区级同步服务器")
    p.add_argument("--db", default=os.environ.get("TOWNDESK_SERVER_DB", "sqlite:///towndesk-server.sqlite3"),
                   help="数据库 URL（SQLite 或 postgresql+psycopg://…）")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="升级数据库结构")
    town = sub.add_parser("town", help="镇街").add_subparsers(dest="town_cmd", required=True)
    x = town.add_parser("add", help="添加镇街")
    x.add_argument("code")
    x.add_argument("name")
    town.add_parser("list", help="列出镇街")
    x = sub.add_parser("enroll-code", help="生成一次性注册码")
    x.add_argument("--town", required=True)
    x.add_argument("--unit", help="单位工作站：只接收该单位承办或协办的案件（单位代码）")
    x = sub.add_parser("revoke", help="吊销工作站的同步授权")
    x.add_argument("device")
    x = sub.add_parser("devices", help="列出已注册工作站")
    x.add_argument("--town")
    district = sub.add_parser("district", help="区级操作").add_subparsers(dest="district_cmd", required=True)
    x = district.add_parser("assign", help="上级交办：为镇街创建案件")
    x.add_argument("--town", required=True)
    x.add_argument("--json", dest="file", required=True, help="JSON 文件或 -")
    x = district.add_parser("urge", help="区级督办")
    x.add_argument("case_no")
    x.add_argument("--town", required=True)
    x.add_argument("--level", default="yellow", choices=["normal", "yellow", "red"])
    x.add_argument("--instruction", required=True)
    x = district.add_parser("escalations", help="列出镇街上报、待区级处理的案件")
    x.add_argument("--town")
    x = district.add_parser("assign-down", help="将上报案件交办回镇街")
    x.add_argument("case_no")
    x.add_argument("--town", required=True)
    x.add_argument("--instruction", help="区级批示（可选）")
    district_ref.register(sub)  # ref import --level district (server/district_ref.py)
    user = sub.add_parser("user", help="镇街用户目录（区级管理员）").add_subparsers(dest="user_cmd", required=True)
    for name in ("add", "set"):
        x = user.add_parser(name, help="添加用户" if name == "add" else "修改用户角色、单位或启用状态")
        x.add_argument("username")
        x.add_argument("--town", required=True)
        x.add_argument("--role", required=name == "add")
        x.add_argument("--unit")
        x.add_argument("--name")
        x.add_argument("--password", required=name == "add")
        if name == "set":
            x.add_argument("--active", choices=["yes", "no"])
    change = sub.add_parser("change", help="变更日志").add_subparsers(dest="change_cmd", required=True)
    x = change.add_parser("void", help="作废一条变更（工作站下次同步时丢弃）")
    x.add_argument("seq", type=int)
    x.add_argument("--town", required=True)
    x.add_argument("--reason", required=True)
    x = sub.add_parser("audit", help="区级审计：注册、吊销、伪造、倒签、作废、用户变更")
    x.add_argument("--town", required=True)
    x.add_argument("--since", help="起始日期 YYYY-MM-DD 或带时区的时间")
    x.add_argument("--json", action="store_true", help="输出 JSON")
    x = sub.add_parser("serve", help="启动同步服务")
    x.add_argument("--host", default="127.0.0.1")
    x.add_argument("--port", type=int, default=8700)
    x.add_argument("--blobs", help="附件存放目录（默认数据库旁的 blobs/）")
    x.add_argument("--workers", type=int, default=1)
    x.add_argument("--certfile", help="TLS 证书（PEM，可含中间证书）")
    x.add_argument("--keyfile", help="TLS 私钥（PEM）")
    x.add_argument("--docs", action="store_true", help="开放 /docs 与 /openapi.json（默认关闭）")
    x.add_argument("--test-hooks", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db = ServerDB(args.db)
    try:
        if args.command == "serve":
            return _serve(args, db)
        migrate.upgrade(db)
        if args.command == "migrate":
            print(f"数据库已是最新结构（{migrate.head()}）")
        elif args.command == "town" and args.town_cmd == "add":
            _out(admin.add_town(db, args.code, args.name))
        elif args.command == "town":
            with db.read() as s:
                _out([{"town": t.code, "name": t.name, "last_seq": t.last_seq} for t in s.scalars(select(Town))])
        elif args.command == "ref":
            return district_ref.run(db, args)
        elif args.command == "enroll-code":
            print(admin.enroll_code(db, args.town, args.unit))
        elif args.command == "revoke":
            _out(admin.revoke(db, args.device))
        elif args.command == "devices":
            _out(admin.devices(db, args.town))
        elif args.command == "user":
            active = None if getattr(args, "active", None) is None else args.active == "yes"
            _out(directory.set_user(db, args.town.upper(), args.username, by="district", role=args.role,
                                    unit=args.unit, active=active, name=args.name, password=args.password,
                                    create=args.user_cmd == "add"))
        elif args.command == "change":
            if args.seq < 1:
                raise ApiError(400, "invalid", "变更序号应为正整数")
            _out(admin.void_change(db, args.town.upper(), args.seq, args.reason))
        elif args.command == "audit":
            rows = audit.entries(db, args.town.upper(), args.since)
            if args.json:
                _out(rows)
            else:
                for r in rows:
                    print(f"{r['at'][:19]}  {r['kind']:<14} {r['device'] or '-':<36}  {r['actor'] or '-'}  "
                          f"{r['subject'] or ''}")
        elif args.district_cmd == "assign":
            raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as e:
                raise ApiError(400, "invalid", f"JSON 格式错误：第 {e.lineno} 行") from None
            _out(admin.district_assign(db, args.town.upper(), data))
        elif args.district_cmd == "escalations":
            _out(admin.district_escalations(db, args.town.upper() if args.town else None))
        elif args.district_cmd == "assign-down":
            _out(admin.district_assign_down(db, args.town.upper(), args.case_no, args.instruction))
        else:
            _out(admin.district_urge(db, args.town.upper(), args.case_no, args.level, args.instruction))
        return 0
    except ApiError as e:
        print(f"错误：{e.message} ({e.code})", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"错误：{e} (io)", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 — AppError from shared validation
        if isinstance(e, AppError):
            print(f"错误：{e.message} ({e.code})", file=sys.stderr)
            return 2
        raise
    finally:
        db.close()


def _out(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _serve(args, db) -> int:
    # the web stack (uvicorn, FastAPI and the routes) loads only for `serve`
    import uvicorn

    from server.app import create_app

    if bool(args.certfile) != bool(args.keyfile):
        raise ApiError(400, "invalid", "--certfile 与 --keyfile 须同时给出")
    for path in (args.certfile, args.keyfile):
        if path and not Path(path).is_file():
            raise ApiError(400, "invalid", f"文件不存在：{path}")
    migrate.upgrade(db)
    db.close()
    app = create_app(args.db, args.blobs, test_hooks=args.test_hooks, docs=args.docs)
    tls = {"ssl_certfile": args.certfile, "ssl_keyfile": args.keyfile} if args.certfile else {}
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, **tls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
