"""The core alone: plain subjects, no file and no reader, and the exact verdict ``core.judge`` returns.

Every front end hands the core a ``Subject`` (the possible values of what a rule reads, each with the
scenario in which it holds); these tests are the contract that holds whatever reads the file.
"""

from __future__ import annotations

import pytest

from sagemaker_iac_lint.core import ALWAYS, Subject, Value, always, judge
from sagemaker_iac_lint.rules import RULES_BY_CONTROL, Rule

BIAS = RULES_BY_CONTROL["SageMaker.15"]
VARIANTS = RULES_BY_CONTROL["SageMaker.4"]
FEATURE_GROUP_ONLINE = RULES_BY_CONTROL["SageMaker.18"]
NOTEBOOK_INTERNET = RULES_BY_CONTROL["SageMaker.1"]
NOTEBOOK_SUBNET = RULES_BY_CONTROL["SageMaker.2"]
SCHEDULE = RULES_BY_CONTROL["SageMaker.22"]

PROD = frozenset({("IsProd", True)})
DEV = frozenset({("IsProd", False)})


def subject(rule: Rule, count: list | None = None, flag: list | None = None, **more: object) -> Subject:
    """Resource `Job` of the rule's first CloudFormation type, at line 3, column 5."""
    return Subject(rule, "Job", rule.cfn_types[0], 3, 5, count if count is not None else [],
                   flag if flag is not None else [], **more)  # type: ignore[arg-type]


def test_two_instances_and_a_false_flag_fail_at_the_flag() -> None:
    verdict = judge(subject(BIAS, always(Value.of(2, line=7, column=9)), always(Value.of(False, line=9, column=11))))
    assert verdict is not None
    assert (verdict.rule, verdict.line, verdict.column, verdict.scenario, verdict.strict_only) == (BIAS, 9, 11, ALWAYS, False)
    assert verdict.count is not None and verdict.count.literal == 2
    assert verdict.flag is not None and verdict.flag.literal is False
    assert verdict.fix_path == ("NetworkConfig", "EnableInterContainerTrafficEncryption")


def test_a_missing_flag_is_located_at_the_resource() -> None:
    verdict = judge(subject(BIAS, always(Value.of(4)), []))
    assert verdict is not None and (verdict.line, verdict.column) == (3, 5)
    assert verdict.flag is not None and verdict.flag.kind == "absent"


@pytest.mark.parametrize("flag", [True, "true", " TRUE "])
def test_a_provably_true_flag_passes_at_any_count(flag: object) -> None:
    assert judge(subject(BIAS, always(Value.of(40)), always(Value.of(flag)))) is None
    assert judge(subject(BIAS, always(Value.of(40)), always(Value.of(flag))), strict=True) is None


def test_terraform_reads_the_string_1_as_true_and_cloudformation_does_not() -> None:
    assert judge(subject(BIAS, always(Value.of(2)), always(Value.of("1")), terraform=True)) is None
    assert judge(subject(BIAS, always(Value.of(2)), always(Value.of("1")))) is not None


def test_one_instance_fails_only_in_strict_mode() -> None:
    single = subject(BIAS, always(Value.of(1)), always(Value.of(False, line=8, column=3)))
    assert judge(single) is None
    verdict = judge(single, strict=True)
    assert verdict is not None and verdict.strict_only and (verdict.line, verdict.column) == (8, 3)


@pytest.mark.parametrize("count", [Value.unknown("parameter `N`, which has no MaxValue"), Value.of("++2"), Value.of("²"),
                                   Value.of(True)])
def test_a_count_that_cannot_be_known_may_be_two_or_more(count: Value) -> None:
    verdict = judge(subject(BIAS, always(count), always(Value.of(False))))
    assert verdict is not None and not verdict.strict_only and verdict.count is count


def test_scenarios_pair_only_where_they_can_hold_together() -> None:
    # 4 instances in production, where the flag is true; 1 instance elsewhere, where it is false
    count = [(PROD, Value.of(4)), (DEV, Value.of(1))]
    flag = [(PROD, Value.of(True)), (DEV, Value.of(False))]
    assert judge(subject(BIAS, count, flag)) is None
    strict = judge(subject(BIAS, count, flag), strict=True)
    assert strict is not None and strict.strict_only and strict.scenario == DEV
    # the other way round: production runs 4 instances unencrypted
    crossed = judge(subject(BIAS, count, [(PROD, Value.of(False)), (DEV, Value.of(True))]))
    assert crossed is not None and crossed.scenario == PROD and not crossed.strict_only


