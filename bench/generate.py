"""The benchmark's synthetic repository: CloudFormation templates and Terraform files of realistic size.

Deterministic (one seed), no SageMaker anywhere: these are the files a real repository is mostly
made of, the ones the CLI's pre-scan must skip cheaply. The SageMaker files come from
``tests/fixtures`` (see ``SAGEMAKER_FIXTURES``), copied as they are.
"""

from __future__ import annotations

import json
import os
import random
import shutil

# A few fixtures with monitored resources, copied into the repository scan (paths under tests/fixtures).
# Not short-form-tags.pass.yaml: its `!Select [1, [1, 2, 3]]` makes Checkov 3.3.30's CloudFormation
# scan raise, and the scan then hangs (docs/engines-checkov.md).
SAGEMAKER_FIXTURES = (
    "cloudformation/sagemaker-15/literal.fail.yaml",
    "cloudformation/sagemaker-15/conditions.fail.json",
    "cloudformation/sagemaker-15/parameters.fail.yaml",
    "cloudformation/sagemaker-9/basic.fail.yaml",
    "cloudformation/sagemaker-13/basic.pass.yaml",
    "cloudformation/sagemaker-22/inline.fail.yaml",
    "terraform/sagemaker-15/no-flag.fail.tf",
    "terraform/sagemaker-15/encrypted.pass.tf",
    "terraform/sagemaker-22/inline-unencrypted.fail.tf",
)


# ---------------------------------------------------------------------------------------------
# CloudFormation: long-form intrinsics in the data, short-form tags when written as YAML
# ---------------------------------------------------------------------------------------------


def ref(name: str) -> dict:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [name, attribute]}


def sub(text: str) -> dict:
    return {"Fn::Sub": text}


def if_(condition: str, yes, no) -> dict:
    return {"Fn::If": [condition, yes, no]}


def tags(rng: random.Random, name: str) -> list:
    team = rng.choice(["payments", "search", "platform", "data", "identity", "billing"])
    return [{"Key": "Name", "Value": sub("${AWS::StackName}-" + name)}, {"Key": "team", "Value": team}]


LAMBDA_CODE = """import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    for record in event.get("Records", []):
        body = json.loads(record["body"])
        TABLE.put_item(Item={"pk": body["id"], "sk": body.get("kind", "event"), "payload": record["body"]})
    return {"statusCode": 200, "body": json.dumps({"processed": len(event.get("Records", []))})}
"""


def service(rng: random.Random, prefix: str) -> dict:
    """One small service: queue with dead letters, table, function, role, logs, alarm, topic."""
    p = prefix
    resources = {
        f"{p}DeadLetterQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"MessageRetentionPeriod": 1209600, "KmsMasterKeyId": "alias/aws/sqs"},
        },
        f"{p}Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": rng.choice([60, 120, 300]),
                "KmsMasterKeyId": "alias/aws/sqs",
                "RedrivePolicy": {"deadLetterTargetArn": get_att(f"{p}DeadLetterQueue", "Arn"), "maxReceiveCount": 5},
                "Tags": tags(rng, f"{p.lower()}-queue"),
            },
        },
        f"{p}Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"SSEEnabled": True},
                "Tags": tags(rng, f"{p.lower()}-table"),
            },
        },
        f"{p}Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                },
                "ManagedPolicyArns": [
                    sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
                ],
                "Policies": [
                    {
                        "PolicyName": f"{p.lower()}-access",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                                    "Resource": get_att(f"{p}Queue", "Arn"),
                                },
                                {
                                    "Effect": "Allow",
                                    "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
                                    "Resource": [get_att(f"{p}Table", "Arn"), sub("${" + p + "Table.Arn}/index/*")],
                                },
                            ],
                        },
                    }
                ],
                "Tags": tags(rng, f"{p.lower()}-role"),
            },
        },
        f"{p}Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": rng.choice(["python3.12", "python3.11"]),
                "Handler": "index.handler",
                "Role": get_att(f"{p}Role", "Arn"),
                "MemorySize": rng.choice([128, 256, 512, 1024]),
                "Timeout": rng.choice([10, 30, 60]),
                "TracingConfig": {"Mode": "Active"},
                "Environment": {"Variables": {"TABLE_NAME": ref(f"{p}Table"), "LOG_LEVEL": if_("IsProd", "INFO", "DEBUG")}},
                "Code": {"ZipFile": LAMBDA_CODE} if rng.random() < 0.2
                else {"S3Bucket": sub("artifacts-${AWS::AccountId}"), "S3Key": f"lambda/{p.lower()}.zip"},
                "Tags": tags(rng, f"{p.lower()}-function"),
            },
        },
    }
    optional = {
        f"{p}EventSource": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": get_att(f"{p}Queue", "Arn"),
                "FunctionName": ref(f"{p}Function"),
                "BatchSize": 10,
            },
        },
        f"{p}LogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub("/aws/lambda/${" + p + "Function}"),
                "RetentionInDays": if_("IsProd", 365, 30),
            },
        },
        f"{p}Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"KmsMasterKeyId": "alias/aws/sns", "Tags": tags(rng, f"{p.lower()}-alarms")},
        },
        f"{p}ErrorAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": sub("Errors in ${" + p + "Function}"),
                "Namespace": "AWS/Lambda",
                "MetricName": "Errors",
                "Dimensions": [{"Name": "FunctionName", "Value": ref(f"{p}Function")}],
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "AlarmActions": [ref(f"{p}Topic")],
            },
        },
    }
    for name in rng.sample(sorted(optional), rng.randint(0, len(optional))):
        resources[name] = optional[name]
    if f"{p}ErrorAlarm" in resources:
        resources[f"{p}Topic"] = optional[f"{p}Topic"]
    return resources


