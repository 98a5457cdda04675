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


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def snake_case(name: str) -> str:
    """CloudFormation property name to its Terraform attribute name (``InstanceCount`` -> ``instance_count``)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


PRESENT = "any value"  # ``Rule.expected`` when any value at all passes (a KMS key, a subnet)
# Checkov's check categories (``CheckCategories`` member names), one per rule
ENCRYPTION = "ENCRYPTION"
NETWORKING = "NETWORKING"
IAM = "IAM"
GENERAL_SECURITY = "GENERAL_SECURITY"
BACKUP_AND_RECOVERY = "BACKUP_AND_RECOVERY"

_TRAFFIC_RATIONALE = (
    "A monitoring job that runs on several instances sends the data it analyses between its "
    "containers over the network. Without inter-container traffic encryption that data "
    "travels in clear text. A single-instance job has no inter-container hop, which is why "
    "the problem stays invisible in development and appears when the job is scaled up."
)
_ISOLATION_RATIONALE = (
    "With network isolation the containers of a job make no outbound network call at all, so a "
    "compromised or malicious container image cannot send the data it reads anywhere. SageMaker "
    "still reads the inputs and writes the outputs for the job."
)


class Applies(FrozenRecord):
    """A condition on another property under which a rule applies at all (the online store is enabled).

    The rule applies where the value at ``path`` is one of ``values`` (``negate``: is none of them);
    an absent value reads as ``default``; a value that cannot be known applies (fail closed).
    """

    __slots__ = ("path", "values", "default", "negate")
    path: Final[tuple[str, ...]]
    values: Final[tuple[object, ...]]
    default: Final[object]
    negate: Final[bool]

    def __init__(self, path: tuple[str, ...], values: tuple[object, ...], default: object, negate: bool = False) -> None:
        self.path = path
        self.values = values
        self.default = default
        self.negate = negate


class Rule(FrozenRecord):
    """One Security Hub control, as every front end sees it.

    What is judged, declaratively: the property at ``scope + flag_path`` must be ``expected`` (True:
    provably true; a string: exactly that; ``PRESENT``: any value). ``count_fails`` adds the count
    condition at ``scope + count_path``: "2+" fails only where 2 or more instances are possible
    (strict mode: at any count), "1" fails where 1 instance is possible, and there is no flag to
    set. ``scope`` and ``applies`` say where the rule applies at all; ``each`` names a list whose
    every element is judged (paths then start at the element).
    """

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
        "expected",
        "default",
        "count_fails",
        "applies",
        "each",
        "skip_element",
        "aws_names",
        "problem",
        "setting",
        "remedy",
        "reason",
        "category",
        "code",
        "help",
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
    expected: Final[object]
    default: Final[str]
    count_fails: Final[str]
    applies: Final[tuple[Applies, ...]]
    each: Final[tuple[str, ...]]
    skip_element: Final[tuple[str, ...]]
    aws_names: Final[tuple[tuple[str, str], ...]]
    problem: Final[str]
    setting: Final[str]
    remedy: Final[str]
    reason: Final[str]
    category: Final[str]
    code: Final[str]
    help: Final[str]

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
        expected: object = True,  # what the property must be: True, a string such as "Disabled", or PRESENT
        default: str = "",  # the service default an absent property takes, as messages say it ("`Enabled`")
        count_fails: str = "",  # "2+" or "1" (see the class docstring); "" takes "2+" from ``multi_instance_only``
        applies: tuple[Applies, ...] = (),  # every one must hold for the rule to apply
        each: tuple[str, ...] = (),  # a list property: every element must comply
        skip_element: tuple[str, ...] = (),  # an element with one of these keys is out of scope
        aws_names: tuple[tuple[str, str], ...] = (),  # hashicorp/aws names that are not the snake case
        problem: str = "",  # the failure after the resource's name: "has direct internet access"
        setting: str = "inter-container traffic encryption",  # what the flag turns on
        remedy: str = "",  # what to set when it is not one value: "a KMS key"
        reason: str = "",  # why it matters (the rationale, before what a change replaces)
        category: str = ENCRYPTION,  # Checkov's category
        # not a Security Hub control (a configuration diagnostic): its own id, and where its help is
        code: str = "",
        help: str = "",
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
        self.expected = expected
        self.default = default
        self.count_fails = count_fails or ("2+" if multi_instance_only else "")
        self.applies = applies
        self.each = each
        self.skip_element = skip_element
        self.aws_names = aws_names
        self.problem = problem
        self.setting = setting
        self.remedy = remedy
        self.reason = reason or _TRAFFIC_RATIONALE
        self.category = category
        self.code = code
        self.help = help

    @property
    def control(self) -> str:
        """The id the CLI reports: the Security Hub control, or a configuration diagnostic's own code."""
        return self.code or f"SageMaker.{self.number}"

    @property
    def cfn_lint_id(self) -> str:
        return "" if self.code else f"E95{self.number:02d}"

    @property
    def checkov_id(self) -> str:
        return f"CKV_{self.code.replace('-', '_')}" if self.code else f"CKV_SAGEMAKER_{self.number}"

    @property
    def title(self) -> str:
        """The control's title as the Security Hub page gives it."""
        return self.hub_title or f"SageMaker {self.resource_kind}s should have {self.setting} enabled"

    @property
    def wanted(self) -> str:
        """What the judged property must be, in words: "true", "`Disabled`", "a KMS key"."""
        if self.expected is PRESENT or not self.flag_path:
            return self.remedy or "a value"
        if self.expected is True:
            return "true"
        return f"`{self.expected}`"

    @property
    def short_description(self) -> str:
        if self.count_fails == "2+":
            return f"{self.resource_kind.capitalize()} on 2+ instances without {self.setting}"
        if self.problem and not self.flag_path:
            return f"{self.resource_kind.capitalize()} that {self.problem}"
        if self.expected is True:
            return f"{self.resource_kind.capitalize()} without {self.setting}"
        return f"{self.resource_kind.capitalize()} that {self.problem}"

    @property
    def description(self) -> str:
        prefix = self.each + ("[]",) if self.each else ()
        flag = ".".join(self.scope + prefix + self.flag_path).replace(".[]", "[]")
        if self.count_fails == "2+":
            return (
                f"A {self.resource_kind} that can run on 2 or more instances must set {flag} to true "
                f"(Security Hub {self.control}). Strict mode asks for it at any instance count."
            )
        if self.count_fails == "1":
            count = ".".join(self.scope + prefix + self.count_path).replace(".[]", "[]")
            return f"{_article(self.resource_kind).capitalize()} must set {count} to 2 or more (Security Hub {self.control})."
        if self.expected is True:
            at_any = " at any instance count" if self.count_path else ""
            return f"A {self.resource_kind} must set {flag} to true{at_any} (Security Hub {self.control})."
        where = f" with {_article(self.scope[-1]).split(' ')[0]} `{self.scope[-1]}`" if self.scope else ""
        return f"{_article(self.resource_kind).capitalize()}{where} must set {flag} to {self.wanted} (Security Hub {self.control})."

    @property
    def rationale(self) -> str:
        return (
            self.reason + " "
            + (
                "The setting cannot be changed on an existing resource: changing it replaces the resource."
                if self.create_only
                else "The setting can be changed in place, without replacing the resource."
            )
        )

    @property
    def help_url(self) -> str:
        return self.help or SECURITY_HUB_URL.format(number=self.number)

    @property
    def config_rule_url(self) -> str:
        return CONFIG_RULE_URL.format(name=self.config_rule)

    @property
    def doc_page(self) -> str:
        return f"docs/rules/{self.code.lower()}.md" if self.code else f"docs/rules/sagemaker-{self.number}.md"

    def tf_path(self, path: tuple[str, ...], resource_type: str = "") -> tuple[str, ...]:
        """A CloudFormation property path in Terraform's spelling for ``resource_type`` (hashicorp/aws
        has a few names of its own: ``container`` blocks for ``Containers``)."""
        renames = dict(self.aws_names) if self.aws_names and resource_type.startswith("aws_") else {}
        return tuple(renames.get(part) or snake_case(part) for part in path)


