"""Repeat petition (重复件) detection: same caller, or same place with a similar description.

Pure: callers load the recent cases and pass them in as :class:`Candidate` objects.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Probe", "Candidate", "similarity", "normalize_text", "find_repeats"]


def normalize_text(text: str | None) -> str:
    """NFKC-fold, lowercase, and drop whitespace, punctuation (ASCII and CJK) and symbols."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


def _bigrams(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def similarity(a: str | None, b: str | None) -> float:
    """Dice coefficient over character bigrams (multiset) of the normalised texts, in [0, 1].

    Either text empty after normalisation -> 0.0; equal normalised texts -> 1.0 (also for a
    single character, which has no bigram).
    """
    x, y = normalize_text(a), normalize_text(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    bx, by = _bigrams(x), _bigrams(y)
    total = sum(bx.values()) + sum(by.values())
    if total == 0:
        return 0.0
    return 2 * sum((bx & by).values()) / total


@dataclass(frozen=True)
class Probe:
    """The new case being checked."""

    phone: str | None
    text: str
    village: str | None
    grid: str | None
    address: str | None
    at: datetime


@dataclass(frozen=True)
class Candidate:
    """An earlier case that might be the same matter."""

    case_no: str
    phone: str | None
    text: str
    village: str | None
    grid: str | None
    address: str | None
    at: datetime


def _phone_key(phone: str | None) -> str:
    """Digits only, without a leading 86 country code on a 13-digit mobile; "" if none."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def _address_key(address: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", address or ""))


def _same_place(p: Probe, c: Candidate) -> bool:
    """Same grid if both have one, else same village if both have one, else same address."""
    if p.grid and c.grid:
        return p.grid == c.grid
    if p.village and c.village:
        return p.village == c.village
    pa, ca = _address_key(p.address), _address_key(c.address)
    return bool(pa) and pa == ca


def find_repeats(
    probe: Probe,
    candidates: Iterable[Candidate],
    window_days: float = 30,
    threshold: float = 0.6,
) -> list[str]:
    """Case numbers of likely repeats of ``probe``, most recent first, each once.

    A candidate counts when ``probe.at - window_days <= candidate.at <= probe.at`` and either
    its phone equals the probe's (non-empty, compared by digits) or it is at the same place
    (see :func:`_same_place`) with ``similarity(texts) >= threshold``.
    """
    since = probe.at - timedelta(days=window_days)
    probe_phone = _phone_key(probe.phone)
    hits: dict[str, datetime] = {}
    for c in candidates:
        if not (since <= c.at <= probe.at):
            continue
        same_caller = bool(probe_phone) and _phone_key(c.phone) == probe_phone
        if same_caller or (_same_place(probe, c) and similarity(probe.text, c.text) >= threshold):
            if c.case_no not in hits or c.at > hits[c.case_no]:
                hits[c.case_no] = c.at
    return [no for no, _ in sorted(hits.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)]
