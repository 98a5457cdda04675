"""Worst-case inputs: files of a few kilobytes (or one of 50 MB) built to make a linter's cost explode.

    python bench/worst_cases.py [--cases a,b,...] [--runs N] [--timeout S] [--cli PATH] [--python PATH] [--keep DIR]

Each case is generated deterministically from a size parameter (``CASES`` below: the letter, the
default size and what it stresses). ``main`` times, in one run and round by round, the installed CLI
(``sagemaker-iac-lint check --no-config FILE``) and a bare parse of the same file (libyaml's CSafeLoader,
``json.load`` or python-hcl2's ``load``), both as subprocesses, and prints wall time, peak memory
(os.wait4), the ratio CLI / parse and whether the case meets issue 19's targets: within 3x of the
bare parse, or under 2 s where the parse is trivial, and under 400 MB (the 50 MB JSON also within 10x
of its file size in memory), with the verdict it should give (SageMaker.15 reported where it is due and
only there: a bound that passes a case silently misses the target). Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
JOB = "AWS::SageMaker::ModelBiasJobDefinition"
TF_JOB = "awscc_sagemaker_model_bias_job_definition"
TRIVIAL = 2.0  # seconds: the target where the bare parse is too quick for a ratio to mean anything
RATIO = 3.0
MEMORY = 400e6  # bytes


# ---------------------------------------------------------------------------------------------
# CloudFormation cases
# ---------------------------------------------------------------------------------------------


def _job(count: object, flag: object, condition: str | None = None) -> dict:
    """A monitored job whose count and flag are the given nodes."""
    job: dict = {"Type": JOB, "Properties": {
        "JobResources": {"ClusterConfig": {"InstanceCount": count, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
        "NetworkConfig": {"EnableInterContainerTrafficEncryption": flag},
        "RoleArn": "arn:aws:iam::123456789012:role/monitoring",
    }}
    if condition:
        job["Condition"] = condition
    return job


def _two_valued(n: int) -> tuple[dict, dict]:
    parameters = {f"P{i}": {"Type": "String", "AllowedValues": ["a", "b"], "Default": "a"} for i in range(n)}
    conditions = {f"C{i}": {"Fn::Equals": [{"Ref": f"P{i}"}, "a"]} for i in range(n)}
    return parameters, conditions


def if_tree_json(n: int, meet: bool = True) -> tuple[str, str]:
    """(a) An ``Fn::If`` tree over n conditions on 2-valued parameters, every node written out (2^n leaves).
    With ``meet`` the one failing pair is the last leaf; without, half the counts are 2 and half the flags
    false, never on one leaf (2^(n-1) x 2^(n-1) pairs to rule out: it passes)."""
    parameters, conditions = _two_valued(n)
    if not meet:
        template = {"Parameters": parameters, "Conditions": conditions, "Resources": {"Job": _job(
            _tree(n, 0, lambda i: 2 if i % 2 == 0 else 1), _tree(n, 0, lambda i: i % 2 == 0))}}
        return "if-tree-apart.json", json.dumps(template)

    # the one failing combination is the last leaf: count 2 and flag false only when every condition is false
    last = 2 ** n - 1
    template = {"Parameters": parameters, "Conditions": conditions, "Resources": {"Job": _job(
        _tree(n, 0, lambda i: 2 if i == last else 1), _tree(n, 0, lambda i: i != last))}}
    return "if-tree.json", json.dumps(template)


def _tree(n: int, depth: int, leaf: Callable[[int], object], index: int = 0) -> object:
    if depth == n:
        return leaf(index)
    return {"Fn::If": [f"C{depth}", _tree(n, depth + 1, leaf, 2 * index), _tree(n, depth + 1, leaf, 2 * index + 1)]}


def if_tree_yaml(n: int) -> tuple[str, str]:
    """(b) The same tree through YAML anchors: two nodes per level, each level's Fn::If naming the last
    level's two (a DAG of 2n nodes that is a tree of 2^n leaves when expanded)."""
    lines = ["Parameters:"]
    lines += [f"  P{i}: {{Type: String, AllowedValues: [a, b], Default: a}}" for i in range(n)]
    lines += ["Conditions:"] + [f"  C{i}: !Equals [!Ref P{i}, a]" for i in range(n)]
    lines += ["Resources:", "  Job:", f"    Type: {JOB}", "    Metadata:", "      Ladder:",
              "        - &c0 1", "        - &d0 2", "        - &f0 true", "        - &g0 false"]
    for i in range(1, n + 1):
        lines += [f"        - &c{i} !If [C{i - 1}, *c{i - 1}, *d{i - 1}]",
                  f"        - &d{i} !If [C{i - 1}, *d{i - 1}, *c{i - 1}]",
                  f"        - &f{i} !If [C{i - 1}, *f{i - 1}, *g{i - 1}]",
                  f"        - &g{i} !If [C{i - 1}, *g{i - 1}, *f{i - 1}]"]
    lines += ["    Properties:", f"      JobResources: {{ClusterConfig: {{InstanceCount: *c{n}, InstanceType: ml.m5.xlarge}}}}",
              f"      NetworkConfig: {{EnableInterContainerTrafficEncryption: *f{n}}}"]
    return "if-anchors.yaml", "\n".join(lines) + "\n"


