"""Subcommands added by later areas (sync, printing, reports, import/export).

Each area registers its parser here and handles it in app.cli_commands.EXTRA.
"""
from __future__ import annotations


def register(sub, add_json_flag) -> None:
    """Nothing yet beyond the core commands."""
