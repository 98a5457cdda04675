"""A new control on another property is one row of the rule table and nothing else.

Each front end runs in a process of its own where the table has one row more than it ships with
(``SageMaker.99``: a model must run inside a VPC, ``VpcConfig.Subnets`` present), and nothing else
is changed: the CLI reports it, cfn-lint loads E9599 from our module and reports it, Checkov loads
CKV_SAGEMAKER_99 from our folder and fails it, each at the same resource, and each passes the model
that has the property. Engines not installed in this environment are left out.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HAS_CFN_LINT = importlib.util.find_spec("cfnlint") is not None
HAS_CHECKOV = importlib.util.find_spec("checkov") is not None
SRC = str(Path(__file__).resolve().parents[1] / "src")

# What adding the row to rules.py amounts to, done before any other module of the package is imported.
NEW_ROW = """
from sagemaker_iac_lint import rules
row = rules.Rule(
    number=99, resource_kind="model", cfn_types=("AWS::SageMaker::Model",), tf_types=("aws_sagemaker_model",),
    count_path=(), flag_path=("VpcConfig", "Subnets"), multi_instance_only=False,
    config_rule="sagemaker-model-in-vpc", resource_noun="model", expected=rules.PRESENT,
    problem="runs outside a VPC of yours", setting="a VPC", remedy="the subnets of your VPC",
    category=rules.NETWORKING,
)
rules.RULES = rules.RULES + (row,)
rules.index(rules.RULES)
"""

TEMPLATE = """\
Resources:
  ModelFail:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/r
      EnableNetworkIsolation: true
  ModelPass:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/r
      EnableNetworkIsolation: true
      VpcConfig:
        SecurityGroupIds: [sg-1]
        Subnets: [subnet-1]
"""

TERRAFORM = """\
resource "aws_sagemaker_model" "model_fail" {
  execution_role_arn       = "arn:aws:iam::123456789012:role/r"
  enable_network_isolation = true
}

resource "aws_sagemaker_model" "model_pass" {
  execution_role_arn       = "arn:aws:iam::123456789012:role/r"
  enable_network_isolation = true
  vpc_config {
    security_group_ids = ["sg-1"]
    subnets            = ["subnet-1"]
  }
}
"""


def run_with_new_row(main: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    code = NEW_ROW + f"import sys\nsys.argv = ['x', *{list(args)!r}]\n" + main
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), LOG_LEVEL="WARNING")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(TERRAFORM, encoding="utf-8")
    return tmp_path


def test_the_cli_reports_a_new_row(project: Path) -> None:
    pytest.importorskip("yaml")
    main = "from sagemaker_iac_lint.cli import main\nsys.exit(main())\n"
    result = run_with_new_row(main, "check", "--no-config", "--select", "SageMaker.99", "--format", "json", ".",
                              cwd=project)
    report = json.loads(result.stdout)
    found = {(Path(f["path"]).parent.name, f["resource"], f["rule"]) for f in report["findings"]}
    expected = {("cfn", "ModelFail", "SageMaker.99")}
    if not any("hcl" in e["message"] or "Terraform" in e["message"] for e in report["errors"]):
        expected.add(("tf", "aws_sagemaker_model.model_fail", "SageMaker.99"))
    assert found == expected, result.stderr
    (message,) = [f["message"] for f in report["findings"] if f["resource"] == "ModelFail"]
    assert message.startswith("model `ModelFail` runs outside a VPC of yours (`VpcConfig.Subnets` is not set")
    assert "Set `VpcConfig.Subnets` to the subnets of your VPC" in message
    listed = run_with_new_row(main, "rules", "--format", "json", cwd=project)
    assert "SageMaker.99" in {entry["rule"] for entry in json.loads(listed.stdout)}


@pytest.mark.skipif(not HAS_CFN_LINT, reason="cfn-lint is not installed in this environment")
def test_cfn_lint_reports_a_new_row(project: Path) -> None:
    main = "from cfnlint.runner import main\nsys.exit(main())\n"
    result = run_with_new_row(main, "--format", "json", "--append-rules", "sagemaker_iac_lint.cfn_lint",
                              "--", "cfn/template.yaml", cwd=project)
    matches = json.loads(result.stdout or "[]")
    found = {(m["Rule"]["Id"], m["Location"]["Path"][1]) for m in matches if m["Rule"]["Id"] == "E9599"}
    assert found == {("E9599", "ModelFail")}, result.stdout + result.stderr


@pytest.mark.skipif(not HAS_CHECKOV, reason="Checkov is not installed in this environment")
def test_checkov_fails_a_new_row(project: Path) -> None:
    from sagemaker_iac_lint.checkov_support import checkov_dir

    main = "from checkov.main import Checkov\nsys.exit(Checkov().run())\n"
    result = run_with_new_row(main, "-d", ".", "--framework", "cloudformation", "terraform", "--output", "json",
                              "--external-checks-dir", checkov_dir(), "--check", "CKV_SAGEMAKER_99",
                              "--skip-download", "--compact", cwd=project)
    data = json.loads(result.stdout)
    reports = data if isinstance(data, list) else [data]
    failed = {(r["check_type"], c["resource"]) for r in reports for c in r["results"]["failed_checks"]}
    passed = {(r["check_type"], c["resource"]) for r in reports for c in r["results"]["passed_checks"]}
    assert failed == {("cloudformation", "AWS::SageMaker::Model.ModelFail"),
                      ("terraform", "aws_sagemaker_model.model_fail")}, result.stderr[-2000:]
    assert {("cloudformation", "AWS::SageMaker::Model.ModelPass"), ("terraform", "aws_sagemaker_model.model_pass")} <= passed
