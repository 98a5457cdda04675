"""Terraform as Terraform reads it: every fixture directory under tests/fixtures/terraform_modules,
scanned by the installed console script as a directory and as each single file pre-commit would pass.

Each case folder holds an ``expected.json``: ``fail`` and ``strict_fail`` list the failing instances as
``file:address`` (the address without its resource type, ``module.bias_fail.job``), ``args`` extra
command-line arguments, ``single`` the files to pass alone (default: every Terraform file).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from fixture_cases import FIXTURES

from sagemaker_iac_lint import terraform, tfmodule
from sagemaker_iac_lint.core import judge
from sagemaker_iac_lint.rules import FLAG_PATH, RULES
from sagemaker_iac_lint.scan import Options, scan

CASES_DIR = os.path.join(FIXTURES, "terraform_modules")
CASES = sorted(os.listdir(CASES_DIR))
SCRIPT = os.path.join(os.path.dirname(sys.executable), "sagemaker-iac-lint")
# Every case here is about the inter-container traffic encryption rules (.9 .10 .13 .15 .22): the other
# rules of the same resources (SageMaker.12 on a model bias job definition) are left out of the runs.
TRAFFIC = frozenset(rule.control for rule in RULES if rule.flag_path == FLAG_PATH)
TRAFFIC_ONLY = ["--select", ",".join(sorted(TRAFFIC))]


def spec(case: str) -> dict:
    with open(os.path.join(CASES_DIR, case, "expected.json"), encoding="utf-8") as handle:
        return json.load(handle)


def copy_case(case: str, tmp_path) -> str:
    """The case in a folder of its own (the repository root of the run is the working directory)."""
    target = str(tmp_path / case)
    shutil.copytree(os.path.join(CASES_DIR, case), target, ignore=shutil.ignore_patterns("expected.json"))
    return target


def terraform_files(folder: str) -> list[str]:
    found = []
    for root, _, files in os.walk(folder):
        for name in files:
            if tfmodule.terraform_kind(name):
                found.append(os.path.relpath(os.path.join(root, name), folder))
    return sorted(found)


def cli(folder: str, arguments: list[str]) -> tuple[int, dict]:
    run = subprocess.run([SCRIPT, "check", "--format", "json", *TRAFFIC_ONLY, *arguments], cwd=folder, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)


def failing(report: dict) -> set[str]:
    return {f"{f['path']}:{f['resource'].replace(f['resource_type'] + '.', '', 1)}" for f in report["findings"]}


@pytest.mark.parametrize("case", CASES)
def test_case_as_a_directory_and_as_each_single_file(case: str, tmp_path) -> None:
    expected = spec(case)
    folder = copy_case(case, tmp_path)
    arguments = expected.get("args", [])
    for strict, wanted in ((False, expected["fail"]), (True, expected["strict_fail"])):
        mode = ["--strict"] if strict else []
        code, report = cli(folder, [*mode, *arguments, "."])
        assert report["errors"] == []
        assert failing(report) == set(wanted), f"strict={strict}"
        assert code == (1 if wanted else 0)
    for single in expected.get("single", terraform_files(folder)):
        code, report = cli(folder, [*arguments, single])
        assert report["errors"] == [], single
        assert failing(report) == set(expected["fail"]), single


def test_finding_lines_point_at_the_flag_in_the_file_that_declares_it(tmp_path) -> None:
    folder = copy_case("module-calls", tmp_path)
    _, report = cli(folder, ["."])
    (finding,) = report["findings"]
    assert (finding["path"], finding["line"], finding["column"]) == ("modules/bias/main.tf", 10, 5)
    assert "from argument `encrypt` of `module.bias_fail`" in finding["message"]
    assert "instance_count is 4, from argument `n` of `module.bias_fail`" in finding["message"]


def test_a_var_file_names_the_deployment_and_holds_for_the_count(tmp_path) -> None:
    folder = copy_case("var-file-deployment", tmp_path)
    _, report = cli(folder, ["."])
    assert report["findings"] == []  # prod.tfvars is not auto-loaded
    with open(os.path.join(folder, "main.tf"), "a", encoding="utf-8") as handle:
        handle.write('\nvariable "n" {\n  default = 1\n}\n\n' + JOB.format(name="counted", count="var.n", flag="false"))
    _, report = cli(folder, ["."])
    assert failing(report) == {"main.tf:counted"}  # a root's count is open: any apply may pass another
    _, report = cli(folder, ["--var", "n=1", "--var", "encrypt=true", "."])
    assert failing(report) == set()  # one named deployment: its count holds
    _, report = cli(folder, ["--var-file", "prod.tfvars", "--var", "n=1", "."])
    (finding,) = report["findings"]
    assert finding["resource"].endswith(".job") and "--var-file prod.tfvars" in finding["message"]
    assert "variable `encrypt` set by --var-file prod.tfvars" in finding["message"]


JOB = """resource "awscc_sagemaker_model_bias_job_definition" "{name}" {{
  job_resources = {{ cluster_config = {{ instance_count = {count} }} }}
  network_config = {{ enable_inter_container_traffic_encryption = {flag} }}
}}
"""


def bias(text: str, path: str) -> list:
    """The SageMaker.15 subjects of one file read alone."""
    return [s for s in terraform.read_tf(text, path) if s.rule.control == "SageMaker.15"]


def test_a_child_no_module_calls_is_a_root_with_its_own_defaults(tmp_path) -> None:
    (tmp_path / "modules" / "bias").mkdir(parents=True)
    (tmp_path / "modules" / "bias" / "main.tf").write_text(
        'variable "n" {\n  default = 1\n}\n\n' + JOB.format(name="job", count="var.n", flag="false"))
    report = scan([str(tmp_path)], Options(select=TRAFFIC))
    assert [(f.resource, f.path.endswith("modules/bias/main.tf")) for f in report.findings] == [
        ("awscc_sagemaker_model_bias_job_definition.job", True)]
    assert "variable `n`, which Terraform does not bound" in report.findings[0].message


def test_modules_json_records_fetched_modules(tmp_path) -> None:
    fetched = tmp_path / ".terraform" / "modules" / "remote"
    fetched.mkdir(parents=True)
    (fetched / "main.tf").write_text('variable "encrypt" {}\n\n' + JOB.format(name="job", count=2, flag="var.encrypt"))
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps(
        {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                     {"Key": "remote", "Source": "registry.terraform.io/x/y/aws", "Dir": ".terraform/modules/remote"}]}))
    (tmp_path / "main.tf").write_text('module "remote" {\n  source  = "x/y/aws"\n  encrypt = false\n}\n'
                                      + JOB.format(name="local", count=1, flag="true"))
    report = scan([str(tmp_path / "main.tf")], Options(select=TRAFFIC))
    assert [f.resource for f in report.findings] == ["module.remote.awscc_sagemaker_model_bias_job_definition.job"]


def test_a_long_chain_of_locals_is_judged_and_conditional_locals_stay_small() -> None:
    chain = "locals {\n  l0 = false\n" + "".join(f"  l{k} = local.l{k - 1}\n" for k in range(1, 1500)) + "}\n"
    (subject,) = bias(chain + JOB.format(name="job", count=2, flag="local.l1499"), "main.tf")
    assert [(v.kind, v.literal, v.origin) for _, v in subject.flag] == [("literal", False, "local `l0`")]
    conditional = "locals {\n  l0 = true\n" + "".join(
        f"  l{k} = var.c{k} ? local.l{k - 1} : local.l{k - 1}\n" for k in range(1, 60)) + "}\n"
    (subject,) = bias(conditional + JOB.format(name="job", count=2, flag="local.l59"), "main.tf")
    assert [(v.kind, v.literal) for _, v in subject.flag] == [("literal", True)]
    assert judge(subject) is None


def test_too_many_possible_values_fail_closed_with_a_note() -> None:
    # Two chains that swap at every level: each local may be either literal under 2^k assignments, and no
    # two of them merge, so the bound cuts in and the value is unknown (a failure), never a silent pass.
    swapping = "locals {\n  l0 = true\n  m0 = false\n" + "".join(
        f"  l{k} = var.c{k} ? local.l{k - 1} : local.m{k - 1}\n"
        f"  m{k} = var.d{k} ? local.m{k - 1} : local.l{k - 1}\n" for k in range(1, 12)) + "}\n"
    (subject,) = bias(swapping + JOB.format(name="job", count=2, flag="local.l11"), "main.tf")
    verdict = judge(subject)
    assert verdict is not None and "too complex to judge" in verdict.message


def test_a_verdict_over_many_scenarios_reads_the_same_in_every_run(tmp_path) -> None:
    # Scenarios live in sets, whose order follows the string hash seed: the reported scenario must not.
    swapping = "locals {\n  l0 = true\n  m0 = false\n" + "".join(
        f"  l{k} = var.c{k} ? local.l{k - 1} : local.m{k - 1}\n"
        f"  m{k} = var.d{k} ? local.m{k - 1} : local.l{k - 1}\n" for k in range(1, 8)) + "}\n"
    (tmp_path / "main.tf").write_text(swapping + JOB.format(name="job", count=2, flag="local.l7"))
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-m", "sagemaker_iac_lint", "check", str(tmp_path)],
                             capture_output=True, text=True, env=env)
        assert run.returncode == 1, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_many_resources_in_one_file_are_located_in_one_pass() -> None:
    """5,000 resources, each located exactly (the last one too); a location counted from the start of the
    file for every resource took minutes here (its cost is measured in bench/, not in a timed test)."""
    text = "".join(JOB.format(name=f"job{i}", count=2, flag="false") for i in range(5000))
    subjects = [s for s in terraform.read_tf(text, "main.tf") if s.rule.control == "SageMaker.15"]
    assert len(subjects) == 5000 and subjects[-1].line == 4999 * 4 + 1 and subjects[-1].flag[0][1].line == 4999 * 4 + 3


def test_validation_bounds() -> None:
    bound = tfmodule.validation_bound
    assert bound("n", {"validation": [{"condition": terraform.Expr("var.n <= 1")}]}) == 1
    assert bound("n", {"validation": [{"condition": terraform.Expr("var.n < 3 && var.n >= 1")}]}) == 2
    assert bound("n", {"validation": [{"condition": terraform.Expr("contains([1, 4], var.n)")}]}) == 4
    assert bound("n", {"validation": [{"condition": terraform.Expr("var.n == 1 || var.n == 9")}]}) is None
    assert bound("n", {"validation": [{"condition": terraform.Expr("var.n > 0")}]}) is None
    assert bound("n", {"validation": [{"condition": terraform.Expr("var.m <= 1")}]}) is None


def test_var_assignments_read_as_terraform_reads_them() -> None:
    # -var values are literal strings (go-cty converts them where a number or a bool belongs); only a
    # list or a map is parsed, as Terraform parses it for a variable of a complex type
    assert tfmodule.parse_var_assignment("n=4") == ("n", "4")
    assert tfmodule.parse_var_assignment("encrypt=false") == ("encrypt", "false")
    assert tfmodule.parse_var_assignment("name=job-a") == ("name", "job-a")
    assert tfmodule.parse_var_assignment("sizes=[1, 2]") == ("sizes", [1, 2])
    with pytest.raises(ValueError):
        tfmodule.parse_var_assignment("novalue")


def test_a_module_that_reaches_no_monitored_type_is_not_parsed(tmp_path) -> None:
    # No SageMaker resource here, and the one local call names a folder that is not there: nothing of
    # this module can be judged, so a file Terraform itself would refuse is not this linter's error.
    (tmp_path / "main.tf").write_text('module "data" {\n  source = "../../modules/user_data"\n}\n')
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n  acl = "a"\n  acl = "b"\n}\n')
    report = scan([str(tmp_path)], Options(strict=True, select=TRAFFIC))
    assert report.errors == [] and report.findings == []
    # with the called folder on disk, the call may reach a monitored type: the module is read in full
    child = tmp_path / "child"
    child.mkdir()
    (child / "main.tf").write_text(JOB.format(name="job", count=2, flag="false"))
    (tmp_path / "main.tf").write_text('module "data" {\n  source = "./child"\n}\n')
    (tmp_path / "broken.tf").unlink()
    report = scan([str(tmp_path)], Options(strict=True, select=TRAFFIC))
    assert report.errors == []
    assert [f.resource for f in report.findings] == ["module.data.awscc_sagemaker_model_bias_job_definition.job"]


@pytest.mark.parametrize("call", [
    '{"module": {"data": {"source": "./child"}}}',  # JSON syntax: the key quoted
    '{"module": {"data": {"source" : "../root/child"}}}',
])
def test_a_call_in_json_syntax_is_followed_from_a_file_named_alone(tmp_path, call: str) -> None:
    # the named file holds no monitored type: only the byte-level look at its call finds the child's job
    root = tmp_path / "root"
    child = root / "child"
    child.mkdir(parents=True)
    (child / "main.tf").write_text(JOB.format(name="job", count=2, flag="false"))
    (root / "main.tf.json").write_text(call)
    report = scan([str(root / "main.tf.json")], Options(strict=True, select=TRAFFIC))
    assert report.errors == []
    assert [f.resource for f in report.findings] == ["module.data.awscc_sagemaker_model_bias_job_definition.job"]
