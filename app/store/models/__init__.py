"""SQLAlchemy models of the local store.

Reference records (units, grids, staff, categories, rules, users) carry a stable id derived from
their code, an owning level and a tombstone flag, so that two stores loaded from the same files
agree record for record and sync can merge them. Each synced model names its type in
app.domain.entities with ``__entity__`` (app.sync.records finds it by that name). ``cases`` is a
materialized view of ``case_actions`` (see app.domain.casefold); it has an integer rowid for
full-text search.

One module per area; importing this package registers every model (the mapper registry, Alembic's
autogenerate and app.sync.records need them all).
"""
from app.store.models.base import Base, RefMixin
from app.store.models.bookkeeping import (
    ActionSignature,
    AuditEntry,
    OutboxEntry,
    Quarantined,
    SyncState,
    UserKey,
)
from app.store.models.cases import Attachment, Case, CaseAction, CaseCounter, CohandleTask
from app.store.models.desk import CentrePhrase, Handover, Phrase
from app.store.models.emergency import (
    Emergency,
    EmergencyReceipt,
    EmergencyTask,
    EmergencyTeamMember,
    Evacuee,
)
from app.store.models.grids import GridAdmission, GridReport, PointsEntry
from app.store.models.lan import LanCase, LanEntry, LanVerdict
from app.store.models.mediation import Backlog, BacklogStep, Dispute, MediationSession, Mediator
from app.store.models.reference import (
    CalendarDay,
    Category,
    Grid,
    Holiday,
    Meta,
    Rule,
    Staff,
    Town,
    TownDevice,
    Unit,
    User,
)
from app.store.models.risk import (
    Assessment,
    AssessmentOpinion,
    Inspection,
    InspectionProblem,
    Risk,
    RiskDecision,
    RiskStep,
)

__all__ = [
    "Base", "RefMixin", "Meta", "Town", "Unit", "Grid", "Staff", "Category", "Rule", "User", "Holiday",
    "CalendarDay", "TownDevice", "Case", "CaseAction", "CohandleTask", "Attachment", "CaseCounter",
    "AuditEntry", "OutboxEntry", "SyncState", "Quarantined", "UserKey", "ActionSignature", "Phrase",
    "CentrePhrase", "Handover", "Emergency", "EmergencyTask", "EmergencyReceipt", "Evacuee",
    "EmergencyTeamMember", "Mediator", "Dispute", "MediationSession", "Backlog", "BacklogStep", "GridReport",
    "PointsEntry", "GridAdmission", "Risk", "RiskStep", "RiskDecision", "Assessment", "AssessmentOpinion",
    "Inspection", "InspectionProblem", "LanEntry", "LanVerdict", "LanCase",
]