NOTEBOOK = ("AWS::SageMaker::NotebookInstance",)
NOTEBOOK_TF = ("aws_sagemaker_notebook_instance", "awscc_sagemaker_notebook_instance")
MODEL = ("AWS::SageMaker::Model",)
MODEL_TF = ("aws_sagemaker_model", "awscc_sagemaker_model")
FEATURE_GROUP = ("AWS::SageMaker::FeatureGroup",)
FEATURE_GROUP_TF = ("aws_sagemaker_feature_group", "awscc_sagemaker_feature_group")
EXPERIMENT = ("AWS::SageMaker::InferenceExperiment",)
EXPERIMENT_TF = ("awscc_sagemaker_inference_experiment",)
ISOLATION_PATH = ("NetworkConfig", "EnableNetworkIsolation")
_IMAGE_MODE = ("ImageConfig", "RepositoryAccessMode")
_REGISTRY_RATIONALE = (
    "With `RepositoryAccessMode` `Vpc` SageMaker pulls the inference image from a private Docker "
    "registry reached through the model's VPC, not from Amazon ECR over the public network path, so "
    "the image source stays under the network controls of the VPC."
)
_KMS_RATIONALE = (
    "A customer managed KMS key lets you control, audit and revoke access to the data at rest; "
    "without one the service encrypts with a key you cannot manage or restrict."
)