def storage(rng: random.Random, prefix: str) -> dict:
    """An encrypted, versioned bucket with a TLS-only policy and a security group."""
    p = prefix
    return {
        f"{p}Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
                "VersioningConfiguration": {"Status": "Enabled"},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "expire-old-versions",
                            "Status": "Enabled",
                            "NoncurrentVersionExpiration": {"NoncurrentDays": rng.choice([30, 60, 90])},
                        }
                    ]
                },
                "Tags": tags(rng, f"{p.lower()}-bucket"),
            },
        },
        f"{p}BucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": ref(f"{p}Bucket"),
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [get_att(f"{p}Bucket", "Arn"), sub("${" + p + "Bucket.Arn}/*")],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                },
            },
        },
        f"{p}SecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": f"{p} service access",
                "VpcId": ref("VpcId"),
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "10.0.0.0/16"}
                    for port in rng.sample([443, 5432, 6379, 8080, 9200], rng.randint(1, 3))
                ],
                "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}],
                "Tags": tags(rng, f"{p.lower()}-sg"),
            },
        },
    }


WORDS = ["Orders", "Billing", "Search", "Users", "Audit", "Events", "Reports", "Media", "Ingest", "Export",
         "Notify", "Catalog", "Pricing", "Session", "Ledger", "Metrics"]


def cloudformation_template(rng: random.Random) -> dict:
    resources: dict = {}
    outputs: dict = {}
    # mostly small stacks, a few large ones: 3-50 KB, a median near 5 KB
    names = rng.sample(WORDS, rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 6]))
    for name in names:
        resources.update(service(rng, name))
        outputs[f"{name}QueueUrl"] = {"Value": ref(f"{name}Queue"), "Export": {"Name": sub("${AWS::StackName}-" + name + "-queue")}}
        if rng.random() < 0.4:
            resources.update(storage(rng, name))
            outputs[f"{name}BucketArn"] = {"Value": get_att(f"{name}Bucket", "Arn")}
    parameters = {"Environment": {"Type": "String", "AllowedValues": ["dev", "staging", "prod"], "Default": "dev"}}
    if any(name.endswith("SecurityGroup") for name in resources):
        parameters["VpcId"] = {"Type": "AWS::EC2::VPC::Id", "Description": "VPC for the security groups"}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{' and '.join(names)} services",
        "Parameters": parameters,
        "Conditions": {"IsProd": {"Fn::Equals": [ref("Environment"), "prod"]}},
        "Resources": resources,
        "Outputs": outputs,
    }


_SHORT_FORM = {"Ref": "!Ref", "Fn::Sub": "!Sub", "Fn::If": "!If", "Fn::Equals": "!Equals"}


