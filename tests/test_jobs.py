"""check --jobs N: the same report as --jobs 1, byte for byte, whatever N; a dead worker is one
file's error; the pre-scan still finds every spelling of a type name it found before."""

from __future__ import annotations

import json
import os
import pathlib

import pytest
from console import lines, run

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
JOB = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Job{index}:
    Type: {type}
    Properties:
      JobResources:
        ClusterConfig:
          InstanceCount: 2
          InstanceType: ml.m5.xlarge
          VolumeSizeInGB: 20
"""
TF_JOB = """\
resource "aws_sagemaker_model_quality_job_definition" "job" {
  role_arn = "arn:aws:iam::123456789012:role/monitoring"
  job_resources {
    cluster_config {
      instance_count    = 2
      instance_type     = "ml.m5.xlarge"
      volume_size_in_gb = 20
    }
  }
}
"""


def write_tree(root: pathlib.Path) -> None:
    """Files judged alone and Terraform modules, interleaved with every kind of file error."""
    for index in range(24):
        folder = root / f"stack-{index % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = ("AWS::SageMaker::DataQualityJobDefinition", "AWS::SageMaker::ModelBiasJobDefinition",
                "AWS::S3::Bucket")[index % 3]
        (folder / f"t{index:02d}.yaml").write_text(JOB.format(index=index, type=kind))
    (root / "stack-1" / "binary.yaml").write_bytes(b"Resources:\x00\x01")
    (root / "stack-2" / "empty.json").write_text("  \n")
    (root / "stack-2" / "latin1.yaml").write_bytes("Description: caf\xe9\n".encode("latin-1"))
    (root / "stack-3" / "broken.yaml").write_text("Resources:\n  Job:\n    Type: AWS::SageMaker::MonitoringSchedule\n  - [\n")
    (root / "stack-3" / "plan.json").write_text(json.dumps({"Resources": {"J": {"Type": "AWS::SageMaker::ModelQualityJobDefinition",
                                                                                "Properties": {}}}}))
    (root / "stack-4" / "fifo.yaml").unlink(missing_ok=True)
    os.mkfifo(root / "stack-4" / "fifo.yaml")
    (root / "infra").mkdir()
    (root / "infra" / "main.tf").write_text(TF_JOB)
    # (a file the native HCL reader refuses would do, but python-hcl2 is then imported to say why: 0.5 s a run)
    (root / "infra" / "bad.tf").write_bytes(b'resource "aws_sagemaker_monitoring_schedule" "s" {\x00\n')
    (root / "stack-0" / "sub").mkdir()
    (root / "stack-0" / "sub" / "module.tf").write_text(TF_JOB.replace('"job"', '"other"'))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_jobs_output_is_identical_to_one_process(tmp_path) -> None:
    write_tree(tmp_path)
    for fmt in ("text", "json", "sarif", "github"):  # gitlab and junit are made from the same report as json
        one = run("check", "--no-config", "--jobs", "1", "--format", fmt, ".", cwd=tmp_path)
        assert one.returncode == 2, one.stderr  # findings and unreadable files
        for jobs in ("2", "3") if fmt in ("text", "json") else ("2",):  # 3: chunks of unequal length
            many = run("check", "--no-config", "--jobs", jobs, "--format", fmt, ".", cwd=tmp_path)
            assert (many.returncode, many.stdout, many.stderr) == (one.returncode, one.stdout, one.stderr), fmt
    errors = lines(run("check", "--no-config", "--jobs", "2", ".", cwd=tmp_path).stderr)
    for name in ("binary.yaml", "empty.json", "latin1.yaml", "broken.yaml", "fifo.yaml", "bad.tf"):
        assert sum(name in line for line in errors) == 1, (name, errors)


def test_jobs_on_the_fixtures_is_identical_to_one_process() -> None:
    one = run("check", "--no-config", "--jobs", "1", "--format", "json", str(FIXTURES))
    many = run("check", "--no-config", "--jobs", "2", "--format", "json", str(FIXTURES))
    assert one.returncode == 1 and json.loads(one.stdout)
    assert (many.returncode, many.stdout, many.stderr) == (one.returncode, one.stdout, one.stderr)


@pytest.mark.parametrize("value", ["-1", "two", ""])
def test_jobs_refuses_what_is_not_a_count(value) -> None:
    done = run("check", "--jobs", value, str(FIXTURES / "cloudformation"))
    assert done.returncode == 2 and b"--jobs" in done.stderr and not done.stdout


def test_jobs_auto_is_the_default(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(JOB.format(index=1, type="AWS::SageMaker::ModelBiasJobDefinition"))
    default = run("check", "--no-config", ".", cwd=tmp_path)
    auto = run("check", "--no-config", "--jobs", "auto", ".", cwd=tmp_path)
    zero = run("check", "--no-config", "-j", "0", ".", cwd=tmp_path)
    assert default.returncode == 1 and default.stdout.count(b"SageMaker.") == 2
    assert (auto.returncode, auto.stdout) == (zero.returncode, zero.stdout) == (default.returncode, default.stdout)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the workers are forked where fork is safe")
def test_a_dead_worker_is_that_files_internal_error(tmp_path, monkeypatch) -> None:
    """A worker killed by its file (as a crash in a C extension would) costs that file only."""
    from sagemaker_iac_lint import parallel, scan

    for index in range(6):
        (tmp_path / f"t{index}.yaml").write_text(JOB.format(index=index, type="AWS::SageMaker::ModelBiasJobDefinition"))
    real = parallel.scan_one

    def crashing(path: str, shown: str, options: scan.Options) -> tuple:
        if path.endswith("t3.yaml"):
            os._exit(70)  # the worker process ends at once, as on a segfault
        return real(path, shown, options)

    monkeypatch.setattr(parallel, "scan_one", crashing)
    report = scan.scan([str(tmp_path)], scan.Options(jobs=2))
    assert [error.path for error in report.errors] == [str(tmp_path / "t3.yaml")]
    assert report.errors[0].message.startswith("internal error while reading (BrokenProcessPool")
    assert sorted({os.path.basename(finding.path) for finding in report.findings}) == [
        "t0.yaml", "t1.yaml", "t2.yaml", "t4.yaml", "t5.yaml"]
    monkeypatch.setattr(parallel, "scan_one", real)
    assert scan.scan([str(tmp_path)], scan.Options(jobs=1)).findings[:2] == report.findings[:2]


# Every spelling of a type name the readers accept, each in a file the pre-scan must not skip.
SPELLINGS = {
    "plain.yaml": "AWS::SageMaker::ModelBiasJobDefinition",
    "yaml-x.yaml": '"AWS::SageMaker::\\x4DodelBiasJobDefinition"',
    "yaml-u.yaml": '"AWS::SageMaker::Model\\u0042iasJobDefinition"',
    "yaml-U.yaml": '"AWS::SageMaker::ModelBias\\U0000004AobDefinition"',
    "yaml-continued.yaml": '"AWS::SageMaker::ModelBias\\\n      JobDefinition"',
    "non-ascii.yaml": "AWS::SageMaker::ModelBiasJobDefinition\n    Metadata: {Note: caf\u00e9}",
}


def test_prescan_finds_every_spelling(tmp_path) -> None:
    for name, spelled in SPELLINGS.items():
        (tmp_path / name).write_text(JOB.format(index=1, type=spelled), encoding="utf-8")
    plain = JOB.format(index=1, type="AWS::SageMaker::ModelBiasJobDefinition")
    (tmp_path / "utf16.yaml").write_bytes(plain.encode("utf-16"))
    (tmp_path / "json-u.json").write_text(
        '{"Resources": {"Job1": {"Type": "AWS::SageMaker::\\u004dodelBiasJobDefinition", "Properties": '
        '{"JobResources": {"ClusterConfig": {"InstanceCount": 2}}}}}}')
    (tmp_path / "label.tf").write_text(TF_JOB.replace("model_quality_job_definition", "model_quality_job_\\u0064efinition"))
    (tmp_path / "other.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Note: \"\\u0041\"\n")
    for jobs in ("1", "2"):
        done = run("check", "--no-config", "--jobs", jobs, "--format", "json", ".", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        flagged = {finding["path"] for finding in json.loads(done.stdout)["findings"]}
        assert flagged == {*SPELLINGS, "utf16.yaml", "json-u.json", "label.tf"}
