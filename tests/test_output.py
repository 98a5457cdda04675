"""Snapshots of the JSON and SARIF output, and the SARIF validated against the 2.1.0 schema.

Refresh the snapshots after an intended change with ``UPDATE_SNAPSHOTS=1``.
"""

from __future__ import annotations

import json
import os
import subprocess

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


def _apply_sarif_fix(texts: dict[str, str], fix: dict) -> dict[str, str]:
    """The texts (by SARIF uri) with one SARIF fix's replacements applied, each region read as SARIF
    defines it: 1-based lines and columns, columns in code points, the end column exclusive."""
    changed = dict(texts)
    for change in fix["artifactChanges"]:
        uri = change["artifactLocation"]["uri"]
        text = changed[uri]
        lines = text.splitlines(True)

        def offset(line: int, column: int, lines: list[str] = lines) -> int:
            return sum(len(x) for x in lines[: line - 1]) + column - 1

        spans = [(offset(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]),
                  offset(r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"]),
                  r["insertedContent"]["text"]) for r in change["replacements"]]
        for start, end, new in sorted(spans, reverse=True):
            text = text[:start] + new + text[end:]
        changed[uri] = text
    return changed


@pytest.mark.parametrize("relative", [
    "cloudformation/sagemaker-15/literal.fail.yaml",
    "cloudformation/sagemaker-15/conditions.fail.json",
    "cloudformation/sagemaker-15/parameters.fail.yaml",
    "cloudformation/sagemaker-22/inline.fail.yaml",
    pytest.param("terraform/sagemaker-15/flag-false.fail.tf", marks=pytest.mark.terraform),
    pytest.param("terraform/sagemaker-15/no-network-config.fail.tf", marks=pytest.mark.terraform),
    pytest.param("terraform_json/sagemaker-22/inline-unencrypted.fail.tf.json", marks=pytest.mark.terraform),
])
def test_each_sarif_fix_clears_its_finding(relative: str, tmp_path, capsys, monkeypatch) -> None:
    """Every result's fix, applied alone to the file as a SARIF viewer applies it, leaves the file
    without that finding and with the others; each result with a fix says whether it is safe."""
    if relative.startswith("terraform"):
        pytest.importorskip("hcl2")
    name = os.path.basename(relative)
    with open(os.path.join(FIXTURES, relative), encoding="utf-8") as handle:
        original = handle.read()
    (tmp_path / name).write_text(original, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "--no-config", "--format", "sarif", name])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    found = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in results}
    fixed = [r for r in results if "fixes" in r]
    assert fixed, "the fixture has fixable findings"
    for result in fixed:
        (fix,) = result["fixes"]
        assert fix["properties"]["applicability"] in ("safe", "unsafe")
        assert (fix["properties"]["applicability"] == "unsafe") == ("(unsafe: " in fix["description"]["text"])
        after = _apply_sarif_fix({name: original}, fix)
        (tmp_path / name).write_text(after[name], encoding="utf-8")
        main(["check", "--no-config", "--format", "json", name])
        left = {(f["rule"], f["resource"]) for f in json.loads(capsys.readouterr().out)["findings"]}
        key = (result["ruleId"], result["locations"][0]["logicalLocations"][0]["name"])
        assert key not in left and left <= found - {key}
    (tmp_path / name).write_text(original, encoding="utf-8")


def test_sarif_fix_columns_are_code_points(tmp_path, capsys, monkeypatch) -> None:
    """A line with characters outside the BMP before the flag: the region's columns count code points
    (the run's columnKind), not UTF-16 units or bytes."""
    text = ("Description: \"\U0001F680 job\"\nResources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n"
            "    Properties:\n      NetworkConfig: {EnableNetworkIsolation: true, \"\U0001F680\": 1, "
            "EnableInterContainerTrafficEncryption: false}\n"
            "      JobResources: {ClusterConfig: {InstanceCount: 2, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}}\n")
    (tmp_path / "job.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "--no-config", "--format", "sarif", "job.yaml"])
    document = json.loads(capsys.readouterr().out)
    (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "SageMaker.15"]
    region = result["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    line = text.splitlines()[5]
    column = line.index("false") + 1
    assert region == {"startLine": 6, "startColumn": column, "endLine": 6, "endColumn": column + 5}
    assert document["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_sarif_fixes_from_stdin_edit_the_text_read(tmp_path) -> None:
    """With --stdin-filename NAME, the fix's regions are in the text read from standard input, not in
    a file NAME on disk (which here holds other text)."""
    from console import COMMAND

    source = os.path.join(FIXTURES, "cloudformation/sagemaker-15/literal.fail.yaml")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    (tmp_path / "job.yaml").write_text("# a different text on disk\n\n\n" + text, encoding="utf-8")
    done = subprocess.run([*COMMAND, "check", "--no-config", "--format", "sarif",
                           "--stdin-filename", "job.yaml", "-"], input=text.encode(), capture_output=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    results = json.loads(done.stdout)["runs"][0]["results"]
    for result in (r for r in results if "fixes" in r):
        after = _apply_sarif_fix({"job.yaml": text}, result["fixes"][0])["job.yaml"]
        assert after != text and after.count("\n") >= text.count("\n")
    flag = next(r for r in results if r["ruleId"] == "SageMaker.15" and "fixes" in r
                and r["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "true")
    region = flag["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert text.splitlines()[region["startLine"] - 1][region["startColumn"] - 1:region["endColumn"] - 1] == "false"
