"""The command-line contract: ``towndesk lan serve [--host H] [--port P]`` and ``towndesk sync
--peer URL [--json]`` with the same JSON keys as ``sync``; bad input exits 2 with a Chinese
message and writes nothing."""
from __future__ import annotations

import json

from app.cases import intake
from tests.conftest import sample_case
from tests.lan.conftest import sign_in
from tests.lan.test_relay_kill import RelayProcess
from tests.sync.conftest import cli, free_port, sync

SYNC_KEYS = {"pushed", "accepted", "rejected", "pulled", "conflicts", "new_conflicts", "quarantined",
             "new_quarantined", "files", "pending", "digest", "repaired", "requests", "bytes_sent",
             "bytes_received", "seconds"}


def test_lan_serve_and_sync_peer_from_the_command_line(stations, server):
    a, b = stations("A"), stations("B", fresh=True)
    sync(a)
    district = cli("sync", "--json", data_dir=b.root)
    assert district.returncode == 0, district.stderr
    assert set(json.loads(district.stdout)) == SYNC_KEYS | {"anchor", "restored", "digest_before_repair"}
    sign_in(a, b)
    server.kill()
    relay = RelayProcess(a.root, free_port())
    relay.start()
    try:
        intake.take_in(b, b.actors["intake"], sample_case(title="断网受理"))
        r = cli("sync", "--peer", relay.url, "--json", data_dir=b.root)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert set(out) >= SYNC_KEYS and out["pushed"] == 1 and out["accepted"] == 1
        text = cli("sync", "--peer", relay.url, data_dir=b.root)
        assert text.returncode == 0 and "局域网中继同步完成" in text.stdout
        # bad input: exit 2, a Chinese message naming the field
        bad = cli("sync", "--peer", "ftp://x", data_dir=b.root)
        assert bad.returncode == 2 and "中继地址" in bad.stderr
        both = cli("sync", "--peer", relay.url, "--server", relay.url, data_dir=b.root)
        assert both.returncode == 2 and "--peer" in both.stderr
        port = cli("lan", "serve", "--port", "99999", data_dir=a.root)
        assert port.returncode == 2 and "端口" in port.stderr
        taken = cli("lan", "serve", "--host", "127.0.0.1", "--port", str(relay.port), data_dir=a.root)
        assert taken.returncode == 2 and "端口" in taken.stderr
        not_relay = cli("sync", "--peer", f"http://127.0.0.1:{free_port()}", data_dir=b.root)
        assert not_relay.returncode == 2 and "无法连接" in not_relay.stderr
    finally:
        relay.kill()
