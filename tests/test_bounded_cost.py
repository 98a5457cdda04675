"""Inputs whose cost once grew with a product of their sizes are judged, and judged right.

No timing here (that belongs to the benchmark, as ratios): each case is sized so that the old
product (every count value against every flag value) would not finish within the suite.
"""

from __future__ import annotations

from sagemaker_iac_lint.core import judge
from sagemaker_iac_lint.scan import parse_text


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
    (subject,) = parse_text("t.yaml", mapping_template(10_000, lambda k: "true" if k % 2 else "false"))
    verdict = judge(subject)
    assert verdict is not None
    assert "InstanceCount is 2, from mapping `Sizes` (k2.Count)" in verdict.message
    assert "is 'false'" in verdict.message or "is false" in verdict.message


def test_find_in_map_over_ten_thousand_keys_all_encrypted_passes() -> None:
    (subject,) = parse_text("t.yaml", mapping_template(10_000, lambda k: "true"))
    assert judge(subject) is None
    assert judge(subject, strict=True) is None


def test_find_in_map_with_single_instance_counts_fails_only_in_strict_mode() -> None:
    (subject,) = parse_text("t.yaml", mapping_template(10_000, lambda k: "false", lambda k: 1))
    assert judge(subject) is None
    strict = judge(subject, strict=True)
    assert strict is not None and "InstanceCount is 1" in strict.message
