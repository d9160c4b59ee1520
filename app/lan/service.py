"""``towndesk lan serve``: the relay's HTTP side, on the standard library (ThreadingHTTPServer),
so the lean desktop client needs no web framework. It answers the paths the workstation's sync
code calls (app/sync/transport.py, protocol.py) with the same messages as the district:
``/api/v1/health``, ``/push``, ``/changes``, ``/digest``, and ``/snapshot.db`` (a spare laptop's start,
app/lan/snapshot.py); attachments stay for the district.
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from app.lan.base import RelayError
from app.lan.relay import Relay
from app.lan.snapshot import RelaySnapshots
from app.lan.trust import check_peer
from app.sync import protocol as P

log = logging.getLogger("towndesk.lan")


class RelayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, desk, host: str, port: int):
        self.desk, self.relay = desk, Relay(desk)
        self.snapshots = RelaySnapshots(desk)
        super().__init__((host, port), _Handler)

    def server_close(self) -> None:
        super().server_close()
        self.snapshots.close()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def start(desk, host: str = "0.0.0.0", port: int = 8710) -> tuple[RelayServer, threading.Thread]:
    from app.sync.scope import refuse_lan

    refuse_lan(desk)  # a unit workstation holds only its unit's cases: it cannot serve the town
    srv = RelayServer(desk, host, port)
    thread = threading.Thread(target=srv.serve_forever, name="towndesk-lan-relay", daemon=True)
    thread.start()
    return srv, thread


class _Handler(BaseHTTPRequestHandler):
    server: RelayServer
    protocol_version = "HTTP/1.1"
    server_version = "towndesk-relay"

    def log_message(self, fmt, *args):  # quiet: one debug line per request
        log.debug("%s %s", self.address_string(), fmt % args)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        try:
            status, body = self._route(method)
        except RelayError as e:
            status, body = e.status, {"error": {"code": e.code, "message": e.message, "field": None}}
        except Exception:  # noqa: BLE001 — a relay error never takes the relay down
            log.exception("relay error on %s", self.path)
            traceback.print_exc()  # the relay's console (scrubbed copy in the data dir's log)
            status, body = 500, {"error": {"code": "server_error", "message": "中继内部错误，请稍后重试", "field": None}}
        self._reply(status, body)

    def _route(self, method: str):
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if path == P.API + "/health" and method == "GET":
            desk = self.server.desk
            return 200, {"ok": True, "server": "towndesk-relay", "protocol_min": P.MIN_PROTOCOL,
                         "protocol_max": P.PROTOCOL_VERSION, "schema_min": P.MIN_SCHEMA,
                         "schema_max": P.SCHEMA_VERSION, "relay": True, "town": desk.meta("town_code"),
                         "device": desk.device_id, "workstation": desk.meta("workstation")}
        _check_version(self.headers)
        body = self._body(method)
        relay = self.server.relay
        known = {P.API + "/push": "POST", P.API + "/changes": "GET", P.API + "/digest": "GET",
                 P.API + "/snapshot.db": "GET"}
        if path not in known:
            raise RelayError(404, "not_on_relay", "局域网中继不提供该功能（附件等待区级恢复后同步）")
        if known[path] != method:
            raise RelayError(405, "method", "请求方法不正确")
        device = check_peer(self.server.desk, self.headers, method, path, query, body)
        if path == P.API + "/snapshot.db":  # a spare laptop's first round (app/lan/snapshot.py)
            return 200, self.server.snapshots.get()
        if path == P.API + "/push":
            try:
                doc = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise RelayError(422, "invalid_body", "上传内容不是完整的 JSON") from None
            if not isinstance(doc, dict):
                raise RelayError(422, "invalid_body", "上传内容格式不正确")
            return 200, relay.push(device, doc.get("entries"))
        if path == P.API + "/changes":
            try:
                after, limit = int(query.get("after", 0)), int(query.get("limit", P.PAGE_DEFAULT))
            except ValueError:
                raise RelayError(422, "invalid_request", "after/limit 应为整数") from None
            return 200, relay.page(after, limit)
        return 200, relay.digest()

    def _body(self, method: str) -> bytes:
        if method not in ("POST", "PUT"):
            return b""
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise RelayError(411, "length_required", "请求须带 Content-Length")
        if int(length) > P.MAX_REQUEST_BYTES:
            raise RelayError(413, "too_large", f"请求过大（上限 {P.MAX_REQUEST_BYTES // (1 << 20)} MB）")
        return self.rfile.read(int(length))

    def _reply(self, status: int, doc) -> None:
        if isinstance(doc, tuple):  # the snapshot file: (path, key, head), streamed as the district does
            self._file(*doc)
            return
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Vary": "Accept-Encoding"}
        if len(body) >= P.GZIP_MIN_BYTES and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, compresslevel=1, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


    def _file(self, path, key: str, head: dict) -> None:
        with open(path, "rb") as fh:  # open before a rebuild could unlink the name
            size = os.fstat(fh.fileno()).st_size
            self.send_response(200)
            for k, v in (("Content-Type", "application/octet-stream"), ("Content-Length", str(size)),
                         ("X-Snapshot-Key", key), ("X-Snapshot-Upto", str(head["upto"])),
                         ("Cache-Control", "no-store")):
                self.send_header(k, v)
            self.end_headers()
            shutil.copyfileobj(fh, self.wfile, 1 << 20)


def _check_version(headers) -> None:
    try:
        protocol, schema = int(headers.get(P.H_PROTOCOL)), int(headers.get(P.H_SCHEMA))
    except (TypeError, ValueError):
        raise RelayError(426, "version_missing", "请求缺少同步协议版本，请使用指挥台客户端同步") from None
    if not (P.MIN_PROTOCOL <= protocol <= P.PROTOCOL_VERSION and P.MIN_SCHEMA <= schema <= P.SCHEMA_VERSION):
        raise RelayError(426, "protocol_unsupported",
                         f"同步协议版本 {protocol} 不受支持（中继支持 {P.MIN_PROTOCOL}–{P.PROTOCOL_VERSION}），请升级指挥台")
