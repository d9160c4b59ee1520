"""``towndesk lan serve``: this workstation becomes its centre's relay.

The HTTP side (app/lan/service.py) answers the peers. Beside it, every ``interval`` seconds:
1. the workstation syncs with its own relay like any peer (its own actions join the relay's log
   in order with the others'; the others' come into its store);
2. when the district answers again: the relay hands on its log (app/lan/handon.py), then the
   workstation runs its ordinary district round (its own entries get their stored verdicts back,
   the district's order comes down).
"""
from __future__ import annotations

import logging
import os
import threading

from app.lan import discovery
from app.lan.handon import hand_on
from app.lan.peer import run_peer_round
from app.lan.service import start
from app.sync import state as st
from app.sync.engine import run_round
from app.sync.transport import SyncError, Transport

log = logging.getLogger("towndesk.lan")


def local_url(host: str, port: int) -> str:
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '', '::') else host}:{port}"


def upstream(desk) -> dict | None:
    """Hand on the relay's log and run the district round; None when the district is unreachable."""
    if not desk.meta("sync.server"):
        return None
    t = Transport(st.settings(desk))
    try:
        with st.round_lock(desk.root):
            handed = hand_on(desk, t)
        return {"hand_on": handed, "round": run_round(desk, transport=t)}
    except SyncError as e:
        log.info("district not reached: %s", e.message)
        return None


def tick(desk, url: str) -> dict:
    out: dict = {}
    for name, work in (("self", lambda: run_peer_round(desk, url)), ("district", lambda: upstream(desk)),
                       ("self_after", lambda: run_peer_round(desk, url))):
        try:
            out[name] = work()
        except Exception as e:  # noqa: BLE001 — the relay keeps serving whatever one step did
            log.warning("relay step %s failed: %s", name, e)
            out[name] = {"error": str(e)}
    return out


def serve(desk, host: str, port: int, interval: float = 15.0, stop: threading.Event | None = None,
          on_ready=None, announce: bool = True) -> None:
    srv, thread = start(desk, host, port)
    stop = stop or threading.Event()
    url = local_url(host, srv.server_address[1])
    ad = discovery.advertise(desk.meta("town_code"), desk.meta("workstation") or "", desk.device_id or "", host,
                             srv.server_address[1]) if announce and not os.environ.get("TOWNDESK_NO_ZEROCONF") else None
    if on_ready:
        on_ready(srv)
    try:
        while not stop.is_set():
            tick(desk, url)
            stop.wait(interval)
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)
        if ad is not None:
            ad.close()
