"""HTTP to the district server: requests with timeouts, retry with backoff and jitter, proxy and a
custom CA bundle (TLS verification always on), version headers, and replies checked against the
protocol models so that a broken or hostile server gives a clear error instead of bad data."""
from __future__ import annotations

import ipaddress
import json
import logging
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson
import requests
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from app.errors import AppError
from app.sync import protocol as P

log = logging.getLogger("towndesk.sync")
RETRY_STATUS = {429, 500, 502, 503, 504}


class SyncError(AppError):
    """Sync could not finish; the data stays in the store and the next round retries."""

    code = "sync_failed"
    english = "sync failed"

    def __init__(self, message: str, code: str | None = None, status: int | None = None, retry: bool = True):
        super().__init__(message, field="server", code=code)
        self.status, self.retry = status, retry


class MustResync(SyncError):
    def __init__(self, message: str):
        super().__init__(message, code="must_resync", status=410)


@dataclass
class Settings:
    server: str
    token: str | None = None
    device_id: str = ""
    db_id: str = ""
    timeout: float = 30.0
    connect_timeout: float = 5.0
    attempts: int = 3
    backoff: float = 0.5
    proxy: str = ""
    ca_bundle: str = ""
    insecure: bool = False            # enrolled with --insecure: plain http:// to a non-loopback host
    protocol: int = P.PROTOCOL_VERSION
    schema: int = P.SCHEMA_VERSION
    extra_headers: dict = field(default_factory=dict)
    # headers made per request from (method, path, params, body): a peer's signature to a centre
    # relay (app.lan.trust.PeerSigner)
    signer: object | None = None


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_scheme(url: str, insecure: bool) -> None:
    """http:// only to this machine, or when the workstation was enrolled with --insecure."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise SyncError("服务器地址应以 https:// 开头", code="invalid", retry=False)
    if scheme == "http" and not insecure and not is_loopback(url):
        raise SyncError(f"拒绝以不加密的 http:// 连接同步服务器 {url}：请使用 https://；"
                        "确需明文连接（如内网测试）时，以 towndesk enroll --insecure 注册", code="insecure", retry=False)


class Transport:
    def __init__(self, settings: Settings, session: requests.Session | None = None):
        check_scheme(settings.server, settings.insecure)
        self.s = settings
        self.base = settings.server.rstrip("/")
        self.http = session or requests.Session()
        # Given with every request: a session-level value loses to REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
        # in the environment (requests' merge of environment settings), so a configured CA would
        # be silently ignored on a machine that sets them.
        self.verify = settings.ca_bundle or True
        self.http.verify = self.verify
        if settings.proxy:
            self.http.proxies = {"http": settings.proxy, "https": settings.proxy}
        self.bytes_sent = self.bytes_received = self.requests = 0

    def headers(self, extra: dict | None = None) -> dict:
        # gzip: change pages shrink ~6x on the wire; requests decodes the body transparently
        h = {P.H_PROTOCOL: str(self.s.protocol), P.H_SCHEMA: str(self.s.schema), "Accept-Encoding": "gzip",
             **self.s.extra_headers}
        if self.s.token:
            h["Authorization"] = f"Bearer {self.s.token}"
            h[P.H_DEVICE], h[P.H_DB] = self.s.device_id, self.s.db_id
        return h | (extra or {})

    # -- one request, retried --------------------------------------------------------------
    def call(self, method: str, path: str, *, json_body=None, data: bytes | None = None, params=None,
             headers=None, stream=False, ok=(200,)) -> requests.Response:
        body = data if data is not None else (
            None if json_body is None else json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode())
        hdrs = self.headers(headers)
        if self.s.signer is not None:
            hdrs.update(self.s.signer(method, path, params, body))
        if json_body is not None:
            hdrs["Content-Type"] = "application/json"
        last: SyncError | None = None
        for attempt in range(max(1, self.s.attempts)):
            if attempt:
                delay = self.s.backoff * (2 ** (attempt - 1))
                time.sleep(delay + random.uniform(0, delay))  # jitter spreads retries of many stations
            try:
                r = self.http.request(method, self.base + path, data=body, params=params, headers=hdrs,
                                      timeout=(self.s.connect_timeout, self.s.timeout), stream=stream,
                                      verify=self.verify)
            except requests.exceptions.SSLError as e:
                raise SyncError(f"无法验证同步服务器的证书（{_short(e)}）；如使用内部证书，请在设置中配置 CA 证书文件",
                                code="tls", retry=False) from None
            except requests.exceptions.Timeout:
                last = SyncError(f"同步服务器 {self.base} 响应超时，数据已保存在本机，稍后自动重试", code="timeout")
                continue
            except requests.exceptions.RequestException as e:
                last = SyncError(f"无法连接同步服务器 {self.base}（{_short(e)}），数据已保存在本机，稍后自动重试",
                                 code="offline")
                continue
            self.requests += 1
            self.bytes_sent += len(body or b"") + sum(len(k) + len(v) for k, v in hdrs.items())
            if r.status_code in ok:
                return r
            err = self._error(r)
            if r.status_code in RETRY_STATUS:
                last = err
                continue
            raise err
        raise last  # type: ignore[misc]

    def _error(self, r: requests.Response) -> SyncError:
        try:
            body = r.json()
            message = body["error"]["message"]
            code = body["error"].get("code") or "error"
            if not isinstance(message, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            message, code = None, None
        status = r.status_code
        if status == 422 and code is None:  # the framework's own refusal: {"detail": [{"loc": [...]}]}
            try:
                locs = [d.get("loc") or [] for d in r.json()["detail"]]
                code = "invalid_body" if any(loc and loc[0] == "body" for loc in locs) else "invalid_request"
            except (ValueError, KeyError, TypeError, AttributeError):
                pass
        if status == 410 and code == "must_resync":
            return MustResync(message or "需要完整重新同步")
        if status == 426:
            return SyncError(message or "同步协议版本不受服务器支持，请升级指挥台", code=code or "version", status=status,
                             retry=False)
        if status == 429:
            return SyncError(message or "请求过于频繁，请稍后再试", code=code or "rate_limited", status=status,
                             retry=False)
        if status in (401, 403):
            return SyncError(message or "同步授权无效，请联系区级管理员重新注册本工作站", code=code or "auth",
                             status=status, retry=False)
        if status >= 500:
            return SyncError(f"同步服务器内部错误（HTTP {status}），数据已保存在本机，稍后自动重试", code="server_error",
                             status=status)
        return SyncError(message or f"同步服务器拒绝了请求（HTTP {status}）", code=code or "http", status=status)

    # -- JSON replies checked against the protocol ------------------------------------------
    def json(self, method: str, path: str, model: type[BaseModel], **kw):
        return parse(self.body(method, path, **kw), model)

    def body(self, method: str, path: str, **kw) -> bytes:
        """The reply's body bytes (decoded from gzip), not yet parsed."""
        r = self.call(method, path, **kw)
        raw = r.content
        self.bytes_received += _wire_size(r, raw) + sum(len(k) + len(v) for k, v in r.headers.items())
        return raw


def parse(raw: bytes, model: type[BaseModel]):
    try:
        try:
            doc = orjson.loads(raw)  # fast path; anything it refuses gets the standard parser's verdict
        except orjson.JSONDecodeError:
            doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise SyncError("同步服务器返回的数据无法解析（不是完整的 JSON），本机数据未受影响，稍后重试",
                        code="bad_reply") from None
    try:
        return model.model_validate(doc)
    except PydanticError as e:
        where = ".".join(str(x) for x in e.errors()[0]["loc"]) if e.errors() else "?"
        raise SyncError(f"同步服务器返回的数据格式不正确（{where}），本机数据未受影响，稍后重试",
                        code="bad_reply") from None


def _wire_size(r: requests.Response, body: bytes) -> int:
    """Bytes of the body as they came over the network (compressed, if the server gzipped it)."""
    try:
        return int(r.raw.tell())
    except (AttributeError, TypeError, ValueError):
        return len(body)


def _short(e: Exception) -> str:
    text = str(e)
    return text if len(text) < 120 else text[:117] + "..."
