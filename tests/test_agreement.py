"""The front ends agree on generated files: the CLI, cfn-lint with our rules, Checkov with ours.

CloudFormation templates come from the same value-model strategies as ``test_properties`` and go
to all three. Resources of every rule of the table, built from its row (the judged property under
its scope, every element of an ``each`` list, a serverless variant now and then, the ``applies``
properties; values literal, from parameters or variables with and without defaults, locals,
conditionals, calls, references, or missing), go to the CLI and Checkov as CloudFormation and as
`.tf` in both providers' syntax (nested blocks for hashicorp/aws, objects for awscc). Every rule
that judges a generated resource is compared, not only the one it was built for: the engines must
report the same (file, rule, resource) triples. A bounded number per run (each engine is started
once over the whole folder) keeps this within CI time. Each engine that is not installed in this
environment is left out; the CLI is always there.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("hypothesis")
import yaml  # noqa: E402
from engines import cfn_lint_command, checkov_command, checkov_reports  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_properties import ShortDumper, short_form, templates  # noqa: E402

from sagemaker_iac_lint.rules import PRESENT, RULES, RULES_BY_CFN_TYPE, Rule, find_rule  # noqa: E402

TEMPLATES_PER_RUN = int(os.environ.get("AGREEMENT_FILES_PER_RUN", "20"))  # more for a longer hunt
HAS_CFN_LINT = importlib.util.find_spec("cfnlint") is not None
HAS_CHECKOV = importlib.util.find_spec("checkov") is not None
BIN = Path(sys.executable).parent


def generated(strategy: st.SearchStrategy, count: int) -> list:
    """``count`` values of ``strategy``, each drawn afresh. One example holding a whole batch, as
    ``@given(st.lists(...))`` with ``max_examples=1`` gives it, is Hypothesis's simplest: the same
    minimal file ``count`` times. The engines are slow to start, so the batch is collected here and
    each engine runs once over all of it; a difference names the folder and the triples that differ."""
    found: list = []

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: object) -> None:
        found.append(value)

    collect()
    return found


def cli(folder: Path, strict: bool) -> set[tuple[str, str, str]]:
    """(folder, control, resource) of every finding."""
    command = [sys.executable, "-m", "sagemaker_iac_lint", "check", "--no-config", "--format", "json", str(folder)]
    result = subprocess.run(command + (["--strict"] if strict else []), capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    return {(Path(f["path"]).parent.name, f["rule"], f["resource"]) for f in report["findings"]}


def pairs(found: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    return {(folder, resource) for folder, _, resource in found}


def control_of(check_id: str) -> str:
    rule = find_rule(check_id)
    assert rule is not None, check_id
    return rule.control


def cfn_lint(files: list[Path], strict: bool) -> set[tuple[str, str]]:
    command = ["--format", "json", "--append-rules", "sagemaker_iac_lint.cfn_lint"]
    if strict:
        for rule in RULES:
            command += ["--configure-rule", f"{rule.cfn_lint_id}:strict=true"]
    result = cfn_lint_command(command + ["--", *map(str, files)])
    found = set()
    for match in json.loads(result.stdout or "[]"):
        if match["Rule"]["Id"].startswith("E95"):
            path = match["Filename"]
            resource = match["Location"]["Path"][1]
            found.add((Path(path).parent.name, resource))
    return found


def checkov(folder: Path, strict: bool, framework: str = "cloudformation") -> set[tuple[str, str, str]]:
    """(folder, control, resource) of every failed check of ours: a logical ID, or a Terraform address."""
    result = checkov_command(["-d", str(folder), "--framework", framework, "--output", "json", "--quiet"], strict=strict)
    reports = checkov_reports(result)
    assert reports and all(report.get("check_type") == framework for report in reports), result.stderr[-3000:]
    found = set()
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            resource = check["resource"] if framework == "terraform" else check["resource"].rsplit(".", 1)[-1]
            found.add((Path(check["file_path"]).parent.name, control_of(check["check_id"]), resource))
    return found


@pytest.mark.skipif(not (HAS_CFN_LINT or HAS_CHECKOV), reason="neither cfn-lint nor Checkov in this environment")
def test_engines_agree_on_generated_templates(tmp_path_factory) -> None:
    batch = generated(templates(), TEMPLATES_PER_RUN)
    folder = tmp_path_factory.mktemp("generated")
    files = []
    # one template that surely fails, so an engine that reports nothing cannot agree by accident
    batch = batch + [{"Resources": {"JobKnownFailure": {"Type": RULES[0].cfn_types[0], "Properties": {
        "RoleArn": "arn:aws:iam::123456789012:role/r",
        "JobResources": {"ClusterConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
    }}}}]
    for index, template in enumerate(batch):
        # Checkov drops a template whose NetworkConfig is a plain string (its parsing limit, see
        # docs/engines.md), so that shape stays in the CLI's own property tests.
        for job in template["Resources"].values():
            properties = job["Properties"]
            holder = properties.get("MonitoringScheduleConfig", {}).get("MonitoringJobDefinition", properties)
            if isinstance(holder.get("NetworkConfig"), str):
                holder["NetworkConfig"] = {"EnableNetworkIsolation": True}
        path = folder / f"t{index:02d}" / "template.yaml"
        path.parent.mkdir()
        path.write_text(yaml.dump(short_form(template), Dumper=ShortDumper, sort_keys=False), encoding="utf-8")
        files.append(path)
    for strict in (False, True):
        expected = cli(folder, strict)
        assert (f"t{len(batch) - 1:02d}", RULES[0].control, "JobKnownFailure") in expected
        if HAS_CFN_LINT:  # (folder, resource), as cfn-lint's half of this test compared them
            assert cfn_lint(files, strict) == pairs(expected), f"cfn-lint differs (strict={strict})"
        if HAS_CHECKOV:
            assert checkov(folder, strict) == expected, f"Checkov differs (strict={strict})"


# --- resources of every rule, from the rule table ------------------------------------------------

# Inputs every generated file declares, so that values can come from them.
TF_INPUTS = """\
variable "count_one" {
  default = 1
}
variable "count_three" {
  type    = number
  default = 3
}
variable "count_unset" {
  type = number
}
variable "flag_true" {
  default = true
}
variable "flag_false" {
  type    = bool
  default = false
}
variable "flag_unset" {
  type = bool
}
variable "prod" {
  type    = bool
  default = false
}
variable "text_unset" {
  type = string
}
variable "key_set" {
  default = "alias/team-key"
}
""" + "".join(f'variable "is_{value.lower()}" {{\n  default = "{value}"\n}}\n'
              for value in sorted({rule.expected for rule in RULES if isinstance(rule.expected, str)} - {PRESENT})) + """\
