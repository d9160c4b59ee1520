"""The desktop window (PySide6). See docs/DEVELOPING.md, "The window".

Qt 6.8 LTS (PySide6 6.8.x, pinned in pyproject.toml). PySide6 6.12.0 dropped a reference to
``True`` on every ``SignalInstance.emit()`` and this module used to make True/False/None immortal
against it; 6.8.3 does not have that bug, so the guard went.
tests/ui/test_contracts.py::test_many_emits_keep_the_singletons checks it in a fresh interpreter.
"""
