"""JSON templates read by the stdlib's C parser, with positions recovered only where they are asked for.

``load_json`` gives the same values and the same 1-based (line, column) marks the YAML loader gives a
JSON template, at the cost of ``json.loads``: every mapping is a ``JsonDict`` (a ``MarkedDict``) whose
``line``, ``column`` and ``key_marks`` are worked out from the text the first time something reads them.
A mapping learns where it starts from its parent, so positions are found top down: the top level and
``Resources`` one level at a time (skipping each value with the C scanner), a resource and everything in
it at once. Anything the fast path does not reproduce exactly (a duplicated key, which needs the lines of
every copy, or text ``json`` refuses) returns ``None`` so the caller uses the YAML loader as before.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right

from .cfn import MarkedDict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

# YAML 1.1's float (what the YAML loader makes of a JSON number): a dot is required, an exponent is
# signed. A JSON number with a fraction or exponent that is not such a float is a string there.
_YAML_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?\Z")
_SPACE = re.compile(r"[ \t\n\r]*")
# The C scanner's pieces that json.loads is built from (not in the type stubs): a JSON string's
# content from just after its opening quote, and one JSON value from its first character.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def _space(text: str, index: int = 0) -> re.Match[str]:
    """The white space at ``index`` (possibly none: the pattern matches everywhere)."""
    match = _SPACE.match(text, index)
    assert match is not None
    return match
# libyaml counts a line at each of these (a CR LF pair once)
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# mappings at these depths are resolved one level at a time: the top level and its sections
_SHALLOW = 2
_CHUNK = 1 << 14  # characters per entry of the line index


class _Duplicate(Exception):
    """A mapping writes a key twice: the YAML loader says where each copy is, so it reads this file."""


class _Source:
    """The text of one template and what has been learnt about where its containers start."""

    __slots__ = ("chunks", "depth", "hints", "offsets", "root", "scan", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets: dict[int, int] = {}  # id(container) -> offset of its opening bracket
        self.depth: dict[int, int] = {}  # id(mapping) -> depth, for the shallow levels
        self.hints: dict[int, int] = {}  # id(section) -> where its last entry looked for was written
        self.starts: list[int] | None = None  # line starts, when breaks other than LF are written
        self.chunks: list[int] = []  # lines before each chunk of _CHUNK characters, otherwise
        self.root: Any = None
        decoder = json.JSONDecoder(parse_float=_float, parse_constant=str)
        self.scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]

    def position(self, offset: int) -> tuple[int, int]:
        text = self.text
        if self.starts is None:
            if any(other in text for other in ("\r", "\x85", "\u2028", "\u2029")):
                self.starts = [0] + [match.end() for match in _BREAK.finditer(text)]
            else:  # only LF breaks: lines counted per chunk, then within one chunk, all in C
                self.starts = []
                self.chunks = [0]
                for start in range(0, len(text), _CHUNK):
                    self.chunks.append(self.chunks[-1] + text.count("\n", start, start + _CHUNK))
        if self.starts:
            line = bisect_right(self.starts, offset)
            return line, offset - self.starts[line - 1] + 1
        chunk = offset // _CHUNK
        line = self.chunks[chunk] + text.count("\n", chunk * _CHUNK, offset) + 1
        return line, offset - text.rfind("\n", 0, offset)

    def members(self, offset: int) -> list[tuple[Any, int, int]]:
        """(key, key offset, value offset) of the mapping (key None) or list whose bracket is at ``offset``."""
        text, scan, space = self.text, self.scan, _space
        found: list[tuple[Any, int, int]] = []
        mapping = text[offset] == "{"
        index = space(text, offset + 1).end()
        if text[index] in "}]":
            return found
        while True:
            key: Any = None
            key_at = index
            if mapping:
                key, index = _scanstring(text, index + 1)
                index = space(text, index).end() + 1  # the colon
                index = space(text, index).end()
            value_at = index
            _, index = scan(text, index)
            found.append((key, key_at, value_at))
            index = space(text, index).end()
            if text[index] != ",":
                return found
            index = space(text, index + 1).end()

    def resolve(self, container: Any, deep: bool) -> None:
        """Learn where the children of ``container`` start (and their key marks, for a mapping)."""
        offset = self.offsets[id(container)]
        members = self.members(offset)
        is_mapping = isinstance(container, dict)
        if is_mapping:
            container.__dict__["key_marks"] = {key: self.position(key_at) for key, key_at, _ in members}
            depth = self.depth.get(id(container), _SHALLOW)
        children = container.values() if is_mapping else container
        for child, (_, _, value_at) in zip(children, members):
            if isinstance(child, (dict, list)):
                self.offsets[id(child)] = value_at
                if is_mapping and depth + 1 < _SHALLOW and isinstance(child, dict):
                    self.depth[id(child)] = depth + 1
                if deep or isinstance(child, list):
                    self.resolve(child, deep)

    def place_section(self, section: JsonDict) -> bool:
        """Learn where a top-level section starts, skipping only the sections written before it."""
        text, scan, space = self.text, self.scan, _space
        index = space(text, self.offsets[id(self.root)] + 1).end()
        for value in self.root.values():
            index = space(text, space(text, _scanstring(text, index + 1)[1]).end() + 1).end()
            if value is section:
                self.offsets[id(section)] = index
                return True
            index = space(text, scan(text, index)[1]).end()
            index = space(text, index + 1).end()  # the comma
        return False

    def find_key(self, section: JsonDict, key: str) -> tuple[int, int] | None:
        """Where ``key`` is written in a top-level section (``Resources``), found by searching the text for
        it as written without escapes after the section's start, and accepted only where it is a key (after
        ``{`` or ``,``, before ``:``) whose value reads the same as the entry (outside a string, a quote is
        never preceded by a backslash). The entry learns its offset. None when not found so."""
        if id(section) not in self.offsets and not self.place_section(section):
            return None
        needle = json.dumps(key, ensure_ascii=False)
        entry = section[key]
        start = self.offsets[id(section)]
        hint = max(self.hints.get(id(section), start), start)  # entries are asked for in written order
        size = len(self.text)
        for begin, end in ((hint, size), (start, hint + len(needle))) if hint > start else ((start, size),):
            place = self._find_entry(entry, needle, begin, end)
            if place is not None:
                self.hints[id(section)] = place
                return self.position(place)
        return None

    def _find_entry(self, entry: Any, needle: str, begin: int, end: int) -> int | None:
        text, space = self.text, _space
        expected = json.dumps(entry)
        at = text.find(needle, begin, end)
        while at != -1:
            before = at - 1
            while before >= 0 and text[before] in " \t\n\r":
                before -= 1
            colon = space(text, at + len(needle)).end()
            if before >= 0 and text[before] in "{," and text.startswith(":", colon):
                value_at = space(text, colon + 1).end()
                if json.dumps(self.scan(text, value_at)[0]) == expected:
                    if isinstance(entry, (dict, list)):
                        self.offsets[id(entry)] = value_at
                    return at
            at = text.find(needle, at + 1, end)
        return None

    def locate(self, mapping: JsonDict) -> None:
        """A mapping asked for its marks before its parent was: find, among the objects (not the text), the
        nearest container already placed that holds it, and resolve that one's whole subtree."""
        shallow = [self.root]
        while shallow:  # the shallow levels first, one level at a time (each value skipped by the C scanner)
            container = shallow.pop()
            if not isinstance(container, JsonDict) or "key_marks" not in container.__dict__:
                self.resolve(container, False)
            children = container.values() if isinstance(container, dict) else container
            shallow.extend(child for child in children if id(child) in self.depth)
        if id(mapping) in self.offsets:
            return
        pending: list[tuple[Any, Any]] = [(self.root, None)]
        while pending:
            container, placed = pending.pop()
            if placed is None and id(container) in self.offsets and id(container) not in self.depth:
                placed = container  # below the shallow levels: resolved whole, in one go
            if container is mapping:
                if placed is not None:
                    self.resolve(placed, True)
                return
            children = container.values() if isinstance(container, dict) else container
            pending.extend((child, placed) for child in children if isinstance(child, (dict, list)))


