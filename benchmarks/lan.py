"""The centre on its own LAN (issue 15): one round of 3 workstations through a relay with 100
changes, printed as JSON (docs/PERFORMANCE.md, "The centre on its own LAN").

    .venv/bin/python benchmarks/lan.py [--changes 100] [--repeat 3]

A real district server (subprocess, loopback) enrols A, B and C, then stops; A serves the relay
(its HTTP side in this process, as ``lan serve`` runs it); B and C each make half of the changes
(intakes and dispatches, through the services) and sync with ``--peer``'s code; A syncs with its
own relay; B syncs again, so that every workstation holds all 100. Baseline in the same run: the
same kind of round (B and C push, then pull the other's) against the district server.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _changes(desk, n: int, tag: str) -> None:
    from app.cases import dispatch, intake
    from tests.conftest import load_actors, sample_case

    actors = load_actors(desk)
    for i in range(n // 2):
        no = intake.take_in(desk, actors["intake"], sample_case(title=f"{tag}{i}",
                                                                reporter={"name": "王五", "phone": f"1390000{i:04d}"}))
        dispatch.dispatch(desk, actors["dispatcher"], no["case_no"], "D01")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--changes", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    import os

    os.environ.setdefault("TOWNDESK_KEYRING", "0")
    os.environ.setdefault("TOWNDESK_KEY_DIR", tempfile.mkdtemp(prefix="towndesk-bench-keys-"))
    from app.desk import open_desk
    from app.lan.peer import run_peer_round
    from app.lan.service import start
    from app.sync.engine import run_round
    from app.sync.enroll import enroll
    from tests.conftest import _build_template
    from tests.sync.conftest import Server, fast

    work = Path(tempfile.mkdtemp(prefix="towndesk-lanbench-"))
    out: dict = {"changes": args.changes, "runs": []}
    try:
        template = _build_template(work / "tpl", 0)
        for run in range(args.repeat):
            server = Server(work / f"server{run}", hooks=False)
            server.start()
            desks = {}
            for name in "ABC":
                root = work / f"{name}{run}"
                if name == "A":
                    shutil.copytree(template, root)
                desk = open_desk(root, backup=False)
                if name == "A":
                    from app.domain.ids import new_id

                    with desk.db.tx() as s:
                        desk.set_meta(s, "device_id", new_id())
                fast(desk, timeout=30.0)  # no automatic dispatch: the benchmark dispatches itself
                enroll(desk, server.url, server.code("FS"), sync=False)
                desks[name] = desk
            for name in "ABCA":
                run_round(desks[name], files=False)
            a, b, c = desks["A"], desks["B"], desks["C"]
            # baseline: the same kind of round against the district
            _changes(b, args.changes // 2, f"区级乙{run}-")
            _changes(c, args.changes // 2, f"区级丙{run}-")
            t0 = time.perf_counter()
            for d in (b, c, b):
                run_round(d, files=False)
            district = time.perf_counter() - t0
            for d in (a, b, c):
                run_round(d, files=False)
            server.kill()
            srv, thread = start(a, "127.0.0.1", 0)
            try:
                _changes(b, args.changes // 2, f"乙{run}-")
                _changes(c, args.changes // 2, f"丙{run}-")
                t0 = time.perf_counter()
                rb = run_peer_round(b, srv.url)
                rc = run_peer_round(c, srv.url)
                ra = run_peer_round(a, srv.url)
                rb2 = run_peer_round(b, srv.url)
                lan = time.perf_counter() - t0
            finally:
                srv.shutdown()
                srv.server_close()
                thread.join(5)
            out["runs"].append({"lan_round_seconds": round(lan, 3), "district_round_seconds": round(district, 3),
                                "lan_over_district": round(lan / district, 2),
                                "pushed": rb["pushed"] + rc["pushed"], "pulled_by_a": ra["pulled"],
                                "pulled_by_b": rb2["pulled"], "digest_equal": rb2["digest"]["equal"]})
            for d in desks.values():
                d.close()
            server.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
