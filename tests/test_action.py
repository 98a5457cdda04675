"""action.yml, run as the GitHub runner runs a composite action, since no runner is reachable here.

Each ``run:`` step is written to a file and run with ``bash --noprofile --norc -eo pipefail`` (the
runner's ``shell: bash``), its ``${{ ... }}`` expressions substituted first as the runner does
(``inputs.*`` with their defaults, ``github.action_path``, ``steps.<id>.outputs.*`` read back from
``$GITHUB_OUTPUT``), its ``env:`` set, in the workspace. A ``uses:`` step (actions/setup-python,
github/codeql-action/upload-sarif) cannot run here: its ``if:`` is evaluated and its ``with:`` kept,
for the test to check.

The install step is the action's own ``pip install "<action path>[extras]"``, run against a copy of
this checkout; ``pip`` on PATH is a wrapper that adds ``--target`` (a temporary directory, so no
shared environment is touched), ``--no-index --no-deps --no-build-isolation`` (no network here: the
dependencies are this environment's). The check then runs that installed console script.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="runs bash as a Linux runner does")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """A runner's view of one job: the workspace, the installed tools, each step's outputs."""

    def __init__(self, workspace: Path, action_path: Path, bin_dir: Path, target: Path) -> None:
        self.workspace = workspace
        self.action_path = action_path
        self.bin_dir = bin_dir
        self.target = target

    def run_action(self, inputs: dict[str, str]) -> dict:
        unknown = set(inputs) - set(ACTION["inputs"])
        assert not unknown, unknown
        values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        values.update(inputs)
        outputs: dict[str, dict[str, str]] = {}
        result: dict = {"steps": [], "uses": {}, "failed": None}
        for number, step in enumerate(ACTION["runs"]["steps"]):
            condition = step.get("if")
            if condition is not None and not evaluate_if(condition, values):
                result["steps"].append((step["name"], "skipped"))
                continue
            if "uses" in step:
                result["uses"][step["uses"]] = {key: self.substitute(str(value), values, outputs)
                                                for key, value in (step.get("with") or {}).items()}
                result["steps"].append((step["name"], "uses"))
                continue
            assert step.get("shell") == "bash", step["name"]
            done = self.run_step(number, step, values, outputs)
            result["steps"].append((step["name"], done.returncode))
            result.setdefault("stdout", {})[step["name"]] = done.stdout
            result.setdefault("stderr", {})[step["name"]] = done.stderr
            if done.returncode != 0:
                result["failed"] = (step["name"], done.returncode)
                break
        result["outputs"] = {name: self.substitute(spec["value"], values, outputs)
                             for name, spec in ACTION["outputs"].items()}
        return result

    def substitute(self, text: str, values: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
        def value(match: re.Match) -> str:
            expression = match.group(1)
            if expression == "github.action_path":
                return str(self.action_path)
            if expression.startswith("inputs."):
                return values[expression[len("inputs."):]]
            step_output = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
            if step_output:
                return outputs.get(step_output.group(1), {}).get(step_output.group(2), "")
            raise AssertionError(f"an expression this test does not evaluate: {expression}")

        return EXPRESSION.sub(value, text)

    def run_step(self, number: int, step: dict, values: dict[str, str],
                 outputs: dict[str, dict[str, str]]) -> subprocess.CompletedProcess:
        script = self.workspace.parent / f"step-{number}.sh"
        script.write_text(self.substitute(step["run"], values, outputs), encoding="utf-8")
        output_file = self.workspace.parent / f"step-{number}.output"
        output_file.write_text("")
        env = {"PATH": os.pathsep.join([str(self.bin_dir), str(self.target / "bin"), os.environ.get("PATH", "")]),
               "HOME": str(self.workspace.parent), "GITHUB_OUTPUT": str(output_file),
               "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_ACTION_PATH": str(self.action_path),
               "PYTHONPATH": str(self.target), "LANG": "C.UTF-8"}
        env.update({key: self.substitute(str(value), values, outputs) for key, value in (step.get("env") or {}).items()})
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                              env=env, capture_output=True, text=True, timeout=300)
        if "id" in step:
            recorded = outputs.setdefault(step["id"], {})
            for line in output_file.read_text().splitlines():
                name, _, value = line.partition("=")
                recorded[name] = value
        return done


def evaluate_if(condition: str, values: dict[str, str]) -> bool:
    """The conditions action.yml uses: ``inputs.x == 'v'`` and ``inputs.x != 'v'``, joined by ``&&``."""
    result = True
    for part in condition.split("&&"):
        match = re.fullmatch(r"\s*inputs\.([\w-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
        assert match, f"a condition this test does not evaluate: {condition}"
        name, operator, literal = match.groups()
        result = result and ((values[name] == literal) is (operator == "=="))
    return result


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    base = tmp_path_factory.mktemp("runner")
    action_path = base / "action"  # the action's checkout: what `uses: owner/repo@sha` fetches
    action_path.mkdir()
    for name in ("pyproject.toml", "README.md", "action.yml"):
        shutil.copy(ROOT / name, action_path / name)
    shutil.copytree(ROOT / "src", action_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    target = base / "site"
    bin_dir = base / "bin"
    bin_dir.mkdir()
    pip = bin_dir / "pip"
    pip.write_text("#!/bin/bash\n"
                   f'[ "$1" = install ] || exit 64\n'
                   f'exec "{sys.executable}" -m pip "$@" --quiet --no-index --no-deps --no-build-isolation '
                   f'--target "{target}"\n')
    pip.chmod(0o755)
    workspace = base / "workspace"
    shutil.copytree(FIXTURES / "cloudformation", workspace / "templates")
    return Runner(workspace, action_path, bin_dir, target)


@pytest.fixture(scope="module")
def installed(runner: Runner) -> dict:
    """The whole action once with its defaults on a failing template: the install step included."""
    return runner.run_action({"paths": "templates/sagemaker-15/literal.fail.yaml"})


LITERAL = "templates/sagemaker-15/literal.fail.yaml"
PASSING = "templates/sagemaker-11/isolated.pass.yaml"  # a data quality job definition that passes every rule


def annotations(result: dict) -> list[str]:
    return [line for line in result["stdout"]["Run sagemaker-iac-lint check"].splitlines() if line.startswith("::")]


def test_defaults_install_from_the_checkout_and_annotate(installed: dict, runner: Runner) -> None:
    assert installed["steps"][0] == ("Set up Python", "uses")
    assert installed["uses"]["actions/setup-python@v5"] == {"python-version": "3.12"}
    names = dict(installed["steps"])
    assert names["Install sagemaker-iac-lint from the action's checkout"] == 0, installed["stderr"]
    assert (runner.target / "bin" / "sagemaker-iac-lint").is_file()
    assert (runner.target / "sagemaker_iac_lint" / "cli.py").is_file()  # installed from the copy, not this tree
    assert names["Upload SARIF to code scanning"] == "skipped"
    assert installed["failed"] == ("Exit as sagemaker-iac-lint did", 1)
    assert installed["outputs"]["exit-code"] == "1"
    found = annotations(installed)
    expected = subprocess.run([*command(), "check", "--no-config", "--format", "github", LITERAL], cwd=runner.workspace,
                              capture_output=True, text=True, timeout=120).stdout.splitlines()
    assert found == expected and sum(",title=SageMaker.15 " in line for line in found) == 3
    assert all(line.startswith(f"::error file={LITERAL},line=") for line in found)


def command() -> list[str]:
    from console import COMMAND

    return COMMAND


def test_a_clean_template_passes(installed: dict, runner: Runner) -> None:
    result = runner.run_action({"paths": PASSING, "python-version": ""})
    assert result["steps"][0] == ("Set up Python", "skipped") and "actions/setup-python@v5" not in result["uses"]
    assert result["failed"] is None and result["outputs"]["exit-code"] == "0"
    assert annotations(result) == []


def test_sarif_is_written_and_uploaded(installed: dict, runner: Runner) -> None:
    result = runner.run_action({"paths": f"{LITERAL} {PASSING}", "format": "sarif", "sarif-file": "out/lint.sarif"})
    assert result["failed"] == ("Exit as sagemaker-iac-lint did", 1)
    assert result["outputs"] == {"exit-code": "1", "sarif-file": "out/lint.sarif"}
    assert json.loads((runner.workspace / "out" / "lint.sarif").read_text())["runs"][0]["results"]
    assert result["uses"]["github/codeql-action/upload-sarif@v4"] == {"sarif_file": "out/lint.sarif",
                                                                      "category": "sagemaker-iac-lint"}


def test_sarif_file_in_the_workspace(installed: dict, runner: Runner) -> None:
    result = runner.run_action({"paths": f"{LITERAL} {PASSING}", "format": "sarif"})
    assert result["outputs"] == {"exit-code": "1", "sarif-file": "sagemaker-iac-lint.sarif"}
    document = json.loads((runner.workspace / "sagemaker-iac-lint.sarif").read_text())
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]} \
        == {LITERAL}
    assert annotations(result) == []  # SARIF goes to code scanning, not to annotations
    assert dict(result["steps"])["Upload SARIF to code scanning"] == "uses"
    not_uploaded = runner.run_action({"paths": LITERAL, "format": "sarif", "upload-sarif": "false"})
    assert dict(not_uploaded["steps"])["Upload SARIF to code scanning"] == "skipped"


def test_strict_and_extra_args(installed: dict, runner: Runner) -> None:
    standard = annotations(runner.run_action({"paths": LITERAL}))
    strict = runner.run_action({"paths": LITERAL, "strict": "true"})
    assert len(annotations(strict)) == len(standard) + 1 and strict["outputs"]["exit-code"] == "1"
    selected = runner.run_action({"paths": LITERAL, "extra-args": "--select SageMaker.9 --no-config"})
    assert selected["failed"] is None and annotations(selected) == []
    text = runner.run_action({"paths": LITERAL, "format": "text", "extra-args": "--exit-zero"})
    assert text["failed"] is None and text["outputs"]["exit-code"] == "0"
    assert sum(": SageMaker.15 " in line for line in text["stdout"]["Run sagemaker-iac-lint check"].splitlines()) == 3


def test_bad_inputs_fail_with_an_error_annotation(installed: dict, runner: Runner) -> None:
    for inputs, message in [({"format": "xml"}, "input format must be"), ({"strict": "yes"}, "input strict must be")]:
        result = runner.run_action({"paths": LITERAL, **inputs})
        assert result["failed"] == ("Exit as sagemaker-iac-lint did", 2), inputs
        (line,) = annotations(result)
        assert line.startswith("::error title=sagemaker-iac-lint::") and message in line
    missing = runner.run_action({"paths": "templates/missing.yaml"})
    assert missing["outputs"]["exit-code"] == "2"
    assert "templates/missing.yaml" in "".join(annotations(missing))


def test_inputs_never_become_shell_code(installed: dict, runner: Runner) -> None:
    marker = runner.workspace / "pwned"
    result = runner.run_action({"paths": f"$(touch {marker}) `touch {marker}` {LITERAL};touch${{IFS}}{marker}",
                                "extra-args": f"--no-config $(touch {marker})"})
    assert not marker.exists()
    assert result["outputs"]["exit-code"] == "2"  # the odd words are paths that do not exist, and say so