def test_an_infeasible_scenario_is_never_reported() -> None:
    flag = [(PROD, Value.of(False)), (DEV, Value.of(True))]
    assert judge(subject(BIAS, always(Value.of(4)), flag, feasible=lambda scenario: ("IsProd", True) not in scenario)) is None
    assert judge(subject(BIAS, always(Value.of(4)), flag)) is not None


def test_an_unsupported_resource_says_why_at_the_resource() -> None:
    verdict = judge(subject(BIAS, [], [], unsupported="no such resource type"))
    assert verdict is not None and (verdict.message, verdict.line, verdict.column) == ("no such resource type", 3, 5)


def test_a_rule_without_a_count_condition_fails_at_one_instance() -> None:
    verdict = judge(subject(SCHEDULE, always(Value.of(1)), always(Value.of(False)), scope=always(Value.of(True))))
    assert verdict is not None and not verdict.strict_only
    # no inline job definition: nothing to judge
    assert judge(subject(SCHEDULE, always(Value.of(1)), always(Value.of(False)), scope=always(Value.absent()))) is None


def test_a_variant_that_may_run_one_instance_fails() -> None:
    assert judge(subject(VARIANTS, always(Value.of(2).within("ProductionVariants[0]")), [])) is None
    one = judge(subject(VARIANTS, [*always(Value.of(3).within("ProductionVariants[0]")),
                                   *always(Value.of(1, line=12, column=7).within("ProductionVariants[1]"))], []))
    assert one is not None and one.count is not None and one.count.element == "ProductionVariants[1]"
    assert (one.line, one.column, one.flag) == (12, 7, None)
    assert judge(subject(VARIANTS, always(Value.unknown("parameter `N`, which has no MinValue")), [])) is not None
    assert judge(subject(VARIANTS, [], [])) is None  # no variant (every one serverless): nothing to judge


@pytest.mark.parametrize(("value", "passes"), [
    (Value.of("Disabled"), True), (Value.of("Enabled"), False), (Value.of("disabled"), False),
    (Value.absent(), False), (Value.unknown("parameter `Access`"), False)])
def test_a_required_string_is_exact(value: Value, passes: bool) -> None:
    assert (judge(subject(NOTEBOOK_INTERNET, [], always(value))) is None) is passes


@pytest.mark.parametrize(("value", "passes"), [
    (Value.of("subnet-1"), True), (Value.unknown("`Ref` to parameter `Subnet`"), True), (Value.of(""), False),
    (Value.of("  "), False), (Value.of(None), False), (Value.absent(), False)])
def test_presence_is_any_value_but_empty_or_null(value: Value, passes: bool) -> None:
    assert (judge(subject(NOTEBOOK_SUBNET, [], always(value))) is None) is passes


@pytest.mark.parametrize(("enabled", "storage", "judged"), [
    (Value.of(True), Value.absent(), True),  # Standard by default
    (Value.of("true"), Value.of("Standard"), True),
    (Value.of(True), Value.of("InMemory"), False),
    (Value.of(False), Value.absent(), False),
    (Value.absent(), Value.absent(), False),  # EnableOnlineStore defaults to false
    (Value.unknown("parameter `Online`"), Value.absent(), True),  # cannot be known: applies (fail closed)
])
def test_a_rule_applies_only_where_its_conditions_hold(enabled: Value, storage: Value, judged: bool) -> None:
    unencrypted = subject(FEATURE_GROUP_ONLINE, [], always(Value.absent()), scope=always(Value.of(True)),
                          applies=[always(enabled), always(storage)])
    assert (judge(unencrypted) is not None) is judged
    encrypted = subject(FEATURE_GROUP_ONLINE, [], always(Value.of("alias/key")), scope=always(Value.of(True)),
                        applies=[always(enabled), always(storage)])
    assert judge(encrypted) is None


def test_conditions_under_which_a_rule_applies_narrow_the_scenario() -> None:
    # the online store is enabled only in production; the key is missing everywhere
    verdict = judge(subject(FEATURE_GROUP_ONLINE, [], always(Value.absent()), scope=always(Value.of(True)),
                            applies=[[(PROD, Value.of(True)), (DEV, Value.of(False))], always(Value.absent())]))
    assert verdict is not None and verdict.scenario == PROD
