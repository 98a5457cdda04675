"""The Terraform front end: `.tf` through whichever hcl2 is installed, `.tf.json`, plan JSON.

Run in both environments (python-hcl2 8.x and Checkov's bc-python-hcl2) so both parser shapes are proven.
Fixture names are the spec (see `fixture_cases.py`): `<case>.<pass|fail>.<ext>`; a resource named
`*_strict_fail_*` fails only the strict mode, `*_fail_*` fails both, anything else passes both; in `.tf`
files a `# finding: <name>` comment sits on the line the finding points at.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import pytest
from fixture_cases import expected_failures

pytest.importorskip("hcl2")

from sagemaker_iac_lint import terraform  # noqa: E402
from sagemaker_iac_lint.core import judge  # noqa: E402
from sagemaker_iac_lint.errors import ReadError  # noqa: E402
from sagemaker_iac_lint.rules import FLAG_PATH, PRESENT, RULES, RULES_BY_CONTROL, UNKNOWN_TYPE, Rule  # noqa: E402
from sagemaker_iac_lint.scan import Options, scan  # noqa: E402
from sagemaker_iac_lint.terraform import (  # noqa: E402
    AFTER_APPLY,
    Expr,
    TfContext,
    hcl2_problem,
    is_plan,
    normalise_checkov_conf,
    read_plan,
    read_tf,
    read_tf_json,
    subject_from_attributes,
)

pytestmark = pytest.mark.terraform

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parents[2] / "shared" / "corpus" / "real"
FORMATS = {"terraform": ".tf", "terraform_json": ".tf.json", "tfplan": ".json"}
MB = "awscc_sagemaker_model_bias_job_definition"
# The inter-container traffic encryption rules (.9 .10 .13 .15 .22), which most tests here were written
# for: a resource they judge is judged by other rules as well (SageMaker.12 on a model bias job definition).
TRAFFIC = frozenset(rule.control for rule in RULES if rule.flag_path == FLAG_PATH)


def read(path: Path, control: str | None = None):
    """The subjects of a fixture file; with ``control``, only those that control judges."""
    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".tf.json"):
        subjects = read_tf_json(text, str(path))
    elif path.suffix == ".json":
        subjects = read_plan(text, str(path))
    else:
        subjects = read_tf(text, str(path))
    return subjects if control is None else [s for s in subjects if s.rule.control == control]


def folder_control(path: Path) -> str:
    """The control a fixture's folder is about: ``sagemaker-15`` -> ``SageMaker.15``."""
    return RULES_BY_CONTROL["SageMaker." + path.parent.name.split("-")[1]].control


def fixture_paths():
    for folder in FORMATS:
        yield from sorted((FIXTURES / folder).glob("sagemaker-*/*.*"))


def rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


@pytest.mark.parametrize("path", list(fixture_paths()), ids=rel)
def test_fixture(path: Path) -> None:
    everything = read(path)
    control = folder_control(path)
    subjects = [s for s in everything if s.rule.control == control]
    assert subjects, "a fixture must hold at least one resource its folder's control judges"
    # one subject per (resource, rule), each judged by a rule of its type; every resource of the file
    # is one the folder's control judges (the other rules of its type are tested in their own folders)
    assert len({(s.name, s.rule.control) for s in everything}) == len(everything)
    assert all(s.rule in terraform.monitored_rules(s.resource_type) for s in everything)
    assert {s.name for s in everything} == {s.name for s in subjects}
    assert all(s.terraform for s in subjects)
    names = {s.name for s in subjects}

    def failing(strict: bool) -> set[str]:
        # as the CLI reports them: a suppression applies only when it gives a reason
        return {s.name for s in subjects if judge(s, strict) and not s.suppressions.get(s.rule.control)}

    assert failing(False) == expected_failures(names, strict=False)
    assert bool(failing(False)) == (".fail." in path.name)
    assert failing(True) == expected_failures(names, strict=True)
    for subject in subjects:
        verdict = judge(subject, strict=True)
        if verdict and subject.name in failing(True) and path.suffix == ".tf":
            short = subject.name.rsplit(".", 1)[-1]
            assert markers(path).get(short) == verdict.line, f"{short}: no '# finding:' marker on line {verdict.line}"


def markers(path: Path) -> dict[str, int]:
    found = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.search(r"#\s*finding:\s*(\w+)", line)
        if match:
            found[match.group(1)] = number
    return found


def test_every_control_has_pass_and_fail_fixtures_in_every_format() -> None:
    for folder in FORMATS:
        for rule in RULES:
            names = [p.name for p in (FIXTURES / folder / f"sagemaker-{rule.number}").glob("*.*")]
            assert any(".pass." in n for n in names), (folder, rule.control)
            assert any(".fail." in n for n in names), (folder, rule.control)


