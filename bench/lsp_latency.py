"""The language server's change-to-diagnostics latency (issue 17: under 50 ms of our own time after the debounce).

    python bench/lsp_latency.py [--runs 21]

Two workloads, written to a temporary folder:

- ``template``: one CloudFormation template of 100 resources (40 SageMaker job definitions and
  monitoring schedules judged by 7 rules, 60 others: buckets, queues, functions, roles);
- ``module``: a Terraform module of 50 files (bench/generate.py's services, 20 of them with a
  SageMaker job definition whose flag comes from a variable in ``variables.tf``); the edited file is
  one of them, judged with the other 49 from disk.

Each edit toggles one flag in the open buffer (``didChange`` with the whole text) and waits for that
document's ``publishDiagnostics``. Measured two ways, each a median (and the worst) of ``--runs`` edits:

- end to end: from sending ``didChange`` to reading the diagnostics, over stdio, less the server's
  debounce (``lsp.DEBOUNCE_SECONDS``): our work plus JSON-RPC and the event loop's timer;
- in process: the work of one publish (configuration lookup, reading, judging) timed in this process.

Not a test: prints the numbers, fails nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, HERE)

JOB = """\
  Job{n}:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources:
        ClusterConfig:
          InstanceCount: 2
          InstanceType: ml.m5.xlarge
          VolumeSizeInGB: 20
      NetworkConfig:
        EnableNetworkIsolation: true
        EnableInterContainerTrafficEncryption: {flag}
      ModelBiasAppSpecification:
        ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/clarify:latest
        ConfigUri: s3://example-bucket/analysis_config.json
      ModelBiasJobInput:
        EndpointInput:
          EndpointName: example-endpoint
          LocalPath: /opt/ml/processing/input/endpoint
      ModelBiasJobOutputConfig:
        MonitoringOutputs:
          - S3Output:
              LocalPath: /opt/ml/processing/output
              S3Uri: s3://example-bucket/output
      RoleArn: arn:aws:iam::123456789012:role/monitoring
"""
SCHEDULE = """\
  Schedule{n}:
    Type: AWS::SageMaker::MonitoringSchedule
    Properties:
      MonitoringScheduleName: schedule-{n}
      MonitoringScheduleConfig:
        MonitoringJobDefinitionName: !GetAtt Job{n}.JobDefinitionName
        MonitoringType: ModelBias
        ScheduleConfig:
          ScheduleExpression: cron(0 * ? * * *)
"""
OTHER = """\
  Bucket{n}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${{AWS::StackName}}-data-{n}"
      VersioningConfiguration:
        Status: Enabled
      Tags:
        - Key: team
          Value: data
  Queue{n}:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${{AWS::StackName}}-queue-{n}"
      VisibilityTimeout: 60
  Role{n}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
