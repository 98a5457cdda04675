"""The three front ends agree on generated templates: the CLI, cfn-lint with our rules, Checkov with ours.

Templates come from the same value-model strategies as ``test_properties``; a bounded number per
run (each engine is started once over the whole folder) keeps this within CI time. Each engine
that is not installed in this environment is left out; the CLI is always there.
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
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sagemaker_iac_lint.checkov_support import checkov_dir  # noqa: E402
from sagemaker_iac_lint.rules import RULES  # noqa: E402
from test_properties import ShortDumper, short_form, templates  # noqa: E402

import yaml  # noqa: E402

TEMPLATES_PER_RUN = 20
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


def checkov(folder: Path, strict: bool) -> set[tuple[str, str]]:
    command = [str(BIN / "checkov"), "-d", str(folder), "--framework", "cloudformation", "--output", "json",
               "--external-checks-dir", checkov_dir(), "--check", ",".join(r.checkov_id for r in RULES),
               "--skip-download", "--compact", "--quiet"]
    env = dict(CLEAN_ENV, SAGEMAKER_IAC_LINT_STRICT="1" if strict else "0", LOG_LEVEL="WARNING")
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    data = json.loads(result.stdout) if result.stdout.strip().startswith(("{", "[")) else {}
    reports = data if isinstance(data, list) else [data]
    found = set()
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            resource = check["resource"].rsplit(".", 1)[-1]
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
