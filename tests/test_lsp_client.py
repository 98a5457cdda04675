"""The language server end to end through pytest-lsp: a real LSP client (pygls's) speaking JSON-RPC
over stdio to ``python -m sagemaker_iac_lint lsp`` in its own process, with the capabilities VS Code
announces (pytest-lsp also checks every answer against them).

Skips without pytest-lsp (the ``tests`` nox session installs it) or without pygls (the server's extra).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the lsp extra (pygls)")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="end-to-end LSP tests need pytest-lsp")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
SERVER = [sys.executable, "-m", "sagemaker_iac_lint", "lsp"]
PLACEHOLDER = "TODO say why this finding is accepted"

# One job definition whose only finding is SageMaker.15's (isolation is on, so SageMaker.12 is silent).
JOB = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
    Job:
        Type: AWS::SageMaker::ModelBiasJobDefinition
        Properties:
            JobResources:
                ClusterConfig: {InstanceCount: 2, InstanceType: ml.m5.xlarge, VolumeSizeInGB: 20}
            NetworkConfig:
                EnableNetworkIsolation: true
                EnableInterContainerTrafficEncryption: false
            ModelBiasAppSpecification: {ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/c:1, ConfigUri: s3://b/c.json}
            ModelBiasJobInput: {EndpointInput: {EndpointName: e, LocalPath: /opt/ml/processing/input}}
            ModelBiasJobOutputConfig: {MonitoringOutputs: [{S3Output: {LocalPath: /opt/ml/processing/output, S3Uri: s3://b/o}}]}
            RoleArn: arn:aws:iam::123456789012:role/monitoring
"""

# One server for the module (it takes a second or two to start on a busy machine): its workspace folder
# is WORKSPACE below the module's directory, and each test works in a directory of its own inside it.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def client(lsp_client: LanguageClient, root: Path):
    registrations: list[types.Registration] = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    lsp_client.registrations = registrations  # type: ignore[attr-defined]
    workspace = root / "workspace"
    workspace.mkdir()
    lsp_client.initialize_result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")]))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def tmp_path(root: Path, request: pytest.FixtureRequest) -> Path:
    """This test's directory inside the server's workspace folder."""
    here = root / "workspace" / request.node.name
    here.mkdir()
    return here


async def after(client: LanguageClient, uri: str, send: Callable[[], object]) -> list[types.Diagnostic]:
    """The diagnostics published for ``uri`` after ``send()``. Read from the client's record of the last
    diagnostics of each document (a new list per notification): waiting for "the next notification"
    would miss one that arrives in a burst (the server judges every open document again when the
    configuration changes)."""
    before = client.diagnostics.get(uri)
    send()
    for _ in range(3000):
        now = client.diagnostics.get(uri)
        if now is not before and now is not None:
            return list(now)
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics published for {uri} within 30 s")


async def opened(client: LanguageClient, path: Path, text: str | None = None, language: str = "yaml") -> list[types.Diagnostic]:
    if text is None:
        text = path.read_text()
    return await after(client, path.as_uri(), lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=path.as_uri(), language_id=language, version=1, text=text))))


async def changed(client: LanguageClient, path: Path, text: str, version: int) -> list[types.Diagnostic]:
    return await after(client, path.as_uri(), lambda: client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)])))


def watched(client: LanguageClient, pyproject: Path, change: types.FileChangeType) -> Callable[[], None]:
    return lambda: client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=pyproject.as_uri(), type=change)]))


