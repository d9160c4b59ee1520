"""Start-up checks (app/startup_checks.py): each failure an installed copy can meet gives a
clear Chinese message, and a healthy data directory gives none."""
from __future__ import annotations

import pytest

from app import launch, startup_checks
from app.desk import open_desk
from app.startup_checks import describe, run_checks
from app.store.crypto import open_store_raw


def test_fresh_and_existing_stores_pass(tmp_path):
    assert run_checks(tmp_path / "fresh") == []
    desk = open_desk(tmp_path / "store")
    desk.close()
    assert run_checks(tmp_path / "store") == []


def test_data_dir_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    problems = run_checks(tmp_path / "file" / "data")
    assert [p.key for p in problems] == ["data_dir"]
    assert "数据目录无法写入" in problems[0].message and "--data-dir" in problems[0].message
    assert describe(problems).startswith("镇街指挥台无法启动")


def test_low_disk_space(tmp_path, monkeypatch):
    monkeypatch.setattr(startup_checks, "MIN_FREE_BYTES", 1 << 62)
    problems = run_checks(tmp_path)
    assert problems and "磁盘空间不足" in problems[0].message


def test_missing_font(tmp_path, monkeypatch):
    monkeypatch.setattr(startup_checks, "resource_path", lambda *parts: tmp_path.joinpath("resources", *parts))
    problems = run_checks(tmp_path / "data")
    assert [p.key for p in problems] == ["fonts"]
    assert "缺少中文字体文件" in problems[0].message


def test_damaged_database(tmp_path):
    (tmp_path / "towndesk.sqlite3").write_bytes(b"this is not a database" * 100)
    problems = run_checks(tmp_path)
    assert [p.key for p in problems] == ["database"]
    assert "无法打开" in problems[0].message


def test_database_newer_than_the_program(tmp_path):
    open_desk(tmp_path).close()
    conn = open_store_raw(tmp_path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    problems = run_checks(tmp_path)
    assert [p.key for p in problems] == ["database"]
    assert "比本程序新" in problems[0].message


def test_missing_migration_scripts(tmp_path, monkeypatch):
    from app.store import migrate

    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path / "nowhere")
    problems = run_checks(tmp_path / "data")
    assert [p.key for p in problems] == ["database"]
    assert "找不到数据库升级脚本" in problems[0].message


def test_launch_shows_the_problems_instead_of_the_window(tmp_path, monkeypatch, capsys):
    pytest.importorskip("PySide6")
    import ui.main
    import ui.startup_notice

    shown = []
    monkeypatch.setattr(ui.startup_notice, "show_problems", lambda text: shown.append(text) or 1)
    monkeypatch.setattr(ui.main, "run_gui", lambda data_dir: pytest.fail("the window must not open"))
    (tmp_path / "file").write_text("x")
    assert launch.launch_gui(str(tmp_path / "file" / "data")) == 1
    assert shown and "数据目录无法写入" in shown[0]
    assert "数据目录无法写入" in capsys.readouterr().err
