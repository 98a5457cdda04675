"""The pre-commit hook, run by the real pre-commit as a user's repository would run it.

``pre-commit try-repo`` clones the hook repository at its HEAD, so the working tree (with whatever is
not committed yet) is copied into a fresh repository and committed there first. pre-commit then builds
the hook's environment with pip, which is slow (tens of seconds) and needs a package index.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sagemaker_iac_lint import docs
from sagemaker_iac_lint.rules import RULES_BY_CONTROL

ROOT = Path(__file__).resolve().parents[1]
HOOK_ID = "sagemaker-iac-lint"
# What pip needs to build the package, and the hook manifest; nothing else goes into the copy.
HOOK_REPO_FILES = ["pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "src"]

needs_pre_commit = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed in this environment"
)


def test_manifest_matches_the_package() -> None:
    """The hook's fixed fields, and its python-hcl2 pin kept equal to the `terraform` extra."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == HOOK_ID and hook["language"] == "python"
    assert hook["entry"] == "sagemaker-iac-lint check" and hook["require_serial"] is False
    assert hook.get("pass_filenames", True) is True
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert hook["additional_dependencies"] == extras["terraform"]
    files = re.compile(hook["files"])
    for name in ("a.yaml", "b/c.yml", "t.json", "x.template", "main.tf", "main.tf.json", "plan.json", "main.tofu",
                 "main.tofu.json", "terraform.tfvars", "prod.auto.tfvars.json"):
        assert files.search(name), name
    for name in ("main.py", "README.md", "yaml", "tf.lock.hcl", "x.tfvars.bak"):
        assert not files.search(name), name


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
         "-c", "init.defaultBranch=main", *args],
        cwd=cwd, check=True, capture_output=True,
    )


def hook_repository(target: Path) -> Path:
    target.mkdir()
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
        elif source.is_file():
            shutil.copy2(source, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "hook repository under test")
    return target


def try_repo(hook_repo: Path, project: Path, home: Path) -> subprocess.CompletedProcess:
    git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK_ID, "--all-files", "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )


@needs_pre_commit
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_hook_fails_on_a_finding_and_passes_once_fixed(tmp_path) -> None:
    hook_repo = hook_repository(tmp_path / "hook")
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    rule = RULES_BY_CONTROL["SageMaker.15"]
    template = project / "infra" / "monitoring.yaml"
    template.parent.mkdir()
    template.write_text(docs.cfn_example(rule, encrypted=False))
    terraform = project / "main.tf"
    terraform.write_text(docs.tf_example(rule, rule.tf_types[0], encrypted=False))
    (project / "notes.yaml").write_text("not: a template\n")  # matched by the hook, skipped by the pre-scan

    failed = try_repo(hook_repo, project, tmp_path / "pre-commit-home")
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    # what the CLI reports on the same files, at the same positions
    from sagemaker_iac_lint.scan import Options, scan

    found = scan([str(template), str(terraform)], Options(select=frozenset({rule.control}))).findings
    expected = {f"{os.path.relpath(f.path, project)}:{f.line}:{f.column}: SageMaker.15 model bias job definition "
                for f in found}
    assert len(expected) == 2 and {e.split(":")[0] for e in expected} == {"infra/monitoring.yaml", "main.tf"}
    for line in expected:
        assert line in output, line
    assert "- exit code: 1" in output

    template.write_text(docs.cfn_example(rule, encrypted=True))
    terraform.write_text(docs.tf_example(rule, rule.tf_types[0], encrypted=True))
    passed = try_repo(hook_repo, project, tmp_path / "pre-commit-home")
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "sagemaker-iac-lint" in output and "Passed" in output
