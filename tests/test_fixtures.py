"""Every fixture, through the CLI's scan: exact failing resources, standard and strict, and lines."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from fixture_cases import FORMATS, Fixture, all_fixtures, expected_failures

from sagemaker_iac_lint.rules import RULES, RULES_BY_CONTROL
from sagemaker_iac_lint.scan import Options, read_file, scan

FIXTURES = all_fixtures()


def declared_resources(fixture: Fixture) -> set[str]:
    """Monitored resources named in the file, found without our readers where the syntax allows."""
    with open(fixture.path, encoding="utf-8") as handle:
        text = handle.read()
    rule = RULES_BY_CONTROL[fixture.control]
    if fixture.format == "cloudformation":
        # logical ids written under `Resources` (two-space indentation in YAML, the keys in JSON), and
        # names made by `Fn::ForEach` or written unusually, which follow the naming convention
        named = set(re.findall(r"\b((?:Job|Schedule)[A-Z]\w*)\"?:", text))
        if fixture.path.endswith(".json"):
            import json

            return named | set(json.loads(text).get("Resources", {}))
        section = re.search(r"^Resources:\s*\n((?:[ \t#].*\n|\n)*)", text + "\n", re.MULTILINE)
        written = re.findall(r"^  ([A-Za-z0-9]+):", section.group(1), re.MULTILINE) if section else []
        return named | set(written)
    if fixture.path.endswith(".tf"):
        types = "|".join(rule.tf_types + rule.nonexistent_tf_types)
        return {f"{t}.{n}" for t, n in re.findall(rf'resource\s+"({types})"\s+"(\w+)"', text)}
    return {subject.name for subject in read_file(fixture.path)}


def alone(fixture: Fixture, folder: str) -> str:
    """The fixture as a file to scan: a Terraform file in a folder of its own, since every Terraform
    file of one folder belongs to one module (and the fixtures of a control share a folder)."""
    if fixture.format not in ("terraform", "terraform_json"):
        return fixture.path
    path = os.path.join(folder, os.path.basename(fixture.path))
    shutil.copy(fixture.path, path)
    return path


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.id for f in FIXTURES])
def test_fixture_verdicts(fixture: Fixture, tmp_path) -> None:
    resources = declared_resources(fixture)
    assert resources, "a fixture must declare at least one monitored resource"
    markers = fixture.marked_lines()
    path = alone(fixture, str(tmp_path))
    for strict in (False, True):
        report = scan([path], Options(strict=strict, select=frozenset({fixture.control})))
        assert report.errors == []
        # count and for_each make instances (`name[0]`, `name["a"]`): the fixture names the block
        failing = {re.sub(r"\[[^\[\]]*\]$", "", finding.resource) for finding in report.findings}
        assert failing == expected_failures(resources, strict), f"strict={strict}"
        for finding in report.findings:
            assert finding.rule.control == fixture.control
            assert f"`{finding.resource}`" in finding.message
            assert f"to {finding.rule.wanted}" in finding.message
            short = re.sub(r"\[[^\[\]]*\]$", "", finding.resource).rsplit(".", 1)[-1]
            if markers:
                assert short in markers, f"{short} has no '# finding:' marker"
                assert finding.line == markers[short], f"{short} points at the wrong line"
    standard = scan([path], Options(select=frozenset({fixture.control}))).findings
    assert bool(standard) == (fixture.expected_file_outcome == "fail")


@pytest.mark.parametrize("rule", RULES, ids=[r.control for r in RULES])
def test_every_control_has_pass_and_fail_fixtures_in_every_format(rule) -> None:
    outcomes = {(f.format, f.expected_file_outcome) for f in FIXTURES if f.control == rule.control}
    for fmt in FORMATS:
        assert (fmt, "pass") in outcomes, f"{rule.control} has no passing {fmt} fixture"
        assert (fmt, "fail") in outcomes, f"{rule.control} has no failing {fmt} fixture"
