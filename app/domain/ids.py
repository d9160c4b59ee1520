"""Identifiers: UUIDv7 row ids, stable ids for reference records, human case numbers."""
from __future__ import annotations

import re
import uuid
from datetime import date

import uuid_utils

# Namespace for reference records loaded from resources/: same code -> same id on every store.
REFERENCE_NAMESPACE = uuid.UUID("6d1f3a52-6c2e-4a9b-9f0e-7f1f0a5e2b11")
CASE_NO_RE = re.compile(r"^[A-Z0-9]{1,8}-\d{8}-[A-Z0-9]{1,6}-\d{4,}$")


def new_id() -> str:
    """A time-ordered UUIDv7, generated where the row is created (offline safe)."""
    return str(uuid_utils.uuid7())


def stable_id(kind: str, code: str) -> str:
    """A deterministic id for a reference record (kind + code)."""
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{code}"))


def case_no(town: str, day: date, workstation: str, seq: int) -> str:
    """``<town>-<yyyymmdd>-<workstation>-<4-digit seq>``: unique without the network."""
    return f"{town}-{day:%Y%m%d}-{workstation}-{seq:04d}"
