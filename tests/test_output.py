"""Snapshots of the JSON and SARIF output, and the SARIF validated against the 2.1.0 schema.

Refresh the snapshots after an intended change with ``UPDATE_SNAPSHOTS=1``.
"""

from __future__ import annotations

import json
import os

import pytest
from fixture_cases import FIXTURES

from sagemaker_iac_lint.cli import main

SNAPSHOTS = os.path.join(os.path.dirname(__file__), "snapshots")
SCHEMA = os.path.join(os.path.dirname(__file__), "schemas", "sarif-2.1.0.json")
CASES = {
    "literal": "cloudformation/sagemaker-15/literal.fail.yaml",
    "conditions-json": "cloudformation/sagemaker-15/conditions.fail.json",
    "schedule": "cloudformation/sagemaker-22/inline.fail.yaml",
}
# The control each snapshot is about: the templates' resources are judged by other controls too
# (a model bias job definition without EnableNetworkIsolation fails SageMaker.12).
CONTROLS = {"literal": "SageMaker.15", "conditions-json": "SageMaker.15", "schedule": "SageMaker.22"}


def render(fmt: str, relative: str, capsys, strict: bool = False, select: str = "") -> str:
    cwd = os.getcwd()
    os.chdir(FIXTURES)  # paths in the output are relative to where the scan runs
    try:
        main(["check", "--format", fmt, *(["--strict"] if strict else []), *(["--select", select] if select else []),
              relative])
    finally:
        os.chdir(cwd)
    return capsys.readouterr().out


def _normalise_version(document: dict | list) -> dict | list:
    for run in document.get("runs", []) if isinstance(document, dict) else []:
        run["tool"]["driver"]["version"] = run["tool"]["driver"]["semanticVersion"] = "VERSION"
    return document


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_snapshot(case: str, fmt: str, capsys) -> None:
    actual = _normalise_version(json.loads(render(fmt, CASES[case], capsys, strict=True, select=CONTROLS[case])))
    path = os.path.join(SNAPSHOTS, f"{case}.{fmt}")
    if os.environ.get("UPDATE_SNAPSHOTS"):
        os.makedirs(SNAPSHOTS, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(actual, handle, indent=2)
            handle.write("\n")
    with open(path, encoding="utf-8") as handle:
        expected = json.load(handle)
    assert actual == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_sarif_validates_against_the_schema(case: str, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(render("sarif", CASES[case], capsys))
    with open(SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.validate(document, schema)
    driver = document["runs"][0]["tool"]["driver"]
    # a control links its Security Hub page; a configuration diagnostic (SIL001) a page of its own
    assert all(rule["helpUri"].startswith("https://docs.aws.amazon.com/securityhub/") for rule in driver["rules"]
               if rule["id"].startswith("SageMaker."))
    assert all(rule["helpUri"].startswith("https://") for rule in driver["rules"])
    for result in document["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["partialFingerprints"]


def test_sarif_with_an_unreadable_file_validates_and_reports_it(tmp_path, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties: [\n")
    code = main(["check", "--format", "sarif", str(broken)])
    document = json.loads(capsys.readouterr().out)
    with open(SCHEMA, encoding="utf-8") as handle:
        jsonschema.validate(document, json.load(handle))
    invocation = document["runs"][0]["invocations"][0]
    assert code == 2 and invocation["executionSuccessful"] is False
    assert "broken.yaml" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_fingerprints_survive_line_moves(tmp_path, capsys) -> None:
    source = os.path.join(FIXTURES, CASES["literal"])
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    target = tmp_path / "job.yaml"
    prints = []
    for prefix in ("", "# a comment that moves every line\n\n"):
        target.write_text(prefix + text)
        main(["check", "--format", "sarif", str(target)])
        results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
        prints.append([r["partialFingerprints"] for r in results])
    assert prints[0] == prints[1]


GITLAB_SCHEMA = os.path.join(os.path.dirname(__file__), "schemas", "gitlab-code-quality.json")


@pytest.mark.parametrize("case", sorted(CASES))
def test_gitlab_report_has_gitlabs_documented_shape(case: str, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    issues = json.loads(render("gitlab", CASES[case], capsys, strict=True))
    with open(GITLAB_SCHEMA, encoding="utf-8") as handle:
        jsonschema.validate(issues, json.load(handle))
    assert issues and len({issue["fingerprint"] for issue in issues}) == len(issues)  # GitLab keeps one per fingerprint


@pytest.mark.parametrize("case", sorted(CASES))
def test_junit_snapshot(case: str, capsys) -> None:
    import xml.etree.ElementTree as ElementTree

    actual = render("junit", CASES[case], capsys, strict=True, select=CONTROLS[case])
    path = os.path.join(SNAPSHOTS, f"{case}.junit.xml")
    if os.environ.get("UPDATE_SNAPSHOTS"):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(actual)
    with open(path, encoding="utf-8") as handle:
        assert actual == handle.read()
    root = ElementTree.fromstring(actual.encode("utf-8"))
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [CASES[case]]
    findings = json.loads(render("json", CASES[case], capsys, strict=True, select=CONTROLS[case]))["findings"]
    assert len(cases[0].findall("failure")) == len(findings)
    assert suite.get("tests") == "1" and suite.get("failures") == "1" and suite.get("errors") == "0"


def test_junit_lists_clean_and_unreadable_files(tmp_path, capsys) -> None:
    import xml.etree.ElementTree as ElementTree

    (tmp_path / "clean.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    (tmp_path / "bad.yaml").write_text("Resources:\n  J:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties: [\n")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(["check", "--no-config", "--format", "junit", "."])
    finally:
        os.chdir(cwd)
    assert code == 2
    suite = ElementTree.fromstring(capsys.readouterr().out.encode("utf-8")).find("testsuite")
    by_name = {c.get("name"): c for c in suite.findall("testcase")}
    assert sorted(by_name) == ["bad.yaml", "clean.yaml"]
    assert list(by_name["clean.yaml"]) == [] and by_name["bad.yaml"].find("error") is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "0", "1")
