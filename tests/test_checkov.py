"""The Checkov checks under the real Checkov, compared with the CLI on every fixture.

Checkov runs as its users run it: the ``checkov`` command of this environment with
``--external-checks-dir`` pointing at the installed package's folder, once per mode over a copy of
all fixtures (one folder per fixture, so no two files form one Terraform module). The CLI runs as
``python -m sagemaker_iac_lint check --format json`` over the same copies. In this environment the
CLI reads `.tf` with Checkov's bc-python-hcl2 and Checkov reads it with the same package.

Every rule is compared on every fixture, not only the control a fixture's folder is about: a
resource is judged by each rule of its type (a notebook instance by SageMaker.1 .2 .3 .21), and each
(rule, resource) result of Checkov must be the CLI's. What Checkov cannot show the checks at all is
listed by name below, each with its reason; it is documented in docs/engines-checkov.md. Any other
difference from the CLI fails a test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

pytest.importorskip("checkov")

from engines import checkov_command, checkov_reports  # noqa: E402
from fixture_cases import all_fixtures  # noqa: E402

from sagemaker_iac_lint import checkov_support  # noqa: E402
from sagemaker_iac_lint.checkov_support import (  # noqa: E402
    Entity,
    checkov_dir,
    evaluated_keys,
    judge_entity,
    strict_mode,
)
from sagemaker_iac_lint.rules import PRESENT, RULES, RULES_BY_CONTROL, all_rules, find_rule  # noqa: E402

pytestmark = pytest.mark.checkov

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = all_fixtures()
BIN = Path(sys.executable).parent
CHECKOV = [str(BIN / "checkov")] if (BIN / "checkov").exists() else [sys.executable, "-m", "checkov.main"]
FRAMEWORKS = {"cloudformation": "cloudformation", "terraform": "terraform",
              "terraform_json": "terraform_json", "tfplan": "terraform_plan"}
OUR_IDS = ",".join(rule.checkov_id for rule in all_rules())
TIMEOUT = 600

# --- what Checkov cannot show our checks (engine limits, docs/engines-checkov.md) ---------------

# Checkov raises while building its CloudFormation graph and stops the whole CloudFormation scan,
# every other template included, and still exits 0. Run alone so it cannot hide the other results.
CHECKOV_CRASHES = {
    "cloudformation/sagemaker-15/short-form-tags.pass.yaml":
        "`!Select [1, [1, 2, 3]]`: Checkov's Fn::Select renderer tests `'Fn::' in` an int (TypeError)",
}
# Checkov lists these as parsing errors and runs no check on any resource in them.
CHECKOV_PARSING_ERRORS = {
    "cloudformation/sagemaker-15/malformed.fail.yaml": "Checkov drops a template whose `Properties` is not a mapping",
    "cloudformation/sagemaker-15/anchors.fail.yaml": "Checkov's YAML loader refuses a key that a `<<:` merge already set",
    "cloudformation/sagemaker-15/merge-keys.fail.yaml": "Checkov's YAML loader refuses a key that a `<<:` merge already set",
}
# Resources Checkov hands no check at all (docs/engines-checkov.md); the CLI and cfn-lint judge each one.
CHECKOV_UNSEEN = {
    # made only by `Fn::ForEach` (AWS::LanguageExtensions): Checkov does not expand the loops
    "cloudformation/sagemaker-15/language-extensions.fail.yaml": {
        "JobFailRisk", "JobFailFraud", "JobStrictFailBiaslow1", "JobStrictFailBiashigh2",
        "JobStrictFailDriftlow1", "JobStrictFailDrifthigh2",
    },
    # a `Condition` false with the parameters' defaults: Checkov's parser evaluates it so and drops the
    # resource; the CLI judges it for the deployments where it exists
    "cloudformation/sagemaker-16/primary-container.fail.yaml": {"ModelFailPublicPrimaryContainerInProd"},
    "cloudformation/sagemaker-21/kms.fail.yaml": {"NotebookFailProdOnlyWithoutKey"},
}
# Checkov's own suppression: Checkov skips these; the CLI does not read `checkov:skip` and reports them.
# (fixture, the control skipped, resource): the resource's other rules still run in Checkov.
CHECKOV_SKIPS = {
    ("cloudformation/sagemaker-15/checkov-skip.fail.yaml", "SageMaker.15", "JobFailCheckovSkip"),
    ("terraform/sagemaker-15/checkov-skip.fail.tf", "SageMaker.15", "job_fail_checkov_skip"),
}
# `.tf.json` scanned from another working directory: Checkov's conf names no file, so the check finds
# the original only from the working directory. Elsewhere it judges the resource as written, without
# the file's variables and locals: failing closed on a resource that reads one (these among others),
TF_JSON_AS_WRITTEN = {
    ("terraform_json/sagemaker-15/flag-from-variable.pass.tf.json", "SageMaker.15", "job_pass_flag_from_variable"),
    ("terraform_json/sagemaker-15/local.pass.tf.json", "SageMaker.15", "job_pass_local"),
    # a value from a variable whose default passes: `"${var.x}"`, unresolved, is not provably that value
    ("terraform_json/sagemaker-1/aws-block-syntax.pass.tf.json", "SageMaker.1", "notebook_from_variable"),
    ("terraform_json/sagemaker-3/aws-block-syntax.pass.tf.json", "SageMaker.3", "notebook_awscc"),
    ("terraform_json/sagemaker-5/aws-block-syntax.pass.tf.json", "SageMaker.5", "model_awscc"),
    ("terraform_json/sagemaker-16/aws-block-syntax.pass.tf.json", "SageMaker.16", "model_awscc"),
}
# except where any value at all passes: a KMS key `"${var.key}"` as written is a reference, so it is
# there; the CLI reads the variable's default "" and fails it. These (among others) pass from elsewhere.
TF_JSON_AS_WRITTEN_PASSES = {
    ("terraform_json/sagemaker-17/aws-block-syntax.fail.tf.json", "SageMaker.17",
     "feature_group_fail_offline_key_variable_default_empty"),
    ("terraform_json/sagemaker-17/awscc-object-syntax.fail.tf.json", "SageMaker.17",
     "feature_group_fail_offline_key_variable_default_empty"),
    ("terraform_json/sagemaker-23/awscc-object-syntax.fail.tf.json", "SageMaker.23", "experiment_fail_key_variable_default_empty"),
    ("terraform_json/sagemaker-24/awscc-object-syntax.fail.tf.json", "SageMaker.24",
     "experiment_fail_data_storage_key_variable_default_empty"),
}


SCANNED = [f for f in FIXTURES if f.id not in CHECKOV_CRASHES]


# --- running the engines ----------------------------------------------------------------------


def short(resource: str) -> str:
    """`AWS::X::Y.Name`, `type.name`, `module.m.type.name`, Checkov's `resource.name`, and Checkov's
    `name[0]` / `name["key"]` for one instance of a `count` / `for_each` block -> the name."""
    return re.sub(r"\[[^\]]*\]$", "", resource).rsplit(".", 1)[-1]


def run_checkov(args: list[str], cwd: Path, strict: bool = False, env: dict | None = None,
                ours_only: bool = True) -> subprocess.CompletedProcess:
    return checkov_command(args, cwd, strict, env, ours_only, TIMEOUT)


def run_cli(paths: list[str], strict: bool) -> dict:
    command = [sys.executable, "-m", "sagemaker_iac_lint", "check", "--no-config", "--format", "json"]
    command += ["--strict"] if strict else []
    result = subprocess.run(command + paths, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    return report


@pytest.fixture(scope="session")
def tree(tmp_path_factory) -> Path:
    """Every fixture Checkov can scan in a folder of its own: <format>/<control>__<file, dots as _>/<file>."""
    base = tmp_path_factory.mktemp("checkov-fixtures")
    for fixture in SCANNED:
        folder = copied(base, fixture).parent
        folder.mkdir(parents=True)
        shutil.copy(fixture.path, folder)
    return base


def copied(tree: Path, fixture) -> Path:
    return tree / fixture.format / fixture.id.split("/", 1)[1].replace("/", "__").replace(".", "_") / Path(fixture.path).name


def control_of(check_id: str) -> str:
    rule = find_rule(check_id)
    assert rule is not None, check_id
    return rule.control


class Results:
    """One engine's results in one mode, by fixture id: failing (control, short name), records, skips."""

    def __init__(self) -> None:
        self.failing: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.records: dict[str, list[dict]] = defaultdict(list)
        self.skipped: dict[str, list[dict]] = defaultdict(list)
        self.parsing_errors: set[str] = set()


