"""One escaping rule per output format, for every string that comes from input (paths, names, values).

A template or a file name is data: it must never start a line of its own, act on a terminal, or
be read as a command by the CI that reads our output. What has to be escaped, in every format:

- control characters (C0, DEL, C1: newlines, ESC and so OSC/CSI sequences, NEL), the Unicode line
  and paragraph separators, and the bidirectional controls that reorder what a reader sees;
- lone surrogates, which no UTF-8 stream can hold: a path that is not UTF-8 comes from the file
  system with its bytes as U+DC80..U+DCFF (``os.fsdecode``), a JSON or HCL ``\\ud800`` escape as
  itself;
- CI commands written inside a line: GitHub's and Azure Pipelines' ``##[command]`` and
  ``##vso[command]`` are read anywhere in a line of stdout or stderr. (A GitHub ``::command`` is
  read only at the start of a line, after spaces: a path that starts a line is quoted.)

The formats:

- ``text`` (and every line on stderr): such characters are shown as ``\\n``, ``\\x1b``, ``\\u2028``
  (a non-UTF-8 byte as ``\\xff``), and ``##[`` as ``##\\x5b``. A path is written as it is unless
  it holds any of those, a ``:`` (which would let it forge the ``path:line:col:`` a problem matcher
  reads), starts with a quote or a space, or starts with ``::``; then it is written in double
  quotes with ``\\`` and ``"`` escaped too, so it stays one unambiguous token.
- ``github``: workflow-command escaping (``%`` as ``%25``, CR and LF as ``%0D``/``%0A``, and in
  properties ``:`` and ``,`` as ``%3A``/``%2C``); every other character above is written as the
  percent-encoding of its UTF-8 bytes (``%1B``), which the runner shows as it is, and so is the
  bracket of ``##[`` and ``##vso[`` (``##%5B``).
- ``json`` and ``sarif``: strict UTF-8 JSON: lone surrogates become U+FFFD; the JSON encoder
  escapes control characters. SARIF URIs are percent-encoded (RFC 3986) from the path's bytes.
"""

from __future__ import annotations

import os
import re

# C0 and C1 controls and DEL, line/paragraph separators, bidirectional controls, lone surrogates.
_UNSAFE_CLASS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# CI commands read anywhere in a line: GitHub Actions' `##[name]`, Azure Pipelines' `##vso[name]`.
_INLINE_COMMAND = r"(##(?:vso)?)\["
# What an ASCII string can hold of the above: C0 controls, DEL, and `##`. Compiled at import (0.1 ms);
# the classes with non-ASCII ranges are compiled when a string first needs them (about 3 ms of
# start-up saved, measured, in a run whose output is all ASCII).
_ASCII_NEEDS_WORK = re.compile("[\x00-\x1f\x7f]|##")
_PATTERNS: dict[str, re.Pattern] = {}


def _pattern(source: str, flags: int = 0) -> re.Pattern:
    """``source`` compiled once, when first needed."""
    pattern = _PATTERNS.get(source)
    if pattern is None:
        pattern = _PATTERNS[source] = re.compile(source, flags)
    return pattern


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")  # a Windows drive prefix keeps its colon unquoted


def _visible(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def text(value: str) -> str:
    """``value`` for a text line (stdout or stderr): nothing in it can start a line, move the
    cursor, reorder the line or be read as a CI command."""
    if value.isascii():
        if _ASCII_NEEDS_WORK.search(value) is None:
            return value
    elif _pattern(f"[{_UNSAFE_CLASS}]|##").search(value) is None:
        return value
    value = _pattern(f"[{_UNSAFE_CLASS}]").sub(lambda match: _visible(match.group(0)), value)
    return _pattern(_INLINE_COMMAND, re.IGNORECASE).sub(lambda match: match.group(1) + "\\x5b", value)


def _path_is_plain(path: str) -> bool:
    if not path or path[0] in "\"' \t" or path.startswith("::"):
        return False
    if ":" in (path[3:] if _DRIVE.match(path) else path):
        return False
    return text(path) == path


def text_path(path: str) -> str:
    """A path for a text line: as it is when that is unambiguous, else quoted (see the module)."""
    if _path_is_plain(path):
        return path
    inner = path.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text(inner) + '"'


def _percent(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"%{code - 0xDC00:02X}"
    if 0xD800 <= code <= 0xDFFF:
        return "%EF%BF%BD"  # U+FFFD: a lone surrogate has no UTF-8 bytes
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))




def _github_inline(value: str) -> str:
    """``##[`` and ``##vso[`` with their bracket written ``%5B``: a runner that reads those commands
    anywhere in a line (Azure Pipelines reads ``##vso[``) shows the text as it is."""
    if "##" not in value:
        return value
    return _pattern(_INLINE_COMMAND, re.IGNORECASE).sub(lambda match: match.group(1) + "%5B", value)


def github_data(value: str) -> str:
    """The message of a workflow command (after the second ``::``)."""
    return _github_inline(_pattern(f"[%{_UNSAFE_CLASS}]").sub(lambda match: _percent(match.group(0)), value))


def github_property(value: str) -> str:
    """A workflow command's property value (``file=``, ``title=``)."""
    return _github_inline(_pattern(f"[%:,{_UNSAFE_CLASS}]").sub(lambda match: _percent(match.group(0)), value))




def json_string(value: str) -> str:
    """``value`` as a JSON document may hold it in strict UTF-8: lone surrogates become U+FFFD."""
    if value.isascii():
        return value
    surrogate = _pattern("[\ud800-\udfff]")
    return surrogate.sub("\ufffd", value) if surrogate.search(value) else value


def json_data(node: object) -> object:
    """``node`` (dicts, lists, strings and scalars) with every string, keys included, made safe."""
    if isinstance(node, str):
        return json_string(node)
    if isinstance(node, dict):
        return {json_string(key) if isinstance(key, str) else key: json_data(value) for key, value in node.items()}
    if isinstance(node, list):
        return [json_data(item) for item in node]
    return node


# RFC 3986 unreserved characters and the path separator stay as they are; every other byte is encoded.
_URI_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")


def _uri_bytes(path: str) -> bytes:
    try:
        return os.fsencode(path)
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return json_string(path).encode("utf-8")


def _encode_uri_path(path: str) -> str:
    return "".join(chr(byte) if byte in _URI_SAFE else f"%{byte:02X}" for byte in _uri_bytes(path))


def sarif_location(path: str, root: str | None = None) -> dict:
    """A SARIF ``artifactLocation`` for ``path``: relative to ``%SRCROOT%`` (the directory the scan
    runs in) when the file is under it, else an absolute ``file://`` URI; always percent-encoded."""
    root = os.path.abspath(root or os.getcwd())
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive
        relative = None
    if relative is not None and relative != os.curdir and relative != os.pardir \
            and not relative.startswith(os.pardir + os.sep):
        return {"uri": _encode_uri_path(relative.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}
    posix = absolute.replace(os.sep, "/")
    if not posix.startswith("/"):  # C:/x -> /C:/x; the drive's colon is kept, as file URIs write it
        drive, rest = posix[:2], posix[2:]
        return {"uri": "file:///" + drive + _encode_uri_path(rest)}
    return {"uri": "file://" + _encode_uri_path(posix)}
