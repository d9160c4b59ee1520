"""The workstation's choice of centre relay (the window's 局域网中继 dialog): remembered in
``meta`` ``lan.peer``; the window's background round falls back to it while the district cannot be
reached (ui/sync_controller.py)."""
from __future__ import annotations

from urllib.parse import urlsplit

from app.errors import ValidationError
from app.lan import discovery
from app.store.audit import audit


def find_relays(desk, seconds: float = 2.0) -> list[dict]:
    """Relays of this workstation's town announced on the LAN (zeroconf), itself left out."""
    return [r for r in discovery.browse(seconds, town=desk.meta("town_code")) if r.get("device") != desk.device_id]


def set_peer(desk, who: str, url: str | None) -> dict:
    """Remember (or, with an empty url, forget) the relay to fall back to; audited."""
    url = (url or "").strip().rstrip("/")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError("中继地址应形如 http://192.168.1.20:8710", field="peer")
    with desk.db.tx() as s:
        desk.set_meta(s, "lan.peer", url)
        audit(s, desk, who, "lan.peer", url[:60] or "-", {})
    return {"peer": url or None}
