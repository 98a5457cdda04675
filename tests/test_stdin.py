"""``check -`` and ``--stdin-filename``: a template on standard input is judged as the file it names.

Every case runs the installed console script, the input piped to it as an editor or a hook does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from console import COMMAND, lines
from fixture_cases import FIXTURES


def piped(data: bytes, *args: str, cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
    """``sagemaker-iac-lint ARGS < data``."""
    return subprocess.run([*COMMAND, *args], input=data, capture_output=True, cwd=cwd,
                          timeout=120)


def checked(*args: str, cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], capture_output=True, cwd=cwd, timeout=120)


def fixture_files(kind: str, suffix: str) -> list[str]:
    found = []
    for root, _, names in os.walk(os.path.join(FIXTURES, kind)):
        found += [os.path.relpath(os.path.join(root, name), FIXTURES) for name in sorted(names) if name.endswith(suffix)]
    return sorted(found)


CFN_FILES = fixture_files("cloudformation", (".yaml", ".yml", ".json", ".template")) + fixture_files("tfplan", ".json")


@pytest.mark.parametrize("relative", CFN_FILES)
def test_stdin_with_the_file_s_name_reports_what_the_file_does(relative: str) -> None:
    """Same findings, same paths, same exit status: in text and JSON."""
    with open(os.path.join(FIXTURES, relative), "rb") as handle:
        data = handle.read()
    for fmt in ("text", "json"):
        from_file = checked("check", "--no-config", "--format", fmt, relative, cwd=FIXTURES)
        from_stdin = piped(data, "check", "--no-config", "--format", fmt, "-", "--stdin-filename", relative, cwd=FIXTURES)
        assert (from_stdin.returncode, from_stdin.stdout, from_stdin.stderr) == \
            (from_file.returncode, from_file.stdout, from_file.stderr), relative


@pytest.mark.parametrize("relative", [r for r in CFN_FILES if r.startswith("cloudformation")])
def test_without_a_name_the_kind_is_sniffed_and_the_path_is_a_dash(relative: str) -> None:
    with open(os.path.join(FIXTURES, relative), "rb") as handle:
        data = handle.read()
    from_file = json.loads(checked("check", "--no-config", "--format", "json", relative, cwd=FIXTURES).stdout)
    done = piped(data, "check", "--no-config", "--format", "json", "-", cwd=FIXTURES)
    document = json.loads(done.stdout)
    assert [f["path"] for f in document["findings"]] == ["-"] * len(from_file["findings"])
    assert [(f["rule"], f["line"], f["resource"], f["message"]) for f in document["findings"]] == \
        [(f["rule"], f["line"], f["resource"], f["message"]) for f in from_file["findings"]]
    assert [e["message"] for e in document["errors"]] == [e["message"] for e in from_file["errors"]]


JOB_YAML = (b"Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties:\n"
            b"      JobResources: {ClusterConfig: {InstanceCount: 2}}\n")


def test_json_and_yaml_are_told_apart_without_a_name() -> None:
    as_json = json.dumps({"Resources": {"Job": {"Type": "AWS::SageMaker::ModelBiasJobDefinition", "Properties": {
        "JobResources": {"ClusterConfig": {"InstanceCount": 2}}}}}}, indent=1).encode()
    for data, line in ((JOB_YAML, 2), (as_json, 3)):
        done = piped(data, "check", "--no-config", "--select", "SageMaker.15", "-")
        (shown,) = lines(done.stdout)
        assert done.returncode == 1 and shown.startswith(f"-:{line}:") and " SageMaker.15 " in shown


def test_the_name_gives_the_kind_path_and_exclusion(tmp_path) -> None:
    done = piped(JOB_YAML, "check", "--no-config", "--select", "SageMaker.15", "--stdin-filename", "./infra/job.template")  # no `-`: stdin too
    (shown,) = lines(done.stdout)
    assert done.returncode == 1 and shown.startswith("infra/job.template:2:3: SageMaker.15 ")
    excluded = piped(JOB_YAML, "check", "--no-config", "--select", "SageMaker.15", "--exclude", "infra/*", "-", "--stdin-filename", "infra/job.yaml")
    assert (excluded.returncode, excluded.stdout, excluded.stderr) == (0, b"", b"sagemaker-iac-lint: no findings in 0 files checked\n")
    suppressed = JOB_YAML.replace(b"    Properties:\n", b"    Metadata:\n      sagemaker-iac-lint:\n        ignore:\n"
                                  b"          - rule: SageMaker.15\n            reason: \"one node in practice\"\n"
                                  b"    Properties:\n")
    quiet = piped(suppressed, "check", "--no-config", "--select", "SageMaker.15", "-", "--stdin-filename", "job.yaml")
    assert (quiet.returncode, quiet.stdout) == (0, b""), quiet.stderr


def test_a_report_file_may_lie_in_the_current_directory_but_not_on_the_named_file(tmp_path) -> None:
    """With stdin no directory is walked: --output in it is fine, onto the named file it is not."""
    (tmp_path / "old-report.json").write_text("[1]\n")  # a .json that is not one of our reports
    done = piped(JOB_YAML, "check", "--no-config", "--select", "SageMaker.15", "--format", "json", "-o", "old-report.json", "-", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert len(json.loads((tmp_path / "old-report.json").read_text())["findings"]) == 1
    (tmp_path / "job.yaml").write_bytes(JOB_YAML)
    refused = piped(JOB_YAML, "check", "--no-config", "--select", "SageMaker.15", "-o", "job.yaml", "--stdin-filename", "job.yaml", cwd=tmp_path)
    assert refused.returncode == 2 and (tmp_path / "job.yaml").read_bytes() == JOB_YAML
    assert refused.stderr == b"sagemaker-iac-lint: error: --output job.yaml would overwrite the input job.yaml: " \
        b"write the report elsewhere\n"


def test_unreadable_input_is_one_error_line_and_exit_2() -> None:
    for data, message in ((b"", b"-: error: empty input\n"), (b"\xff\xfeA\x00\x00\xd8", None),
                          (b"Resources: {\x00}", b"-: error: binary file (contains NUL bytes), not a template\n")):
        done = piped(data, "check", "--no-config", "-")
        assert done.returncode == 2 and done.stdout == b""
        summary = b"sagemaker-iac-lint: no findings in 1 file checked, 1 file could not be read\n"
        assert done.stderr.endswith(summary), done.stderr
        error = done.stderr[: -len(summary)]
        assert error == message if message else error.startswith(b"-: error: not valid UTF-16"), done.stderr
    done = piped(b'variable "x" {}\n', "check", "--no-config", "-", "--stdin-filename", "prod.tfvars")
    assert done.returncode == 2 and done.stderr.startswith(b"prod.tfvars: error: a Terraform variable file is not a template")


def test_usage_mistakes_exit_2_with_one_line() -> None:
    for args, text in [
        (["check", "-", "a.yaml"], b"`-` (standard input) is the only PATH"),
        (["check", "--stdin-filename", "a.yaml", "b.yaml"], b"--stdin-filename names standard input"),
        (["check", "--fix", "-"], b"--fix edits files: it cannot read standard input"),
    ]:
        done = piped(JOB_YAML, *args)
        assert done.returncode == 2 and done.stdout == b"" and done.stderr.startswith(b"sagemaker-iac-lint: error: " + text)
    done = piped(JOB_YAML, "baseline", "--output", "base.json", "-")
    assert done.returncode == 2 and done.stderr == b"sagemaker-iac-lint: error: a baseline is made from files: `-` " \
        b"(standard input) is not read here\n"
    help_text = checked("check", "--help").stdout.decode()
    assert "--stdin-filename" in " ".join(help_text.split()) and "CloudFormation template, JSON when it starts with `{`" \
        in " ".join(help_text.split())


TF_JOB = """resource "awscc_sagemaker_model_bias_job_definition" "job" {
  job_resources = { cluster_config = { instance_count = var.nodes } }
}
"""


@pytest.mark.terraform
def test_a_tf_file_is_a_one_file_module_in_the_named_directory(tmp_path) -> None:
    from sagemaker_iac_lint import terraform

    if terraform.hcl2_problem():
        pytest.skip(f"no usable hcl2 module: {terraform.hcl2_problem()}")
    module = tmp_path / "infra"
    module.mkdir()
    # on disk: a sibling file with a finding of its own, and the auto-loaded tfvars Terraform would read
    (module / "other.tf").write_text(TF_JOB.replace('"job"', '"sibling"').replace("var.nodes", "3"))
    (module / "terraform.tfvars").write_text("nodes = 4\n")
    source = 'variable "nodes" { default = 1 }\n' + TF_JOB
    done = piped(source.encode(), "check", "--no-config", "--select", "SageMaker.15", "--format", "json", "-", "--stdin-filename", "infra/main.tf",
                 cwd=tmp_path)
    findings = json.loads(done.stdout)["findings"]
    assert done.returncode == 1, done.stderr
    assert [(f["path"], f["resource"]) for f in findings] == \
        [("infra/main.tf", "awscc_sagemaker_model_bias_job_definition.job")]
    # the directory's terraform.tfvars is read, as Terraform reads it for this root module
    (module / "terraform.tfvars").write_text("nodes = [\n")
    broken = piped(source.encode(), "check", "--no-config", "--select", "SageMaker.15", "-", "--stdin-filename", "infra/main.tf", cwd=tmp_path)
    assert broken.returncode == 2 and len(lines(broken.stdout)) == 1
    *errors, summary = lines(broken.stderr)
    assert errors and all(line.startswith("infra/terraform.tfvars: error: ") for line in errors)
    assert summary == "sagemaker-iac-lint: 1 finding in 1 file checked, 1 file could not be read"
    (module / "terraform.tfvars").write_text("nodes = 4\n")
    # --var wins over the tfvars file, as for a file on disk; one node: nothing to report
    assert piped(source.encode(), "check", "--no-config", "--select", "SageMaker.15", "--var", "nodes=1", "-", "--stdin-filename",
                 "infra/main.tf", cwd=tmp_path).returncode == 0
    # an empty .tf is no declarations, as Terraform reads it (a YAML template on stdin must hold something)
    empty = piped(b"", "check", "--no-config", "--select", "SageMaker.15", "-", "--stdin-filename", "infra/empty.tf", cwd=tmp_path)
    assert (empty.returncode, empty.stdout, empty.stderr) == (0, b"", b"sagemaker-iac-lint: no findings in 1 file checked\n")
    # the same module on disk, alone in its directory, reports the same
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "main.tf").write_text(source)
    shutil.copy(module / "terraform.tfvars", alone / "terraform.tfvars")
    from_file = json.loads(checked("check", "--no-config", "--select", "SageMaker.15", "--format", "json", "alone/main.tf", cwd=tmp_path).stdout)
    assert [(f["line"], f["message"]) for f in from_file["findings"]] == [(f["line"], f["message"]) for f in findings]


@pytest.mark.terraform
def test_a_tf_file_s_local_module_calls_are_read_from_disk() -> None:
    from sagemaker_iac_lint import terraform

    if terraform.hcl2_problem():
        pytest.skip(f"no usable hcl2 module: {terraform.hcl2_problem()}")
    case = os.path.join(FIXTURES, "terraform_modules", "module-calls")
    with open(os.path.join(case, "main.tf"), "rb") as handle:
        data = handle.read()
    from_file = checked("check", "--no-config", "--format", "json", "main.tf", cwd=case)
    from_stdin = piped(data, "check", "--no-config", "--format", "json", "-", "--stdin-filename", "main.tf", cwd=case)
    assert from_stdin.returncode == from_file.returncode
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)
    assert json.loads(from_stdin.stdout)["findings"], "the called module's resource is reported"


TF_JSON_FILES = fixture_files("terraform_json", ".tf.json")


@pytest.mark.parametrize("relative", TF_JSON_FILES)
def test_a_tf_json_file_alone_in_its_directory_reports_the_same(relative: str, tmp_path) -> None:
    target = tmp_path / "m" / "main.tf.json"
    target.parent.mkdir()
    shutil.copy(os.path.join(FIXTURES, relative), target)
    from_file = checked("check", "--no-config", "--format", "json", "m/main.tf.json", cwd=tmp_path)
    from_stdin = piped(target.read_bytes(), "check", "--no-config", "--format", "json", "-", "--stdin-filename",
                       "m/main.tf.json", cwd=tmp_path)
    assert (from_stdin.returncode, json.loads(from_stdin.stdout)) == (from_file.returncode, json.loads(from_file.stdout))
