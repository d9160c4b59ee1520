"""Risk-area helpers: counting what a write left behind (records, audit, outbox), and a page
context with synchronous tasks."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.sync.conftest import server, stations  # noqa: F401 — the real district server fixtures (test_sync)


def counts(desk) -> dict:
    """Rows of every table a risk-area write touches (to prove a refused write left nothing)."""
    from app.store import models as m

    with desk.db.read() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in (
            m.Risk, m.RiskStep, m.RiskDecision, m.Assessment, m.AssessmentOpinion, m.Inspection, m.InspectionProblem,
            m.AuditEntry, m.OutboxEntry)}


def queued(desk) -> list[tuple[str, str]]:
    from app.store.models import OutboxEntry

    with desk.db.read() as s:
        return [(e.entity, e.entity_id) for e in s.scalars(select(OutboxEntry).order_by(OutboxEntry.created_at))]


RISK = {"source": "grid_report", "type": "矛盾纠纷", "title": "卧龙社区两户宅基地纠纷",
        "description": "两户因宅基地边界多次争吵，有激化苗头。", "village": "V01", "persons": 6, "level": "medium"}


@pytest.fixture
def make_ctx(qapp, tmp_path):
    made = []

    def make(desk, username: str = "director"):
        from tests.conftest import load_actors
        from ui.bus import EventBridge
        from ui.context import UiContext, make_settings
        from ui.tasks import TaskManager

        ctx = UiContext(desk=desk, actor=load_actors(desk)[username], tasks=TaskManager(synchronous=True),
                        bus=EventBridge(), settings=make_settings(str(tmp_path / f"{len(made)}.ini")))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.bus.close()
        ctx.tasks.shutdown()
