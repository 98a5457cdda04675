"""What our cfn-lint rules add to a cfn-lint run, side by side, as a ratio (target: at most 5%).

    python bench/cfn_lint_overhead.py [--runs 7] [--corpus ../shared/corpus/large] [FILE ...]

Two measures, each the median of ``--runs`` runs, with and without the rules alternating so that
drift in machine load falls on both sides, each in CPU time (user + system, the figure that other
work on a shared machine disturbs least) and in wall time:

- command: the ``cfn-lint`` command on every template at once, with and without
  ``--append-rules sagemaker_iac_lint.cfn_lint``: what a user or CI pays, start-up included;
- lint only: cfn-lint's runner in this process, rules already loaded, so only the time spent
  linting the templates is compared.

- in our code: one runner with the rules, the CPU time spent inside our rules (their ``validate``
  and ``match``, everything they call included) as a share of each whole lint pass. Both sides of
  this ratio come from the same pass, so it holds still where the two measures above do not.

On a shared 2-core machine two runs of the very same configuration differ by a few percent, so a
ratio within about 5% of 1 is the noise floor for the first two measures; the third is the one to
read when they disagree. Not part of the test suite: timings belong in a benchmark,
not in a pass/fail test.
"""

from __future__ import annotations

import argparse
import gc
import glob
import os
import resource
import statistics
import subprocess
import sys
import time

MODULE = "sagemaker_iac_lint.cfn_lint"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus", "large"))
SUFFIXES = (".json", ".yaml", ".yml", ".template")
TARGET = 1.05


def templates(corpus: str) -> list[str]:
    return sorted(p for p in glob.glob(os.path.join(corpus, "*")) if p.endswith(SUFFIXES))


def cfn_lint_command() -> list[str]:
    beside = os.path.join(os.path.dirname(sys.executable), "cfn-lint")
    if os.path.exists(beside):
        return [beside]
    return [sys.executable, "-c", "from cfnlint.runner import main; main()"]


def time_command(files: list[str], with_rules: bool) -> tuple[float, float]:
    """(cpu, wall) seconds of one cfn-lint command over every file."""
    args = cfn_lint_command() + (["--append-rules", MODULE] if with_rules else []) + ["--format", "parseable", "--", *files]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # cfn-lint exits non-zero for findings in these real templates; a crash or a rule error is not a timing.
    if "Traceback" in result.stderr or "Unknown exception while processing rule" in result.stdout:
        raise SystemExit(f"cfn-lint failed:\n{result.stderr or result.stdout}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def lint_only(files: list[str], runs: int) -> dict[bool, list[tuple[float, float]]]:
    """(cpu, wall) seconds of cfn-lint's runner over every file, rules loaded beforehand."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    def runner(with_rules: bool) -> Runner:
        extra = ["--append-rules", MODULE] if with_rules else []
        return Runner(ConfigMixIn([*extra, "--", *files]))

    runners = {False: runner(False), True: runner(True)}
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for index in range(runs + 1):
        for with_rules in (False, True) if index % 2 else (True, False):
            gc.collect()  # garbage left by the other side's run is not this run's cost
            cpu, wall = time.process_time(), time.perf_counter()
            matches = list(runners[with_rules].run())
            if index:  # the first round warms schema caches for both
                times[with_rules].append((time.process_time() - cpu, time.perf_counter() - wall))
            if any(m.rule.id == "E0002" and "E95" in m.message for m in matches):
                raise SystemExit(f"our rules raised: {[m.message for m in matches if m.rule.id == 'E0002']}")
    return times


def in_our_code(files: list[str], runs: int) -> list[float]:
    """Per lint pass: CPU seconds inside our rules / CPU seconds of the whole pass."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    from sagemaker_iac_lint.cfn_lint._adapter import TableRule

    spent = [0.0]
    depth = [0]

    def timed(function):
        def call(*args, **kwargs):
            if depth[0]:
                return function(*args, **kwargs)
            depth[0] += 1
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - start
                depth[0] -= 1
        return call

    def timed_generator(function):
        def call(*args, **kwargs):
            iterator = function(*args, **kwargs)  # a generator: its work is done in next()
            step = timed(lambda: next(iterator, StopIteration))
            while (item := step()) is not StopIteration:
                yield item
        return call

    TableRule.validate = timed_generator(TableRule.validate)
    TableRule.match = timed(TableRule.match)
    runner = Runner(ConfigMixIn(["--append-rules", MODULE, "--", *files]))
    shares = []
    for index in range(runs + 1):
        gc.collect()
        spent[0], start = 0.0, time.process_time()
        matches = list(runner.run())
        total = time.process_time() - start
        if not any(m.rule.id.startswith("E95") for m in matches) and not index:
            print("note: our rules found nothing in these templates (they still ran on every resource)")
        if index:
            shares.append(spent[0] / total)
    return shares


def report(name: str, times: dict[bool, list[tuple[float, float]]]) -> float:
    """Print the medians and ratios; return the CPU-time ratio."""
    ratios = []
    for index, clock in enumerate(("cpu", "wall")):
        base = statistics.median(t[index] for t in times[False])
        ours = statistics.median(t[index] for t in times[True])
        ratios.append(ours / base)
        print(
            f"{name:<10} {clock:<4} without {base:7.3f} s   with {ours:7.3f} s   "
            f"ratio {ours / base:.3f}  ({(ours / base - 1) * 100:+.1f}%)"
        )
    return ratios[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("files", nargs="*", help="templates to lint instead of the corpus")
    args = parser.parse_args(argv)
    files = args.files or templates(args.corpus)
    if not files:
        parser.error(f"no templates in {args.corpus}")
    print(f"{len(files)} templates, {sum(os.path.getsize(f) for f in files) / 1024:.0f} KiB, {args.runs} runs each, medians")
    command: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for index in range(args.runs):
        for with_rules in (False, True) if index % 2 else (True, False):
            command[with_rules].append(time_command(files, with_rules))
    ratios = [report("command", command), report("lint only", lint_only(files, args.runs))]
    shares = in_our_code(files, args.runs)
    share = statistics.median(shares)
    print(f"in our code: {share * 100:.2f}% of each lint pass's CPU time (median; "
          f"{min(shares) * 100:.2f}% to {max(shares) * 100:.2f}% over {len(shares)} passes)")
    worst = max(ratios)
    verdict = "met" if worst <= TARGET else "NOT met"
    print(f"target: our rules add at most {(TARGET - 1) * 100:.0f}% (CPU time): {verdict} by the side-by-side runs, "
          f"{'met' if 1 + share <= TARGET else 'NOT met'} by the time in our code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