# (fixture, address) -> (substring of the standard-mode message, line, column)
FINDINGS = {
    ("terraform/sagemaker-15/flag-false.fail.tf", f"{MB}.job_fail_flag_false"):
        ("`network_config.enable_inter_container_traffic_encryption` is false", 31, 5),
    ("terraform/sagemaker-15/no-network-config.fail.tf", f"{MB}.job_fail_no_network_config"):
        ("`network_config.enable_inter_container_traffic_encryption` is not set (no `network_config`)", 1, 1),
    ("terraform/sagemaker-15/no-flag.fail.tf", f"{MB}.job_fail_no_flag"):
        ("`network_config.enable_inter_container_traffic_encryption` is not set)", 30, 3),
    ("terraform/sagemaker-15/count-from-variable.fail.tf", f"{MB}.job_fail_count_from_variable"):
        ("instance_count comes from variable `instance_count`, which Terraform does not bound", 7, 1),
    ("terraform/sagemaker-15/flag-from-variable.fail.tf", f"{MB}.job_fail_flag_variable_no_default"):
        ("comes from variable `encrypt_inter_container_traffic`, which has no default and no value given, so it is not provably true", 40, 5),
    ("terraform/sagemaker-15/flag-from-variable.fail.tf", f"{MB}.job_fail_flag_variable_default_false"):
        ("is false, from the default of variable `encryption_off`", 75, 5),
    ("terraform/sagemaker-15/local.fail.tf", f"{MB}.job_fail_local_false"):
        ("is false, from local `encrypt`", 41, 5),
    ("terraform/sagemaker-15/local.fail.tf", f"{MB}.job_fail_local_count_from_variable"):
        ("instance_count comes from variable `instance_count`, which Terraform does not bound", 46, 1),
    ("terraform/sagemaker-15/conditional.fail.tf", f"{MB}.job_fail_conditional_uncorrelated"):
        ("when condition `var.encrypt` is false and condition `var.prod` is true", 41, 5),
    ("terraform/sagemaker-15/conditional.fail.tf", f"{MB}.job_fail_conditional_inverted"):
        ("when condition `var.prod` is true (instance_count is 4)", 76, 5),
    ("terraform/sagemaker-15/function-call.fail.tf", f"{MB}.job_fail_flag_from_function"):
        ("comes from `tobool(var.encrypt)`, so it is not provably true", 45, 5),
    ("terraform/sagemaker-15/function-call.fail.tf", f"{MB}.job_fail_flag_from_data_source"):
        ('comes from `data.aws_ssm_parameter.encrypt.insecure_value == "true"`', 80, 5),
    ("terraform/sagemaker-15/function-call.fail.tf", f"{MB}.job_fail_count_from_function"):
        ("instance_count comes from `max(2, length(var.endpoints))`", 85, 1),
    ("terraform/sagemaker-9/aws-block-syntax.fail.tf", "aws_sagemaker_data_quality_job_definition.job_fail_flag_false"):
        ("is false", 25, 5),
    ("terraform/sagemaker-9/aws-block-syntax.fail.tf", "aws_sagemaker_data_quality_job_definition.job_fail_no_network_config"):
        ("is not set (no `network_config`)", 30, 1),
    ("terraform/sagemaker-9/aws-block-syntax.fail.tf", "aws_sagemaker_data_quality_job_definition.job_fail_no_flag"):
        ("`network_config.enable_inter_container_traffic_encryption` is not set)", 79, 3),
    ("terraform/sagemaker-22/inline-unencrypted.fail.tf", "awscc_sagemaker_monitoring_schedule.schedule_fail_inline_flag_false"):
        ("runs its inline job with inter-container traffic encryption off (`network_config.enable_inter_container_traffic_encryption` is false)", 72, 9),
    ("terraform_json/sagemaker-15/no-network-config.fail.tf.json", f"{MB}.job_fail_no_network_config"):
        ("is not set (no `network_config`)", 4, 7),
    ("terraform_json/sagemaker-15/flag-false.fail.tf.json", f"{MB}.job_fail_flag_false"):
        ("is false", 36, 11),
    ("terraform_json/sagemaker-15/count-from-variable.fail.tf.json", f"{MB}.job_fail_count_from_variable"):
        ("variable `instance_count`, which Terraform does not bound", 10, 7),
    ("tfplan/sagemaker-15/module.fail.json", f"module.monitoring.{MB}.job_fail_in_module"):
        ("is false", 62, 15),
    ("tfplan/sagemaker-15/after-apply.fail.json", f"{MB}.job_fail_flag_after_apply"):
        ("comes from a value known only after apply, so it is not provably true", 8, 11),
    ("tfplan/sagemaker-15/after-apply.fail.json", f"{MB}.job_fail_count_after_apply"):
        ("instance_count comes from a value known only after apply", 57, 11),
    ("tfplan/sagemaker-9/aws-block-syntax.fail.json", "aws_sagemaker_data_quality_job_definition.job_fail_no_network_config"):
        ("is not set (no `network_config`)", 8, 11),
}


@pytest.mark.parametrize("key", list(FINDINGS), ids=lambda key: key[1].rsplit(".", 1)[-1])
def test_finding_message_and_position(key) -> None:
    fixture, address = key
    substring, line, column = FINDINGS[key]
    subjects = {s.name: s for s in read(FIXTURES / fixture, folder_control(FIXTURES / fixture))}
    verdict = judge(subjects[address])
    assert verdict is not None
    assert substring in verdict.message
    assert (verdict.line, verdict.column) == (line, column)


def test_plan_addresses_keep_the_module() -> None:
    subjects = read(FIXTURES / "tfplan/sagemaker-15/module.fail.json")
    assert {s.name for s in subjects} == {f"{MB}.job_pass_encrypted", f"module.monitoring.{MB}.job_fail_in_module"}


def test_conditional_scenarios_are_keyed_by_the_condition_text() -> None:
    (subject,) = read(FIXTURES / "terraform/sagemaker-15/conditional-correlated.pass.tf", "SageMaker.15")
    assert subject.name.endswith("job_strict_fail_conditional_correlated")
    assert [(scenario, value.literal) for scenario, value in subject.count] == [
        (frozenset({("var.prod", True)}), 4),
        (frozenset({("var.prod", False)}), 1),
    ]
    assert [(scenario, value.literal) for scenario, value in subject.flag] == [
        (frozenset({("var.prod", True)}), True),
        (frozenset({("var.prod", False)}), False),
    ]
    strict = judge(subject, strict=True)
    assert "when condition `var.prod` is false" in strict.message


