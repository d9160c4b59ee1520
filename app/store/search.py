"""Chinese full-text search: FTS5 over overlapping character bigrams (see TOOLCHAIN.md).

Text is split into runs of letters/digits/CJK; each run of length >= 2 becomes its overlapping
bigrams, a run of one character stays a unigram. A query is turned into the same bigrams and
matched as a phrase per run, so 2-character names (张三) and phone fragments (5678) are found.
One-character queries fall back to LIKE over the text columns.
"""
from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FTS_TABLE = "case_fts"
CREATE_FTS = f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(body, tokenize='unicode61')"
_RUN = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]+")
SEARCH_COLUMNS = ("case_no", "title", "description", "reporter_name", "reporter_phone", "address")


def bigrams(value: str) -> list[str]:
    out: list[str] = []
    for run in _RUN.findall((value or "").lower()):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def document(row: dict) -> str:
    """The indexed body for a case row (a mapping with the SEARCH_COLUMNS)."""
    return document_of(row.get(c) for c in SEARCH_COLUMNS)


def document_of(values) -> str:
    """The same body from the SEARCH_COLUMNS values in order: " ".join(bigrams(...)) per column,
    built with C-level joins (a bulk pull makes 100k of these)."""
    return " ".join(" ".join(run if len(run) == 1 else " ".join(map(operator.add, run, run[1:]))
                             for run in _RUN.findall(str(v or "").lower()))
                    for v in values)


def match_expression(query: str) -> str | None:
    """FTS5 MATCH expression for a user query, or None when LIKE must be used."""
    runs = _RUN.findall((query or "").lower())
    if not runs or all(len(r) < 2 for r in runs):
        return None
    phrases = ['"' + " ".join(bigrams(r)) + '"' for r in runs if len(r) >= 2]
    return " AND ".join(phrases)


def index_case(session: Session, rid: int, row: dict, replace: bool = True) -> None:
    """Write (or rewrite) one case's index entry, inside the caller's transaction."""
    from sqlalchemy import text  # here: the case list's search (match_expression) runs without SQLAlchemy

    if replace:
        session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :rid"), {"rid": rid})
    session.execute(text(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (:rid, :body)"),
                    {"rid": rid, "body": document(row)})
