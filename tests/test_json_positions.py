"""JSON templates read by the C JSON parser give the findings the YAML loader gives: same rule, line,
column and message, on every JSON fixture and on generated templates; and the cases the fast path
hands back to the YAML loader (duplicated keys, JSON it refuses) still read as before."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from sagemaker_iac_lint import cfn_json
from sagemaker_iac_lint.errors import ReadError
from sagemaker_iac_lint.scan import Options, findings_for, parse_text

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
JSON_FIXTURES = sorted(
    os.path.join(folder, name)
    for folder, _, names in os.walk(FIXTURES)
    for name in names
    if name.endswith(".json")
)
JOB = "AWS::SageMaker::ModelBiasJobDefinition"


def outcome(path: str, text: str) -> list[tuple] | str:
    try:
        subjects = parse_text(path, text)
    except ReadError as error:
        return f"error: {error}"
    return [(f.rule.control, f.line, f.column, f.resource, f.message) for f in findings_for(path, subjects, Options())]


def both(monkeypatch: pytest.MonkeyPatch, path: str, text: str) -> tuple[list[tuple] | str, list[tuple] | str]:
    fast = outcome(path, text)
    with monkeypatch.context() as patch:
        patch.setattr(cfn_json, "load_json", lambda text: None)  # the YAML loader, as before
        slow = outcome(path, text)
    return fast, slow


def test_there_are_json_fixtures() -> None:
    assert len(JSON_FIXTURES) > 10


@pytest.mark.parametrize("path", JSON_FIXTURES, ids=lambda p: os.path.relpath(p, FIXTURES))
def test_a_json_fixture_reads_as_through_yaml(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    fast, slow = both(monkeypatch, path, text)
    assert fast == slow


def _value(rng: random.Random, depth: int) -> object:
    choice = rng.randrange(9 if depth < 3 else 5)
    if choice == 0:
        return rng.choice([True, False, "true", "False", 0, 1, 2, "2", 1.5, None])
    if choice == 1:
        return rng.choice(["a{b}", 'q"uote', "back\\slash", "br[ack]et", "uni\u00e9\u2028x", "t\tab"])
    if choice == 2:
        return {"Ref": rng.choice(["Count", "Flag", "AWS::NoValue"])}
    if choice == 3:
        return {"Fn::If": ["IsProd", _value(rng, depth + 1), _value(rng, depth + 1)]}
    if choice == 4:
        return rng.randrange(4)
    if choice in (5, 6):
        return {f"K{index}": _value(rng, depth + 1) for index in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(3))]


def generated(seed: int) -> str:
    rng = random.Random(seed)
    resources: dict = {}
    for index in range(30):
        if rng.random() < 0.5:
            resources[f"Bucket{index}"] = {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [_value(rng, 1)]}}
            continue
        properties: dict = {
            "JobResources": {"ClusterConfig": {"InstanceCount": rng.choice([1, 2, "2", {"Ref": "Count"}, _value(rng, 2)])}},
            "Pad{": _value(rng, 1),
        }
        if rng.random() < 0.8:
            properties["NetworkConfig"] = rng.choice([
                {"EnableInterContainerTrafficEncryption": rng.choice([True, False, "true", {"Ref": "Flag"}])},
                {"EnableInterContainerTrafficEncryption": {"Fn::If": ["IsProd", True, rng.choice([False, {"Ref": "Flag"}])]}},
                {"Fn::If": ["IsProd", {"EnableInterContainerTrafficEncryption": True}, {"Ref": "AWS::NoValue"}]},
                _value(rng, 2),
            ])
        resource: dict = {"Type": JOB, "Properties": properties}
        if rng.random() < 0.2:
            resource["Metadata"] = {"aws:cdk:path": f"Stack/Job{index}/Resource"}
        resources[f"Job{index}"] = resource
    template = {
        "Parameters": {"Count": {"Type": "Number", "Default": 2}, "Flag": {"Type": "String", "AllowedValues": ["true", "false"]},
                       "Env": {"Type": "String", "AllowedValues": ["prod", "dev"]}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": resources,
    }
    style = seed % 3
    if style == 0:
        return json.dumps(template, indent=2)
    if style == 1:
        return json.dumps(template, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(template, indent="\t").replace("\n", "\r\n")


@pytest.mark.parametrize("seed", range(24))
def test_a_generated_template_reads_as_through_yaml(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    text = generated(seed)
    fast, slow = both(monkeypatch, "t.json", text)
    assert fast == slow
    assert isinstance(fast, list) and fast  # some finding, so positions were compared


@pytest.mark.parametrize("text", [
    # a duplicated logical id: refused with the line of each copy
    '{"Resources": {"J": {"Type": "' + JOB + '"},\n "J": {"Type": "' + JOB + '"}}}',
    # a duplicated flag: judged with the last copy, and said
    '{"Resources": {"J": {"Type": "' + JOB + '", "Properties": {"NetworkConfig": {\n'
    '"EnableInterContainerTrafficEncryption": true,\n"EnableInterContainerTrafficEncryption": false}}}}}',
    '{"Resources": {"J": {"Type": "' + JOB + '", "Properties": {',  # invalid
    # decoys before the logical id: the name as a nested key, in a string with braces, as a Ref, escaped
    '{"Resources": {\n"B": {"Type": "AWS::S3::Bucket", "Metadata": {"J": {"Type": "' + JOB + '"}, "N": "{\\"J\\": {"},\n'
    '"Properties": {"Tags": [{"Key": "k", "Value": {"Ref": "J"}}]}},\n'
    '"J": {"Type": "' + JOB + '",\n "Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 2}}}},\n'
    '"\\u004a2": {"Type": "' + JOB + '",\n "Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 3}}}}}}',
    '{"Resources": {"J": {"Type": "' + JOB + '", "Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 1e+1}}}}}}',
    '{"Resources": {"J": {"Type": "' + JOB + '", "Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 2.0}}}}}}',
])
def test_an_unusual_template_reads_as_through_yaml(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    fast, slow = both(monkeypatch, "t.json", text)
    assert fast == slow


def test_a_lone_surrogate_id_is_located_where_the_yaml_loader_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    # YAML refuses the escape, so that path reads the template as plain JSON, without positions (1:1);
    # the fast path reads the same findings and knows where the logical id is written.
    text = '{"Resources": {"\\ud800": {"Type": "' + JOB + '"}}}'
    fast, slow = both(monkeypatch, "t.json", text)
    assert isinstance(fast, list) and isinstance(slow, list) and fast
    assert [f[:1] + f[3:] for f in fast] == [f[:1] + f[3:] for f in slow]
    assert {f[1:3] for f in fast} == {(1, 16)} and {f[1:3] for f in slow} == {(1, 1)}


def test_a_large_json_template_points_at_the_right_line_from_the_cli(tmp_path: Path) -> None:
    resources = {f"Bucket{index}": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"b{{{index}}}"}} for index in range(2000)}
    resources["Job"] = {"Type": JOB, "Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 2}}}}
    text = json.dumps({"Resources": resources}, indent=1)
    (tmp_path / "t.json").write_text(text)
    line = text.splitlines().index('  "Job": {') + 1
    result = subprocess.run([sys.executable, "-m", "sagemaker_iac_lint", "check", "--no-config", "--select", "SageMaker.15", "t.json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"t.json:{line}:3: SageMaker.15 ")