"""

TF_JOB = """
resource "awscc_sagemaker_model_bias_job_definition" "job_{n}" {{
  role_arn = "arn:aws:iam::123456789012:role/monitoring"
  model_bias_app_specification = {{
    image_uri  = "123456789012.dkr.ecr.us-east-1.amazonaws.com/clarify:latest"
    config_uri = "s3://example-bucket/analysis_config.json"
  }}
  model_bias_job_input = {{
    endpoint_input = {{
      endpoint_name = "example-endpoint"
      local_path    = "/opt/ml/processing/input"
    }}
  }}
  model_bias_job_output_config = {{
    monitoring_outputs = [{{
      s3_output = {{
        local_path = "/opt/ml/processing/output"
        s3_uri     = "s3://example-bucket/output"
      }}
    }}]
  }}
  job_resources = {{
    cluster_config = {{
      instance_count    = 2
      instance_type     = "ml.m5.xlarge"
      volume_size_in_gb = 20
    }}
  }}
  network_config = {{
    enable_network_isolation                  = true
    enable_inter_container_traffic_encryption = {flag}
  }}
}}
"""


def write_template(folder: str) -> tuple[str, str, str]:
    """(path, text, the text with one flag toggled)."""
    parts = ["AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n"]
    for n in range(20):
        parts.append(JOB.format(n=n, flag="false" if n % 2 else "true"))
        parts.append(SCHEDULE.format(n=n))
    for n in range(20):
        parts.append(OTHER.format(n=n))  # three resources each
    text = "".join(parts)
    assert text.count("    Type: ") == 100
    path = os.path.join(folder, "template.yaml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path, text, text.replace("EnableInterContainerTrafficEncryption: true", "EnableInterContainerTrafficEncryption: false", 1)


SHARED = """terraform {
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
  type    = string
  default = "vpc-0123456789abcdef0"
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
"""


def write_module(folder: str) -> tuple[str, str, str]:
    """(path of the edited file, its text, the text with one flag toggled). ``variables.tf`` holds what
    every file uses, the 49 others one or two of bench/generate.py's services each (named per file, as
    one module holds them all), 20 of them a job definition whose flag is a variable."""
    import generate

    rng = random.Random(17)
    module = os.path.join(folder, "module")
    os.makedirs(module)
    declared = [f'variable "encrypt_{n}" {{\n  type    = bool\n  default = {"true" if n % 2 else "false"}\n}}\n'
                for n in range(20)]
    files = {"variables.tf": SHARED + "\n" + "\n".join(declared)}
    for n in range(49):
        words = rng.sample(generate.WORDS, rng.choice([1, 2]))
        text = "".join(generate.terraform_service(rng, f"{word}{n}") for word in words)
        if n < 20:
            text += TF_JOB.format(n=n, flag=f"var.encrypt_{n}")
        files[f"file_{n:02d}.tf"] = text
    assert len(files) == 50
    for name, text in files.items():
        with open(os.path.join(module, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    text = files["file_00.tf"]
    flag = "enable_inter_container_traffic_encryption = var.encrypt_0"
    assert flag in text
    return os.path.join(module, "file_00.tf"), text, text.replace(flag, "enable_inter_container_traffic_encryption = true")


class Client:
    """JSON-RPC over the server's stdio, as an editor speaks it."""

    def __init__(self, cwd: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "sagemaker_iac_lint", "lsp"], cwd=cwd,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, message: dict) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self) -> dict:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def diagnostics(self, uri: str) -> list:
        while True:
            message = self.read()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]

    def close(self) -> None:
        self.request("shutdown", {})
        self.send({"method": "exit"})
        self.process.wait(timeout=30)


def end_to_end(folder: str, path: str, texts: tuple[str, str], runs: int, language: str) -> tuple[list[float], list[int]]:
    from sagemaker_iac_lint.lsp import DEBOUNCE_SECONDS, _uri_of

    client = Client(folder)
    client.request("initialize", {"processId": os.getpid(), "rootUri": _uri_of(folder), "capabilities": {}})
    client.send({"method": "initialized", "params": {}})
    uri = _uri_of(path)
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": texts[0]}}})
    counts = [len(client.diagnostics(uri))]
    times = []
    for run in range(runs):
        text = texts[(run + 1) % 2]
        start = time.perf_counter()
        client.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": run + 2}, "contentChanges": [{"text": text}]}})
        counts.append(len(client.diagnostics(uri)))
        times.append(time.perf_counter() - start - DEBOUNCE_SECONDS)
    client.close()
    return times, counts


def in_process(folder: str, path: str, texts: tuple[str, str], runs: int) -> list[float]:
    from sagemaker_iac_lint import lsp

    times = []
    parsed: dict = {}  # as the server keeps it between edits
    for run in range(runs + 1):
        text = texts[run % 2]
        start = time.perf_counter()
        options, _ = lsp.options_for(path, [folder], {})
        assert options is not None
        lsp.findings_for_text(path, text, {path: text}, options, parsed)
        if run:  # the first pays for imports
            times.append(time.perf_counter() - start)
    return times


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.1f} ms, worst {max(values) * 1000:6.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="edits per workload (default 21)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        workloads = [("template: 100 resources, one YAML file", write_template(folder), "yaml"),
                     ("module: 50 .tf files, one edited", write_module(folder), "terraform")]
        print(f"change-to-diagnostics, {args.runs} edits each (target: under 50 ms after the debounce)")
        for label, (path, text, edited), language in workloads:
            e2e, counts = end_to_end(folder, path, (text, edited), args.runs, language)
            local = in_process(folder, path, (text, edited), args.runs)
            print(f"{label}")
            print(f"  end to end, less the debounce: {ms(e2e)}  (diagnostics per publish: {sorted(set(counts))})")
            print(f"  in process, one publish's work: {ms(local)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
