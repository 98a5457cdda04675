"""The rule pages and the rule index, generated from the rule table.

``render_rule_page(rule)`` is what ``sagemaker-iac-lint explain RULE`` prints and what
``docs/rules/sagemaker-NN.md`` holds; ``render_index()`` is ``docs/rules/index.md``. Every id, title,
path and link comes from ``rules.py``; the examples are built from the rule's resource types and
property paths, and the output shown under them is what the CLI really prints for them.
``python -m sagemaker_iac_lint.docs`` rewrites the pages; ``--check`` only reports stale ones.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from .core import Value, applies
from .rules import CONFIGURATION_RULES, PRESENT, RULES, RULES_BY_CFN_TYPE, UNKNOWN_TYPE, Rule, all_rules, snake_case

GENERATED_MARK = (
    "<!-- generated from the rule table (src/sagemaker_iac_lint/rules.py) by "
    "`python -m sagemaker_iac_lint.docs`: do not edit -->\n"
)
RULES_DIR = Path("docs") / "rules"
INDEX_PAGE = RULES_DIR / "index.md"

# --- the example resources ---------------------------------------------------------------------
# The rule table names only what a rule reads. The rest of each example is the smallest set of
# properties that makes a valid resource of that type, so a reader can paste it and deploy it.
# Values are placeholders (account 123456789012, bucket my-monitoring-bucket).

ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-monitoring"
MONITOR_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
CLARIFY_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"
INFERENCE_IMAGE = "registry.example.com/inference/my-model:1.0"
KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SUBNET_ID = "subnet-0123456789abcdef0"
SECURITY_GROUP_ID = "sg-0123456789abcdef0"
ENDPOINT_INPUT = {"EndpointName": "my-endpoint", "LocalPath": "/opt/ml/processing/input/endpoint"}
OUTPUT_CONFIG = {
    "MonitoringOutputs": [
        {"S3Output": {"LocalPath": "/opt/ml/processing/output", "S3Uri": "s3://my-monitoring-bucket/reports"}}
    ]
}
GROUND_TRUTH = {"S3Uri": "s3://my-monitoring-bucket/ground-truth"}
ANALYSIS_CONFIG = "s3://my-monitoring-bucket/config/analysis_config.json"
# A job's ClusterConfig: InstanceCount is required in every job definition (rules with a count set it).
CLUSTER = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}}
CLUSTER_SETTINGS = {"InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}

RESOURCE_BODIES: dict[str, dict] = {
    "AWS::SageMaker::ModelBiasJobDefinition": {
        "JobResources": CLUSTER,
        "ModelBiasAppSpecification": {"ConfigUri": ANALYSIS_CONFIG, "ImageUri": CLARIFY_IMAGE},
        "ModelBiasJobInput": {"EndpointInput": ENDPOINT_INPUT, "GroundTruthS3Input": GROUND_TRUTH},
        "ModelBiasJobOutputConfig": OUTPUT_CONFIG,
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::DataQualityJobDefinition": {
        "DataQualityAppSpecification": {"ImageUri": MONITOR_IMAGE},
        "DataQualityJobInput": {"EndpointInput": ENDPOINT_INPUT},
        "DataQualityJobOutputConfig": OUTPUT_CONFIG,
        "JobResources": CLUSTER,
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::ModelExplainabilityJobDefinition": {
        "JobResources": CLUSTER,
        "ModelExplainabilityAppSpecification": {"ConfigUri": ANALYSIS_CONFIG, "ImageUri": CLARIFY_IMAGE},
        "ModelExplainabilityJobInput": {"EndpointInput": ENDPOINT_INPUT},
        "ModelExplainabilityJobOutputConfig": OUTPUT_CONFIG,
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::ModelQualityJobDefinition": {
        "JobResources": CLUSTER,
        "ModelQualityAppSpecification": {"ImageUri": MONITOR_IMAGE, "ProblemType": "BinaryClassification"},
        "ModelQualityJobInput": {
            "EndpointInput": {**ENDPOINT_INPUT, "InferenceAttribute": "prediction"},
            "GroundTruthS3Input": GROUND_TRUTH,
        },
        "ModelQualityJobOutputConfig": OUTPUT_CONFIG,
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::MonitoringSchedule": {
        "MonitoringScheduleName": "my-monitoring-schedule",
        "MonitoringScheduleConfig": {
            "MonitoringJobDefinition": {
                "MonitoringAppSpecification": {"ImageUri": MONITOR_IMAGE},
                "MonitoringInputs": [{"EndpointInput": ENDPOINT_INPUT}],
                "MonitoringOutputConfig": OUTPUT_CONFIG,
                "MonitoringResources": CLUSTER,
                "RoleArn": ROLE_ARN,
            },
            "MonitoringType": "DataQuality",
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        },
    },
    "AWS::SageMaker::NotebookInstance": {
        "InstanceType": "ml.t3.medium",
        "NotebookInstanceName": "my-notebook",
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::EndpointConfig": {},
    "AWS::SageMaker::Model": {
        "ExecutionRoleArn": ROLE_ARN,
        "VpcConfig": {"SecurityGroupIds": [SECURITY_GROUP_ID], "Subnets": [SUBNET_ID]},
    },
    "AWS::SageMaker::FeatureGroup": {
        "EventTimeFeatureName": "event_time",
        "FeatureDefinitions": [
            {"FeatureName": "record_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "String"},
        ],
        "FeatureGroupName": "my-feature-group",
        "RecordIdentifierFeatureName": "record_id",
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::InferenceExperiment": {
        "EndpointName": "my-endpoint",
        "ModelVariants": [
            {
                "InfrastructureConfig": {
                    "InfrastructureType": "RealTimeInference",
                    "RealTimeInferenceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
                },
                "ModelName": name,
                "VariantName": name,
            }
            for name in ("production-model", "shadow-model")
        ],
        "Name": "my-shadow-test",
        "RoleArn": ROLE_ARN,
        "ShadowModeConfig": {
            "ShadowModelVariants": [{"SamplingPercentage": 50, "ShadowModelVariantName": "shadow-model"}],
            "SourceModelVariantName": "production-model",
        },
        "Type": "ShadowMode",
    },
}

# Optional parts of a resource that decide whether a rule applies (its ``scope``, ``each`` list or
# ``applies`` paths start there). An example has the parts its rule names, else ``DEFAULT_PARTS``.
RESOURCE_PARTS: dict[str, dict[str, object]] = {
    "AWS::SageMaker::Model": {
        "PrimaryContainer": {"Image": INFERENCE_IMAGE},
        "Containers": [
            {"ContainerHostname": "preprocess", "Image": "registry.example.com/inference/preprocess:1.0"},
            {"ContainerHostname": "predict", "Image": INFERENCE_IMAGE},
        ],
    },
    "AWS::SageMaker::EndpointConfig": {
        "ProductionVariants": [
            {"InitialVariantWeight": 1, "InstanceType": "ml.m5.large", "ModelName": "my-model", "VariantName": name}
            for name in ("blue", "green")
        ],
    },
    "AWS::SageMaker::FeatureGroup": {
        "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://my-feature-store/offline"}},
        "OnlineStoreConfig": {},
    },
    "AWS::SageMaker::InferenceExperiment": {
        "DataStorageConfig": {"Destination": "s3://my-experiment-bucket/capture"},
    },
}
DEFAULT_PARTS: dict[str, tuple[str, ...]] = {
    "AWS::SageMaker::Model": ("PrimaryContainer",),  # a model needs a container
    "AWS::SageMaker::EndpointConfig": ("ProductionVariants",),
}
# What "any value" looks like in an example, by the property's name.
PRESENT_VALUES: dict[str, str] = {"KmsKeyId": KMS_KEY_ARN, "KmsKey": KMS_KEY_ARN, "SubnetId": SUBNET_ID}

# Where a Terraform provider spells a top-level argument differently from CloudFormation.
TF_RENAMES: dict[str, dict[str, str]] = {
    "aws_sagemaker_monitoring_schedule": {"monitoring_schedule_name": "name"},
    "aws_sagemaker_notebook_instance": {"notebook_instance_name": "name"},
    "aws_sagemaker_feature_group": {"feature_definitions": "feature_definition"},
}

SUPPRESSION_REASON = "analyses synthetic test data only, accepted by the security team"

PropertyPath = tuple  # a property path; list elements are ints: ("Containers", 1, "ImageConfig")


def _copy(node: object) -> object:
    return json.loads(json.dumps(node))


def _get(node: object, path: PropertyPath) -> object:
    """The value at ``path``, or None where the path stops."""
    for key in path:
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _put(node: dict, path: PropertyPath, value: object) -> None:
    for key in path[:-1]:
        node = node[key] if isinstance(key, int) else node.setdefault(key, {})
    node[path[-1]] = value


def _remove(node: dict, path: PropertyPath) -> None:
    parent = _get(node, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1], None)


def _set_path(node: dict, path: tuple[str, ...], value: object) -> None:
    _put(node, path, value)


def _sorted(node: object) -> object:
    """Keys in alphabetical order at every level, as the AWS reference pages list them."""
    if isinstance(node, dict):
        return {key: _sorted(node[key]) for key in sorted(node)}
    if isinstance(node, list):
        return [_sorted(item) for item in node]
    return node


def example_count(rule: Rule) -> int:
    """The instance count of the failing example: the smallest one that fails in standard mode."""
    return 2 if rule.count_fails == "2+" else 1


def compliant_value(rule: Rule) -> object:
    """What the passing example writes at the rule's property."""
    if rule.expected is PRESENT:
        return PRESENT_VALUES.get(rule.flag_path[-1], f"my-{snake_case(rule.flag_path[-1]).replace('_', '-')}")
    return rule.expected


