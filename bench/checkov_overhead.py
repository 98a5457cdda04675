"""What our Checkov checks add to a Checkov run, side by side, as a ratio (target: at most 10%).

    python bench/checkov_overhead.py [--runs 5] [--corpus ../shared/corpus/large] [--framework F ...]

Run it with the Python of Checkov's environment (``sagemaker-iac-lint[checkov]`` installed there).
The scanned tree is the large real templates and Terraform files of the corpus plus every test
fixture, each fixture in a folder of its own (as tests/test_checkov.py scans them). The fixture
that makes Checkov's CloudFormation scan crash (see docs/engines-checkov.md) is left out: it would
stop that scan on both sides.

The same ``checkov -d TREE --skip-download -o json`` command runs with and without
``--external-checks-dir "$(sagemaker-iac-lint checkov-dir)"``, alternating so that drift in machine
load falls on both sides, and the medians of ``--runs`` runs of each are compared in CPU time
(user + system of the command, what other work on a shared machine disturbs least) and in wall time.
Every Checkov check runs on both sides, ours only on one: what a user pays for adding them.

On a shared or busy machine the difference between two Checkov runs is smaller than the run-to-run
noise, so a second measure times our checks from inside one Checkov run (in-process, frameworks run
one after the other): the CPU time spent in the checks, the re-reading of the files that hold a
monitored resource included, plus the whole time of Checkov's ``yaml`` and ``json`` runners, which
Checkov runs only because an external-checks folder is given (before the checks let them skip
reading files, those parsed every YAML and JSON file of the scan and were most of the cost; an
earlier version of this measure timed the checks alone and missed it), as a share of the whole
run's CPU time.

Not part of the test suite: timings belong in a benchmark, not in a pass/fail test.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "large"))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
# Checkov 3.3.30's CloudFormation graph builder raises on this file and drops the whole scan.
CRASHES = {os.path.join("cloudformation", "sagemaker-15", "short-form-tags.pass.yaml")}
TARGET = 1.10


def checkov_command() -> list[str]:
    beside = os.path.join(os.path.dirname(sys.executable), "checkov")
    return [beside] if os.path.exists(beside) else [sys.executable, "-m", "checkov.main"]


def build_tree(corpus: str, into: str) -> tuple[int, int]:
    """Copy the corpus and the fixtures into ``into``; return (files, bytes)."""
    count = size = 0
    for path in sorted(glob.glob(os.path.join(corpus, "*"))):
        if os.path.isfile(path) and not path.endswith(".tsv"):
            os.makedirs(os.path.join(into, "corpus"), exist_ok=True)
            shutil.copy(path, os.path.join(into, "corpus"))
            count, size = count + 1, size + os.path.getsize(path)
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*", "sagemaker-*", "*"))):
        relative = os.path.relpath(path, FIXTURES)
        if relative in CRASHES:
            continue
        folder = os.path.join(into, "fixtures", relative.replace(os.sep, "__").replace(".", "_"))
        os.makedirs(folder)
        shutil.copy(path, folder)
        count, size = count + 1, size + os.path.getsize(path)
    return count, size


def time_checkov(tree: str, with_checks: bool, frameworks: list[str]) -> tuple[float, float, int]:
    """(cpu, wall, our failed checks) of one Checkov command over the tree."""
    from sagemaker_iac_lint.checkov_support import checkov_dir

    args = checkov_command() + ["-d", tree, "--skip-download", "--compact", "-o", "json"]
    args += ["--framework", *frameworks] if frameworks else []
    args += ["--external-checks-dir", checkov_dir()] if with_checks else []
    env = {k: v for k, v in os.environ.items() if k != "SAGEMAKER_IAC_LINT_STRICT"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tree)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Checkov logs its own tracebacks (an HCL parse that hits its 10 s timeout, say) and goes on; one
    # from our checks, or no report at all, is not a timing.
    if "sagemaker_iac_lint" in result.stderr or not result.stdout.lstrip().startswith(("{", "[")):
        raise SystemExit(f"Checkov failed:\n{result.stderr[-3000:] or result.stdout[-3000:]}")
    data = json.loads(result.stdout)
    reports = data if isinstance(data, list) else [data]
    ours = sum(
        1 for report in reports for record in report.get("results", {}).get("failed_checks", [])
        if record["check_id"].startswith("CKV_SAGEMAKER_")
    )
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, ours


_INSIDE = """
import resource, sys, time
from sagemaker_iac_lint import checkov_support
spent = {"checks": 0.0, "document runners": 0.0}
def timed(function, key):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[key] += time.process_time() - start
    return wrapper
