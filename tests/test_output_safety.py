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


def test_only_the_bodys_own_comment_key_suppresses_in_terraform_json(tmp_path) -> None:
    """In `.tf.json` a "//" key is a comment on the block whose body holds it; one inside an attribute's
    object value is that value's key (and a tag's "//" is data)."""
    cluster = '"job_resources": {"cluster_config": {"instance_count": 2, "instance_type": "ml.m5.xlarge", "volume_size_in_gb": 20}}'
    ignore = "sagemaker-iac-lint:ignore=SageMaker.15"
    (tmp_path / "main.tf.json").write_text(
        '{"resource": {"awscc_sagemaker_model_bias_job_definition": {\n'
        f'  "inner": {{"tags": [{{"key": "//", "value": "{ignore}:a tag"}}], {cluster},\n'
        f'    "network_config": {{"//": "{ignore}:inside a value", "enable_network_isolation": true}}}},\n'
        f'  "own": {{"//": "{ignore}:reviewed, a test cluster", {cluster}}}\n'
        "}}}\n")
    result = run(*CHECK, "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1
    reported = [finding["resource"] for finding in json.loads(result.stdout)["findings"]]
    assert reported == ["awscc_sagemaker_model_bias_job_definition.inner"]


def test_a_file_named_many_ways_is_scanned_once(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(job())
    (tmp_path / "main.tf").write_text('resource "awscc_sagemaker_model_bias_job_definition" "j" {\n'
                                      "  job_resources = { cluster_config = { instance_count = 2 } }\n}\n")
    result = run(*CHECK, "t.yaml", "./t.yaml", str(tmp_path / "t.yaml"), "main.tf", "./main.tf", ".",
                 cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    out = lines(result.stdout)
    assert [line.split(":", 1)[0] for line in out] == ["main.tf", "t.yaml"], out


# --- found by the audit of issue 15 (and the fuzz harness in tests/fuzz) -------------------------------


def test_inline_ci_commands_are_escaped_in_github_and_text(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(job('"Job ##[error]x ##VSO[task.setvariable variable=a]b"'))
    result = run(*CHECK, "--format", "github", "t.yaml", cwd=tmp_path)
    assert result.returncode == 1
    (line,) = lines(result.stdout)
    assert line.startswith("::error file=t.yaml,line=2,col=3,title=SageMaker.15 ")
    assert "`Job ##%5Berror]x ##VSO%5Btask.setvariable variable=a]b`" in line
    (line,) = lines(run(*CHECK, "t.yaml", cwd=tmp_path).stdout)
    assert "`Job ##\\x5berror]x ##VSO\\x5btask.setvariable variable=a]b`" in line


TF_JOB = ('resource "awscc_sagemaker_model_bias_job_definition" "j" {\n'
          "  job_resources = { cluster_config = { instance_count = 2 } }\n}\n")


@pytest.mark.terraform
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-32-be-bom"])
def test_a_terraform_file_in_utf16_or_utf32_is_judged_never_clean(tmp_path, encoding: str) -> None:
    data = (b"\x00\x00\xfe\xff" + TF_JOB.encode("utf-32-be")) if encoding == "utf-32-be-bom" else TF_JOB.encode(encoding)
    (tmp_path / "main.tf").write_bytes(data)
    result = run(*CHECK, ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    (line,) = lines(result.stdout)
    assert line.startswith("main.tf:1:1: SageMaker.15 model bias job definition `awscc_sagemaker_model_bias_job_definition.j`")


@pytest.mark.terraform
def test_a_terraform_file_in_utf32_without_a_mark_is_an_error(tmp_path) -> None:
    (tmp_path / "main.tf").write_bytes(TF_JOB.encode("utf-32-le"))
    result = run(*CHECK, ".", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stderr) == ["main.tf: error: binary file (contains NUL bytes), not a template",
                                    "sagemaker-iac-lint: no findings in 1 file checked, 1 file could not be read"]


def test_junit_stays_xml_with_noncharacters(tmp_path) -> None:
    import xml.etree.ElementTree as ElementTree

    body = ('{"Resources": {"J\\uffff\\ufffe": {"Type": "AWS::SageMaker::ModelBiasJobDefinition", '
            '"Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 2}}}}}}')
    (tmp_path / "t.json").write_text(body)
    result = run(*CHECK, "--format", "junit", "t.json", cwd=tmp_path)
    assert result.returncode == 1
    failure = ElementTree.fromstring(result.stdout).find("testsuite/testcase/failure")
    assert failure is not None and "`J\\uffff\\ufffe`" in (failure.text or "")


def test_fix_escapes_what_it_says_and_never_writes_its_report_onto_an_input(tmp_path) -> None:
    template = job('"J\\e[31m\\n::error::x"', count="!Ref C")
    (tmp_path / "t.yaml").write_text(template)
    result = run("fix", "--no-config", "--select", "SageMaker.15", "t.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert lines(result.stderr) == [
        "sagemaker-iac-lint: fixed 0 of 1 finding(s); 1 unsafe fix(es) not applied (add --unsafe-fixes)",
        "  t.yaml:2:3: SageMaker.15 J\\x1b[31m\\n::error::x: Set `NetworkConfig.EnableInterContainerTrafficEncryption` "
        "to true is unsafe: deploying it replaces the job definition"]
    diff = run("fix", "--no-config", "--select", "SageMaker.15", "--unsafe-fixes", "--diff", "t.yaml", cwd=tmp_path)
    assert lines(diff.stdout)[:2] == ["--- a/t.yaml", "+++ b/t.yaml"]
    assert b"\x1b" not in diff.stdout
    result = run(*CHECK, "--fix", "-o", "t.yaml", "t.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stderr) == [
        "sagemaker-iac-lint: error: --output t.yaml would overwrite the input t.yaml: write the report elsewhere"]
    assert (tmp_path / "t.yaml").read_text() == template


def test_a_usage_error_quotes_arguments_escaped(tmp_path) -> None:
    result = run("check", "a", "--strict", "b\n::error::x\x1b[2K", "--bogus", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stderr)[-1] == \
        "sagemaker-iac-lint check: error: unrecognized arguments: b\\n::error::x\\x1b[2K --bogus"


def test_select_empty_is_an_error_never_a_default(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(job())
    for command in ("check", "fix"):
        result = run(command, "--no-config", "--select=", "t.yaml", cwd=tmp_path)
        assert result.returncode == 2
        assert lines(result.stderr) == ["sagemaker-iac-lint: error: --select: no rule id given (to report every rule, leave it out)"]


def test_a_deeply_nested_pyproject_is_one_error_line(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.sagemaker-iac-lint]\nexclude = " + "[" * 20000 + "]" * 20000 + "\n")
    (tmp_path / "t.yaml").write_text(job())
    result = run("check", "t.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert lines(result.stderr) == [
        f"sagemaker-iac-lint: error: {tmp_path / 'pyproject.toml'}: cannot read configuration: nested too deeply"]


def test_a_file_named_through_links_is_scanned_once(tmp_path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.yaml").write_text(job())
    (tmp_path / "link.yaml").symlink_to("d/a.yaml")
    (tmp_path / "dlink").symlink_to("d")
    os.link(tmp_path / "d" / "a.yaml", tmp_path / "hard.yaml")
    result = run(*CHECK, "d", "d/a.yaml", "./d/../d/a.yaml", "link.yaml", "dlink", "hard.yaml", str(tmp_path / "d" / "a.yaml"),
                 cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(":", 1)[0] for line in lines(result.stdout)] == ["d/a.yaml"]


def test_a_baseline_or_parameter_file_that_cannot_be_read_is_one_error_line(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(job())
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "deep.json").write_text("[" * 100000 + "]" * 100000)
    (tmp_path / "bad.json").write_text("[1, 2")
    cases = {
        ("--baseline", "fifo.json"): "cannot read the baseline fifo.json: a fifo (named pipe), not a regular file: not read",
        ("--baseline", "deep.json"): "the baseline deep.json is not JSON we can read: nested too deeply",
        ("--parameter-file", "bad.json"): "cannot read parameter file bad.json: invalid JSON at line 1, column 6: "
                                         "Expecting ',' delimiter",
    }
    for (option, name), message in cases.items():
        result = run(*CHECK, option, name, "t.yaml", cwd=tmp_path, timeout=30)
        assert result.returncode == 2
        assert lines(result.stderr) == [f"sagemaker-iac-lint: error: {message}"]


@pytest.mark.terraform
@pytest.mark.parametrize(("written", "var", "status"), [
    ('"1"', None, 0), ('"true"', None, 0), ('"0"', None, 1), ('"TRUE"', None, 1), ('" true"', None, 1),
    ("var.e", "e=1", 0), ("var.e", "e=true", 0), ("var.e", "e=0", 1), ("var.e", "e=TRUE", 1),
])
def test_terraform_strings_are_booleans_as_go_cty_converts_them(tmp_path, written: str, var: str | None, status: int) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "e" {\n  default = false\n}\n'
        'resource "awscc_sagemaker_model_bias_job_definition" "j" {\n'
        "  job_resources = { cluster_config = { instance_count = 2 } }\n"
        f"  network_config = {{ enable_inter_container_traffic_encryption = {written} }}\n}}\n")
    result = run(*CHECK, *(["--var", var] if var else []), ".", cwd=tmp_path)
    assert result.returncode == status, result.stdout
    assert len(lines(result.stdout)) == status


def test_a_file_in_a_folder_we_cannot_search_is_an_error_not_missing() -> None:
    import shutil
    import tempfile

    as_nobody: list[str] = []
    if os.geteuid() == 0:  # root reads anything: run as nobody
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv")
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    top = tempfile.mkdtemp()  # under /tmp, which anyone may search (pytest's tmp_path is private)
    try:
        os.chmod(top, 0o755)
        for folder in ("locked", "unsearchable"):
            os.mkdir(os.path.join(top, folder))
            with open(os.path.join(top, folder, "t.yaml"), "w") as handle:
                handle.write(job())
        os.chmod(os.path.join(top, "locked"), 0)
        os.chmod(os.path.join(top, "unsearchable"), 0o644)
        import subprocess

        from console import COMMAND

        result = subprocess.run([*as_nobody, *COMMAND, *CHECK, ".", "unsearchable/t.yaml"], cwd=top,
                                capture_output=True, timeout=60)
        assert result.returncode == 2
        assert lines(result.stdout) == []
        # the walk and the name given are one file, reported once
        assert lines(result.stderr) == ["locked: error: cannot read directory: Permission denied",
                                        "unsearchable/t.yaml: error: Permission denied",
                                        "sagemaker-iac-lint: no findings in 1 file checked, 2 files could not be read"]
    finally:
        for folder in ("locked", "unsearchable"):
            os.chmod(os.path.join(top, folder), 0o755)
        shutil.rmtree(top)