@cache
def _checkov_results(base: str, strict: bool) -> Results:
    """Every framework over the whole tree in one Checkov run, from the tree's root."""
    result = run_checkov(["-d", ".", "-o", "json", "--framework", *FRAMEWORKS.values()], Path(base), strict)
    results = Results()
    for report in checkov_reports(result):
        for error in report["results"].get("parsing_errors", []):
            results.parsing_errors.add(_fixture_id(error))
        for record in report["results"]["failed_checks"]:
            fixture_id = _fixture_id(record["file_path"])
            results.failing[fixture_id].add((control_of(record["check_id"]), short(record["resource"])))
            results.records[fixture_id].append(record)
        for record in report["results"]["skipped_checks"]:
            results.skipped[_fixture_id(record["file_path"])].append(record)
    return results


def _fixture_id(reported_path: str) -> str:
    """`/<format>/<control>__<case_file>/<file>` as Checkov reports it -> the fixture's id."""
    parts = Path(reported_path.lstrip("./")).parts
    fmt, folder, name = parts[-3], parts[-2], parts[-1]
    return f"{fmt}/{folder.split('__', 1)[0]}/{name}"


@cache
def _cli_results(base: str, strict: bool) -> Results:
    paths = [str(copied(Path(base), fixture)) for fixture in SCANNED]
    results = Results()
    for finding in run_cli(paths, strict)["findings"]:
        fixture_id = _fixture_id(os.path.relpath(finding["path"], base))
        results.failing[fixture_id].add((finding["rule"], short(finding["resource"])))
        results.records[fixture_id].append(finding)
    return results


# --- every fixture: Checkov agrees with the CLI ----------------------------------------------------

@pytest.mark.parametrize("strict", [False, True], ids=["standard", "strict"])
@pytest.mark.parametrize("fixture", SCANNED, ids=[f.id for f in SCANNED])
def test_checkov_fails_what_the_cli_fails(tree: Path, fixture, strict: bool) -> None:
    checkov = _checkov_results(str(tree), strict)
    cli = _cli_results(str(tree), strict)
    if fixture.id in CHECKOV_PARSING_ERRORS:
        assert fixture.id in checkov.parsing_errors, "Checkov parses it now: drop it from CHECKOV_PARSING_ERRORS"
        assert not checkov.failing[fixture.id]
        return
    assert fixture.id not in checkov.parsing_errors
    expected = set(cli.failing[fixture.id]) - {(control, name) for fid, control, name in CHECKOV_SKIPS if fid == fixture.id}
    expected = {(control, name) for control, name in expected if name not in CHECKOV_UNSEEN.get(fixture.id, set())}
    assert checkov.failing[fixture.id] == expected
    by_key = {(f["rule"], short(f["resource"])): f for f in cli.records[fixture.id]}
    for record in checkov.records[fixture.id]:
        rule = RULES_BY_CONTROL[control_of(record["check_id"])]
        assert record["check_id"] == rule.checkov_id
        assert record["check_name"] == rule.title
        assert record["guideline"] == rule.help_url
        assert record["severity"] == rule.severity.upper()
        if fixture.format != "cloudformation":  # Checkov's CloudFormation records carry no details
            finding = by_key[(rule.control, short(record["resource"]))]
            message = finding["message"]
            if fixture.format == "terraform":  # Checkov's address: one instance, maybe inside a module
                message = message.replace(f"`{finding['resource']}`", f"`{record['resource']}`")
            assert record["details"] == [message]
    if fixture.format == "terraform_json":
        assert all(r["resource"].startswith("resource.") for r in checkov.records[fixture.id])


