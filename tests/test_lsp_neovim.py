"""The language server in a real editor: Neovim's built-in LSP client, headless.

Neovim loads the ``init.lua`` block that docs/integrations.md documents (word for word, read from the
page), starts our installed console script through it, and ``tests/neovim/driver.lua`` opens a
template, edits the unsaved buffer, asks for the quick fix and applies it, writing what Neovim's
diagnostics said at each step to a JSON file. Skips without ``nvim`` on PATH or without pygls.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).parent / "neovim" / "driver.lua"
NVIM = shutil.which("nvim")
SCRIPT = Path(sys.executable).parent / ("sagemaker-iac-lint.exe" if os.name == "nt" else "sagemaker-iac-lint")
WAIT_MS = 15000  # each wait inside Neovim
RUN_SECONDS = 120  # the whole Neovim run; killed (with the server) past it

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="the run is bounded by killing its process group (POSIX only)"),
    pytest.mark.skipif(NVIM is None, reason="nvim is not on PATH (Debian: apt-get install neovim)"),
    pytest.mark.skipif(not SCRIPT.is_file(), reason=f"no installed console script next to the interpreter: {SCRIPT}"),
]

FLAG = "EnableInterContainerTrafficEncryption"
# One finding, SageMaker.15's: the job sets network isolation, so that SageMaker.12 (which judges the same
# type) has nothing to say and each step's diagnostics are the flag's alone.
TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Job:
    Type: AWS::SageMaker::ModelBiasJobDefinition
    Properties:
      JobResources:
        ClusterConfig:
          InstanceCount: 2
          InstanceType: ml.m5.xlarge
          VolumeSizeInGB: 20
      NetworkConfig:
        EnableNetworkIsolation: true
        {FLAG}: false
      ModelBiasAppSpecification:
        ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/clarify:latest
        ConfigUri: s3://example-bucket/analysis_config.json
      ModelBiasJobInput:
        EndpointInput:
          EndpointName: example-endpoint
          LocalPath: /opt/ml/processing/input/endpoint
      ModelBiasJobOutputConfig:
        MonitoringOutputs:
          - S3Output:
              LocalPath: /opt/ml/processing/output
              S3Uri: s3://example-bucket/output
      RoleArn: arn:aws:iam::123456789012:role/monitoring
"""


