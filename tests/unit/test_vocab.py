"""The case vocabulary and the local time zone are declared once, in app/domain.

- the zone's name appears in one module of the code (app.domain.timezone); everyone else imports
  LOCAL_TZ;
- CHANNELS, CASE_TYPES, URGENCY and COLOUR_LABELS are dict literals only in app/domain/vocab.py,
  and no other module keeps a literal copy of the channel or case-type table.
"""
from __future__ import annotations

import ast
from pathlib import Path

from app.domain import vocab
from app.domain.timezone import LOCAL_TZ, LOCAL_TZ_NAME

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("app", "ui", "server", "scripts", "benchmarks")
VOCAB_NAMES = {"CHANNELS", "CASE_TYPES", "URGENCY", "COLOUR_LABELS"}
ZONE = "Asia/" + "Shanghai"  # spelled in two parts so that this file does not match its own search


def _sources():
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_the_zone_is_named_in_one_module():
    naming = [rel for rel, text in _sources() if ZONE in text]
    assert naming == ["app/domain/timezone.py"]
    assert LOCAL_TZ_NAME == ZONE and LOCAL_TZ.key == ZONE


def _is_dict(node) -> bool:
    return isinstance(node, ast.Dict | ast.DictComp) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict")


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def test_vocabulary_dicts_live_in_the_domain():
    named, copies = [], []
    tables = {"CHANNELS": vocab.CHANNELS, "CASE_TYPES": vocab.CASE_TYPES}
    for rel, text in _sources():
        if rel.startswith("app/domain/"):
            continue
        for node in ast.walk(ast.parse(text, rel)):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None and _is_dict(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                named += [f"{rel}:{node.lineno} {t.id}" for t in targets
                          if isinstance(t, ast.Name) and t.id in VOCAB_NAMES]
            if isinstance(node, ast.Dict):
                value = _literal(node)
                copies += [f"{rel}:{node.lineno} {name}" for name, table in tables.items() if value == table]
    assert named == [], "define these in app/domain/vocab.py and import them"
    assert copies == [], "import the table from app.domain.vocab instead of copying it"


def test_vocabulary_is_plain_codes_and_chinese_words():
    for name in VOCAB_NAMES:
        table = getattr(vocab, name)
        assert table and all(k.isascii() and k == k.lower() and not v.isascii() for k, v in table.items()), name
    assert set(vocab.COLOUR_LABELS) == {"green", "yellow", "red"}
    assert list(vocab.URGENCY) == ["normal", "urgent"]
