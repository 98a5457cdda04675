"""Each rule's Security Hub metadata against the control table the project keeps beside it.

``../shared/docs/CONTROLS.md`` lists, per control, the AWS Config rule that backs it (taken from the
Security Hub page and the Config rule pages); these tests skip when it is absent.
"""

from __future__ import annotations

import os
import re

import pytest

from sagemaker_iac_lint.rules import CONFIG_RULE_URL, RULES, SECURITY_HUB_URL

CONTROLS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "docs", "CONTROLS.md")


def control_table() -> dict[int, str]:
    """control number -> Config rule name, from the table's rows (``| .15 | ... | rule-name |``)."""
    rows: dict[int, str] = {}
    with open(CONTROLS, encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"\|\s*\.(\d+)\s*\|.*\|\s*\**([a-z0-9-]+)\**\s*\|\s*$", line)
            if match:
                rows[int(match.group(1))] = match.group(2)
    return rows


@pytest.mark.skipif(not os.path.isfile(CONTROLS), reason="../shared/docs/CONTROLS.md is not here")
@pytest.mark.parametrize("rule", RULES, ids=[r.control for r in RULES])
def test_config_rule_is_the_one_the_control_table_names(rule) -> None:
    table = control_table()
    assert len(table) >= 20, "the control table was not read"
    assert rule.config_rule == table[rule.number]
    assert rule.config_rule_url == f"https://docs.aws.amazon.com/config/latest/developerguide/{table[rule.number]}.html"


@pytest.mark.parametrize("rule", RULES, ids=[r.control for r in RULES])
def test_help_link_and_title_follow_security_hub(rule) -> None:
    assert rule.help_url == SECURITY_HUB_URL.format(number=rule.number)
    assert rule.help_url.endswith(f"#sagemaker-{rule.number}")
    assert CONFIG_RULE_URL.format(name=rule.config_rule) == rule.config_rule_url
    assert rule.title.startswith("SageMaker ") and rule.title.endswith(" should have inter-container traffic encryption enabled")


def test_monitoring_schedule_metadata() -> None:
    (rule,) = [r for r in RULES if r.number == 22]
    assert rule.config_rule == "sagemaker-monitoring-schedule-traffic-encryption"
    assert rule.title == "SageMaker monitoring schedules should have inter-container traffic encryption enabled"
