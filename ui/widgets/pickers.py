"""Search pickers for reference records: type Chinese, pinyin initials ("lljf" -> 邻里纠纷) or a
code; Down/Enter picks from the list; Tab or leaving the field takes the best match."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from app.reference.records import initials

MAX_SHOWN = 30


@dataclass(frozen=True)
class Entry:
    code: str
    name: str      # what the field shows once picked
    label: str     # what the list shows (may include the path)
    keys: str      # lower-case search text: "name initials code ..."


class SearchPicker(QLineEdit):
    picked = Signal(str)  # code ("" when cleared)

    def __init__(self, entries: list[Entry], placeholder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.entries = entries
        self._by_label = {e.label: e for e in entries}
        self._code: str | None = None
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setMaxVisibleItems(12)
        self._completer.setWidget(self)
        self._completer.activated[str].connect(self._activate_label)
        self.setPlaceholderText(placeholder)
        self.textEdited.connect(self._filter)
        self._pinned: tuple[str, ...] = ()

    def set_pinned(self, codes) -> None:
        """Codes offered first (e.g. an emergency's categories), in this order; () for none."""
        self._pinned = tuple(codes or ())

    # -- value -----------------------------------------------------------------------------------
    def code(self) -> str | None:
        return self._code

    def set_code(self, code: str | None) -> None:
        entry = next((e for e in self.entries if e.code == code), None) if code else None
        self._code = entry.code if entry else None
        self.setText(entry.name if entry else "")
        self.picked.emit(self._code or "")

    def clear_value(self) -> None:
        self.set_code(None)

    # -- search ----------------------------------------------------------------------------------
    def matches(self, text: str) -> list[Entry]:
        q = text.strip().lower()
        pinned = {code: i for i, code in enumerate(self._pinned)}
        if not q:
            first = sorted((e for e in self.entries if e.code in pinned), key=lambda e: pinned[e.code])
            return (first + [e for e in self.entries if e.code not in pinned])[:MAX_SHOWN]
        ranked = []
        for e in self.entries:
            name, keys = e.name.lower(), e.keys
            if q == name or q == e.code.lower():
                rank = 0
            elif q == keys.split(" ")[1] or name.startswith(q):
                rank = 2
            elif q in name:
                rank = 3
            elif q in keys:
                rank = 4
            else:
                continue
            ranked.append((rank, pinned.get(e.code, len(pinned)), len(e.name), e))
        ranked.sort(key=lambda t: t[:3])
        return [t[-1] for t in ranked[:MAX_SHOWN]]

    def _filter(self, text: str) -> None:
        self._code = None
        found = self.matches(text)
        self._model.setStringList([e.label for e in found])
        if found and text.strip():
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _activate_label(self, label: str) -> None:
        entry = self._by_label.get(label)
        if entry:
            self._set_entry(entry)

    def _set_entry(self, entry: Entry) -> None:
        self._code = entry.code
        self.setText(entry.name)
        self._completer.popup().hide()
        self.picked.emit(entry.code)

    def resolve(self) -> None:
        """Take the best match for what was typed (Tab / leaving the field / Enter)."""
        if self._completer.popup().isVisible():
            index = self._completer.popup().currentIndex()
            if index.isValid():
                self._activate_label(index.data())
                return
        text = self.text().strip()
        if not text:
            if self._code is not None:
                self._code = None
                self.picked.emit("")
            return
        if self._code is not None and self.text() == next((e.name for e in self.entries if e.code == self._code), None):
            return
        found = self.matches(text)
        if found:
            self._set_entry(found[0])

    def event(self, event) -> bool:
        # Tab leaves the field before keyPressEvent sees it: take the best match first.
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.resolve()
            self._completer.popup().hide()
        return super().event(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 — Qt override
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.resolve()
        super().focusOutEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 — Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._completer.popup().isVisible():
            self.resolve()
        super().keyPressEvent(event)


def category_entries(refs) -> list[Entry]:
    out = []
    for c in refs.categories.values():
        if not c.leaf:
            continue
        parent = refs.category_name(c.parent) if c.parent else c.platform
        out.append(Entry(c.code, c.name, f"{c.name}　· {parent}", f"{c.name.lower()} {c.initials} {c.code.lower()}"))
    return sorted(out, key=lambda e: e.code)


def unit_entries(refs) -> list[Entry]:
    return [Entry(u.code, u.name, f"{u.name}　· {u.code}", f"{u.name.lower()} {initials(u.name)} {u.code.lower()}")
            for u in sorted(refs.units.values(), key=lambda u: u.code)]


def grid_path(refs, code: str) -> list[str]:
    """Names from the 村社 down to ``code``, each without its parent's name as a prefix."""
    chain, seen = [], set()
    g = refs.grids.get(code)
    while g is not None and g.code not in seen:
        seen.add(g.code)
        chain.append(g)
        g = refs.grids.get(g.parent) if g.parent else None
    chain.reverse()
    names = []
    for parent, child in zip([None, *chain], chain, strict=False):
        name = child.name
        if parent is not None and name.startswith(parent.name) and len(name) > len(parent.name):
            name = name[len(parent.name):].strip()
        names.append(name)
    return names


def location_entries(refs) -> list[Entry]:
    """村社 → 网格 → 微网格 as one searchable list showing the path."""
    order = {"village": 0, "grid": 1, "micro": 2}
    out = []
    for g in sorted(refs.grids.values(), key=lambda g: g.code):
        if g.level not in order:
            continue
        path = " / ".join(grid_path(refs, g.code))
        out.append(Entry(g.code, g.name, path, f"{g.name.lower()} {initials(g.name)} {g.code.lower()} "
                                              f"{path.lower()} {initials(path.replace(' / ', ''))}"))
    return out


_BUILDERS = {"unit": unit_entries, "category": category_entries, "location": location_entries}
_cache: dict[int, tuple[object, dict[str, list[Entry]]]] = {}
_cache_lock = threading.Lock()


def entries(refs, kind: str) -> list[Entry]:
    """Picker entries for one reference snapshot, built once (pinyin initials are slow to make)."""
    with _cache_lock:
        held = _cache.get(id(refs))
        if held is None or held[0] is not refs:
            held = (refs, {})
            _cache.clear()  # one snapshot at a time: a new RefCache replaces the old one
            _cache[id(refs)] = held
        built = held[1]
        if kind not in built:
            built[kind] = _BUILDERS[kind](refs)
        return built[kind]


def preload(refs) -> None:
    """Build every picker's entries (call from a worker thread while the login dialog shows)."""
    for kind in _BUILDERS:
        entries(refs, kind)


class UnitPicker(SearchPicker):
    def __init__(self, refs, parent: QWidget | None = None):
        super().__init__(entries(refs, "unit"), "输入单位名称、拼音首字母或代码", parent)


class CategoryPicker(SearchPicker):
    def __init__(self, refs, parent: QWidget | None = None):
        super().__init__(entries(refs, "category"), "输入分类名称或拼音首字母，如 lljf", parent)


class LocationPicker(SearchPicker):
    """Picks a 村社, 网格 or 微网格; ``location()`` gives the intake keys."""

    def __init__(self, refs, parent: QWidget | None = None):
        super().__init__(entries(refs, "location"), "村社 / 网格 / 微网格，可输入拼音首字母", parent)
        self.refs = refs

    def location(self) -> dict:
        code = self.code()
        if not code:
            return {}
        g = self.refs.grids[code]
        return {"village": code} if g.level == "village" else {"village": g.village, "grid": code}