@pytest.mark.parametrize("fixture_id", sorted(CHECKOV_CRASHES))
def test_checkov_crash_is_checkovs_and_the_fixture_agrees_alone(tmp_path: Path, fixture_id: str) -> None:
    fixture = next(f for f in FIXTURES if f.id == fixture_id)
    shutil.copy(fixture.path, tmp_path)
    framework = FRAMEWORKS[fixture.format]
    result = run_checkov(["-d", ".", "-o", "json", "--framework", framework], tmp_path)
    assert "Traceback" in result.stdout + result.stderr, "Checkov scans it now: drop it from CHECKOV_CRASHES"
    assert "sagemaker_iac_lint" not in result.stdout + result.stderr  # the crash is not in our code
    findings = run_cli([str(tmp_path / Path(fixture.path).name)], strict=True)["findings"]
    assert [f for f in findings if f["rule"] == fixture.control] == []  # a .pass fixture of its control


def test_every_fixture_was_scanned_by_its_framework(tree: Path) -> None:
    checkov = _checkov_results(str(tree), True)
    seen = set(checkov.failing) | set(checkov.skipped) | checkov.parsing_errors
    failing_fixtures = {f.id for f in SCANNED if f.expected_file_outcome == "fail"}
    assert failing_fixtures <= seen


def test_checkov_skip_and_our_own_suppression(tree: Path) -> None:
    skipped = _checkov_results(str(tree), False).skipped
    comments = {(fid, control_of(r["check_id"]), short(r["resource"])): r["check_result"].get("suppress_comment")
                for fid, records in skipped.items() for r in records}
    for key in CHECKOV_SKIPS:  # checkov:skip, in Terraform and in CloudFormation Metadata
        assert comments[key] == "Encrypted by the service mesh (ticket SEC-42)"
    # our own suppression with a reason: skipped by Checkov too, with the reason as its comment
    assert comments[("cloudformation/sagemaker-15/checkov-skip.fail.yaml", "SageMaker.15", "JobPassOwnSuppression")] == \
        "Encrypted by the service mesh (ticket SEC-42)"
    assert comments[("terraform/sagemaker-15/checkov-skip.fail.tf", "SageMaker.15", "job_pass_own_suppression")] == \
        "Encrypted by the service mesh (ticket SEC-42)"
    assert comments[("cloudformation/sagemaker-15/suppressed.pass.yaml", "SageMaker.15",
                     "JobPassSuppressedWithReason")].startswith("Encrypted")
    # a suppression names one control: the resource's other rules are not skipped by it
    assert {control for _, control, _ in comments} == {"SageMaker.15"}


def test_tf_json_scanned_from_another_directory_is_judged_as_written(tree: Path, tmp_path: Path) -> None:
    result = run_checkov(["-d", str(tree / "terraform_json"), "-o", "json", "--framework", "terraform_json"], tmp_path)
    (report,) = checkov_reports(result)
    checkov = {(_fixture_id("terraform_json/" + r["file_path"].lstrip("/")), control_of(r["check_id"]), short(r["resource"]))
               for r in report["results"]["failed_checks"]}
    cli = {(fid, control, name) for fid, failing in _cli_results(str(tree), False).failing.items()
           for control, name in failing if fid.startswith("terraform_json/")}
    failed_closed, passed = checkov - cli, cli - checkov
    assert TF_JSON_AS_WRITTEN <= failed_closed and TF_JSON_AS_WRITTEN_PASSES <= passed
    # every difference is a resource that reads a variable or a local, which only the file resolves;
    # it passes what the CLI fails only where any value passes (a KMS key)
    for fixture_id, control, name in failed_closed | passed:
        assert _reads_an_input(fixture_id, name), (fixture_id, control, name)
    assert {RULES_BY_CONTROL[control].expected is PRESENT for _, control, _ in passed} == {True}


def _reads_an_input(fixture_id: str, name: str) -> bool:
    """Whether the `.tf.json` resource ``name`` of a fixture refers to a variable or a local."""
    data = json.loads((ROOT / "tests/fixtures" / fixture_id).read_text())
    for types in (data.get("resource") or {}).values():
        if isinstance(types, dict) and name in types:
            text = json.dumps(types[name])
            return "${var." in text or "${local." in text
    return False


# --- metadata, filters and outputs ------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_failing(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("one")
    shutil.copy(ROOT / "tests/fixtures/cloudformation/sagemaker-15/literal.fail.yaml", folder)
    shutil.copy(ROOT / "tests/fixtures/terraform/sagemaker-15/flag-false.fail.tf", folder)
    return folder


def _ours(result: subprocess.CompletedProcess, check_id: str = "CKV_SAGEMAKER_") -> set[tuple[str, str]]:
    return {(r["check_id"], short(r["resource"])) for report in checkov_reports(result)
            for r in report.get("results", {}).get("failed_checks", []) if r["check_id"].startswith(check_id)}


@pytest.mark.parametrize("filters, runs", [
    (["--check", "MEDIUM"], True),  # a severity threshold that includes medium
    (["--check", "HIGH"], False),
    (["--check", "CKV_SAGEMAKER_15"], True),
    (["--check", "CKV_SAGEMAKER_*"], True),
    (["--skip-check", "CKV_SAGEMAKER_15"], False),
    (["--skip-check", "MEDIUM"], False),
    (["--skip-check", "LOW"], True),
])
def test_check_and_skip_check_filters(one_failing: Path, filters: list[str], runs: bool) -> None:
    args = ["-d", ".", "-o", "json", "--framework", "cloudformation", "terraform", *filters]
    # the filters are about CKV_SAGEMAKER_15 (medium); SageMaker.12 also judges these resources
    found = _ours(run_checkov(args, one_failing, ours_only=False), "CKV_SAGEMAKER_15")
    assert bool(found) is runs
    if runs:
        assert ("CKV_SAGEMAKER_15", "JobFailFlagFalse") in found and ("CKV_SAGEMAKER_15", "job_fail_flag_false") in found


