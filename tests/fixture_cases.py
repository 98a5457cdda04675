"""The fixture convention, in one place for every front end's tests.

``tests/fixtures/<format>/sagemaker-<N>/<case>.<pass|fail>.<ext>``: the file name is the spec.
A resource's name says its outcome: ``...StrictFail...`` / ``..._strict_fail_...`` fails only in
strict mode, ``...Fail...`` / ``..._fail_...`` fails in both modes, anything else passes both.
A ``# finding: <Name>`` comment marks the line a finding must point at (YAML and HCL only).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
CORPUS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus"))
FORMATS = ("cloudformation", "terraform", "terraform_json", "tfplan")
_MARKER = re.compile(r"(?:#|//)\s*finding:\s*([A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class Fixture:
    format: str
    control: str  # "SageMaker.15"
    path: str
    expected_file_outcome: str  # "pass" or "fail"

    @property
    def id(self) -> str:
        return os.path.relpath(self.path, FIXTURES)

    def marked_lines(self) -> dict[str, int]:
        lines: dict[str, int] = {}
        with open(self.path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                match = _MARKER.search(line)
                if match:
                    lines[match.group(1)] = number
        return lines


def outcome_of(resource: str) -> str:
    """'strict' (fails only in strict mode), 'fail' (fails in both) or 'pass', from the name."""
    name = resource.rsplit(".", 1)[-1].replace("_", "").lower()
    if "strictfail" in name:
        return "strict"
    if "fail" in name:
        return "fail"
    return "pass"


def expected_failures(resources: set[str], strict: bool) -> set[str]:
    wanted = {"fail", "strict"} if strict else {"fail"}
    return {r for r in resources if outcome_of(r) in wanted}


def all_fixtures() -> list[Fixture]:
    found = []
    for fmt in FORMATS:
        base = os.path.join(FIXTURES, fmt)
        if not os.path.isdir(base):
            continue
        for control_dir in sorted(os.listdir(base)):
            match = re.fullmatch(r"sagemaker-(\d+)", control_dir)
            if not match:
                continue
            for name in sorted(os.listdir(os.path.join(base, control_dir))):
                outcome = re.search(r"\.(pass|fail)\.[a-z.]+$", name)
                if outcome:
                    found.append(
                        Fixture(fmt, f"SageMaker.{match.group(1)}", os.path.join(base, control_dir, name), outcome.group(1))
                    )
    return found
