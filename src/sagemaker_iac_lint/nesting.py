"""The depth check that runs before any parser: a bound on how deeply a YAML or JSON text nests.

libyaml's C composer and parsers that recurse can overflow the C stack on deep nesting, which
kills the process and every other file's findings with it; no ``RecursionError`` is raised to
catch. So a text is measured first, without parsing, and refused when it could nest deeper than
``MAX_DEPTH``. The measure is an upper bound, never an underestimate:

- flow nesting: ``[`` and ``{`` outside quoted strings and comments (the closing brackets undo
  them; a bracket inside a plain scalar can only make the bound larger);
- block nesting: each level of a block collection is indented further, or (a compact ``- - x``
  or ``- key:``) written at most two per two columns, so a line's block depth is at most twice
  its indentation (spaces and ``-``/``?`` indicators) plus two.

No CloudFormation template comes near the bound; a file that does is an error, not a crash.
"""

from __future__ import annotations

import re

MAX_DEPTH = 1000
# a quoted scalar starts a token: a quote inside a plain scalar (`it's`) hides nothing
_QUOTED = re.compile(r'(?<![^\s\[{,:])(?:"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\')')
_COMMENT = re.compile(r"(?:^|(?<=\s))#[^\n]*", re.M)
_BRACKETS = re.compile(r"[^\[\]{}\n]+")
_INDENT = re.compile(r"^[ \t?-]*", re.M)


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when ``text`` could nest deeper than ``limit`` levels (see the module)."""
    openers = text.count("[") + text.count("{")
    # cheap bounds first: most files are judged by these two counts alone
    deep_indent = re.search(rf"^[ \t?-]{{{max((limit - openers) // 2 - 1, 0)}}}", text, re.M)
    if openers <= limit // 2 and deep_indent is None:
        return False
    return _depth(text) > limit


def block_bound(text: str) -> int:
    """The block term of the measure: twice the deepest indentation (with indicators) plus two."""
    if re.search(r"\n[ \t?-]{100}", text) is None and re.match(r"[ \t?-]{100}", text) is None:  # nearly every file
        return 2 * 99 + 2
    return max((len(match.group(0)) for match in _INDENT.finditer(text)), default=0) * 2 + 2


def _depth(text: str) -> int:
    block = max((len(match.group(0)) for match in _INDENT.finditer(text)), default=0) * 2 + 2
    stripped = _BRACKETS.sub("", _COMMENT.sub("", _QUOTED.sub("", text)))
    flow = deepest = 0
    for bracket in stripped:
        if bracket in "[{":
            flow += 1
            deepest = max(deepest, flow)
        elif bracket in "]}":
            flow = max(flow - 1, 0)
    return block + deepest


def refuse_deep(text: str) -> None:
    """Raise ReadError when ``text`` could nest deeper than MAX_DEPTH."""
    if too_deep(text):
        from .errors import ReadError

        raise ReadError(f"nested more than {MAX_DEPTH} levels deep (measured before parsing)")