checkov_support.judge_entity = timed(checkov_support.judge_entity, "checks")  # bound when Checkov loads the folder
# Checkov's `yaml` and `json` runners run only because an external folder is given: their whole time is ours.
from checkov.json_doc.runner import Runner as JsonRunner
from checkov.yaml_doc.runner import Runner as YamlRunner
for runner in (JsonRunner, YamlRunner):
    runner.run = timed(runner.run, "document runners")
from checkov.main import Checkov
start = time.process_time()
try:
    Checkov(sys.argv[1:]).run()
finally:
    sys.stdout.flush()
    print(f"\\nINSIDE {spent['checks']:.4f} {spent['document runners']:.4f} {time.process_time() - start:.4f}", file=sys.stderr)
"""


def time_inside(tree: str, frameworks: list[str]) -> tuple[float, float, float]:
    """(cpu in our checks, cpu in the runners our folder switches on, cpu of the whole run) of one
    in-process, sequential Checkov run."""
    from sagemaker_iac_lint.checkov_support import checkov_dir

    args = ["-d", tree, "--skip-download", "--compact", "-o", "json", "--external-checks-dir", checkov_dir()]
    args += ["--framework", *frameworks] if frameworks else []
    env = {k: v for k, v in os.environ.items() if k != "SAGEMAKER_IAC_LINT_STRICT"}
    env["CHECKOV_PARALLELIZATION_TYPE"] = "none"
    result = subprocess.run([sys.executable, "-c", _INSIDE, *args], capture_output=True, text=True, env=env, cwd=tree)
    line = [item for item in result.stderr.splitlines() if item.startswith("INSIDE ")]
    if not line:
        raise SystemExit(f"Checkov failed:\n{result.stderr[-3000:]}")
    checks, runners, whole = (float(x) for x in line[-1].split()[1:])
    return checks, runners, whole


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--framework", nargs="*", default=[], help="Checkov frameworks (default: Checkov's own choice, all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="checkov-bench-") as tree:
        files, size = build_tree(args.corpus, tree)
        print(f"{files} files, {size / 1024:.0f} KiB, frameworks: {' '.join(args.framework) or 'all'}, "
              f"{args.runs} runs each, medians")
        times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        found = set()
        for with_checks in (False, True):  # a first round, not counted, warms the file system cache for both
            time_checkov(tree, with_checks, args.framework)
        for index in range(args.runs):
            for with_checks in (False, True) if index % 2 else (True, False):
                cpu, wall, ours = time_checkov(tree, with_checks, args.framework)
                times[with_checks].append((cpu, wall))
                found.add((with_checks, ours))
                print(f"  run {index + 1} {'with' if with_checks else 'without':<7} cpu {cpu:6.2f} s  wall {wall:6.2f} s")
        if {ours for with_checks, ours in found if not with_checks} != {0} or not any(o for w, o in found if w):
            raise SystemExit(f"our checks did not run as expected: {sorted(found)}")
        ratios = []
        for position, clock in enumerate(("cpu", "wall")):
            base = statistics.median(t[position] for t in times[False])
            ours = statistics.median(t[position] for t in times[True])
            ratios.append(ours / base)
            print(f"{clock:<4} without {base:7.2f} s   with {ours:7.2f} s   ratio {ours / base:.3f}  ({(ours / base - 1) * 100:+.1f}%)")
        print(f"our checks reported {max(o for w, o in found if w)} failed checks")
        inside = [time_inside(tree, args.framework) for _ in range(args.runs)]
        checks = statistics.median(c for c, _, _ in inside)
        runners = statistics.median(r for _, r, _ in inside)
        whole = statistics.median(w for _, _, w in inside)
        ours = checks + runners
        share = ours / (whole - ours)
        print(f"in-process: of {whole:.2f} s CPU, {checks:.2f} s in our checks and {runners:.2f} s in Checkov's "
              f"yaml/json runners that our folder switches on: {share * 100:+.1f}% over Checkov alone")
        verdict = "met" if share <= TARGET - 1 else "NOT met"
        print(f"target: our checks add at most {(TARGET - 1) * 100:.0f}% (CPU time inside the run): {verdict}; "
              f"command ratio {ratios[0]:.3f} (noise included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
