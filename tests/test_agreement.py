"""The front ends agree on generated files: the CLI, cfn-lint with our rules, Checkov with ours.

CloudFormation templates come from the same value-model strategies as ``test_properties`` and go
to all three; generated `.tf` files (counts and flags from literals, variables with and without
defaults, locals, conditionals and calls, in both providers' syntax) go to the CLI and Checkov. A
bounded number per run (each engine is started once over the whole folder) keeps this within CI
time. Each engine that is not installed in this environment is left out; the CLI is always there.
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
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_properties import ShortDumper, short_form, templates  # noqa: E402

from sagemaker_iac_lint.checkov_support import checkov_dir  # noqa: E402
from sagemaker_iac_lint.rules import RULES  # noqa: E402

TEMPLATES_PER_RUN = int(os.environ.get("AGREEMENT_FILES_PER_RUN", "20"))  # more for a longer hunt
HAS_CFN_LINT = importlib.util.find_spec("cfnlint") is not None
HAS_CHECKOV = importlib.util.find_spec("checkov") is not None
BIN = Path(sys.executable).parent
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def cli(folder: Path, strict: bool) -> set[tuple[str, str]]:
    command = [sys.executable, "-m", "sagemaker_iac_lint", "check", "--no-config", "--format", "json", str(folder)]
    result = subprocess.run(command + (["--strict"] if strict else []), capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    return {(Path(f["path"]).parent.name, f["resource"]) for f in report["findings"]}


def cfn_lint(files: list[Path], strict: bool) -> set[tuple[str, str]]:
    command = [str(BIN / "cfn-lint"), "--format", "json", "--append-rules", "sagemaker_iac_lint.cfn_lint"]
    if strict:
        for rule in RULES:
            command += ["--configure-rule", f"{rule.cfn_lint_id}:strict=true"]
    result = subprocess.run(command + ["--", *map(str, files)], capture_output=True, text=True, timeout=600, env=CLEAN_ENV)
    found = set()
    for match in json.loads(result.stdout or "[]"):
        if match["Rule"]["Id"].startswith("E95"):
            path = match["Filename"]
            resource = match["Location"]["Path"][1]
            found.add((Path(path).parent.name, resource))
    return found


def checkov(folder: Path, strict: bool, framework: str = "cloudformation") -> set[tuple[str, str]]:
    """(folder, resource) of every failed check of ours: a logical ID, or a Terraform address."""
    command = [str(BIN / "checkov"), "-d", str(folder), "--framework", framework, "--output", "json",
               "--external-checks-dir", checkov_dir(), "--check", ",".join(r.checkov_id for r in RULES),
               "--skip-download", "--compact", "--quiet"]
    env = dict(CLEAN_ENV, SAGEMAKER_IAC_LINT_STRICT="1" if strict else "0", LOG_LEVEL="WARNING")
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    data = json.loads(result.stdout) if result.stdout.strip().startswith(("{", "[")) else {}
    reports = data if isinstance(data, list) else [data]
    assert reports and all(report.get("check_type") == framework for report in reports), result.stderr[-3000:]
    found = set()
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            resource = check["resource"] if framework == "terraform" else check["resource"].rsplit(".", 1)[-1]
            found.add((Path(check["file_path"]).parent.name, resource))
    return found


@pytest.mark.skipif(not (HAS_CFN_LINT or HAS_CHECKOV), reason="neither cfn-lint nor Checkov in this environment")
@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(templates(), min_size=TEMPLATES_PER_RUN, max_size=TEMPLATES_PER_RUN))
def test_engines_agree_on_generated_templates(batch: list[dict], tmp_path_factory) -> None:
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
        assert (f"t{len(batch) - 1:02d}", "JobKnownFailure") in expected
        if HAS_CFN_LINT:
            assert cfn_lint(files, strict) == expected, f"cfn-lint differs (strict={strict})"
        if HAS_CHECKOV:
            assert checkov(folder, strict) == expected, f"Checkov differs (strict={strict})"


# --- Terraform: the CLI and Checkov on generated .tf files -------------------------------------------

# Inputs every generated file declares, so that counts and flags can come from them.
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
locals {
  three   = 3
  one     = 1
  encrypt = true
}
"""
TF_MISSING = object()
tf_counts = st.one_of(
    st.integers(min_value=0, max_value=4).map(str),
    st.sampled_from(['"1"', '"2"', "var.count_one", "var.count_three", "var.count_unset", "local.three",
                     "local.one", "var.prod ? 4 : 1", "var.prod ? 1 : 3", "max(1, 2)", "var.count_three * 1",
                     "try(var.count_unset, 2)", "null"]),
)
tf_flags = st.sampled_from(["true", "false", '"true"', '"false"', "var.flag_true", "var.flag_false", "var.flag_unset",
                            "local.encrypt", "var.prod ? true : false", "!var.prod", 'tobool("true")',
                            "var.flag_true && var.prod", "null"])


