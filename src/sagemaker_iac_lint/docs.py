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
from collections.abc import Sequence
from pathlib import Path

import yaml

from .rules import RULES, Rule, snake_case

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
ENDPOINT_INPUT = {"EndpointName": "my-endpoint", "LocalPath": "/opt/ml/processing/input/endpoint"}
OUTPUT_CONFIG = {
    "MonitoringOutputs": [
        {"S3Output": {"LocalPath": "/opt/ml/processing/output", "S3Uri": "s3://my-monitoring-bucket/reports"}}
    ]
}
GROUND_TRUTH = {"S3Uri": "s3://my-monitoring-bucket/ground-truth"}
ANALYSIS_CONFIG = "s3://my-monitoring-bucket/config/analysis_config.json"
# ClusterConfig beside the instance count the rule reads.
CLUSTER_SETTINGS = {"InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}

RESOURCE_BODIES: dict[str, dict] = {
    "AWS::SageMaker::ModelBiasJobDefinition": {
        "ModelBiasAppSpecification": {"ConfigUri": ANALYSIS_CONFIG, "ImageUri": CLARIFY_IMAGE},
        "ModelBiasJobInput": {"EndpointInput": ENDPOINT_INPUT, "GroundTruthS3Input": GROUND_TRUTH},
        "ModelBiasJobOutputConfig": OUTPUT_CONFIG,
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::DataQualityJobDefinition": {
        "DataQualityAppSpecification": {"ImageUri": MONITOR_IMAGE},
        "DataQualityJobInput": {"EndpointInput": ENDPOINT_INPUT},
        "DataQualityJobOutputConfig": OUTPUT_CONFIG,
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::ModelExplainabilityJobDefinition": {
        "ModelExplainabilityAppSpecification": {"ConfigUri": ANALYSIS_CONFIG, "ImageUri": CLARIFY_IMAGE},
        "ModelExplainabilityJobInput": {"EndpointInput": ENDPOINT_INPUT},
        "ModelExplainabilityJobOutputConfig": OUTPUT_CONFIG,
        "RoleArn": ROLE_ARN,
    },
    "AWS::SageMaker::ModelQualityJobDefinition": {
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
                "RoleArn": ROLE_ARN,
            },
            "MonitoringType": "DataQuality",
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        },
    },
}

# Where a Terraform provider spells a top-level argument differently from CloudFormation.
TF_RENAMES: dict[str, dict[str, str]] = {
    "aws_sagemaker_monitoring_schedule": {"monitoring_schedule_name": "name"},
}

SUPPRESSION_REASON = "analyses synthetic test data only, accepted by the security team"


def _set_path(node: dict, path: tuple[str, ...], value: object) -> None:
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _sorted(node: object) -> object:
    """Keys in alphabetical order at every level, as the AWS reference pages list them."""
    if isinstance(node, dict):
        return {key: _sorted(node[key]) for key in sorted(node)}
    if isinstance(node, list):
        return [_sorted(item) for item in node]
    return node


def example_count(rule: Rule) -> int:
    """The instance count of the failing example: the smallest one that fails in standard mode."""
    return 2 if rule.multi_instance_only else 1


def example_properties(rule: Rule, cfn_type: str, *, encrypted: bool, count: int | None = None) -> dict:
    """The ``Properties`` of an example resource, CloudFormation spelling."""
    body = json.loads(json.dumps(RESOURCE_BODIES.get(cfn_type, {})))  # a deep copy
    count = example_count(rule) if count is None else count
    cluster_path = rule.scope + rule.count_path[:-1]
    _set_path(body, cluster_path, {rule.count_path[-1]: count, **CLUSTER_SETTINGS})
    if encrypted:
        _set_path(body, rule.scope + rule.flag_path, True)
    return _sorted(body)  # type: ignore[return-value]


def logical_id(cfn_type: str) -> str:
    """``AWS::SageMaker::ModelBiasJobDefinition`` -> ``ModelBiasJob``."""
    name = cfn_type.rsplit("::", 1)[-1]
    return name[: -len("Definition")] if name.endswith("JobDefinition") else name


def tf_name(cfn_type: str) -> str:
    return snake_case(logical_id(cfn_type))


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


