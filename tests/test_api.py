"""The Python API gives what the CLI reports, as data, and never raises on a bad document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fixture_cases import FIXTURES

from sagemaker_iac_lint import api

LITERAL = Path(FIXTURES) / "cloudformation" / "sagemaker-15" / "literal.fail.yaml"


def cli_findings(*args: str) -> set[tuple]:
    done = subprocess.run([sys.executable, "-m", "sagemaker_iac_lint", "check", "--no-config", "--format", "json", *args],
                          capture_output=True, text=True, timeout=120)
    return {(f["rule"], f["path"], f["line"], f["column"], f["resource"]) for f in json.loads(done.stdout)["findings"]}


def test_lint_paths_reports_what_the_cli_reports() -> None:
    report = api.lint_paths([str(LITERAL)])
    assert report.errors == [] and report.findings
    assert {(f.rule.control, f.path, f.line, f.column, f.resource) for f in report.findings} == cli_findings(str(LITERAL))
    strict = api.lint_paths([str(LITERAL)], api.Options(strict=True, select=frozenset({"SageMaker.15"})))
    assert {f.rule.control for f in strict.findings} == {"SageMaker.15"}
    assert len(strict.findings) > len([f for f in report.findings if f.rule.control == "SageMaker.15"])


def test_lint_text_judges_a_buffer_as_the_file_would_be() -> None:
    text = LITERAL.read_text(encoding="utf-8")
    from_text = api.lint_text(text, str(LITERAL))
    from_file = api.lint_paths([str(LITERAL)])
    assert [(f.rule, f.line, f.column, f.resource, f.message) for f in from_text.findings] == \
        [(f.rule, f.line, f.column, f.resource, f.message) for f in from_file.findings]
    unnamed = api.lint_text(text)
    assert {f.path for f in unnamed.findings} == {"-"} and len(unnamed.findings) == len(from_file.findings)


def test_a_bad_document_is_an_error_not_an_exception() -> None:
    report = api.lint_text("Resources:\n  J:\n    Type: AWS::SageMaker::Model\n    Properties: [\n", "t.yaml")
    assert report.findings == [] and [e.path for e in report.errors] == ["t.yaml"]
    assert "invalid YAML" in report.errors[0].message


def test_the_documented_example_runs(capsys, monkeypatch) -> None:
    import re

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "api.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    monkeypatch.chdir(root)
    exec(compile(code, "docs/api.md", "exec"), {})  # noqa: S102 - the page's own example
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("SageMaker.15 tests/fixtures/cloudformation/sagemaker-15/")
    assert printed[-1].endswith(" findings in the buffer") and int(printed[-1].split()[0]) > 0