def _isolation(number: int, kind: str, cfn_type: str, tf_types: tuple[str, ...], config_rule: str,
               nonexistent: tuple[str, ...] = (), severity: str = "medium") -> Rule:
    """A job definition that must set ``NetworkConfig.EnableNetworkIsolation`` to true (.11 .12 .20 .25)."""
    return Rule(
        number=number,
        resource_kind=kind,
        cfn_types=(cfn_type,),
        tf_types=tf_types,
        count_path=(),
        flag_path=ISOLATION_PATH,
        multi_instance_only=False,
        config_rule=config_rule,
        severity=severity,
        nonexistent_tf_types=nonexistent,
        default="false",
        problem="runs without network isolation",
        setting="network isolation",
        reason=_ISOLATION_RATIONALE,
        category=NETWORKING,
    )


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
        problem="runs its inline job with inter-container traffic encryption off",
    ),
    Rule(
        number=1,
        resource_kind="notebook instance",
        cfn_types=NOTEBOOK,
        tf_types=NOTEBOOK_TF,
        count_path=(),
        flag_path=("DirectInternetAccess",),
        multi_instance_only=False,
        config_rule="sagemaker-notebook-no-direct-internet-access",
        resource_noun="notebook instance",
        severity="high",
        hub_title="Amazon SageMaker notebook instances should not have direct internet access",
        expected="Disabled",
        default="`Enabled`",
        problem="has direct internet access",
        setting="no direct internet access",
        reason=("A notebook instance with direct internet access can reach, and be reached from, the internet "
                "outside your VPC's controls, so data can leave it unseen. With access `Disabled` it reaches "
                "only what its VPC allows."),
        category=NETWORKING,
    ),
    Rule(
        number=2,
        resource_kind="notebook instance",
        cfn_types=NOTEBOOK,
        tf_types=NOTEBOOK_TF,
        count_path=(),
        flag_path=("SubnetId",),
        multi_instance_only=False,
        config_rule="sagemaker-notebook-instance-inside-vpc",
        resource_noun="notebook instance",
        severity="high",
        hub_title="SageMaker notebook instances should be launched in a custom VPC",
        expected=PRESENT,
        problem="runs outside a VPC of yours",
        setting="a custom VPC",
        remedy="a subnet of your VPC",
        reason=("A notebook instance without a subnet runs in a network SageMaker manages, outside the "
                "security groups, routes and flow logs of your own VPC."),
        category=NETWORKING,
    ),
    Rule(
        number=3,
        resource_kind="notebook instance",
        cfn_types=NOTEBOOK,
        tf_types=NOTEBOOK_TF,
        count_path=(),
        flag_path=("RootAccess",),
        multi_instance_only=False,
        config_rule="sagemaker-notebook-instance-root-access-check",
        resource_noun="notebook instance",
        create_only=False,
        severity="high",
        hub_title="Users should not have root access to SageMaker notebook instances",
        expected="Disabled",
        default="`Enabled`",
        problem="gives its users root access",
        setting="no root access",
        reason=("With root access a notebook user can change the instance's software and its configuration, "
                "the least privilege principle asks for `RootAccess` `Disabled`."),
        category=IAM,
    ),
    Rule(
        number=4,
        resource_kind="endpoint configuration",
        cfn_types=("AWS::SageMaker::EndpointConfig",),
        tf_types=("aws_sagemaker_endpoint_configuration", "awscc_sagemaker_endpoint_config"),
        count_path=("InitialInstanceCount",),
        flag_path=(),
        multi_instance_only=False,
        config_rule="sagemaker-endpoint-config-prod-instance-count",
        resource_noun="endpoint configuration",
        hub_title="SageMaker endpoint production variants should have an initial instance count greater than 1",
        count_fails="1",
        each=("ProductionVariants",),
        skip_element=("ServerlessConfig",),
        problem="has a production variant that can run on a single instance",
        setting="more than one instance per production variant",
        remedy="2 or more",
        reason=("A production variant on one instance has no second instance in another Availability Zone: "
                "when that instance or its zone fails, the endpoint stops serving."),
        category=BACKUP_AND_RECOVERY,
    ),
    Rule(
        number=5,
        resource_kind="model",
        cfn_types=MODEL,
        tf_types=MODEL_TF,
        count_path=(),
        flag_path=("EnableNetworkIsolation",),
        multi_instance_only=False,
        config_rule="sagemaker-model-isolation-enabled",
        resource_noun="model",
        hub_title="SageMaker models should have network isolation enabled",
        default="false",
        problem="runs its containers without network isolation",
        setting="network isolation",
        reason=_ISOLATION_RATIONALE.replace("of a job", "of a model").replace("for the job", "for the model"),
        category=NETWORKING,
    ),
    _isolation(11, "data quality job definition", "AWS::SageMaker::DataQualityJobDefinition",
               ("aws_sagemaker_data_quality_job_definition", "awscc_sagemaker_data_quality_job_definition"),
               "sagemaker-data-quality-job-isolation"),
    _isolation(12, "model bias job definition", "AWS::SageMaker::ModelBiasJobDefinition",
               ("awscc_sagemaker_model_bias_job_definition",), "sagemaker-model-bias-job-isolation"),
    Rule(
        number=14,
        resource_kind="monitoring schedule with an inline job definition",
        cfn_types=("AWS::SageMaker::MonitoringSchedule",),
        tf_types=("awscc_sagemaker_monitoring_schedule", "aws_sagemaker_monitoring_schedule"),
        count_path=(),
        flag_path=ISOLATION_PATH,
        multi_instance_only=False,
        config_rule="sagemaker-monitoring-schedule-isolation",
        scope=SCHEDULE_SCOPE,
        resource_noun="monitoring schedule",
        hub_title="SageMaker monitoring schedules should have network isolation enabled",
        create_only=False,
        default="false",
        problem="runs its inline job without network isolation",
        setting="network isolation",
        reason=_ISOLATION_RATIONALE,
        category=NETWORKING,
    ),
    Rule(
        number=16,
        resource_kind="model",
        cfn_types=MODEL,
        tf_types=MODEL_TF,
        count_path=(),
        flag_path=_IMAGE_MODE,
        multi_instance_only=False,
        config_rule="sagemaker-model-private-registry-required",
        scope=("PrimaryContainer",),
        resource_noun="model",
        hub_title="SageMaker models should use private registry in VPC for primary containers",
        expected="Vpc",
        default="`Platform`",
        problem="pulls its primary container image outside its VPC",
        setting="a private registry",
        reason=_REGISTRY_RATIONALE,
        category=NETWORKING,
    ),
    Rule(
        number=17,
        resource_kind="feature group",
        cfn_types=FEATURE_GROUP,
        tf_types=FEATURE_GROUP_TF,
        count_path=(),
        flag_path=("S3StorageConfig", "KmsKeyId"),
        multi_instance_only=False,
        config_rule="sagemaker-featuregroup-encryption-at-rest",
        scope=("OfflineStoreConfig",),
        resource_noun="feature group",
        hub_title="SageMaker feature group offline stores should be encrypted with AWS KMS keys",
        expected=PRESENT,
        problem="keeps its offline store without a KMS key",
        setting="offline store encryption with a KMS key",
        remedy="a KMS key",
        reason=_KMS_RATIONALE,
    ),
    Rule(
        number=18,
        resource_kind="feature group",
        cfn_types=FEATURE_GROUP,
        tf_types=FEATURE_GROUP_TF,
        count_path=(),
        flag_path=("SecurityConfig", "KmsKeyId"),
        multi_instance_only=False,
        config_rule="sagemaker-featuregroup-online-store-encryption",
        scope=("OnlineStoreConfig",),
        resource_noun="feature group",
        hub_title="SageMaker feature group online stores with standard storage should be encrypted with AWS KMS keys",
        expected=PRESENT,
        applies=(
            Applies(("OnlineStoreConfig", "EnableOnlineStore"), (True, "true"), False),
            Applies(("OnlineStoreConfig", "StorageType"), ("InMemory",), "Standard", negate=True),
        ),
        problem="keeps its online store without a KMS key",
        setting="online store encryption with a KMS key",
        remedy="a KMS key",
        reason=_KMS_RATIONALE,
    ),
    Rule(
        number=19,
        resource_kind="model",
        cfn_types=MODEL,
        tf_types=MODEL_TF,
        count_path=(),
        flag_path=_IMAGE_MODE,
        multi_instance_only=False,
        config_rule="sagemaker-model-multicontainer-private-registry",
        resource_noun="model",
        hub_title="SageMaker models should use private registry in VPC for multi-container inference pipelines",
        expected="Vpc",
        default="`Platform`",
        each=("Containers",),
        aws_names=(("Containers", "container"),),
        problem="pulls a container image outside its VPC",
        setting="a private registry",
        reason=_REGISTRY_RATIONALE,
        category=NETWORKING,
    ),
    _isolation(20, "model explainability job definition", "AWS::SageMaker::ModelExplainabilityJobDefinition",
               ("awscc_sagemaker_model_explainability_job_definition",),
               "sagemaker-model-explainability-job-network-isolation", severity="high"),
    Rule(
        number=21,
        resource_kind="notebook instance",
        cfn_types=NOTEBOOK,
        tf_types=NOTEBOOK_TF,
        count_path=(),
        flag_path=("KmsKeyId",),
        multi_instance_only=False,
        config_rule="sagemaker-notebook-instance-storage-vol-kms-encrypted",
        resource_noun="notebook instance",
        hub_title="SageMaker notebook instances should be encrypted with customer managed AWS KMS keys",
        expected=PRESENT,
        problem="keeps its storage volume without a KMS key",
        setting="storage volume encryption with a KMS key",
        remedy="a KMS key",
        reason=_KMS_RATIONALE,
    ),
    Rule(
        number=23,
        resource_kind="inference experiment",
        cfn_types=EXPERIMENT,
        tf_types=EXPERIMENT_TF,
        count_path=(),
        flag_path=("KmsKey",),
        multi_instance_only=False,
        config_rule="sagemaker-inf-experiment-instance-storage-kms-encrypted",
        resource_noun="inference experiment",
        hub_title="SageMaker inference experiments should have instance storage volume encrypted with customer managed AWS KMS keys",
        expected=PRESENT,
        nonexistent_tf_types=("aws_sagemaker_inference_experiment",),
        problem="keeps its instance storage without a KMS key",
        setting="instance storage encryption with a KMS key",
        remedy="a KMS key",
        reason=_KMS_RATIONALE,
    ),
    Rule(
        number=24,
        resource_kind="inference experiment",
        cfn_types=EXPERIMENT,
        tf_types=EXPERIMENT_TF,
        count_path=(),
        flag_path=("KmsKey",),
        multi_instance_only=False,
        config_rule="sagemaker-inf-experiment-data-storage-kms-encrypted",
        scope=("DataStorageConfig",),
        resource_noun="inference experiment",
        create_only=False,
        hub_title="SageMaker inference experiments should have data storage encrypted with customer managed AWS KMS keys",
        expected=PRESENT,
        problem="captures data without a KMS key",
        setting="data capture encryption with a KMS key",
        remedy="a KMS key",
        reason=_KMS_RATIONALE,
    ),
    _isolation(25, "model quality job definition", "AWS::SageMaker::ModelQualityJobDefinition",
               ("awscc_sagemaker_model_quality_job_definition",),
               "sagemaker-model-quality-job-definition-isolation", severity="high"),
)

