"""Shared fixtures: a fresh store per test (copied from a session template), a frozen clock,
the demo users as actors. Qt runs offscreen."""
from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Store keys (app.store.crypto) go to a throw-away folder, never the OS keyring or ~/.config.
os.environ.setdefault("TOWNDESK_KEYRING", "0")
os.environ.setdefault("TOWNDESK_KEY_DIR", tempfile.mkdtemp(prefix="towndesk-test-keys-"))

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 2026-11-27 10:00 in Shanghai: the default "now" of every test store.
DEFAULT_NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)


class FrozenClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = DEFAULT_NOW):
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when

    def advance(self, **kw) -> datetime:
        self.current += timedelta(**kw)
        return self.current


def _build_template(root: Path, cases: int) -> Path:
    from app.demo.loader import load_demo
    from app.desk import open_desk

    desk = open_desk(root, clock=FrozenClock())
    load_demo(desk, cases, seed=7)
    desk.close()
    return root


@pytest.fixture(scope="session")
def _template_empty(tmp_path_factory) -> Path:
    return _build_template(tmp_path_factory.mktemp("tpl_empty"), 0)


@pytest.fixture(scope="session")
def _template_demo(tmp_path_factory) -> Path:
    return _build_template(tmp_path_factory.mktemp("tpl_demo"), 300)


def _copy_store(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def desk(_template_empty, tmp_path, clock):
    """The demo town's reference data, no cases, frozen clock."""
    from app.desk import open_desk

    d = open_desk(_copy_store(_template_empty, tmp_path / "store"), clock=clock)
    yield d
    d.close()


@pytest.fixture
def demo_desk(_template_demo, tmp_path, clock):
    """The demo town with 300 generated cases, frozen clock."""
    from app.desk import open_desk

    d = open_desk(_copy_store(_template_demo, tmp_path / "store"), clock=clock)
    yield d
    d.close()


@pytest.fixture
def actors(desk):
    return load_actors(desk)


def load_actors(desk) -> dict:
    """Actors for the demo users, keyed by username (intake, dispatcher, director, unit, admin...)."""
    from sqlalchemy import select

    from app.reference.users import actor_of
    from app.store.models import User

    with desk.db.read() as s:
        return {u.code: actor_of(u) for u in s.scalars(select(User))}


def sample_case(**over) -> dict:
    """A valid intake input (CLI contract keys); override any key."""
    data = {
        "channel": "visit", "type": "help", "title": "楼上漏水邻里纠纷",
        "description": "张三反映楼上住户卫生间漏水，多次协商未果，请求社区调解。",
        "reporter": {"name": "张三", "phone": "13800001111", "id_no": "11010519491231002X"},
        "category": "PA0101", "location": {"village": "V01", "address": "卧龙社区解放北路1号"},
    }
    data.update(over)
    return data
