"""The Python API: what ``sagemaker-iac-lint check`` judges, as data.

::

    from sagemaker_iac_lint.api import Options, lint_paths, lint_text

    report = lint_paths(["infra/"], Options(strict=True))
    for finding in report.findings:
        print(finding.rule.control, finding.path, finding.line, finding.resource, finding.message)

``lint_paths`` walks files and directories exactly as the CLI does (Terraform as modules, parameter
files and samconfig deployments, suppressions, ``select``/``ignore``); ``lint_text`` judges one
document that is not on disk (an editor's buffer), as ``check - --stdin-filename PATH`` does. Both
return a ``Report``: ``findings`` (``Finding`` records: ``rule``, ``path``, ``line``, ``column``,
``resource``, ``resource_type``, ``message``, ``deployment``, ``construct_path``) and ``errors`` (files
that could not be judged, each with a one-line reason). Neither raises on a bad file, and neither
reads ``pyproject.toml``: pass the options you want.
"""

from __future__ import annotations

from .scan import FileError, Finding, Options, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["FileError", "Finding", "Options", "Report", "lint_paths", "lint_text"]


def lint_paths(paths: Iterable[str], options: Options | None = None) -> Report:
    """Judge files and directories as ``sagemaker-iac-lint check PATH...`` does."""
    from .scan import scan

    return scan(list(paths), options if options is not None else Options())


def lint_text(text: str, path: str | None = None, options: Options | None = None) -> Report:
    """Judge one document given as text. ``path`` gives the kind (``.yaml``, ``.json``, ``.tf``,
    ``.tf.json``), the path findings name, and, for a ``.tf``, the directory whose tfvars and called
    modules it is read with; without it the text is read as a CloudFormation template (JSON or YAML)."""
    from .stdin import scan_stdin

    return scan_stdin(text.encode("utf-8", "surrogatepass"), path, options if options is not None else Options())