def condition_chain(n: int, form: str = "and") -> tuple[str, str]:
    """(c) Conditions that refer to conditions: ``C_k = Fn::And [{Condition: C_k-1}, {Condition: C_k-1}]``
    (form "or": ``Fn::Or [Fn::Not [C_k-1], C_k-1]``... made to flip, so that each level is read both ways)."""
    lines = ["Parameters:", "  P: {Type: String, AllowedValues: [x, y]}", "Conditions:", "  C0: !Equals [!Ref P, x]"]
    for k in range(1, n + 1):
        if form == "and":
            lines.append(f"  C{k}: !And [!Condition C{k - 1}, !Condition C{k - 1}]")
        else:
            lines.append(f"  C{k}: !Not [!Or [!Not [!Condition C{k - 1}], !Not [!Condition C{k - 1}]]]")
    lines += ["Resources:", "  Job:", f"    Type: {JOB}", f"    Condition: C{n}", "    Properties:",
              f"      JobResources: {{ClusterConfig: {{InstanceCount: !If [C{n}, 2, 1]}}}}",
              f"      NetworkConfig: {{EnableInterContainerTrafficEncryption: !If [C{n}, false, true]}}"]
    return f"conditions-{form}.yaml", "\n".join(lines) + "\n"


def if_chain(n: int) -> tuple[str, str]:
    """(d) ``Fn::If`` chains on one parameter with 2n AllowedValues: C_i is P = v_i; count 2 where i is
    even, flag false where i is odd, so no one deployment takes both (passes, after n^2 feasibility checks)."""
    conditions = {f"C{i}": {"Fn::Equals": [{"Ref": "P"}, f"v{i}"]} for i in range(n)}

    def chain(i: int, leaf: Callable[[int], object], last: object) -> object:
        return last if i == n else {"Fn::If": [f"C{i}", leaf(i), chain(i + 1, leaf, last)]}

    template = {
        "Parameters": {"P": {"Type": "String", "AllowedValues": [f"v{i}" for i in range(2 * n)]}},
        "Conditions": conditions,
        "Resources": {"Job": _job(chain(0, lambda i: 2 if i % 2 == 0 else 1, 1),
                                  chain(0, lambda i: i % 2 == 0, True))},
    }
    return "if-chain.json", json.dumps(template)


