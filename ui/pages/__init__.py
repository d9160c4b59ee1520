"""The navigation pages, in order. A page appears only if its module is listed here.

Each module defines one ``Page`` subclass (ui/pages/base.py) with ``key`` and ``title``; an
optional ``roles`` tuple hides the page from other roles. Add one line to add a page.
"""
from __future__ import annotations

import importlib
import inspect

from ui.pages.base import Page

PAGES = [
    "ui.pages.home",
    "ui.pages.dashboard",
    "ui.pages.deadlines_board",
    "ui.pages.supervision",
    "ui.pages.intake",
    "ui.pages.dispatch_queue",
    "ui.pages.case_list",
    "ui.pages.conflicts",
    "ui.pages.admin_data",
    "ui.pages.emergency",
    "ui.pages.mediation",
    "ui.pages.backlog",
    "ui.pages.grids",
    "ui.pages.risk",          # 风险研判 (issue 18)
    "ui.pages.assessment",    # 稳评
    "ui.pages.inspections",   # 综合查一次
]


def page_classes(role: str | None = None) -> list[type]:
    """The page classes in navigation order (only those the role may see)."""
    out = []
    for name in PAGES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:  # a real missing dependency inside the page: let it surface
                raise
            continue  # listed but not written yet
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Page) and obj is not Page \
                    and obj.__module__ == module.__name__ and obj.key:
                if obj.roles is None or role is None or role in obj.roles:
                    out.append(obj)
                break
    return out