locals {
  three   = 3
  one     = 1
  encrypt = true
  key     = "alias/local-key"
}
"""
CFN_INPUTS = {
    "Parameters": {
        "Count": {"Type": "Number", "Default": 1},
        "CountMax1": {"Type": "Number", "Default": 1, "MaxValue": 1},
        "CountAllowed": {"Type": "Number", "Default": 3, "AllowedValues": [2, 3]},
        "FlagTrue": {"Type": "String", "Default": "true"},
        "FlagNone": {"Type": "String", "AllowedValues": ["true", "false"]},
        "Text": {"Type": "String"},
        "Key": {"Type": "String", "Default": "alias/team-key"},
        "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
    },
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
}
MISSING = object()
NO_VALUE = {"Ref": "AWS::NoValue"}

tf_counts = st.one_of(
    st.integers(min_value=0, max_value=4).map(str),
    st.sampled_from(['"1"', '"2"', "var.count_one", "var.count_three", "var.count_unset", "local.three",
                     "local.one", "var.prod ? 4 : 1", "var.prod ? 1 : 3", "max(1, 2)", "var.count_three * 1",
                     "try(var.count_unset, 2)", "null"]),
)
tf_flags = st.sampled_from(["true", "false", '"true"', '"false"', "var.flag_true", "var.flag_false", "var.flag_unset",
                            "local.encrypt", "var.prod ? true : false", "!var.prod", 'tobool("true")',
                            "var.flag_true && var.prod", "null"])
tf_present = st.sampled_from(['"alias/k"', '""', '"  "', "aws_kms_key.k.arn", "var.key_set", "var.text_unset",
                              "local.key", 'var.prod ? "alias/k" : null', "null"])
cfn_counts = st.one_of(st.integers(min_value=0, max_value=4), st.sampled_from(
    ["1", "2", {"Ref": "Count"}, {"Ref": "CountMax1"}, {"Ref": "CountAllowed"}, {"Fn::If": ["IsProd", 4, 1]},
     {"Fn::GetAtt": ["Other", "Count"]}, NO_VALUE]))
cfn_flags = st.sampled_from([True, False, "true", "false", {"Ref": "FlagTrue"}, {"Ref": "FlagNone"},
                             {"Fn::If": ["IsProd", True, False]}, {"Fn::ImportValue": "shared-flag"}, NO_VALUE])
cfn_present = st.sampled_from(["alias/k", "", {"Ref": "Key"}, {"Ref": "Text"}, {"Fn::GetAtt": ["KmsKey", "Arn"]},
                               {"Fn::If": ["IsProd", "alias/k", NO_VALUE]}, NO_VALUE])


def tf_text(value: str) -> st.SearchStrategy:
    return st.sampled_from([f'"{value}"', '"Other"', f'"{value.lower()}"', f"var.is_{value.lower()}", "var.text_unset",
                            f'var.prod ? "Other" : "{value}"', f'var.prod ? "{value}" : "Other"', "null"])


def cfn_text(value: str) -> st.SearchStrategy:
    return st.sampled_from([value, "Other", value.lower(), {"Ref": "Text"}, {"Fn::If": ["IsProd", value, "Other"]},
                            NO_VALUE])


def leaf(expected: object, count: bool, terraform: bool) -> st.SearchStrategy:
    """Values for a judged property: a count, a flag that must be true, a string, or any value."""
    if count:
        return tf_counts if terraform else cfn_counts
    if expected is PRESENT:
        return tf_present if terraform else cfn_present
    if isinstance(expected, str):
        return tf_text(expected) if terraform else cfn_text(expected)
    return tf_flags if terraform else cfn_flags


def condition_values(values: tuple, default: object, terraform: bool) -> st.SearchStrategy:
    """Values for a property an ``applies`` condition reads: each value it names, its default, another, unknown."""
    seen = list(dict.fromkeys([*values, default, "Other"]))
    if terraform:
        spelled = ["true" if v is True else "false" if v is False else f'"{v}"' for v in seen]
        return st.sampled_from([*spelled, "var.flag_unset", "var.text_unset"])
    return st.sampled_from([*seen, {"Ref": "Text"}, {"Ref": "FlagNone"}])


def _put(tree: dict, path: tuple[str, ...], value: object) -> None:
    """Set ``path`` in a nested tree; ``MISSING`` only makes the objects on the way, an object already
    there is kept."""
    for key in path[:-1]:
        node = tree.get(key)
        if not isinstance(node, dict):
            node = tree[key] = {}
        tree = node
    if value is MISSING or (isinstance(value, dict) and isinstance(tree.get(path[-1]), dict)):
        return
    tree[path[-1]] = value


@st.composite
def rule_resource(draw, terraform: bool) -> tuple[str, dict]:
    """(type, properties) of one resource, with the properties of every rule that judges its type."""
    rule = draw(st.sampled_from(RULES))
    resource_type = draw(st.sampled_from(rule.tf_types + rule.nonexistent_tf_types)) if terraform else rule.cfn_types[0]
    rules = RULES_BY_CFN_TYPE[rule.cfn_types[0]]

    def spell(row: Rule, path: tuple[str, ...]) -> tuple[str, ...]:
        return row.tf_path(path, resource_type) if terraform else path

    tree: dict = {}
    scopes: dict[tuple[str, ...], bool] = {}
    for row in rules:
        if row.scope:
            if not scopes.setdefault(row.scope, draw(st.booleans())):
                continue
            _put(tree, spell(row, row.scope), {})
        judged = [(path, count) for path, count in ((row.count_path, True), (row.flag_path, False)) if path]
        if row.each:
            elements = []
            for _ in range(draw(st.integers(min_value=0, max_value=3))):
                element: dict = {}
                for path, count in judged:
                    value = draw(st.one_of(st.just(MISSING), leaf(row.expected, count, terraform)))
                    if value is not MISSING or draw(st.booleans()):
                        _put(element, spell(row, path), value)
                if row.skip_element and draw(st.integers(min_value=0, max_value=3)) == 0:  # a serverless variant
                    _put(element, spell(row, row.skip_element + ("MaxConcurrency",)), "1" if terraform else 1)
                elements.append(element)
            if elements or draw(st.booleans()):
                _put(tree, spell(row, row.scope + row.each), elements)
        for path, count in ([] if row.each else judged):
            value = draw(st.one_of(st.just(MISSING), leaf(row.expected, count, terraform)))
            if value is not MISSING or draw(st.booleans()):  # missing: sometimes its objects are there, empty
                _put(tree, spell(row, row.scope + path), value)
        for condition in row.applies:
            value = draw(st.one_of(st.just(MISSING), condition_values(condition.values, condition.default, terraform)))
            if value is not MISSING:
                _put(tree, spell(row, condition.path), value)
    return resource_type, tree


def _tf_object(name: str, body: list[str], blocks: bool, indent: str) -> list[str]:
    """``name { ... }`` (hashicorp/aws nested blocks) or ``name = { ... }`` (awscc object attributes)."""
    return [f"{indent}{name} {'' if blocks else '= '}{{", *(f"{indent}  {line}" for line in body), f"{indent}}}"]


def hcl(tree: dict, blocks: bool) -> list[str]:
    """A properties tree as HCL: nested objects as blocks (a list as repeated blocks) or as objects."""
    lines: list[str] = []
    for key, value in tree.items():
        if isinstance(value, dict):
            lines += _tf_object(key, hcl(value, blocks), blocks, "")
        elif isinstance(value, list) and blocks:
            for element in value:
                lines += _tf_object(key, hcl(element, blocks), True, "")
        elif isinstance(value, list):
            lines.append(f"{key} = [")
            for index, element in enumerate(value):
                body = _tf_object("", hcl(element, blocks), True, "  ")
                body[0] = "  {"
                body[-1] += "," if index < len(value) - 1 else ""
                lines += body
            lines.append("]")
        else:
            lines.append(f"{key} = {value}")
    return lines


@st.composite
def tf_files(draw) -> str:
    text = TF_INPUTS
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        resource_type, tree = draw(rule_resource(terraform=True))
        text += "\n".join(_tf_object(f'resource "{resource_type}" "r{index}"', hcl(tree, resource_type.startswith("aws_")),
                                     True, "")) + "\n"
    return text


@st.composite
def cfn_templates(draw) -> dict:
    resources = {}
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        resource_type, tree = draw(rule_resource(terraform=False))
        resources[f"R{index}"] = {"Type": resource_type, "Properties": tree}
    return {"AWSTemplateFormatVersion": "2010-09-09", **CFN_INPUTS, "Resources": resources}


# A notebook instance that says nothing: direct internet access is the service default (SageMaker.1).
KNOWN = find_rule("SageMaker.1")


def _agree(folder: Path, framework: str, known: tuple[str, str, str]) -> None:
    for strict in (False, True):
        expected = cli(folder, strict)
        assert known in expected
        assert checkov(folder, strict, framework) == expected, f"Checkov differs (strict={strict})"


@pytest.mark.skipif(not HAS_CHECKOV, reason="Checkov is not in this environment")
def test_cli_and_checkov_agree_on_generated_templates_of_every_rule(tmp_path_factory) -> None:
    batch = generated(cfn_templates(), TEMPLATES_PER_RUN)
    folder = tmp_path_factory.mktemp("generated-rules")
    # one resource that surely fails, so an engine that reports nothing cannot agree by accident
    batch = batch + [{"Resources": {"NotebookKnownFailure": {"Type": KNOWN.cfn_types[0], "Properties": {}}}}]
    for index, template in enumerate(batch):
        path = folder / f"t{index:02d}" / "template.yaml"
        path.parent.mkdir()
        path.write_text(yaml.dump(short_form(template), Dumper=ShortDumper, sort_keys=False), encoding="utf-8")
    _agree(folder, "cloudformation", (f"t{len(batch) - 1:02d}", KNOWN.control, "NotebookKnownFailure"))


@pytest.mark.skipif(not HAS_CHECKOV, reason="Checkov is not in this environment")
def test_cli_and_checkov_agree_on_generated_terraform(tmp_path_factory) -> None:
    batch = generated(tf_files(), TEMPLATES_PER_RUN)
    folder = tmp_path_factory.mktemp("generated-tf")
    # one file that surely fails, so an engine that reports nothing cannot agree by accident
    known = TF_INPUTS + f'resource "{KNOWN.tf_types[0]}" "known_failure" {{\n}}\n'
    for index, text in enumerate(batch + [known]):
        path = folder / f"t{index:02d}" / "main.tf"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    _agree(folder, "terraform", (f"t{len(batch):02d}", KNOWN.control, f"{KNOWN.tf_types[0]}.known_failure"))
