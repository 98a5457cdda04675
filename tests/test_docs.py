"""The rule pages: fresh, complete, and every example on them does what the page says it does."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import sys
from pathlib import Path

import pytest
from console import without_summary

from sagemaker_iac_lint import docs
from sagemaker_iac_lint.cli import main
from sagemaker_iac_lint.rules import RULES, RULES_BY_CONTROL, UNKNOWN_TYPE, Rule, all_rules

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["## What it does", "## Why it matters", "## Example", "## How to fix", "## Who else checks it", "## Suppressing it",
            "## References"]
RULE_IDS = [rule.control for rule in RULES]


def by_control(control: str) -> Rule:
    return next(rule for rule in RULES if rule.control == control)


def check(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["check", "--no-config", *args])
    out, err = capsys.readouterr()
    return code, out, without_summary(err)


def hcl2_problem() -> str | None:
    from sagemaker_iac_lint import terraform

    return terraform.hcl2_problem()


# --- the committed pages --------------------------------------------------------------------------

def test_committed_pages_are_fresh() -> None:
    stale = docs.stale_files(ROOT)
    assert not stale, f"stale generated docs {[str(p) for p in stale]}: run `python -m sagemaker_iac_lint.docs`"


def test_every_generated_file_is_marked() -> None:
    for path, text in docs.generated_files().items():
        assert text.startswith(docs.GENERATED_MARK), path
        assert "do not edit" in text.splitlines()[0]
    assert set(docs.generated_files()) == {Path(rule.doc_page) for rule in all_rules()} | {docs.INDEX_PAGE}


@pytest.mark.parametrize("control", RULE_IDS)
def test_page_has_the_fixed_sections_in_order(control: str) -> None:
    rule = by_control(control)
    page = docs.render_rule_page(rule)
    positions = [page.index(section + "\n") for section in SECTIONS]
    assert positions == sorted(positions)
    assert page.startswith(f"# {rule.control}: {rule.title}\n")
    for text in (rule.cfn_lint_id, rule.checkov_id, rule.help_url, rule.config_rule_url, rule.rationale,
                 *rule.cfn_types, *rule.tf_types):
        assert text in page


def test_index_lists_every_rule_with_its_page() -> None:
    index = docs.render_index()
    for rule in RULES:
        assert f"[{rule.control}](sagemaker-{rule.number}.md)" in index
        assert Path(rule.doc_page).name == f"sagemaker-{rule.number}.md"


@pytest.mark.parametrize("control", RULE_IDS)
def test_page_says_ids_defaults_replacement_and_who_else_checks(control: str) -> None:
    rule = by_control(control)
    page = docs.render_rule_page(rule)
    assert f"| Security Hub control | [`{rule.control}`]({rule.help_url}) |" in page
    assert f"| cfn-lint | `{rule.cfn_lint_id}` |" in page and f"| Checkov | `{rule.checkov_id}` |" in page
    assert f"| AWS Config rule | [`{rule.config_rule}`]({rule.config_rule_url}) |" in page
    missing = page.split("**When a property is not set.** ", 1)[1].split("\n", 1)[0]
    if rule.default:
        assert f"takes the service default {rule.default}, which fails" in missing
    for condition in rule.applies:
        assert f"`{'.'.join(condition.path)}` not set reads as" in missing
    fix = page.split("## How to fix\n", 1)[1].split("\n## ", 1)[0]
    assert ("create-only" in fix) == rule.create_only
    assert ("is not replaced" in fix) == (not rule.create_only)
    others = page.split("## Who else checks it\n\n", 1)[1].split("\n## ", 1)[0]
    assert others.strip() == docs.OTHER_TOOLS[rule.number]


def test_who_else_checks_names_the_tools_that_differ() -> None:
    # Checkov's CKV_AWS_122 passes a notebook without direct_internet_access; SageMaker.1 fails it
    one = docs.render_rule_page(by_control("SageMaker.1"))
    assert "`CKV_AWS_122`" in one and "passes a notebook that leaves it out" in one and "`Enabled`" in one
    # Checkov's CKV_AWS_369 has no count condition: it agrees with strict mode, not the standard one
    assert "`CKV_AWS_369`" in docs.OTHER_TOOLS[9] and "at any instance count" in docs.OTHER_TOOLS[9]
    assert set(docs.OTHER_TOOLS) == {rule.number for rule in RULES}


def test_index_lists_every_rule_with_its_resource_types() -> None:
    index = docs.render_index()
    for rule in RULES:
        (row,) = [line for line in index.splitlines() if line.startswith(f"| [{rule.control}](")]
        assert all(f"`{name}`" in row for name in (*rule.cfn_types, *rule.tf_types)), row


def test_readme_rule_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = docs.render_readme_table()
    assert table in readme
    rows = [line for line in table.splitlines() if line.startswith("| [SageMaker.")]
    assert [row.split("]")[0][3:] for row in rows] == RULE_IDS
    for rule, row in zip(RULES, rows):
        assert all(f"`{name}`" in row for name in (*rule.cfn_types, *rule.tf_types)), row
        assert f"| {rule.cfn_lint_id} | {rule.checkov_id} |" in row


def test_readme_table_is_rewritten_between_its_markers(tmp_path) -> None:
    (tmp_path / "README.md").write_text("# x\n\n" + docs.README_START + "| old |\n" + docs.README_END + "\nafter\n")
    assert docs.README in docs.stale_files(tmp_path)
    docs.write_files(tmp_path)
    text = (tmp_path / "README.md").read_text()
    assert text == "# x\n\n" + docs.render_readme_table() + "\nafter\n"
    assert docs.README not in docs.stale_files(tmp_path)


def test_schedule_example_nests_under_the_inline_definition() -> None:
    rule = by_control("SageMaker.22")
    text = docs.cfn_example(rule, encrypted=True)
    assert "MonitoringScheduleConfig:\n        MonitoringJobDefinition:\n" in text
    assert "          NetworkConfig:\n            EnableInterContainerTrafficEncryption: true" in text
    awscc = docs.tf_example(rule, "awscc_sagemaker_monitoring_schedule", encrypted=True)
    assert "    monitoring_job_definition = {\n" in awscc and "      network_config = {\n" in awscc
    aws = docs.tf_example(rule, "aws_sagemaker_monitoring_schedule", encrypted=True)
    assert "    monitoring_job_definition {\n" in aws and "      network_config {\n" in aws


# --- the examples, run through the CLI --------------------------------------------------------------

@pytest.mark.parametrize("control", RULE_IDS)
def test_cloudformation_examples_fail_and_fixes_pass(control: str, tmp_path, capsys) -> None:
    rule = by_control(control)
    failing = tmp_path / "fail.yaml"
    failing.write_text(docs.cfn_example(rule, encrypted=False))
    code, out, err = check([str(failing)], capsys)
    assert code == 1 and err == ""
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in out.splitlines()] == [rule.control]

    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(docs.cfn_example(rule, encrypted=True))
    assert check([str(fixed)], capsys) == (0, "", "")


def run_example(rule: Rule, body: dict, tmp_path: Path, capsys, name: str) -> tuple[int, str]:
    cfn_type = rule.cfn_types[0]
    target = tmp_path / f"{name}.yaml"
    target.write_text(docs.cfn_template(docs.logical_id(cfn_type), cfn_type, body))
    code, out, err = check([str(target)], capsys)
    assert err == ""
    return code, out


@pytest.mark.parametrize("control", [rule.control for rule in RULES if rule.each])
def test_every_element_is_judged_and_skipped_elements_are_not(control: str, tmp_path, capsys) -> None:
    rule = by_control(control)
    failing = docs.Example(rule, rule.cfn_types[0], passing=False, count=None)
    items = failing.body
    for key in rule.scope + rule.each:
        items = items[key]
    assert len(items) >= 2  # the first element passes, the last one fails
    code, out = run_example(rule, failing.body, tmp_path, capsys, "fail")
    assert code == 1 and f"{rule.each[-1]}[{len(items) - 1}]" in out and f"{rule.each[-1]}[0]" not in out
    for key in rule.skip_element:  # an element with the key is out of scope: the same body passes
        items[-1][key] = {"MaxConcurrency": 5, "MemorySizeInMB": 2048} if key == "ServerlessConfig" else {}
        assert run_example(rule, failing.body, tmp_path, capsys, f"skip-{key}") == (0, "")


@pytest.mark.parametrize("control", [rule.control for rule in RULES if rule.scope or rule.applies])
def test_without_its_scope_or_conditions_the_rule_has_nothing_to_judge(control: str, tmp_path, capsys) -> None:
    rule = by_control(control)
    example = docs.Example(rule, rule.cfn_types[0], passing=False, count=None)
    assert run_example(rule, example.body, tmp_path, capsys, "fail")[0] == 1
    if rule.scope:
        body = json.loads(json.dumps(example.body))
        parent = body
        for key in rule.scope[:-1]:
            parent = parent[key]
        del parent[rule.scope[-1]]
        code, out = run_example(rule, body, tmp_path, capsys, "no-scope")
        assert f" {rule.control} " not in out
    for condition in rule.applies:  # each condition made false in turn
        body = json.loads(json.dumps(example.body))
        node = body
        for key in condition.path[:-1]:
            node = node.setdefault(key, {})
        node[condition.path[-1]] = condition.values[0] if condition.negate else condition.default
        code, out = run_example(rule, body, tmp_path, capsys, "not-applying")
        assert code == 0 and out == "", condition.path


@pytest.mark.parametrize("control", [rule.control for rule in RULES if rule.count_fails == "2+"])
def test_single_instance_passes_unless_strict(control: str, tmp_path, capsys) -> None:
    rule = by_control(control)
    single = tmp_path / "single.yaml"
    single.write_text(docs.cfn_example(rule, encrypted=False, count=1))
    assert check([str(single)], capsys)[0] == 0
    code, out, _ = check(["--strict", str(single)], capsys)
    assert code == 1 and f" {rule.control} " in out


@pytest.mark.parametrize("control", RULE_IDS)
def test_page_shows_what_the_cli_prints(control: str, tmp_path, capsys, monkeypatch) -> None:
    rule = by_control(control)
    monkeypatch.chdir(tmp_path)
    Path("template.yaml").write_text(docs.cfn_example(rule, encrypted=False))
    code, out, _ = check(["template.yaml"], capsys)
    assert code == 1
    page = docs.render_rule_page(rule)
    assert "$ sagemaker-iac-lint check template.yaml\n" + out + "```" in page
    if rule.count_fails == "2+":
        Path("template.yaml").write_text(docs.cfn_example(rule, encrypted=False, count=1))
        code, out, _ = check(["--strict", "template.yaml"], capsys)
        assert code == 1 and "$ sagemaker-iac-lint check --strict template.yaml\n" + out + "```" in page


@pytest.mark.parametrize("control", RULE_IDS)
def test_cloudformation_suppression_needs_a_reason(control: str, tmp_path, capsys) -> None:
    rule = by_control(control)
    with_reason = tmp_path / "suppressed.yaml"
    with_reason.write_text(docs.cfn_example(rule, encrypted=False, metadata=docs.cli_suppression_metadata(rule)))
    assert check([str(with_reason)], capsys) == (0, "", "")
    without = tmp_path / "no-reason.yaml"
    without.write_text(docs.cfn_example(rule, encrypted=False, metadata=docs.cli_suppression_metadata(rule, "")))
    code, out, _ = check([str(without)], capsys)
    assert code == 1 and "gives no reason" in out
    # the page shows the same Metadata the test applies
    page = docs.render_rule_page(rule)
    assert f"        - rule: {rule.control}\n          reason: \"{docs.SUPPRESSION_REASON}\"" in page


TF_CASES = [(rule.control, tf_type) for rule in RULES for tf_type in rule.tf_types]


@pytest.mark.terraform
@pytest.mark.parametrize("control,tf_type", TF_CASES)
def test_terraform_examples_fail_and_fixes_pass(control: str, tf_type: str, tmp_path, capsys) -> None:
    problem = hcl2_problem()
    if problem:
        pytest.skip(f"no usable hcl2 module: {problem}")
    rule = by_control(control)
    failing = tmp_path / "fail" / "main.tf"
    failing.parent.mkdir()
    failing.write_text(docs.tf_example(rule, tf_type, encrypted=False))
    code, out, err = check([str(failing)], capsys)
    assert code == 1 and err == ""
    assert len(out.splitlines()) == 1 and f": {rule.control} " in out
    assert f"{tf_type}.{docs.tf_name(rule.cfn_types[0])}" in out

    fixed = tmp_path / "fixed" / "main.tf"
    fixed.parent.mkdir()
    fixed.write_text(docs.tf_example(rule, tf_type, encrypted=True))
    assert check([str(fixed)], capsys) == (0, "", "")

    suppressed = tmp_path / "suppressed" / "main.tf"
    suppressed.parent.mkdir()
    suppressed.write_text(docs.tf_example(rule, tf_type, encrypted=False,
                                          leading_comments=[docs.tf_suppression_comment(rule)]))
    assert check([str(suppressed)], capsys) == (0, "", "")
    assert f"  # {docs.tf_suppression_comment(rule)}\n" in docs.render_rule_page(rule)


@pytest.mark.terraform
@pytest.mark.parametrize("control,tf_type", [(r.control, t) for r in RULES for t in r.nonexistent_tf_types])
def test_nonexistent_terraform_types_are_reported_as_the_page_says(control: str, tf_type: str, tmp_path, capsys) -> None:
    problem = hcl2_problem()
    if problem:
        pytest.skip(f"no usable hcl2 module: {problem}")
    rule = by_control(control)
    assert f"hashicorp/aws has no `{tf_type}` resource" in docs.render_rule_page(rule)
    wrong = tmp_path / "main.tf"
    wrong.write_text(docs.tf_example(rule, tf_type, encrypted=True))
    code, out, _ = check([str(wrong)], capsys)
    # a configuration diagnostic of its own, which names the control that cannot be judged
    assert code == 1 and ": SIL001 " in out and f"{rule.control} cannot be judged" in out and rule.tf_types[0] in out
    assert "SIL001" in docs.render_rule_page(rule) and tf_type in docs.render_rule_page(UNKNOWN_TYPE)


@pytest.mark.cfnlint
@pytest.mark.parametrize("control", RULE_IDS)
def test_cloudformation_examples_are_valid_templates(control: str) -> None:
    """Copy-paste ready: cfn-lint's own rules find nothing in either example."""
    api = pytest.importorskip("cfnlint.api")
    rule = by_control(control)
    for encrypted in (False, True):
        matches = api.lint(docs.cfn_example(rule, encrypted=encrypted), regions=["us-east-1"])
        assert [str(m) for m in matches] == []