# ---------------------------------------------------------------------------------------------
# The installed hcl2: one shape among three, and problems reported in one line
# ---------------------------------------------------------------------------------------------


def installed(name: str) -> bool:
    try:
        metadata.distribution(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def test_the_installed_hcl2_shape_is_recognised() -> None:
    assert hcl2_problem() is None
    shape, _ = terraform._hcl2_parser()
    if installed("bc-python-hcl2"):
        assert shape == "wrapped"
    elif metadata.version("python-hcl2").startswith("8."):
        assert shape == "quoted"


def test_parser_lines_agree_with_the_text_scanner() -> None:
    # bc-python-hcl2 (and 7.x) give block lines; the text scanner, which python-hcl2 8.x needs, must agree.
    shape, loads = terraform._hcl2_parser()
    text = (FIXTURES / "terraform/sagemaker-9/aws-block-syntax.fail.tf").read_text()
    for entry in loads(text)["resource"]:
        for rtype, named in entry.items():
            for name, body in named.items():
                line, end, column, _ = terraform._block_lines(text, terraform._unquote(rtype), terraform._unquote(name), body, 0)
                if "__start_line__" in body:
                    assert (line, end) == (body["__start_line__"], body["__end_line__"])
                assert text.splitlines()[end - 1] == "}"


def test_missing_hcl2_says_what_to_install(monkeypatch) -> None:
    import sys

    terraform._hcl2_parser.cache_clear()
    monkeypatch.setitem(sys.modules, "hcl2", None)  # import hcl2 -> ImportError
    try:
        # The built-in reader needs no hcl2; what it leaves to python-hcl2 says what to install.
        assert read_tf('resource "x" "y" {}\n', "main.tf") == []
        with pytest.raises(ReadError, match=r"`a` defined twice at line 2, column 1: only python-hcl2 reads that here, "
                                             r"and .*install 'sagemaker-iac-lint\[terraform\]'"):
            read_tf('a = 1\na = 2\n', "main.tf")
        with pytest.raises(ReadError, match=r"install 'sagemaker-iac-lint\[terraform\]'"):
            read_tf('resource "x" "y" {}\n', "main.tf", parser="hcl2")
        monkeypatch.setattr(metadata, "distribution", _no_distribution)
        problem = hcl2_problem()
        assert "install 'sagemaker-iac-lint[terraform]'" in problem and "\n" not in problem
    finally:
        terraform._hcl2_parser.cache_clear()


def _no_distribution(name):
    raise metadata.PackageNotFoundError(name)


def test_both_hcl2_distributions_installed_is_a_problem(monkeypatch) -> None:
    monkeypatch.setattr(metadata, "distribution", lambda name: object())
    problem = hcl2_problem()
    assert "python-hcl2" in problem and "bc-python-hcl2" in problem and "\n" not in problem


# ---------------------------------------------------------------------------------------------
# Reading `.tf` text
# ---------------------------------------------------------------------------------------------


def job(body: str, name: str = "job", rtype: str = MB) -> str:
    return f'resource "{rtype}" "{name}" {{\n{body}\n}}\n'


def one(text: str, reader=read_tf, control: str | None = None):
    """The one subject of ``text`` that ``control`` judges; by default, the traffic encryption rule of
    its resource type (the rule these tests were written for)."""
    (subject,) = [s for s in reader(text, "main.tf") if (s.rule.control == control if control else s.rule.control in TRAFFIC)]
    return subject


def values(possibilities):
    return [(value.kind, value.literal, value.origin) for _, value in possibilities]


def test_awscc_object_and_aws_block_syntax_read_the_same() -> None:
    object_syntax = one(job(
        "  job_resources = { cluster_config = { instance_count = 3 } }\n"
        "  network_config = { enable_inter_container_traffic_encryption = true }"))
    block_syntax = one(job(
        "  job_resources {\n    cluster_config {\n      instance_count = 3\n    }\n  }\n"
        "  network_config {\n    enable_inter_container_traffic_encryption = true\n  }",
        rtype="aws_sagemaker_data_quality_job_definition"))
    for subject in (object_syntax, block_syntax):
        assert values(subject.count) == [("literal", 3, "")]
        assert values(subject.flag) == [("literal", True, "")]
    assert (object_syntax.flag[0][1].line, object_syntax.flag[0][1].column) == (3, 22)
    assert (block_syntax.flag[0][1].line, block_syntax.flag[0][1].column) == (8, 5)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('  network_config = "yes"', "`network_config` written as a string, not an object"),
        ("  network_config = [true]", "`network_config` written as a list, not an object"),
        ("  network_config { enable_inter_container_traffic_encryption = [true] }\n"
         "  network_config { enable_inter_container_traffic_encryption = true }", "2 `network_config` blocks"),
        ("  network_config = { enable_inter_container_traffic_encryption = 1 }", "a number, where true or false belongs"),
        ('  network_config = { enable_inter_container_traffic_encryption = "${var.x}-on" }', '`"${var.x}-on"`'),
        ('  dynamic "network_config" {\n    for_each = var.network\n    content {\n'
         "      enable_inter_container_traffic_encryption = true\n    }\n  }", 'a `dynamic "network_config"` block'),
    ],
)
def test_a_flag_of_the_wrong_shape_is_unknown_and_fails(body: str, expected: str) -> None:
    subject = one(job("  job_resources = { cluster_config = { instance_count = 2 } }\n" + body))
    assert all(value.kind == "unknown" for _, value in subject.flag)
    verdict = judge(subject)
    assert verdict is not None and expected in verdict.message


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ("[2]", "a list, where a number belongs"),
        ('{ n = 2 }', "an object, where a number belongs"),
        ('"two"', "instance_count is `two`, which is not a number"),
    ],
)
def test_a_count_of_the_wrong_shape_fails(count: str, expected: str) -> None:
    subject = one(job(f"  job_resources = {{ cluster_config = {{ instance_count = {count} }} }}\n"
                      "  network_config = { enable_inter_container_traffic_encryption = false }"))
    verdict = judge(subject)
    assert verdict is not None and expected in verdict.message


