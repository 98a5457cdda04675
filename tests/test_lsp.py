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
