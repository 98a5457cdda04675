"""Bad input: one clear line naming the file, exit 2, the other files still scanned, no traceback, no hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fixture_cases import FIXTURES

GOOD = os.path.join(FIXTURES, "cloudformation", "sagemaker-15", "literal.fail.yaml")
JOB = "AWS::SageMaker::ModelBiasJobDefinition"
# The inputs here are model bias job definitions, judged for SageMaker.15 (inter-container traffic
# encryption); the same resources are also judged for SageMaker.12 (network isolation), which these
# tests are not about: the verdicts they check are SageMaker.15's.
CONTROL = "SageMaker.15"


def findings_of_the_control(document: dict) -> list[dict]:
    """The findings of a ``--format json`` report for the control the inputs are written for."""
    return [finding for finding in document["findings"] if finding["rule"] == CONTROL]


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 12):
        previous = chr(ord("a") + index - 1)
        current = chr(ord("a") + index)
        lines.append(f"{current}: &{current} [{','.join(['*' + previous] * 9)}]")
    lines.append("Resources:\n  Job:\n    Type: " + JOB + "\n    Properties:\n      Tags: *l\n")
    lines.append("      JobResources: {ClusterConfig: {InstanceCount: 2}}\n")
    return "\n".join(lines)


def merge_bomb() -> str:
    lines = ["x0: &x0 {k: 1}"]
    for index in range(1, 25):
        lines.append(f"x{index}: &x{index} {{<<: [*x{index - 1}, *x{index - 1}], k{index}: 1}}")
    lines.append(f"Resources:\n  Job:\n    Type: {JOB}\n    Properties: *x24\n")
    return "\n".join(lines)


BAD_INPUTS = {
    "broken.yaml": (f"Resources:\n  Job:\n    Type: {JOB}\n    Properties: [\n", "invalid YAML"),
    "broken.json": ('{"Resources": {"Job": {"Type": "' + JOB + '", "Properties": {', "invalid JSON"),
    "latin1.yaml": (f"Description: caf\xe9\nResources:\n  Job:\n    Type: {JOB}\n".encode("latin-1"), "not UTF-8"),
    "binary.json": (b"\x00\x01\x02" + JOB.encode() + b"\xff\xfe", "binary file"),
    "empty.yaml": ("", "empty file"),
    "blank.yaml": (" \n\t\n\x0b\x1c  \n", "empty file"),
    "deep.json": ('{"Resources": {"Job": {"Type": "' + JOB + '", "Properties": ' + "[" * 100000 + "]" * 100000 + "}}}", None),
    "deep.yaml": (f"Resources:\n  Job:\n    Type: {JOB}\n    Properties: " + "[" * 100000 + "]" * 100000 + "\n", None),
    "tab-indented.yaml": (f"Resources:\n\tJob:\n\t\tType: {JOB}\n", "invalid YAML"),
    "unknown-tag.yaml": (f"Resources:\n  Job:\n    Type: {JOB}\n    Properties: !!python/object:os.system ls\n", "invalid YAML"),
    "broken.tf": ('resource "awscc_sagemaker_model_bias_job_definition" "x" {\n  job_resources = {\n', None),
}


def write(directory, name: str, content) -> str:
    path = os.path.join(directory, name)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode, **({} if isinstance(content, bytes) else {"encoding": "utf-8"})) as handle:
        handle.write(content)
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_iac_lint", "check", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_others_still_scanned(tmp_path, name: str) -> None:
    content, expected = BAD_INPUTS[name]
    bad = write(tmp_path, name, content)
    result = run_cli(bad, GOOD)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(error_lines) == 1 and error_lines[0].startswith(f"{bad}: error: ")
    if expected:
        assert expected in error_lines[0]
    document = json.loads(result.stdout)
    assert [error["path"] for error in document["errors"]] == [bad]
    assert {f["resource"] for f in findings_of_the_control(document)} == {"JobFailFlagFalse", "JobFailNoNetworkConfig", "JobFailFlagNotSet"}


@pytest.mark.parametrize("builder", [alias_bomb, merge_bomb])
def test_yaml_bombs_finish_quickly(tmp_path, builder) -> None:
    bomb = write(tmp_path, "bomb.yaml", builder())
    result = run_cli("--strict", bomb)  # read in full and judged: the job has no encryption
    assert result.returncode == 1, result.stderr
    assert [f["resource"] for f in findings_of_the_control(json.loads(result.stdout))] == ["Job"]
    assert "Traceback" not in result.stderr


def test_symlink_loop_and_directory_cycle(tmp_path) -> None:
    loop = tmp_path / "loop.yaml"
    os.symlink(loop, loop)
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "back")  # a directory cycle: not followed by the walk
    result = run_cli(str(tmp_path), GOOD)
    assert result.returncode == 2
    assert "loop.yaml: error:" in result.stderr and "Traceback" not in result.stderr
    assert len(findings_of_the_control(json.loads(result.stdout))) == 3


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path) -> None:
    path = write(tmp_path, "secret.yaml", f"Resources:\n  Job:\n    Type: {JOB}\n")
    os.chmod(path, 0)
    result = run_cli(path)
    assert result.returncode == 2 and "Permission denied" in result.stderr


def test_a_file_is_read_whole_up_to_the_bound(tmp_path, monkeypatch) -> None:
    """read_file reads with os.read: whole files, no further than MAX_BYTES + 1 bytes, and only
    regular files: a pipe is refused, never read (it could block, or never end)."""
    from sagemaker_iac_lint import scan
    from sagemaker_iac_lint.errors import ReadError

    template = f"Resources:\n  Job:\n    Type: {JOB}\n    Properties:\n      JobResources: {{ClusterConfig: {{InstanceCount: 2}}}}\n"
    path = write(tmp_path, "job.yaml", "  \n" + template)  # starts with spaces, is not empty

    def subjects(path: str) -> list:
        return [subject for subject in scan.read_file(path) if subject.rule.control == CONTROL]

    assert [subject.name for subject in subjects(path)] == ["Job"]
    with pytest.raises(ReadError, match="is a directory"):
        scan.read_file(str(tmp_path))
    if os.path.isdir("/proc/self/fd"):
        read_end, write_end = os.pipe()
        os.write(write_end, template.encode())
        os.close(write_end)
        try:
            with pytest.raises(ReadError, match="FIFO"):
                scan.read_file(f"/proc/self/fd/{read_end}")
        finally:
            os.close(read_end)
    monkeypatch.setattr(scan, "MAX_BYTES", os.path.getsize(path))
    assert len(subjects(path)) == 1  # exactly the bound
    with pytest.raises(ReadError, match="larger than"):
        scan.read_file(write(tmp_path, "big.yaml", "  \n" + template + "#"))


def test_directory_given_where_a_template_is_expected(tmp_path) -> None:
    folder = tmp_path / "template.yaml"
    folder.mkdir()
    result = run_cli(str(folder), GOOD)
    assert result.returncode == 1  # a folder is walked, and this one holds nothing


def test_terraform_functions_are_never_evaluated(tmp_path) -> None:
    pytest.importorskip("hcl2")
    secret = tmp_path / "secret.txt"
    secret.write_text("4")
    config = tmp_path / "main.tf"
    config.write_text(
        'resource "awscc_sagemaker_model_bias_job_definition" "job_fail_from_file" {\n'
        "  job_resources = {\n"
        "    cluster_config = {\n"
        f'      instance_count = tonumber(file("{secret}"))\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    os.chmod(secret, 0)  # were it opened, root aside, the read would fail; the verdict must not depend on it
    result = run_cli(str(config))
    finding = findings_of_the_control(json.loads(result.stdout))[0]
    assert result.returncode == 1 and "tonumber(file(" in finding["message"]


def test_nothing_is_written_but_the_output_file(tmp_path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    before = sorted(os.listdir(tmp_path))
    target = tmp_path / "report.sarif"
    result = subprocess.run(
        [sys.executable, "-m", "sagemaker_iac_lint", "check", "--format", "sarif", "--output", str(target), GOOD],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=work,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 1
    assert sorted(os.listdir(tmp_path)) == sorted(before + ["report.sarif"])
    assert os.listdir(work) == []