def _scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if text.replace("-", "").replace(".", "").replace("_", "").replace("/", "").isalnum() and text[0].isalpha() \
            and text.lower() not in ("true", "false", "yes", "no", "on", "off", "null", "y", "n"):
        return text
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _short_form(value) -> str | None:
    """`!Ref X`-style text for an intrinsic that fits on one line, else None."""
    if not (isinstance(value, dict) and len(value) == 1):
        return None
    (key, argument), = value.items()
    if key == "Fn::GetAtt":
        return f"!GetAtt {argument[0]}.{argument[1]}"
    if key in _SHORT_FORM and isinstance(argument, str):
        return f"{_SHORT_FORM[key]} {_scalar(argument)}"
    if key in _SHORT_FORM and isinstance(argument, list):
        items = [_short_form(item) or _scalar(item) for item in argument]
        return f"{_SHORT_FORM[key]} [{', '.join(items)}]"
    return None


def to_yaml(value, indent: int = 0) -> list[str]:
    """Block-style YAML lines for a mapping or list, short-form tags for intrinsics."""
    pad = " " * indent
    lines: list[str] = []
    items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
    for key, item in items:
        head = f"{pad}{key}:" if key is not None else f"{pad}-"
        short = _short_form(item)
        if short is not None:
            lines.append(f"{head} {short}")
        elif isinstance(item, str) and "\n" in item:
            lines.append(f"{head} |")
            lines.extend(f"{pad}  {line}" if line else "" for line in item.rstrip("\n").split("\n"))
        elif isinstance(item, (dict, list)) and item:
            if key is None and isinstance(item, dict):
                nested = to_yaml(item, indent + 2)
                lines.append(f"{head} {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(head)
                lines.extend(to_yaml(item, indent + 2))
        else:
            lines.append(f"{head} {_scalar(item) if not isinstance(item, (dict, list)) else json.dumps(item)}")
    return lines


# ---------------------------------------------------------------------------------------------
# Terraform (hashicorp/aws), no SageMaker
# ---------------------------------------------------------------------------------------------


def terraform_variables(rng: random.Random, count: int) -> str:
    blocks = []
    for index in range(count):
        kind, default = rng.choice([
            ("string", '"eu-west-1"'), ("number", str(rng.randint(1, 90))), ("bool", "true"),
            ("list(string)", '["10.0.0.0/16", "10.1.0.0/16"]'), ("map(string)", '{\n    team = "platform"\n  }'),
        ])
        blocks.append(
            f'variable "setting_{index}" {{\n'
            f'  description = "Setting {index} of the stack: see the runbook before changing it in production."\n'
            f"  type        = {kind}\n"
            f"  default     = {default}\n"
            "}\n"
        )
    return "\n".join(blocks)


def terraform_service(rng: random.Random, name: str) -> str:
    n = name.lower()
    ports = rng.sample([443, 5432, 6379, 8080, 9200], rng.randint(1, 3))
    ingress = "".join(
        f"""
  ingress {{
    description = "port {port} from the VPC"
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }}
"""
        for port in ports
    )
    return f'''
resource "aws_s3_bucket" "{n}" {{
  bucket = "${{local.prefix}}-{n}-${{data.aws_caller_identity.current.account_id}}"
  tags   = merge(local.tags, {{ Name = "${{local.prefix}}-{n}" }})
}}

resource "aws_s3_bucket_versioning" "{n}" {{
  bucket = aws_s3_bucket.{n}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "{n}" {{
  bucket = aws_s3_bucket.{n}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }}
  }}
}}

resource "aws_sqs_queue" "{n}_dlq" {{
  name                      = "${{local.prefix}}-{n}-dlq"
  message_retention_seconds = 1209600
  kms_master_key_id         = "alias/aws/sqs"
}}

resource "aws_sqs_queue" "{n}" {{
  name                       = "${{local.prefix}}-{n}"
  visibility_timeout_seconds = {rng.choice([60, 120, 300])}
  kms_master_key_id          = "alias/aws/sqs"
  redrive_policy = jsonencode({{
    deadLetterTargetArn = aws_sqs_queue.{n}_dlq.arn
    maxReceiveCount     = 5
  }})
  tags = local.tags
}}

resource "aws_iam_role" "{n}" {{
  name = "${{local.prefix}}-{n}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "lambda.amazonaws.com" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
}}

resource "aws_iam_role_policy" "{n}" {{
  role = aws_iam_role.{n}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = aws_sqs_queue.{n}.arn
      }},
      {{
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "${{aws_s3_bucket.{n}.arn}}/*"
      }},
    ]
  }})
}}

resource "aws_lambda_function" "{n}" {{
  function_name = "${{local.prefix}}-{n}"
  role          = aws_iam_role.{n}.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "${{path.module}}/build/{n}.zip"
  memory_size   = {rng.choice([128, 256, 512, 1024])}
  timeout       = {rng.choice([10, 30, 60])}

  environment {{
    variables = {{
      BUCKET    = aws_s3_bucket.{n}.id
      LOG_LEVEL = var.environment == "prod" ? "INFO" : "DEBUG"
    }}
  }}

  tracing_config {{
    mode = "Active"
  }}

  tags = local.tags
}}

resource "aws_cloudwatch_log_group" "{n}" {{
  name              = "/aws/lambda/${{aws_lambda_function.{n}.function_name}}"
  retention_in_days = var.environment == "prod" ? 365 : 30
}}

resource "aws_security_group" "{n}" {{
  name_prefix = "${{local.prefix}}-{n}-"
  vpc_id      = var.vpc_id
{ingress}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  lifecycle {{
    create_before_destroy = true
  }}
}}

output "{n}_queue_url" {{
  value = aws_sqs_queue.{n}.url
}}
'''


def terraform_file(rng: random.Random) -> str:
    header = '''terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "vpc_id" {
  type = string
}

variable "vpc_cidr" {
  type    = string
  default = "10.0.0.0/16"
}

data "aws_caller_identity" "current" {}

locals {
  prefix = "app-${var.environment}"
  tags = {
    environment = var.environment
    managed_by  = "terraform"
  }
}

resource "aws_kms_key" "main" {
  description         = "stack key"
  enable_key_rotation = true
}
'''
    parts = [header]
    for name in rng.sample(WORDS, rng.choice([1, 1, 2, 2, 3, 4, 6])):
        parts.append(terraform_service(rng, name))
    if rng.random() < 0.3:
        parts.append(terraform_variables(rng, rng.randint(10, 60)))
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Writing the repository
# ---------------------------------------------------------------------------------------------


def write_repository(root: str, fixtures_dir: str, real_dir: str | None, *, cloudformation: int = 300,
                     terraform: int = 100, seed: int = 8) -> dict[str, list[str]]:
    """Write the scan's files under root; return their paths by kind (real, cfn, tf, sagemaker)."""
    rng = random.Random(seed)
    written: dict[str, list[str]] = {"real": [], "cfn": [], "tf": [], "sagemaker": []}
    if real_dir and os.path.isdir(real_dir):
        os.makedirs(os.path.join(root, "real"), exist_ok=True)
        for name in sorted(os.listdir(real_dir)):
            if name.endswith((".yaml", ".yml", ".json", ".template", ".tf")):
                target = os.path.join(root, "real", name)
                shutil.copyfile(os.path.join(real_dir, name), target)
                written["real"].append(target)
    for index in range(cloudformation):
        template = cloudformation_template(rng)
        if index % 3 == 2:
            path = os.path.join(root, "stacks", f"stack-{index:03d}", "template.json")
            text = json.dumps(template, indent=2) + "\n"
        else:
            path = os.path.join(root, "stacks", f"stack-{index:03d}", "template.yaml")
            text = "\n".join(to_yaml(template)) + "\n"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        written["cfn"].append(path)
    for index in range(terraform):
        path = os.path.join(root, "terraform", f"module-{index // 4:02d}", f"part-{index % 4}.tf")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(terraform_file(rng))
        written["tf"].append(path)
    for relative in SAGEMAKER_FIXTURES:
        source = os.path.join(fixtures_dir, relative)
        if not os.path.isfile(source):
            continue
        target = os.path.join(root, "ml", relative.replace("/", "__"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)
        written["sagemaker"].append(target)
    return written


def write_scaled(root: str, sources: list[str], count: int) -> None:
    """count files under root, cycling through sources in order, 100 to a folder."""
    for index in range(count):
        source = sources[index % len(sources)]
        name = os.path.basename(source)
        target = os.path.join(root, f"d{index // 100:03d}", f"{index:05d}-{name}")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)  # the same bytes; a link is as good as a copy to a reader
        except OSError:
            shutil.copyfile(source, target)
