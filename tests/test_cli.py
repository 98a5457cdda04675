"""The CLI contract: exit codes, formats, --output, configuration, suppression, the pre-scan."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys

import pytest
from console import without_summary
from fixture_cases import FIXTURES

from sagemaker_iac_lint.cli import main

CFN = os.path.join(FIXTURES, "cloudformation")
LITERAL = os.path.join(CFN, "sagemaker-15", "literal.fail.yaml")
PASSING = os.path.join(CFN, "sagemaker-9", "basic.pass.yaml")
# The fixtures are about one control each; their resources are judged by other controls too (a model bias
# job definition without EnableNetworkIsolation also fails SageMaker.12). The CLI contract is read on the
# fixture's own control.
ONLY_15 = ["--select", "SageMaker.15"]
ONLY_9 = ["--select", "SageMaker.9"]
TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>SageMaker\.\d+) (?P<message>.+)$")


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, without_summary(err)


def test_exit_codes(capsys, tmp_path) -> None:
    assert run(["check", *ONLY_9, PASSING], capsys)[0] == 0
    assert run(["check", *ONLY_15, LITERAL], capsys)[0] == 1
    code, _, err = run(["check", str(tmp_path / "missing.yaml")], capsys)
    assert code == 2 and "missing.yaml: error: no such file or directory" in err


def test_usage_error_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--format", "xml", LITERAL])
    assert exit_info.value.code == 2


def test_text_lines_are_what_problem_matchers_read(capsys) -> None:
    code, out, _ = run(["check", *ONLY_15, LITERAL], capsys)
    lines = out.splitlines()
    assert code == 1 and len(lines) == 3
    for line in lines:
        match = TEXT_LINE.match(line)
        assert match, line
        assert match["path"] == LITERAL and match["rule"] == "SageMaker.15"
    assert [int(TEXT_LINE.match(line)["line"]) for line in lines] == [13, 29, 60]


def test_json_contract(capsys) -> None:
    code, out, _ = run(["check", *ONLY_15, "--format", "json", LITERAL], capsys)
    document = json.loads(out)
    assert code == 1
    assert set(document) == {"findings", "errors"}
    assert document["errors"] == []
    first = document["findings"][0]
    assert set(first) == {"rule", "path", "line", "column", "resource", "resource_type", "message", "severity"}
    assert first["rule"] == "SageMaker.15"
    assert first["resource"] == "JobFailFlagFalse"
    assert first["resource_type"] == "AWS::SageMaker::ModelBiasJobDefinition"
    assert (first["line"], first["column"]) == (13, 9)
    assert first["severity"] == "medium"


def test_github_annotations(capsys) -> None:
    _, out, _ = run(["check", *ONLY_15, "--format", "github", LITERAL], capsys)
    first = out.splitlines()[0]
    assert first.startswith(f"::error file={LITERAL},line=13,col=9,title=SageMaker.15 ")
    assert "::model bias job definition `JobFailFlagFalse`" in first


def test_output_file_leaves_stdout_empty(capsys, tmp_path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(["check", *ONLY_15, "--format", "json", "--output", str(target), LITERAL], capsys)
    assert code == 1 and out == ""
    assert len(json.loads(target.read_text())["findings"]) == 3


def test_strict_flag_and_select_ignore(capsys) -> None:
    standard = json.loads(run(["check", *ONLY_15, "--format", "json", LITERAL], capsys)[1])["findings"]
    strict = json.loads(run(["check", *ONLY_15, "--strict", "--format", "json", LITERAL], capsys)[1])["findings"]
    assert {f["resource"] for f in strict} - {f["resource"] for f in standard} == {"JobStrictFailSingleInstance"}
    code, out, _ = run(["check", "--ignore", "SageMaker.15", LITERAL], capsys)
    assert code == 1 and " SageMaker.15 " not in out and " SageMaker.12 " in out  # the template's other control stays
    code, out, _ = run(["check", "--ignore", "SageMaker.15,SageMaker.12", LITERAL], capsys)
    assert code == 0 and out == ""
    code, _, _ = run(["check", "--select", "E9509", LITERAL], capsys)
    assert code == 0
    code, _, err = run(["check", "--select", "SageMaker.99", LITERAL], capsys)
    assert code == 2 and "unknown rule" in err


def test_pyproject_configuration_and_flags_win(capsys, tmp_path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sagemaker-iac-lint]\nstrict = true\nexclude = ["skipped/*"]\nselect = ["SageMaker.15"]\n', encoding="utf-8"
    )
    (tmp_path / "skipped").mkdir()
    with open(LITERAL, encoding="utf-8") as handle:
        text = handle.read()
    (tmp_path / "skipped" / "job.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "single.yaml").write_text(
        text.split("  JobStrictFailSingleInstance:")[0].split("Resources:")[0]
        + "Resources:\n  JobStrictFailSingleInstance:" + text.split("  JobStrictFailSingleInstance:")[1].split("  JobPassSingleEncrypted:")[0],
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "."], capsys)
    assert code == 1 and "skipped" not in out and "JobStrictFailSingleInstance" in out
    assert run(["check", "--no-strict", "."], capsys)[0] == 0
    assert run(["check", "--no-config", *ONLY_15, "."], capsys)[0] == 1  # the excluded folder is read again


def test_bad_configuration_exits_2(capsys, tmp_path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.sagemaker-iac-lint]\nstrictness = true\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["check", "."], capsys)
    assert code == 2 and "unknown key(s)" in err and "strictness" in err


def test_suppression_needs_a_reason(capsys) -> None:
    with_reason = os.path.join(CFN, "sagemaker-15", "suppressed.pass.yaml")
    without = os.path.join(CFN, "sagemaker-15", "suppressed-without-reason.fail.yaml")
    assert run(["check", *ONLY_15, with_reason], capsys)[0] == 0
    code, out, _ = run(["check", *ONLY_15, without], capsys)
    assert code == 1 and "gives no reason, so it is not applied" in out


def test_prescan_skips_other_yaml_quietly(capsys, tmp_path) -> None:
    (tmp_path / "deployment.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")
    (tmp_path / "workflow.yml").write_text("on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n")
    (tmp_path / "broken-but-unrelated.yaml").write_text("key: [unclosed\n")
    code, out, err = run(["check", str(tmp_path)], capsys)
    assert (code, out, err) == (0, "", "")


def test_walk_skips_vendored_directories(capsys, tmp_path) -> None:
    with open(LITERAL, encoding="utf-8") as handle:
        text = handle.read()
    for skipped in (".git", ".terraform", "node_modules"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "job.yaml").write_text(text)
    assert run(["check", str(tmp_path)], capsys)[0] == 0


def test_rules_and_checkov_dir_commands(capsys) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    from sagemaker_iac_lint.rules import all_rules

    # one line per rule, the controls by number and then the configuration diagnostics (SIL001), each
    # followed by a line (indented) of the resource types it judges
    assert [line.split()[0] for line in out.splitlines() if not line.startswith(" ")] == \
        [rule.control for rule in sorted(all_rules(), key=lambda rule: (bool(rule.code), rule.number))]
    assert "  AWS::SageMaker::ModelBiasJobDefinition, awscc_sagemaker_model_bias_job_definition" in out
    assert "E9515" in out and "CKV_SAGEMAKER_15" in out


def test_console_script_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sagemaker_iac_lint", "check", *ONLY_15, "--format", "json", LITERAL],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert len(json.loads(result.stdout)["findings"]) == 3


# Arguments to build check command lines from: plain ones, and every spelling argparse reads
# differently or refuses (abbreviations, ``--``, ``-oFILE``, help, a path after an option...).
ARGUMENT_WORDS = [
    "a.yaml", "dir", "", "-", "--", "check", "a b", "x=y", "--strict", "--no-strict", "--no-config", "--strict=1",
    "--format", "json", "sarif", "xml", "--format=json", "--format=github", "--format=", "--format=xml", "-o", "out.txt",
    "-o=out", "-oout", "--output", "--output=x=y", "--output=", "--select", "SageMaker.15,E9509", "--select=E9510",
    "--ignore", "CKV_SAGEMAKER_22", "--exclude", "*.json", "--exclude=examples/*", "--config", "pyproject.toml",
    "--config=p.toml", "--conf", "--str", "--no-s", "--form", "-h", "--help", "--version", "-1", "-x",
    "--exit-zero", "--exit-zero=1", "--exit", "--baseline", "base.json", "--baseline=b.json", "--base",
    "-q", "--quiet", "-qq", "--quiet=1", "--statistics", "--stat", "--color", "always", "--color=never",
    "--color=sometimes", "--colo", "--stdin-filename", "x.tf", "--stdin-filename=-", "--stdin",
    "--jobs", "-j", "2", "auto", "--jobs=0", "--jobs=x", "-j=2", "-j2", "--job",
]


def test_check_command_line_is_read_as_argparse_reads_it(capsys) -> None:
    """A check run reads a plain command line without argparse; the result must be argparse's,
    and whatever it does not read (help, errors, odd spellings) must go to argparse."""
    from sagemaker_iac_lint import cli

    parser = cli.build_parser("check")
    rng = random.Random(1515)
    lines = [[]] + [[word] for word in ARGUMENT_WORDS] + [[a, b] for a in ARGUMENT_WORDS for b in ARGUMENT_WORDS]
    lines += [[rng.choice(ARGUMENT_WORDS) for _ in range(rng.randint(3, 7))] for _ in range(4000)]
    read = accepted = 0
    for tail in lines:
        arguments = ["check", *tail]
        ours = cli._parse_check(arguments)
        try:
            expected = vars(parser.parse_args(arguments))
            accepted += 1
        except SystemExit:
            expected = None
        capsys.readouterr()
        if ours is not None:
            read += 1
            assert {"command": ours.command, **vars(ours)} == expected, arguments
    assert read > 0.4 * accepted  # the plain command lines do take the short way:
    for plain in (["check"], ["check", "a.yaml", "b.json"], ["check", "--strict", "--format", "sarif", "-o", "out", "."]):
        assert cli._parse_check(plain) is not None, plain
    assert cli._parse_check(["rules"]) is None and cli._parse_check([]) is None


def test_usage_errors_and_help_are_argparse_s(capsys) -> None:
    for arguments, code, stream, text in [
        (["check", "--strict", "--no-strict", LITERAL], 2, "err", "not allowed with argument"),
        (["check", LITERAL, "--strict", LITERAL], 2, "err", "unrecognized arguments"),
        (["check", "--format"], 2, "err", "expected one argument"),
        (["check", "-h"], 0, "out", "--no-config"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(arguments)
        out, err = capsys.readouterr()
        assert exit_info.value.code == code
        assert text in (out if stream == "out" else err), arguments
        if code == 2:
            assert err.startswith("usage: sagemaker-iac-lint ")
    # an abbreviation: argparse reads it, to the same effect as the full spelling
    assert run(["check", "--str", "--form=json", LITERAL], capsys) == run(["check", "--strict", "--format", "json", LITERAL], capsys)
    assert len(json.loads(run(["check", *ONLY_15, "--str", "--form=json", LITERAL], capsys)[1])["findings"]) == 4


def test_check_run_imports_nothing_it_does_not_use() -> None:
    """What a plain check run imports beyond PyYAML: none of these (start-up time, see docs/benchmarks.md)."""
    avoidable = ["argparse", "dataclasses", "inspect", "typing", "json", "gettext", "locale", "importlib.util", "shutil"]
    probe = (
        "import sys, yaml; before = set(sys.modules); from sagemaker_iac_lint.cli import main; "
        "code = main(['check', '--no-config', sys.argv[1]]); "
        "print(code, sorted(m for m in sys.argv[2:] if m in sys.modules and m not in before))"
    )
    result = subprocess.run([sys.executable, "-c", probe, LITERAL, *avoidable], capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "1 []", result.stdout + result.stderr


def test_records_have_value_semantics() -> None:
    """Rule, Value, Subject, Finding... are plain classes (for start-up time) with what callers use
    of a dataclass: keyword construction, ==, a hash for the immutable ones, ``replace`` (the
    cfn-lint adapter replaces a Subject's paths, the Checkov tests a Rule's number), copying."""
    import copy
    import pickle

    from sagemaker_iac_lint.config import Config
    from sagemaker_iac_lint.core import Subject, Value
    from sagemaker_iac_lint.rules import RULES
    from sagemaker_iac_lint.scan import Finding, Options

    rule = RULES[0]
    value = Value.of(3, "parameter `Count`", line=4, column=5)
    assert value == Value("literal", 3, "parameter `Count`", 4, 5) and hash(value) == hash(Value.of(3, "parameter `Count`", 4, 5))
    assert value != Value.of(4) and repr(Value.absent()) == "Value(kind='absent', literal=None, origin='', line=0, column=0, element='')"
    renumbered = rule.replace(number=99)
    assert renumbered.control == "SageMaker.99" and renumbered.cfn_types == rule.cfn_types and rule.number == 15
    with pytest.raises(TypeError, match="no field 'numbr'"):
        rule.replace(numbr=99)
    subject = Subject(rule=rule, name="Job", resource_type="T", line=1, column=2, count=[], flag=[])
    moved = subject.replace(line=7, flag=[(frozenset(), value)])
    assert (moved.line, moved.column, moved.flag, moved.notes, moved.suppressions) == (7, 2, [(frozenset(), value)], [], {})
    assert subject.notes is not Subject(rule, "Job", "T", 1, 2, [], []).notes  # a new list each time, as default_factory
    assert Finding.__slots__[:3] == ("rule", "path", "line")
    assert Options().as_dict() == {"strict": False, "select": None, "ignore": frozenset(), "exclude": (),
                                   "var_files": (), "variables": (), "deployments": None, "jobs": 1}
    assert copy.deepcopy(rule) == rule and pickle.loads(pickle.dumps(value)) == value and copy.copy(subject) == subject
    assert Config() == Config() and Config(strict=True) != Config()
    with pytest.raises(TypeError):
        hash(subject)  # mutable: unhashable, as a dataclass with eq

def test_schedule_whose_inline_definition_is_removed_passes(capsys, tmp_path) -> None:
    template = tmp_path / "schedule.yaml"
    template.write_text(
        "Conditions:\n  IsProd: !Equals [!Ref AWS::Region, us-east-1]\n"
        "Resources:\n"
        "  SchedulePassRemoved:\n    Type: AWS::SageMaker::MonitoringSchedule\n    Properties:\n"
        "      MonitoringScheduleConfig:\n        MonitoringJobDefinitionName: existing\n"
        "        MonitoringJobDefinition: !Ref AWS::NoValue\n"
        "  ScheduleFailInlineInProd:\n    Type: AWS::SageMaker::MonitoringSchedule\n    Properties:\n"
        "      MonitoringScheduleConfig:\n        MonitoringJobDefinitionName: existing\n"
        "        MonitoringJobDefinition: !If\n          - IsProd\n"
        "          - MonitoringResources: {ClusterConfig: {InstanceCount: 1}}\n"
        "          - !Ref AWS::NoValue\n",
        encoding="utf-8",
    )
    code, out, _ = run(["check", "--select", "SageMaker.22", "--format", "json", str(template)], capsys)
    findings = json.loads(out)["findings"]
    assert code == 1 and [f["resource"] for f in findings] == ["ScheduleFailInlineInProd"]
    assert "when condition `IsProd` is true" in findings[0]["message"]


def test_condition_that_cannot_be_evaluated_stays_possible(capsys, tmp_path) -> None:
    template = tmp_path / "odd.yaml"
    template.write_text(
        "Conditions:\n  Odd: {Fn::Equals: [a]}\n  Other: !Not [!Condition Odd]\n"
        "Resources:\n  JobFailOdd:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties:\n"
        "      JobResources: {ClusterConfig: {InstanceCount: !If [Odd, 4, 1]}}\n"
        "      NetworkConfig: {EnableInterContainerTrafficEncryption: !If [Other, false, true]}\n",
        encoding="utf-8",
    )
    assert run(["check", str(template)], capsys)[0] == 1


def test_version_short_and_long_spelling() -> None:
    from sagemaker_iac_lint import __version__

    for flag in ("-V", "--version"):
        result = subprocess.run([sys.executable, "-m", "sagemaker_iac_lint", flag], capture_output=True, text=True,
                                timeout=120)
        assert (result.returncode, result.stdout, result.stderr) == (0, f"sagemaker-iac-lint {__version__}\n", "")


def test_exit_zero_reports_findings_but_exits_0_and_errors_still_exit_2(tmp_path) -> None:
    command = [sys.executable, "-m", "sagemaker_iac_lint", "check", "--no-config", *ONLY_15, "--exit-zero"]
    result = subprocess.run(command + [LITERAL], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 3 and all(" SageMaker.15 " in line for line in result.stdout.splitlines())
    (tmp_path / "bad.yaml").write_text("Resources:\n  J:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties: [\n")
    result = subprocess.run(command + [LITERAL, str(tmp_path / "bad.yaml")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and len(result.stdout.splitlines()) == 3


def test_rules_json_lists_every_rule_from_the_table() -> None:
    import json

    from console import run as run_console

    from sagemaker_iac_lint.rules import all_rules

    done = run_console("rules", "--format", "json")
    assert (done.returncode, done.stderr) == (0, b"")
    listing = json.loads(done.stdout)
    assert [entry["rule"] for entry in listing] == \
        [rule.control for rule in sorted(all_rules(), key=lambda rule: (bool(rule.code), rule.number))]
    assert next(entry for entry in listing if entry["rule"] == "SageMaker.15") == {
        "rule": "SageMaker.15", "cfn_lint_id": "E9515", "checkov_id": "CKV_SAGEMAKER_15",
        "title": "SageMaker model bias job definitions should have inter-container traffic encryption enabled",
        "description": "Model bias job definition on 2+ instances without inter-container traffic encryption",
        "severity": "medium",
        "help_url": "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-15",
        "config_rule": "sagemaker-model-bias-job-encrypt-in-transit",
        "cloudformation_types": ["AWS::SageMaker::ModelBiasJobDefinition"],
        "terraform_types": ["awscc_sagemaker_model_bias_job_definition"],
    }


def test_selecting_no_rule_is_an_error_not_a_silent_pass(tmp_path) -> None:
    command = [sys.executable, "-m", "sagemaker_iac_lint", "check"]
    result = subprocess.run(command + ["--no-config", "--select=,", LITERAL], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "sagemaker-iac-lint: error: --select: no rule id given (to report every rule, leave it out)\n"
    (tmp_path / "pyproject.toml").write_text("[tool.sagemaker-iac-lint]\nselect = []\n")
    result = subprocess.run(command + [LITERAL], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2 and "`select`: no rule id given" in result.stderr