def test_job_resources_of_the_wrong_shape_fails() -> None:
    subject = one(job('  job_resources = "big"'))
    assert "`job_resources` written as a string, not an object" in judge(subject).message


def test_string_forms_of_counts_and_flags() -> None:
    subject = one(job('  job_resources = { cluster_config = { instance_count = "2" } }\n'
                      '  network_config = { enable_inter_container_traffic_encryption = "true" }'))
    assert values(subject.count) == [("literal", "2", "")]
    assert judge(subject) is None
    # "${var.x}" alone is the value of var.x itself
    subject = one('variable "on" {\n  default = true\n}\n' + job(
        '  job_resources = { cluster_config = { instance_count = 2 } }\n'
        '  network_config = { enable_inter_container_traffic_encryption = "${var.on}" }'))
    assert values(subject.flag) == [("literal", True, "the default of variable `on`")]


def test_variable_not_declared_in_the_file() -> None:
    subject = one(job("  job_resources = { cluster_config = { instance_count = 2 } }\n"
                      "  network_config = { enable_inter_container_traffic_encryption = var.elsewhere }"))
    assert values(subject.flag) == [("unknown", None, "variable `elsewhere`, which has no default in this file")]


def test_local_cycle_and_undefined_local() -> None:
    text = "locals {\n  a = local.b\n  b = local.a\n}\n" + job(
        "  job_resources = { cluster_config = { instance_count = local.missing } }\n"
        "  network_config = { enable_inter_container_traffic_encryption = local.a }")
    subject = one(text)
    assert values(subject.flag) == [("unknown", None, "local `b`, which refers to itself")]
    assert values(subject.count) == [("unknown", None, "local `missing`, which is not defined in this file")]


def test_nested_and_parenthesised_conditionals() -> None:
    subject = one(job(
        "  job_resources = { cluster_config = { instance_count = (var.a ? (var.b ? 4 : 2) : 1) } }\n"
        "  network_config = { enable_inter_container_traffic_encryption = var.a ? var.a ? true : false : false }"))
    assert [(dict(s), v.literal) for s, v in subject.count] == [
        ({"var.a": True, "var.b": True}, 4), ({"var.a": True, "var.b": False}, 2), ({"var.a": False}, 1)]
    # var.a ? (var.a ? true : false) : false cannot give false when var.a is true
    assert [(dict(s), v.literal) for s, v in subject.flag] == [({"var.a": True}, True), ({"var.a": False}, False)]
    assert judge(subject) is None
    if terraform._hcl2_parser()[0] == "plain":
        return  # python-hcl2 7.x cannot parse a conditional broken over lines inside parentheses
    multi_line = one(job(
        "  job_resources = { cluster_config = { instance_count = 1 } }\n"
        "  network_config = {\n    enable_inter_container_traffic_encryption = (\n      true\n      ? true\n      : false\n    )\n  }"))
    assert values(multi_line.flag) == [("literal", True, "")]


def test_a_literal_condition_has_one_branch() -> None:
    subject = one(job("  job_resources = { cluster_config = { instance_count = true ? 4 : 1 } }"))
    assert [(s, v.literal) for s, v in subject.count] == [(frozenset(), 4)]


def test_null_is_not_set() -> None:
    subject = one(job("  job_resources = { cluster_config = { instance_count = 2 } }\n  network_config = null"))
    assert judge(subject).message.count("is not set (no `network_config`)") == 1


def test_monitoring_schedule_scope() -> None:
    named = one(job('  monitoring_schedule_config {\n    monitoring_job_definition_name = "x"\n  }',
                    rtype="aws_sagemaker_monitoring_schedule"))
    assert values(named.scope) == [("absent", None, "")]
    assert judge(named, strict=True) is None
    inline = one(job("  monitoring_schedule_config {\n    monitoring_job_definition {\n"
                     "      monitoring_resources {\n        cluster_config {\n          instance_count = 1\n        }\n      }\n"
                     "    }\n  }", rtype="aws_sagemaker_monitoring_schedule"))
    assert values(inline.scope) == [("literal", True, "")]
    assert "is not set (no `network_config`)" in judge(inline).message


def test_suppression_comments_inside_the_block() -> None:
    text = (
        "# sagemaker-iac-lint:ignore=SageMaker.9:outside the block does not count\n"
        + job("  # sagemaker-iac-lint:ignore=SageMaker.15:bias runs on one instance by design\n"
              "  job_resources = { cluster_config = { instance_count = 2 } }", name="a")
        + job("  // sagemaker-iac-lint:ignore=sagemaker-15,CKV_SAGEMAKER_9\n", name="b")
        + job("  job_resources = { cluster_config = { instance_count = 2 } }", name="c")
    )
    a, b, c = [s for s in read_tf(text, "main.tf") if s.rule.control == "SageMaker.15"]
    assert a.suppressions == {"SageMaker.15": "bias runs on one instance by design"}
    assert b.suppressions == {"SageMaker.15": "", "SageMaker.9": ""}
    assert c.suppressions == {}


def test_resource_address_line_and_terraform_flag() -> None:
    text = '\n\n  resource "awscc_sagemaker_model_bias_job_definition" "indented" {\n  }\n'
    subject = one(text)
    assert (subject.name, subject.resource_type, subject.line, subject.column) == (
        f"{MB}.indented", MB, 3, 3)
    assert subject.terraform


