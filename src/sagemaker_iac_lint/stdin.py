"""``check -``: a template read from standard input, judged as the file ``--stdin-filename`` names.

The name decides the kind of file (``.tf``/``.tofu``/``.tf.json``: Terraform; anything else:
CloudFormation, JSON or YAML as its suffix or first character says), the path shown in every
message, and what ``--exclude`` matches. Without a name, the text is sniffed: a JSON document
(a CloudFormation template, or a Terraform plan or JSON configuration) when it starts with ``{``,
else a YAML CloudFormation template; it is shown as ``-``.

A Terraform file from standard input is judged as a module of its own, the one file, rooted in
the directory of ``--stdin-filename``: the other files of that directory on disk are not read,
and no module elsewhere is looked for as its caller. From disk it reads what Terraform would for
that root module: ``terraform.tfvars`` and ``*.auto.tfvars`` of the directory, the ``--var-file``
files given, and the modules it calls by a local path (``source = "./..."``) or that
``terraform init`` recorded under ``.terraform/modules``.
"""

from __future__ import annotations

import os
import sys

from . import kinds
from .errors import ReadError
from .scan import MAX_BYTES, FileError, Finding, Options, Report, decode, excluded, findings_for, internal_error

SHOWN_WITHOUT_NAME = "-"


def read_stdin() -> bytes:
    """Standard input's bytes, at most MAX_BYTES + 1 (the bound a file is read to)."""
    if sys.stdin is None:  # no standard input at all (pythonw, a closed descriptor): empty
        return b""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in its place (an embedding, a test): its text, as UTF-8
        return str(sys.stdin.read(MAX_BYTES + 1)).encode("utf-8", "surrogatepass")
    return bytes(stream.read(MAX_BYTES + 1))


def shown_name(name: str | None) -> str:
    """The path messages show: the name as given (``./`` dropped, as the walk shows it), or ``-``."""
    if not name:
        return SHOWN_WITHOUT_NAME
    return name[2:] if name.startswith("./") else name


def scan_stdin(raw: bytes, name: str | None, options: Options) -> Report:
    """The report for one template read from standard input, as ``scan`` would give it for a file."""
    shown = shown_name(name)
    if name and excluded(name, options.exclude):
        return Report([], [], 0, [])
    try:
        findings, errors = _findings(raw, name, shown, options)
    except ReadError as error:
        return Report([], [FileError(shown, str(error))], 1, [shown])
    except RecursionError:
        return Report([], [FileError(shown, "nesting too deep to read")], 1, [shown])
    except MemoryError:
        return Report([], [FileError(shown, "too large to read in memory")], 1, [shown])
    except Exception as error:  # noqa: BLE001 - a bug of ours is a one-line error, as for a file
        return Report([], [FileError(shown, internal_error("reading", error))], 1, [shown])
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule.number))
    report = Report(findings, errors, 1, [shown])
    if findings:
        report.sources[shown] = _text(raw)  # SARIF's fixes are edits of this text, not of a file NAME on disk
    return report


def _text(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise ReadError(f"larger than {MAX_BYTES // (1024 * 1024)} MB, not read")
    text = decode(raw)
    if not text or text.isspace():
        raise ReadError("empty input")
    return text


def _findings(raw: bytes, name: str | None, shown: str, options: Options) -> tuple[list[Finding], list[FileError]]:
    from .scan import mentions_monitored_type, parse_text

    kind = kinds.kind_of(name or "")
    if kind == kinds.TFVARS:
        raise ReadError("a Terraform variable file is not a template: give it with --var-file, and the module on stdin")
    if kinds.is_module_file(name or ""):
        if len(raw) > MAX_BYTES:
            raise ReadError(f"larger than {MAX_BYTES // (1024 * 1024)} MB, not read")
        text = decode(raw)  # an empty .tf is no declarations, as Terraform reads it
        return _terraform_findings(text, name or "", shown, options)
    text = _text(raw)
    if not mentions_monitored_type(text):
        return [], []
    # parse_text goes by the suffix; without a name, "-" has none, so the first character decides
    subjects = parse_text(name or SHOWN_WITHOUT_NAME, text, options.deployments)
    return findings_for(shown, subjects, options), []


def _terraform_findings(text: str, name: str, shown: str, options: Options) -> tuple[list[Finding], list[FileError]]:
    """The findings of the one-file module: in the file itself and, for a resource of a module it
    calls, in that module's file (shown as the scan shows it). A file of the module that cannot
    be read is this input's error; a --var-file, tfvars or called module's file, an error of its own,
    as the scan reports it."""
    from . import scan as scan_module
    from . import terraform, tfmodule
    from .stdin_terraform import OneFileProject

    path = os.path.abspath(name)
    project = OneFileProject(path, text, tfmodule.Deployment(options.var_files, options.variables),
                             lambda: scan_module._hcl2_problem(terraform))
    subjects, problems = tfmodule.judge_paths([path], project=project)
    for problem_path, message in problems:
        if os.path.abspath(problem_path) == path:
            raise ReadError(message)
    errors = [FileError(_shown_other(problem_path, name), message) for problem_path, message in problems]
    by_file: dict[str, list] = {}
    for subject_path, subject in subjects:
        by_file.setdefault(os.path.abspath(subject_path), []).append(subject)
    findings: list[Finding] = []
    for subject_path, file_subjects in by_file.items():
        file_shown = shown if subject_path == path else _shown_other(subject_path, name)
        findings.extend(findings_for(file_shown, file_subjects, options))
    return findings, errors


def _shown_other(path: str, name: str) -> str:
    """Another file's path as the scan shows it: relative to the current directory, unless the
    name given was absolute or the file lies above it."""
    if path.startswith("--var"):
        return path
    relative = os.path.relpath(path)
    return path if os.path.isabs(name) or relative.startswith("..") else relative