def test_sarif_and_github_outputs_carry_the_table(one_failing: Path, tmp_path: Path) -> None:
    args = ["-d", ".", "--framework", "cloudformation", "terraform", "-o", "sarif", "-o", "github_failed_only",
            "--output-file-path", str(tmp_path)]
    result = run_checkov(args, one_failing)
    assert result.returncode == 1, result.stderr[-3000:]
    rule = RULES_BY_CONTROL["SageMaker.15"]
    sarif = json.loads((tmp_path / "results_sarif.sarif").read_text())
    rules = {r["id"]: r for run in sarif["runs"] for r in run["tool"]["driver"]["rules"]}
    entry = rules[rule.checkov_id]
    assert entry["helpUri"] == rule.help_url
    assert entry["shortDescription"]["text"] == rule.title
    assert entry["properties"]["security-severity"] not in ("", "0.0")
    levels = {r["level"] for run in sarif["runs"] for r in run["results"] if r["ruleId"] == rule.checkov_id}
    assert levels == {"warning"}  # Checkov's level for a medium severity
    messages = [a["description"] for run in sarif["runs"] for r in run["results"] for a in r.get("attachments", [])]
    assert any("job_fail_flag_false" in m and "to true" in m for m in messages)
    github = (tmp_path / "results_github_failed_only.md").read_text()
    assert rule.checkov_id in github and f"[Link]({rule.help_url})" in github and rule.title in github


def test_checks_load_from_the_table_once_per_id() -> None:
    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.common.bridgecrew.severities import Severities
    from checkov.common.models.enums import CheckCategories
    from checkov.terraform.checks.resource.registry import resource_registry

    for _ in range(2):  # Checkov loads the folder once per framework
        cfn_registry.load_external_checks(checkov_dir())
        resource_registry.load_external_checks(checkov_dir())
    for rule in all_rules():
        cfn = cfn_registry.get_check_by_id(rule.checkov_id)
        tf = resource_registry.get_check_by_id(rule.checkov_id)
        assert list(cfn.supported_resources) == list(rule.cfn_types) if rule.cfn_types else cfn is None
        assert list(tf.supported_resources) == list(rule.tf_types)
        for check in (cfn, tf) if cfn is not None else (tf,):
            assert (check.name, check.guideline) == (rule.title, rule.help_url)
            assert check.severity is Severities[rule.severity.upper()]
            assert check.categories == [CheckCategories[rule.category]]
        for resource_type in rule.cfn_types:
            assert [c.id for c in cfn_registry.checks[resource_type]].count(rule.checkov_id) == 1
        for resource_type in rule.tf_types:
            assert [c.id for c in resource_registry.checks[resource_type]].count(rule.checkov_id) == 1


def test_a_new_table_row_needs_no_new_code(monkeypatch) -> None:
    import runpy

    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    from sagemaker_iac_lint import rules

    new = rules.RULES[0].replace(number=99, cfn_types=("Test::New::Job",), tf_types=("test_new_job",),
                                      nonexistent_tf_types=())
    monkeypatch.setattr(rules, "RULES", rules.RULES + (new,))
    runpy.run_path(os.path.join(checkov_dir(), "sagemaker_iac_lint_checks.py"))
    assert cfn_registry.get_check_by_id("CKV_SAGEMAKER_99").supported_resources == ["Test::New::Job"]
    assert resource_registry.get_check_by_id("CKV_SAGEMAKER_99").guideline.endswith("#sagemaker-99")


def test_each_type_gets_the_checks_of_the_rules_that_judge_it() -> None:
    """Checkov runs on a type exactly the rules the CLI's readers judge it by; a hashicorp/aws type that
    does not exist only by the one rule that reports it (said once, not once per rule)."""
    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    from sagemaker_iac_lint.rules import NONEXISTENT_TF_TYPES, RULES_BY_CFN_TYPE, RULES_BY_TF_TYPE
    from sagemaker_iac_lint.terraform import monitored_rules

    cfn_registry.load_external_checks(checkov_dir())
    resource_registry.load_external_checks(checkov_dir())

    ids = {rule.checkov_id for rule in all_rules()}

    def ours(registry, resource_type: str) -> set[str]:
        return {c.id for c in registry.checks.get(resource_type, []) if c.id in ids}

    for resource_type, rules in RULES_BY_CFN_TYPE.items():
        assert ours(cfn_registry, resource_type) == {rule.checkov_id for rule in rules}, resource_type
    for resource_type in set(RULES_BY_TF_TYPE) | set(NONEXISTENT_TF_TYPES):
        expected = {rule.checkov_id for rule in monitored_rules(resource_type)}
        assert ours(resource_registry, resource_type) == expected, resource_type
    assert all(len(monitored_rules(t)) == 1 for t in NONEXISTENT_TF_TYPES)


def _checkov_tf_conf(tmp_path: Path, text: str, resource_type: str, name: str) -> dict:
    """One resource's configuration as Checkov's own `.tf` loader gives it (what a check sees, before
    Checkov adds its metadata)."""
    from checkov.terraform.parser_utils import load_or_die_quietly

    path = tmp_path / "main.tf"
    path.write_text(text)
    for entry in load_or_die_quietly(str(path), {})["resource"]:
        if resource_type in entry and name in entry[resource_type]:
            return entry[resource_type][name]
    raise AssertionError(f"{resource_type}.{name} not parsed")


EACH_TF = """\
resource "aws_sagemaker_endpoint_configuration" "blocks" {
  production_variants {
    variant_name           = "a"
    initial_instance_count = 1
  }
  production_variants {
    variant_name = "b"
    serverless_config {
      max_concurrency   = 1
      memory_size_in_mb = 1024
    }
  }
}
resource "awscc_sagemaker_endpoint_config" "objects" {
  production_variants = [{ variant_name = "a", initial_instance_count = 1 }, { variant_name = "b", initial_instance_count = 2 }]
}
resource "aws_sagemaker_model" "containers" {
  container {
    image = "x"
    image_config {
      repository_access_mode = "Vpc"
    }
  }
  container {
    image = "y"
  }
}
resource "awscc_sagemaker_model" "objects" {
  containers        = [{ image = "x", image_config = { repository_access_mode = "Vpc" } }]
  primary_container = { image_config = { repository_access_mode = "Platform" } }
}
resource "awscc_sagemaker_feature_group" "online" {
  online_store_config = { enable_online_store = true }
}
resource "aws_sagemaker_data_quality_job_definition" "job" {
  job_resources {
    cluster_config {
      instance_count = 2
    }
  }
}
"""