def test_unrelated_resources_are_ignored() -> None:
    assert read_tf('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', "main.tf") == []
    assert read_tf("", "empty.tf") == []


@pytest.mark.parametrize(
    "text",
    [
        'resource "x" "y" {\n  a = \n}\n',
        'resource "x" "y" {\n',
        "}}}}",
        'resource "x" "y" {\n  a = "unterminated\n}\n',
        "\x00\x01\x02 binary",
    ],
)
def test_malformed_hcl_is_a_one_line_read_error(text: str) -> None:
    with pytest.raises(ReadError) as raised:
        read_tf(text, "bad.tf")
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message and message


def test_deep_nesting_is_a_read_error_or_reads() -> None:
    depth = 5000
    text = 'resource "awscc_sagemaker_model_bias_job_definition" "deep" {\n  a = ' + "[" * depth + "]" * depth + "\n}\n"
    try:
        subjects = read_tf(text, "deep.tf")
    except ReadError as error:
        assert "\n" not in str(error)
    else:
        assert {s.name for s in subjects} == {f"{MB}.deep"}  # one subject per rule of the type


def setting(rule: Rule, value: str) -> str:
    """The rule's judged attribute set to ``value``, written as hashicorp/aws nested blocks."""
    *blocks, key = rule.tf_path(rule.scope + rule.flag_path)
    text = f"{key} = {value}"
    for block in reversed(blocks):
        text = f"{block} {{\n" + "".join(f"  {line}\n" for line in text.splitlines()) + "}"
    return "".join(f"  {line}\n" for line in text.splitlines()).rstrip("\n")


def compliant(rule: Rule) -> str:
    """A value the rule's judged attribute passes with, as HCL."""
    if rule.expected is True:
        return "true"
    if rule.expected is PRESENT:
        return '"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"'
    return f'"{rule.expected}"'


def test_nonexistent_aws_types_are_reported_not_ignored() -> None:
    for rule in RULES:
        for rtype in rule.nonexistent_tf_types:
            flag = ".".join(rule.tf_path(rule.scope + rule.flag_path))
            subject = one(job(setting(rule, compliant(rule)), rtype=rtype), control=UNKNOWN_TYPE.control)
            assert subject.rule is UNKNOWN_TYPE  # a configuration diagnostic of its own, not a control's finding
            verdict = judge(subject)
            assert verdict is not None and verdict.rule.control == "SIL001"
            assert f"`{rtype}` does not exist in the hashicorp/aws provider" in verdict.message
            assert f"{rule.control} cannot be judged" in verdict.message
            assert rule.tf_types[0] in verdict.message
            assert f"to {rule.wanted}" not in verdict.message.replace(f"set to {rule.wanted}", "")  # it complies already
            assert f"keeping `{flag}` set to {rule.wanted}" in verdict.message
            off = one(job(setting(rule, "false") if rule.expected is True else "", rtype=rtype), control="SIL001")
            assert judge(off).message.endswith(f"and set `{flag}` to {rule.wanted}.")
            # said once, by the diagnostic: not also by the controls of the type it was meant to be
            assert [s.rule for s in read_tf(job("", rtype=rtype), "main.tf")] == [UNKNOWN_TYPE]
    assert setting(RULES_BY_CONTROL["SageMaker.15"], "true") == (
        "  network_config {\n    enable_inter_container_traffic_encryption = true\n  }")


# ---------------------------------------------------------------------------------------------
# The normalised shape, as a Checkov adapter would feed it
# ---------------------------------------------------------------------------------------------


def test_normalise_checkov_conf() -> None:
    conf = {
        "job_resources": [{"cluster_config": {"instance_count": "${var.prod ? 4 : 1}"}}],
        "network_config": [{"enable_inter_container_traffic_encryption": ["${var.prod ? True : False}"]}],
        "role_arn": ["arn:aws:iam::123456789012:role/x"],
        "tags": [[{"key": "a", "value": "b"}]],
        "__start_line__": 3,
        "__end_line__": 9,
    }
    body = normalise_checkov_conf(conf)
    assert body == {
        "job_resources": {"cluster_config": {"instance_count": "var.prod ? 4 : 1"}},
        "network_config": [{"enable_inter_container_traffic_encryption": "var.prod ? True : False"}],
        "role_arn": "arn:aws:iam::123456789012:role/x",
        "tags": [{"key": "a", "value": "b"}],
    }
    assert isinstance(body["job_resources"]["cluster_config"]["instance_count"], Expr)
    subject = subject_from_attributes(RULES_BY_CONTROL["SageMaker.15"], f"{MB}.x", MB, body, 3, TfContext(), 9)
    assert judge(subject) is None
    assert judge(subject, strict=True) is not None


def test_after_apply_marker_in_the_normalised_shape() -> None:
    body = {"job_resources": {"cluster_config": {"instance_count": AFTER_APPLY}},
            "network_config": {"enable_inter_container_traffic_encryption": True}}
    subject = subject_from_attributes(RULES_BY_CONTROL["SageMaker.15"], f"{MB}.x", MB, body, 1, TfContext())
    assert values(subject.count) == [("unknown", None, "a value known only after apply")]
    assert judge(subject) is None


# ---------------------------------------------------------------------------------------------
# `.tf.json` and plans
# ---------------------------------------------------------------------------------------------


