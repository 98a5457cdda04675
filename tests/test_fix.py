"""`fix`: every fixture finding whose flag is a literal or missing is fixed, comments stay, fixing twice
changes nothing, and the fixed file re-checks clean for what was fixed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sagemaker_iac_lint import cli
from sagemaker_iac_lint import fix as fix_module
from sagemaker_iac_lint.rules import PRESENT
from sagemaker_iac_lint.scan import Options, scan

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    p for p in FIXTURES.glob("*/*/*.fail.*")
    if p.parent.parent.name in ("cloudformation", "terraform", "terraform_json")
)


def _needs(path: Path) -> None:
    if path.suffix == ".tf" or path.name.endswith(".tf.json"):
        pytest.importorskip("hcl2")


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line and not line.lstrip().startswith('"')]


# Named limits: the flag's absence comes from an `Fn::If` / `AWS::NoValue` on NetworkConfig itself, a merge
# key, a `Fn::ForEach` loop or a malformed value; these findings get "no automatic fix", said per finding.
NOT_FIXED = {
    "cloudformation/sagemaker-15/conditions.fail.json",
    "cloudformation/sagemaker-15/conditions.fail.yaml",
    "cloudformation/sagemaker-15/no-value.fail.json",
    "cloudformation/sagemaker-15/language-extensions.fail.yaml",
    "cloudformation/sagemaker-15/malformed.fail.yaml",
    "cloudformation/sagemaker-15/merge-keys.fail.yaml",
    "cloudformation/sagemaker-15/no-value.fail.yaml",
    "cloudformation/sagemaker-22/config-no-value.fail.yaml",
    "cloudformation/sagemaker-22/no-value.fail.yaml",
    "cloudformation/sagemaker-16/primary-container.fail.yaml",  # `ImageConfig` itself an `Fn::If` with `AWS::NoValue`
}
CASES = [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="no automatic fix for this shape"))
    if str(p.relative_to(FIXTURES)) in NOT_FIXED else p
    for p in CASES
]


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fix_unsafe_is_idempotent_keeps_comments_and_rechecks_clean(tmp_path, fixture, capsys):
    _needs(fixture)
    target = tmp_path / fixture.name
    shutil.copy(fixture, target)
    before = target.read_text()
    findings_before = scan([str(target)], Options()).findings
    cli.main(["fix", "--unsafe-fixes", "--no-config", str(target)])
    once = target.read_text()
    cli.main(["fix", "--unsafe-fixes", "--no-config", str(target)])
    assert target.read_text() == once  # fixing twice changes nothing
    assert _comments(once) == _comments(before) or fixture.suffix == ".json"
    left = scan([str(target)], Options())
    assert not left.errors
    # a literal or missing value, of a rule that one value makes pass (not a KMS key, a subnet or a count)
    fixable = [f for f in findings_before if ("is not set" in f.message or "is false" in f.message)
               and f.rule.flag_path and f.rule.expected is not PRESENT]
    left_names = {(f.resource, f.rule.control) for f in left.findings}
    assert not [f for f in fixable if (f.resource, f.rule.control) in left_names]
    capsys.readouterr()


def test_diff_writes_nothing_and_safe_only_leaves_job_definitions(tmp_path, capsys):
    target = tmp_path / "t.yaml"
    shutil.copy(FIXTURES / "cloudformation/sagemaker-15/literal.fail.yaml", target)
    before = target.read_text()
    assert cli.main(["fix", "--diff", "--no-config", str(target)]) == 1  # job definitions: unsafe only
    assert target.read_text() == before
    out = capsys.readouterr()
    assert out.out == ""
    assert "unsafe fix(es) not applied" in out.err
    assert "replaces the job definition" in out.err
    assert cli.main(["fix", "--diff", "--unsafe-fixes", "--no-config", str(target)]) == 0
    out = capsys.readouterr().out
    assert "-        EnableInterContainerTrafficEncryption: false  # finding: JobFailFlagFalse" in out
    assert "+        EnableInterContainerTrafficEncryption: true  # finding: JobFailFlagFalse" in out
    assert target.read_text() == before


def test_monitoring_schedule_fix_is_safe_and_check_fix_exits_on_what_is_left(tmp_path, capsys):
    target = tmp_path / "s.yaml"
    shutil.copy(FIXTURES / "cloudformation/sagemaker-22/inline.fail.yaml", target)
    assert cli.main(["check", "--fix", "--no-config", str(target)]) == 0
    assert scan([str(target)], Options()).findings == []
    capsys.readouterr()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Resources:\n  J:\n    Type: AWS::SageMaker::MonitoringSchedule\n    Properties:\n"
         "      MonitoringScheduleConfig: {MonitoringJobDefinition: {NetworkConfig: {}, RoleArn: r}}\n",
         "{MonitoringJobDefinition: {NetworkConfig: {EnableInterContainerTrafficEncryption: true}, RoleArn: r}}"),
        ("Resources:\n  J:\n    Type: AWS::SageMaker::MonitoringSchedule\n    Properties:\n"
         "      MonitoringScheduleConfig: {MonitoringJobDefinition: {RoleArn: r}}\n",
         "{MonitoringJobDefinition: {NetworkConfig: {EnableInterContainerTrafficEncryption: true}, RoleArn: r}}"),
    ],
)
def test_flow_style_yaml(tmp_path, text, expected, capsys):
    target = tmp_path / "f.yaml"
    target.write_text(text)
    cli.main(["fix", "--no-config", "--select", "SageMaker.22", str(target)])  # the schedule's flag, not .14's
    assert expected in target.read_text()
    capsys.readouterr()


CFN_CASES = [p for p in CASES if not isinstance(p, type(pytest.param(None))) and p.parent.parent.name == "cloudformation"]


def _cfn_lint_errors(path: Path) -> set[tuple[str, str]]:
    from cfnlint.api import lint_file

    return {(m.rule.id, m.message) for m in lint_file(path) if m.rule.id.startswith("E") and not m.rule.id.startswith("E9")}


@pytest.mark.cfnlint
@pytest.mark.parametrize("fixture", CFN_CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixed_template_gets_no_new_cfn_lint_error(tmp_path, fixture, capsys):
    pytest.importorskip("cfnlint")
    target = tmp_path / fixture.name
    shutil.copy(fixture, target)
    before = _cfn_lint_errors(target)
    # a template whose findings have no automatic fix (SageMaker.4's counts) is left as it is
    has_fix = bool(fix_module.fixes_for(scan([str(target)], Options()).findings)[0])
    cli.main(["fix", "--unsafe-fixes", "--no-config", str(target)])
    assert (target.read_text() != fixture.read_text()) == has_fix
    assert _cfn_lint_errors(target) <= before
    capsys.readouterr()
