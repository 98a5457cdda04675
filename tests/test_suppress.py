"""The "suppress with a reason" edit (the language server's action): the suppression in the file's own
form, at its indentation, and the finding gone once it is written. The server's side of it, through
an LSP client, is in test_lsp_client.py."""

from __future__ import annotations

import glob
import os

import pytest
from fixture_cases import FIXTURES

from sagemaker_iac_lint.fix import NoFix, apply_edits
from sagemaker_iac_lint.lsp import findings_for_text
from sagemaker_iac_lint.suppress import PLACEHOLDER_REASON, suppression_edit

REASON = PLACEHOLDER_REASON
FLOW_JOB = ("{Type: AWS::SageMaker::ModelBiasJobDefinition, Properties: {NetworkConfig: {EnableNetworkIsolation: true, "
            "EnableInterContainerTrafficEncryption: false}, JobResources: {ClusterConfig: {InstanceCount: 2}}}}")
JSON_JOB = ('{"Type": "AWS::SageMaker::ModelBiasJobDefinition", "Properties": {"NetworkConfig": {"EnableNetworkIsolation": '
            'true, "EnableInterContainerTrafficEncryption": false}, "JobResources": {"ClusterConfig": {"InstanceCount": 2}}}}')
BLOCK_PROPERTIES = ("    Properties:\n      NetworkConfig:\n        EnableNetworkIsolation: true\n"
                    "        EnableInterContainerTrafficEncryption: false\n      JobResources:\n"
                    "        ClusterConfig:\n          InstanceCount: 2\n")

