"""Subcommands contributed by each area beyond the core (sync, printing, reports, ...).

Each module listed in AREAS defines ``register(sub, add_json_flag)`` (adds its parsers) and
``HANDLERS`` (command name -> handler(args, desk) returning an exit status or None).
"""
from __future__ import annotations

from importlib import import_module

AREAS: list[str] = ["app.commands.supervision", "app.commands.printing", "app.commands.sync"]


def _modules():
    return [import_module(name) for name in AREAS]


def register(sub, add_json_flag) -> None:
    for module in _modules():
        module.register(sub, add_json_flag)


def handlers() -> dict:
    out = {}
    for module in _modules():
        out.update(module.HANDLERS)
    return out
