"""The install commands the README and docs/integrations.md give work from a clone today: a path, or
the git repository at a full commit SHA; the published forms are labelled as such. The action's
inputs table matches action.yml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from sagemaker_iac_lint.output import INFORMATION_URI

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "docs" / "integrations.md"]
BARE_NAME = re.compile(r"pip install '?sagemaker-iac-lint(\[[\w,-]*\])?'?(?!\s*@)(\s|$|`)")
GIT_URL = re.compile(r"git\+(https://[^@'\s]+)@([^'\s]+)")
PLACEHOLDER = "<full-commit-sha>"
FULL_SHA = re.compile(r"[0-9a-f]{40}")


def page_lines() -> list[tuple[Path, int, str, str]]:
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            found.append((page, number + 1, line, lines[number - 1] if number else ""))
    return found


def test_a_published_only_install_is_labelled_published() -> None:
    bare = [(page.name, number, line) for page, number, line, before in page_lines()
            if BARE_NAME.search(line) and "published" not in line.lower() and "published" not in before.lower()]
    assert bare == []
    assert any(BARE_NAME.search(line) for _, _, line, _ in page_lines()), "the published form is given beside"


def test_git_installs_pin_a_commit_of_this_repository() -> None:
    pins = [GIT_URL.search(line) for _, _, line, _ in page_lines() if "pip install" in line and "git+" in line]
    assert pins and all(pins)
    for match in pins:
        assert match is not None
        assert match.group(1) in (INFORMATION_URI, "https://...")
        assert match.group(2) == PLACEHOLDER or FULL_SHA.fullmatch(match.group(2)), match.group(0)


def test_pre_commit_and_action_refs_are_commits() -> None:
    text = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    revs = re.findall(r"^\s*rev:\s*(\S+)", text, re.MULTILINE)
    assert revs and all(rev == PLACEHOLDER or FULL_SHA.fullmatch(rev) for rev in revs), revs
    uses = re.findall(r"uses:\s*sagemaker-iac-lint/sagemaker-iac-lint@(\S+)", text)
    assert uses and all(ref == PLACEHOLDER or FULL_SHA.fullmatch(ref) for ref in uses), uses
    assert "rev: <full-commit-sha>" in text and "`rev: v0.1.0`" in text  # the published form beside


def test_the_action_inputs_table_is_action_yml_s() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    text = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    section = text[text.index("### The action"):text.index("### Code scanning (SARIF), without the action")]
    rows = re.findall(r"^\| `([\w-]+)` \|\s*`?([^|`]*?)`?\s*\|", section, re.MULTILINE)
    assert {name: default.strip() for name, default in rows} == \
        {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
