"""Sound conditions: ``cfn.Conditions.feasible`` against brute-force enumeration.

A combination of condition values may be left out only when no deployment makes it hold. The oracle
here knows nothing of the implementation: it evaluates the raw ``Conditions`` section under every
assignment of values to the parameters, each ranging over its AllowedValues, or over every literal of
the template plus one fresh value per parameter (enough for any pattern of equal and unequal
parameters), and says whether any assignment gives the scenario.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagemaker_iac_lint.cfn import TOO_COMPLEX_NOTE, Conditions, load_template, read_subjects
from sagemaker_iac_lint.core import judge

LITERALS = ["a", "b", "c"]
PARAMETERS = ["P0", "P1", "P2"]


def side() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(PARAMETERS).map(lambda name: {"Ref": name}),
        st.sampled_from(LITERALS),
    )


def condition(names: list[str]) -> st.SearchStrategy:
    leaves = st.tuples(side(), side()).map(lambda pair: {"Fn::Equals": list(pair)})
    if names:
        leaves = st.one_of(leaves, st.sampled_from(names).map(lambda name: {"Condition": name}))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            inner.map(lambda item: {"Fn::Not": [item]}),
            st.lists(inner, min_size=1, max_size=3).map(lambda items: {"Fn::And": items}),
            st.lists(inner, min_size=1, max_size=3).map(lambda items: {"Fn::Or": items}),
        ),
        max_leaves=5,
    )


@st.composite
def cases(draw) -> tuple[dict, dict, dict, frozenset]:
    parameters: dict = {}
    for name in PARAMETERS:
        allowed = draw(st.one_of(st.none(), st.lists(st.sampled_from(LITERALS + ["d"]), min_size=1, max_size=3, unique=True)))
        parameters[name] = {"Type": "String", **({"AllowedValues": allowed} if allowed else {})}
    definitions: dict = {}
    for index in range(draw(st.integers(1, 4))):
        definitions[f"C{index}"] = draw(condition(list(definitions)))
    values = draw(st.dictionaries(st.sampled_from(PARAMETERS), st.sampled_from(LITERALS + ["z"]), max_size=2))
    chosen = draw(st.lists(st.sampled_from(sorted(definitions)), min_size=1, max_size=len(definitions), unique=True))
    scenario = frozenset((name, draw(st.booleans())) for name in chosen)
    return parameters, definitions, values, scenario


def evaluate(node: object, definitions: dict, assignment: dict) -> bool:
    assert isinstance(node, dict)
    if "Condition" in node:
        return evaluate(definitions[node["Condition"]], definitions, assignment)
    ((function, args),) = node.items()
    if function == "Fn::Equals":
        a, b = (assignment[x["Ref"]] if isinstance(x, dict) else x for x in args)
        return a == b
    if function == "Fn::Not":
        return not evaluate(args[0], definitions, assignment)
    results = [evaluate(item, definitions, assignment) for item in args]
    return all(results) if function == "Fn::And" else any(results)


def brute_force(parameters: dict, definitions: dict, values: dict, scenario: frozenset) -> bool:
    universe = LITERALS + ["d", "z"] + [("fresh", index) for index in range(len(PARAMETERS))]
    ranges = []
    for name in PARAMETERS:
        if name in values:
            ranges.append([values[name]])
        else:
            ranges.append(parameters[name].get("AllowedValues") or universe)
    for combination in itertools.product(*ranges):
        assignment = dict(zip(PARAMETERS, combination))
        if all(evaluate(definitions[name], definitions, assignment) == branch for name, branch in scenario):
            return True
    return False


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_feasible_matches_brute_force(case) -> None:
    parameters, definitions, values, scenario = case
    expected = brute_force(parameters, definitions, values, scenario)
    # without a deployment: every parameter free (its values dropped); with one: fixed to them
    free = brute_force(parameters, definitions, {}, scenario)
    assert Conditions(definitions, parameters).feasible(scenario) == free
    assert Conditions(definitions, parameters, values).feasible(scenario) == expected


def test_two_free_parameters_can_differ_and_be_equal() -> None:
    parameters = {"PrimaryRegion": {"Type": "String"}, "DeployRegion": {"Type": "String"}}
    definitions = {"IsPrimary": {"Fn::Equals": [{"Ref": "PrimaryRegion"}, {"Ref": "DeployRegion"}]}}
    conditions = Conditions(definitions, parameters)
    assert conditions.feasible(frozenset({("IsPrimary", True)}))
    assert conditions.feasible(frozenset({("IsPrimary", False)}))


def test_allowed_values_against_a_free_parameter_can_be_equal() -> None:
    parameters = {"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}, "Other": {"Type": "String"}}
    definitions = {"Same": {"Fn::Equals": [{"Ref": "Env"}, {"Ref": "Other"}]}}
    assert Conditions(definitions, parameters).feasible(frozenset({("Same", True)}))


def test_one_parameter_two_values_cannot_both_hold() -> None:
    parameters = {"Env": {"Type": "String"}}
    definitions = {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "IsDev": {"Fn::Equals": ["dev", {"Ref": "Env"}]},
    }
    conditions = Conditions(definitions, parameters)
    assert not conditions.feasible(frozenset({("IsProd", True), ("IsDev", True)}))
    assert conditions.feasible(frozenset({("IsProd", False), ("IsDev", False)}))


CHAIN = """\
Parameters:
{parameters}
Conditions:
  C0: !Equals [!Ref P0, "yes"]
{conditions}
Resources:
  JobFailChain:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources: {{ClusterConfig: {{InstanceCount: 2}}}}
      NetworkConfig:
        EnableInterContainerTrafficEncryption: !If [C{last}, false, true]
"""


def test_conditions_referring_to_conditions_are_memoised() -> None:
    """``C_k = And[C_k-1, C_k-1]`` is 2^k evaluations without a memo: 60 levels would never finish; with
    it they are judged (the cost is measured in bench/worst_cases.py, not timed here)."""
    levels = 60
    conditions = "\n".join(f"  C{k}: !And [!Condition C{k - 1}, !Condition C{k - 1}]" for k in range(1, levels))
    text = CHAIN.format(parameters="  P0: {Type: String}", conditions=conditions, last=levels - 1)
    (subject,) = [s for s in read_subjects(load_template(text)) if s.rule.control == "SageMaker.15"]
    verdict = judge(subject)
    assert verdict is not None and verdict.scenario == frozenset({(f"C{levels - 1}", True)})


def test_a_search_past_its_bound_is_possible_and_says_so() -> None:
    """Nine parameters over eight AllowedValues, pairwise different: impossible (the pigeonhole), and a
    search must try about 8! assignments to prove it. Past the bound the scenario counts as possible."""
    values = [f"v{k}" for k in range(8)]
    parameters = "\n".join(f"  P{k}: {{Type: String, AllowedValues: [{', '.join(values)}]}}" for k in range(9))
    pairs = [f"!Not [!Equals [!Ref P{i}, !Ref P{j}]]" for i in range(9) for j in range(i + 1, 9)]
    conditions = f"  C1: !And [{', '.join(pairs)}]"
    text = CHAIN.format(parameters=parameters, conditions=conditions, last=1)
    (subject,) = [s for s in read_subjects(load_template(text)) if s.rule.control == "SageMaker.15"]
    verdict = judge(subject)
    assert verdict is not None and verdict.scenario == frozenset({("C1", True)})
    assert TOO_COMPLEX_NOTE in subject.notes
    assert TOO_COMPLEX_NOTE in verdict.message
