"""A property of `fix --unsafe-fixes` over generated templates, in every rendering: the fixed file still
parses, re-checks clean, keeps its comments, and a second fix changes nothing."""

from __future__ import annotations

import json
import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sagemaker_iac_lint import cli  # noqa: E402
from sagemaker_iac_lint.scan import Options, scan  # noqa: E402

FLAGS = ["absent-network-config", "absent-flag", False, "false"]
RENDERINGS = ["yaml-block", "yaml-flow", "json-2", "json-4", "json-tab"]
# The templates are data quality job definitions and the property is about SageMaker.9's flag: the
# definitions also have SageMaker.11 (network isolation) judged, which is left out here.
ONLY_9 = Options(select=frozenset({"SageMaker.9"}))


def _template(flags: list, count: int) -> dict:
    resources = {}
    for index, flag in enumerate(flags):
        properties: dict = {"JobResources": {"ClusterConfig": {"InstanceCount": count, "InstanceType": "ml.m5.xlarge",
                                                              "VolumeSizeInGB": 20}}}
        if flag == "absent-flag":
            properties["NetworkConfig"] = {"EnableNetworkIsolation": True}
        elif flag != "absent-network-config":
            properties["NetworkConfig"] = {"EnableInterContainerTrafficEncryption": flag}
        properties["RoleArn"] = "arn:aws:iam::123456789012:role/r"
        resources[f"Job{index}"] = {"Type": "AWS::SageMaker::DataQualityJobDefinition", "Properties": properties}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def _yaml(node, indent: int, flow: bool) -> str:
    pad = " " * indent
    if isinstance(node, dict):
        if flow and indent >= 6:
            return "{" + ", ".join(f"{k}: {_yaml(v, 99, True)}" for k, v in node.items()) + "}"
        lines = []
        for key, value in node.items():
            if isinstance(value, dict):
                lines.append(f"{pad}{key}:  # about {key}\n{_yaml(value, indent + 2, flow)}" if not (flow and indent + 2 >= 6)
                             else f"{pad}{key}: {_yaml(value, indent + 2, flow)}")
            else:
                lines.append(f"{pad}{key}: {_yaml(value, 0, flow)}")
        return "\n".join(lines)
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str):
        return json.dumps(node)
    return str(node)


def _render(template: dict, rendering: str) -> str:
    if rendering.startswith("json"):
        indent = "\t" if rendering == "json-tab" else int(rendering.split("-")[1])
        return json.dumps(template, indent=indent) + "\n"
    return "# generated\n" + _yaml(template, 0, rendering == "yaml-flow") + "\n"


@settings(max_examples=int(os.environ.get("FIX_RANDOM_EXAMPLES", "20")), deadline=None)
@given(flags=st.lists(st.sampled_from(FLAGS), min_size=1, max_size=3), rendering=st.sampled_from(RENDERINGS),
       count=st.integers(2, 5))
def test_fix_clears_every_literal_or_missing_flag(tmp_path_factory, flags, rendering, count):
    directory = tmp_path_factory.mktemp("t")
    target = directory / ("t.json" if rendering.startswith("json") else "t.yaml")
    text = _render(_template(flags, count), rendering)
    target.write_text(text)
    assert len(scan([str(target)], ONLY_9).findings) == len(flags)
    assert cli.main(["fix", "--unsafe-fixes", "--no-config", "--select", "SageMaker.9", str(target)]) == 0
    once = target.read_text()
    left = scan([str(target)], ONLY_9)
    assert left.findings == [] and left.errors == []
    assert [line for line in text.splitlines() if "#" in line] == [line for line in once.splitlines() if "#" in line]
    cli.main(["fix", "--unsafe-fixes", "--no-config", "--select", "SageMaker.9", str(target)])
    assert target.read_text() == once
