"""What users type first, through the installed console script: -q, the summary line, --statistics,
colour, an unknown option's usage, --fix with --baseline, and the baseline's count in each format."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest
from console import COMMAND, lines, run
from fixture_cases import FIXTURES

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal for stderr")

JOB = """\
  {name}:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources:
        ClusterConfig:
          InstanceCount: {count}
      NetworkConfig:
        EnableNetworkIsolation: true
"""
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def template(*names: str, count: int = 2) -> str:
    return "Resources:\n" + "".join(JOB.format(name=name, count=count) for name in names)


def project(tmp_path) -> None:
    """Two templates with findings (3 in all), one clean, one unreadable."""
    (tmp_path / "a.yaml").write_text(template("One", "Two"))
    (tmp_path / "b.yaml").write_text(template("Three"))
    (tmp_path / "clean.yaml").write_text(template("Single", count=1))
    (tmp_path / "bad.yaml").write_text("Resources:\n  J:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties: [\n")


def on_a_terminal(*args: str, cwd: object = None, env: dict | None = None) -> tuple[int, bytes, bytes]:
    """(exit status, stdout, stderr) with stderr a pseudo-terminal, as in an interactive shell."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([*COMMAND, *args], stdout=subprocess.PIPE, stderr=follower, cwd=cwd, timeout=120,
                              env=env)
        os.close(follower)
        follower = -1
        err = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the other end is closed and drained
                break
            if not chunk:
                break
            err += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    return done.returncode, done.stdout, err.replace(b"\r\n", b"\n")


def test_summary_line_on_a_terminal(tmp_path) -> None:
    project(tmp_path)
    code, out, err = on_a_terminal("check", "--no-config", ".", cwd=tmp_path)
    assert code == 2 and len(lines(out)) == 3
    assert err.decode().splitlines()[-1] == "sagemaker-iac-lint: 3 findings in 2 of 4 files checked, 1 file could not be read"
    (tmp_path / "bad.yaml").unlink()
    code, _, err = on_a_terminal("check", "--no-config", "a.yaml", cwd=tmp_path)
    assert (code, err) == (1, b"sagemaker-iac-lint: 2 findings in 1 file checked\n")
    code, out, err = on_a_terminal("check", "--no-config", "clean.yaml", "b.yaml", "--select", "SageMaker.9", cwd=tmp_path)
    assert (code, out, err) == (0, b"", b"sagemaker-iac-lint: no findings in 2 files checked\n")
    # -q: only the findings; other formats have no summary (their output is for machines)
    code, out, err = on_a_terminal("check", "--no-config", "-q", ".", cwd=tmp_path)
    assert (code, len(lines(out)), err) == (1, 3, b"")
    code, out, err = on_a_terminal("check", "--no-config", "--format", "json", ".", cwd=tmp_path)
    assert (code, err) == (1, b"") and len(json.loads(out)["findings"]) == 3


def test_the_summary_ends_stderr_when_it_is_a_pipe_too(tmp_path) -> None:
    """A CI log or a hook's output gets the same last line as a terminal, after what went wrong."""
    project(tmp_path)
    done = run("check", "--no-config", ".", cwd=tmp_path)
    assert done.returncode == 2 and len(lines(done.stdout)) == 3
    assert lines(done.stderr) == ["bad.yaml: error: " + lines(done.stderr)[0].split(": error: ", 1)[1],
                                  "sagemaker-iac-lint: 3 findings in 2 of 4 files checked, 1 file could not be read"]


def test_quiet_hides_the_baseline_note_but_not_errors(tmp_path) -> None:
    project(tmp_path)
    assert run("baseline", "--no-config", "-o", "base.json", "a.yaml", "b.yaml", cwd=tmp_path).returncode == 0
    noted = run("check", "--no-config", "--baseline", "base.json", "a.yaml", "b.yaml", cwd=tmp_path)
    assert (noted.returncode, noted.stdout) == (0, b"")
    assert noted.stderr == b"sagemaker-iac-lint: 3 findings in the baseline base.json not shown\n" \
        b"sagemaker-iac-lint: no findings in 2 files checked\n"
    quiet = run("check", "--no-config", "--quiet", "--baseline", "base.json", "a.yaml", "b.yaml", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, b"", b"")
    errors = run("check", "--no-config", "-q", "bad.yaml", cwd=tmp_path)
    assert errors.returncode == 2 and lines(errors.stderr)[0].startswith("bad.yaml: error: ")


