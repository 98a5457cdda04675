"""Property-based tests: templates generated from the value model.

The reader never crashes, and verdicts do not change under YAML/JSON conversion, short- vs
long-form tags, key order, comments and whitespace.
"""

from __future__ import annotations

import json
import random

import pytest

hypothesis = pytest.importorskip("hypothesis")
import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sagemaker_iac_lint.rules import RULES  # noqa: E402
from sagemaker_iac_lint.scan import Options, findings_for, parse_text  # noqa: E402

JOB_RULES = [rule for rule in RULES if not rule.scope]
SCHEDULE_RULE = next(rule for rule in RULES if rule.scope)

PARAMETERS = {
    "Count": {"Type": "Number", "Default": 1},
    "CountMax1": {"Type": "Number", "Default": 1, "MaxValue": 1},
    "CountAllowed": {"Type": "Number", "Default": 1, "AllowedValues": [1, 3]},
    "FlagTrue": {"Type": "String", "Default": "true"},
    "FlagFalse": {"Type": "String", "Default": "false"},
    "FlagNone": {"Type": "String", "AllowedValues": ["true", "false"]},
    "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
}
MAPPINGS = {"Sizes": {"dev": {"Count": 1, "Flag": False}, "prod": {"Count": 3, "Flag": True}}}
CONDITIONS = {
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
}

counts = st.deferred(
    lambda: st.one_of(
        st.integers(min_value=0, max_value=5),
        st.sampled_from(["1", "2", "3"]),
        st.sampled_from([{"Ref": "Count"}, {"Ref": "CountMax1"}, {"Ref": "CountAllowed"}]),
        st.just({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Count"]}),
        st.just({"Fn::GetAtt": ["Other", "Count"]}),
        st.just({"Fn::ImportValue": "shared-count"}),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, st.sampled_from(["IsProd", "IsDev"]), counts, counts),
    )
)
flags = st.deferred(
    lambda: st.one_of(
        st.booleans(),
        st.sampled_from(["true", "false"]),
        st.just({"Ref": "AWS::NoValue"}),
        st.sampled_from([{"Ref": "FlagTrue"}, {"Ref": "FlagFalse"}, {"Ref": "FlagNone"}]),
        st.just({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Flag"]}),
        st.just({"Fn::GetAtt": ["Other", "Flag"]}),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, st.sampled_from(["IsProd", "IsDev"]), flags, flags),
    )
)
MISSING = object()


@st.composite
def resources(draw) -> dict:
    schedule = draw(st.booleans())
    count = draw(st.one_of(st.just(MISSING), counts))
    flag = draw(st.one_of(st.just(MISSING), flags))
    network_shape = draw(st.sampled_from(["mapping", "absent", "novalue", "string"]))
    cluster: dict = {"InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
    if count is not MISSING:
        cluster["InstanceCount"] = count
    network: object
    if network_shape == "mapping":
        network = {"EnableNetworkIsolation": False}
        if flag is not MISSING:
            network["EnableInterContainerTrafficEncryption"] = flag  # type: ignore[index]
    elif network_shape == "novalue":
        network = {"Ref": "AWS::NoValue"}
    else:
        network = "encrypted"
    body: dict = {"RoleArn": "arn:aws:iam::123456789012:role/r"}
    if schedule:
        definition: dict = {"MonitoringResources": {"ClusterConfig": cluster}}
        if network_shape != "absent":
            definition["NetworkConfig"] = network
        body["MonitoringScheduleConfig"] = {"MonitoringJobDefinition": definition}
        return {"Type": SCHEDULE_RULE.cfn_types[0], "Properties": body}
    rule = draw(st.sampled_from(JOB_RULES))
    body["JobResources"] = {"ClusterConfig": cluster}
    if network_shape != "absent":
        body["NetworkConfig"] = network
    return {"Type": rule.cfn_types[0], "Properties": body}


@st.composite
def templates(draw) -> dict:
    jobs = draw(st.lists(resources(), min_size=1, max_size=4))
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": PARAMETERS,
        "Mappings": MAPPINGS,
        "Conditions": CONDITIONS,
        "Resources": {f"Job{index}": job for index, job in enumerate(jobs)},
    }


class Tagged:
    def __init__(self, tag: str, value: object):
        self.tag, self.value = tag, value


def short_form(node: object) -> object:
    """Long-form intrinsics to short-form tags (``{"Ref": x}`` to ``!Ref x``)."""
    if isinstance(node, dict):
        if len(node) == 1:
            (key, value), = node.items()
            if key == "Ref":
                return Tagged("!Ref", value)
            if key.startswith("Fn::"):
                if key == "Fn::GetAtt":
                    return Tagged("!GetAtt", ".".join(value))
                return Tagged("!" + key[4:], short_form(value))
        return {key: short_form(value) for key, value in node.items()}
    if isinstance(node, list):
        return [short_form(item) for item in node]
    return node


class ShortDumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged):
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value, flow_style=True)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


ShortDumper.add_representer(Tagged, _represent_tagged)


def shuffled(node: object, rng: random.Random) -> object:
    if isinstance(node, dict):
        items = list(node.items())
        if not (len(items) == 1 and (items[0][0] == "Ref" or str(items[0][0]).startswith("Fn::"))):
            rng.shuffle(items)
        return {key: shuffled(value, rng) for key, value in items}
    if isinstance(node, list):
        return [shuffled(item, rng) for item in node]
    return node


def with_comments(text: str, rng: random.Random) -> str:
    out = []
    for line in text.splitlines():
        if rng.random() < 0.3:
            out.append(" " * (len(line) - len(line.lstrip())) + "# a comment")
        out.append(line + ("   # trailing" if rng.random() < 0.2 and not line.rstrip().endswith(":") else ""))
        if rng.random() < 0.2:
            out.append("")
    return "\n".join(out) + "\n"


def verdicts(path: str, text: str, strict: bool) -> set[tuple[str, str]]:
    subjects = parse_text(path, text)
    return {(f.resource, f.rule.control) for f in findings_for(path, subjects, Options(strict=strict))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=templates(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_verdicts_survive_every_rendering(template: dict, seed: int) -> None:
    rng = random.Random(seed)
    renderings = {
        "json": ("t.json", json.dumps(template, indent=2)),
        "json-compact-tabs": ("t.json", json.dumps(template, indent="\t")),
        "yaml-long": ("t.yaml", yaml.safe_dump(template, sort_keys=False)),
        "yaml-short": ("t.yaml", yaml.dump(short_form(template), Dumper=ShortDumper, sort_keys=False)),
        "yaml-shuffled-commented": (
            "t.yaml",
            with_comments(yaml.dump(short_form(shuffled(template, rng)), Dumper=ShortDumper, sort_keys=False), rng),
        ),
        "yaml-flow": ("t.yaml", yaml.safe_dump(template, default_flow_style=True, width=60)),
    }
    for strict in (False, True):
        results = {name: verdicts(path, text, strict) for name, (path, text) in renderings.items()}
        baseline = results["json"]
        for name, result in results.items():
            assert result == baseline, f"{name} differs from json (strict={strict})"
        if strict:
            standard = verdicts("t.json", renderings["json"][1], False)
            assert standard <= baseline  # strict only ever adds findings


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_never_crashes_the_reader(text: str) -> None:
    from sagemaker_iac_lint.errors import ReadError

    for name in ("t.yaml", "t.json"):
        try:
            parse_text(name, "Type: AWS::SageMaker::ModelBiasJobDefinition\n" + text)
        except ReadError:
            pass