def _float(text: str) -> Any:
    return float(text) if _YAML_FLOAT.match(text) else text


class JsonDict(MarkedDict):
    """A mapping of a JSON template whose marks are read from the text when first asked for."""

    _source: _Source

    def _marks(self) -> dict:
        found = self.__dict__.get("key_marks")
        if found is None:
            source = self._source
            if id(self) not in source.offsets:
                source.locate(self)
            source.resolve(self, id(self) not in source.depth)
            found = self.__dict__["key_marks"]
        return found

    def key_position(self, key: str) -> tuple[int, int]:
        found = self.__dict__.get("key_marks")
        if found is None and isinstance(key, str) and self._source.depth.get(id(self)) == 1:
            place = self._source.find_key(self, key)  # a section's entry: looked for, not every entry placed
            if place is not None:
                return place
        return super().key_position(key)

    @property
    def key_marks(self) -> dict:
        return self._marks()

    @property
    def line(self) -> int:  # type: ignore[override]
        return self._start()[0]

    @property
    def column(self) -> int:  # type: ignore[override]
        return self._start()[1]

    def _start(self) -> tuple[int, int]:
        source = self._source
        if id(self) not in source.offsets:
            source.locate(self)
        return source.position(source.offsets[id(self)])


def load_json(text: str) -> Any:
    """The template, or None when the YAML loader must read it (a duplicated key, or invalid JSON)."""
    source = _Source(text)
    kind = type("JsonDict", (JsonDict,), {"_source": source, "__slots__": ()})

    def mapping(pairs: list) -> JsonDict:
        made = kind(pairs)
        if len(made) != len(pairs):
            raise _Duplicate
        return made

    # The depth bound of nesting.refuse_deep, without its pass over the text: json's C scanner counts each
    # nesting level against the recursion limit (Python 3.11), so a parse that succeeds under a limit of
    # `room` levels above here nests less deeply than MAX_DEPTH less the block term. Anything else (too
    # deep for that room, or a newer Python) goes to the caller's path, which measures the text first.
    import sys

    from .nesting import MAX_DEPTH, block_bound

    room = MAX_DEPTH - block_bound(text)
    if room < 2 or sys.version_info >= (3, 12):
        return None
    frame: FrameType | None = sys._getframe()
    here = 0
    while frame is not None:
        frame, here = frame.f_back, here + 1
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(here + room)
    try:
        root = json.loads(text, object_pairs_hook=mapping, parse_float=_float, parse_constant=str)
    except (ValueError, _Duplicate, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(limit)
    if isinstance(root, (dict, list)):
        source.root = root
        source.offsets[id(root)] = _space(text).end() if not text.startswith("\ufeff") else \
            _space(text, 1).end()
        source.depth[id(root)] = 0
        if isinstance(root, dict):
            source.depth.update((id(value), 1) for value in root.values() if isinstance(value, dict))
    return root