def documented_config() -> str:
    """The Lua block under docs/integrations.md's "Neovim (tested)" heading."""
    page = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    found = re.search(r"^### Neovim \(tested\)\n.*?^```lua\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    assert found, "docs/integrations.md has no Lua block under '### Neovim (tested)'"
    return found.group(1)


def nvim_version() -> tuple[int, ...]:
    first = subprocess.run([NVIM, "--version"], capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
    found = re.search(r"v(\d+)\.(\d+)", first)
    return tuple(int(part) for part in found.groups()) if found else (0, 0)


class Run:
    """One headless Neovim session: what the driver wrote, and the process's output for failures."""

    def __init__(self, result: dict, returncode: int | None, stdout: str, stderr: str, log: str) -> None:
        self.result = result
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.log = log

    def explain(self) -> str:
        return (f"nvim exit status {self.returncode}; driver error: {self.result.get('error')}\n"
                f"--- stderr ---\n{self.stderr}\n--- stdout ---\n{self.stdout}\n--- lsp.log ---\n{self.log[-4000:]}")

    def step(self, name: str) -> dict:
        steps = {step["name"]: step for step in self.result.get("steps", [])}
        assert name in steps, f"the driver never reached step {name!r}\n{self.explain()}"
        return steps[name]


def run_neovim(work: Path, target: Path, only_open: bool = False) -> Run:
    """Neovim with the documented config, the driver on ``target``; killed with its server past RUN_SECONDS."""
    config = work / "init.lua"
    config.write_text(documented_config())
    out = work / "result.json"
    env = {
        **os.environ,
        # the documented `cmd = { "sagemaker-iac-lint", "lsp" }` finds this interpreter's console script
        "PATH": os.pathsep.join([str(SCRIPT.parent), os.environ.get("PATH", "")]),
        "SMIL_FILE": str(target), "SMIL_OUT": str(out), "SMIL_TIMEOUT_MS": str(WAIT_MS),
        "SMIL_ONLY_OPEN": "1" if only_open else "0",
        **{name: str(work / name.lower()) for name in
           ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")},
    }
    command = [NVIM, "--headless", "--clean", "--cmd", f"luafile {config}", "-c", f"luafile {DRIVER}"]
    process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # nvim and the server it started
        stdout, stderr = process.communicate()
        stderr += f"\n(killed after {RUN_SECONDS} s)"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    logs = sorted(work.rglob("lsp.log"))
    log = logs[0].read_text(errors="replace") if logs else ""
    result = json.loads(out.read_text()) if out.is_file() else {"error": "the driver wrote no result"}
    return Run(result, process.returncode, stdout, stderr, log)


@pytest.fixture(scope="module")
def neovim(tmp_path_factory: pytest.TempPathFactory) -> Run:
    if nvim_version() < (0, 7):
        pytest.skip("the documented config needs Neovim 0.7 or later (nvim_create_autocmd)")
    work = tmp_path_factory.mktemp("neovim")
    template = work / "template.yaml"
    template.write_text(TEMPLATE)
    return run_neovim(work, template)


def flag_position() -> tuple[int, int]:
    """0-based line and column of the flag's key in the template."""
    for number, line in enumerate(TEMPLATE.splitlines()):
        if FLAG in line:
            return number, line.index(FLAG)
    raise AssertionError("no flag in the template")


def test_neovim_attaches_the_documented_server(neovim: Run) -> None:
    assert neovim.result.get("filetype") == "yaml", neovim.explain()
    assert neovim.result.get("clients") == ["sagemaker-iac-lint"], neovim.explain()


def test_diagnostic_on_open_has_code_source_and_the_flags_range(neovim: Run) -> None:
    found = neovim.step("open")["diagnostics"]
    assert len(found) == 1, neovim.explain()
    diagnostic = found[0]
    line, column = flag_position()
    assert diagnostic["code"] == "SageMaker.15"
    assert diagnostic["source"] == "sagemaker-iac-lint"
    assert diagnostic["href"].startswith("https://")
    assert (diagnostic["lnum"], diagnostic["col"]) == (line, column)
    assert (diagnostic["end_lnum"], diagnostic["end_col"]) == (line, column + len(FLAG))
    assert "inter-container traffic encryption" in diagnostic["message"]


def test_unsaved_edit_clears_the_diagnostic_and_undoing_it_flags_again(neovim: Run) -> None:
    edited = neovim.step("edited-true")
    assert f"        {FLAG}: true" in edited["lines"]
    assert edited["diagnostics"] == [], neovim.explain()
    restored = neovim.step("edited-false")
    assert [d["code"] for d in restored["diagnostics"]] == ["SageMaker.15"], neovim.explain()


def test_quickfix_applied_by_neovim_clears_the_diagnostic(neovim: Run) -> None:
    fixed = neovim.step("quickfix")
    assert any(action["kind"] == "quickfix" for action in neovim.result.get("actions", [])), neovim.explain()
    assert f"        {FLAG}: true" in fixed["lines"]
    assert fixed["diagnostics"] == [], neovim.explain()
    assert neovim.result.get("error") is None, neovim.explain()


def test_terraform_file_in_neovim_is_judged_with_its_modules_variables(tmp_path: Path) -> None:
    pytest.importorskip("hcl2", reason="the Terraform case needs the terraform extra (python-hcl2)")
    if nvim_version() < (0, 7):
        pytest.skip("the documented config needs Neovim 0.7 or later (nvim_create_autocmd)")
    (tmp_path / "variables.tf").write_text('variable "encrypt" {\n  type    = bool\n  default = false\n}\n')
    source = (Path(__file__).parent / "fixtures/terraform/sagemaker-15/flag-false.fail.tf").read_text()
    flag = "enable_inter_container_traffic_encryption"
    text = source.replace(f"{flag} = false", f"{flag} = var.encrypt")
    assert text != source
    target = tmp_path / "main.tf"
    target.write_text(text)
    run = run_neovim(tmp_path, target, only_open=True)
    assert run.result.get("filetype") == "terraform", run.explain()
    opened = run.step("open")["diagnostics"]
    found = [d for d in opened if d["code"] == "SageMaker.15"]  # the job is judged for .12 (isolation) too
    assert len(found) == 1, run.explain()
    assert "encrypt" in found[0]["message"]
    line = next(number for number, row in enumerate(text.splitlines()) if flag in row)
    assert (found[0]["lnum"], found[0]["col"]) == (line, text.splitlines()[line].index(flag))
    assert run.result.get("error") is None, run.explain()