def applied(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def actions_for(client: LanguageClient, path: Path, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri()), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    assert found is not None
    return [action for action in found if isinstance(action, types.CodeAction)]


def at(text: str, diagnostic: types.Diagnostic) -> str:
    """The text the diagnostic's range covers."""
    start, end = diagnostic.range.start, diagnostic.range.end
    assert start.line == end.line
    return text.splitlines()[start.line][start.character:end.character]


async def test_open_quick_fix_and_unsaved_edit(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(JOB)
    (found,) = await opened(client, path)
    assert (found.code, found.source, found.severity) == ("SageMaker.15", "sagemaker-iac-lint", types.DiagnosticSeverity.Warning)
    assert found.code_description is not None
    assert found.code_description.href == "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-15"
    assert (found.range.start.line, at(JOB, found)) == (9, "EnableInterContainerTrafficEncryption")
    actions = await actions_for(client, path, found)
    assert [a.title for a in actions] == [
        "Set `NetworkConfig.EnableInterContainerTrafficEncryption` to true (unsafe: deploying it replaces the job definition)",
        "Suppress SageMaker.15 for `Job` (edit the reason)",
    ]
    quick_fix = actions[0]
    assert quick_fix.kind == types.CodeActionKind.QuickFix and list(quick_fix.diagnostics or ()) == [found]
    assert quick_fix.edit is not None and quick_fix.edit.changes is not None
    fixed = applied(JOB, quick_fix.edit.changes[path.as_uri()])
    assert fixed == JOB.replace("EnableInterContainerTrafficEncryption: false", "EnableInterContainerTrafficEncryption: true")
    assert await changed(client, path, fixed, 2) == []
    # the unsaved buffer is judged, not the file on disk
    (again,) = await changed(client, path, JOB, 3)
    assert again.code == "SageMaker.15" and path.read_text() == JOB


async def test_fix_all_takes_the_safe_fixes(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "notebook.yaml"
    text = ("Resources:\n  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n"
            "      InstanceType: ml.t3.medium\n      RoleArn: arn:aws:iam::123456789012:role/r\n"
            "      RootAccess: Enabled\n")
    found = await opened(client, path, text)
    assert sorted(str(d.code) for d in found) == ["SageMaker.1", "SageMaker.2", "SageMaker.21", "SageMaker.3"]
    root = next(d for d in found if d.code == "SageMaker.3")
    actions = await actions_for(client, path, root)
    fix_all = next(a for a in actions if a.kind == "source.fixAll.sagemaker-iac-lint")
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    fixed = applied(text, fix_all.edit.changes[path.as_uri()])
    assert fixed == text.replace("RootAccess: Enabled", "RootAccess: Disabled")  # SageMaker.1's fix is unsafe
    left = await changed(client, path, fixed, 2)
    assert sorted(str(d.code) for d in left) == ["SageMaker.1", "SageMaker.2", "SageMaker.21"]


async def test_terraform_is_judged_with_its_modules_variables(client: LanguageClient, tmp_path: Path) -> None:
    pytest.importorskip("hcl2")
    (tmp_path / "variables.tf").write_text('variable "encrypt" {\n  type    = bool\n  default = false\n}\n')
    source = (FIXTURES / "terraform/sagemaker-15/flag-false.fail.tf").read_text()
    text = source.replace("enable_inter_container_traffic_encryption = false",
                          "enable_inter_container_traffic_encryption = var.encrypt")
    path = tmp_path / "main.tf"
    path.write_text(text)
    found = await opened(client, path, text, "terraform")
    (encryption,) = [d for d in found if d.code == "SageMaker.15"]  # the job is judged for .12 (isolation) too
    assert "`network_config.enable_inter_container_traffic_encryption` is false, from the default of variable `encrypt`" in encryption.message
    assert at(text, encryption) == "enable_inter_container_traffic_encryption"
    # the variable's default set to true in the module (on disk): the same buffer passes
    (tmp_path / "variables.tf").write_text('variable "encrypt" {\n  type    = bool\n  default = true\n}\n')
    assert [d.code for d in await changed(client, path, text, 2) if d.code == "SageMaker.15"] == []


async def test_suppress_yaml_writes_metadata_at_the_files_indentation(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(JOB)
    (found,) = await opened(client, path)
    suppress = next(a for a in await actions_for(client, path, found) if a.title.startswith("Suppress"))
    assert suppress.kind == types.CodeActionKind.QuickFix and not suppress.is_preferred
    assert suppress.edit is not None and suppress.edit.changes is not None
    suppressed = applied(JOB, suppress.edit.changes[path.as_uri()])
    assert suppressed == JOB.replace(
        "        Type: AWS::SageMaker::ModelBiasJobDefinition\n",
        "        Type: AWS::SageMaker::ModelBiasJobDefinition\n"
        "        Metadata:\n"
        "            sagemaker-iac-lint:\n"
        "                ignore:\n"
        "                    - rule: SageMaker.15\n"
        f'                      reason: "{PLACEHOLDER}"\n')
    assert await changed(client, path, suppressed, 2) == []


async def test_suppress_json_and_terraform(client: LanguageClient, tmp_path: Path) -> None:
    pytest.importorskip("hcl2")
    template = tmp_path / "literal.json"
    text = (FIXTURES / "cloudformation/sagemaker-15/literal.fail.json").read_text()
    template.write_text(text)
    found = await opened(client, template, text, "json")
    flag = next(d for d in found if d.code == "SageMaker.15")
    assert isinstance(flag.data, dict) and flag.data["resource"] == "JobFailFlagFalse"
    suppress = next(a for a in await actions_for(client, template, flag) if a.title.startswith("Suppress SageMaker.15"))
    assert suppress.edit is not None and suppress.edit.changes is not None
    suppressed = applied(text, suppress.edit.changes[template.as_uri()])
    assert '      "Type": "AWS::SageMaker::ModelBiasJobDefinition",\n      "Metadata": {\n' \
           '        "sagemaker-iac-lint": {\n          "ignore": [\n            {\n' \
           f'              "rule": "SageMaker.15",\n              "reason": "{PLACEHOLDER}"\n' \
           '            }\n          ]\n        }\n      },\n      "Properties": {\n' in suppressed
    left = await changed(client, template, suppressed, 2)
    assert [d for d in left if d.code == "SageMaker.15" and d.data["resource"] == "JobFailFlagFalse"] == []
    assert len(left) == len(found) - 1  # the template's other resources are still reported

    module = tmp_path / "tf"
    module.mkdir()
    main = module / "main.tf"
    text = (FIXTURES / "terraform/sagemaker-15/flag-false.fail.tf").read_text()
    main.write_text(text)
    found = await opened(client, main, text, "terraform")
    flag = next(d for d in found if d.code == "SageMaker.15")
    suppress = next(a for a in await actions_for(client, main, flag) if a.title.startswith("Suppress SageMaker.15"))
    assert suppress.edit is not None and suppress.edit.changes is not None
    suppressed = applied(text, suppress.edit.changes[main.as_uri()])
    first, second = suppressed.splitlines()[:2]
    assert first == text.splitlines()[0]
    assert second == f"  # sagemaker-iac-lint:ignore=SageMaker.15:{PLACEHOLDER}"
    assert [d.code for d in await changed(client, main, suppressed, 2) if d.code == "SageMaker.15"] == []


async def test_configuration_is_read_again_when_it_changes(client: LanguageClient, tmp_path: Path) -> None:
    # the watcher for pyproject.toml was registered dynamically (VS Code's capabilities allow it), by the
    # time the first document is judged
    (tmp_path / "first.yaml").write_text(JOB)
    await opened(client, tmp_path / "first.yaml")
    (registration,) = client.registrations  # type: ignore[attr-defined]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert registration.register_options == {"watchers": [{"globPattern": "**/pyproject.toml"}]}
    # a configuration above the workspace folder is not read
    above = tmp_path.parent.parent / "pyproject.toml"  # the workspace folder's parent
    above.write_text('[tool.sagemaker-iac-lint]\nignore = ["SageMaker.15"]\n')
    try:
        stacks = tmp_path / "stacks"
        stacks.mkdir()
        path = stacks / "job.yaml"
        path.write_text(JOB)
        assert [d.code for d in await opened(client, path)] == ["SageMaker.15"]
        pyproject = tmp_path / "pyproject.toml"
        uri = path.as_uri()
        pyproject.write_text('[tool.sagemaker-iac-lint]\nignore = ["E9515"]\n')
        assert await after(client, uri, watched(client, pyproject, types.FileChangeType.Created)) == []
        # a configuration that cannot be read: one diagnostic, and the server goes on
        pyproject.write_text('[tool.sagemaker-iac-lint]\nignore = ["SageMaker.99"]\n')
        (error,) = await after(client, uri, watched(client, pyproject, types.FileChangeType.Changed))
        assert error.severity == types.DiagnosticSeverity.Error and error.source == "sagemaker-iac-lint"
        assert error.message == ("the configuration cannot be read, so nothing is checked: "
                                 f"{pyproject}: `ignore`: unknown rule `SageMaker.99` (see `sagemaker-iac-lint rules`)")
        # exclude, relative to the configuration's directory; read again on the save of pyproject.toml
        pyproject.write_text('[tool.sagemaker-iac-lint]\nexclude = ["stacks/*"]\n')
        assert await after(client, uri, lambda: client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=pyproject.as_uri())))) == []
        pyproject.write_text('[tool.sagemaker-iac-lint]\nstrict = false\n')
        assert [d.code for d in await after(client, uri, watched(client, pyproject, types.FileChangeType.Changed))] \
            == ["SageMaker.15"]
    finally:
        above.unlink()


async def test_each_workspace_folder_has_its_configuration(client: LanguageClient, tmp_path: Path) -> None:
    folders = client.initialize_result.capabilities.workspace.workspace_folders  # type: ignore[attr-defined]
    assert folders.supported and folders.change_notifications
    other = tmp_path.parent.parent / "other"  # a folder beside the first one
    other.mkdir()
    (other / "pyproject.toml").write_text('[tool.sagemaker-iac-lint]\nignore = ["SageMaker.15"]\n')
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(added=[types.WorkspaceFolder(uri=other.as_uri(), name="other")],
                                                removed=[])))
    (other / "job.yaml").write_text(JOB)
    (tmp_path / "job.yaml").write_text(JOB)
    assert await opened(client, other / "job.yaml") == []
    assert [d.code for d in await opened(client, tmp_path / "job.yaml")] == ["SageMaker.15"]


async def test_unreadable_file_is_one_diagnostic(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = "Resources:\n  J:\n    Type: AWS::SageMaker::ModelBiasJobDefinition\n    Properties: [\n"
    path.write_text(text)
    (found,) = await opened(client, path, text)
    assert found.severity == types.DiagnosticSeverity.Error and found.message.startswith("cannot be read: ")
    # the server is still there: the next document is judged
    good = tmp_path / "job.yaml"
    good.write_text(JOB)
    assert [d.code for d in await opened(client, good)] == ["SageMaker.15"]
