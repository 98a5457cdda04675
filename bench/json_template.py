"""A multi-megabyte CloudFormation JSON template (CDK output is JSON): the CLI against a bare json.load.

    python bench/json_template.py [--resources N] [--rounds N] [--python PATH]

Generates a template of N resources (default 5,000, about 8 MB), one in fifty a monitored SageMaker job,
indented as CDK writes it, and times in one run, round by round, `sagemaker-iac-lint check` on it and
`python -c "json.load(...)"` on it, both as subprocesses. Prints the medians, the ratio CLI / json.load
and the CLI's peak memory against the file size. Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
JOB = "AWS::SageMaker::ModelBiasJobDefinition"


def template(resources: int) -> dict:
    """CDK-like resources with long metadata and policies; every 50th a monitored job, half of them failing."""
    out: dict = {}
    for index in range(resources):
        metadata = {"aws:cdk:path": f"MlStack/Construct{index}/Resource", "Notes": "a {brace} and \"quotes\" \\ here"}
        if index % 50 == 0:
            out[f"BiasJob{index}"] = {
                "Type": JOB,
                "Metadata": metadata,
                "Properties": {
                    "JobResources": {"ClusterConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge",
                                                       "VolumeSizeInGB": 20}},
                    "NetworkConfig": {"EnableInterContainerTrafficEncryption": index % 100 == 0},
                    "RoleArn": {"Fn::GetAtt": [f"Role{index}", "Arn"]},
                },
            }
            continue
        statements = [{"Effect": "Allow", "Action": [f"s3:Get{k}", f"s3:Put{k}"],
                       "Resource": {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": f"Bucket{index}"}, f"/prefix{k}/*"]]}}
                      for k in range(6)]
        out[f"Policy{index}"] = {
            "Type": "AWS::IAM::Policy",
            "Metadata": metadata,
            "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                           "PolicyName": f"policy-{index}", "Roles": [{"Ref": f"Role{index}"}]},
        }
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": out}


def run_once(command: list[str], cwd: str) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in bytes and exit code of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="the interpreter with the package installed")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "cdk.template.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(template(options.resources), handle, indent=1)
        size = os.path.getsize(path)
        cli = [options.python, "-m", "sagemaker_iac_lint", "check", "--no-config", path]
        bare = [options.python, "-c", f"import json\nwith open({path!r}, encoding='utf-8') as f: json.load(f)"]
        times: dict[str, list[float]] = {"cli": [], "json.load": []}
        peaks: dict[str, int] = {"cli": 0, "json.load": 0}
        codes = set()
        for _ in range(options.rounds):
            for name, command in (("cli", cli), ("json.load", bare)):
                elapsed, peak, code = run_once(command, folder)
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], peak)
                if name == "cli":
                    codes.add(code)
        cli_time, bare_time = statistics.median(times["cli"]), statistics.median(times["json.load"])
        print(f"file: {options.resources} resources, {size / 1e6:.1f} MB; CLI exit codes {sorted(codes)}")
        print(f"CLI        {cli_time:7.3f} s  peak {peaks['cli'] / 1e6:7.1f} MB ({peaks['cli'] / size:.1f}x the file)")
        print(f"json.load  {bare_time:7.3f} s  peak {peaks['json.load'] / 1e6:7.1f} MB")
        print(f"ratio CLI / json.load: {cli_time / bare_time:.2f} (target 3)")


if __name__ == "__main__":
    main()