CASES = {
    "flow.yaml": (f"Resources:\n  Job: {FLOW_JOB}\n",
                  "Resources:\n  Job: {Type: AWS::SageMaker::ModelBiasJobDefinition, Metadata: {sagemaker-iac-lint: "
                  f'{{ignore: [{{rule: SageMaker.15, reason: "{REASON}"}}]}}}}, Properties: ' + FLOW_JOB.split("Properties: ", 1)[1] + "\n"),
    "one-line.json": ('{"Resources": {"Job": ' + JSON_JOB + "}}\n",
                      '{"Resources": {"Job": {"Type": "AWS::SageMaker::ModelBiasJobDefinition", "Metadata": {"sagemaker-iac-lint": '
                      f'{{"ignore": [{{"rule": "SageMaker.15", "reason": "{REASON}"}}]}}}}, "Properties": '
                      + JSON_JOB.split('"Properties": ', 1)[1] + "}}\n"),
    # a comment after Type stays on its line; CRLF kept; an empty flow list is filled in place
    "crlf.yaml": (("Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition # the job\n    Metadata:\n"
                   "      sagemaker-iac-lint:\n        ignore: []\n" + BLOCK_PROPERTIES).replace("\n", "\r\n"),
                  ("Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition # the job\n    Metadata:\n"
                   f'      sagemaker-iac-lint:\n        ignore: [{{rule: SageMaker.15, reason: "{REASON}"}}]\n'
                   + BLOCK_PROPERTIES).replace("\n", "\r\n")),
    "type-comment.yaml": ("Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition # the job\n" + BLOCK_PROPERTIES,
                          "Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition # the job\n    Metadata:\n"
                          "      sagemaker-iac-lint:\n        ignore:\n          - rule: SageMaker.15\n"
                          f'            reason: "{REASON}"\n' + BLOCK_PROPERTIES),
    # another rule's item is kept, this rule's item follows it at the list's indentation
    "other-rule.yaml": ("Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Metadata:\n"
                        "      sagemaker-iac-lint:\n        ignore:\n        - rule: SageMaker.12\n"
                        "          reason: accepted in SEC-1\n" + BLOCK_PROPERTIES,
                        "Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Metadata:\n"
                        "      sagemaker-iac-lint:\n        ignore:\n        - rule: SageMaker.12\n"
                        "          reason: accepted in SEC-1\n        - rule: SageMaker.15\n"
                        f'          reason: "{REASON}"\n' + BLOCK_PROPERTIES),
    # this rule's item without a reason (not applied): the reason is added to it
    "no-reason.yaml": ("Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Metadata:\n"
                       "      sagemaker-iac-lint:\n        ignore:\n          - rule: E9515\n" + BLOCK_PROPERTIES,
                       "Resources:\n  Job:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Metadata:\n"
                       "      sagemaker-iac-lint:\n        ignore:\n          - rule: E9515\n"
                       f'            reason: "{REASON}"\n' + BLOCK_PROPERTIES),
    "tabs.tf": ('resource "awscc_sagemaker_model_bias_job_definition" "j" {\n\tnetwork_config = {\n'
                "\t\tenable_network_isolation = true\n\t\tenable_inter_container_traffic_encryption = false\n\t}\n"
                "\tjob_resources = { cluster_config = { instance_count = 2 } }\n}\n",
                'resource "awscc_sagemaker_model_bias_job_definition" "j" {\n'
                f"\t# sagemaker-iac-lint:ignore=SageMaker.15:{REASON}\n\tnetwork_config = {{\n"
                "\t\tenable_network_isolation = true\n\t\tenable_inter_container_traffic_encryption = false\n\t}\n"
                "\tjob_resources = { cluster_config = { instance_count = 2 } }\n}\n"),
    "one-line.tf": ('resource "awscc_sagemaker_model_bias_job_definition" "j" { network_config = { enable_network_isolation = true, '
                    "enable_inter_container_traffic_encryption = false }\n job_resources = { cluster_config = { instance_count = 2 } } }\n",
                    'resource "awscc_sagemaker_model_bias_job_definition" "j" { '
                    f"/* sagemaker-iac-lint:ignore=SageMaker.15:{REASON} */ network_config = {{ enable_network_isolation = true, "
                    "enable_inter_container_traffic_encryption = false }\n job_resources = { cluster_config = { instance_count = 2 } } }\n"),
    "no-reason.tf": ('resource "awscc_sagemaker_model_bias_job_definition" "j" {\n  # sagemaker-iac-lint:ignore=CKV_SAGEMAKER_15\n'
                     "  network_config = {\n    enable_network_isolation = true\n"
                     "    enable_inter_container_traffic_encryption = false\n  }\n"
                     "  job_resources = { cluster_config = { instance_count = 2 } }\n}\n",
                     'resource "awscc_sagemaker_model_bias_job_definition" "j" {\n'
                     f"  # sagemaker-iac-lint:ignore=CKV_SAGEMAKER_15:{REASON}\n"
                     "  network_config = {\n    enable_network_isolation = true\n"
                     "    enable_inter_container_traffic_encryption = false\n  }\n"
                     "  job_resources = { cluster_config = { instance_count = 2 } }\n}\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_suppression_is_written_in_the_files_form(name: str, tmp_path) -> None:
    if name.endswith(".tf"):
        pytest.importorskip("hcl2")
    text, expected = CASES[name]
    path = str(tmp_path / name)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    (finding,) = [f for f in findings_for_text(path, text)[0] if f.rule.control == "SageMaker.15"]
    suppressed = apply_edits(text, [suppression_edit(finding, text)])
    assert suppressed == expected
    assert [f for f in findings_for_text(path, suppressed)[0] if f.rule.control == "SageMaker.15"] == []


# A sample that keeps the suite fast (the whole of tests/fixtures takes some 40 s and passes too).
SWEEP = sorted(glob.glob(os.path.join(FIXTURES, "cloudformation", "sagemaker-15", "*.fail.*"))
               + glob.glob(os.path.join(FIXTURES, "cloudformation", "sagemaker-22", "*.fail.*"))
               + glob.glob(os.path.join(FIXTURES, "terraform", "sagemaker-15", "*.fail.tf"))
               + glob.glob(os.path.join(FIXTURES, "terraform_json", "sagemaker-22", "*.fail.tf.json")))


def _address(resource: str) -> str:
    return resource.split("[", 1)[0]  # one block writes every instance of count / for_each


@pytest.mark.parametrize("path", SWEEP, ids=lambda p: os.path.relpath(p, FIXTURES))
def test_every_suppression_clears_its_finding_and_only_it(path: str) -> None:
    """Each finding of the fixtures, suppressed alone: the file still reads, that rule's findings of
    that resource are gone, every other finding stays. A resource a transform makes (Fn::ForEach) is
    not written in the file: no suppression is offered for it."""
    if "terraform" in path:
        pytest.importorskip("hcl2")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    findings, error = findings_for_text(path, text)
    assert error is None
    keys = {(f.rule.control, _address(f.resource)) for f in findings}
    offered = 0
    for key in sorted(keys):
        finding = next(f for f in findings if (f.rule.control, _address(f.resource)) == key)
        try:
            edit = suppression_edit(finding, text)
        except NoFix as reason:
            assert "not written as such" in str(reason) and "Fn::ForEach" in text
            continue
        offered += 1
        after, error = findings_for_text(path, apply_edits(text, [edit]))
        assert error is None
        assert {(f.rule.control, _address(f.resource)) for f in after} == keys - {key}
    assert offered