def find_in_map(n: int, second_ref: bool = False) -> tuple[str, str]:
    """(e) ``Fn::FindInMap`` over a mapping of n keys selected by a parameter (and the second key a
    ``!Ref`` of a free parameter too)."""
    lines = ["Parameters:", "  Env: {Type: String}", "  Field: {Type: String}", "Mappings:", "  Sizes:"]
    lines += [f"    k{k}: {{Count: {k % 7}, Enc: '{'true' if k % 3 else 'false'}', Other: {k}}}" for k in range(n)]
    second = ("!Ref Field", "!Ref Field") if second_ref else ("Count", "Enc")
    lines += ["Resources:", "  Job:", f"    Type: {JOB}", "    Properties:",
              f"      JobResources: {{ClusterConfig: {{InstanceCount: !FindInMap [Sizes, !Ref Env, {second[0]}]}}}}",
              f"      NetworkConfig: {{EnableInterContainerTrafficEncryption: !FindInMap [Sizes, !Ref Env, {second[1]}]}}"]
    return "find-in-map-ref.yaml" if second_ref else "find-in-map.yaml", "\n".join(lines) + "\n"


def find_in_map_ladder(n: int, keys: int = 10_000) -> tuple[str, str]:
    """(e3) Both: ``Fn::FindInMap`` over a mapping of ``keys`` keys at the foot of an n-level ``Fn::If``
    ladder of YAML anchors (2^n paths to the same two FindInMap nodes: 2^n x keys values, unshared)."""
    lines = ["Parameters:", "  Env: {Type: String}"]
    lines += [f"  P{i}: {{Type: String, AllowedValues: [a, b]}}" for i in range(n)]
    lines += ["Mappings:", "  Sizes:"]
    lines += [f"    k{k}: {{Count: {k % 7}, Enc: '{'true' if k % 3 else 'false'}'}}" for k in range(keys)]
    lines += ["Conditions:"] + [f"  C{i}: !Equals [!Ref P{i}, a]" for i in range(n)]
    lines += ["Resources:", "  Job:", f"    Type: {JOB}", "    Metadata:", "      Ladder:",
              "        - &c0 !FindInMap [Sizes, !Ref Env, Count]", "        - &d0 !FindInMap [Sizes, !Ref Env, Count]",
              "        - &f0 !FindInMap [Sizes, !Ref Env, Enc]", "        - &g0 !FindInMap [Sizes, !Ref Env, Enc]"]
    for i in range(1, n + 1):
        for a, b in (("c", "d"), ("d", "c"), ("f", "g"), ("g", "f")):
            lines.append(f"        - &{a}{i} !If [C{i - 1}, *{a}{i - 1}, *{b}{i - 1}]")
    lines += ["    Properties:", f"      JobResources: {{ClusterConfig: {{InstanceCount: *c{n}}}}}",
              f"      NetworkConfig: {{EnableInterContainerTrafficEncryption: *f{n}}}"]
    return "find-in-map-ladder.yaml", "\n".join(lines) + "\n"


def find_in_map_jobs(jobs: int, keys: int = 10_000) -> tuple[str, str]:
    """(e4) ``jobs`` monitored jobs, each reading one mapping of ``keys`` keys with ``Fn::FindInMap``."""
    lines = ["Parameters:", "  Env: {Type: String}", "Mappings:", "  Sizes:"]
    lines += [f"    k{k}: {{Count: {k % 7}, Enc: '{'true' if k % 3 else 'false'}'}}" for k in range(keys)]
    lines += ["Resources:"]
    for job in range(jobs):
        lines += [f"  Job{job}:", f"    Type: {JOB}", "    Properties:",
                  "      JobResources: {ClusterConfig: {InstanceCount: !FindInMap [Sizes, !Ref Env, Count]}}",
                  "      NetworkConfig: {EnableInterContainerTrafficEncryption: !FindInMap [Sizes, !Ref Env, Enc]}"]
    return "find-in-map-jobs.yaml", "\n".join(lines) + "\n"