# --- explain, rules, and the generator -------------------------------------------------------------

@pytest.mark.parametrize("control", RULE_IDS)
def test_explain_prints_the_page(control: str, capsys) -> None:
    rule = by_control(control)
    for name in (rule.control, rule.cfn_lint_id, rule.checkov_id, f"sagemaker-{rule.number}"):
        assert main(["explain", name]) == 0
        assert capsys.readouterr().out == docs.render_rule_page(rule)


def test_explain_unknown_rule_exits_2(capsys) -> None:
    assert main(["explain", "SageMaker.99"]) == 2
    assert "unknown rule `SageMaker.99`" in capsys.readouterr().err


def test_rules_lists_every_rule(capsys) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line.split()[:3] for line in lines if not line.startswith(" ")]
    assert listed == [[r.control, r.cfn_lint_id or "-", r.checkov_id]
                      for r in sorted(RULES, key=lambda r: r.number) + [UNKNOWN_TYPE]]
    # each rule's resource types on the line below it
    types = [line.strip() for line in lines if line.startswith(" ")]
    assert types[0] == ", ".join(RULES_BY_CONTROL["SageMaker.1"].cfn_types + RULES_BY_CONTROL["SageMaker.1"].tf_types)


def test_generator_writes_checks_and_removes_stale_pages(tmp_path, capsys) -> None:
    assert docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert docs.main(["--root", str(tmp_path)]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.md"))
    assert written == sorted(str(p) for p in docs.generated_files())
    assert docs.main(["--root", str(tmp_path), "--check"]) == 0

    page = tmp_path / RULES[0].doc_page
    page.write_text(page.read_text() + "hand edit\n")
    old = tmp_path / "docs" / "rules" / "sagemaker-99.md"
    old.write_text(docs.GENERATED_MARK + "a rule that is gone\n")
    hand_written = tmp_path / "docs" / "rules" / "sagemaker-notes.md"
    hand_written.write_text("not generated\n")
    capsys.readouterr()
    assert docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert "sagemaker-99.md: stale" in capsys.readouterr().err
    assert docs.main(["--root", str(tmp_path)]) == 0
    assert not old.exists() and hand_written.exists()
    assert docs.main(["--root", str(tmp_path), "--check"]) == 0


def test_module_entry_point_runs(tmp_path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "sagemaker_iac_lint.docs", "--root", str(tmp_path)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "docs" / "rules" / "index.md").is_file()


# --- the hand-written pages: every `$ sagemaker-iac-lint` command prints what the page says -------

HAND_WRITTEN = ["index.md", "values.md", "engines.md", "configuration.md", "integrations.md"]
FENCE = re.compile(r"^```([\w-]*)[ \t]*(\S*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
EXIT_SUFFIX = '; echo "exit $?"'


def doc_sessions(text: str) -> list[tuple[dict[str, str], list[tuple[str, str]]]]:
    """(files, [(command, expected output)]) for every console block that runs sagemaker-iac-lint.

    A code block whose info string names a file after the language (```yaml template.yaml) is that
    file; files stay defined for the console blocks after them on the same page.
    """
    files: dict[str, str] = {}
    sessions = []
    for language, name, body in FENCE.findall(text):
        if name and language != "console":
            files[name] = body
            continue
        if language != "console":
            continue
        commands: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands:
                commands[-1][1].append(line)
        runnable = [(command, "".join(f"{line}\n" for line in out)) for command, out in commands
                    if command.startswith("sagemaker-iac-lint ")]
        if runnable:
            sessions.append((dict(files), runnable))
    return sessions


def run_documented(command: str, files: dict[str, str], directory: Path, capsys) -> str:
    """Run one documented command through ``cli.main`` in ``directory`` holding ``files``; its output."""
    for name, body in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    echo_exit = command.endswith(EXIT_SUFFIX)
    argv = shlex.split(command[: -len(EXIT_SUFFIX)] if echo_exit else command)[1:]
    stdin = None
    if len(argv) >= 2 and argv[-2] == "<":  # `... < template.yaml`: the file on standard input
        stdin = io.TextIOWrapper(io.BytesIO((directory / argv[-1]).read_bytes()), encoding="utf-8")
        argv = argv[:-2]
    assert "<" not in argv and "|" not in argv, f"a shell construct this test does not run: {command}"
    capsys.readouterr()
    saved_stdin = sys.stdin
    try:
        if stdin is not None:
            sys.stdin = stdin
        code = main(argv)
    except SystemExit as exit_info:  # argparse: --help, usage errors
        code = int(exit_info.code or 0)
    finally:
        sys.stdin = saved_stdin
    out, err = capsys.readouterr()
    return out + err + (f"exit {code}\n" if echo_exit else "")


DOC_CASES = [
    pytest.param(page, number, id=f"{page}#{number}")
    for page in HAND_WRITTEN
    if (ROOT / "docs" / page).is_file()
    for number in range(len(doc_sessions((ROOT / "docs" / page).read_text(encoding="utf-8"))))
]


@pytest.mark.parametrize("page,number", DOC_CASES)
def test_documented_commands_print_what_the_docs_show(page: str, number: int, tmp_path, capsys, monkeypatch) -> None:
    files, commands = doc_sessions((ROOT / "docs" / page).read_text(encoding="utf-8"))[number]
    if any(name.endswith(".tf") for name in files) and any(".tf" in command for command, _ in commands):
        problem = hcl2_problem()
        if problem:
            pytest.skip(f"no usable hcl2 module: {problem}")
    monkeypatch.chdir(tmp_path)
    for command, expected in commands:
        assert run_documented(command, files, tmp_path, capsys) == expected, command


def test_hand_written_pages_exist_and_have_runnable_examples() -> None:
    for page in HAND_WRITTEN:
        assert (ROOT / "docs" / page).is_file(), page
    assert len(DOC_CASES) >= 10


def test_every_check_option_is_in_the_configuration_page() -> None:
    """options.py declares each option once; the page's flag table must name every spelling of it."""
    from sagemaker_iac_lint.options import CHECK_ALL

    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in page.splitlines() if line.startswith("| `"))
    missing = [flag for option in CHECK_ALL for flag in option.flags if f"`{flag}" not in table]
    assert not missing, f"options missing from docs/configuration.md's flag table: {missing}"