def _parts(rule: Rule, cfn_type: str) -> tuple[str, ...]:
    """The optional parts an example of ``rule`` holds: those the rule names, else the type's default."""
    named = {path[0] for path in (rule.scope, rule.each, *(a.path for a in rule.applies)) if path}
    chosen = tuple(part for part in RESOURCE_PARTS.get(cfn_type, {}) if part in named)
    return chosen or DEFAULT_PARTS.get(cfn_type, ())


def _targets(body: dict, rule: Rule) -> list[PropertyPath]:
    """Where ``rule``'s paths start in ``body``: the scope, or each element of its list in scope
    (skipped elements left out); none when the scope is not there."""
    if rule.scope and not isinstance(_get(body, rule.scope), dict):
        return []
    if not rule.each:
        return [rule.scope]
    items = _get(body, rule.scope + rule.each)
    if not isinstance(items, list):
        return []
    return [rule.scope + rule.each + (index,) for index, item in enumerate(items)
            if isinstance(item, dict) and not any(key in item for key in rule.skip_element)]


def _comply(body: dict, rule: Rule, target: PropertyPath) -> PropertyPath:
    """Make ``target`` pass ``rule``; the path written."""
    if rule.flag_path:
        _put(body, target + rule.flag_path, compliant_value(rule))
        return target + rule.flag_path
    _put(body, target + rule.count_path, 2)
    return target + rule.count_path


def _break(body: dict, rule: Rule, target: PropertyPath) -> PropertyPath:
    """Make ``target`` fail ``rule`` with the property left out (its default shows); the path judged."""
    if rule.flag_path:
        _remove(body, target + rule.flag_path)
        return target + rule.flag_path
    _put(body, target + rule.count_path, 1)
    return target + rule.count_path


class Example:
    """One example resource of a rule: its properties and where the page comments on them."""

    def __init__(self, rule: Rule, cfn_type: str, passing: bool, count: int | None) -> None:
        self.rule = rule
        self.cfn_type = cfn_type
        self.passing = passing
        body = _copy(RESOURCE_BODIES.get(cfn_type, {}))
        assert isinstance(body, dict)
        for part in _parts(rule, cfn_type):
            body[part] = _copy(RESOURCE_PARTS[cfn_type][part])
        # every other rule on this type passes, so the example shows this rule alone
        for other in RULES_BY_CFN_TYPE.get(cfn_type, ()):
            if other is not rule:
                for target in _targets(body, other):
                    _comply(body, other, target)
        # the conditions under which the rule applies hold
        for condition in rule.applies:
            if not applies(condition, Value.absent()):
                if condition.negate:
                    raise ValueError(f"{rule.control}: no example value for {'.'.join(condition.path)}")
                _put(body, condition.path, condition.values[0])
        self.count_path: PropertyPath | None = None
        if rule.count_path and not rule.each:
            self.count_path = rule.scope + rule.count_path
            _put(body, self.count_path, example_count(rule) if count is None else count)
        targets = _targets(body, rule)
        if not targets:
            raise ValueError(f"{rule.control}: the example of {cfn_type} has nothing the rule judges")
        # a list rule: the first element passes and the last fails, so "every element" shows
        self.judged = targets[-1:] if rule.each else targets
        for target in targets[:-1] if rule.each else ():
            _comply(body, rule, target)
        self.paths = [(_comply if passing else _break)(body, rule, target) for target in self.judged]
        self.body: dict = _sorted(body)  # type: ignore[assignment]

    def comments(self, terraform: bool = False, tf_type: str = "") -> dict[PropertyPath, str]:
        """Path -> comment: on the property a fix set, or where the failing one is missing."""
        rule = self.rule
        if self.passing:
            if rule.create_only:
                note = f"create-only: setting it replaces the {rule.resource_noun}"
            else:
                note = f"the {rule.resource_noun} is updated in place"
            return {path: note for path in self.paths}
        spell: Callable[[PropertyPath], str] = (lambda p: _tf_text(rule, p, tf_type)) if terraform else _text
        found: dict[PropertyPath, str] = {}
        for path in self.paths:
            if not rule.flag_path:
                found[path] = f"1 instance: {rule.control} fails"
                continue
            depth = len(path) - 1
            while depth and _get(self.body, path[:depth]) is None:
                depth -= 1
            missing = spell(path[depth:])
            if rule.count_fails == "2+" and self.count_path is not None:
                found[self.count_path] = f"2 or more instances, and no {missing}: {rule.control} fails"
                continue
            default = f"the service default {rule.default} applies, " if rule.default else ""
            found[path[:depth]] = f"no {missing}: {default}{rule.control} fails"
        return found