def test_statistics_counts_findings_per_rule(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(template("One", "Two") + JOB.format(name="Quality", count=2).replace(
        "ModelBiasJobDefinition", "ModelQualityJobDefinition"))
    (tmp_path / "b.yaml").write_text(template("Three"))
    full = json.loads(run("check", "--no-config", "--format", "json", ".", cwd=tmp_path).stdout)["findings"]
    counts: dict[str, int] = {}
    for finding in full:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    assert len(counts) == 2
    done = run("check", "--no-config", "--statistics", ".", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr == b""
    rows = [line.split("\t") for line in lines(done.stdout)]
    assert [(int(count), rule) for count, rule, _ in rows] == sorted(((n, r) for r, n in counts.items()), reverse=True)
    assert rows[0][2] == "Model bias job definition on 2+ instances without inter-container traffic encryption"
    as_json = json.loads(run("check", "--no-config", "--statistics", "--format", "json", ".", cwd=tmp_path).stdout)
    assert [(row["rule"], row["count"]) for row in as_json] == [(rule, int(count)) for count, rule, _ in rows]
    assert set(as_json[0]) == {"rule", "cfn_lint_id", "checkov_id", "description", "count"}
    assert run("check", "--no-config", "--statistics", "--exit-zero", ".", cwd=tmp_path).returncode == 0
    wrong = run("check", "--no-config", "--statistics", "--format", "sarif", ".", cwd=tmp_path)
    assert (wrong.returncode, wrong.stdout) == (2, b"")
    assert wrong.stderr == b"sagemaker-iac-lint: error: --statistics prints text or json, not --format sarif\n"


def env_with(**values: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(values)
    return env


def test_color_choices_and_environment(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(template("One"))
    plain = run("check", "--no-config", "a.yaml", cwd=tmp_path, env=env_with())
    assert SGR.search(plain.stdout) is None  # a pipe: auto is off
    cases = [
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the flag wins over the environment
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": ""}, False),  # empty: not set
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ([], {"NO_COLOR": ""}, False),
    ]
    for flags, values, coloured in cases:
        done = run("check", "--no-config", *flags, "a.yaml", cwd=tmp_path, env=env_with(**values))
        assert done.returncode == 1
        assert (SGR.search(done.stdout) is not None) is coloured, (flags, values)
        assert SGR.sub(b"", done.stdout) == plain.stdout, (flags, values)  # the same text under the colour
    statistics = run("check", "--no-config", "--statistics", "--color", "always", "a.yaml", cwd=tmp_path)
    assert SGR.search(statistics.stdout) is not None
    assert SGR.sub(b"", statistics.stdout) == run("check", "--no-config", "--statistics", "a.yaml", cwd=tmp_path).stdout
    for fmt in ("json", "sarif", "github", "gitlab", "junit"):
        done = run("check", "--no-config", "--color", "always", "--format", fmt, "a.yaml", cwd=tmp_path,
                   env=env_with(FORCE_COLOR="1"))
        assert b"\x1b" not in done.stdout, fmt
    bad = run("check", "--color", "sometimes", "a.yaml", cwd=tmp_path)
    assert bad.returncode == 2 and b"usage: sagemaker-iac-lint check " in bad.stderr


def test_color_on_a_terminal_when_auto(tmp_path) -> None:
    """auto colours a terminal on stdout (a pseudo-terminal here) unless NO_COLOR or TERM=dumb."""
    (tmp_path / "a.yaml").write_text(template("One"))

    def stdout_on_a_terminal(**values: str) -> bytes:
        leader, follower = pty.openpty()
        try:
            subprocess.run([*COMMAND, "check", "--no-config", "a.yaml"], stdout=follower, stderr=subprocess.DEVNULL,
                           cwd=tmp_path, timeout=120, env=env_with(**values))
            os.close(follower)
            follower = -1
            out = b""
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            if follower != -1:
                os.close(follower)
            os.close(leader)
        return out

    assert SGR.search(stdout_on_a_terminal()) is not None
    assert SGR.search(stdout_on_a_terminal(NO_COLOR="1")) is None
    assert SGR.search(stdout_on_a_terminal(TERM="dumb")) is None


def test_colour_codes_are_ours_only_around_escaped_text(tmp_path) -> None:
    """A logical id or file name with terminal escapes stays escaped under --color always."""
    name = "evil\x1b[2Jname.yaml"
    (tmp_path / name).write_text(template('"Job\\e]0;title\\a\\e[2K"'))
    done = run("check", "--no-config", "--color", "always", name, cwd=tmp_path)
    assert done.returncode == 1
    (line,) = lines(SGR.sub(b"", done.stdout))
    assert re.match(r'"evil\\x1b\[2Jname\.yaml":\d+:\d+: SageMaker\.15 ', line) and "\\x1b]0;title\\x07\\x1b[2K" in line
    codes = set(SGR.findall(done.stdout))
    assert codes <= {b"\x1b[1m", b"\x1b[31m", b"\x1b[36m", b"\x1b[0m"}, codes
    assert done.stdout.count(b"\x1b") == sum(done.stdout.count(code) for code in codes)  # no other escape at all
    assert b"\x07" not in done.stdout


def test_an_unknown_check_option_shows_check_s_usage(tmp_path) -> None:
    for args in (["check", "--bogus", "."], ["check", ".", "--strict", "."], ["check", "-Z"]):
        done = run(*args, cwd=tmp_path)
        assert done.returncode == 2 and done.stdout == b""
        err = done.stderr.decode()
        assert err.startswith("usage: sagemaker-iac-lint check "), err
        assert "sagemaker-iac-lint check: error: unrecognized arguments: " in err
    other = run("rules", "--bogus")
    assert other.returncode == 2 and other.stderr.startswith(b"usage: sagemaker-iac-lint rules ")


def test_fix_with_a_baseline_is_refused(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(template("One"))
    assert run("baseline", "--no-config", "-o", "base.json", "a.yaml", cwd=tmp_path).returncode == 0
    before = (tmp_path / "a.yaml").read_bytes()
    done = run("check", "--no-config", "--fix", "--baseline", "base.json", "a.yaml", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr == (b"sagemaker-iac-lint: error: --baseline cannot be combined with --fix: "
                           b"run `fix` first, then `check --baseline`\n")
    assert (tmp_path / "a.yaml").read_bytes() == before  # nothing was edited


def test_the_baseline_count_in_sarif_and_junit(tmp_path) -> None:
    import xml.etree.ElementTree as ElementTree

    (tmp_path / "a.yaml").write_text(template("Old", "Older"))
    assert run("baseline", "--no-config", "-o", "base.json", "a.yaml", cwd=tmp_path).returncode == 0
    (tmp_path / "a.yaml").write_text(template("Old", "Older", "New"))
    sarif = json.loads(run("check", "--no-config", "--format", "sarif", "--baseline", "base.json", "a.yaml",
                           cwd=tmp_path).stdout)
    assert sarif["runs"][0]["properties"] == {"baselined": 2} and len(sarif["runs"][0]["results"]) == 1
    jsonschema = pytest.importorskip("jsonschema")
    with open(os.path.join(os.path.dirname(__file__), "schemas", "sarif-2.1.0.json"), encoding="utf-8") as handle:
        jsonschema.validate(sarif, json.load(handle))
    junit = run("check", "--no-config", "--format", "junit", "--baseline", "base.json", "a.yaml", cwd=tmp_path)
    suite = ElementTree.fromstring(junit.stdout).find("testsuite")
    assert suite is not None
    assert [(p.get("name"), p.get("value")) for p in suite.iter("property")] == [("baselined", "2")]
    assert [child.tag for child in suite] == ["properties", "testcase"]
    assert len(suite.find("testcase").findall("failure")) == 1
    without = run("check", "--no-config", "--format", "sarif", "a.yaml", cwd=tmp_path)
    assert "properties" not in json.loads(without.stdout)["runs"][0]


def test_stdin_fixture_with_quiet_and_statistics() -> None:
    """The new flags compose with stdin: the statistics of a template piped in."""
    path = os.path.join(FIXTURES, "cloudformation", "sagemaker-15", "literal.fail.yaml")
    with open(path, "rb") as handle:
        data = handle.read()
    expected = run("check", "--no-config", "--statistics", path)
    done = subprocess.run([*COMMAND, "check", "--no-config", "-q", "--statistics", "-"], input=data,
                          capture_output=True, timeout=120)
    assert (done.returncode, done.stdout) == (expected.returncode, expected.stdout) and done.stdout


FIX_JOB = (
    "Resources:\n"
    "  Job:\n"
    "    Type: AWS::SageMaker::ModelBiasJobDefinition\n"
    "    Properties:\n"
    "      JobResources: {ClusterConfig: {InstanceCount: 2, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}}\n"
)


def test_fix_speaks_as_check_does_quiet_colour_and_escaped_paths(tmp_path) -> None:
    """`fix` and `check --fix`: -q leaves what is left and the errors; --color as check; a file name is
    data in the notes on stderr too."""
    name = "a\nb.yaml"
    (tmp_path / name).write_text(FIX_JOB)
    fix = ("fix", "--no-config", "--select", "SageMaker.15")
    loud = run(*fix, name, cwd=tmp_path)
    assert loud.returncode == 1
    (left,) = lines(loud.stdout)
    assert left.startswith('"a\\nb.yaml":2:3: SageMaker.15 ')
    assert lines(loud.stderr) == [
        "sagemaker-iac-lint: fixed 0 of 1 finding(s); 1 unsafe fix(es) not applied (add --unsafe-fixes)",
        lines(loud.stderr)[1]]
    assert lines(loud.stderr)[1].startswith('  "a\\nb.yaml":2:3: SageMaker.15 Job: ')
    for quiet in (run(*fix, "-q", name, cwd=tmp_path), run("check", "--no-config", "--select", "SageMaker.15",
                                                             "--fix", "-q", name, cwd=tmp_path)):
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (1, loud.stdout, b"")
    coloured = run(*fix, "-q", "--color", "always", name, cwd=tmp_path)
    assert coloured.returncode == 1 and b"\x1b[" in coloured.stdout and b"\x1b[" not in loud.stdout
    assert (tmp_path / name).read_text() == FIX_JOB  # the only fix is unsafe: nothing written
