"""Terraform inputs whose cost once grew faster than their size are judged, and judged right.

No timing here (that belongs to the benchmark, as ratios): each case is sized so that the old code
(locals re-expanded per branch, positions searched from the top of the file for every block, a
resolver recursing once per local) would take minutes or stop with "nested too deeply", and each is
read through every path that reads Terraform: the native HCL reader, the python-hcl2 fallback (a
file the native reader leaves to it), `.tf.json`, and the CLI on a module folder.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from console import COMMAND

from sagemaker_iac_lint import terraform
from sagemaker_iac_lint.core import judge

JOB = """resource "awscc_sagemaker_model_bias_job_definition" "{name}" {{
  job_resources = {{ cluster_config = {{ instance_count = {count} }} }}
  network_config = {{ enable_inter_container_traffic_encryption = {flag} }}
}}
"""
TYPE = "awscc_sagemaker_model_bias_job_definition"
# A template directive: valid HCL that the native reader leaves to python-hcl2, so the file takes the fallback
FALLBACK = 'locals {\n  greeting = "%{ if true }hi%{ endif }"\n}\n'


def traffic(subjects: list) -> list:
    return [s for s in subjects if s.rule.control == "SageMaker.15"]


def hcl2_installed() -> bool:
    return terraform.hcl2_problem() is None


def readers() -> list[str]:
    return ["native", "hcl2"] if hcl2_installed() else ["native"]


def conditional_locals(n: int, first: str = "true", name: str = "l") -> str:
    """``l_k = var.c_k ? local.l_k-1 : local.l_k-1``: 2^n expansions when each local is re-expanded per branch."""
    lines = ["locals {", f"  {name}0 = {first}"]
    lines += [f"  {name}{k} = var.c{k} ? local.{name}{k - 1} : local.{name}{k - 1}" for k in range(1, n)]
    return "\n".join(lines) + "\n}\n"


def distinct_locals(n: int) -> str:
    """``l_k = var.c_k ? local.l_k-1 : k``: k values, the oldest under k conditions."""
    lines = ["locals {", "  l0 = 1"] + [f"  l{k} = var.c{k} ? local.l{k - 1} : {k + 1}" for k in range(1, n)]
    return "\n".join(lines) + "\n}\n"


def chain(n: int, first: str = "false") -> str:
    return "locals {\n" + f"  l0 = {first}\n" + "".join(f"  l{k} = local.l{k - 1}\n" for k in range(1, n)) + "}\n"


# --- (a) conditional locals: each distinct local expanded once, the possibilities bounded -------------


@pytest.mark.parametrize("parser", readers())
def test_conditional_locals_over_forty_conditions_merge_to_one_value(parser: str) -> None:
    text = conditional_locals(40) + JOB.format(name="job", count=2, flag="local.l39")
    if parser == "hcl2":
        text += FALLBACK
    (subject,) = traffic(terraform.read_tf(text, "main.tf", parser=parser))
    assert [(v.kind, v.literal) for _, v in subject.flag] == [("literal", True)]
    assert judge(subject) is None
    text = conditional_locals(40, "false") + JOB.format(name="job", count=2, flag="local.l39")
    (subject,) = traffic(terraform.read_tf(text, "main.tf", parser=parser))
    verdict = judge(subject)
    assert verdict is not None and "is false" in verdict.message and "too complex" not in verdict.message


def test_conditional_locals_in_tf_json_merge_to_one_value() -> None:
    local_values = {"l0": False} | {f"l{k}": f"${{var.c{k} ? local.l{k - 1} : local.l{k - 1}}}" for k in range(1, 40)}
    document = {"locals": local_values, "resource": {TYPE: {"job": {
        "job_resources": {"cluster_config": {"instance_count": 2}},
        "network_config": {"enable_inter_container_traffic_encryption": "${local.l39}"}}}}}
    (subject,) = traffic(terraform.read_tf_json(json.dumps(document, indent=2), "main.tf.json"))
    assert [(v.kind, v.literal) for _, v in subject.flag] == [("literal", False)]
    verdict = judge(subject)
    assert verdict is not None and "is false" in verdict.message


def test_locals_with_ever_more_conditions_fail_closed_and_say_why() -> None:
    # Each local adds one value and one condition to every value before it: past the bound on the
    # conditions a local's values carry, the count is unknown (a failure with a reason), never a pass.
    text = distinct_locals(200) + JOB.format(name="job", count="local.l199", flag="false")
    (subject,) = traffic(terraform.read_tf(text, "main.tf"))
    verdict = judge(subject)
    assert verdict is not None and "too complex to judge" in verdict.message
    # a short chain stays exact: l_k is k + 1 when c_k is false, else what l_k-1 is
    text = distinct_locals(6) + JOB.format(name="job", count="local.l5", flag="false")
    (subject,) = traffic(terraform.read_tf(text, "main.tf"))
    assert sorted(v.literal for _, v in subject.count) == [1, 2, 3, 4, 5, 6]
    verdict = judge(subject)
    assert verdict is not None and "too complex" not in verdict.message


# --- (b) many resources in one file: one line index, one pass over a JSON file -------------------------


def test_five_thousand_resources_in_one_tf_json_are_each_located() -> None:
    resources = {f"job{i}": {"job_resources": {"cluster_config": {"instance_count": 2}},
                             "network_config": {"enable_inter_container_traffic_encryption": False}}
                 for i in range(5000)}
    text = json.dumps({"resource": {TYPE: resources}}, indent=2)
    subjects = traffic(terraform.read_tf_json(text, "main.tf.json"))
    assert len(subjects) == 5000
    lines = text.splitlines()
    last = subjects[-1]
    assert lines[last.line - 1].strip() == '"job4999": {'
    assert lines[last.flag[0][1].line - 1].strip() == '"enable_inter_container_traffic_encryption": false'


def test_blocks_in_an_array_of_resource_objects_are_located_where_each_is_written() -> None:
    text = json.dumps({"resource": [
        {TYPE: {"a": {"network_config": {"enable_inter_container_traffic_encryption": False}}}},
        {TYPE: {"b": [{"job_resources": {"cluster_config": {"instance_count": 3}},
                       "network_config": {"enable_inter_container_traffic_encryption": False}}]}},
    ], "module": {"m": {"source": "./x"}}}, indent=1)
    parsed = terraform.parse_tf_json(text, "main.tf.json")
    lines = text.splitlines()
    located = {block.name: (lines[block.line - 1].strip(), lines[block.end_line - 1].strip())
               for block in parsed.resources + parsed.modules}
    assert located == {"a": ('"a": {', "}"), "b": ('"b": [', "]"), "m": ('"m": {', "}")}


@pytest.mark.skipif(not hcl2_installed(), reason="python-hcl2 is not installed")
def test_two_hundred_resources_read_by_python_hcl2_are_each_located() -> None:
    text = "".join(JOB.format(name=f"job{i}", count=2, flag="false") for i in range(200)) + FALLBACK
    subjects = traffic(terraform.read_tf(text, "main.tf", parser="hcl2"))
    assert len(subjects) == 200
    assert [(s.line, s.flag[0][1].line) for s in subjects[-2:]] == [(198 * 4 + 1, 198 * 4 + 3), (199 * 4 + 1, 199 * 4 + 3)]


# --- (c) a chain of locals of any length is judged --------------------------------------------------


@pytest.mark.parametrize("parser", readers())
def test_a_chain_of_over_a_thousand_locals_is_judged(parser: str) -> None:
    # past Python's recursion limit (a resolver recursing once per local stopped near 980)
    length = 3000 if parser == "native" else 1200  # python-hcl2 alone takes seconds on the longer one
    text = chain(length) + JOB.format(name="job", count=2, flag=f"local.l{length - 1}")
    if parser == "hcl2":
        text += FALLBACK
    (subject,) = traffic(terraform.read_tf(text, "main.tf", parser=parser))
    assert [(v.kind, v.literal, v.origin) for _, v in subject.flag] == [("literal", False, "local `l0`")]
    verdict = judge(subject)
    assert verdict is not None and "from local `l0`" in verdict.message


def test_a_chain_of_three_thousand_locals_in_tf_json_is_judged() -> None:
    local_values = {"l0": True} | {f"l{k}": f"${{local.l{k - 1}}}" for k in range(1, 3000)}
    document = {"locals": local_values, "resource": {TYPE: {"job": {
        "job_resources": {"cluster_config": {"instance_count": 2}},
        "network_config": {"enable_inter_container_traffic_encryption": "${local.l2999}"}}}}}
    (subject,) = traffic(terraform.read_tf_json(json.dumps(document), "main.tf.json"))
    assert [(v.kind, v.literal) for _, v in subject.flag] == [("literal", True)]
    assert judge(subject) is None


def test_the_cli_judges_every_worst_case_in_a_module_folder(tmp_path) -> None:
    (tmp_path / "chain.tf").write_text(chain(2000) + JOB.format(name="chained", count=2, flag="local.l1999"))
    (tmp_path / "conditional.tf").write_text(
        conditional_locals(30, name="m") + JOB.format(name="conditional", count=2, flag="local.m29"))
    (tmp_path / "many.tf").write_text("".join(JOB.format(name=f"job{i}", count=2, flag="true") for i in range(1000)))
    run = subprocess.run([*COMMAND, "check", "--format", "json", "--select", "SageMaker.15", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["errors"] == []
    assert [f["resource"] for f in report["findings"]] == [f"{TYPE}.chained"]
    assert "from local `l0`" in report["findings"][0]["message"]