def example_properties(rule: Rule, cfn_type: str, *, encrypted: bool, count: int | None = None) -> dict:
    """The ``Properties`` of an example resource, CloudFormation spelling (``encrypted``: the passing one)."""
    return Example(rule, cfn_type, encrypted, count).body


def logical_id(cfn_type: str) -> str:
    """``AWS::SageMaker::ModelBiasJobDefinition`` -> ``ModelBiasJob``."""
    name = cfn_type.rsplit("::", 1)[-1]
    return name[: -len("Definition")] if name.endswith("JobDefinition") else name


def tf_name(cfn_type: str) -> str:
    return snake_case(logical_id(cfn_type))


def _text(path: PropertyPath) -> str:
    """``("Containers", 1, "ImageConfig")`` -> ``Containers[1].ImageConfig``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


def _tf_text(rule: Rule, path: PropertyPath, tf_type: str) -> str:
    return _text(_tf_path(tf_type, path, top=False))


# --- CloudFormation YAML ------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9/][A-Za-z0-9_./:@-]*")


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)


def _comment(comments: dict, path: tuple) -> str:
    return f"  # {comments[path]}" if path in comments else ""


def _yaml_lines(node: dict, indent: int, path: tuple, comments: dict, first_prefix: str = "") -> list[str]:
    lines: list[str] = []
    for position, (key, value) in enumerate(node.items()):
        pad = " " * indent if position or not first_prefix else first_prefix
        here = path + (key,)
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:{_comment(comments, here)}")
            lines += _yaml_lines(value, indent + 2, here, comments)
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:{_comment(comments, here)}")
            for index, item in enumerate(value):
                dash = " " * (indent + 2) + "- "
                if isinstance(item, dict):
                    item_lines = _yaml_lines(item, indent + 4, here + (index,), comments, first_prefix=dash)
                    item_lines[0] += _comment(comments, here + (index,))
                    lines += item_lines
                else:
                    lines.append(f"{dash}{_yaml_scalar(item)}")
        else:
            lines.append(f"{pad}{key}: {_yaml_scalar(value)}{_comment(comments, here)}")
    return lines


def cfn_resource_lines(name: str, cfn_type: str, properties: dict, *, metadata: dict | None = None,
                       comments: dict | None = None, indent: int = 2) -> list[str]:
    resource: dict = {"Type": cfn_type}
    if metadata:
        resource["Metadata"] = metadata
    resource["Properties"] = properties
    shifted = {("Properties",) + key: text for key, text in (comments or {}).items()}
    return _yaml_lines({name: resource}, indent, (), {(name,) + key: text for key, text in shifted.items()})


def cfn_template(name: str, cfn_type: str, properties: dict, *, metadata: dict | None = None,
                 comments: dict | None = None) -> str:
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:"]
    lines += cfn_resource_lines(name, cfn_type, properties, metadata=metadata, comments=comments)
    return "\n".join(lines) + "\n"


# --- Terraform ----------------------------------------------------------------------------------

def _aws_names(tf_type: str) -> dict[str, str]:
    """hashicorp/aws names that are not the snake case (``Containers`` -> ``container``)."""
    if not tf_type.startswith("aws_"):
        return {}
    return {cfn: tf for rule in RULES for cfn, tf in rule.aws_names}


def _tf_path(tf_type: str, path: PropertyPath, top: bool = True) -> PropertyPath:
    """A CloudFormation path (``top``: from the resource's top level) in ``tf_type``'s spelling."""
    names = _aws_names(tf_type)
    renames = TF_RENAMES.get(tf_type, {}) if top else {}
    out: list = []
    for position, part in enumerate(path):
        if isinstance(part, int):
            out.append(part)
            continue
        name = names.get(part) or snake_case(part)
        out.append(renames.get(name, name) if position == 0 else name)
    return tuple(out)


def _tf_keys(node: object, tf_type: str = "", top: bool = True) -> object:
    if isinstance(node, dict):
        return _sorted({_tf_path(tf_type, (key,), top)[0]: _tf_keys(value, tf_type, False) for key, value in node.items()})
    if isinstance(node, list):
        return [_tf_keys(item, tf_type, False) for item in node]
    return node


def _hcl_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value)).replace("${", "$${").replace("%{", "%%{")


def _hcl_body(node: dict, indent: int, blocks: bool, path: tuple, comments: dict) -> list[str]:
    """Attributes of one body; runs of one-line attributes have their ``=`` aligned, as ``terraform fmt`` does."""
    lines: list[str] = []
    pad = " " * indent
    run: list[tuple[str, str, str]] = []

    def flush() -> None:
        width = max((len(key) for key, _, _ in run), default=0)
        lines.extend(f"{pad}{key.ljust(width)} = {value}{comment}" for key, value, comment in run)
        run.clear()

    for key, value in node.items():
        here = path + (key,)
        if isinstance(value, dict):
            flush()
            opening = f"{pad}{key} {{" if blocks else f"{pad}{key} = {{"
            lines.append(opening + _comment(comments, here))
            lines += _hcl_body(value, indent + 2, blocks, here, comments)
            lines.append(f"{pad}}}")
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            flush()
            if blocks:  # a nested block repeated once per item
                for index, item in enumerate(value):
                    lines.append(f"{pad}{key} {{" + _comment(comments, here + (index,)))
                    lines += _hcl_body(item, indent + 2, blocks, here + (index,), comments)
                    lines.append(f"{pad}}}")
            else:
                lines.append(f"{pad}{key} = [" + _comment(comments, here))
                for index, item in enumerate(value):
                    lines.append(f"{pad}  {{" + _comment(comments, here + (index,)))
                    lines += _hcl_body(item, indent + 4, blocks, here + (index,), comments)
                    lines.append(f"{pad}  }}" + ("," if index < len(value) - 1 else ""))
                lines.append(f"{pad}]")
        else:
            shown = "[" + ", ".join(_hcl_scalar(v) for v in value) + "]" if isinstance(value, list) else _hcl_scalar(value)
            run.append((key, shown, _comment(comments, here)))
    flush()
    return lines


def tf_uses_blocks(tf_type: str) -> bool:
    """hashicorp/aws writes nested blocks (``network_config { ... }``); awscc object attributes (``= { ... }``)."""
    return not tf_type.startswith("awscc_")


def tf_resource(tf_type: str, name: str, properties: dict, *, comments: dict | None = None,
                leading_comments: Sequence[str] = ()) -> str:
    """A Terraform resource block from CloudFormation-spelled properties and comments (a comment at
    the empty path is a line of its own at the top of the block)."""
    body = _tf_keys(properties, tf_type)
    tf_comments = {_tf_path(tf_type, key): text for key, text in (comments or {}).items() if key}
    top = [text for key, text in (comments or {}).items() if not key]
    lines = [f'resource "{tf_type}" "{name}" {{']
    lines += [f"  # {text}" for text in (*leading_comments, *top)]
    lines += _hcl_body(body, 2, tf_uses_blocks(tf_type), (), tf_comments)  # type: ignore[arg-type]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- what a page shows --------------------------------------------------------------------------

def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _tf_dotted(rule: Rule, path: tuple[str, ...], tf_type: str = "") -> str:
    return ".".join(rule.tf_path(path, tf_type))


def cfn_example(rule: Rule, *, encrypted: bool, count: int | None = None, metadata: dict | None = None,
                cfn_type: str = "") -> str:
    """A whole CloudFormation template holding one example resource of the rule's first type;
    ``encrypted``: the passing one (the name is older than the rules that are not about encryption)."""
    cfn_type = cfn_type or rule.cfn_types[0]
    example = Example(rule, cfn_type, encrypted, count)
    comments = example.comments() if count is None or encrypted else {}
    return cfn_template(logical_id(cfn_type), cfn_type, example.body, metadata=metadata, comments=comments)


def tf_example(rule: Rule, tf_type: str, *, encrypted: bool, count: int | None = None,
               leading_comments: Sequence[str] = ()) -> str:
    """A Terraform resource of ``tf_type``, with the properties of the rule's CloudFormation example."""
    cfn_type = rule.cfn_types[0]
    example = Example(rule, cfn_type, encrypted, count)
    comments = example.comments(terraform=True, tf_type=tf_type) if count is None or encrypted else {}
    return tf_resource(tf_type, tf_name(cfn_type), example.body, comments=comments, leading_comments=leading_comments)


def cli_suppression_metadata(rule: Rule, reason: str = SUPPRESSION_REASON) -> dict:
    return {"sagemaker-iac-lint": {"ignore": [{"rule": rule.control, "reason": reason}]}}


def tf_suppression_comment(rule: Rule, reason: str = SUPPRESSION_REASON) -> str:
    return f"sagemaker-iac-lint:ignore={rule.control}:{reason}"


def example_output(rule: Rule, path: str = "template.yaml", strict: bool = False, text: str | None = None) -> str:
    """What ``sagemaker-iac-lint check`` prints for the failing CloudFormation example."""
    from .output import format_text
    from .scan import Options, Report, findings_for, parse_text

    source = cfn_example(rule, encrypted=False) if text is None else text
    findings = findings_for(path, parse_text(path, source), Options(strict=strict))
    return format_text(Report(findings, []))


def _types(names: Sequence[str], joiner: str = ", ") -> str:
    return joiner.join(f"`{name}`" for name in names)


def _fence(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```\n"


def _tf_provider(tf_type: str) -> str:
    return "awscc" if tf_type.startswith("awscc_") else "hashicorp/aws"


# --- facts beside the rule table --------------------------------------------------------------------
# Who else checks a control, from the tools' own sources: Checkov 3.3.30's checks (their ids,
# resource types and `missing_block_result`), HashiCorp's prewritten Terraform policy library
# (hashicorp/aws types only), and the notebook rules of KICS, cfn_nag, the cfn-guard registry,
# cdk-nag and Terrascan. None of them reads an awscc type, and none is count-aware.
_NOTEBOOK_TOOLS = "KICS, cfn_nag, the cfn-guard registry, cdk-nag and Terrascan have notebook rules for it as well."
_HCP = "HashiCorp's prewritten Terraform policy library has a policy for it, on hashicorp/aws types only."
_HCP_NO_TYPE = (
    "HashiCorp's prewritten Terraform policy library has a policy named for it, but hashicorp/aws has no such job "
    "definition, so that policy cannot judge the resource this rule reads (its SageMaker.15 policy judges "
    "monitoring schedules of type `ModelBias` instead)."
)
_NOBODY = "No other static tool we know of checks it."
OTHER_TOOLS: dict[int, str] = {
    1: ("Checkov's `CKV_AWS_122` (Terraform `aws_sagemaker_notebook_instance` only) expects `direct_internet_access` "
        "`Disabled` but passes a notebook that leaves it out; sagemaker-iac-lint fails that notebook, because the "
        "service default is `Enabled`. " + _NOTEBOOK_TOOLS + " " + _HCP),
    2: ("Checkov's `CKV_AWS_306` (Terraform `aws_sagemaker_notebook_instance` only) asks for any `subnet_id`, as "
        "here. " + _NOTEBOOK_TOOLS + " " + _HCP),
    3: ("Checkov's `CKV_AWS_307` (Terraform `aws_sagemaker_notebook_instance` only) expects `root_access` `Disabled` "
        "and fails a notebook that leaves it out, as here. " + _HCP),
    4: _HCP + " Checkov has no check for it.",
    5: ("Checkov's `CKV_AWS_370` (CloudFormation `AWS::SageMaker::Model` and Terraform `aws_sagemaker_model`) asks "
        "for `EnableNetworkIsolation` true, as here. " + _HCP),
    9: ("Checkov's `CKV_AWS_369` (CloudFormation and Terraform `aws_sagemaker_data_quality_job_definition`) asks for "
        "the flag at any instance count: it fails a single-instance job that passes here in the standard mode "
        "(and agrees with `--strict`). " + _HCP + " It has no count condition either."),
    10: _HCP_NO_TYPE,
    11: _HCP + " Checkov has no check for it.",
    12: _HCP_NO_TYPE,
    13: _HCP_NO_TYPE,
    14: (_HCP + " It judges the inline job definition of `aws_sagemaker_monitoring_schedule` (hashicorp/aws 6.65.0 "
         "or later)."),
    15: ("HashiCorp's prewritten Terraform policy library has a policy named for it, but it judges "
         "`aws_sagemaker_monitoring_schedule` resources whose inline job definition is of type `ModelBias`, not a "
         "model bias job definition (hashicorp/aws has none). " + _NOBODY.replace("checks it", "checks the job definition")),
    16: _HCP,
    17: _NOBODY,
    18: ("HashiCorp has a policy for it (`sagemaker-featuregroup-online-store-encryption`, hashicorp/aws 6.65.0 or "
         "later) that selects online stores whose `storage_type` is literally `Standard`: a feature group that leaves "
         "`storage_type` out, and so gets the default `Standard`, passes there and fails here."),
    19: _NOBODY,
    20: _NOBODY,
    21: ("Checkov's `CKV_AWS_22` (Terraform `aws_sagemaker_notebook_instance`) and `CKV_AWS_187` (CloudFormation "
         "`AWS::SageMaker::NotebookInstance`) ask for any KMS key, as here. " + _NOTEBOOK_TOOLS),
    22: _NOBODY,
    23: _NOBODY,
    24: _NOBODY,
    25: _NOBODY,
}

# What the AWS pages leave open or disagree on, per control (Security Hub, the Config rule, CloudFormation's
# property pages, the providers' docs).
NOTES: dict[int, str] = {
    2: ("AWS accepts `DirectInternetAccess: Disabled` only together with a `SubnetId`, so a notebook that fails this "
        "rule cannot deploy with SageMaker.1's fix either: set both."),
    3: "Changing `RootAccess` on an existing notebook instance stops and restarts it (the Terraform provider stops it first).",
    4: ("The Config rule says only \"`InitialInstanceCount` is equal to 1\". A variant that leaves the count out reads "
        "as 1 here, which fails (fail closed). Security Hub applies the control to instance-based endpoint "
        "configurations only: a serverless variant (`ServerlessConfig`) is out of scope."),
    14: ("A schedule that names a separately defined job definition (`MonitoringJobDefinitionName`) passes here; that "
         "job definition is judged by its own rule. The Config rule names only the inline path, so this is how "
         "sagemaker-iac-lint reads it, as SageMaker.22's rule says outright (\"if MonitoringJobDefinition exists\"). "
         "hashicorp/aws has the inline `monitoring_job_definition` block from release 6.29.0 on."),
    16: "The Config rule judges models that use a `PrimaryContainer`; a model with `Containers` instead is SageMaker.19's case.",
    18: ("The API also knows a `Standard_V2` storage type that CloudFormation's schema does not list; it is not "
         "`InMemory`, so it is judged here."),
    19: "The Config rule judges models with `Containers` (an inference pipeline); a model with a `PrimaryContainer` is SageMaker.16's case.",
    22: ("A schedule that names a separately defined job definition (`MonitoringJobDefinitionName`) passes: the Config "
         "rule judges a schedule \"if MonitoringJobDefinition exists\". CloudFormation updates the inline "
         "`NetworkConfig` without interruption, while Security Hub's remediation text says the setting cannot be "
         "updated in place: the two AWS pages disagree. hashicorp/aws has the inline `monitoring_job_definition` "
         "block from release 6.29.0 on."),
    24: "The rule applies to an experiment that captures data (`DataStorageConfig` is there); one without it has nothing to judge.",
}


def _spelled(rule: Rule, path: tuple[str, ...]) -> str:
    """A path with ``[]`` after the rule's ``each`` list: ``ProductionVariants[].InitialInstanceCount``."""
    return _dotted(path).replace(_dotted(rule.scope + rule.each) + ".", _dotted(rule.scope + rule.each) + "[].", 1) \
        if rule.each else _dotted(path)


def _tf_spellings(rule: Rule, path: tuple[str, ...]) -> str:
    """The Terraform spelling of ``path`` for each of the rule's types, said once when they agree."""
    seen: dict[str, list[str]] = {}
    for tf_type in rule.tf_types:
        tf_rule_path = rule.tf_path(path, tf_type)
        text = ".".join(tf_rule_path)
        if rule.each:
            each = ".".join(rule.tf_path(rule.scope + rule.each, tf_type))
            text = text.replace(each + ".", each + "[].", 1)
        seen.setdefault(text, []).append(_tf_provider(tf_type))
    if len(seen) == 1:
        return f"`{next(iter(seen))}`"
    return ", ".join(f"`{text}` ({' and '.join(providers)})" for text, providers in seen.items())


def _judged_path(rule: Rule) -> tuple[str, ...]:
    return rule.scope + rule.each + (rule.flag_path or rule.count_path)


def _literal(value: object) -> str:
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _section_what(rule: Rule) -> str:
    judged = _judged_path(rule)
    rows = [f"| what must be {rule.wanted if rule.flag_path else '2 or more'} | `{_spelled(rule, judged)}` | "
            f"{_tf_spellings(rule, judged)} |"]
    if rule.count_path and rule.flag_path:
        count = rule.scope + rule.count_path
        rows.append(f"| instance count | `{_dotted(count)}` | {_tf_spellings(rule, count)} |")
    if rule.scope:
        rows.append(f"| judged only where it is there | `{_dotted(rule.scope)}` | {_tf_spellings(rule, rule.scope)} |")
    if rule.each:
        each = rule.scope + rule.each
        rows.append(f"| every element judged | `{_dotted(each)}` | {_tf_spellings(rule, each)} |")
    for condition in rule.applies:
        values = " or ".join(_literal(v) for v in condition.values if not (isinstance(v, str) and v in ("true", "false")))
        rows.append(f"| applies where it is {'not ' if condition.negate else ''}{values} | `{_dotted(condition.path)}` | "
                    f"{_tf_spellings(rule, condition.path)} |")
    parts = [
        f"{rule.description}\n",
        f"It reads every {_types(rule.cfn_types, ' or ')} resource in CloudFormation and every "
        f"{_types(rule.tf_types, ' or ')} resource in Terraform:\n\n"
        "| | CloudFormation | Terraform |\n|---|---|---|\n" + "\n".join(rows) + "\n",
    ]
    if rule.count_fails == "2+":
        parts.append(
            f"In the standard mode a job fails when its instance count may be 2 or more and the flag is not provably "
            f"`true`. In strict mode the job fails whenever the flag is not provably `true`, whatever the count, so "
            f"scaling up later can never reopen {rule.control}:\n\n"
            f"| engine | strict mode |\n|---|---|\n"
            f"| sagemaker-iac-lint | `check --strict`, or `strict = true` in `pyproject.toml` |\n"
            f"| cfn-lint | `--configure-rule {rule.cfn_lint_id}:strict=true`, or `.cfnlintrc` "
            f"`configure_rules: {{{rule.cfn_lint_id}: {{strict: true}}}}` |\n"
            f"| Checkov | environment variable `SAGEMAKER_IAC_LINT_STRICT=1` |\n"
        )
    elif rule.count_fails == "1":
        parts.append(
            f"An element fails when its `{_dotted(rule.count_path)}` may be 1: a count that comes from a parameter or "
            f"a variable is read at the smallest value a deployment may pass (its MinValue or lowest AllowedValues "
            f"value; with no lower bound, 1 is possible). There is no flag to set. The standard and the strict mode "
            f"agree.\n"
        )
    elif rule.expected is PRESENT:
        parts.append(
            "Any value passes, a reference resolved only at deployment (`!Ref`, `!GetAtt`, a resource attribute) "
            "included; a missing value, an empty string or null fails. The standard and the strict mode agree.\n"
        )
    else:
        exactly = " (that exact value: the case matters)" if isinstance(rule.expected, str) else ""
        parts.append(
            f"The resource fails whenever the property is not provably {rule.wanted}{exactly}, in the standard and "
            f"the strict mode alike.\n"
        )
    if rule.each:
        skip = (f" An element with {_types(rule.skip_element, ' or ')} is out of scope and is not judged."
                if rule.skip_element else "")
        parts.append(
            f"Every element of `{_dotted(rule.scope + rule.each)}` is judged, and one failing element fails the "
            f"resource.{skip} With no elements there is nothing to judge.\n"
        )
    if rule.scope:
        parts.append(
            f"A {rule.resource_noun} without `{_dotted(rule.scope)}` has nothing this rule judges, and passes.\n"
        )
    parts.append("**When a property is not set.** " + _missing(rule) + "\n")
    parts.append(
        "A value that comes from a parameter, a condition, a mapping, a variable or a local is resolved the way "
        "[How values resolve](../values.md) describes; a value that cannot be known before deployment counts "
        "against the resource (fail closed) and the message says why.\n"
    )
    for missing in rule.nonexistent_tf_types:
        parts.append(
            f"hashicorp/aws has no `{missing}` resource; the {rule.resource_kind} exists only in the awscc provider "
            f"as `{rule.tf_types[0]}`. A configuration that declares `{missing}` cannot be planned, so "
            f"sagemaker-iac-lint reports it as a [{UNKNOWN_TYPE.control}]({Path(UNKNOWN_TYPE.doc_page).name}) "
            f"configuration diagnostic (not a {rule.control} finding) rather than skipping it.\n"
        )
    if rule.number in NOTES:
        parts.append(NOTES[rule.number] + "\n")
    return "\n".join(parts)


def _missing(rule: Rule) -> str:
    """How an absent value reads: the service defaults the rule's fields name."""
    said: list[str] = []
    if rule.flag_path:
        flag = f"`{_spelled(rule, _judged_path(rule))}`"
        if rule.default:
            said.append(f"{flag} not set takes the service default {rule.default}, which fails.")
        elif rule.expected is PRESENT:
            said.append(f"{flag} not set means there is no {rule.remedy.removeprefix('a ')}, which fails.")
        else:
            said.append(f"{flag} not set fails.")
    if rule.count_path:
        count = f"`{_spelled(rule, rule.scope + rule.each + rule.count_path)}`"
        if rule.count_fails == "2+":
            said.append(f"{count} is required; left out, it reads as 1, the service default, which passes in the "
                        f"standard mode.")
        elif rule.count_fails == "1":
            said.append(f"{count} not set reads as 1, which fails.")
    for condition in rule.applies:
        said.append(f"`{_dotted(condition.path)}` not set reads as {_literal(condition.default)}"
                    + (", so the rule applies." if applies(condition, Value.absent()) else ", so the rule does not apply."))
    return " ".join(said)


def _other_rules(rule: Rule) -> list[Rule]:
    return [other for other in RULES_BY_CFN_TYPE.get(rule.cfn_types[0], ()) if other is not rule]


def _section_example(rule: Rule) -> str:
    others = _other_rules(rule)
    alone = (f" It passes the other rules on a {rule.resource_noun} "
             f"({', '.join(other.control for other in others)}), so only {rule.control} is reported."
             if others else "")
    parts = [
        f"A {rule.resource_kind} that fails {rule.control}.{alone} CloudFormation (`template.yaml`):\n",
        _fence("yaml", cfn_example(rule, encrypted=False)),
        "```console\n$ sagemaker-iac-lint check template.yaml\n" + example_output(rule) + "```\n\n"
        "The command exits with status 1.\n",
    ]
    for tf_type in rule.tf_types:
        parts.append(f"Terraform, {_tf_provider(tf_type)} provider (`main.tf`):\n")
        parts.append(_fence("hcl", tf_example(rule, tf_type, encrypted=False)))
    if rule.count_fails == "2+":
        parts.append(
            "The same job on 1 instance passes in the standard mode and fails with `--strict`:\n\n"
            "```console\n$ sagemaker-iac-lint check --strict template.yaml\n"
            + example_output(rule, strict=True, text=cfn_example(rule, encrypted=False, count=1))
            + "```\n"
        )
    return "\n".join(parts)


def _section_fix(rule: Rule) -> str:
    judged = _spelled(rule, _judged_path(rule))
    if rule.create_only:
        effect = (
            f"The property is create-only: on an existing stack, CloudFormation replaces the {rule.resource_noun}, and "
            f"Terraform plans a replacement. If the {rule.resource_noun} has a fixed name, CloudFormation cannot "
            f"replace it under that name: rename it in the same change, and update whatever refers to it by name."
        )
    else:
        effect = f"The change is an update in place: the {rule.resource_noun} is not replaced."
    if rule.expected is PRESENT:
        what = f"{rule.wanted} (an ARN, or a reference such as `!GetAtt` / a resource attribute)"
    elif rule.flag_path:
        what = f"{rule.wanted}, a literal (or a parameter or variable whose value is {rule.wanted})"
    else:
        what = f"{rule.wanted} in every element"
    parts = [
        f"Set `{judged}` to {what}. {effect}\n",
        "CloudFormation:\n",
        _fence("yaml", cfn_example(rule, encrypted=True)),
        "```console\n$ sagemaker-iac-lint check template.yaml\n" + example_output(rule, text=cfn_example(rule, encrypted=True))
        + "```\n\nNothing is reported, and the command exits with status 0.\n",
    ]
    for tf_type in rule.tf_types:
        parts.append(f"Terraform, {_tf_provider(tf_type)} provider:\n")
        parts.append(_fence("hcl", tf_example(rule, tf_type, encrypted=True)))
    if any(tf_uses_blocks(t) for t in rule.tf_types) and any(not tf_uses_blocks(t) for t in rule.tf_types):
        first = _tf_path(rule.tf_types[0], _judged_path(rule)[:1])[0]
        parts.append(
            f"awscc writes nested objects as attributes (`{first} = {{ ... }}`); hashicorp/aws writes them as "
            f"blocks (`{first} {{ ... }}`). Both are read.\n"
            if len(_judged_path(rule)) > 1 else
            "awscc writes nested objects as attributes (`name = { ... }`); hashicorp/aws writes them as blocks "
            "(`name { ... }`). Both are read.\n"
        )
    return "\n".join(parts)


def _section_others(rule: Rule) -> str:
    return OTHER_TOOLS.get(rule.number, _NOBODY) + "\n"


def _section_suppress(rule: Rule) -> str:
    cfn_type = rule.cfn_types[0]
    name = logical_id(cfn_type)
    tf_type = rule.tf_types[0]
    cli_cfn = cfn_resource_lines(name, cfn_type, {}, metadata=cli_suppression_metadata(rule), indent=0)
    cli_cfn[-1] = "  Properties:  # unchanged"
    cfn_lint_meta = {"cfn-lint": {"config": {"ignore_checks": [rule.cfn_lint_id]}}}
    cfn_lint_cfn = cfn_resource_lines(name, cfn_type, {}, metadata=cfn_lint_meta, indent=0)
    cfn_lint_cfn[-1] = "  Properties:  # unchanged"
    checkov_meta = {"checkov": {"skip": [{"id": rule.checkov_id, "comment": SUPPRESSION_REASON}]}}
    checkov_cfn = cfn_resource_lines(name, cfn_type, {}, metadata=checkov_meta, indent=0)
    checkov_cfn[-1] = "  Properties:  # unchanged"
    resource_head = f'resource "{tf_type}" "{tf_name(cfn_type)}" {{'
    return "\n".join([
        "Suppress a finding on one resource when it is a decision, not an oversight, and say why. The "
        "sagemaker-iac-lint form is read by all three front ends: the CLI, the cfn-lint rules and the Checkov "
        "checks (which report the check as skipped, with your reason). cfn-lint's and Checkov's own forms work "
        "only in their own engine.\n",
        "**sagemaker-iac-lint**. The reason is required: a suppression without "
        "one is not applied, and the finding says so. The rule may be named `" + rule.control + "`, `"
        + rule.cfn_lint_id + "` or `" + rule.checkov_id + "`. CloudFormation, in the resource's `Metadata`:\n",
        _fence("yaml", "\n".join(cli_cfn)),
        "Terraform, a comment inside the resource block:\n",
        _fence("hcl", f"{resource_head}\n  # {tf_suppression_comment(rule)}\n  # ...\n}}"),
        "To stop reporting the rule everywhere, use `--ignore " + rule.control + "` or `ignore = [\""
        + rule.control + "\"]` in `pyproject.toml` (see [Configuration](../configuration.md)).\n",
        f"**cfn-lint** (`{rule.cfn_lint_id}`), in the resource's `Metadata`:\n",
        _fence("yaml", "\n".join(cfn_lint_cfn)),
        f"or for a whole run: `cfn-lint --append-rules sagemaker_iac_lint.cfn_lint --ignore-checks "
        f"{rule.cfn_lint_id} -- template.yaml` (also `ignore_checks:` in `.cfnlintrc`).\n",
        f"**Checkov** (`{rule.checkov_id}`). CloudFormation, in the resource's `Metadata`:\n",
        _fence("yaml", "\n".join(checkov_cfn)),
        "Terraform, a comment inside the resource block:\n",
        _fence("hcl", f"{resource_head}\n  #checkov:skip={rule.checkov_id}:{SUPPRESSION_REASON}\n  # ...\n}}"),
        f"or for a whole run: `checkov --skip-check {rule.checkov_id}`.\n",
    ])


def _section_references(rule: Rule) -> str:
    return (
        f"- AWS Security Hub control [{rule.control}]({rule.help_url})\n"
        f"- AWS Config rule [`{rule.config_rule}`]({rule.config_rule_url})\n"
        f"- [How values resolve](../values.md) · [Engines](../engines.md) · [All rules](index.md)\n"
    )



def render_configuration_page(rule: Rule) -> str:
    """The page of a configuration diagnostic (not a Security Hub control), e.g. SIL001."""
    meant = [(name, control) for control in RULES for name in control.nonexistent_tf_types]
    rows = "".join(f"| `{name}` | `{control.tf_types[0]}` | {control.control} |\n" for name, control in sorted(meant))
    return (
        f"# {rule.control}: {rule.title}\n\n"
        f"| | |\n|---|---|\n| id | `{rule.control}` (Checkov: `{rule.checkov_id}`) |\n"
        f"| severity | {rule.severity.capitalize()} |\n| help | {rule.help_url} |\n\n"
        "Not a Security Hub control: a configuration error that stops a control from being judged. "
        f"{rule.reason} It is reported once per resource, at the resource, under its own id; it stands "
        f"whatever controls `--select` names, and `--ignore {rule.control}` (or a suppression comment "
        f"`# sagemaker-iac-lint:ignore={rule.control}:<reason>`) hides it.\n\n"
        "| hashicorp/aws type (does not exist) | the awscc type to use | the control it was meant for |\n"
        "|---|---|---|\n" + rows + "\n"
        "The message names the control that cannot be judged and what to set on the awscc resource, or, when "
        "the setting is already right, that it can be kept as it is.\n"
    )


def render_rule_page(rule: Rule) -> str:
    """The Markdown page of one rule: the same text for ``explain`` and for ``docs/rules/``."""
    if rule.code:
        return render_configuration_page(rule)
    header = (
        f"# {rule.control}: {rule.title}\n\n"
        f"| | |\n|---|---|\n"
        f"| Security Hub control | [`{rule.control}`]({rule.help_url}) |\n"
        f"| sagemaker-iac-lint | `{rule.control}` |\n"
        f"| cfn-lint | `{rule.cfn_lint_id}` |\n"
        f"| Checkov | `{rule.checkov_id}` |\n"
        f"| Security Hub severity | {rule.severity.capitalize()} |\n"
        f"| AWS Config rule | [`{rule.config_rule}`]({rule.config_rule_url}) |\n"
        f"| CloudFormation | {_types(rule.cfn_types)} |\n"
        f"| Terraform | {_types(rule.tf_types)} |\n"
    )
    sections = [
        header,
        "## What it does\n\n" + _section_what(rule),
        "## Why it matters\n\n" + rule.rationale + "\n",
        "## Example\n\n" + _section_example(rule),
        "## How to fix\n\n" + _section_fix(rule),
        "## Who else checks it\n\n" + _section_others(rule),
        "## Suppressing it\n\n" + _section_suppress(rule),
        "## References\n\n" + _section_references(rule),
    ]
    return "\n".join(sections)


def render_index() -> str:
    """``docs/rules/index.md``: one row per rule, in the rule table's order."""
    rows = "".join(
        f"| [{rule.control}](sagemaker-{rule.number}.md) | `{rule.cfn_lint_id}` | `{rule.checkov_id}` | "
        f"{rule.severity.capitalize()} | {rule.short_description} | {_types(rule.cfn_types)} | "
        f"{_types(rule.tf_types)} |\n"
        for rule in RULES
    ) + "".join(
        f"| [{rule.control}]({Path(rule.doc_page).name}) | - | `{rule.checkov_id}` | {rule.severity.capitalize()} | "
        f"{rule.short_description} (a configuration diagnostic, not a control) | - | {_types(rule.tf_types)} |\n"
        for rule in CONFIGURATION_RULES
    )
    return (
        "# Rules\n\n"
        "Each rule is one AWS Security Hub control. The CLI reports the control id; cfn-lint and Checkov use "
        "their own ids for the same rule. `sagemaker-iac-lint rules` prints this list and "
        "`sagemaker-iac-lint explain ID` prints a rule's page (any of the three ids works).\n\n"
        "| rule | cfn-lint | Checkov | severity | finds | CloudFormation | Terraform |\n"
        "|---|---|---|---|---|---|---|\n" + rows
    )


# --- the README's rule table ----------------------------------------------------------------------

README = Path("README.md")
README_START = "<!-- rule table: generated from src/sagemaker_iac_lint/rules.py by `python -m sagemaker_iac_lint.docs` -->\n"
README_END = "<!-- end of the rule table -->\n"


def render_readme_table() -> str:
    """The README's rule table, one row per rule, markers included."""
    rows = "".join(
        f"| [{rule.control}](docs/rules/sagemaker-{rule.number}.md) | {rule.resource_kind} | {rule.cfn_lint_id} | "
        f"{rule.checkov_id} | {_types(rule.cfn_types)} | {_types(rule.tf_types)} | {rule.short_description} |\n"
        for rule in RULES
    )
    return (
        README_START
        + "| control | resource | cfn-lint | Checkov | CloudFormation | Terraform | finds |\n"
        + "|---|---|---|---|---|---|---|\n" + rows + README_END
    )


def readme_with_table(text: str) -> str | None:
    """``text`` (a README) with its rule table regenerated; None when it has no markers."""
    start = text.find(README_START)
    end = text.find(README_END, start + 1)
    if start < 0 or end < 0:
        return None
    return text[:start] + render_readme_table() + text[end + len(README_END):]


# --- writing the pages --------------------------------------------------------------------------

def rule_page_path(rule: Rule) -> Path:
    return Path(rule.doc_page)


def generated_files() -> dict[Path, str]:
    """Every generated file, relative to the repository root, with its content."""
    files = {rule_page_path(rule): GENERATED_MARK + "\n" + render_rule_page(rule) for rule in all_rules()}
    files[INDEX_PAGE] = GENERATED_MARK + "\n" + render_index()
    return files


def stale_files(root: Path) -> list[Path]:
    """Generated files that are missing or differ, and old rule pages no rule has any more."""
    files = generated_files()
    stale = [path for path, text in files.items() if not _same(root / path, text)]
    readme = root / README
    if readme.is_file():
        current = readme.read_text(encoding="utf-8")
        updated = readme_with_table(current)
        if updated is not None and updated != current:
            stale.append(README)
    directory = root / RULES_DIR
    if directory.is_dir():
        for page in sorted(directory.glob("sagemaker-*.md")):
            if page.relative_to(root) not in files and GENERATED_MARK in page.read_text(encoding="utf-8"):
                stale.append(page.relative_to(root))
    return stale


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except OSError:
        return False


def write_files(root: Path) -> list[Path]:
    """Write the generated files under ``root``; return the ones that changed or were removed."""
    changed = stale_files(root)
    files = generated_files()
    for path in changed:
        target = root / path
        if path == README:
            updated = readme_with_table(target.read_text(encoding="utf-8"))
            if updated is not None:
                target.write_text(updated, encoding="utf-8")
        elif path in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path], encoding="utf-8")
        else:
            target.unlink()
    return changed


def _default_root() -> Path:
    source_root = Path(__file__).resolve().parents[2]  # src/sagemaker_iac_lint/docs.py -> the checkout
    if (source_root / "pyproject.toml").is_file() and (source_root / "src").is_dir():
        return source_root
    return Path.cwd()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sagemaker_iac_lint.docs",
        description="Write docs/rules/*.md from the rule table.",
    )
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: this checkout)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is stale")
    args = parser.parse_args(argv)
    root = args.root or _default_root()
    if args.check:
        stale = stale_files(root)
        for path in stale:
            print(f"{path}: stale, run `python -m sagemaker_iac_lint.docs`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_files(root):
        print(f"wrote {path}" if (root / path).exists() else f"removed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