@pytest.mark.parametrize("control, resource_type, name, keys", [
    ("SageMaker.4", "aws_sagemaker_endpoint_configuration", "blocks",
     ["production_variants/[0]/initial_instance_count", "production_variants/[1]/serverless_config"]),
    ("SageMaker.4", "awscc_sagemaker_endpoint_config", "objects",
     ["production_variants/[0]/[0]/initial_instance_count", "production_variants/[0]/[1]/initial_instance_count"]),
    ("SageMaker.19", "aws_sagemaker_model", "containers",  # hashicorp/aws: repeated `container` blocks
     ["container/[0]/image_config/[0]/repository_access_mode", "container/[1]/image_config/repository_access_mode"]),
    ("SageMaker.19", "awscc_sagemaker_model", "objects", ["containers/[0]/[0]/image_config/repository_access_mode"]),
    ("SageMaker.16", "awscc_sagemaker_model", "objects", ["primary_container/[0]/image_config/repository_access_mode"]),
    ("SageMaker.5", "aws_sagemaker_model", "containers", ["enable_network_isolation"]),
    ("SageMaker.18", "awscc_sagemaker_feature_group", "online",  # the judged key, then what `applies` reads
     ["online_store_config/[0]/security_config/kms_key_id", "online_store_config/[0]/enable_online_store",
      "online_store_config/[0]/storage_type"]),
    ("SageMaker.9", "aws_sagemaker_data_quality_job_definition", "job",  # count and flag
     ["job_resources/[0]/cluster_config/[0]/instance_count", "network_config/enable_inter_container_traffic_encryption"]),
    ("SageMaker.11", "aws_sagemaker_data_quality_job_definition", "job", ["network_config/enable_network_isolation"]),
])
def test_evaluated_keys_are_where_the_rule_reads(tmp_path: Path, control: str, resource_type: str, name: str,
                                                 keys: list[str]) -> None:
    conf = _checkov_tf_conf(tmp_path, EACH_TF, resource_type, name)
    assert evaluated_keys(RULES_BY_CONTROL[control], conf, resource_type, terraform=True) == keys


def test_evaluated_keys_in_cloudformation() -> None:
    variants = {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": [
        {"VariantName": "a", "InitialInstanceCount": 1}, {"VariantName": "b", "ServerlessConfig": {"MaxConcurrency": 1}}]}}
    assert evaluated_keys(RULES_BY_CONTROL["SageMaker.4"], variants, "AWS::SageMaker::EndpointConfig", False) == [
        "Properties/ProductionVariants/[0]/InitialInstanceCount", "Properties/ProductionVariants/[1]/ServerlessConfig"]
    job = {"Type": "AWS::SageMaker::MonitoringSchedule", "Properties": {}}
    assert evaluated_keys(RULES_BY_CONTROL["SageMaker.22"], job, job["Type"], False) == [
        "Properties/MonitoringScheduleConfig/MonitoringJobDefinition/MonitoringResources/ClusterConfig/InstanceCount",
        "Properties/MonitoringScheduleConfig/MonitoringJobDefinition/NetworkConfig/EnableInterContainerTrafficEncryption"]
    assert evaluated_keys(RULES_BY_CONTROL["SageMaker.4"], {"Properties": {}}, "AWS::SageMaker::EndpointConfig", False) == [
        "Properties/ProductionVariants"]


def test_checkov_reports_the_rules_category_and_keys(tmp_path: Path) -> None:
    """In-process, as Checkov runs checks: each result carries the rule's category and its keys."""
    from checkov.common.models.enums import CheckCategories
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.runner import Runner as TerraformRunner

    (tmp_path / "main.tf").write_text(EACH_TF)
    report = TerraformRunner().run(root_folder=str(tmp_path), external_checks_dir=[checkov_dir()],
                                   runner_filter=RunnerFilter(framework=["terraform"], checks=["CKV_SAGEMAKER_4"]))
    report = report[0] if isinstance(report, list) else report
    records = {r.resource: r for r in report.failed_checks + report.passed_checks}
    assert set(records) == {"aws_sagemaker_endpoint_configuration.blocks", "awscc_sagemaker_endpoint_config.objects"}
    blocks = records["aws_sagemaker_endpoint_configuration.blocks"]
    assert blocks.check_result["result"].name == "FAILED"  # variant a on one instance; b is serverless
    assert blocks.check_result["evaluated_keys"] == ["production_variants/[0]/initial_instance_count",
                                                     "production_variants/[1]/serverless_config"]
    assert "production_variants[0].initial_instance_count is 1" in blocks.details[0]
    assert records["awscc_sagemaker_endpoint_config.objects"].check_result["result"].name == "FAILED"
    from checkov.terraform.checks.resource.registry import resource_registry
    rule = RULES_BY_CONTROL["SageMaker.4"]
    assert resource_registry.get_check_by_id(rule.checkov_id).categories == [CheckCategories[rule.category]]


def test_each_resource_and_rule_is_judged_once(tmp_path: Path, monkeypatch) -> None:
    """In-process: one judgement per (resource, rule) Checkov asks about, whether it passes or fails."""
    from checkov.cloudformation.runner import Runner as CloudFormationRunner
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.runner import Runner as TerraformRunner

    judged: list[tuple[str, str]] = []
    real = checkov_support.judge

    def counting(subject, strict=False):
        judged.append((subject.rule.control, subject.name))
        return real(subject, strict)

    monkeypatch.setattr(checkov_support, "judge", counting)
    shutil.copy(ROOT / "tests/fixtures/cloudformation/sagemaker-15/literal.fail.yaml", tmp_path / "template.yaml")
    (tmp_path / "main.tf").write_text(EACH_TF)
    for runner, framework in ((CloudFormationRunner(), "cloudformation"), (TerraformRunner(), "terraform")):
        judged.clear()
        report = runner.run(root_folder=str(tmp_path), external_checks_dir=[checkov_dir()],
                            runner_filter=RunnerFilter(framework=[framework], checks=[r.checkov_id for r in RULES]))
        report = report[0] if isinstance(report, list) else report
        results = report.failed_checks + report.passed_checks + report.skipped_checks
        assert results and report.passed_checks and report.failed_checks, framework
        assert len(judged) == len(results) == len(set(judged)), framework


