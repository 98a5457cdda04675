"""Colour for the text format: ``--color auto|always|never``, ``NO_COLOR`` and ``FORCE_COLOR``.

``always`` and ``never`` are what they say, whatever the environment. ``auto`` (the default) colours
when standard output is a terminal, unless ``NO_COLOR`` is set to a non-empty value (no-color.org)
or ``TERM`` is ``dumb``; a non-empty ``FORCE_COLOR`` colours even when it is not a terminal
(force-color.org). When both are set, ``NO_COLOR`` wins: turning colour off is the safer reading.
Only the text format is coloured; the codes are put around text that is already escaped
(``escape.text``), so a file's own control characters never reach the terminal.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

COLOR_CHOICES = ("auto", "always", "never")
BOLD, RED, CYAN, RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[0m"


def use_color(choice: str | None, stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to ``stream`` (standard output by default)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    stream = sys.stdout if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def paint(text: str, *codes: str) -> str:
    """``text`` between the SGR codes and a reset; ``text`` must already be escaped."""
    return "".join(codes) + text + RESET
