"""Inputs whose cost once grew with a product of their sizes are judged, and judged right.

No timing here (that belongs to the benchmark, as ratios): each case is sized so that the old
product (every count value against every flag value) would not finish within the suite.
"""

from __future__ import annotations

from sagemaker_iac_lint.core import Subject, judge
from sagemaker_iac_lint.scan import parse_text


def bias(path: str, text: str) -> Subject:
    """The template's one model bias job definition, as SageMaker.15 judges it (SageMaker.12 judges it too)."""
    (subject,) = [s for s in parse_text(path, text) if s.rule.control == "SageMaker.15"]
    return subject


def mapping_template(keys: int, enc_of, count_of=lambda k: k % 5) -> str:
    lines = ["Parameters:", "  Env: {Type: String}", "Mappings:", "  Sizes:"]
    lines += [f"    k{k}: {{Count: {count_of(k)}, Enc: '{enc_of(k)}'}}" for k in range(keys)]
    lines += [
        "Resources:",
        "  J:",
        "    Type: AWS::SageMaker::ModelBiasJobDefinition",
        "    Properties:",
        "      JobResources: {ClusterConfig: {InstanceCount: !FindInMap [Sizes, !Ref Env, Count]}}",
        "      NetworkConfig: {EnableInterContainerTrafficEncryption: !FindInMap [Sizes, !Ref Env, Enc]}",
    ]
    return "\n".join(lines) + "\n"


def test_find_in_map_over_ten_thousand_keys_is_judged() -> None:
    subject = bias("t.yaml", mapping_template(10_000, lambda k: "true" if k % 2 else "false"))
    verdict = judge(subject)
    assert verdict is not None
    assert "InstanceCount is 2, from mapping `Sizes` (k2.Count)" in verdict.message
    assert "is 'false'" in verdict.message or "is false" in verdict.message


def test_find_in_map_over_ten_thousand_keys_all_encrypted_passes() -> None:
    subject = bias("t.yaml", mapping_template(10_000, lambda k: "true"))
    assert judge(subject) is None
    assert judge(subject, strict=True) is None


def test_find_in_map_with_single_instance_counts_fails_only_in_strict_mode() -> None:
    subject = bias("t.yaml", mapping_template(10_000, lambda k: "false", lambda k: 1))
    assert judge(subject) is None
    strict = judge(subject, strict=True)
    assert strict is not None and "InstanceCount is 1" in strict.message


def test_an_if_chain_past_the_depth_bound_fails_closed_and_says_why() -> None:
    import json

    depth = 40
    conditions = {f"C{i}": {"Fn::Equals": [{"Ref": "P"}, f"v{i}"]} for i in range(depth)}

    def chain(i: int, leaf, last):
        return last if i == depth else {"Fn::If": [f"C{i}", leaf(i), chain(i + 1, leaf, last)]}

    template = {
        "Parameters": {"P": {"Type": "String", "AllowedValues": [f"v{i}" for i in range(2 * depth)]}},
        "Conditions": conditions,
        "Resources": {"J": {"Type": "AWS::SageMaker::ModelBiasJobDefinition", "Properties": {
            "JobResources": {"ClusterConfig": {"InstanceCount": chain(0, lambda i: 2 if i % 2 == 0 else 1, 1)}},
            "NetworkConfig": {"EnableInterContainerTrafficEncryption": chain(0, lambda i: i % 2 == 0, False)},
        }}},
    }
    subject = bias("t.json", json.dumps(template))
    verdict = judge(subject)
    assert verdict is not None and "too complex" in verdict.message
    assert "only known at deployment" not in verdict.message