def test_checkovs_rendered_copy_is_judged_for_every_kind_of_rule() -> None:
    """Where the original cannot be read, Checkov's copy: through `each` lists, expected strings, applies."""
    def tf(control: str, resource_type: str, conf: dict) -> str:
        conf = dict(conf, __address__=f"{resource_type}.x", __start_line__=1)  # a `.tf` conf with no file
        outcome = judge_entity(RULES_BY_CONTROL[control], Entity(conf, "x", resource_type), True, strict=False)
        assert outcome.result == "PASSED" or "rendered copy" in outcome.message
        return outcome.result

    variants = "aws_sagemaker_endpoint_configuration"
    assert tf("SageMaker.4", variants, {"production_variants": [{"initial_instance_count": [2]}]}) == "PASSED"
    assert tf("SageMaker.4", variants, {"production_variants": [{"initial_instance_count": [1]}]}) == "FAILED"
    # Checkov leaves a variable it could not resolve as bare text: not a count anyone can know
    assert tf("SageMaker.4", variants, {"production_variants": [{"initial_instance_count": ["var.n"]}]}) == "FAILED"
    assert tf("SageMaker.4", variants, {"production_variants": [  # a serverless variant is out of scope
        {"initial_instance_count": [2]}, {"serverless_config": [{"max_concurrency": [1]}]}]}) == "PASSED"
    notebook = "aws_sagemaker_notebook_instance"
    assert tf("SageMaker.1", notebook, {"direct_internet_access": ["Disabled"]}) == "PASSED"  # a literal string
    assert tf("SageMaker.1", notebook, {"direct_internet_access": ["var.access"]}) == "FAILED"
    assert tf("SageMaker.1", notebook, {}) == "FAILED"  # the default is Enabled
    model = "aws_sagemaker_model"
    assert tf("SageMaker.19", model, {"container": [{"image_config": [{"repository_access_mode": ["Vpc"]}]},
                                                    {"image_config": [{"repository_access_mode": ["Vpc"]}]}]}) == "PASSED"
    assert tf("SageMaker.19", model, {"container": [{"image_config": [{"repository_access_mode": ["Vpc"]}]},
                                                    {"image": ["y"]}]}) == "FAILED"
    group = "awscc_sagemaker_feature_group"
    assert tf("SageMaker.18", group, {"online_store_config": [{"enable_online_store": False}]}) == "PASSED"
    # an online store enabled by a variable Checkov could not resolve: the rule applies (fail closed)
    assert tf("SageMaker.18", group, {"online_store_config": [{"enable_online_store": "var.online"}]}) == "FAILED"


def test_checkov_dir_is_the_installed_package_folder() -> None:
    folder = Path(checkov_dir())
    assert folder.is_dir() and (folder / "__init__.py").is_file()
    assert sorted(p.name for p in folder.glob("*.py")) == ["__init__.py", "sagemaker_iac_lint_checks.py"]
    printed = subprocess.run([sys.executable, "-m", "sagemaker_iac_lint", "checkov-dir"], capture_output=True, text=True)
    if printed.returncode == 0:  # the CLI's subcommand, once it is there
        assert printed.stdout.strip() == str(folder)


# --- what our folder must not cost: Checkov's `yaml` and `json` runners -------------------------------

USER_YAML_CHECK = """
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType


class ShoutIsOn(BaseYamlCheck):
    def __init__(self):
        super().__init__(name="shout is on", id="CKV_USER_YAML_1", categories=[CheckCategories.CONVENTION],
                         supported_entities=["shout"], block_type=BlockType.OBJECT)

    def scan_entity_conf(self, conf, entity_type):
        return CheckResult.PASSED if conf is True else CheckResult.FAILED


check = ShoutIsOn()
"""


class _Registry:
    def __init__(self, checks=()):
        self.checks = list(checks)

    def all_checks(self):
        return iter(self.checks)


class _GraphRegistry:
    def __init__(self, checks=(), checks_dir="/nowhere/graph_checks"):
        self.checks, self.checks_dir = list(checks), checks_dir


def _fake_runner_module(registry: _Registry, graph: _GraphRegistry | None, loaded: list):
    class Runner:
        def __init__(self):
            self.graph_registry = graph

        def import_registry(self):
            return registry

        def _load_files(self, files_to_load, filename_fn=None):
            loaded.extend(files_to_load)

    return type("module", (), {"Runner": Runner})


@pytest.mark.parametrize("registry, graph, reads", [
    (_Registry(), _GraphRegistry(), False),  # only our folder: nothing to run, nothing to read
    (_Registry(), None, False),
    (_Registry([("shout", "a user's check")]), _GraphRegistry(), True),
    (_Registry(), _GraphRegistry(checks=["a user's graph check"]), True),
    (_Registry(), _GraphRegistry(checks_dir=str(ROOT)), True),  # a built-in graph-check folder exists
    (object(), _GraphRegistry(), True),  # a registry we do not know: any doubt reads the files
])
def test_document_runners_read_files_only_with_a_check_to_run(registry, graph, reads: bool) -> None:
    loaded: list = []
    module = _fake_runner_module(registry, graph, loaded)
    modules = {name: module for name in checkov_support.DOCUMENT_RUNNERS[:1]}
    assert checkov_support.spare_checkless_document_runners(modules, environ={}) == 1
    assert checkov_support.spare_checkless_document_runners(modules, environ={}) == 1  # once per class
    module.Runner()._load_files(["a.yaml", "b.yaml"])
    assert loaded == (["a.yaml", "b.yaml"] if reads else [])


def test_document_runners_are_left_alone_when_asked_or_unknown() -> None:
    loaded: list = []
    module = _fake_runner_module(_Registry(), _GraphRegistry(), loaded)
    modules = {checkov_support.DOCUMENT_RUNNERS[0]: module, checkov_support.DOCUMENT_RUNNERS[1]: object()}
    keep = {checkov_support.KEEP_DOCUMENT_RUNNERS_ENV: "1"}
    assert checkov_support.spare_checkless_document_runners(modules, environ=keep) == 0
    module.Runner()._load_files(["a.yaml"])
    assert loaded == ["a.yaml"]
    assert checkov_support.spare_checkless_document_runners({}, environ={}) == 0


