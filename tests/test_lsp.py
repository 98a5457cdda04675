"""The language server as an editor sees it: a separate process spoken to in JSON-RPC over stdio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

FIXTURES = Path(__file__).parent / "fixtures"


class Client:
    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "sagemaker_iac_lint", "lsp"], cwd=cwd,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self) -> dict:
        length = 0
        while True:
            line = self.process.stdout.readline()
            assert line, "the server closed its output"
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def wait_for(self, method: str, uri: str) -> dict:
        while True:
            message = self.read()
            if message.get("method") == method and message["params"]["uri"] == uri:
                return message["params"]

    def close(self) -> None:
        self.request("shutdown", {})
        self.send({"method": "exit"})
        self.process.wait(timeout=10)


@pytest.fixture
def client(tmp_path):
    c = Client(tmp_path)
    c.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    c.send({"method": "initialized", "params": {}})
    yield c
    c.close()


def test_open_quickfix_clears_and_unsaved_edit_is_flagged(client, tmp_path):
    path = tmp_path / "t.yaml"
    text = (FIXTURES / "cloudformation/sagemaker-22/inline.fail.yaml").read_text()
    path.write_text(text)
    uri = path.as_uri()
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    found = client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
    # the schedules are SageMaker.22's fixture; they are judged for network isolation (SageMaker.14) too
    assert {d["code"] for d in found} == {"SageMaker.22", "SageMaker.14"}
    assert all(d["source"] == "sagemaker-iac-lint" and d["codeDescription"]["href"].startswith("https://") for d in found)
    flag = next(d for d in found if d["code"] == "SageMaker.22" and "is false" in d["message"])
    line = text.splitlines()[flag["range"]["start"]["line"]]
    assert line[flag["range"]["start"]["character"]:].startswith("EnableInterContainerTrafficEncryption: false")
    answer = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": flag["range"], "context": {"diagnostics": found}})
    actions = answer["result"]
    fix_all = next(a for a in actions if a["kind"] == "source.fixAll.sagemaker-iac-lint")
    edits = fix_all["edit"]["changes"][uri]
    lines = text.splitlines(True)

    def offset(position):
        return sum(len(x) for x in lines[: position["line"]]) + position["character"]

    fixed = text
    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        fixed = fixed[: offset(edit["range"]["start"])] + edit["newText"] + fixed[offset(edit["range"]["end"]):]
    client.send({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}})
    assert client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"] == []
    # an unsaved edit that turns the flag off again is flagged
    broken = fixed.replace("EnableInterContainerTrafficEncryption: true", "EnableInterContainerTrafficEncryption: false", 1)
    client.send({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": broken}]}})
    assert [d["code"] for d in client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]] == ["SageMaker.22"]


def test_terraform_is_judged_with_its_modules_variables(client, tmp_path):
    pytest.importorskip("hcl2")
    (tmp_path / "variables.tf").write_text('variable "encrypt" {\n  type    = bool\n  default = false\n}\n')
    source = (FIXTURES / "terraform/sagemaker-15/flag-false.fail.tf").read_text()
    text = source.replace("enable_inter_container_traffic_encryption = false", "enable_inter_container_traffic_encryption = var.encrypt")
    path = tmp_path / "main.tf"
    path.write_text(text)
    uri = path.as_uri()
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": text}}})
    found = client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
    encryption = [d for d in found if d["code"] == "SageMaker.15"]  # the job is judged for .12 (isolation) too
    assert len(encryption) == 1 and "encrypt" in encryption[0]["message"]


def test_unreadable_file_is_one_diagnostic(client, tmp_path):
    path = tmp_path / "bad.yaml"
    text = "Resources:\n  J:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties: [\n"
    path.write_text(text)
    uri = path.as_uri()
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    found = client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert len(found) == 1 and found[0]["message"].startswith("cannot be read")


def test_a_new_rule_diagnostic_gets_its_quickfix(client, tmp_path):
    """A notebook instance: SageMaker.3 (update in place) gets a preferred quickfix, SageMaker.1 an unsafe one
    (a replacement), and the KMS key and the subnet (.21, .2), which no one value makes right, none."""
    path = tmp_path / "notebook.yaml"
    text = ("Resources:\n  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n"
            "      InstanceType: ml.t3.medium\n      RoleArn: arn:aws:iam::123456789012:role/r\n"
            "      RootAccess: Enabled\n")
    path.write_text(text)
    uri = path.as_uri()
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    found = client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert sorted(d["code"] for d in found) == ["SageMaker.1", "SageMaker.2", "SageMaker.21", "SageMaker.3"]
    root = next(d for d in found if d["code"] == "SageMaker.3")
    assert text.splitlines()[root["range"]["start"]["line"]][root["range"]["start"]["character"]:].startswith("RootAccess")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": root["range"], "context": {"diagnostics": found}})["result"]
    quickfixes = {a["diagnostics"][0]["code"]: a for a in actions
                  if a["kind"] == "quickfix" and not a["title"].startswith("Suppress ")}
    # every diagnostic, fixable or not, can be suppressed with a reason
    assert sorted(a["diagnostics"][0]["code"] for a in actions if a["title"].startswith("Suppress ")) == [
        "SageMaker.1", "SageMaker.2", "SageMaker.21", "SageMaker.3"]
    assert sorted(quickfixes) == ["SageMaker.1", "SageMaker.3"]
    assert quickfixes["SageMaker.3"]["title"] == "Set `RootAccess` to `Disabled`" and quickfixes["SageMaker.3"]["isPreferred"]
    assert quickfixes["SageMaker.1"]["title"].startswith("Set `DirectInternetAccess` to `Disabled` (unsafe: ")
    assert not quickfixes["SageMaker.1"]["isPreferred"]
    (edit,) = quickfixes["SageMaker.3"]["edit"]["changes"][uri]
    assert edit["newText"] == "Disabled" and edit["range"]["start"]["line"] == 6
    line = text.splitlines()[6]
    fixed_line = line[: edit["range"]["start"]["character"]] + edit["newText"] + line[edit["range"]["end"]["character"]:]
    fixed = text.replace(line, fixed_line)
    client.send({"method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}})
    left = client.wait_for("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert sorted(d["code"] for d in left) == ["SageMaker.1", "SageMaker.2", "SageMaker.21"]
