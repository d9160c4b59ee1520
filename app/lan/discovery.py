"""Finding the centre relay on the LAN by zeroconf (mDNS/DNS-SD, service ``_towndesk._tcp``).
``lan serve`` advertises the relay with its town and workstation; the sync settings dialog lists
what ``browse`` finds. The ``zeroconf`` package is imported only here, when used."""
from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger("towndesk.lan")
SERVICE = "_towndesk._tcp.local."


def _interfaces(given: list[str] | None) -> list[str] | None:
    """Given ones, else ``TOWNDESK_ZEROCONF_INTERFACES`` (comma-separated; tests use 127.0.0.1 so
    that nothing leaves the machine), else every interface."""
    if given:
        return given
    env = os.environ.get("TOWNDESK_ZEROCONF_INTERFACES", "").strip()
    return [x.strip() for x in env.split(",") if x.strip()] or None


def _addresses(host: str) -> list[bytes]:
    if host and host not in ("0.0.0.0", "::", ""):
        return [socket.inet_aton(socket.gethostbyname(host))]
    try:
        return [socket.inet_aton(socket.gethostbyname(socket.gethostname()))]
    except OSError:
        return [socket.inet_aton("127.0.0.1")]


class Advertised:
    """The relay's announcement; ``close()`` withdraws it."""

    def __init__(self, zc, info):
        self.zc, self.info = zc, info

    def close(self) -> None:
        try:
            self.zc.unregister_service(self.info)
        finally:
            self.zc.close()


def advertise(town: str, workstation: str, device: str, host: str, port: int,
              interfaces: list[str] | None = None) -> Advertised | None:
    """Announce the relay; None (logged) when zeroconf is missing or the network refuses."""
    try:
        from zeroconf import ServiceInfo, Zeroconf
    except ImportError:
        log.warning("zeroconf not installed: the relay is not announced on the LAN")
        return None
    interfaces = _interfaces(interfaces)
    try:
        zc = Zeroconf(interfaces=interfaces) if interfaces else Zeroconf()
        info = ServiceInfo(SERVICE, f"towndesk-{town}-{workstation}.{SERVICE}", addresses=_addresses(host),
                           port=port, properties={"town": town, "workstation": workstation, "device": device},
                           server=f"towndesk-{town}-{workstation}.local.")
        zc.register_service(info)
        return Advertised(zc, info)
    except (OSError, ValueError) as e:
        log.warning("relay not announced on the LAN: %s", e)
        return None


def browse(seconds: float = 2.0, town: str | None = None, interfaces: list[str] | None = None) -> list[dict]:
    """Relays answering within ``seconds``: [{name, url, town, workstation, device}]."""
    try:
        from zeroconf import ServiceBrowser, Zeroconf
    except ImportError:
        return []
    found: dict[str, dict] = {}
    interfaces = _interfaces(interfaces)

    class Listener:
        def add_service(self, zc, type_, name):
            info = zc.get_service_info(type_, name, timeout=1000)
            if info is None:
                return
            props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
            addresses = info.parsed_addresses()
            if not addresses:
                return
            found[name] = {"name": name.removesuffix("." + SERVICE), "url": f"http://{addresses[0]}:{info.port}",
                           "town": props.get("town"), "workstation": props.get("workstation"),
                           "device": props.get("device")}

        def update_service(self, zc, type_, name):
            self.add_service(zc, type_, name)

        def remove_service(self, zc, type_, name):
            found.pop(name, None)

    try:
        zc = Zeroconf(interfaces=interfaces) if interfaces else Zeroconf()
    except OSError as e:
        log.warning("cannot look for relays: %s", e)
        return []
    try:
        ServiceBrowser(zc, SERVICE, Listener())
        time.sleep(seconds)
    finally:
        zc.close()
    return [r for r in found.values() if town is None or r["town"] == town]