def test_our_folder_makes_checkovs_yaml_and_json_runners_read_nothing(tmp_path: Path) -> None:
    """In-process: the runners Checkov starts only because an external folder was given."""
    from checkov.json_doc.runner import Runner as JsonRunner
    from checkov.runner_filter import RunnerFilter
    from checkov.yaml_doc.runner import Runner as YamlRunner

    (tmp_path / "config.yaml").write_text("shout: false\nitems:\n  - 1\n")
    (tmp_path / "config.json").write_text('{"shout": false}')
    for runner, framework in ((YamlRunner(), "yaml"), (JsonRunner(), "json")):
        report = runner.run(root_folder=str(tmp_path), external_checks_dir=[checkov_dir()],
                            runner_filter=RunnerFilter(framework=[framework]))
        assert runner.definitions == {}, framework
        assert report.failed_checks == [] and report.passed_checks == []


@pytest.mark.parametrize("ours_first", [True, False])
def test_a_users_own_yaml_checks_still_run_beside_ours(tmp_path: Path, ours_first: bool) -> None:
    user = tmp_path / "user_checks"
    user.mkdir()
    (user / "__init__.py").write_text("")
    (user / "shout_is_on.py").write_text(USER_YAML_CHECK)
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (scanned / "config.yaml").write_text("shout: false\n")
    folders = [checkov_dir(), str(user)] if ours_first else [str(user), checkov_dir()]
    command = CHECKOV + ["-d", ".", "-o", "json", "--framework", "yaml", "--skip-download", "--compact"]
    for folder in folders:
        command += ["--external-checks-dir", folder]
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(command, cwd=scanned, env=environment, capture_output=True, text=True, timeout=TIMEOUT)
    failed = {r["check_id"] for report in checkov_reports(result) for r in report["results"]["failed_checks"]}
    assert failed == {"CKV_USER_YAML_1"}, result.stderr[-3000:]


# --- never raise; malformed resources -----------------------------------------------------------

MALFORMED_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  JobFailNetworkConfigString:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources: {ClusterConfig: {InstanceCount: 2, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}}
      NetworkConfig: encrypted
  JobFailCountList:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources: {ClusterConfig: {InstanceCount: [2], InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}}
      NetworkConfig: {EnableInterContainerTrafficEncryption: "no"}
  JobFailJobResourcesList:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources: [{ClusterConfig: {InstanceCount: 1}}]
      NetworkConfig: {EnableInterContainerTrafficEncryption: false}
  JobPassFlagTrueCountUnreadable:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources: {ClusterConfig: {InstanceCount: {Count: 2}}}
      NetworkConfig: {EnableInterContainerTrafficEncryption: true}
