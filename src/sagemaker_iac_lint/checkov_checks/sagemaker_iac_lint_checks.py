"""Checkov checks built from the rule table: one CloudFormation and one Terraform check per rule.

``checkov --external-checks-dir "$(sagemaker-iac-lint checkov-dir)"`` executes this file once per
framework it runs (CloudFormation, Terraform, ``terraform_json``, ``terraform_plan``, ...). Each
execution adds the checks that Checkov's registries do not hold yet, so ids are registered once,
while Checkov's loader marks them external (``--check``/``--skip-check`` and severity filters apply).

Any ``--external-checks-dir`` also switches on Checkov's generic ``yaml`` and ``json`` frameworks,
which have no check of their own; executing this file lets them skip reading files while they still
have none (``checkov_support.spare_checkless_document_runners``), so that adding our checks does not
make Checkov parse every YAML and JSON file of the scan once more.

The check names, ids (``CKV_SAGEMAKER_NN``), guideline links and severities come from
``sagemaker_iac_lint.rules``; the judging is ``checkov_support.judge_entity``. A new rule is a new
row in the table, nothing here.
"""

from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CloudFormationResourceCheck
from checkov.cloudformation.checks.resource.registry import cfn_registry
from checkov.common.bridgecrew.severities import get_severity
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TerraformResourceCheck
from checkov.terraform.checks.resource.registry import resource_registry

from sagemaker_iac_lint.checkov_support import (
    FAILED,
    SKIPPED,
    Entity,
    evaluated_keys,
    judge_entity,
    spare_checkless_document_runners,
)
from sagemaker_iac_lint.rules import CONFIGURATION_RULES, RULES, Rule

try:  # Checkov's own `.tf` loader (bc-python-hcl2): the plugin reads `.tf` through it, never through hcl2
    from checkov.terraform.parser_utils import load_or_die_quietly as _checkov_load_hcl
except ImportError:  # pragma: no cover - a Checkov without it: `.tf` is judged on the rendered copy
    _checkov_load_hcl = None

_RESULTS = {FAILED: CheckResult.FAILED, SKIPPED: CheckResult.SKIPPED}


def _load_hcl(path: str) -> Any:
    return _checkov_load_hcl(path, {}) if _checkov_load_hcl is not None else None


class _RuleCheck:
    """What the CloudFormation and Terraform checks share; mixed in before Checkov's base class."""

    rule: Rule
    terraform = False

    def _describe(self, rule: Rule) -> dict[str, Any]:
        self.rule = rule
        self._seen: tuple[str, str] = ("", "")
        self._suppression = ""
        return {
            "name": rule.title,
            "id": rule.checkov_id,
            "categories": [CheckCategories[rule.category]],
            "guideline": rule.help_url,
        }

    def run(self, scanned_file: str, entity_configuration: dict, entity_name: str, entity_type: str,
            skip_info: Any) -> Any:
        self._seen = (scanned_file, entity_name)
        self._suppression = ""
        result = super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)  # type: ignore[misc]
        if result.get("result") == CheckResult.SKIPPED and "suppress_comment" not in result:
            result["suppress_comment"] = self._suppression  # our own suppression, with its reason
        return result

    def scan_entity_conf(self, conf: dict, entity_type: str) -> CheckResult:
        # Overrides Checkov's versions (which may raise on odd input): judge_entity never raises, and
        # an exception leaving a check would be logged and dropped, leaving a silent pass.
        self.entity_type = entity_type
        scanned_file, name = self._seen
        graph = getattr(self, "graph", None)
        entity = Entity(conf, name, entity_type, scanned_file, graph, _load_hcl if self.terraform else None)
        outcome = judge_entity(self.rule, entity, terraform=self.terraform)
        try:
            self.evaluated_keys = evaluated_keys(self.rule, conf, entity_type, self.terraform)
        except Exception:  # noqa: BLE001 - where the keys are is for the report: never worth a raise
            self.evaluated_keys = []
        if outcome.result == FAILED:
            self.details = [outcome.message]
        elif outcome.result == SKIPPED:
            self._suppression = outcome.message
        return _RESULTS.get(outcome.result, CheckResult.PASSED)

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        return self.scan_entity_conf(conf, self.entity_type)


class CloudFormationCheck(_RuleCheck, CloudFormationResourceCheck):
    def __init__(self, rule: Rule) -> None:
        super().__init__(supported_resources=list(rule.cfn_types), **self._describe(rule))
        self.severity = get_severity(rule.severity)


class TerraformCheck(_RuleCheck, TerraformResourceCheck):
    terraform = True

    def __init__(self, rule: Rule) -> None:
        # a hashicorp/aws type that does not exist is not a control's: SIL001 reports it, once
        super().__init__(supported_resources=list(rule.tf_types), **self._describe(rule))
        self.severity = get_severity(rule.severity)


for _rule in RULES + CONFIGURATION_RULES:  # the controls, then the configuration diagnostics (CKV_SIL001)
    if _rule.cfn_types and cfn_registry.get_check_by_id(_rule.checkov_id) is None:
        CloudFormationCheck(_rule)
    if _rule.tf_types and resource_registry.get_check_by_id(_rule.checkov_id) is None:
        TerraformCheck(_rule)

# Checkov runs its `yaml` and `json` frameworks only because an external folder was given, and they
# would parse every YAML and JSON file of the scan for no check: see checkov_support.
spare_checkless_document_runners()