# Configuration diagnostics: not Security Hub controls, but what stops a control from being judged at all.
UNKNOWN_TYPE = Rule(
    number=0,
    resource_kind="resource",
    cfn_types=(),
    tf_types=tuple(sorted(name for rule in RULES for name in rule.nonexistent_tf_types)),
    count_path=(),
    flag_path=(),
    multi_instance_only=False,
    config_rule="",
    resource_noun="resource",
    severity="high",
    hub_title="Terraform resource types that the hashicorp/aws provider does not have",
    problem="uses a resource type hashicorp/aws does not have",
    setting="an existing resource type",
    remedy="the hashicorp/awscc type",
    reason=("Terraform rejects a configuration that names a resource type its provider does not have, so "
            "nothing of it deploys, and a control on that resource cannot be judged until it is fixed."),
    category=GENERAL_SECURITY,
    code="SIL001",
    help="https://registry.terraform.io/providers/hashicorp/awscc/latest/docs",
)
CONFIGURATION_RULES: tuple[Rule, ...] = (UNKNOWN_TYPE,)

RULES_BY_CONTROL: dict[str, Rule] = {}
# resource type -> the rules that judge it, in table order
RULES_BY_CFN_TYPE: dict[str, tuple[Rule, ...]] = {}
RULES_BY_TF_TYPE: dict[str, tuple[Rule, ...]] = {}
# a hashicorp/aws type that does not exist -> the one rule that reports it (a configuration error, said once)
NONEXISTENT_TF_TYPES: dict[str, Rule] = {}


