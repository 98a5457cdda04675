"""Formatting a report: text, json, sarif and github, as PRODUCT.md's CLI contract defines them."""

from __future__ import annotations

from . import __version__, escape
from .rules import Rule, all_rules
from .scan import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .scan import Finding

INFORMATION_URI = "https://github.com/sagemaker-iac-lint/sagemaker-iac-lint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning reads this to rank alerts; Security Hub's MEDIUM sits in its 4.0-6.9 band.
SECURITY_SEVERITY = {"low": "3.0", "medium": "5.5", "high": "8.0", "critical": "9.5"}


def format_text(report: Report, color: bool = False) -> str:
    """``path:line:column: RULE message``, one line a finding. With ``color``, the path bold and the
    rule red: the codes go around the escaped text, never inside it."""
    if color:
        from .terminal import BOLD, CYAN, RED, paint

        lines = [f"{paint(escape.text_path(f.path), BOLD)}{paint(':', CYAN)}{f.line}{paint(':', CYAN)}{f.column}"
                 f"{paint(':', CYAN)} {paint(f.rule.control, BOLD, RED)} {escape.text(f.message)}"
                 for f in report.findings]
    else:
        lines = [f"{escape.text_path(f.path)}:{f.line}:{f.column}: {f.rule.control} {escape.text(f.message)}"
                 for f in report.findings]
    return "\n".join(lines) + ("\n" if lines else "")


def statistics(report: Report) -> list[tuple[Rule, int]]:
    """(rule, findings) for every rule found, the most found first, then in the rule table's order."""
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.rule.control] = counts.get(f.rule.control, 0) + 1
    order = {rule.control: position for position, rule in enumerate(all_rules())}
    rules = {rule.control: rule for rule in all_rules()}
    for f in report.findings:
        rules.setdefault(f.rule.control, f.rule)
    ranked = sorted(counts, key=lambda control: (-counts[control], order.get(control, len(order)), control))
    return [(rules[control], counts[control]) for control in ranked]


def format_statistics_text(report: Report, color: bool = False) -> str:
    """``--statistics``, as ruff prints it: the count (right-aligned), the rule, its description."""
    rows = statistics(report)
    width = max((len(str(count)) for _, count in rows), default=1)
    if color:
        from .terminal import BOLD, RED, paint

        lines = [f"{count:>{width}}\t{paint(rule.control, BOLD, RED)}\t{rule.short_description}" for rule, count in rows]
    else:
        lines = [f"{count:>{width}}\t{rule.control}\t{rule.short_description}" for rule, count in rows]
    return "".join(line + "\n" for line in lines)


def format_statistics_json(report: Report) -> str:
    """``--statistics --format json``: [{"rule", "cfn_lint_id", "checkov_id", "description", "count"}]."""
    import json

    rows = [{"rule": rule.control, "cfn_lint_id": rule.cfn_lint_id, "checkov_id": rule.checkov_id,
             "description": rule.short_description, "count": count} for rule, count in statistics(report)]
    return json.dumps(rows, indent=2) + "\n"


def format_errors(report: Report) -> str:
    """One line per unreadable file, for stderr: the file first, as editors expect."""
    return "".join(f"{escape.text_path(e.path)}: error: {escape.text(e.message)}\n" for e in report.errors)


def format_json(report: Report) -> str:
    import json  # here, not at the top: the text format, the one most runs use, needs neither json nor hashlib

    document = {
        "findings": [
            {
                "rule": f.rule.control,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "resource": f.resource,
                "resource_type": f.resource_type,
                "message": f.message,
                "severity": f.severity,
                **({"deployment": f.deployment} if f.deployment else {}),
                **({"construct_path": f.construct_path} if f.construct_path else {}),
            }
            for f in report.findings
        ],
        "errors": [{"path": e.path, "message": e.message} for e in report.errors],
        **({"baselined": report.baselined} if report.baselined is not None else {}),
    }
    return json.dumps(escape.json_data(document), indent=2) + "\n"


# A SARIF tag for what a rule is about, by its Checkov category (encryption: in transit or at rest).
_TOPICS = {"NETWORKING": "network-security", "IAM": "access-control", "BACKUP_AND_RECOVERY": "availability"}


def _topic(rule: Rule) -> str:
    if rule.category == "ENCRYPTION":
        return "encryption-in-transit" if rule.flag_path[-1:] == ("EnableInterContainerTrafficEncryption",) \
            else "encryption-at-rest"
    return _TOPICS.get(rule.category, "security-configuration")


