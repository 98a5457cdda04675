"""`fix` for every rule that one literal makes pass (`Disabled`, `Vpc`, true), in YAML, JSON, HCL and
Terraform JSON: the fix is applied, a second fix changes nothing, the file re-checks clean for the
control, and its safety follows the rule (unsafe where the deployment replaces the resource). Rules
that ask for a KMS key, a subnet or a capacity have no automatic fix, and `fix` says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from sagemaker_iac_lint import cli
from sagemaker_iac_lint import fix as fix_module
from sagemaker_iac_lint.scan import Options, scan

ROLE = "arn:aws:iam::123456789012:role/r"
NOTEBOOK = {"Type": "AWS::SageMaker::NotebookInstance",
            "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": ROLE, "SubnetId": "subnet-1", "KmsKeyId": "k"}}
MODEL = {"Type": "AWS::SageMaker::Model", "Properties": {"ExecutionRoleArn": ROLE}}
RESOURCES = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}}


def job(kind: str, **properties: object) -> dict:
    return {"Type": f"AWS::SageMaker::{kind}JobDefinition",
            "Properties": {"JobResources": RESOURCES, "RoleArn": ROLE, **properties}}


def with_properties(resource: dict, **properties: object) -> dict:
    return {"Type": resource["Type"], "Properties": {**resource["Properties"], **properties}}


ENCRYPTED = {"EnableInterContainerTrafficEncryption": True}
# (case, control, resource, the property path to read after the fix, the value it must have, safe)
CFN_CASES = [
    ("internet-absent", "SageMaker.1", NOTEBOOK, ("DirectInternetAccess",), "Disabled", False),
    ("internet-enabled", "SageMaker.1", with_properties(NOTEBOOK, DirectInternetAccess="Enabled"),
     ("DirectInternetAccess",), "Disabled", False),
    ("root-enabled", "SageMaker.3", with_properties(NOTEBOOK, RootAccess="Enabled"), ("RootAccess",), "Disabled", True),
    ("root-absent", "SageMaker.3", NOTEBOOK, ("RootAccess",), "Disabled", True),
    ("model-isolation-false", "SageMaker.5", with_properties(MODEL, EnableNetworkIsolation=False),
     ("EnableNetworkIsolation",), True, False),
    ("data-quality-isolation", "SageMaker.11", job("DataQuality", NetworkConfig=ENCRYPTED),
     ("NetworkConfig", "EnableNetworkIsolation"), True, False),
    ("bias-isolation", "SageMaker.12", job("ModelBias"), ("NetworkConfig", "EnableNetworkIsolation"), True, False),
    ("explainability-isolation", "SageMaker.20", job("ModelExplainability", NetworkConfig={"EnableNetworkIsolation": False}),
     ("NetworkConfig", "EnableNetworkIsolation"), True, False),
    ("quality-isolation", "SageMaker.25", job("ModelQuality", NetworkConfig={}),
     ("NetworkConfig", "EnableNetworkIsolation"), True, False),
    ("schedule-isolation", "SageMaker.14",
     {"Type": "AWS::SageMaker::MonitoringSchedule", "Properties": {"MonitoringScheduleName": "s", "MonitoringScheduleConfig": {
         "MonitoringJobDefinition": {"MonitoringResources": RESOURCES, "NetworkConfig": ENCRYPTED, "RoleArn": ROLE}}}},
     ("MonitoringScheduleConfig", "MonitoringJobDefinition", "NetworkConfig", "EnableNetworkIsolation"), True, True),
    ("primary-no-image-config", "SageMaker.16", with_properties(MODEL, PrimaryContainer={"Image": "a"}),
     ("PrimaryContainer", "ImageConfig", "RepositoryAccessMode"), "Vpc", False),
    ("primary-platform", "SageMaker.16",
     with_properties(MODEL, PrimaryContainer={"Image": "a", "ImageConfig": {"RepositoryAccessMode": "Platform"}}),
     ("PrimaryContainer", "ImageConfig", "RepositoryAccessMode"), "Vpc", False),
    ("containers", "SageMaker.19", with_properties(MODEL, Containers=[
        {"Image": "a"},
        {"Image": "b", "ImageConfig": {"RepositoryAccessMode": "Platform"}},
        {"Image": "c", "ImageConfig": {"RepositoryAccessMode": "Vpc"}},
    ]), ("Containers", "*", "ImageConfig", "RepositoryAccessMode"), "Vpc", False),
]


def _yaml(node: object, indent: int) -> str:
    """Block YAML with a comment on every mapping key that holds a mapping (comments must stay)."""
    pad = " " * indent
    if isinstance(node, dict):
        if not node:
            return "{}"
        lines = []
        for key, value in node.items():
            if isinstance(value, dict) and value:
                lines.append(f"{pad}{key}:  # about {key}\n{_yaml(value, indent + 2)}")
            elif isinstance(value, list):
                items = []
                for item in value:
                    body = _yaml(item, indent + 4)
                    items.append(f"{pad}  - {body.lstrip()}")
                lines.append(f"{pad}{key}:\n" + "\n".join(items))
            else:
                lines.append(f"{pad}{key}: {_yaml(value, 0)}")
        return "\n".join(lines)
    return json.dumps(node)


def _values(document: object, path: tuple[str, ...]) -> list[object]:
    """The values at ``path`` (``*``: every element of a list)."""
    if not path:
        return [document]
    head, rest = path[0], path[1:]
    if head == "*":
        return [value for item in document for value in _values(item, rest)]
    return _values(document[head], rest) if isinstance(document, dict) and head in document else [None]


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


def _fix(path: Path, control: str) -> None:
    cli.main(["fix", "--unsafe-fixes", "--no-config", "--select", control, str(path)])


def _check_fixed(path: Path, control: str, safe: bool, capsys) -> str:
    """Fix ``path`` for ``control``: it had findings, each with a fix of the rule's safety; after the fix
    it re-checks clean for the control, with no error, and a second fix changes nothing."""
    only = Options(select=frozenset({control}))
    before_text = path.read_text()
    findings = scan([str(path)], only).findings
    assert findings, f"{path.name} has no {control} finding to fix"
    fixes, unfixable = fix_module.fixes_for(findings)
    assert unfixable == [] and len(fixes) == len(findings)
    assert {fix.safe for fix in fixes} == {safe}, [fix.note for fix in fixes]
    _fix(path, control)
    once = path.read_text()
    assert once != before_text
    left = scan([str(path)], only)
    assert left.findings == [] and left.errors == [], [f.message for f in left.findings]
    _fix(path, control)
    assert path.read_text() == once  # a second fix changes nothing
    capsys.readouterr()
    return once


@pytest.mark.parametrize("rendering", ["yaml", "json"])
@pytest.mark.parametrize("case, control, resource, path, value, safe", CFN_CASES, ids=[c[0] for c in CFN_CASES])
def test_cloudformation_fix(tmp_path, capsys, rendering, case, control, resource, path, value, safe) -> None:
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Subject": resource}}
    target = tmp_path / f"t.{rendering}"
    text = json.dumps(template, indent=2) + "\n" if rendering == "json" else "# generated\n" + _yaml(template, 0) + "\n"
    target.write_text(text)
    fixed = _check_fixed(target, control, safe, capsys)
    properties = yaml.safe_load(fixed)["Resources"]["Subject"]["Properties"]
    assert set(_values(properties, path)) == {value}
    if rendering == "yaml":
        assert _comments(fixed) == _comments(text)
    # nothing else changed: the fixed template read back is the original one plus the property
    original = yaml.safe_load(text)["Resources"]["Subject"]["Properties"]
    assert {k: v for k, v in properties.items() if k != path[0]} == {k: v for k, v in original.items() if k != path[0]}


def test_a_parameter_default_is_set_to_the_string_the_rule_wants(tmp_path, capsys) -> None:
    target = tmp_path / "t.yaml"
    target.write_text("Parameters:\n  Access:\n    Type: String\n    Default: Enabled\n    AllowedValues: [Enabled, Disabled]\n"
                      "Resources:\n  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n"
                      "      InstanceType: ml.t3.medium\n      RoleArn: r\n      RootAccess: !Ref Access\n")
    (found,) = scan([str(target)], Options(select=frozenset({"SageMaker.3"}))).findings
    fix = fix_module.fix_for(found)
    assert fix.title == "Set the Default of parameter `Access` to `Disabled`" and not fix.safe
    _fix(target, "SageMaker.3")
    assert "    Default: Disabled\n" in target.read_text() and "RootAccess: !Ref Access" in target.read_text()
    assert scan([str(target)], Options(select=frozenset({"SageMaker.3"}))).findings == []
    capsys.readouterr()


def test_a_default_outside_allowed_values_is_not_written(tmp_path, capsys) -> None:
    target = tmp_path / "t.yaml"
    target.write_text("Parameters:\n  Access:\n    Type: String\n    Default: Enabled\n    AllowedValues: [Enabled]\n"
                      "Resources:\n  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n"
                      "      InstanceType: ml.t3.medium\n      RoleArn: r\n      RootAccess: !Ref Access\n")
    (found,) = scan([str(target)], Options(select=frozenset({"SageMaker.3"}))).findings
    fix = fix_module.fix_for(found)
    assert fix.note == "the fix replaces an expression" and not fix.safe
    assert [edit.new for edit in fix.edits] == ["Disabled"]
    capsys.readouterr()


# Terraform: (case, control, text, what the fixed file holds, safe)
TF_CASES = [
    ("aws-notebook-internet", "SageMaker.1",
     'resource "aws_sagemaker_notebook_instance" "n" {\n  name          = "n" # a comment\n  role_arn      = "r"\n'
     '  instance_type = "ml.t3.medium"\n  subnet_id     = "subnet-1"\n}\n',
     'direct_internet_access = "Disabled"', False),
    ("awscc-notebook-root", "SageMaker.3",
     'resource "awscc_sagemaker_notebook_instance" "n" {\n  role_arn      = "r" # a comment\n'
     '  instance_type = "ml.t3.medium"\n  root_access   = "Enabled"\n}\n',
     'root_access   = "Disabled"', True),
    ("aws-model-isolation", "SageMaker.5",
     'resource "aws_sagemaker_model" "m" {\n  execution_role_arn = "r" # a comment\n  primary_container {\n'
     '    image = "a"\n  }\n}\n',
     "enable_network_isolation = true", False),
    ("aws-data-quality-isolation", "SageMaker.11",
     'resource "aws_sagemaker_data_quality_job_definition" "d" {\n  role_arn = "r" # a comment\n  network_config {\n'
     '    enable_inter_container_traffic_encryption = true\n  }\n}\n',
     "    enable_network_isolation = true\n", False),
    ("awscc-bias-isolation", "SageMaker.12",
     'resource "awscc_sagemaker_model_bias_job_definition" "b" {\n  role_arn = "r" # a comment\n'
     '  job_resources = { cluster_config = { instance_count = 1 } }\n}\n',
     "network_config = {\n    enable_network_isolation = true\n  }", False),
    ("awscc-explainability-isolation", "SageMaker.20",
     'resource "awscc_sagemaker_model_explainability_job_definition" "e" {\n  role_arn = "r" # a comment\n'
     '  network_config = { enable_network_isolation = false }\n}\n',
     "network_config = { enable_network_isolation = true }", False),
    ("awscc-quality-isolation", "SageMaker.25",
     'resource "awscc_sagemaker_model_quality_job_definition" "q" {\n  role_arn = "r" # a comment\n'
     '  network_config = {\n    enable_network_isolation = var.isolate\n  }\n}\n'
     'variable "isolate" {\n  type    = bool\n  default = false\n}\n',
     "  default = true\n", False),
    ("awscc-schedule-isolation", "SageMaker.14",
     'resource "awscc_sagemaker_monitoring_schedule" "s" {\n  monitoring_schedule_name = "s" # a comment\n'
     '  monitoring_schedule_config = {\n    monitoring_job_definition = {\n'
     '      monitoring_resources = { cluster_config = { instance_count = 1 } }\n    }\n  }\n}\n',
     "      network_config = {\n        enable_network_isolation = true\n      }\n", True),
    ("aws-primary-container", "SageMaker.16",
     'resource "aws_sagemaker_model" "m" {\n  execution_role_arn = "r" # a comment\n  primary_container {\n'
     '    image = "a"\n  }\n}\n',
     '    image_config {\n      repository_access_mode = "Vpc"\n    }\n', False),
    ("awscc-primary-container", "SageMaker.16",
     'resource "awscc_sagemaker_model" "m" {\n  execution_role_arn = "r" # a comment\n'
     '  primary_container = {\n    image        = "a"\n    image_config = { repository_access_mode = "Platform" }\n  }\n}\n',
     'image_config = { repository_access_mode = "Vpc" }', False),
    ("aws-container-blocks", "SageMaker.19",
     'resource "aws_sagemaker_model" "m" {\n  execution_role_arn = "r" # a comment\n'
     '  container {\n    image = "a"\n  }\n'
     '  container {\n    image = "b"\n    image_config {\n      repository_access_mode = "Platform"\n    }\n  }\n'
     '  container {\n    image = "c"\n    image_config {\n      repository_access_mode = "Vpc"\n    }\n  }\n}\n',
     None, False),
    ("awscc-containers-list", "SageMaker.19",
     'resource "awscc_sagemaker_model" "m" {\n  execution_role_arn = "r" # a comment\n  containers = [\n'
     '    { image = "a" },\n    {\n      image        = "b"\n'
     '      image_config = { repository_access_mode = "Platform" }\n    },\n'
     '    { image = "c", image_config = { repository_access_mode = "Vpc" } },\n  ]\n}\n',
     None, False),
]


@pytest.mark.parametrize("case, control, text, expected, safe", TF_CASES, ids=[c[0] for c in TF_CASES])
def test_terraform_fix(tmp_path, capsys, case, control, text, expected, safe) -> None:
    pytest.importorskip("hcl2")
    target = tmp_path / "main.tf"
    target.write_text(text)
    fixed = _check_fixed(target, control, safe, capsys)
    assert _comments(fixed) == _comments(text)
    if expected is not None:
        assert expected in fixed, fixed
    else:  # every container: the one that complied stays as written, the two others say `Vpc`
        assert fixed.count('repository_access_mode = "Vpc"') == 3 and "Platform" not in fixed, fixed


TF_JSON_CASES = [
    ("aws-notebook-internet", "SageMaker.1", {"aws_sagemaker_notebook_instance": {"n": {
        "role_arn": "r", "instance_type": "ml.t3.medium", "subnet_id": "s", "direct_internet_access": "Enabled"}}},
     ("aws_sagemaker_notebook_instance", "n", "direct_internet_access"), "Disabled", False),
    ("awscc-bias-isolation", "SageMaker.12", {"awscc_sagemaker_model_bias_job_definition": {"b": {
        "role_arn": "r", "job_resources": {"cluster_config": {"instance_count": 1}}}}},
     ("awscc_sagemaker_model_bias_job_definition", "b", "network_config", "enable_network_isolation"), True, False),
    ("aws-container-blocks", "SageMaker.19", {"aws_sagemaker_model": {"m": {"execution_role_arn": "r", "container": [
        {"image": "a"}, {"image": "b", "image_config": [{"repository_access_mode": "Platform"}]}]}}},
     ("aws_sagemaker_model", "m", "container", "*", "image_config", "*", "repository_access_mode"), "Vpc", False),
]


@pytest.mark.parametrize("case, control, resources, path, value, safe", TF_JSON_CASES, ids=[c[0] for c in TF_JSON_CASES])
def test_terraform_json_fix(tmp_path, capsys, case, control, resources, path, value, safe) -> None:
    target = tmp_path / "main.tf.json"
    target.write_text(json.dumps({"resource": resources}, indent=2) + "\n")
    fixed = json.loads(_check_fixed(target, control, safe, capsys))["resource"]

    def unwrapped(node: object) -> object:  # a block written as an object or as a one-item list
        return node[0] if isinstance(node, list) and len(node) == 1 and isinstance(node[0], dict) else node

    found = [fixed]
    for part in path:
        found = [item for node in found for item in (node if part == "*" and isinstance(node, list) else
                                                       [node] if part == "*" else [unwrapped(node)[part]])]
    assert set(found) == {value}


def test_two_flags_of_one_network_config_not_written_yet_add_up(tmp_path, capsys) -> None:
    """SageMaker.15 and .12 both add to the job's `NetworkConfig`: one fix run writes one `NetworkConfig`
    with both flags, and a second run has nothing to do."""
    target = tmp_path / "t.yaml"
    target.write_text("Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties:\n"
                      "      JobResources: {ClusterConfig: {InstanceCount: 2}}\n      RoleArn: r\n")
    assert {f.rule.control for f in scan([str(target)], Options()).findings} == {"SageMaker.15", "SageMaker.12"}
    assert cli.main(["fix", "--unsafe-fixes", "--no-config", str(target)]) == 0
    fixed = target.read_text()
    assert fixed.count("NetworkConfig") == 1
    network = yaml.safe_load(fixed)["Resources"]["Job"]["Properties"]["NetworkConfig"]
    assert network == {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True}
    assert cli.main(["fix", "--unsafe-fixes", "--no-config", str(target)]) == 0
    assert target.read_text() == fixed
    capsys.readouterr()


@pytest.mark.parametrize("flow", [False, True])
def test_a_schedule_gets_both_safe_fixes_from_check_fix(tmp_path, capsys, flow) -> None:
    """.22 and .14 update the schedule in place: both are safe, and `check --fix` applies both."""
    definition = ("{MonitoringResources: {ClusterConfig: {InstanceCount: 2}}, NetworkConfig: {}, RoleArn: r}" if flow else
                  "\n          MonitoringResources:\n            ClusterConfig:\n              InstanceCount: 2\n"
                  "          RoleArn: r")
    target = tmp_path / "s.yaml"
    target.write_text("Resources:\n  Schedule:\n    Type: AWS::SageMaker::MonitoringSchedule\n    Properties:\n"
                      "      MonitoringScheduleName: s\n      MonitoringScheduleConfig:\n"
                      f"        MonitoringJobDefinition: {definition}\n")
    assert {f.rule.control for f in scan([str(target)], Options()).findings} == {"SageMaker.22", "SageMaker.14"}
    assert cli.main(["check", "--fix", "--no-config", str(target)]) == 0
    network = yaml.safe_load(target.read_text())["Resources"]["Schedule"]["Properties"]["MonitoringScheduleConfig"][
        "MonitoringJobDefinition"]["NetworkConfig"]
    assert network == {"EnableInterContainerTrafficEncryption": True, "EnableNetworkIsolation": True}
    capsys.readouterr()


def test_rules_without_one_right_value_say_no_automatic_fix(tmp_path, capsys) -> None:
    target = tmp_path / "t.yaml"
    target.write_text(
        "Resources:\n"
        "  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n"
        "      InstanceType: ml.t3.medium\n      RoleArn: r\n      DirectInternetAccess: Disabled\n      RootAccess: Disabled\n"
        "  Endpoint:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties:\n"
        "      ProductionVariants:\n        - {VariantName: a, ModelName: m, InitialInstanceCount: 1, InstanceType: ml.m5.large}\n"
        "  Features:\n    Type: AWS::SageMaker::FeatureGroup\n    Properties:\n"
        "      FeatureGroupName: f\n      RecordIdentifierFeatureName: id\n      EventTimeFeatureName: t\n"
        "      FeatureDefinitions: [{FeatureName: id, FeatureType: String}, {FeatureName: t, FeatureType: String}]\n"
        "      OfflineStoreConfig: {S3StorageConfig: {S3Uri: 's3://b/p'}}\n"
    )
    before = target.read_text()
    findings = scan([str(target)], Options()).findings
    assert {f.rule.control for f in findings} == {"SageMaker.2", "SageMaker.21", "SageMaker.4", "SageMaker.17"}
    fixes, unfixable = fix_module.fixes_for(findings)
    assert fixes == []
    reasons = {finding.rule.control: reason for finding, reason in unfixable}
    assert reasons["SageMaker.2"] == "no single value is right: set `SubnetId` to a subnet of your VPC"
    assert reasons["SageMaker.21"] == "no single value is right: set `KmsKeyId` to a KMS key"
    assert reasons["SageMaker.17"] == "no single value is right: set `OfflineStoreConfig.S3StorageConfig.KmsKeyId` to a KMS key"
    assert reasons["SageMaker.4"].startswith("`ProductionVariants[].InitialInstanceCount` is a capacity decision")
    assert cli.main(["fix", "--unsafe-fixes", "--no-config", str(target)]) == 1
    err = capsys.readouterr().err
    assert target.read_text() == before
    for control in ("SageMaker.2", "SageMaker.21", "SageMaker.4", "SageMaker.17"):
        assert any(f" {control} " in line and "no automatic fix: " in line for line in err.splitlines()), (control, err)


def test_a_notes_says_what_the_literal_asks_of_the_user(tmp_path, capsys) -> None:
    target = tmp_path / "t.yaml"
    target.write_text("Resources:\n  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n"
                      "      NotebookInstanceName: mine\n      InstanceType: ml.t3.medium\n      RoleArn: r\n")
    findings = scan([str(target)], Options(select=frozenset({"SageMaker.1"}))).findings
    (fix,) = fix_module.fixes_for(findings)[0]
    assert fix.title == "Set `DirectInternetAccess` to `Disabled`" and not fix.safe
    assert "`Disabled` deploys only with a `SubnetId` set (SageMaker.2)" in fix.note
    assert "deploying it replaces the notebook instance" in fix.note
    assert "its custom `NotebookInstanceName` must change too" in fix.note
    capsys.readouterr()


def test_fixed_fixture_files_are_left_alone(tmp_path) -> None:
    """The encryption fixtures fixed for their own control keep every other control's verdict: a fix
    for one control edits nothing another control reads (checked on the fixture of SageMaker.15)."""
    source = Path(__file__).parent / "fixtures" / "cloudformation" / "sagemaker-15" / "literal.fail.yaml"
    target = tmp_path / "literal.yaml"
    shutil.copy(source, target)
    isolation = Options(select=frozenset({"SageMaker.12"}))
    before = [(f.resource, f.line) for f in scan([str(target)], isolation).findings]
    cli.main(["fix", "--unsafe-fixes", "--no-config", "--select", "SageMaker.15", str(target)])
    assert scan([str(target)], Options(select=frozenset({"SageMaker.15"}))).findings == []
    after = [f.resource for f in scan([str(target)], isolation).findings]
    assert after == [resource for resource, _ in before]
