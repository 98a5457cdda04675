"""Coverage-guided fuzzing (atheris) of the readers and the output formats.

Not part of the default suite: ``nox -s fuzz`` (or ``python tests/fuzz/fuzz_cli.py TARGET [libFuzzer
flags]``, e.g. ``-max_total_time=300``). Targets:

- ``cfn_yaml``, ``cfn_json``: a CloudFormation template (``t.yaml`` / ``t.json``);
- ``hcl``, ``tf_json``: a Terraform file (``main.tf`` / ``main.tf.json``);
- ``tfvars``: the ``terraform.tfvars`` of a module whose flag and count are variables;
- ``params``: a ``--parameter-file`` for a template whose flag and count are parameters;
- ``output``: names, paths and messages made of any characters, in every format.

Each input is scanned as the CLI scans it (``scan.scan``, whose per-file guard turns a crash into an
``internal error`` line); the oracle fails on that line, on any exception that escapes, and on any
output that is not well-formed:

- ``json``, ``sarif``, ``gitlab``: parse as JSON and encode as strict UTF-8;
- ``junit``: parses as XML;
- ``text`` and the stderr lines: one line per finding (per error), no control character, no
  ``##[``/``##vso[`` command, no line that starts with ``::``;
- ``github``: one ``::error file=`` line per finding or error, nothing that ends the command early.

A crash found here becomes a regression test in the default suite (tests/test_output_safety.py).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

import atheris

with atheris.instrument_imports():
    from sagemaker_iac_lint import cfn, cfn_json, core, escape, hcl, nesting, output, scan, terraform, tfmodule  # noqa: F401
    from sagemaker_iac_lint.rules import RULES
    from sagemaker_iac_lint.scan import FileError, Finding, Options, Report

# A scan asks once whether python-hcl2 and Checkov's copy are mixed (it reads the installed
# distributions' file lists, tens of milliseconds); a fuzz run asks once, not once per input.
_hcl2_problem = terraform.hcl2_problem()
terraform.hcl2_problem = lambda: _hcl2_problem

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
# C0, DEL, C1, line/paragraph separators, bidi controls, lone surrogates: never raw in a text line
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
INLINE_COMMAND = re.compile(r"##(?:vso)?\[", re.IGNORECASE)

WORK = tempfile.mkdtemp(prefix="sagemaker-iac-lint-fuzz-")

TFVARS_MODULE = """\
variable "encrypt" {}
variable "count_of" {}
resource "awscc_sagemaker_model_bias_job_definition" "job" {
  job_resources = { cluster_config = { instance_count = var.count_of, instance_type = "ml.m5.xlarge" } }
  network_config = { enable_inter_container_traffic_encryption = var.encrypt }
}
"""
PARAMS_TEMPLATE = """\
Parameters:
  Encrypt: {Type: String}
  Count: {Type: Number}
Resources:
  Job:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources: {ClusterConfig: {InstanceCount: !Ref Count, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}}
      NetworkConfig: {EnableInterContainerTrafficEncryption: !Ref Encrypt}
