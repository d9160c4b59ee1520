"""Attachments: metadata travels with the attach action; bytes go in resumable, verified chunks;
a town can only read the blobs its own actions name."""
from __future__ import annotations

import hashlib
import os

import requests

from app.cases import intake
from app.cases.attachments import attach, blob_path, read_blob
from app.sync import protocol as P
from app.sync.files import upload_pending
from tests.conftest import sample_case
from tests.sync.conftest import sync, transport


def test_upload_resumes_and_other_station_downloads(stations, server, tmp_path):
    a, b = stations("A"), stations("B", fresh=True)
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    data = os.urandom(300 * 1024 + 17)
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "photo.jpg").write_bytes(data)
    attach(a, a.actors["intake"], no, tmp_path / "photo.jpg")
    out = sync(a, files=False)  # record sync does not wait for files
    assert out["accepted"] == 2 and out["files"] == {}
    # a first chunk arrives, then the connection "drops"
    t = transport(a)
    t.json("PUT", f"{P.API}/blobs/{sha}", P.BlobState, data=data[:65536], params={"offset": 0, "size": len(data)})
    state = t.json("GET", f"{P.API}/blobs/{sha}/state", P.BlobState)
    assert (state.offset, state.complete) == (65536, False)
    up = upload_pending(a, t)  # continues from the server's offset
    assert up["uploaded"] == 1 and up["upload_bytes"] == len(data) - 65536
    assert (server.root / "blobs" / sha[:2] / sha).read_bytes() == data
    down = sync(b)["files"]
    assert down["downloaded"] == 1 and read_blob(b, sha) == data
    assert data[:4096] not in blob_path(b, sha).read_bytes()  # kept sealed on the receiving station
    assert not list(blob_path(b, sha).parent.glob("*.part"))
    # town QL may neither read nor upload the bytes FS's actions name
    q = stations("Q", fresh=True, town="QL")
    hq = transport(q).headers()
    assert requests.get(f"{server.url}{P.API}/blobs/{sha}", headers=hq, timeout=5).status_code == 404
    assert requests.get(f"{server.url}{P.API}/blobs/{sha}/state", headers=hq, timeout=5).status_code == 404


def test_corrupt_upload_is_discarded(stations, server, tmp_path):
    a = stations("A")
    no = intake.take_in(a, a.actors["intake"], sample_case())["case_no"]
    data = os.urandom(70000)
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "doc.pdf").write_bytes(data)
    attach(a, a.actors["intake"], no, tmp_path / "doc.pdf")
    sync(a, files=False)
    t = transport(a)
    r = requests.put(f"{server.url}{P.API}/blobs/{sha}", params={"offset": 0, "size": len(data)},
                     data=b"x" * len(data), headers=t.headers(), timeout=5)
    assert r.status_code == 422 and "哈希" in r.json()["error"]["message"]
    assert upload_pending(a, t)["uploaded"] == 1
    assert (server.root / "blobs" / sha[:2] / sha).read_bytes() == data