def _yaml_lines(node: dict, indent: int, path: tuple, comments: dict, first_prefix: str = "") -> list[str]:
    lines: list[str] = []
    for position, (key, value) in enumerate(node.items()):
        pad = " " * indent if position or not first_prefix else first_prefix
        here = path + (key,)
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines += _yaml_lines(value, indent + 2, here, comments)
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:")
            for item in value:
                dash = " " * (indent + 2) + "- "
                if isinstance(item, dict):
                    lines += _yaml_lines(item, indent + 4, here, comments, first_prefix=dash)
                else:
                    lines.append(f"{dash}{_yaml_scalar(item)}")
        else:
            comment = f"  # {comments[here]}" if here in comments else ""
            lines.append(f"{pad}{key}: {_yaml_scalar(value)}{comment}")
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

def _tf_keys(node: object, renames: dict[str, str] | None = None) -> object:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            name = snake_case(key)
            out[(renames or {}).get(name, name)] = _tf_keys(value)
        return _sorted(out)
    if isinstance(node, list):
        return [_tf_keys(item) for item in node]
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
            lines.append(f"{pad}{key} {{" if blocks else f"{pad}{key} = {{")
            lines += _hcl_body(value, indent + 2, blocks, here, comments)
            lines.append(f"{pad}}}")
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            flush()
            if blocks:  # a nested block repeated once per item
                for item in value:
                    lines.append(f"{pad}{key} {{")
                    lines += _hcl_body(item, indent + 2, blocks, here, comments)
                    lines.append(f"{pad}}}")
            else:
                lines.append(f"{pad}{key} = [")
                for position, item in enumerate(value):
                    lines.append(f"{pad}  {{")
                    lines += _hcl_body(item, indent + 4, blocks, here, comments)
                    lines.append(f"{pad}  }}" + ("," if position < len(value) - 1 else ""))
                lines.append(f"{pad}]")
        else:
            shown = "[" + ", ".join(_hcl_scalar(v) for v in value) + "]" if isinstance(value, list) else _hcl_scalar(value)
            comment = f"  # {comments[here]}" if here in comments else ""
            run.append((key, shown, comment))
    flush()
    return lines


def tf_uses_blocks(tf_type: str) -> bool:
    """hashicorp/aws writes nested blocks (``network_config { ... }``); awscc object attributes (``= { ... }``)."""
    return not tf_type.startswith("awscc_")


def tf_resource(tf_type: str, name: str, properties: dict, *, comments: dict | None = None,
                leading_comments: Sequence[str] = ()) -> str:
    """A Terraform resource block from CloudFormation-spelled properties and comments."""
    body = _tf_keys(properties, TF_RENAMES.get(tf_type))
    tf_comments = {
        tuple(TF_RENAMES.get(tf_type, {}).get(snake_case(k), snake_case(k)) if i == 0 else snake_case(k)
              for i, k in enumerate(key)): text
        for key, text in (comments or {}).items()
    }
    lines = [f'resource "{tf_type}" "{name}" {{']
    lines += [f"  # {text}" for text in leading_comments]
    lines += _hcl_body(body, 2, tf_uses_blocks(tf_type), (), tf_comments)  # type: ignore[arg-type]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- what a page shows --------------------------------------------------------------------------

def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _tf_dotted(rule: Rule, path: tuple[str, ...]) -> str:
    return ".".join(rule.tf_path(path))


def failing_comments(rule: Rule, terraform: bool = False) -> dict:
    count_key = rule.scope + rule.count_path
    network = _tf_dotted(rule, rule.flag_path[:1]) if terraform else _dotted(rule.flag_path[:1])
    if rule.multi_instance_only:
        return {count_key: f"2 or more instances, and no {network}: {rule.control} fails"}
    return {count_key: f"any instance count: without {network} {rule.control} fails"}


def fixed_comments(rule: Rule) -> dict:
    if rule.create_only:
        note = f"create-only: setting it replaces the {rule.resource_noun}"
    else:
        note = f"the {rule.resource_noun} is updated in place"
    return {rule.scope + rule.flag_path: note}


def cfn_example(rule: Rule, *, encrypted: bool, count: int | None = None, metadata: dict | None = None) -> str:
    """A whole CloudFormation template holding one example resource of the rule's first type."""
    cfn_type = rule.cfn_types[0]
    properties = example_properties(rule, cfn_type, encrypted=encrypted, count=count)
    comments = fixed_comments(rule) if encrypted else (failing_comments(rule) if count is None else {})
    return cfn_template(logical_id(cfn_type), cfn_type, properties, metadata=metadata, comments=comments)


