"""The desktop window (PySide6). See docs/DEVELOPING.md, "The window"."""
from __future__ import annotations

import ctypes
import sys

# PySide6 6.12.0 returns the bool of ``SignalInstance.emit()`` without taking a reference, so every
# emit from Python code drops one reference to ``True`` (checked: 10 emits -> refcount of True
# -10). After a few thousand emits CPython deallocates True and aborts ("Fatal Python error:
# bool_dealloc"); a similar loss was seen on None. Python 3.12+ makes these singletons immortal;
# on 3.11 we do the same by giving them a huge reference count once, before any window exists.
_IMMORTAL_BOOST = 1 << 40


def _make_singletons_immortal() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for obj in (True, False, None):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))
        if refcnt.value < _IMMORTAL_BOOST:
            refcnt.value += _IMMORTAL_BOOST


_make_singletons_immortal()
