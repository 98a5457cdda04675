"""A baseline: the findings a repository already has, recorded so that ``check --baseline FILE``
reports only new ones, and ``baseline --check`` the entries that are no longer found.

An entry is keyed by the rule (its control id), the path as shown (relative, with ``/``), the
resource (logical id or Terraform address) and the deployment when the finding has one: never the
line or the message, so an entry survives lines moving and a reworded message. Entries count: a
key recorded once hides one finding with that key, and a second one is new.
"""

from __future__ import annotations

import os

from .scan import Finding, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

VERSION = 1
_ENTRY_KEYS = ("rule", "path", "resource", "deployment")

Key = tuple  # (rule, path, resource, deployment)


class BaselineError(Exception):
    """A baseline file that cannot be used: missing, not JSON, or of the wrong shape."""


def shown_path(path: str) -> str:
    """A finding's path as a baseline records it: normalised, with ``/``, relative to the current
    directory when it lies below it (``./a.yaml``, ``a.yaml`` and its absolute path are one key)."""
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive
            relative = path
        if not relative.startswith(".."):
            path = relative
    return os.path.normpath(path).replace(os.sep, "/")


def key_of(finding: Finding) -> Key:
    return (finding.rule.control, shown_path(finding.path), finding.resource, finding.deployment or "")


def _entry(key: Key) -> dict[str, str]:
    rule, path, resource, deployment = key
    return {"rule": rule, "path": path, "resource": resource, **({"deployment": deployment} if deployment else {})}


def render(findings: Iterable[Finding]) -> str:
    """The baseline file for these findings: sorted, so that a refreshed baseline diffs cleanly."""
    import json

    entries = [_entry(key) for key in sorted(key_of(f) for f in findings)]
    document = {"version": VERSION, "tool": "sagemaker-iac-lint", "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: str) -> dict[Key, int]:
    """The keys of the baseline file at ``path``, each with how many findings it holds.
    Raises BaselineError, with a message naming the file, when it cannot be used."""
    import json

    from .files import read_regular_file
    from .scan import MAX_BYTES

    try:  # a regular file only: a FIFO named as the baseline would block the run forever
        data = read_regular_file(path, MAX_BYTES)
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {(error.strerror or str(error)).lower()}") from None
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"the baseline {path} is not JSON: {error}") from None
    except RecursionError:
        raise BaselineError(f"the baseline {path} is not JSON we can read: nested too deeply") from None
    return _keys(document, path)


def _keys(document: object, path: str) -> dict[Key, int]:
    from .rules import find_rule

    def wrong(what: str) -> BaselineError:
        return BaselineError(f"the baseline {path} is not a sagemaker-iac-lint baseline: {what} "
                             "(write one with `sagemaker-iac-lint baseline --output FILE`)")

    if not isinstance(document, dict):
        raise wrong("expected an object with `version` and `findings`")
    unknown = sorted(set(document) - {"version", "tool", "findings"})
    if unknown:
        raise wrong(f"unknown key `{unknown[0]}`")
    if document.get("version") != VERSION:
        raise wrong(f"`version` must be {VERSION}")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise wrong("`findings` must be a list")
    counts: dict[Key, int] = {}
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise wrong(f"finding {number} is not an object")
        extra = sorted(set(entry) - set(_ENTRY_KEYS))
        if extra:
            raise wrong(f"finding {number} has an unknown key `{extra[0]}`")
        for name in _ENTRY_KEYS:
            value = entry.get(name, "" if name == "deployment" else None)
            if not isinstance(value, str) or (name != "deployment" and not value):
                raise wrong(f"finding {number}: `{name}` must be a non-empty string" if name != "deployment"
                            else f"finding {number}: `deployment` must be a string")
        rule = find_rule(entry["rule"])
        if rule is None:
            raise wrong(f"finding {number}: unknown rule `{entry['rule']}`")
        key = (rule.control, shown_path(entry["path"]), entry["resource"], entry.get("deployment", ""))
        counts[key] = counts.get(key, 0) + 1
    return counts


def split(findings: Iterable[Finding], counts: dict[Key, int]) -> tuple[list[Finding], int, dict[Key, int]]:
    """(the findings the baseline does not hold, how many it hid, the entries left unmatched: stale).
    ``counts`` is not changed."""
    left = dict(counts)
    new: list[Finding] = []
    hidden = 0
    for finding in findings:
        key = key_of(finding)
        if left.get(key, 0) > 0:
            left[key] -= 1
            hidden += 1
        else:
            new.append(finding)
    return new, hidden, {key: count for key, count in left.items() if count > 0}


def apply(report: Report, counts: dict[Key, int]) -> Report:
    """The report without the findings the baseline holds; its ``baselined`` says how many were hidden."""
    new, hidden, _ = split(report.findings, counts)
    return Report(new, report.errors, report.files_scanned, report.paths, hidden)


def stale_lines(stale: dict[Key, int], errors: Iterable[str]) -> tuple[str, int]:
    """One line per stale entry, for standard output, and how many; an entry for a file that could
    not be read is not called stale (its findings are unknown)."""
    from . import escape

    unreadable = {shown_path(path) for path in errors}
    lines = []
    total = 0
    for key in sorted(stale):
        rule, path, resource, deployment = key
        if path in unreadable:
            continue
        count = stale[key]
        total += count
        where = f" (deployment {deployment})" if deployment else ""
        times = f" ({count} entries)" if count > 1 else ""
        lines.append(f"{escape.text_path(path)}: {rule} {escape.text(resource)}{escape.text(where)}: "
                     f"in the baseline, no longer found{times}\n")
    return "".join(lines), total
