"""Real public templates: every file scans without an error, with the verdicts PROVENANCE.tsv implies.

The corpus lives beside the project in ``../shared/corpus``; these tests skip when it is absent.
"""

from __future__ import annotations

import csv
import os
import shutil

import pytest
from fixture_cases import CORPUS

from sagemaker_iac_lint.rules import FLAG_PATH, RULES
from sagemaker_iac_lint.scan import Options, scan

REAL = os.path.join(CORPUS, "real")
LARGE = os.path.join(CORPUS, "large")
pytestmark = pytest.mark.skipif(not os.path.isdir(REAL), reason="../shared/corpus is not here")
# PROVENANCE.tsv records the instance count and the inter-container traffic encryption flag of each
# resource, so the verdicts it implies are those of the encryption controls (SageMaker.9 .10 .13 .15
# .22); the same resources are judged for other controls too (network isolation, production variant
# counts, ...), which PROVENANCE.tsv says nothing about.
ENCRYPTION_CONTROLS = frozenset(rule.control for rule in RULES if rule.flag_path == FLAG_PATH)


def provenance() -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    with open(os.path.join(REAL, "PROVENANCE.tsv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rows.setdefault(row["file"], []).append(row)
    return rows


def implied_failures(rows: list[dict], strict: bool) -> set[str]:
    """What the recorded count and flag imply, following PRODUCT.md, independently of our readers."""
    failing = set()
    for row in rows:
        kind = row["resource_type"]
        encrypted = row["encryption_as_written"] == "literal:true"
        count = row["instance_count_as_written"]
        multi = not (count.startswith("literal:1") or count == "MISSING")
        if kind.startswith("aws_") or kind.startswith("awscc_"):
            name = f"{kind.split(' ')[0]}.{row['logical_name']}"
        else:
            name = row["logical_name"]
        if "refs by name" in count:
            continue  # a schedule that only names a job definition passes
        if kind.startswith("MonitoringSchedule(inline") or kind.startswith("aws_sagemaker_monitoring_schedule"):
            if not encrypted:
                failing.add(name)
        elif not encrypted and (multi or strict):
            failing.add(name)
    return failing


def _files() -> list[str]:
    return sorted(provenance()) if os.path.isdir(REAL) else []


@pytest.mark.parametrize("name", _files())
def test_real_file_verdicts(name: str, tmp_path) -> None:
    path = os.path.join(REAL, name)
    if name.endswith(".tf"):
        # Terraform reads every file of a folder as one module: each file from its own repository
        # gets a folder of its own (a copy in the test's temporary folder)
        path = str(tmp_path / "main.tf")
        shutil.copy(os.path.join(REAL, name), path)
    rows = provenance()[name]
    for strict in (False, True):
        report = scan([path], Options(strict=strict, select=ENCRYPTION_CONTROLS))
        assert report.errors == []
        assert {f.resource for f in report.findings} == implied_failures(rows, strict), f"strict={strict}"


def test_every_real_file_is_listed_and_scans_cleanly_as_a_folder() -> None:
    listed = set(provenance())
    present = {name for name in os.listdir(REAL) if name != "PROVENANCE.tsv"}
    assert present == listed
    report = scan([REAL], Options())
    assert report.errors == []


@pytest.mark.skipif(not os.path.isdir(LARGE), reason="no large corpus")
def test_large_files_hold_no_monitored_resources_and_scan_without_errors() -> None:
    report = scan([LARGE], Options(strict=True))
    assert report.errors == [] and report.findings == []
    assert report.files_scanned == len([n for n in os.listdir(LARGE) if n != "PROVENANCE.tsv"])