"""

MALFORMED_TF = """\
resource "awscc_sagemaker_model_bias_job_definition" "job_fail_network_config_string" {
  job_resources = { cluster_config = { instance_count = 2 } }
  network_config = "encrypted"
}
resource "awscc_sagemaker_model_bias_job_definition" "job_fail_count_list" {
  job_resources = { cluster_config = { instance_count = [2] } }
  network_config = { enable_inter_container_traffic_encryption = "yes" }
}
resource "awscc_sagemaker_model_bias_job_definition" "job_fail_flag_object" {
  job_resources = { cluster_config = { instance_count = 2 } }
  network_config = { enable_inter_container_traffic_encryption = { enabled = true } }
}
resource "aws_sagemaker_data_quality_job_definition" "job_fail_two_network_config_blocks" {
  job_resources {
    cluster_config {
      instance_count = 2
    }
  }
  network_config {
    enable_inter_container_traffic_encryption = true
  }
  network_config {
    enable_inter_container_traffic_encryption = false
  }
}
"""


def test_malformed_resources_fail_with_what_could_not_be_read(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(MALFORMED_CFN)
    (tmp_path / "main.tf").write_text(MALFORMED_TF)
    result = run_checkov(["-d", ".", "-o", "json", "--framework", "cloudformation", "terraform"], tmp_path)
    reports = checkov_reports(result)
    assert all(not r["results"].get("parsing_errors") for r in reports)
    failed = {(control_of(r["check_id"]), short(r["resource"])): r for report in reports
              for r in report["results"]["failed_checks"]}
    cli = run_cli([str(tmp_path / "template.yaml"), str(tmp_path / "main.tf")], strict=False)
    assert set(failed) == {(f["rule"], short(f["resource"])) for f in cli["findings"]}  # every rule
    # the names say the encryption verdicts (SageMaker.15, and .9 for the data quality job)
    assert {name for control, name in failed if control in ("SageMaker.15", "SageMaker.9")} == {
        "JobFailNetworkConfigString", "JobFailCountList", "JobFailJobResourcesList",
        "job_fail_network_config_string", "job_fail_count_list", "job_fail_flag_object",
        "job_fail_two_network_config_blocks"}
    assert "not an object" in failed[("SageMaker.15", "job_fail_network_config_string")]["details"][0]
    assert "2 `network_config` blocks" in failed[("SageMaker.9", "job_fail_two_network_config_blocks")]["details"][0]


def test_an_internal_error_is_a_failure_that_says_so(tmp_path: Path, monkeypatch) -> None:
    """In-process, as Checkov runs checks: an exception inside the adapter must not become a pass."""
    from checkov.cloudformation.runner import Runner as CloudFormationRunner
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.runner import Runner as TerraformRunner

    def broken(rule, entity):
        raise KeyError("deliberately broken")

    monkeypatch.setattr(checkov_support, "cloudformation_subjects", broken)
    monkeypatch.setattr(checkov_support, "terraform_subjects", broken)
    # resources that pass when judged
    shutil.copy(ROOT / "tests/fixtures/cloudformation/sagemaker-9/basic.pass.yaml", tmp_path / "template.yaml")
    shutil.copy(ROOT / "tests/fixtures/terraform/sagemaker-15/encrypted.pass.tf", tmp_path / "main.tf")
    for runner, framework, check_id in ((CloudFormationRunner(), "cloudformation", "CKV_SAGEMAKER_9"),
                                        (TerraformRunner(), "terraform", "CKV_SAGEMAKER_15")):
        report = runner.run(root_folder=str(tmp_path), external_checks_dir=[checkov_dir()],
                            runner_filter=RunnerFilter(framework=[framework], checks=[check_id]))
        report = report[0] if isinstance(report, list) else report
        assert report.passed_checks == []
        assert report.failed_checks and {r.check_id for r in report.failed_checks} == {check_id}
        if framework == "terraform":
            (details,) = report.failed_checks[0].details
            assert "internal error (KeyError: 'deliberately broken')" in details and "reported rather than passed" in details


@pytest.mark.parametrize("conf", [
    {}, {"Type": "AWS::SageMaker::ModelBiasJobDefinition", "Properties": None},
    {"Properties": {"JobResources": {"__file__": 3}}}, {"Properties": "x", "Metadata": [1]},
    {"job_resources": [[[]]], "__address__": "a.b", "__start_line__": "x"},
    {"__file__": [None], "network_config": [[None]]}, {"__file__": [], "__address__": 7},
    {"job_resources": [{"cluster_config": [{"instance_count": [None, 2]}]}], "__startline__": [3]},
])
@pytest.mark.parametrize("terraform", [False, True])
def test_judge_entity_never_raises_on_odd_confs(conf: dict, terraform: bool) -> None:
    for rule in RULES:
        resource_type = rule.tf_types[0] if terraform else rule.cfn_types[0]
        result = judge_entity(rule, Entity(conf, "x", resource_type, "/nowhere.tf", graph=object()), terraform, strict=True)
        assert "internal error" not in result.message
        assert result.result in ("PASSED", "FAILED") and bool(result.message) == (result.result == "FAILED")
        keys = evaluated_keys(rule, conf, resource_type, terraform)
        assert keys and all(isinstance(key, str) and key for key in keys)


# --- the adapter on its own: what recovery buys (no Checkov run) ------------------------------------


def test_checkovs_rendered_copy_alone_would_pass_a_count_from_a_parameter() -> None:
    """The default-substitution case: parameters.fail.yaml `JobFailCountUnbounded`, as Checkov hands it."""
    rule = RULES_BY_CONTROL["SageMaker.15"]
    path = str(ROOT / "tests/fixtures/cloudformation/sagemaker-15/parameters.fail.yaml")
    rendered = {"Type": rule.cfn_types[0], "Properties": {  # as Checkov hands it: `!Ref Count` became "1"
        "JobResources": {"ClusterConfig": {"InstanceCount": "1", "__startline__": 36}, "__startline__": 35},
        "__file__": path, "__startline__": 33}}
    recovered = judge_entity(rule, Entity(rendered, "JobFailCountUnbounded", rule.cfn_types[0]), False, strict=False)
    assert recovered.result == "FAILED" and "parameter `Count`, which has no MaxValue" in recovered.message
    del rendered["Properties"]["__file__"]
    alone = judge_entity(rule, Entity(rendered, "JobFailCountUnbounded", rule.cfn_types[0]), False, strict=False)
    assert alone.result == "PASSED"  # what Checkov's copy says without the original: the documented difference


def test_strict_mode_from_the_environment() -> None:
    assert strict_mode({"SAGEMAKER_IAC_LINT_STRICT": "1"}) and strict_mode({"SAGEMAKER_IAC_LINT_STRICT": " TRUE "})
    assert not strict_mode({}) and not strict_mode({"SAGEMAKER_IAC_LINT_STRICT": "0"})


def test_the_plugin_never_imports_hcl2() -> None:
    sources = [Path(checkov_support.__file__), *Path(checkov_dir()).glob("*.py")]
    for source in sources:
        assert not re.search(r"^\s*(import|from)\s+hcl2\b", source.read_text(), re.M), source
    code = (
        "import sys, json\n"
        "from sagemaker_iac_lint.checkov_support import Entity, judge_entity\n"
        "from sagemaker_iac_lint.rules import RULES_BY_CONTROL\n"
        "rule = RULES_BY_CONTROL['SageMaker.15']\n"
        "conf = {'__address__': 'a.b', '__start_line__': 1, 'job_resources': [{'cluster_config': {'instance_count': 2}}]}\n"
        "print(judge_entity(rule, Entity(conf, 'b', rule.tf_types[0]), True, strict=False).result)\n"
        "assert 'hcl2' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "FAILED", result.stderr


# --- pre-commit, for real ---------------------------------------------------------------------------


def test_pre_commit_local_hook_fails_on_a_failing_template(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    snippet = (ROOT / "docs/integrations-checkov.md").read_text()
    config = re.search(r"```yaml\n(# \.pre-commit-config\.yaml.*?)```", snippet, re.S).group(1)
    (repo / ".pre-commit-config.yaml").write_text(config)
    shutil.copy(ROOT / "tests/fixtures/cloudformation/sagemaker-15/literal.fail.yaml", repo / "template.yaml")
    # a job definition that passes every rule of its type: encrypted (SageMaker.15) and isolated (.12)
    encrypted = (ROOT / "tests/fixtures/terraform/sagemaker-15/encrypted.pass.tf").read_text()
    compliant = encrypted.replace("enable_inter_container_traffic_encryption = true\n",
                                  "enable_inter_container_traffic_encryption = true\n    enable_network_isolation = true\n")
    assert compliant != encrypted
    (repo / "main.tf").write_text(compliant)
    (repo / "README.md").write_text("not scanned\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "PRE_COMMIT_HOME": str(tmp_path / "cache"),
                "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.com"})
    for command in (["git", "init", "-q"], ["git", "add", "."]):
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)
    result = subprocess.run([str(BIN / "pre-commit"), "run", "--all-files"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=TIMEOUT)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output and "CKV_SAGEMAKER_15" in output
    assert "JobFailFlagFalse" in output and "JobFailNoNetworkConfig" in output

    (repo / "template.yaml").unlink()
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True, capture_output=True)
    clean = subprocess.run([str(BIN / "pre-commit"), "run", "--all-files"], cwd=repo, env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert clean.returncode == 0, clean.stdout + clean.stderr