def _sarif_rule(rule: Rule) -> dict:
    return {
        "id": rule.control,
        "name": "".join(c for c in rule.short_description.title().replace("+", "Plus") if c.isascii() and c.isalnum()),
        "shortDescription": {"text": rule.short_description},
        "fullDescription": {"text": rule.description},
        "helpUri": rule.help_url,
        "help": {
            "text": f"{rule.description} {rule.rationale} See {rule.help_url}",
            "markdown": (
                f"{rule.description}\n\n{rule.rationale}\n\n"
                + (f"[{rule.control}]({rule.help_url})" if rule.code else
                   f"[Security Hub {rule.control}]({rule.help_url}) · "
                   f"[AWS Config rule {rule.config_rule}]({rule.config_rule_url})")
            ),
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "sagemaker", _topic(rule)] + [tag for tag in (rule.cfn_lint_id, rule.checkov_id) if tag],
            "precision": "high",
            "problem.severity": "error",
            "security-severity": SECURITY_SEVERITY.get(rule.severity, "5.5"),
        },
    }


def _fingerprint(rule: Rule, path: str, resource: str) -> str:
    import hashlib

    # Line numbers move when a file is edited; the rule, file and resource name do not.
    return hashlib.sha256(f"{rule.control}\0{path}\0{resource}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _sarif_region(text: str, start: int, end: int) -> dict:
    """A SARIF region of ``text[start:end]``: 1-based lines and columns, columns in code points
    (the run's ``columnKind``), the end column the one after the last character deleted; an empty
    region (``start == end``) is where text is inserted."""
    def line_column(offset: int) -> tuple[int, int]:
        return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1

    start_line, start_column = line_column(start)
    end_line, end_column = line_column(end)
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def _sarif_fixes(finding: Finding, sources: dict[str, str], texts: dict[str, str | None]) -> dict:
    """``{"fixes": [...]}`` for a finding that has a fix (the one ``fix`` would apply), else ``{}``.
    Unsafe fixes are listed too, as ruff lists them, with ``properties.applicability`` = "unsafe" and
    the reason in the description: a SARIF viewer lets a person choose; ``fix`` applies them only with
    ``--unsafe-fixes``."""
    from . import fix as fix_module

    def text_of(path: str) -> str | None:
        if path in sources:
            return sources[path]
        if path not in texts:
            try:
                texts[path] = fix_module.read_source(path)
            except (OSError, ValueError):
                texts[path] = None
        return texts[path]

    text = text_of(finding.path)
    if text is None:
        return {}
    try:
        fix = fix_module.fix_for(finding, text)
    except fix_module.NoFix:
        return {}
    except Exception:  # noqa: BLE001 - a report is never lost to a fix that cannot be worked out
        return {}
    changes: dict[str, list[dict]] = {}
    for edit in sorted(fix.edits, key=lambda e: (e.path, e.start)):
        edited = text if edit.path == finding.path else text_of(edit.path)
        if edited is None:
            return {}
        changes.setdefault(edit.path, []).append({
            "deletedRegion": _sarif_region(edited, edit.start, edit.end),
            "insertedContent": {"text": edit.new},
        })
    description = fix.title if fix.safe else f"{fix.title} (unsafe: {fix.note})"
    return {"fixes": [{
        "description": {"text": description},
        "artifactChanges": [{"artifactLocation": escape.sarif_location(path), "replacements": replacements}
                            for path, replacements in changes.items()],
        "properties": {"applicability": "safe" if fix.safe else "unsafe"},
    }]}


def format_sarif(report: Report) -> str:
    import json

    index = {rule.control: position for position, rule in enumerate(all_rules())}
    texts: dict[str, str | None] = {}  # path -> text the fixes edit (None: cannot be read), read once
    results = [
        {
            "ruleId": f.rule.control,
            "ruleIndex": index[f.rule.control],
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": escape.sarif_location(f.path),
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                    },
                    "logicalLocations": [{"name": f.resource, "kind": "resource"}]
                    + ([{"name": f.construct_path, "fullyQualifiedName": f.construct_path, "kind": "module"}]
                       if f.construct_path else []),
                }
            ],
            "partialFingerprints": {"sagemakerIacLint/v1": _fingerprint(f.rule, f.path, f.resource)},
            **_sarif_fixes(f, report.sources, texts),
        }
        for f in report.findings
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{e.path}: {e.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": escape.sarif_location(e.path)}}],
        }
        for e in report.errors
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sagemaker-iac-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_sarif_rule(rule) for rule in all_rules()],
                    }
                },
                "invocations": [
                    {"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
                # with --baseline: how many findings it hid (a run's property bag, SARIF 3.8)
                **({"properties": {"baselined": report.baselined}} if report.baselined is not None else {}),
            }
        ],
    }
    return json.dumps(escape.json_data(document), indent=2) + "\n"


