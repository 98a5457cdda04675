"""Inputs whose cost once grew with a product of their sizes are judged, and judged right.

No timing here (that belongs to the benchmark, as ratios): each case is sized so that the old
product (every count value against every flag value) would not finish within the suite.
"""

from __future__ import annotations

import json
import os
import sys

from sagemaker_iac_lint.core import Subject, judge
from sagemaker_iac_lint.scan import parse_text

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
import worst_cases  # noqa: E402  (bench/worst_cases.py: the generator of the benchmark's worst cases)


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

    from sagemaker_iac_lint.cfn import MAX_IF_DEPTH

    depth = MAX_IF_DEPTH + 10
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


def message(path: str, text: str) -> str | None:
    verdict = judge(bias(path, text))
    return verdict.message if verdict is not None else None


def test_an_if_chain_of_forty_conditions_on_one_parameter_is_judged_exactly() -> None:
    # count 2 and flag false are never on one branch of the chain: it passes (once: past the depth bound)
    assert message(*worst_cases.if_chain(40)) is None
    # the same chain with the last branch failing: found, in the one scenario where every condition is false
    path, text = worst_cases.if_chain(40)
    text = text.replace('"InstanceCount": {"Fn::If"', '"InstanceCount": {"Fn::If"', 1)
    template = json.loads(text)
    flag = template["Resources"]["Job"]["Properties"]["NetworkConfig"]
    node = flag["EnableInterContainerTrafficEncryption"]
    while isinstance(node["Fn::If"][2], dict):
        node = node["Fn::If"][2]
    node["Fn::If"][2] = False
    count = template["Resources"]["Job"]["Properties"]["JobResources"]["ClusterConfig"]["InstanceCount"]
    node = count
    while isinstance(node["Fn::If"][2], dict):
        node = node["Fn::If"][2]
    node["Fn::If"][2] = 2
    found = message(path, json.dumps(template))
    assert found is not None and "too complex" not in found
    assert "condition `C0` is false" in found and "condition `C39` is false" in found


def test_conditions_of_conditions_two_thousand_deep_are_judged() -> None:
    # C_k = And [C_k-1, C_k-1] (and the Or/Not form): 2^2000 evaluations without a memo, past the
    # recursion limit with one; judged as C0 itself
    for form in ("and", "or"):
        found = message(*worst_cases.condition_chain(2000, form))
        assert found is not None and "when condition `C2000` is true (InstanceCount is 2)" in found
        assert "too complex" not in found


def test_an_if_tree_within_the_branch_bound_finds_its_one_failing_leaf() -> None:
    # 2^12 shapes of each property (the bound) and the only failing pair the last: the flag's walk once
    # ran out of a budget the count's walk had spent, and its unfollowed branches were dropped (a pass)
    found = message(*worst_cases.if_tree_json(12))
    assert found is not None and "too complex" not in found
    assert all(f"condition `C{i}` is false" in found for i in range(12))


def test_an_if_tree_whose_failing_counts_and_flags_never_meet_passes() -> None:
    # 2,048 counts of 2 and 2,048 flags false, each pair on opposite branches of C11: 4 million pairs
    # to rule out one by one; ruled out through the index of flag scenarios instead
    assert message(*worst_cases.if_tree_json(12, meet=False)) is None


def test_an_anchor_ladder_of_thirty_levels_fails_closed_at_once() -> None:
    # 2^30 shapes through 120 YAML anchors: counted on the alias graph, refused before any is followed
    found = message(*worst_cases.if_tree_yaml(30))
    assert found is not None and "too complex to decide every combination" in found


def test_an_anchor_ladder_within_the_bound_is_judged_exactly() -> None:
    # 2^10 shapes: count 2 and flag false wherever an odd number of conditions are false; the first
    # followed (true branches first, from C9 down) has C0 alone false
    found = message(*worst_cases.if_tree_yaml(10))
    assert found is not None and "too complex" not in found
    assert found.startswith("model bias job definition `Job` can run 2+ instances when condition `C0` is false "
                            "and condition `C1` is true and condition `C2` is true")


def test_find_in_map_under_an_anchor_ladder_is_resolved_once() -> None:
    # 2^10 paths to one FindInMap over 3,000 keys: 3 million values when each path resolved it
    found = message(*worst_cases.find_in_map_ladder(10, 3000))
    assert found is not None and "too complex" not in found
    assert "(InstanceCount is 2, from mapping `Sizes` (k2.Count))" in found
    assert "is 'false', from mapping `Sizes` (k0.Enc)" in found or "is false, from mapping `Sizes` (k0.Enc)" in found


def test_many_jobs_reading_one_large_mapping_are_each_judged() -> None:
    # 200 jobs x 2 rules x 2 properties x 3,000 keys: 2.4 million values when each read resolved the map
    subjects = [s for s in parse_text(*worst_cases.find_in_map_jobs(200, 3000)) if s.rule.control == "SageMaker.15"]
    verdicts = [judge(subject) for subject in subjects]
    assert len(verdicts) == 200
    assert all(v is not None and "(InstanceCount is 2, from mapping `Sizes` (k2.Count))" in v.message for v in verdicts)
    assert len({(v.line, v.column) for v in verdicts if v is not None}) == 200  # each at its own job's flag


def test_the_scenario_index_finds_exactly_the_compatible_possibilities_in_order() -> None:
    import random

    from sagemaker_iac_lint.core import Value, _ScenarioIndex, compatible

    chooser = random.Random(19)
    names = [f"C{i}" for i in range(6)]

    def scenario() -> frozenset:
        picked = chooser.sample(names, chooser.randint(0, 4))
        return frozenset((name, chooser.random() < 0.5) for name in picked)

    for _ in range(200):
        possibilities = [(scenario(), Value.of(index)) for index in range(chooser.randint(0, 40))]
        index = _ScenarioIndex(possibilities)
        for _ in range(10):
            wanted = scenario()
            assert index.compatible(wanted) == [p for p in possibilities if compatible(wanted, p[0])]