def _tf_object(name: str, body: list[str], blocks: bool, indent: str) -> list[str]:
    """``name { ... }`` (hashicorp/aws nested blocks) or ``name = { ... }`` (awscc object attributes)."""
    return [f"{indent}{name} {'' if blocks else '= '}{{", *(f"{indent}  {line}" for line in body), f"{indent}}}"]


@st.composite
def tf_resources(draw, index: int) -> str:
    rule = draw(st.sampled_from(RULES))
    tf_type = draw(st.sampled_from(rule.tf_types))
    blocks = tf_type.startswith("aws_")
    count = draw(st.one_of(st.just(TF_MISSING), tf_counts))
    flag = draw(st.one_of(st.just(TF_MISSING), tf_flags))
    network = draw(st.sampled_from(["present", "absent", "empty"]))
    cluster = ['instance_type = "ml.m5.xlarge"', "volume_size_in_gb = 20"]
    if count is not TF_MISSING:
        cluster.insert(0, f"instance_count = {count}")
    job = _tf_object("job_resources" if not rule.scope else "monitoring_resources",
                     _tf_object("cluster_config", cluster, blocks, ""), blocks, "")
    if network != "absent":
        job += _tf_object("network_config", [] if network == "empty" or flag is TF_MISSING
                          else [f"enable_inter_container_traffic_encryption = {flag}"], blocks, "")
    job.append('role_arn = "arn:aws:iam::123456789012:role/r"')
    if rule.scope and blocks:
        # hashicorp/aws schedules have no inline job definition: they name one, and pass
        body = _tf_object("monitoring_schedule_config", ['monitoring_job_definition_name = "defined-elsewhere"',
                                                         'monitoring_type = "DataQuality"'], True, "")
    elif rule.scope:
        named = draw(st.booleans())
        inner = (['monitoring_job_definition_name = "defined-elsewhere"'] if named
                 else _tf_object("monitoring_job_definition", job, False, ""))
        body = _tf_object("monitoring_schedule_config", inner + ['monitoring_type = "DataQuality"'], False, "")
    else:
        body = job
    return "\n".join(_tf_object(f'resource "{tf_type}" "job{index}"', body, True, "")) + "\n"


@st.composite
def tf_files(draw) -> str:
    count = draw(st.integers(min_value=1, max_value=4))
    return TF_INPUTS + "".join(draw(tf_resources(index)) for index in range(count))


@pytest.mark.skipif(not HAS_CHECKOV, reason="Checkov is not in this environment")
@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(tf_files(), min_size=TEMPLATES_PER_RUN, max_size=TEMPLATES_PER_RUN))
def test_cli_and_checkov_agree_on_generated_terraform(batch: list[str], tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("generated-tf")
    # one file that surely fails, so an engine that reports nothing cannot agree by accident
    known = TF_INPUTS + "\n".join(_tf_object(f'resource "{RULES[0].tf_types[0]}" "known_failure"', _tf_object(
        "job_resources", _tf_object("cluster_config", ["instance_count = 2"], False, ""), False, ""), True, "")) + "\n"
    for index, text in enumerate(batch + [known]):
        path = folder / f"t{index:02d}" / "main.tf"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    for strict in (False, True):
        expected = cli(folder, strict)
        assert (f"t{len(batch):02d}", f"{RULES[0].tf_types[0]}.known_failure") in expected
        assert checkov(folder, strict, "terraform") == expected, f"Checkov differs (strict={strict})"
