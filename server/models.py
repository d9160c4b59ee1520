"""District server tables. Every row that belongs to a town carries the town code; requests are
scoped to the calling device's town. JSON documents are kept as canonical text."""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Town(Base):
    """A town and its change log head: last sequence number and the accepted-action digest."""

    __tablename__ = "towns"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    min_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # changes at or below are no longer served
    digest_count: Mapped[int] = mapped_column(BigInteger, default=0)
    digest_xor: Mapped[int] = mapped_column(BigInteger, default=0)  # signed 64-bit XOR of id hashes
    district_cases: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(String(40))
    # the device whose enrolment seeded the town's users (the directory's founding copy)
    directory_device: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Device(Base):
    """An enrolled workstation. The token is stored hashed; ``chain_hash`` is the rolling secret
    that ties the token to one database's sync history (a restored copy falls behind)."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    town: Mapped[str] = mapped_column(String(8), index=True)
    workstation: Mapped[str] = mapped_column(String(6))
    db_id: Mapped[str] = mapped_column(String(36))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    chain_hash: Mapped[str] = mapped_column(String(64))
    hostname: Mapped[str | None] = mapped_column(String(100), nullable=True)
    enrolled_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_push_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    public_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # Ed25519 (base64): signs pushes
    high_at: Mapped[str | None] = mapped_column(String(40), nullable=True)  # latest action time it pushed
    # a unit workstation holds only the cases this unit handles or co-handles (server/scope.py)
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (UniqueConstraint("town", "workstation", name="uq_devices_town_workstation"),)


class EnrollCode(Base):
    __tablename__ = "enroll_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    town: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)  # enrols a unit workstation


class Action(Base):
    """An accepted case action (the district's copy of the log); ``seq`` is the town's order."""

    __tablename__ = "actions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    town: Mapped[str] = mapped_column(String(8))
    case_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[str] = mapped_column(String(36))
    hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_actions_town_case", "town", "case_id", "seq"),)


class Case(Base):
    """The server's fold of each case, used to judge the next action."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    town: Mapped[str] = mapped_column(String(8))
    case_no: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    fold: Mapped[str] = mapped_column(Text)
    last_seq: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("town", "case_no", name="uq_cases_town_no"),
                      Index("ix_cases_town_state", "town", "state"))


class Record(Base):
    """A reference record. ``scope`` is the town code, or '*' for district-owned records."""

    __tablename__ = "records"
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    owner_level: Mapped[str] = mapped_column(String(10))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[str] = mapped_column(Text)


class Change(Base):
    """The town's change log: what pulling clients read after their cursor."""

    __tablename__ = "changes"
    town: Mapped[str] = mapped_column(String(8), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(36))
    data: Mapped[str] = mapped_column(Text)
    received_at: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the server's receipt time


class Received(Base):
    """Every pushed entry and its verdict, so that a resent entry gets the same answer back.
    Rejected actions stay here with their reason."""

    __tablename__ = "received"
    town: Mapped[str] = mapped_column(String(8), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(36))
    hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    http: Mapped[int] = mapped_column(Integer)
    server_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))


class AuditEntry(Base):
    """The district audit: enrolments, refused enrolments, revocations, refused forgeries,
    backdated actions, voided changes, user changes (``towndesk-server audit``)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                    autoincrement=True)
    town: Mapped[str | None] = mapped_column(String(8), nullable=True)
    at: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    device: Mapped[str | None] = mapped_column(String(36), nullable=True)
    actor: Mapped[str | None] = mapped_column(String(32), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(80), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_audit_town_at", "town", "at"),)


class DirectoryEntry(Base):
    """The town's user directory over time: one row per user change (role, unit, active), in force
    from ``valid_from`` (server time). The server judges an action with its actor's entry as of
    the action's time. The current record (name, password hash) is the user's ``records`` row."""

    __tablename__ = "directory"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                    autoincrement=True)
    town: Mapped[str] = mapped_column(String(8))
    username: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[str] = mapped_column(String(40))
    changed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)

    __table_args__ = (Index("ix_directory_town_user", "town", "username", "valid_from"),)


class Blob(Base):
    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[str] = mapped_column(String(40))


class TownBlob(Base):
    """A town may upload and read the bytes of the attachments its accepted actions name."""

    __tablename__ = "town_blobs"
    town: Mapped[str] = mapped_column(String(8), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)


class UserKey(Base):
    """A user's signing key on one device, registered at an online login there after the server
    checked the user's password. An action of that user pushed with this key's signature is the
    user's own; kept after later logins so that work signed before still verifies."""

    __tablename__ = "user_keys"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                    autoincrement=True)
    town: Mapped[str] = mapped_column(String(8))
    username: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(36))
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("town", "username", "public_key", name="uq_user_keys_town_user_key"),)


class ChainAnchor(Base):
    """A workstation's hash-chain head as last anchored by a sync (server/anchors.py): one row per
    device and log, moved on only by a request that proves the chain through the previous one."""

    __tablename__ = "chain_anchors"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    log: Mapped[str] = mapped_column(String(20), primary_key=True)
    town: Mapped[str] = mapped_column(String(8))
    seq: Mapped[int] = mapped_column(BigInteger)
    chain: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[str] = mapped_column(String(40))