def index(rules: tuple[Rule, ...]) -> None:
    """Fill the lookups above from a rule table (in place, so every module that imported them sees it)."""
    for lookup in (RULES_BY_CONTROL, RULES_BY_CFN_TYPE, RULES_BY_TF_TYPE, NONEXISTENT_TF_TYPES):
        lookup.clear()
    for rule in rules:
        RULES_BY_CONTROL[rule.control] = rule
        for name in rule.cfn_types:
            RULES_BY_CFN_TYPE[name] = RULES_BY_CFN_TYPE.get(name, ()) + (rule,)
        for name in rule.tf_types:
            RULES_BY_TF_TYPE[name] = RULES_BY_TF_TYPE.get(name, ()) + (rule,)
        for name in rule.nonexistent_tf_types:
            NONEXISTENT_TF_TYPES[name] = rule


index(RULES)


def all_rules() -> tuple[Rule, ...]:
    """The controls and the configuration diagnostics: what ``--select`` and the outputs' rule lists know."""
    return RULES + CONFIGURATION_RULES


def find_rule(name: str) -> Rule | None:
    """Look a rule up by any of its ids: ``SageMaker.15``, ``sagemaker-15``, ``E9515``, ``CKV_SAGEMAKER_15``."""
    key = name.strip().lower().replace("_", "-")
    for rule in all_rules():
        aliases = {rule.control.lower().replace("_", "-"), rule.checkov_id.lower().replace("_", "-")}
        if not rule.code:
            aliases |= {f"sagemaker-{rule.number}", f"sagemaker{rule.number}", rule.cfn_lint_id.lower()}
        if key and key in aliases:
            return rule
    return None


def match_rules(name: str) -> tuple[Rule, ...]:
    """The rules an id or a prefix selects, as ruff reads ``--select``: an exact id of any spelling
    (``SageMaker.15``, ``E9515``, ``CKV_SAGEMAKER_15``) selects that rule; otherwise every rule one of
    whose ids starts with it (``E951`` selects E9510-E9519, ``CKV_SAGEMAKER`` and ``SageMaker`` all);
    ``ALL`` selects every rule. Nothing: an empty tuple."""
    exact = find_rule(name)
    if exact is not None:
        return (exact,)
    key = name.strip().lower().replace("_", "-")
    if key == "all":
        return all_rules()
    if len(key) < 2:
        return ()
    return tuple(rule for rule in all_rules() if any(
        spelling and spelling.lower().replace("_", "-").startswith(key)
        for spelling in (rule.control, rule.cfn_lint_id, rule.checkov_id)))