"""


def check_text_lines(rendered: str, expected: int, what: str) -> None:
    lines = rendered.split("\n")
    assert lines[-1] == "", f"{what}: not newline-terminated"
    lines = lines[:-1]
    assert len(lines) == expected, f"{what}: {len(lines)} lines for {expected} entries: {rendered!r}"
    for line in lines:
        assert not UNSAFE.search(line), f"{what}: raw control character in {line!r}"
        assert not INLINE_COMMAND.search(line), f"{what}: inline CI command in {line!r}"
        assert not line.lstrip().startswith("::"), f"{what}: a line starts a workflow command: {line!r}"


def check_report(report: Report) -> None:
    for error in report.errors:
        assert "internal error" not in error.message, error.message
    for name in FORMATS:
        rendered = output.FORMATTERS[name](report)
        if name in ("json", "sarif", "gitlab"):
            rendered.encode("utf-8")  # strict: a lone surrogate fails
            json.loads(rendered)
        elif name == "junit":
            ElementTree.fromstring(rendered.encode("utf-8"))
        elif name == "text":
            check_text_lines(rendered, len(report.findings), "text")
        elif name == "github":
            lines = rendered.split("\n")[:-1]
            assert len(lines) == len(report.findings) + len(report.errors), rendered
            for line in lines:
                assert line.startswith("::error file="), line
                command, _, message = line.partition("::")[2].partition("::")
                assert "\n" not in line and "\r" not in line and not UNSAFE.search(line), line
                assert not INLINE_COMMAND.search(line), line
                properties = command[len("error "):]
                for item in properties.split(","):
                    assert re.fullmatch(r"(file|line|col|title)=[^:,]*", item), (item, line)
    check_text_lines(output.format_errors(report), len(report.errors), "stderr")
    rendered = output.format_text(report, color=True)
    for line in rendered.split("\n")[:-1]:
        # colour codes are ours: SGR only, never anything else from input
        assert not UNSAFE.search(re.sub(r"\x1b\[[0-9;]*m", "", line)), line


def write(name: str, data: bytes) -> str:
    path = os.path.join(WORK, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def scan_one(name: str, data: bytes, extra: dict[str, bytes] | None = None, whole: bool = False) -> None:
    """Scan ``data`` written as ``name`` (with the ``extra`` files beside it; ``whole``: the directory)."""
    for entry in os.listdir(WORK):
        os.unlink(os.path.join(WORK, entry))
    for other, content in (extra or {}).items():
        write(other, content)
    path = write(name, data)
    check_report(scan.scan([WORK if whole else path], Options()))


def target_params(data: bytes) -> None:
    for entry in os.listdir(WORK):
        os.unlink(os.path.join(WORK, entry))
    template = write("t.yaml", PARAMS_TEMPLATE.encode())
    parameters = write("parameters.json" if data.lstrip().startswith((b"{", b"[")) else "parameters.yaml", data)
    from sagemaker_iac_lint.cli import _deployments

    try:
        deployments = _deployments([parameters], None)
    except ValueError as error:  # the CLI's one-line error: it must be one line
        check_text_lines(escape.text(str(error)) + "\n", 1, "parameter error")
        return
    check_report(scan.scan([template], Options(deployments=deployments)))


def target_output(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)

    def string() -> str:
        return provider.ConsumeUnicode(provider.ConsumeIntInRange(0, 40))

    def path() -> str:
        text = string()
        if provider.ConsumeBool():  # a name that is not UTF-8, as os.fsdecode gives it
            text += "".join(chr(0xDC80 + byte % 128) for byte in provider.ConsumeBytes(3))
        return text or "x"

    rule = RULES[provider.ConsumeIntInRange(0, len(RULES) - 1)]
    findings = [Finding(rule, path(), provider.ConsumeIntInRange(0, 10**6), provider.ConsumeIntInRange(0, 10**6),
                        string(), string(), string(), string(), string())
                for _ in range(provider.ConsumeIntInRange(0, 3))]
    errors = [FileError(path(), string()) for _ in range(provider.ConsumeIntInRange(0, 3))]
    paths = [f.path for f in findings] + [e.path for e in errors]
    check_report(Report(findings, errors, len(paths), paths))


TARGETS = {
    "cfn_yaml": lambda data: scan_one("t.yaml", data),
    "cfn_json": lambda data: scan_one("t.json", data),
    "hcl": lambda data: scan_one("main.tf", data),
    "tf_json": lambda data: scan_one("main.tf.json", data),
    "tfvars": lambda data: scan_one("terraform.tfvars", data, extra={"main.tf": TFVARS_MODULE.encode()}, whole=True),
    "params": target_params,
    "output": target_output,
}


FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
SEEDS = {"cfn_yaml": (".yaml",), "cfn_json": (".json",), "hcl": (".tf",), "tf_json": (".tf.json",),
         "tfvars": (".tfvars",), "params": ("parameters.json", "parameters.yaml", ".params.json"), "output": ()}


def seed(corpus: str, target: str) -> None:
    """Fill an empty corpus directory with the fixtures the target reads (the fuzzer mutates them)."""
    os.makedirs(corpus, exist_ok=True)
    if os.listdir(corpus):
        return
    suffixes = SEEDS[target]
    count = 0
    for root, _, files in os.walk(FIXTURES):
        for name in sorted(files):
            if name.endswith(suffixes) and not (target == "cfn_json" and name.endswith(".tf.json")):
                with open(os.path.join(root, name), "rb") as source:
                    write_seed = os.path.join(corpus, f"seed-{count}")
                    with open(write_seed, "wb") as seeded:
                        seeded.write(source.read())
                count += 1
    if target == "params":
        for text in ('[{"ParameterKey": "Encrypt", "ParameterValue": "false"}, {"ParameterKey": "Count", "ParameterValue": "2"}]',
                     '{"Parameters": {"Encrypt": "true", "Count": "3"}}', "Encrypt: 'false'\nCount: 2\n"):
            with open(os.path.join(corpus, f"seed-{count}"), "w") as seeded:
                seeded.write(text)
            count += 1
    if target == "tfvars":
        with open(os.path.join(corpus, f"seed-{count}"), "w") as seeded:
            seeded.write('encrypt = "0"\ncount_of = 2\n')


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer flags] [corpus directory]")
    target = sys.argv[1]
    arguments = sys.argv[2:]
    corpora = [argument for argument in arguments if not argument.startswith("-")]
    for corpus in corpora:
        seed(corpus, target)
    atheris.Setup([sys.argv[0], *arguments], TARGETS[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