def tf_example(rule: Rule, tf_type: str, *, encrypted: bool, count: int | None = None,
               leading_comments: Sequence[str] = ()) -> str:
    """A Terraform resource of ``tf_type``, with the properties of the rule's CloudFormation example."""
    cfn_type = rule.cfn_types[0]
    properties = example_properties(rule, cfn_type, encrypted=encrypted, count=count)
    comments = fixed_comments(rule) if encrypted else (failing_comments(rule, terraform=True) if count is None else {})
    return tf_resource(tf_type, tf_name(cfn_type), properties, comments=comments, leading_comments=leading_comments)


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


def _section_what(rule: Rule) -> str:
    flag = _dotted(rule.scope + rule.flag_path)
    count = _dotted(rule.scope + rule.count_path)
    parts = [f"{rule.description}\n"]
    parts.append(
        f"It reads two properties of every {_types(rule.cfn_types, ' or ')} resource in CloudFormation and every "
        f"{_types(rule.tf_types, ' or ')} resource in Terraform:\n\n"
        f"| | CloudFormation | Terraform |\n|---|---|---|\n"
        f"| instance count | `{count}` | `{_tf_dotted(rule, rule.scope + rule.count_path)}` |\n"
        f"| encryption flag | `{flag}` | `{_tf_dotted(rule, rule.scope + rule.flag_path)}` |\n"
    )
    if rule.multi_instance_only:
        parts.append(
            f"In the standard mode a job fails when its instance count may be 2 or more and the flag is not provably "
            f"`true`. A count that is not set means the service default of 1. In strict mode the job fails whenever "
            f"the flag is not provably `true`, whatever the count, so scaling up later can never reopen "
            f"{rule.control}:\n\n"
            f"| engine | strict mode |\n|---|---|\n"
            f"| sagemaker-iac-lint | `check --strict`, or `strict = true` in `pyproject.toml` |\n"
            f"| cfn-lint | `--configure-rule {rule.cfn_lint_id}:strict=true`, or `.cfnlintrc` "
            f"`configure_rules: {{{rule.cfn_lint_id}: {{strict: true}}}}` |\n"
            f"| Checkov | environment variable `SAGEMAKER_IAC_LINT_STRICT=1` |\n"
        )
    else:
        parts.append(
            "The resource fails whenever the flag is not provably `true`, whatever the instance count, in the "
            "standard and the strict mode alike.\n"
        )
    if rule.scope:
        parts.append(
            f"Only a resource with an inline `{_dotted(rule.scope)}` is checked "
            f"(Terraform: `{_tf_dotted(rule, rule.scope)}`). One that names a separately defined job definition "
            f"instead passes here; that job definition is checked by its own rule.\n"
        )
    parts.append(
        "A value that comes from a parameter, a condition, a mapping, a variable or a local is resolved the way "
        "[How values resolve](../values.md) describes; a value that cannot be known before deployment counts "
        "against the resource (fail closed) and the message says why.\n"
    )
    for missing in rule.nonexistent_tf_types:
        parts.append(
            f"hashicorp/aws has no `{missing}` resource; the {rule.resource_kind} exists only in the awscc provider "
            f"as `{rule.tf_types[0]}`. A configuration that declares `{missing}` cannot be planned, so "
            f"sagemaker-iac-lint reports it as a {rule.control} finding rather than skipping it.\n"
        )
    return "\n".join(parts)


def _section_example(rule: Rule) -> str:
    count = example_count(rule)
    count_text = "2 instances" if count == 2 else "1 instance"
    parts = [
        f"A {rule.resource_kind} on {count_text} with no `{rule.flag_path[0]}`. CloudFormation "
        f"(`template.yaml`):\n",
        _fence("yaml", cfn_example(rule, encrypted=False)),
        "```console\n$ sagemaker-iac-lint check template.yaml\n" + example_output(rule) + "```\n\n"
        "The command exits with status 1.\n",
    ]
    for tf_type in rule.tf_types:
        parts.append(f"Terraform, {_tf_provider(tf_type)} provider (`main.tf`):\n")
        parts.append(_fence("hcl", tf_example(rule, tf_type, encrypted=False)))
    if rule.multi_instance_only:
        parts.append(
            "The same job on 1 instance passes in the standard mode and fails with `--strict`:\n\n"
            "```console\n$ sagemaker-iac-lint check --strict template.yaml\n"
            + example_output(rule, strict=True, text=cfn_example(rule, encrypted=False, count=1))
            + "```\n"
        )
    return "\n".join(parts)


