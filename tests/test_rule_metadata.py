"""Each rule's Security Hub metadata: title, severity, Config rule and links.

The expected titles and severities are copied from the AWS Security Hub page
https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html (one heading per control,
"[SageMaker.N] <title>", and its "Severity:" line). The Config rule of each control is checked against
the control table the project keeps beside it, ``../shared/docs/CONTROLS.md`` (taken from the Security Hub
page and the Config rule pages); those tests skip when it is absent.
"""

from __future__ import annotations

import os
import re

import pytest

from sagemaker_iac_lint.rules import CONFIG_RULE_URL, RULES, SECURITY_HUB_URL

CONTROLS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "docs", "CONTROLS.md")

# control number -> (title, severity), as the Security Hub page gives them
SECURITY_HUB: dict[int, tuple[str, str]] = {
    1: ("Amazon SageMaker notebook instances should not have direct internet access", "High"),
    2: ("SageMaker notebook instances should be launched in a custom VPC", "High"),
    3: ("Users should not have root access to SageMaker notebook instances", "High"),
    4: ("SageMaker endpoint production variants should have an initial instance count greater than 1", "Medium"),
    5: ("SageMaker models should have network isolation enabled", "Medium"),
    9: ("SageMaker data quality job definitions should have inter-container traffic encryption enabled", "Medium"),
    10: ("SageMaker model explainability job definitions should have inter-container traffic encryption enabled",
         "Medium"),
    11: ("SageMaker data quality job definitions should have network isolation enabled", "Medium"),
    12: ("SageMaker model bias job definitions should have network isolation enabled", "Medium"),
    13: ("SageMaker model quality job definitions should have inter-container traffic encryption enabled", "Medium"),
    14: ("SageMaker monitoring schedules should have network isolation enabled", "Medium"),
    15: ("SageMaker model bias job definitions should have inter-container traffic encryption enabled", "Medium"),
    16: ("SageMaker models should use private registry in VPC for primary containers", "Medium"),
    17: ("SageMaker feature group offline stores should be encrypted with AWS KMS keys", "Medium"),
    18: ("SageMaker feature group online stores with standard storage should be encrypted with AWS KMS keys", "Medium"),
    19: ("SageMaker models should use private registry in VPC for multi-container inference pipelines", "Medium"),
    20: ("SageMaker model explainability job definitions should have network isolation enabled", "High"),
    21: ("SageMaker notebook instances should be encrypted with customer managed AWS KMS keys", "Medium"),
    22: ("SageMaker monitoring schedules should have inter-container traffic encryption enabled", "Medium"),
    23: ("SageMaker inference experiments should have instance storage volume encrypted with customer managed AWS KMS "
         "keys", "Medium"),
    24: ("SageMaker inference experiments should have data storage encrypted with customer managed AWS KMS keys",
         "Medium"),
    25: ("SageMaker model quality job definitions should have network isolation enabled", "High"),
}
# .6 .7 (tags) and .8 (the platform the service picks) cannot be decided from a template
NOT_DECIDABLE = {6, 7, 8}


def control_table() -> dict[int, str]:
    """control number -> Config rule name, from the table's rows (``| .15 | ... | rule-name |``)."""
    rows: dict[int, str] = {}
    with open(CONTROLS, encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"\|\s*\.(\d+)\s*\|.*\|\s*\**([a-z0-9-]+)\**\s*\|\s*$", line)
            if match:
                rows[int(match.group(1))] = match.group(2)
    return rows


def test_every_decidable_control_has_one_row() -> None:
    numbers = [rule.number for rule in RULES]
    assert len(numbers) == len(set(numbers))
    assert set(numbers) == set(range(1, 26)) - NOT_DECIDABLE == set(SECURITY_HUB)


@pytest.mark.skipif(not os.path.isfile(CONTROLS), reason="../shared/docs/CONTROLS.md is not here")
def test_the_control_table_lists_the_same_controls() -> None:
    assert set(control_table()) == {rule.number for rule in RULES}


@pytest.mark.skipif(not os.path.isfile(CONTROLS), reason="../shared/docs/CONTROLS.md is not here")
@pytest.mark.parametrize("rule", RULES, ids=[r.control for r in RULES])
def test_config_rule_is_the_one_the_control_table_names(rule) -> None:
    table = control_table()
    assert len(table) >= 20, "the control table was not read"
    assert rule.config_rule == table[rule.number]


def high_in_control_table() -> set[int]:
    """The controls the table's "Severities:" sentence calls High (the rest are Medium)."""
    with open(CONTROLS, encoding="utf-8") as handle:
        text = " ".join(handle.read().split())
    match = re.search(r"Severities: (.*?) the rest Medium", text)
    assert match, "the control table's severities were not read"
    return {int(number) for number in re.findall(r"\.(\d+)", match.group(1))}


@pytest.mark.skipif(not os.path.isfile(CONTROLS), reason="../shared/docs/CONTROLS.md is not here")
def test_severities_agree_with_the_control_table() -> None:
    high = high_in_control_table()
    assert high == {1, 2, 3, 20, 25}
    assert {rule.number for rule in RULES if rule.severity == "high"} == high
    assert {rule.severity for rule in RULES if rule.number not in high} == {"medium"}


@pytest.mark.parametrize("rule", RULES, ids=[r.control for r in RULES])
def test_title_and_severity_are_security_hubs(rule) -> None:
    title, severity = SECURITY_HUB[rule.number]
    assert rule.title == title
    assert rule.severity == severity.lower()


@pytest.mark.parametrize("rule", RULES, ids=[r.control for r in RULES])
def test_help_links_follow_security_hub_and_config(rule) -> None:
    assert SECURITY_HUB_URL == "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-{number}"
    assert rule.help_url == SECURITY_HUB_URL.format(number=rule.number)
    assert rule.help_url.endswith(f"#sagemaker-{rule.number}")
    assert CONFIG_RULE_URL == "https://docs.aws.amazon.com/config/latest/developerguide/{name}.html"
    assert rule.config_rule_url == f"https://docs.aws.amazon.com/config/latest/developerguide/{rule.config_rule}.html"


def test_monitoring_schedule_metadata() -> None:
    (rule,) = [r for r in RULES if r.number == 22]
    assert rule.config_rule == "sagemaker-monitoring-schedule-traffic-encryption"
    assert rule.title == SECURITY_HUB[22][0]
