"""Encryption at rest (issue 13 item 1): the store, its WAL, backups and attachments hold no
readable personal data; the key lives outside the data dir; a plain store is converted on open
after a backup; permissions are private."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from app.admin import maintenance
from app.cases import attachments, intake
from app.cases.queries import show_case
from app.desk import open_desk
from app.store import crypto
from tests.conftest import FrozenClock, sample_case

NAME, PHONE = "欧阳锦绣", "13912345678"
NEEDLES = [NAME.encode(), NAME.encode("utf-16-le"), PHONE.encode(), "解放北路88号".encode()]


def leaks(path: Path) -> list[str]:
    data = path.read_bytes()
    return [n.decode("utf-8", "ignore") or repr(n) for n in NEEDLES if n in data]


def all_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def take_in_distinctive(desk, actors, tmp_path):
    photo = tmp_path / "现场.txt"
    photo.write_text(f"现场记录：{NAME} {PHONE} 解放北路88号", encoding="utf-8")
    data = sample_case(reporter={"name": NAME, "phone": PHONE},
                       location={"village": "V01", "address": "解放北路88号"},
                       description=f"{NAME}反映楼道堆物，联系电话{PHONE}")
    return intake.take_in(desk, actors["intake"], data, files=[str(photo)])


def test_store_wal_backup_and_attachments_hold_no_readable_personal_data(desk, actors, tmp_path):
    out = take_in_distinctive(desk, actors, tmp_path)
    wal = Path(f"{desk.db.path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the store is still open: the case is in the WAL
    assert leaks(wal) == [] and leaks(desk.db.path) == []
    backup = maintenance.backup(desk, tmp_path / "out" / "b.tdbak")
    assert leaks(backup) == []
    files = all_files(desk.attachments_dir)
    assert files and all(leaks(f) == [] for f in files)
    shown = show_case(desk, actors["director"], out["case_no"])
    assert shown["reporter"]["name"] == NAME or NAME in json.dumps(shown, ensure_ascii=False)
    sha = shown["attachments"][0]["sha256"]
    assert NAME.encode() in attachments.read_blob(desk, sha)  # readable through the program
    for f in all_files(desk.root):
        assert leaks(f) == [], f


def test_the_key_is_outside_the_data_dir_and_files_are_private(desk):
    root = desk.root
    assert (root / crypto.KEY_ID_FILE).exists()
    key_file = crypto.key_dir() / f"{crypto.key_id(root)}.key"
    assert key_file.is_file() and root not in key_file.parents
    assert desk.db.key == bytes.fromhex(key_file.read_text().strip())
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        assert stat.S_IMODE(desk.db.path.stat().st_mode) == 0o600
    assert not crypto.is_plain_sqlite(desk.db.path)


def test_without_its_key_the_store_does_not_open(tmp_path):
    d = open_desk(tmp_path / "s", clock=FrozenClock())
    d.close()
    key_file = crypto.key_dir() / f"{crypto.key_id(tmp_path / 's')}.key"
    key_file.rename(key_file.with_suffix(".away"))
    try:
        with pytest.raises(crypto.KeyMissing, match="密钥"):
            open_desk(tmp_path / "s")
        import sqlite3

        con = sqlite3.connect(tmp_path / "s" / "towndesk.sqlite3")
        with pytest.raises(sqlite3.DatabaseError):
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.close()
    finally:
        key_file.with_suffix(".away").rename(key_file)


def test_a_plain_store_is_encrypted_on_open_after_a_backup(tmp_path, actors):
    from app.demo.loader import load_demo

    root = tmp_path / "plain"
    plain = open_desk(root, clock=FrozenClock(), encrypt=False)
    assert plain.db.key is None
    load_demo(plain, 20, seed=3)
    take_in_distinctive(plain, actors, tmp_path)
    (root / "backups").mkdir(exist_ok=True)
    import shutil

    plain.close()
    shutil.copy2(root / "towndesk.sqlite3", root / "backups" / "old-plain.sqlite3")  # what old versions wrote
    assert crypto.is_plain_sqlite(root / "towndesk.sqlite3")
    assert any(leaks(f) for f in all_files(root / "attachments"))

    desk = open_desk(root, clock=FrozenClock())
    try:
        assert desk.db.key is not None and not crypto.is_plain_sqlite(desk.db.path)
        backups = sorted(p.name for p in (root / "backups").iterdir())
        assert any(n.startswith("pre-encrypt-") and n.endswith(".tdbak") for n in backups)
        assert "old-plain.tdbak" in backups and "old-plain.sqlite3" not in backups
        for f in all_files(root):
            assert leaks(f) == [], f
        from app.cases.queries import list_cases

        assert list_cases(desk, actors["admin"], {"q": NAME})["total"] == 1
        assert list_cases(desk, actors["admin"], {})["total"] == 21
    finally:
        desk.close()
