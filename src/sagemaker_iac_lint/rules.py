"""The rule table: one record per Security Hub control, and nothing else.

Every front end (CLI, cfn-lint rules, Checkov checks), the SARIF rule metadata and the docs pages
read their ids, names, paths and texts from here. A new control is one row in ``RULES`` plus its
fixtures.
"""

from __future__ import annotations

import re

from .records import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

SECURITY_HUB_URL = "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-{number}"
CONFIG_RULE_URL = "https://docs.aws.amazon.com/config/latest/developerguide/{name}.html"

# Where the instance count and the flag sit inside a job definition (CloudFormation spelling).
JOB_COUNT_PATH = ("JobResources", "ClusterConfig", "InstanceCount")
SCHEDULE_COUNT_PATH = ("MonitoringResources", "ClusterConfig", "InstanceCount")
FLAG_PATH = ("NetworkConfig", "EnableInterContainerTrafficEncryption")
SCHEDULE_SCOPE = ("MonitoringScheduleConfig", "MonitoringJobDefinition")


def snake_case(name: str) -> str:
    """CloudFormation property name to its Terraform attribute name (``InstanceCount`` -> ``instance_count``)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class Rule(FrozenRecord):
    """One Security Hub control, as every front end sees it."""

    __slots__ = (
        "number",
        "resource_kind",
        "cfn_types",
        "tf_types",
        "count_path",
        "flag_path",
        "multi_instance_only",
        "config_rule",
        "scope",
        "resource_noun",
        "create_only",
        "severity",
        "nonexistent_tf_types",
        "hub_title",
    )
    number: Final[int]
    resource_kind: Final[str]
    cfn_types: Final[tuple[str, ...]]
    tf_types: Final[tuple[str, ...]]
    count_path: Final[tuple[str, ...]]
    flag_path: Final[tuple[str, ...]]
    multi_instance_only: Final[bool]
    config_rule: Final[str]
    scope: Final[tuple[str, ...]]
    resource_noun: Final[str]
    create_only: Final[bool]
    severity: Final[str]
    nonexistent_tf_types: Final[tuple[str, ...]]
    hub_title: Final[str]

    def __init__(
        self,
        number: int,
        resource_kind: str,  # "model bias job definition": used in titles and messages
        cfn_types: tuple[str, ...],
        tf_types: tuple[str, ...],
        count_path: tuple[str, ...],  # relative to ``scope``
        flag_path: tuple[str, ...],  # relative to ``scope``
        multi_instance_only: bool,  # True: fails only when the count may be 2+ (standard mode)
        config_rule: str,
        scope: tuple[str, ...] = (),  # the rule applies only where this object is present
        resource_noun: str = "job definition",  # what gets replaced or updated when the flag changes
        create_only: bool = True,  # changing the flag replaces the resource (CloudFormation "Replacement")
        severity: str = "medium",  # Security Hub's severity
        # hashicorp/aws names that users reach for but that do not exist: reported, never ignored.
        nonexistent_tf_types: tuple[str, ...] = (),
        hub_title: str = "",  # Security Hub's title, when it does not follow from ``resource_kind``
    ) -> None:
        self.number = number
        self.resource_kind = resource_kind
        self.cfn_types = cfn_types
        self.tf_types = tf_types
        self.count_path = count_path
        self.flag_path = flag_path
        self.multi_instance_only = multi_instance_only
        self.config_rule = config_rule
        self.scope = scope
        self.resource_noun = resource_noun
        self.create_only = create_only
        self.severity = severity
        self.nonexistent_tf_types = nonexistent_tf_types
        self.hub_title = hub_title

    @property
    def control(self) -> str:
        return f"SageMaker.{self.number}"

    @property
    def cfn_lint_id(self) -> str:
        return f"E95{self.number:02d}"

    @property
    def checkov_id(self) -> str:
        return f"CKV_SAGEMAKER_{self.number}"

    @property
    def title(self) -> str:
        """The control's title as the Security Hub page gives it."""
        return self.hub_title or f"SageMaker {self.resource_kind}s should have inter-container traffic encryption enabled"

    @property
    def short_description(self) -> str:
        if self.multi_instance_only:
            return f"{self.resource_kind.capitalize()} on 2+ instances without inter-container traffic encryption"
        return f"{self.resource_kind.capitalize()} without inter-container traffic encryption"

    @property
    def description(self) -> str:
        flag = ".".join(self.scope + self.flag_path)
        if self.multi_instance_only:
            return (
                f"A {self.resource_kind} that can run on 2 or more instances must set {flag} to true "
                f"(Security Hub {self.control}). Strict mode asks for it at any instance count."
            )
        return f"A {self.resource_kind} must set {flag} to true at any instance count (Security Hub {self.control})."

    @property
    def rationale(self) -> str:
        return (
            "A monitoring job that runs on several instances sends the data it analyses between its "
            "containers over the network. Without inter-container traffic encryption that data "
            "travels in clear text. A single-instance job has no inter-container hop, which is why "
            "the problem stays invisible in development and appears when the job is scaled up. "
            + (
                "The setting cannot be changed on an existing resource: changing it replaces the resource."
                if self.create_only
                else "The setting can be changed in place, without replacing the resource."
            )
        )

    @property
    def help_url(self) -> str:
        return SECURITY_HUB_URL.format(number=self.number)

    @property
    def config_rule_url(self) -> str:
        return CONFIG_RULE_URL.format(name=self.config_rule)

    @property
    def doc_page(self) -> str:
        return f"docs/rules/sagemaker-{self.number}.md"

    def tf_path(self, path: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(snake_case(part) for part in path)


RULES: tuple[Rule, ...] = (
    Rule(
        number=15,
        resource_kind="model bias job definition",
        cfn_types=("AWS::SageMaker::ModelBiasJobDefinition",),
        tf_types=("awscc_sagemaker_model_bias_job_definition",),
        count_path=JOB_COUNT_PATH,
        flag_path=FLAG_PATH,
        multi_instance_only=True,
        config_rule="sagemaker-model-bias-job-encrypt-in-transit",
        nonexistent_tf_types=("aws_sagemaker_model_bias_job_definition",),
    ),
    Rule(
        number=9,
        resource_kind="data quality job definition",
        cfn_types=("AWS::SageMaker::DataQualityJobDefinition",),
        tf_types=("awscc_sagemaker_data_quality_job_definition", "aws_sagemaker_data_quality_job_definition"),
        count_path=JOB_COUNT_PATH,
        flag_path=FLAG_PATH,
        multi_instance_only=True,
        config_rule="sagemaker-data-quality-job-encrypt-in-transit",
    ),
    Rule(
        number=10,
        resource_kind="model explainability job definition",
        cfn_types=("AWS::SageMaker::ModelExplainabilityJobDefinition",),
        tf_types=("awscc_sagemaker_model_explainability_job_definition",),
        count_path=JOB_COUNT_PATH,
        flag_path=FLAG_PATH,
        multi_instance_only=True,
        config_rule="sagemaker-model-explainability-job-encrypt-in-transit",
        nonexistent_tf_types=("aws_sagemaker_model_explainability_job_definition",),
    ),
    Rule(
        number=13,
        resource_kind="model quality job definition",
        cfn_types=("AWS::SageMaker::ModelQualityJobDefinition",),
        tf_types=("awscc_sagemaker_model_quality_job_definition",),
        count_path=JOB_COUNT_PATH,
        flag_path=FLAG_PATH,
        multi_instance_only=True,
        config_rule="sagemaker-model-quality-job-encrypt-in-transit",
        nonexistent_tf_types=("aws_sagemaker_model_quality_job_definition",),
    ),
    Rule(
        number=22,
        resource_kind="monitoring schedule with an inline job definition",
        cfn_types=("AWS::SageMaker::MonitoringSchedule",),
        tf_types=("awscc_sagemaker_monitoring_schedule", "aws_sagemaker_monitoring_schedule"),
        count_path=SCHEDULE_COUNT_PATH,
        flag_path=FLAG_PATH,
        multi_instance_only=False,
        config_rule="sagemaker-monitoring-schedule-traffic-encryption",
        scope=SCHEDULE_SCOPE,
        resource_noun="monitoring schedule",
        hub_title="SageMaker monitoring schedules should have inter-container traffic encryption enabled",
        create_only=False,  # MonitoringSchedule NetworkConfig updates without interruption
    ),
)

RULES_BY_CONTROL: dict[str, Rule] = {rule.control: rule for rule in RULES}
RULES_BY_CFN_TYPE: dict[str, Rule] = {t: rule for rule in RULES for t in rule.cfn_types}
RULES_BY_TF_TYPE: dict[str, Rule] = {t: rule for rule in RULES for t in rule.tf_types}
NONEXISTENT_TF_TYPES: dict[str, Rule] = {t: rule for rule in RULES for t in rule.nonexistent_tf_types}


def find_rule(name: str) -> Rule | None:
    """Look a rule up by any of its ids: ``SageMaker.15``, ``sagemaker-15``, ``E9515``, ``CKV_SAGEMAKER_15``."""
    key = name.strip().lower().replace("_", "-")
    for rule in RULES:
        aliases = {
            rule.control.lower(),
            f"sagemaker-{rule.number}",
            f"sagemaker{rule.number}",
            rule.cfn_lint_id.lower(),
            rule.checkov_id.lower().replace("_", "-"),
        }
        if key in aliases:
            return rule
    return None