def test_tf_json_comment_key_suppresses() -> None:
    doc = {"resource": {MB: {"job": {
        "//": "sagemaker-iac-lint:ignore=SageMaker.15:reviewed in SEC-123",
        "job_resources": {"cluster_config": {"instance_count": 2}},
    }}}}
    subject = one(json.dumps(doc, indent=2), read_tf_json)
    assert subject.suppressions == {"SageMaker.15": "reviewed in SEC-123"}
    assert judge(subject) is not None


def test_tf_json_resource_list_form_and_template() -> None:
    doc = {"variable": [{"n": {}}], "resource": [{MB: {"job": [{
        "job_resources": [{"cluster_config": [{"instance_count": "${var.n}"}]}],
        "network_config": [{"enable_inter_container_traffic_encryption": "$${not an expression}"}],
    }]}}]}
    subject = one(json.dumps(doc), read_tf_json)
    assert values(subject.count) == [("unknown", None, "variable `n`, which Terraform does not bound")]
    assert values(subject.flag) == [("literal", "${not an expression}", "")]


@pytest.mark.parametrize("text", ["{", "[1, 2]", '{"resource": ', "\ufeff{}", "[" * 100000 + "]" * 100000])
def test_malformed_json_is_a_one_line_read_error(text: str) -> None:
    for reader in (read_tf_json, read_plan):
        with pytest.raises(ReadError) as raised:
            reader(text, "bad.json")
        assert "\n" not in str(raised.value)


def test_is_plan() -> None:
    plan = json.loads((FIXTURES / "tfplan/sagemaker-15/encrypted.pass.json").read_text())
    assert is_plan(plan)
    assert is_plan({"format_version": "1.0", "terraform_version": "1.5.0", "values": {}})
    assert not is_plan({"resource": {}})
    assert not is_plan({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}})
    assert not is_plan([])


def test_read_plan_accepts_parsed_data() -> None:
    text = (FIXTURES / "tfplan/sagemaker-15/module.fail.json").read_text()
    assert [s.name for s in read_plan(text, "plan.json", json.loads(text))] == [s.name for s in read_plan(text, "plan.json")]


def test_plan_with_no_resources() -> None:
    assert read_plan('{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {}}', "p.json") == []


# ---------------------------------------------------------------------------------------------
# The real corpus
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not there")
@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.tf")) if CORPUS.is_dir() else [], ids=lambda p: p.name[:60])
def test_real_corpus_files_read(path: Path) -> None:
    subjects = read_tf(path.read_text(encoding="utf-8"), str(path))
    assert subjects
    # None of them runs 2+ instances: nothing fails the standard mode except an unencrypted inline schedule.
    for subject in subjects:
        if subject.rule.control in TRAFFIC:
            verdict = judge(subject)
            assert verdict is None or subject.rule.control == "SageMaker.22"


def test_a_nonexistent_type_can_be_suppressed() -> None:
    subject = one(job("  # sagemaker-iac-lint:ignore=SIL001:migrating to awscc in PLAT-7",
                      rtype="aws_sagemaker_model_quality_job_definition"), control="SIL001")
    assert subject.unsupported and subject.suppressions == {"SIL001": "migrating to awscc in PLAT-7"}


