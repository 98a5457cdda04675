"""A baseline, through the installed console script: adopt, move lines, add, fix, bad files."""

from __future__ import annotations

import json

import pytest
from console import lines, run

# The jobs are model bias job definitions, read for SageMaker.15's finding; the type is judged by
# SageMaker.12 (network isolation) too, which these cases leave out.
OPTIONS = ("--no-config", "--select", "SageMaker.15")
JOB = """\
  {name}:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources:
        ClusterConfig:
          InstanceCount: 2
"""


def template(*names: str, blank_lines: int = 0) -> str:
    return "\n" * blank_lines + "Resources:\n" + "".join(JOB.format(name=name) for name in names)


def adopt(tmp_path, *names: str) -> None:
    (tmp_path / "stack.yaml").write_text(template(*names))
    result = run("baseline", *OPTIONS, "--output", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert f"wrote {len(names)} finding".encode() in result.stderr


def test_adopted_findings_are_hidden_and_the_run_passes(tmp_path) -> None:
    adopt(tmp_path, "Old", "Older")
    document = json.loads((tmp_path / "baseline.json").read_text())
    assert document["version"] == 1
    assert document["findings"] == [{"rule": "SageMaker.15", "path": "stack.yaml", "resource": "Old"},
                                    {"rule": "SageMaker.15", "path": "stack.yaml", "resource": "Older"}]
    plain = run("check", *OPTIONS, "stack.yaml", cwd=tmp_path)
    assert plain.returncode == 1 and len(lines(plain.stdout)) == 2
    result = run("check", *OPTIONS, "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, b"")
    assert "2 findings in the baseline baseline.json not shown" in result.stderr.decode()
    # the same file named another way (./stack.yaml, the directory) is the same key
    for spelling in ("./stack.yaml", ".", str(tmp_path / "stack.yaml")):
        again = run("check", *OPTIONS, "--baseline", "baseline.json", spelling, cwd=tmp_path)
        assert (again.returncode, again.stdout) == (0, b""), spelling


def test_moved_lines_stay_hidden(tmp_path) -> None:
    adopt(tmp_path, "Old", "Older")
    (tmp_path / "stack.yaml").write_text(template("Older", "Old", blank_lines=7))  # reordered, moved down
    result = run("check", *OPTIONS, "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, b"")


def test_a_new_finding_is_reported_and_fails(tmp_path) -> None:
    adopt(tmp_path, "Old")
    (tmp_path / "stack.yaml").write_text(template("Old", "New"))
    result = run("check", *OPTIONS, "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert result.returncode == 1
    reported = lines(result.stdout)
    assert len(reported) == 1 and "`New`" in reported[0] and reported[0].startswith("stack.yaml:")
    assert "1 finding in the baseline baseline.json not shown" in result.stderr.decode()


def test_entries_count(tmp_path) -> None:
    """A key held twice in the baseline and found once hides the one finding and leaves an entry stale."""
    (tmp_path / "stack.yaml").write_text(template("Old"))
    entry = {"rule": "SageMaker.15", "path": "stack.yaml", "resource": "Old"}
    (tmp_path / "baseline.json").write_text(json.dumps({"version": 1, "findings": [entry, entry]}))
    hidden = run("check", *OPTIONS, "--format", "json", "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert hidden.returncode == 0 and json.loads(hidden.stdout)["baselined"] == 1
    stale = run("baseline", *OPTIONS, "--check", "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert stale.returncode == 1
    assert lines(stale.stdout) == ["stack.yaml: SageMaker.15 Old: in the baseline, no longer found"]
    # the same resource name in another file is another key: new
    (tmp_path / "baseline.json").write_text(json.dumps({"version": 1, "findings": [entry]}))
    (tmp_path / "stack.json").write_text(json.dumps({"Resources": {
        "Old": {"Type": "AWS::SageMaker::ModelBiasJobDefinition",
                "Properties": {"JobResources": {"ClusterConfig": {"InstanceCount": 2}}}}}}))
    both = run("check", *OPTIONS, "--format", "json", "--baseline", "baseline.json", "stack.yaml", "stack.json",
               cwd=tmp_path)
    document = json.loads(both.stdout)
    assert both.returncode == 1
    assert document["baselined"] == 1 and [f["path"] for f in document["findings"]] == ["stack.json"]


def test_a_key_held_once_hides_one_of_two_findings() -> None:
    """Two findings with one key and one entry: one is new (the first, in report order, is hidden)."""
    from sagemaker_iac_lint import baseline
    from sagemaker_iac_lint.rules import RULES
    from sagemaker_iac_lint.scan import Finding

    rule = RULES[0]
    first = Finding(rule, "./a.yaml", 3, 1, "Job", "T", "message one")
    second = Finding(rule, "a.yaml", 9, 1, "Job", "T", "another message")
    other = Finding(rule, "a.yaml", 9, 1, "Job", "T", "m", deployment="prod.json")
    counts = {(rule.control, "a.yaml", "Job", ""): 1}
    new, hidden, stale = baseline.split([first, second, other], counts)
    assert (new, hidden, stale) == ([second, other], 1, {})
    assert counts == {(rule.control, "a.yaml", "Job", ""): 1}  # not changed


def test_a_deployment_is_part_of_the_key(tmp_path) -> None:
    (tmp_path / "stack.yaml").write_text("Parameters:\n  Count:\n    Type: Number\n    Default: 1\n"
                                         + template("Old").replace("InstanceCount: 2", "InstanceCount: !Ref Count"))
    (tmp_path / "prod.json").write_text(json.dumps([{"ParameterKey": "Count", "ParameterValue": "4"}]))
    made = run("baseline", *OPTIONS, "--parameter-file", "prod.json", "--output", "baseline.json", "stack.yaml",
               cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    [entry] = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert entry["resource"] == "Old" and "prod.json" in entry["deployment"]
    hidden = run("check", *OPTIONS, "--parameter-file", "prod.json", "--baseline", "baseline.json", "stack.yaml",
                 cwd=tmp_path)
    assert (hidden.returncode, hidden.stdout) == (0, b""), hidden.stderr
    entry.pop("deployment")  # the same resource as written, not as that deployment: another key
    (tmp_path / "baseline.json").write_text(json.dumps({"version": 1, "findings": [entry]}))
    shown = run("check", *OPTIONS, "--parameter-file", "prod.json", "--baseline", "baseline.json", "stack.yaml",
                cwd=tmp_path)
    assert shown.returncode == 1 and len(lines(shown.stdout)) == 1


def test_json_says_how_many_were_hidden(tmp_path) -> None:
    adopt(tmp_path, "Old", "Older")
    (tmp_path / "stack.yaml").write_text(template("Old", "Older", "New"))
    result = run("check", *OPTIONS, "--format", "json", "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert document["baselined"] == 2 and [f["resource"] for f in document["findings"]] == ["New"]
    assert result.stderr == b""  # the count is in the report, not on stderr, for the machine formats
    without = json.loads(run("check", *OPTIONS, "--format", "json", "stack.yaml", cwd=tmp_path).stdout)
    assert "baselined" not in without


def test_fixed_findings_are_stale(tmp_path) -> None:
    adopt(tmp_path, "Old", "Older")
    fresh = run("baseline", *OPTIONS, "--check", "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert (fresh.returncode, fresh.stdout) == (0, b"")
    (tmp_path / "stack.yaml").write_text(template("Older"))  # Old fixed (removed)
    result = run("baseline", *OPTIONS, "--check", "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert lines(result.stdout) == ["stack.yaml: SageMaker.15 Old: in the baseline, no longer found"]
    assert "1 baseline entry no longer found" in result.stderr.decode()
    # the fixed one hidden or not, check itself still passes: stale entries hide nothing
    check = run("check", *OPTIONS, "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert (check.returncode, check.stdout) == (0, b"")


def test_a_baseline_can_be_refreshed_inside_the_checked_directory(tmp_path) -> None:
    adopt(tmp_path, "Old")
    (tmp_path / "stack.yaml").write_text(template("Old", "New"))
    again = run("baseline", *OPTIONS, "--output", "baseline.json", ".", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(json.loads((tmp_path / "baseline.json").read_text())["findings"]) == 2
    check = run("check", *OPTIONS, "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert (check.returncode, check.stdout) == (0, b"")


def test_no_baseline_is_written_when_a_file_cannot_be_read(tmp_path) -> None:
    (tmp_path / "broken.yaml").write_text("Resources:\n  X:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n  [\n")
    result = run("baseline", *OPTIONS, "--output", "baseline.json", "broken.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "baseline.json not written" in result.stderr.decode()
    assert not (tmp_path / "baseline.json").exists()


BAD_BASELINES = [
    pytest.param(None, "cannot read the baseline", id="missing"),
    pytest.param("{not json", "is not JSON", id="not-json"),
    pytest.param(b"\xff\xfe", "is not JSON", id="not-utf-8"),
    pytest.param("[]", "not a sagemaker-iac-lint baseline", id="a-list"),
    pytest.param('{"findings": []}', "`version` must be 1", id="no-version"),
    pytest.param('{"version": 1}', "`findings` must be a list", id="no-findings"),
    pytest.param('{"version": 1, "findings": [], "extra": 1}', "unknown key `extra`", id="unknown-key"),
    pytest.param('{"version": 1, "findings": ["x"]}', "finding 1 is not an object", id="entry-not-object"),
    pytest.param('{"version": 1, "findings": [{"rule": "SageMaker.15", "path": "stack.yaml"}]}',
                 "`resource` must be a non-empty string", id="entry-without-resource"),
    pytest.param('{"version": 1, "findings": [{"rule": "SageMaker.99", "path": "a", "resource": "b"}]}',
                 "unknown rule `SageMaker.99`", id="unknown-rule"),
    pytest.param('{"version": 1, "findings": [{"rule": "SageMaker.15", "path": "a", "resource": "b", "line": 3}]}',
                 "unknown key `line`", id="entry-unknown-key"),
]


@pytest.mark.parametrize("content,message", BAD_BASELINES)
@pytest.mark.parametrize("command", ["check", "baseline --check"])
def test_a_bad_baseline_is_an_error(tmp_path, content: str | bytes | None, message: str, command: str) -> None:
    (tmp_path / "stack.yaml").write_text(template("Old"))
    if isinstance(content, bytes):
        (tmp_path / "baseline.json").write_bytes(content)
    elif content is not None:
        (tmp_path / "baseline.json").write_text(content)
    result = run(*command.split(), *OPTIONS, "--baseline", "baseline.json", "stack.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == b""
    error = result.stderr.decode()
    assert error.startswith("sagemaker-iac-lint: error: ") and "baseline.json" in error and message in error, error


def test_usage_errors(tmp_path) -> None:
    (tmp_path / "stack.yaml").write_text(template("Old"))
    for arguments, text in [
        (["baseline", "stack.yaml"], "one of the arguments --output/-o --check is required"),
        (["baseline", "--check", "stack.yaml"], "baseline --check needs --baseline FILE"),
        (["baseline", "--output", "b.json", "--baseline", "b.json", "stack.yaml"], "--baseline is read by"),
        (["check", "--fix", "--baseline", "b.json", "stack.yaml"], "--baseline cannot be combined with --fix"),
    ]:
        result = run(*arguments, cwd=tmp_path)
        assert result.returncode == 2 and text in result.stderr.decode(), arguments