def cdk_json(megabytes: int) -> tuple[str, str]:
    """(f) A CDK-like CloudFormation JSON of about this many megabytes: policies with long metadata, one
    resource in fifty a monitored job (half of them failing), indented as CDK writes it."""
    sys.path.insert(0, HERE)
    import json_template  # bench/json_template.py, beside this file

    resources = max(1, megabytes * 10**6 // 2225)  # json_template's resources are about 2,225 bytes each
    return "cdk.template.json", json.dumps(json_template.template(resources), indent=1)


# ---------------------------------------------------------------------------------------------
# Terraform cases
# ---------------------------------------------------------------------------------------------


def _tf_job(name: str, count: str, flag: str) -> str:
    return (f'resource "{TF_JOB}" "{name}" {{\n'
            f"  job_resources = {{\n    cluster_config = {{\n      instance_count    = {count}\n"
            f'      instance_type     = "ml.m5.xlarge"\n      volume_size_in_gb = 20\n    }}\n  }}\n'
            f"  network_config = {{\n    enable_inter_container_traffic_encryption = {flag}\n  }}\n"
            f'  role_arn = "arn:aws:iam::123456789012:role/monitoring"\n}}\n')


def tf_conditional_locals(n: int) -> tuple[str, str]:
    """(g) ``l_k = var.c_k ? local.l_k-1 : local.l_k-1``: every local re-expanded per branch is 2^n."""
    parts = [f'variable "c{k}" {{\n  type = bool\n}}\n' for k in range(1, n + 1)]
    parts.append("locals {\n  l0 = false\n" + "".join(
        f"  l{k} = var.c{k} ? local.l{k - 1} : local.l{k - 1}\n" for k in range(1, n + 1)) + "}\n")
    parts.append(_tf_job("job", "2", f"local.l{n}"))
    return "conditional-locals.tf", "\n".join(parts)


def tf_many_resources(n: int) -> tuple[str, str]:
    """(h) n resources in one .tf, one in fifty a monitored job."""
    parts = []
    for k in range(n):
        if k % 50 == 0:
            parts.append(_tf_job(f"job{k}", "2", "false" if k % 100 == 0 else "true"))
        else:
            parts.append(f'resource "aws_s3_bucket" "b{k}" {{\n  bucket = "bucket-{k}"\n  tags = {{\n'
                         f'    Name = "bucket {k}"\n    Team = "ml"\n  }}\n}}\n')
    return "many-resources.tf", "\n".join(parts)


def tf_locals_chain(n: int) -> tuple[str, str]:
    """(i) A locals chain n deep: ``l_k = local.l_k-1``, the job reading the last."""
    body = "locals {\n  l0 = false\n" + "".join(f"  l{k} = local.l{k - 1}\n" for k in range(1, n + 1)) + "}\n"
    return "locals-chain.tf", body + "\n" + _tf_job("job", "2", f"local.l{n}")


# ---------------------------------------------------------------------------------------------
# The table of cases and the timing
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    key: str
    what: str
    size: int
    make: Callable[[int], tuple[str, str]]
    fails: bool = True  # whether SageMaker.15 is due (a case that passes must pass, one that fails must fail)


CASES = [
    Case("a", "Fn::If tree, n conditions (JSON)", 12, if_tree_json),
    Case("a2", "Fn::If tree, n conditions, counts and flags apart", 12, lambda n: if_tree_json(n, False), False),
    Case("b", "Fn::If tree through YAML anchors, n levels", 18, if_tree_yaml),
    Case("c", "conditions of conditions (And), n levels", 22, condition_chain),
    Case("c2", "conditions of conditions (Or/Not), n levels", 22, lambda n: condition_chain(n, "or")),
    Case("d", "Fn::If chain on one parameter, n conditions, 2n values", 40, if_chain, False),
    Case("e", "FindInMap over n keys", 10_000, find_in_map),
    Case("e2", "FindInMap over n keys, second key a !Ref", 10_000, lambda n: find_in_map(n, True)),
    Case("e3", "FindInMap over 10,000 keys under an n-level anchor ladder", 12, find_in_map_ladder),
    Case("e4", "n jobs reading one FindInMap over 10,000 keys", 300, find_in_map_jobs),
    Case("f", "CDK-like JSON of n MB", 50, cdk_json),
    Case("g", "Terraform conditional locals, n deep", 20, tf_conditional_locals),
    Case("h", "Terraform: n resources in one .tf", 5000, tf_many_resources),
    Case("i", "Terraform locals chain, n deep", 5000, tf_locals_chain),
]

_BARE = {
    ".json": "import json\nwith open({path!r}, encoding='utf-8') as f: json.load(f)",
    ".yaml": ("import yaml\nclass L(yaml.CSafeLoader): pass\n"
              "L.add_multi_constructor('!', lambda l, s, n: l.construct_scalar(n) if isinstance(n, yaml.ScalarNode) "
              "else l.construct_sequence(n) if isinstance(n, yaml.SequenceNode) else l.construct_mapping(n))\n"
              "with open({path!r}, encoding='utf-8') as f: yaml.load(f, Loader=L)"),
    ".tf": "import hcl2\nwith open({path!r}, encoding='utf-8') as f: hcl2.load(f)",
}


@dataclass
class Run:
    wall: float
    rss: int  # bytes
    status: int  # exit code, or None-like -9 when stopped at the timeout


def run_once(command: list[str], timeout: float) -> tuple[Run, str]:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    timer = threading.Timer(timeout, lambda: _stop(process.pid))
    timer.start()
    assert process.stdout is not None
    text = process.stdout.read().decode("utf-8", "replace")
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    timer.cancel()
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Run(wall, rss, os.waitstatus_to_exitcode(status)), text


def _stop(pid: int) -> None:
    try:
        os.killpg(pid, 9)
    except OSError:
        pass


def _summary(text: str) -> str:
    """What the CLI said, in a few words: its finding count and whether it said 'too complex'."""
    rules = re.findall(r":\d+:\d+: (SageMaker\.\d+) ", text)
    shown = ", ".join(f"{rule} x{rules.count(rule)}" for rule in sorted(set(rules))) or "no findings"
    return shown + ("; says too complex" if "too complex" in text else "")


def measure(case: Case, size: int, folder: str, cli: list[str], python: str, runs: int, timeout: float) -> dict:
    # written by a child process: a child's peak RSS (wait4) starts from its parent's at fork, so this
    # process stays small (a 50 MB template built here would count against every tool timed after it)
    path = subprocess.run([sys.executable, os.path.abspath(__file__), "--write", f"{case.key}={size}", folder],
                          check=True, capture_output=True, text=True).stdout.strip()
    suffix = os.path.splitext(path)[1]
    bare = [python, "-c", _BARE[suffix].format(path=path)]
    mine = [*cli, "check", "--no-config", path]
    times: dict[str, list[float]] = {"cli": [], "bare": []}
    peaks = {"cli": 0, "bare": 0}
    said, status = "", 0
    for round_index in range(runs):
        for which, command in (("cli", mine), ("bare", bare)) if round_index % 2 == 0 else (("bare", bare), ("cli", mine)):
            result, output = run_once(command, timeout)
            times[which].append(result.wall)
            peaks[which] = max(peaks[which], result.rss)
            if which == "cli":
                said, status = _summary(output), result.status
                if result.status < 0 or result.status not in (0, 1):
                    said += f"; exit {result.status}: " + " / ".join(output.strip().splitlines()[-2:])[:160]
        if status < 0:
            break  # stopped at the timeout: one run says enough
    cli_time, bare_time = statistics.median(times["cli"]), statistics.median(times["bare"])
    size_bytes = os.path.getsize(path)
    ratio = cli_time / bare_time if bare_time else float("inf")
    right = ("SageMaker.15" in said) == case.fails
    if not right and not case.fails and "too complex" in said:
        said += "; fail closed (a finding where none is due, saying why)"
        right = True  # what the issue allows when a bound is hit, though not an exact verdict
    elif not right:
        said += "; **wrong verdict**: SageMaker.15 " + ("missed" if case.fails else "reported")
    meets = right and status in (0, 1) and (ratio <= RATIO or cli_time <= TRIVIAL) and peaks["cli"] < MEMORY
    if case.key == "f":
        meets = meets and peaks["cli"] <= 10 * size_bytes
    return {"case": case.key, "what": case.what,
            "size": size, "bytes": size_bytes, "cli": cli_time, "bare": bare_time, "ratio": ratio,
            "rss": peaks["cli"], "bare_rss": peaks["bare"], "timed_out": status < 0, "said": said,
            "meets": meets}


def _cli_default(python: str) -> list[str]:
    beside = os.path.join(os.path.dirname(python), "sagemaker-iac-lint")
    if os.path.exists(beside):
        return [beside]
    found = shutil.which("sagemaker-iac-lint")
    return [found] if found else [python, "-m", "sagemaker_iac_lint"]


def table(rows: list[dict], timeout: float) -> str:
    lines = ["| case | input | file | CLI | bare parse | ratio | CLI peak | target | CLI said |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        cli = f">{timeout:.0f} s (stopped)" if row["timed_out"] else f"{row['cli']:.2f} s"
        lines.append(f"| {row['case']} | {row['what']} (n={row['size']}) | {row['bytes'] / 1e6:.2f} MB | {cli} | "
                     f"{row['bare']:.2f} s | {row['ratio']:.1f}x | {row['rss'] / 1e6:.0f} MB | "
                     f"{'met' if row['meets'] else '**missed**'} | {row['said']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", default=",".join(case.key for case in CASES),
                        help="comma-separated case letters, each optionally key=size (default: all at their sizes)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each tool per case (default 3)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a CLI run is stopped (default 120)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter with the package and python-hcl2")
    parser.add_argument("--cli", help="sagemaker-iac-lint executable (default: beside --python, else on PATH)")
    parser.add_argument("--keep", help="write the generated files into this folder and keep them")
    parser.add_argument("--write", nargs=2, metavar=("KEY=SIZE", "FOLDER"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    by_key = {case.key: case for case in CASES}
    if options.write:  # the child that writes one case's file and prints its path
        key, _, size = options.write[0].partition("=")
        name, text = by_key[key].make(int(size))
        folder = os.path.join(options.write[1], f"{key}-{size}")  # a folder each: a .tf is read with its module
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(path)
        return 0
    chosen: list[tuple[Case, int]] = []
    for item in filter(None, options.cases.split(",")):
        key, _, size = item.partition("=")
        if key not in by_key:
            parser.error(f"no case {key!r}; cases: {', '.join(by_key)}")
        chosen.append((by_key[key], int(size) if size else by_key[key].size))
    cli = [options.cli] if options.cli else _cli_default(options.python)
    folder = options.keep or tempfile.mkdtemp(prefix="worst-cases-")
    os.makedirs(folder, exist_ok=True)
    rows = []
    try:
        for case, size in chosen:
            row = measure(case, size, folder, cli, options.python, options.runs, options.timeout)
            print(f"  {case.key}: CLI {row['cli']:.2f} s, parse {row['bare']:.2f} s, {row['rss'] / 1e6:.0f} MB, "
                  f"{row['said']}", file=sys.stderr)
            rows.append(row)
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(table(rows, options.timeout))
    missed = [row["case"] for row in rows if not row["meets"]]
    print(f"\ntargets: within {RATIO:.0f}x of the bare parse or under {TRIVIAL:.0f} s, under {MEMORY / 1e6:.0f} MB "
          f"(f: memory within 10x of the file); missed: {', '.join(missed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