@pytest.mark.parametrize("name", ["nonexistent-model-bias.tf", "nonexistent-inference-experiment.tf"])
def test_a_nonexistent_type_is_a_configuration_diagnostic_whatever_is_selected(name: str, tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    path.write_text((FIXTURES / "terraform_config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    expected = set(re.findall(r'resource "(aws_\w+)" "(\w+)"', path.read_text(encoding="utf-8")))
    for options in (Options(), Options(select=frozenset({"SageMaker.24", "SageMaker.12"})), Options(strict=True)):
        findings = scan([str(path)], options).findings
        assert {tuple(f.resource.split(".")) for f in findings} == expected
        assert {f.rule.control for f in findings} == {"SIL001"}
    assert scan([str(path)], Options(ignore=frozenset({"SIL001"}))).findings == []


@pytest.mark.parametrize("written,passes", [('"1"', True), ('"true"', True), ("true", True), ('"0"', False),
                                            ('"false"', False), ("1", False), ('" 1"', False)])
def test_a_string_flag_reads_as_terraform_converts_it(written: str, passes: bool) -> None:
    # go-cty converts the strings "true"/"1" and "false"/"0" to a bool; a number is not converted
    body = ("  job_resources = { cluster_config = { instance_count = 2 } }\n"
            f"  network_config = {{ enable_inter_container_traffic_encryption = {written} }}")
    assert (judge(one(job(body))) is None) is passes


# ---------------------------------------------------------------------------------------------
# The other rules in Terraform: hashicorp/aws nested blocks and awscc objects read alike
# ---------------------------------------------------------------------------------------------

AWS_AND_AWSCC = pytest.mark.parametrize("provider", ["aws", "awscc"])


def verdicts_of(text: str, control: str, strict: bool = False) -> dict:
    """Resource name -> (message, line, column) of its ``control`` finding, or None when it passes."""
    found = {}
    for subject in read_tf(text, "main.tf"):
        if subject.rule.control == control:
            verdict = judge(subject, strict)
            found[subject.name.split(".", 1)[1]] = None if verdict is None else (verdict.message, verdict.line, verdict.column)
    return found


def read_values(text: str, control: str) -> dict:
    """Resource name -> what ``control``'s subject read: (kind, literal, list element) of each value."""
    return {s.name.split(".", 1)[1]: [(v.kind, v.literal, v.element) for _, v in (s.flag if s.rule.flag_path else s.count)]
            for s in read_tf(text, "main.tf") if s.rule.control == control}


@AWS_AND_AWSCC
def test_a_notebook_without_direct_internet_access_fails_with_the_service_default(provider: str) -> None:
    rtype = f"{provider}_sagemaker_notebook_instance"
    text = (f'resource "{rtype}" "unset" {{\n  instance_type = "ml.t3.medium"\n}}\n'
            f'resource "{rtype}" "disabled" {{\n  instance_type          = "ml.t3.medium"\n'
            '  direct_internet_access = "Disabled"\n}\n'
            f'resource "{rtype}" "enabled" {{\n  direct_internet_access = "Enabled"\n}}\n')
    remedy = "Set `direct_internet_access` to `Disabled`; the property is create-only, so the notebook instance will be replaced."
    expected = {
        "unset": (f"notebook instance `{rtype}.unset` has direct internet access (`direct_internet_access` is not set, "
                  f"so the service default `Enabled` applies). {remedy}", 1, 1),
        "disabled": None,
        "enabled": (f"notebook instance `{rtype}.enabled` has direct internet access "
                    f"(`direct_internet_access` is 'Enabled'). {remedy}", 9, 3),
    }
    assert verdicts_of(text, "SageMaker.1") == expected
    assert verdicts_of(text, "SageMaker.1", strict=True) == expected  # no count: strict mode asks no more
    # the notebook's other rules judge it as well, each once
    assert sorted(s.rule.control for s in read_tf(text, "main.tf") if s.name == f"{rtype}.unset") == [
        "SageMaker.1", "SageMaker.2", "SageMaker.21", "SageMaker.3"]


# hashicorp/aws: one `container` block per container; awscc: a `containers` list of objects
CONTAINERS = {
    "aws": '''resource "aws_sagemaker_model" "mixed" {
  container {
    image = "a"
    image_config {
      repository_access_mode = "Vpc"
    }
  }
  container {
    image = "b"
    image_config {
      repository_access_mode = "Platform"
    }
  }
}
resource "aws_sagemaker_model" "private" {
  container {
    image_config {
      repository_access_mode = "Vpc"
    }
  }
  container {
    image_config {
      repository_access_mode = "Vpc"
    }
  }
}
resource "aws_sagemaker_model" "unset" {
  container {
    image_config {
      repository_access_mode = "Vpc"
    }
  }
  container {
    image = "b"
  }
}
resource "aws_sagemaker_model" "primary_only" {
  primary_container {
    image = "a"
  }
}
''',
    "awscc": '''resource "awscc_sagemaker_model" "mixed" {
  containers = [
    { image = "a", image_config = { repository_access_mode = "Vpc" } },
    {
      image        = "b"
      image_config = { repository_access_mode = "Platform" }
    },
  ]
}
resource "awscc_sagemaker_model" "private" {
  containers = [
    { image_config = { repository_access_mode = "Vpc" } },
    { image_config = { repository_access_mode = "Vpc" } },
  ]
}
resource "awscc_sagemaker_model" "unset" {
  containers = [
    { image_config = { repository_access_mode = "Vpc" } },
    { image = "b" },
  ]
}
resource "awscc_sagemaker_model" "primary_only" {
  primary_container = { image = "a" }
}
''',
}


def test_repeated_container_blocks_and_a_containers_list_read_alike() -> None:
    aws, awscc = (read_values(CONTAINERS[provider], "SageMaker.19") for provider in ("aws", "awscc"))
    assert aws == awscc == {
        "mixed": [("literal", "Vpc", "Containers[0]"), ("literal", "Platform", "Containers[1]")],
        "private": [("literal", "Vpc", "Containers[0]"), ("literal", "Vpc", "Containers[1]")],
        "unset": [("literal", "Vpc", "Containers[0]"), ("absent", None, "Containers[1]")],
        "primary_only": [],  # no container list: nothing for SageMaker.19 to judge (SageMaker.16 judges it)
    }


@AWS_AND_AWSCC
def test_every_container_must_pull_from_a_private_registry(provider: str) -> None:
    rtype = f"{provider}_sagemaker_model"
    path = "container[1].image_config.repository_access_mode" if provider == "aws" \
        else "containers[1].image_config.repository_access_mode"
    remedy = f"Set `{path}` to `Vpc`; the property is create-only, so the model will be replaced."
    found = {name: None if verdict is None else verdict[0]
             for name, verdict in verdicts_of(CONTAINERS[provider], "SageMaker.19").items()}
    assert found == {
        "mixed": f"model `{rtype}.mixed` pulls a container image outside its VPC (`{path}` is 'Platform'). {remedy}",
        "private": None,
        "unset": f"model `{rtype}.unset` pulls a container image outside its VPC (`{path}` is not set "
                 f"(no `image_config`), so the service default `Platform` applies). {remedy}",
        "primary_only": None,
    }


ENDPOINTS = {
    "aws": '''variable "n" {}
resource "aws_sagemaker_endpoint_configuration" "serverless" {
  production_variants {
    variant_name           = "a"
    initial_instance_count = 2
  }
  production_variants {
    variant_name = "s"
    serverless_config {
      max_concurrency   = 1
      memory_size_in_mb = 1024
    }
  }
}
resource "aws_sagemaker_endpoint_configuration" "variable" {
  production_variants {
    variant_name           = "a"
    initial_instance_count = 2
  }
  production_variants {
    variant_name           = "b"
    initial_instance_count = var.n
  }
}
''',
    "awscc": '''variable "n" {}
resource "awscc_sagemaker_endpoint_config" "serverless" {
  production_variants = [
    { variant_name = "a", initial_instance_count = 2 },
    { variant_name = "s", serverless_config = { max_concurrency = 1, memory_size_in_mb = 1024 } },
  ]
}
resource "awscc_sagemaker_endpoint_config" "variable" {
  production_variants = [
    { variant_name = "a", initial_instance_count = 2 },
    { variant_name = "b", initial_instance_count = var.n },
  ]
}
''',
}


@AWS_AND_AWSCC
def test_a_serverless_variant_is_skipped_and_a_variable_count_fails(provider: str) -> None:
    rtype = "aws_sagemaker_endpoint_configuration" if provider == "aws" else "awscc_sagemaker_endpoint_config"
    text = ENDPOINTS[provider]
    assert read_values(text, "SageMaker.4") == {
        "serverless": [("literal", 2, "ProductionVariants[0]")],  # the serverless variant is out of scope
        "variable": [("literal", 2, "ProductionVariants[0]"), ("unknown", None, "ProductionVariants[1]")],
    }
    for strict in (False, True):
        found = {name: None if verdict is None else verdict[0] for name, verdict in verdicts_of(text, "SageMaker.4", strict).items()}
        assert found == {
            "serverless": None,
            "variable": f"endpoint configuration `{rtype}.variable` has a production variant that can run on a single "
                        "instance (production_variants[1].initial_instance_count comes from variable `n`, which a "
                        "deployment may set to 1). Set `production_variants[1].initial_instance_count` to 2 or more; "
                        "the property is create-only, so the endpoint configuration will be replaced.",
        }


FEATURE_GROUPS = {
    "aws": '''resource "aws_sagemaker_feature_group" "in_memory" {
  online_store_config {
    enable_online_store = true
    storage_type        = "InMemory"
  }
}
resource "aws_sagemaker_feature_group" "standard" {
  online_store_config {
    enable_online_store = true
  }
}
resource "aws_sagemaker_feature_group" "keyed" {
  online_store_config {
    enable_online_store = true
    storage_type        = "Standard"
    security_config {
      kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k"
    }
  }
}
resource "aws_sagemaker_feature_group" "disabled" {
  online_store_config {
    enable_online_store = false
  }
}
''',
    "awscc": '''resource "awscc_sagemaker_feature_group" "in_memory" {
  online_store_config = { enable_online_store = true, storage_type = "InMemory" }
}
resource "awscc_sagemaker_feature_group" "standard" {
  online_store_config = {
    enable_online_store = true
  }
}
resource "awscc_sagemaker_feature_group" "keyed" {
  online_store_config = {
    enable_online_store = true
    storage_type        = "Standard"
    security_config     = { kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k" }
  }
}
resource "awscc_sagemaker_feature_group" "disabled" {
  online_store_config = { enable_online_store = false }
}
''',
}


@AWS_AND_AWSCC
def test_an_in_memory_online_store_is_out_of_scope_and_the_default_standard_store_fails(provider: str) -> None:
    rtype = f"{provider}_sagemaker_feature_group"
    line = 7 if provider == "aws" else 4
    expected = {
        "in_memory": None,
        "standard": (f"feature group `{rtype}.standard` keeps its online store without a KMS key "
                     "(`security_config.kms_key_id` is not set (no `security_config`)). Set "
                     "`online_store_config.security_config.kms_key_id` to a KMS key; the property is create-only, "
                     "so the feature group will be replaced.", line, 1),
        "keyed": None,
        "disabled": None,
    }
    assert verdicts_of(FEATURE_GROUPS[provider], "SageMaker.18") == expected
    assert verdicts_of(FEATURE_GROUPS[provider], "SageMaker.18", strict=True) == expected


@pytest.mark.parametrize(("provider", "texts", "control", "name", "position"), [
    ("aws", CONTAINERS, "SageMaker.19", "mixed", (11, 7)),
    ("awscc", CONTAINERS, "SageMaker.19", "mixed", (6, 24)),
    ("aws", CONTAINERS, "SageMaker.19", "unset", (33, 3)),
    ("awscc", CONTAINERS, "SageMaker.19", "unset", (19, 5)),
    ("aws", ENDPOINTS, "SageMaker.4", "variable", (22, 5)),
    ("awscc", ENDPOINTS, "SageMaker.4", "variable", (11, 27)),
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_finding_on_a_list_element_points_at_that_element(provider: str, texts: dict, control: str, name: str,
                                                           position: tuple[int, int]) -> None:
    _, line, column = verdicts_of(texts[provider], control)[name]
    assert (line, column) == position


def test_an_instance_key_comparison_is_decided_and_an_input_comparison_stays_open(tmp_path: Path) -> None:
    # count.index and each.key are known per instance; a variable may be given another value at apply
    (tmp_path / "main.tf").write_text("""\
variable "env" {
  default = "dev"
}
resource "aws_sagemaker_notebook_instance" "nb" {
  count       = 2
  root_access = count.index == 0 ? "Disabled" : "Enabled"
}
resource "aws_sagemaker_notebook_instance" "fe" {
  for_each    = { dev = 1, prod = 2 }
  root_access = each.key == "prod" ? "Disabled" : "Enabled"
}
resource "awscc_sagemaker_model_bias_job_definition" "job" {
  job_resources  = { cluster_config = { instance_count = var.env == "prod" ? 4 : 1 } }
}
""", encoding="utf-8")
    found = scan([str(tmp_path)], Options(select=frozenset({"SageMaker.3", "SageMaker.15"}))).findings
    assert {(f.rule.control, f.resource) for f in found} == {
        ("SageMaker.3", "aws_sagemaker_notebook_instance.nb[1]"),
        ("SageMaker.3", 'aws_sagemaker_notebook_instance.fe["dev"]'),
        ("SageMaker.15", "awscc_sagemaker_model_bias_job_definition.job"),
    }
    (job,) = [f for f in found if f.rule.control == "SageMaker.15"]
    assert 'when condition `var.env == "prod"` is true' in job.message