def _section_fix(rule: Rule) -> str:
    flag = _dotted(rule.scope + rule.flag_path)
    if rule.create_only:
        effect = (
            f"The property is create-only: on an existing stack, CloudFormation replaces the {rule.resource_noun}, and "
            f"Terraform plans a replacement. If the {rule.resource_noun} has a fixed name, CloudFormation cannot "
            f"replace it under that name: rename it in the same change, and update whatever refers to it by name."
        )
    else:
        effect = f"The {rule.resource_noun} is updated in place; nothing is replaced."
    parts = [
        f"Set `{flag}` to `true`, a literal (or a parameter whose Default is `true`). {effect}\n",
        "CloudFormation:\n",
        _fence("yaml", cfn_example(rule, encrypted=True)),
    ]
    for tf_type in rule.tf_types:
        parts.append(f"Terraform, {_tf_provider(tf_type)} provider:\n")
        parts.append(_fence("hcl", tf_example(rule, tf_type, encrypted=True)))
    if any(tf_uses_blocks(t) for t in rule.tf_types) and any(not tf_uses_blocks(t) for t in rule.tf_types):
        parts.append(
            "awscc writes nested objects as attributes (`network_config = { ... }`); hashicorp/aws writes them as "
            "blocks (`network_config { ... }`). Both are read.\n"
        )
    if rule.scope and any(_tf_provider(t) == "hashicorp/aws" for t in rule.tf_types):
        parts.append(
            f"hashicorp/aws accepts an inline `{_tf_dotted(rule, rule.scope)}` block only in recent releases; "
            f"with an older provider, define the job separately and name it in the schedule.\n"
        )
    return "\n".join(parts)


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


def render_rule_page(rule: Rule) -> str:
    """The Markdown page of one rule: the same text for ``explain`` and for ``docs/rules/``."""
    header = (
        f"# {rule.control}: {rule.title}\n\n"
        f"| | |\n|---|---|\n"
        f"| sagemaker-iac-lint | `{rule.control}` |\n"
        f"| cfn-lint | `{rule.cfn_lint_id}` |\n"
        f"| Checkov | `{rule.checkov_id}` |\n"
        f"| Security Hub severity | {rule.severity.capitalize()} |\n"
        f"| CloudFormation | {_types(rule.cfn_types)} |\n"
        f"| Terraform | {_types(rule.tf_types)} |\n"
    )
    sections = [
        header,
        "## What it does\n\n" + _section_what(rule),
        "## Why it matters\n\n" + rule.rationale + "\n",
        "## Example\n\n" + _section_example(rule),
        "## How to fix\n\n" + _section_fix(rule),
        "## Suppressing it\n\n" + _section_suppress(rule),
        "## References\n\n" + _section_references(rule),
    ]
    return "\n".join(sections)


def render_index() -> str:
    """``docs/rules/index.md``: one row per rule, in the rule table's order."""
    rows = "".join(
        f"| [{rule.control}](sagemaker-{rule.number}.md) | `{rule.cfn_lint_id}` | `{rule.checkov_id}` | "
        f"{rule.short_description} | {_types(rule.cfn_types)} | {_types(rule.tf_types)} |\n"
        for rule in RULES
    )
    return (
        "# Rules\n\n"
        "Each rule is one AWS Security Hub control. The CLI reports the control id; cfn-lint and Checkov use "
        "their own ids for the same rule. `sagemaker-iac-lint rules` prints this list and "
        "`sagemaker-iac-lint explain ID` prints a rule's page (any of the three ids works).\n\n"
        "| rule | cfn-lint | Checkov | finds | CloudFormation | Terraform |\n"
        "|---|---|---|---|---|---|\n" + rows
    )


# --- writing the pages --------------------------------------------------------------------------

def rule_page_path(rule: Rule) -> Path:
    return Path(rule.doc_page)


def generated_files() -> dict[Path, str]:
    """Every generated file, relative to the repository root, with its content."""
    files = {rule_page_path(rule): GENERATED_MARK + "\n" + render_rule_page(rule) for rule in RULES}
    files[INDEX_PAGE] = GENERATED_MARK + "\n" + render_index()
    return files


def stale_files(root: Path) -> list[Path]:
    """Generated files that are missing or differ, and old rule pages no rule has any more."""
    files = generated_files()
    stale = [path for path, text in files.items() if not _same(root / path, text)]
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
        if path in files:
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