_escape_data = escape.github_data
_escape_property = escape.github_property


def format_github(report: Report) -> str:
    lines = [
        f"::error file={_escape_property(f.path)},line={f.line},col={f.column},"
        f"title={_escape_property(f.rule.control + ' ' + f.rule.short_description)}::{_escape_data(f.message)}"
        for f in report.findings
    ]
    lines += [
        f"::error file={_escape_property(e.path)},title={_escape_property('sagemaker-iac-lint could not read this file')}::{_escape_data(e.message)}"
        for e in report.errors
    ]
    return "\n".join(lines) + ("\n" if lines else "")


# Security Hub's severities on GitLab's scale (info, minor, major, critical, blocker)
GITLAB_SEVERITY = {"informational": "info", "low": "minor", "medium": "major", "high": "critical", "critical": "blocker"}


def format_gitlab(report: Report) -> str:
    """GitLab Code Quality: a JSON array of issues (description, check_name, fingerprint, severity,
    location.path, location.lines.begin), which GitLab shows on merge requests. A fingerprint is the
    rule, file, resource and deployment, so a finding keeps it when lines move; a file that could not
    be read is an issue too, never a silent pass."""
    import hashlib
    import json

    issues = [
        {
            "description": f"{f.rule.control} {f.message}",
            "check_name": f.rule.control,
            "fingerprint": _fingerprint(f.rule, f.path, f.resource + ("\0" + f.deployment if f.deployment else "")),
            "severity": GITLAB_SEVERITY.get(f.severity, "major"),
            "location": {"path": f.path, "lines": {"begin": f.line}},
        }
        for f in report.findings
    ]
    issues += [
        {
            "description": f"could not be read: {e.message}",
            "check_name": "sagemaker-iac-lint/read-error",
            "fingerprint": hashlib.sha256(f"read-error\0{e.path}".encode("utf-8", "surrogatepass")).hexdigest()[:32],
            "severity": "major",
            "location": {"path": e.path, "lines": {"begin": 1}},
        }
        for e in report.errors
    ]
    return json.dumps(escape.json_data(issues), indent=2) + "\n"


def _xml(text: str) -> str:
    """Text for an XML 1.0 attribute or element: control characters shown as the text format shows
    them (XML cannot hold most of them), and so are U+FFFE and U+FFFF (nor these), then the XML
    specials escaped."""
    from xml.sax.saxutils import escape as xml_escape

    text = escape.json_string(escape.text(text))
    if "\ufffe" in text or "\uffff" in text:  # not XML characters either: shown as \ufffe, \uffff
        text = text.replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")
    return xml_escape(text, {'"': "&quot;"})


def format_junit(report: Report) -> str:
    """JUnit XML, as Jenkins, Azure Pipelines and CircleCI read it: one test case per file scanned,
    a failure per finding, an error for a file that could not be read."""
    findings: dict[str, list] = {}
    for f in report.findings:
        findings.setdefault(f.path, []).append(f)
    errors: dict[str, list] = {}
    for e in report.errors:
        errors.setdefault(e.path, []).append(e)
    paths = list(dict.fromkeys([*report.paths, *findings, *errors]))
    lines = []
    for path in paths:
        body = [
            f'      <failure type="{_xml(f.rule.control)}" message="{_xml(f.rule.control + " " + f.rule.short_description)}">'
            f"{_xml(f'{f.path}:{f.line}:{f.column}: {f.rule.control} {f.message}')}</failure>"
            for f in findings.get(path, [])
        ]
        body += [f'      <error type="read-error" message="{_xml(e.message)}">{_xml(e.message)}</error>'
                 for e in errors.get(path, [])]
        opening = f'    <testcase classname="sagemaker-iac-lint" name="{_xml(path)}"'
        lines += [opening + ">", *body, "    </testcase>"] if body else [opening + "/>"]
    # JUnit counts test cases: a file with findings is one failed case, an unreadable file one error
    failures = sum(1 for path in paths if path in findings and path not in errors)
    error_count = sum(1 for path in paths if path in errors)
    counts = f'tests="{len(paths)}" failures="{failures}" errors="{error_count}"'
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<testsuites {counts}>",
        f'  <testsuite name="sagemaker-iac-lint" {counts}>',
        # with --baseline: how many findings it hid, as a property of the suite (before its test cases)
        *([f'    <properties><property name="baselined" value="{report.baselined}"/></properties>']
          if report.baselined is not None else []),
        *lines,
        "  </testsuite>",
        "</testsuites>",
    ]) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "sarif": format_sarif, "github": format_github,
              "gitlab": format_gitlab, "junit": format_junit}
