"""The district server's HTTP API (FastAPI), versioned under /api/v1 with an OpenAPI document.

Every call except /health and /enroll is authenticated by a device token and scoped to the
device's town; every call except /health states its protocol and schema versions.
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.sync import protocol as P
from server import admin, anchors, audit, blobs, changes, directory, ingest, snapshot, snapshot_file
from server.auth import ApiError, Caller, authenticate, check_rate, client_address, note_failure, versions
from server.db import ServerDB
from server.ratelimit import Limiter

log = logging.getLogger("towndesk.server")
SHA = PathParam(pattern=r"^[0-9a-f]{64}$")
CallerDep = Annotated[Caller, Depends(authenticate)]


class JsonLogFormatter(logging.Formatter):
    def format(self, record):  # structured logs: one JSON object per line
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)), "level": record.levelname,
               "msg": record.getMessage()}
        out.update(getattr(record, "extra_fields", {}))
        return json.dumps(out, ensure_ascii=False)


def _setup_logging() -> None:
    if not any(isinstance(h.formatter, JsonLogFormatter) for h in log.handlers):
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(JsonLogFormatter())
        log.addHandler(h)
        log.setLevel(logging.INFO)
        log.propagate = False


def _error(status: int, code: str, message: str, extra: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": None}, **(extra or {})}, status)


def compressed(body: bytes, accept_encoding: str | None) -> Response:
    """A JSON reply, gzip-coded when the client lists gzip in Accept-Encoding (HTTP content
    negotiation: a client that does not ask gets the plain body). Pages of the change log are
    repetitive JSON: level 1 already makes them ~6x smaller at a few ms per MB."""
    if len(body) < P.GZIP_MIN_BYTES or not accepts_gzip(accept_encoding):
        return Response(body, media_type="application/json", headers={"Vary": "Accept-Encoding"})
    return Response(gzip.compress(body, compresslevel=1, mtime=0), media_type="application/json",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})


def accepts_gzip(header: str | None) -> bool:
    """True when ``gzip`` (or ``*``) is listed without ``q=0`` (RFC 9110 section 12.5.3)."""
    for item in (header or "").split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


async def raw_body(request: Request) -> bytes:
    """The request body as sent (FastAPI caches it, so the endpoint's model still parses it)."""
    return await request.body()


def create_app(db_url: str, blob_dir: str | Path | None = None, test_hooks: bool = False,
               docs: bool = False) -> FastAPI:
    _setup_logging()
    db = ServerDB(db_url)
    if blob_dir is None:
        blob_dir = (db.sqlite_path.parent / "blobs") if db.sqlite_path else Path(
            os.environ.get("TOWNDESK_SERVER_BLOBS", "towndesk-blobs"))
    # /docs and /openapi.json only when asked for (serve --docs): no map of the API for strangers
    api = FastAPI(title="towndesk district server", version=f"protocol {P.PROTOCOL_VERSION}",
                  description="镇街指挥台区级同步服务器", docs_url="/docs" if docs else None,
                  redoc_url=None, openapi_url="/openapi.json" if docs else None)
    api.state.db, api.state.blobs, api.state.test_hooks = db, blobs.BlobStore(blob_dir), test_hooks
    api.state.limiter = Limiter()

    def on_limit(town: str | None, who: str, what: str) -> None:
        with db.tx() as s:
            audit.record(s, town, "rate_limited", subject=who, detail={"what": what})

    api.state.on_limit = on_limit
    V = [Depends(versions)]

    @api.middleware("http")
    async def limits_and_logs(request: Request, call_next):
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if request.method in ("POST", "PUT"):
            if length is None or not length.isdigit():
                return _error(411, "length_required", "请求须带 Content-Length")
            if int(length) > P.MAX_REQUEST_BYTES:
                return _error(413, "too_large", f"请求过大（上限 {P.MAX_REQUEST_BYTES // (1 << 20)} MB）")
        try:
            response = await call_next(request)
        except Exception:  # noqa: BLE001
            log.exception("unhandled error on %s", request.url.path)
            response = _error(500, "server_error", "服务器内部错误，请稍后重试")
        caller = getattr(request.state, "caller", None)
        log.info("request", extra={"extra_fields": {
            "method": request.method, "path": request.url.path, "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "town": caller.town if caller else None, "device": caller.device_id if caller else None}})
        return response

    @api.exception_handler(ApiError)
    async def api_error(_request, e: ApiError):
        reply = _error(e.status, e.code, e.message, e.extra)
        if e.status == 429:
            reply.headers["Retry-After"] = str(e.extra.get("retry_after", 60))
        return reply

    @api.get(P.API + "/health", response_model=P.Health)
    def health():
        return P.Health(ok=True, protocol_min=P.MIN_PROTOCOL, protocol_max=P.PROTOCOL_VERSION,
                        schema_min=P.MIN_SCHEMA, schema_max=P.SCHEMA_VERSION)

    @api.post(P.API + "/enroll", response_model=P.EnrollReply, dependencies=V,
              responses={403: {"model": P.ErrorReply}, 409: {"model": P.ErrorReply},
                         429: {"model": P.ErrorReply}})
    def enroll(req: P.EnrollRequest, request: Request):
        check_rate(request)
        try:
            return admin.enroll(db, req)
        except ApiError as e:
            note_failure(request, req.town, "enroll")
            with db.tx() as s:  # the enrolment's own transaction was rolled back
                audit.record(s, req.town, "enroll_refused", device=req.device_id, subject=client_address(request),
                             detail={"code": e.code, "hostname": req.hostname})
            raise

    @api.post(P.API + "/push", response_model=P.PushReply, dependencies=V,
              responses={401: {"model": P.ErrorReply}, 403: {"model": P.ErrorReply},
                         429: {"model": P.ErrorReply}})
    def push(caller: CallerDep, req: P.PushRequest, request: Request, body: bytes = Depends(raw_body),
             x_towndesk_chain: str | None = Header(None, max_length=128),
             x_towndesk_chain_next: str | None = Header(None, max_length=128),
             x_towndesk_signature: str | None = Header(None, max_length=200),
             x_test_commit_delay: float | None = Header(None, ge=0, le=30, include_in_schema=False)):
        delay = x_test_commit_delay if api.state.test_hooks and x_test_commit_delay else 0.0
        try:
            return ingest.push(db, caller, req, x_towndesk_chain, x_towndesk_chain_next, delay,
                               signature=x_towndesk_signature, body=body)
        except ApiError as e:
            if e.code == "bad_signature":
                note_failure(request, caller.town, "signature")
                with db.tx() as s:
                    audit.record(s, caller.town, "forgery", device=caller.device_id,
                                 subject=client_address(request), detail={"entries": len(req.entries)})
            raise

    @api.post(P.API + "/users", response_model=P.UserReply, dependencies=V,
              responses={403: {"model": P.ErrorReply}, 404: {"model": P.ErrorReply}, 409: {"model": P.ErrorReply},
                         429: {"model": P.ErrorReply}})
    def change_user(caller: CallerDep, req: P.UserChange, request: Request):
        """A town administrator changes the town's directory (their password checked here)."""
        own = req.admin == req.username and req.op == "set" and req.role is None and req.unit is None \
            and req.active is None and req.name is None and req.password is not None
        if own and directory.self_ok(db, caller.town, req.admin, req.admin_password):
            pass  # a user changing their own password
        elif not directory.admin_ok(db, caller.town, req.admin, req.admin_password):
            note_failure(request, caller.town, "admin_password")
            raise ApiError(403, "admin_refused", "管理员用户名或密码不正确，或该用户不是本镇街的管理员")
        return directory.set_user(db, caller.town, req.username, by=req.admin, role=req.role, unit=req.unit,
                                  active=req.active, name=req.name, password=req.password,
                                  create=req.op == "add", device=caller.device_id)

    @api.post(P.API + "/login", response_model=P.LoginReply, dependencies=V,
              responses={403: {"model": P.ErrorReply}, 409: {"model": P.ErrorReply}, 429: {"model": P.ErrorReply}})
    def login(caller: CallerDep, req: P.LoginRequest, request: Request):
        """A user's online login on an enrolled workstation: the password checked against the
        directory, the workstation's new key for that user registered."""
        reply = directory.login(db, caller, req.username, req.password, req.public_key)
        if reply is None:
            note_failure(request, caller.town, "login")
            raise ApiError(403, "login_refused", "用户名或密码错误，或该用户已停用")
        return reply

    @api.get(P.API + "/changes", response_model=P.ChangesPage, dependencies=V,
             responses={410: {"model": P.ErrorReply}, 401: {"model": P.ErrorReply}})
    def changes_page(caller: CallerDep, request: Request, after: int = Query(0, ge=0, le=2**62),
                     limit: int = Query(P.PAGE_DEFAULT, ge=1, le=P.PAGE_MAX)):
        body = changes.page_json(db, caller.town, after, limit, caller.unit).encode()
        return compressed(body, request.headers.get("accept-encoding"))

    @api.post(P.API + "/verdicts", response_model=P.VerdictList, dependencies=V)
    def verdicts(caller: CallerDep, req: P.VerdictQuery):
        """The district's verdicts on actions a workstation took from a centre relay (app/lan)."""
        return changes.verdicts(db, caller.town, req.ids)

    @api.get(P.API + "/snapshot", dependencies=V, response_class=Response,
             responses={200: {"content": {"application/x-ndjson": {}}}})
    def town_snapshot(caller: CallerDep, request: Request):
        """The town as of its high mark (gzip-coded JSON lines: server/snapshot.py), for a new
        workstation's first pull; later changes follow by page."""
        first = snapshot.lines(db, caller.town, caller.unit)
        head = next(first)  # errors (an unknown town) before the reply starts

        def stream():
            yield head
            yield from first

        if not accepts_gzip(request.headers.get("accept-encoding")):
            return StreamingResponse(stream(), media_type="application/x-ndjson", headers={"Vary": "Accept-Encoding"})
        return StreamingResponse(snapshot.gzipped(stream()), media_type="application/x-ndjson",
                                 headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})

    snapshots = snapshot_file.Cache()
    api.state.snapshots = snapshots

    @api.get(P.API + "/snapshot.db", dependencies=V, response_class=Response,
             responses={200: {"content": {"application/octet-stream": {}}}, 409: {"model": P.ErrorReply}})
    def town_snapshot_db(caller: CallerDep, request: Request):
        """The town as of a recent high mark as a pre-built database (server/snapshot_file.py): a
        SQLCipher file, its one-time key in ``X-Snapshot-Key``. A unit workstation is refused (409):
        the file holds the whole town; it takes the unit-filtered lines (server/scope.py)."""
        if caller.unit:
            raise ApiError(409, "snapshot_unavailable", "单位工作站只接收本单位的案件，请按行读取快照")
        try:
            built = snapshots.get(db, caller.town)
        except snapshot_file.Unstorable as e:
            raise ApiError(409, "snapshot_unavailable", f"快照无法生成（{e}），请逐页同步") from None
        headers = {"X-Snapshot-Key": built.key, "X-Snapshot-Upto": str(built.upto), "Cache-Control": "no-store",
                   "Content-Length": str(built.size)}
        return StreamingResponse(snapshot_file.stream(built.path), media_type="application/octet-stream",
                                 headers=headers)

    @api.get(P.API + "/digest", response_model=P.Digest, dependencies=V)
    def digest(caller: CallerDep):
        return changes.digest(db, caller.town)

    @api.get(P.API + "/anchors", response_model=P.AnchorReply, dependencies=V)
    def chain_anchors(caller: CallerDep):
        """This workstation's anchored log heads (``towndesk audit verify`` compares its chains)."""
        return anchors.list_for(db, caller)

    @api.post(P.API + "/anchors", response_model=P.AnchorReply, dependencies=V)
    def anchor_heads(caller: CallerDep, req: P.AnchorRequest):
        """A sync round's log heads, anchored when the chain runs through the last anchor."""
        return anchors.anchor(db, caller, req)

    @api.get(P.API + "/blobs/{sha}/state", response_model=P.BlobState, dependencies=V,
             responses={404: {"model": P.ErrorReply}})
    def blob_state(caller: CallerDep, sha: str = SHA):
        return blobs.state(db, api.state.blobs, caller, sha)

    @api.put(P.API + "/blobs/{sha}", response_model=P.BlobState, dependencies=V,
             responses={404: {"model": P.ErrorReply}, 409: {"model": P.ErrorReply}, 422: {"model": P.ErrorReply}})
    async def blob_put(caller: CallerDep, request: Request, sha: str = SHA,
                       offset: int = Query(ge=0, le=2**40), size: int = Query(ge=1, le=2**40)):
        body = await request.body()
        return await run_in_threadpool(blobs.put_chunk, db, api.state.blobs, caller, sha, offset, size, body)

    @api.get(P.API + "/blobs/{sha}", dependencies=V, response_class=Response,
             responses={200: {"content": {"application/octet-stream": {}}}, 404: {"model": P.ErrorReply}})
    def blob_get(caller: CallerDep, sha: str = SHA, offset: int = Query(0, ge=0, le=2**40)):
        path, size = blobs.open_for_read(db, api.state.blobs, caller, sha, offset)

        def stream():
            with path.open("rb") as f:
                f.seek(offset)
                yield from iter(lambda: f.read(1 << 20), b"")

        return StreamingResponse(stream(), media_type="application/octet-stream",
                                 headers={"Content-Length": str(size - offset), "X-Blob-Size": str(size)})

    return api


def app_from_env() -> FastAPI:
    """For ``uvicorn server.app:app_from_env --factory``: TOWNDESK_SERVER_DB names the database."""
    return create_app(os.environ.get("TOWNDESK_SERVER_DB", "sqlite:///towndesk-server.sqlite3"),
                      os.environ.get("TOWNDESK_SERVER_BLOBS"), os.environ.get("TOWNDESK_SERVER_TEST_HOOKS") == "1")
