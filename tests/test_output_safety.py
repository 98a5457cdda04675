"""Output is data: nothing in a file or a file name forges a line, a CI command or a terminal effect;
no input crashes a run, hangs it, or passes in silence; ``-o`` never lands on an input.

Every case runs the installed console script in a subprocess and checks exact exit codes and lines.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from console import lines, run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and FIFOs")

FAIL_ID = "Job"
# The templates are model bias job definitions, read here for SageMaker.15's finding; the resource type is
# judged by SageMaker.12 (network isolation) too, which these cases leave out.
CHECK = ("check", "--no-config", "--select", "SageMaker.15")


def job(logical_id: str = FAIL_ID, count: str = "2") -> str:
    return (
        "Resources:\n"
        f"  {logical_id}:\n"
        "    Type: AWS::SageMaker::ModelBiasJobDefinition\n"
        "    Properties:\n"
        f"      JobResources: {{ClusterConfig: {{InstanceCount: {count}, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}}}}\n"
    )


FORGED_ID = '"Job\\n::error file=forged.yaml,line=1::FORGED\\nx.yaml:1:1: SageMaker.15 forged"'
ESCAPES_ID = '"Job\\e]0;title\\a\\e[2K\\u2028"'


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_logical_id_cannot_start_a_line_or_reach_the_terminal(tmp_path, fmt: str) -> None:
    (tmp_path / "forged.yaml").write_text(job(FORGED_ID))
    (tmp_path / "escapes.yaml").write_text(job(ESCAPES_ID))
    result = run(*CHECK, "--format", fmt, "forged.yaml", "escapes.yaml", cwd=tmp_path)
    assert result.returncode == 1
    out = lines(result.stdout)
    assert len(out) == 2
    prefix = ("forged.yaml:", "escapes.yaml:") if fmt == "text" else ("::error file=forged.yaml,", "::error file=escapes.yaml,")
    assert all(line.startswith(prefix) for line in out), out
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    assert "\u2028" not in result.stdout.decode("utf-8")
    if fmt == "text":
        by_file = {line.split(":", 1)[0]: line for line in out}
        assert "`Job\\n::error file=forged.yaml" in by_file["forged.yaml"]
        assert "\\x1b]0;title\\x07\\x1b[2K\\u2028" in by_file["escapes.yaml"]


def test_a_terraform_json_name_with_a_newline_stays_on_its_line(tmp_path) -> None:
    name = "job\n::error::FORGED"
    document = {"resource": {"awscc_sagemaker_model_bias_job_definition": {name: {
        "job_resources": {"cluster_config": {"instance_count": 2}}}}}}
    (tmp_path / "main.tf.json").write_text(json.dumps(document))
    result = run(*CHECK, "main.tf.json", cwd=tmp_path)
    assert result.returncode == 1
    (line,) = lines(result.stdout)
    assert line.startswith("main.tf.json:") and "job\\n::error::FORGED" in line


def test_a_file_name_with_a_newline_is_quoted(tmp_path) -> None:
    name = "a\nx.yaml:1:1: SageMaker.15 forged.yaml"
    (tmp_path / name).write_text(job())
    result = run(*CHECK, name, cwd=tmp_path)
    assert result.returncode == 1
    (line,) = lines(result.stdout)
    assert line.startswith('"a\\nx.yaml:1:1: SageMaker.15 forged.yaml":2:3: SageMaker.15 ')


def test_github_stderr_cannot_issue_a_workflow_command(tmp_path) -> None:
    (tmp_path / "::stop-commands::tok.yml").write_text("")
    (tmp_path / "##[error]x.yml").write_text(":")
    result = run(*CHECK, "--format", "github", ".", cwd=tmp_path)
    err = lines(result.stderr)
    assert err and not any(line.lstrip().startswith("::") for line in err), err
    assert not any("##[" in line for line in err + lines(result.stdout)), err


@pytest.mark.parametrize("count", ['"++2"', '"²"', '"٣"', "+2"])
def test_odd_counts_are_judged_never_a_crash(tmp_path, count: str) -> None:
    (tmp_path / "t.yaml").write_text(job(count=count), encoding="utf-8")
    result = run(*CHECK, "t.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert b"Traceback" not in result.stderr
    (line,) = lines(result.stdout)
    assert line.startswith("t.yaml:2:3: SageMaker.15 ")


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "gitlab", "junit"])
def test_a_lone_surrogate_in_a_json_key_is_reported_in_every_format(tmp_path, fmt: str) -> None:
    body = ('{"Resources": {"\\ud800": {"Type": "AWS::SageMaker::ModelBiasJobDefinition", '
            '"Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 2}}}}}}')
    (tmp_path / "t.json").write_text(body)
    (tmp_path / "good.yaml").write_text(job())
    result = run(*CHECK, "--format", fmt, "-o", "report", "t.json", "good.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    written = (tmp_path / "report").read_bytes().decode("utf-8")  # strict UTF-8
    assert written.count("SageMaker.15") >= 2
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(written)
    if fmt == "junit":
        import xml.etree.ElementTree as ElementTree

        ElementTree.fromstring(written.encode("utf-8"))


def test_a_fifo_is_an_error_and_never_blocks(tmp_path) -> None:
    os.mkfifo(tmp_path / "x.yaml")
    (tmp_path / "good.yaml").write_text(job())
    result = run(*CHECK, ".", cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert [line for line in lines(result.stdout)][0].startswith("good.yaml:2:3: SageMaker.15 ")
    assert lines(result.stderr) == ["x.yaml: error: a FIFO (named pipe), not a regular file: not read",
                                    "sagemaker-iac-lint: 1 finding in 1 of 2 files checked, 1 file could not be read"]


def test_utf32_is_read_never_clean(tmp_path) -> None:
    (tmp_path / "t.yaml").write_bytes(job().encode("utf-32"))
    result = run(*CHECK, "t.yaml", cwd=tmp_path)
    assert result.returncode in (1, 2)
    assert result.returncode == 2 or lines(result.stdout)[0].startswith("t.yaml:2:3: SageMaker.15 ")


def test_deep_nesting_is_refused_before_any_parser(tmp_path) -> None:
    (tmp_path / "deep.yaml").write_text(job() + "      X: " + "[" * 50000 + "]" * 50000 + "\n")
    (tmp_path / "good.yaml").write_text(job())
    result = run(*CHECK, ".", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stdout)[0].startswith("good.yaml:2:3: SageMaker.15 ")
    assert lines(result.stderr) == ["deep.yaml: error: nested more than 1000 levels deep (measured before parsing)",
                                    "sagemaker-iac-lint: 1 finding in 1 of 2 files checked, 1 file could not be read"]


def test_output_onto_an_input_is_refused(tmp_path) -> None:
    template = job()
    (tmp_path / "t.yaml").write_text(template)
    result = run(*CHECK, "-o", "t.yaml", "t.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "t.yaml").read_text() == template
    assert lines(result.stderr) == [
        "sagemaker-iac-lint: error: --output t.yaml would overwrite the input t.yaml: write the report elsewhere"]


def test_a_full_disk_on_stdout_is_one_error_line(tmp_path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    (tmp_path / "t.yaml").write_text(job())
    with open("/dev/full", "w") as full:
        result = run(*CHECK, "t.yaml", cwd=tmp_path, stdout=full)
    assert result.returncode == 2
    assert lines(result.stderr) == ["sagemaker-iac-lint: error: cannot write standard output: No space left on device"]


def test_a_pyproject_that_is_not_utf8_is_one_error_line(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.sagemaker-iac-lint]\nstrict = "\xff"\n')
    (tmp_path / "t.yaml").write_text(job())
    result = run("check", "t.yaml", cwd=tmp_path)
    assert result.returncode == 2
    (line,) = lines(result.stderr)
    assert line.startswith("sagemaker-iac-lint: error: ") and "not UTF-8" in line


@pytest.mark.terraform
@pytest.mark.parametrize("written", [
    'job_definition_name = "monitor # sagemaker-iac-lint:ignore=SageMaker.15:in a string"',
    'job_definition_name = "monitor // sagemaker-iac-lint:ignore=SageMaker.15:in a string"',
    'job_definition_name = "${"x"} /* sagemaker-iac-lint:ignore=SageMaker.15:in a string */"',
    'job_definition_name = <<EOT\n# sagemaker-iac-lint:ignore=SageMaker.15:in a heredoc\nEOT',
])
def test_only_a_comment_suppresses_in_terraform(tmp_path, written: str) -> None:
    body = ('resource "awscc_sagemaker_model_bias_job_definition" "j" {\n'
            f"  {written}\n"
            "  job_resources = { cluster_config = { instance_count = 2 } }\n}\n")
    (tmp_path / "main.tf").write_text(body)
    result = run(*CHECK, "main.tf", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    commented = body.replace("  job_resources", "  # sagemaker-iac-lint:ignore=SageMaker.15:a real comment\n  job_resources")
    (tmp_path / "main.tf").write_text(commented)
    assert run(*CHECK, "main.tf", cwd=tmp_path).returncode == 0


def test_only_a_comment_suppresses_in_yaml(tmp_path) -> None:
    text = job().replace("    Properties:", '    Metadata: {Note: "x # sagemaker-iac-lint:ignore=SageMaker.15:in a string"}\n'
                                             "    Properties:")
    (tmp_path / "t.yaml").write_text(text)
    assert run(*CHECK, "t.yaml", cwd=tmp_path).returncode == 1


def test_a_file_named_many_ways_is_scanned_once(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(job())
    (tmp_path / "main.tf").write_text('resource "awscc_sagemaker_model_bias_job_definition" "j" {\n'
                                      "  job_resources = { cluster_config = { instance_count = 2 } }\n}\n")
    result = run(*CHECK, "t.yaml", "./t.yaml", str(tmp_path / "t.yaml"), "main.tf", "./main.tf", ".",
                 cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    out = lines(result.stdout)
    assert [line.split(":", 1)[0] for line in out] == ["main.tf", "t.yaml"], out
