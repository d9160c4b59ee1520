"""A broken or hostile server (garbage, truncated JSON, wrong types, 500s, timeouts, a hang): the
client keeps its data, reports a clear error, and the next round against a sane server works."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from app.cases import intake
from app.store.models import CaseAction
from app.sync.transport import SyncError
from tests.conftest import sample_case
from tests.sync.conftest import pending, sync, transport

BEHAVIOURS = {
    "garbage": (200, b"\x00\xffnot json at all"),
    "truncated": (200, b'{"results": [{"id": "x", "status": "acc'),
    "wrong_types": (200, b'{"results": "all good", "high": "many", "changes": 5, "next": null, "more": "no"}'),
    "wrong_verdicts": (200, b'{"results": [{"id": "not-sent", "status": "accepted"}], "high": 1}'),
    "error_500": (500, b"Internal Server Error"),
    "html_502": (502, b"<html>bad gateway</html>"),
    "hang": (None, b""),
}
EXPECT = {"garbage": "无法解析", "truncated": "无法解析", "wrong_types": "格式不正确", "wrong_verdicts": "不符",
          "error_500": "内部错误", "html_502": "内部错误", "hang": "超时"}


class Fake(BaseHTTPRequestHandler):
    behaviour = "garbage"

    def _reply(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, body = BEHAVIOURS[self.server.behaviour]
        if status is None:
            time.sleep(3)  # a server that accepts the connection and never answers in time
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _reply

    def log_message(self, *args):
        pass


@pytest.fixture
def fake():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()


def _actions(desk) -> int:
    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(CaseAction))


def test_broken_replies_keep_data_and_report_clearly(stations, server, fake):
    from app.sync.engine import run_round

    a = stations("A")
    for i in range(3):
        intake.take_in(a, a.actors["intake"], sample_case(title=f"离线{i}"))
    before_pending, before_actions = pending(a), _actions(a)
    fake_url = f"http://127.0.0.1:{fake.server_address[1]}"
    for name in EXPECT:
        fake.behaviour = name
        started = time.monotonic()
        with pytest.raises(SyncError) as e:
            run_round(a, transport=transport(a, server=fake_url, timeout=0.5, attempts=2))
        assert EXPECT[name] in e.value.message, (name, e.value.message)
        assert time.monotonic() - started < 5
        assert pending(a) == before_pending and _actions(a) == before_actions
        assert a.meta("sync.last_error") == e.value.message
    # the next round against the real server sends everything once
    out = sync(a)
    assert out["pushed"] == before_pending and out["rejected"] == 0 and pending(a) == 0
    assert a.meta("sync.last_error") == ""


def test_pull_page_with_bad_sequence_is_refused(stations, server, fake, monkeypatch):
    """A page whose sequence numbers go backwards is not applied."""
    import app.sync.pull as pull

    a = stations("A")
    BEHAVIOURS["backwards"] = (200, b'{"changes": [{"seq": 5, "entity": "unit", "id": "u1", "data": '
                                    b'{"owner_level": "town", "fields": {}}}, {"seq": 4, "entity": "unit", "id": "u2",'
                                    b' "data": {"owner_level": "town", "fields": {}}}], "next": 5, "more": false, '
                                    b'"high": 5}')
    fake.behaviour = "backwards"
    with pytest.raises(SyncError) as e:
        pull.pull_all(a, transport(a, server=f"http://127.0.0.1:{fake.server_address[1]}", timeout=1))
    assert "不正确" in e.value.message
