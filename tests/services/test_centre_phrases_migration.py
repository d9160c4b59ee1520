"""Migration 0011: the centre's phrases kept in ``phrases`` (owner NULL) before move to the synced
``centre_phrases`` table; personal ones stay where they were."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.reference import phrases
from app.store import migrate
from tests.conftest import load_actors


def test_centre_phrases_move_to_the_synced_table(desk):
    engine = desk.db.engine
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010_phrases_handovers")
        conn.execute(text("INSERT INTO phrases (field, owner, text, keys, uses, created_at) VALUES "
                          "('urge', NULL, '请今日反馈。', 'qjrfk', 3, '2026-12-01T01:00:00+00:00'), "
                          "('urge', 'intake', '我的督办语。', 'wddby', 0, '2026-12-01T01:00:00+00:00')"))
    assert migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM phrases")).scalars().all() == ["我的督办语。"]
        moved = conn.execute(text("SELECT code, name, owner_level, deleted, field, text, uses FROM centre_phrases")).all()
    assert len(moved) == 1 and moved[0][1:] == ("请今日反馈。", "town", 0, "urge", "请今日反馈。", 3)
    actor = load_actors(desk)["intake"]
    assert {p["text"]: p["scope"] for p in phrases.list_phrases(desk, actor, "urge")} == {
        "我的督办语。": "mine", "请今日反馈。": "centre"}
