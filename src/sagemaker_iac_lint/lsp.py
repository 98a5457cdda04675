"""``sagemaker-iac-lint lsp``: a Language Server over stdio (needs the ``lsp`` extra, pygls).

Diagnostics on open, on change (debounced) and on save, judged from the open buffer's text: a
CloudFormation template alone, a Terraform file with its module's files from disk and the other
open buffers of the same folder in place of what is on disk. Each diagnostic has the rule id as
``code``, ``source`` = ``sagemaker-iac-lint`` and the rule's help link; a ``quickfix`` code action
per fixable diagnostic and ``source.fixAll.sagemaker-iac-lint`` for the safe ones (one edit per file,
from the text the fixes leave together), and per diagnostic a "suppress with a reason" action
(``suppress.py``) that writes the suppression in the file's own form.

Configuration: ``[tool.sagemaker-iac-lint]`` of the nearest ``pyproject.toml`` that holds it, looked
for as the CLI does (``config.find_pyproject``) but from the document's directory up to its workspace
folder (the deepest one holding it; unbounded for a file outside every folder). It is read once per
directory and read again when a ``pyproject.toml`` changes: on ``workspace/didChangeWatchedFiles``
(the server registers a watcher for ``**/pyproject.toml`` when the client allows dynamic
registration), on the save of a ``pyproject.toml`` open in the editor, on any save (a file changed
outside the editor is then seen too) and when the workspace folders change; every open document is
judged again. A configuration that cannot be read is one error diagnostic on each document it
governs, and nothing else is reported on them, as ``check`` exits 2 on it; a file the configuration's
``exclude`` matches (relative to the configuration's directory) gets no diagnostics.
"""

from __future__ import annotations

import asyncio
import os
import sys

from . import kinds

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lsprotocol import types as lsp_types
    from pygls.lsp.server import LanguageServer

    from .fix import Fix
    from .scan import Finding, Options

SOURCE = "sagemaker-iac-lint"
FIX_ALL = "source.fixAll.sagemaker-iac-lint"
DEBOUNCE_SECONDS = 0.2
# Terraform files kept parsed between edits. An edit re-judges the file's whole module; without the
# cache every file of it is parsed again: bench/lsp_latency.py's 50-file module took 280 ms a publish
# (median), with it 25 ms, most of that the judging itself. Past this many files the cache starts over.
MAX_PARSED_FILES = 5000


def _path_of(uri: str) -> str:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def findings_for_text(path: str, text: str, open_texts: dict[str, str] | None = None,
                      options: Options | None = None, parse_cache: dict | None = None,
                      ) -> tuple[list[Finding], str | None]:
    """(findings, error message or None) for one buffer. ``parse_cache``: Terraform files parsed
    before, kept across calls (``tfmodule.Project``)."""
    from . import scan as scan_module
    from .errors import ReadError

    options = options or scan_module.Options()
    try:
        if kinds.is_module_file(path):
            return _terraform_findings(path, text, open_texts or {}, options, parse_cache), None
        if not scan_module.mentions_monitored_type(text):
            return [], None
        subjects = scan_module.parse_text(path, text)
        return scan_module.findings_for(path, subjects, options), None
    except ReadError as error:
        return [], str(error)
    except Exception as error:  # noqa: BLE001 - one file's problem is one diagnostic, never the server's end
        return [], f"internal error while reading ({type(error).__name__}: {error})"


def _terraform_findings(path: str, text: str, open_texts: dict[str, str], options: Options,
                        parse_cache: dict | None = None) -> list[Finding]:
    """The module of ``path`` judged with the unsaved buffers in place of the files on disk."""
    from . import scan as scan_module
    from . import tfmodule

    overlay = {os.path.abspath(p): t for p, t in open_texts.items()}
    overlay[os.path.abspath(path)] = text
    if parse_cache is not None and len(parse_cache) > MAX_PARSED_FILES:
        parse_cache.clear()
    project = tfmodule.Project(tfmodule.Deployment(options.var_files, options.variables), parse_cache=parse_cache)
    project.bytes_cache.update({p: t.encode("utf-8") for p, t in overlay.items()})
    subjects, problems = tfmodule.judge_paths([os.path.abspath(path)], project=project)
    mine = [s for p, s in subjects if os.path.abspath(p) == os.path.abspath(path)]
    for problem_path, message in problems:
        if os.path.abspath(problem_path) == os.path.abspath(path):
            from .errors import ReadError

            raise ReadError(message)
    return scan_module.findings_for(path, mine, options)


def options_for(path: str, folders: list[str], cache: dict[str, tuple[Options | None, str]] | None = None,
                ) -> tuple[Options | None, str]:
    """(options, "") for the document at ``path``, from the configuration that governs it; (None,
    message) when that configuration cannot be read. ``folders``: the workspace folders' paths."""
    from . import config as config_module
    from .scan import Options, excluded

    directory = os.path.dirname(os.path.abspath(path))
    if cache is not None and directory in cache:
        found = cache[directory]
    else:
        inside = [f for f in folders if directory == f or directory.startswith(f.rstrip(os.sep) + os.sep)]
        stop = max(inside, key=len) if inside else None
        try:
            config = config_module.load(config_module.find_pyproject(directory, stop))
        except config_module.ConfigError as error:
            found = (None, str(error))
        else:
            base = os.path.dirname(config.path) if config.path else (stop or directory)
            found = (Options(strict=bool(config.strict), select=config.select, ignore=config.ignore,
                             exclude=config.exclude, var_files=config.var_files, variables=config.variables),
                     base)
        if cache is not None:
            cache[directory] = found
    options, base_or_error = found
    if options is None:
        return None, base_or_error
    if options.exclude and excluded(os.path.relpath(os.path.abspath(path), base_or_error), options.exclude):
        return None, ""
    return options, ""


def build_server() -> LanguageServer:
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    from . import __version__
    from . import fix as fix_module
    from . import suppress as suppress_module
    from .scan import is_candidate

    server = LanguageServer(SOURCE, __version__)
    pending: dict[str, asyncio.TimerHandle] = {}
    configs: dict[str, tuple[Options | None, str]] = {}  # directory -> options (or error), until a change
    parsed: dict = {}  # Terraform files parsed, by path (with their bytes): see MAX_PARSED_FILES

    def open_texts() -> dict[str, str]:
        return {_path_of(uri): doc.source for uri, doc in server.workspace.text_documents.items()}

    def folders() -> list[str]:
        paths = [_path_of(folder.uri) for folder in server.workspace.folders.values()]
        root = server.workspace.root_path
        return [os.path.abspath(p) for p in paths + ([root] if root else [])]

    def judged(uri: str) -> tuple[list[Finding], str | None, str]:
        """(findings, read error, configuration error) for an open document."""
        path = _path_of(uri)
        options, config_error = options_for(path, folders(), configs)
        if options is None:
            return [], None, config_error
        text = server.workspace.get_text_document(uri).source
        findings, error = findings_for_text(path, text, open_texts(), options, parsed)
        return findings, error, ""

    def top_diagnostic(message: str) -> lsp_types.Diagnostic:
        return types.Diagnostic(range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                                message=message, severity=types.DiagnosticSeverity.Error, source=SOURCE)

    def diagnostics(uri: str) -> list[lsp_types.Diagnostic]:
        findings, error, config_error = judged(uri)
        if config_error:
            return [top_diagnostic(f"the configuration cannot be read, so nothing is checked: {config_error}")]
        text = server.workspace.get_text_document(uri).source
        out = []
        if error:
            out.append(top_diagnostic(f"cannot be read: {error}"))
        for finding in findings:
            offset = fix_module.offset_of(text, max(finding.line, 1), max(finding.column, 1))
            line, character = fix_module.position_of(text, min(offset, len(text)))
            end = text.find("\n", offset)
            end = len(text) if end < 0 else end
            word_end = offset
            while word_end < end and not text[word_end].isspace() and text[word_end] not in ":=":
                word_end += 1
            end_line, end_character = fix_module.position_of(text, max(word_end, offset))
            out.append(types.Diagnostic(
                range=types.Range(types.Position(line, character), types.Position(end_line, end_character)),
                message=finding.message,
                severity=types.DiagnosticSeverity.Warning,
                code=finding.rule.control,
                code_description=types.CodeDescription(href=finding.rule.help_url),
                source=SOURCE,
                data={"resource": finding.resource, "rule": finding.rule.control},
            ))
        return out

    def publish(uri: str) -> None:
        pending.pop(uri, None)
        if not is_candidate(_path_of(uri)) or uri not in server.workspace.text_documents:
            return
        try:
            found = diagnostics(uri)
        except Exception as error:  # noqa: BLE001 - one document's problem is one diagnostic, never the server's end
            found = [top_diagnostic(f"internal error: {type(error).__name__}: {error}")]
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    def configuration_changed() -> None:
        configs.clear()
        for uri in list(server.workspace.text_documents):
            publish(uri)

    @server.feature(types.INITIALIZED)
    def initialized(ls: LanguageServer, params: lsp_types.InitializedParams) -> None:
        workspace = server.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched is not None and watched.dynamic_registration:
            server.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="sagemaker-iac-lint-pyproject", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]))]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: LanguageServer, params: lsp_types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith("pyproject.toml") for change in params.changes):
            configuration_changed()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: LanguageServer, params: lsp_types.DidChangeWorkspaceFoldersParams) -> None:
        configuration_changed()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: lsp_types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: lsp_types.DidSaveTextDocumentParams) -> None:
        # a save may follow a change made outside the editor (a pyproject.toml among them): read it again
        configuration_changed()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: lsp_types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        loop = asyncio.get_event_loop()
        if uri in pending:
            pending[uri].cancel()
        pending[uri] = loop.call_later(DEBOUNCE_SECONDS, publish, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: lsp_types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in pending:
            pending.pop(uri).cancel()
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: LanguageServer, params: lsp_types.CodeActionParams) -> list[lsp_types.CodeAction]:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        path = _path_of(uri)
        text = document.source
        findings, _, _ = judged(uri)
        fixes, _ = fix_module.fixes_for(findings, {path: text})
        actions = []

        def workspace_edit(chosen: list[Fix]) -> types.WorkspaceEdit:
            changes: dict[str, list] = {}
            texts = {path: text}
            for fix in chosen:
                for edit in fix.edits:
                    target = uri if edit.path == path else _uri_of(edit.path)
                    if edit.path not in texts:  # another file (a variable's default): as it is on disk
                        texts[edit.path] = fix_module.read_source(edit.path)
                    source = texts[edit.path]
                    start = fix_module.position_of(source, edit.start)
                    end = fix_module.position_of(source, edit.end)
                    changes.setdefault(target, []).append(types.TextEdit(
                        range=types.Range(types.Position(*start), types.Position(*end)), new_text=edit.new))
            return types.WorkspaceEdit(changes=changes)

        def combined_edit(chosen: list[Fix]) -> types.WorkspaceEdit:
            """Several fixes as one edit per file, from the text they leave together (two fixes of one
            resource may add to one place: ``fixed_texts`` applies them one after the other)."""
            texts = {path: text}
            changes: dict[str, list] = {}
            for edit_path, new in fix_module.fixed_texts(chosen, texts).items():
                old = texts[edit_path]
                start = 0
                while start < min(len(old), len(new)) and old[start] == new[start]:
                    start += 1
                end_old, end_new = len(old), len(new)
                while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
                    end_old -= 1
                    end_new -= 1
                target = uri if edit_path == path else _uri_of(edit_path)
                changes.setdefault(target, []).append(types.TextEdit(
                    range=types.Range(types.Position(*fix_module.position_of(old, start)),
                                      types.Position(*fix_module.position_of(old, end_old))),
                    new_text=new[start:end_new]))
            return types.WorkspaceEdit(changes=changes)

        def ours(diagnostic: lsp_types.Diagnostic, finding: Finding) -> bool:
            return diagnostic.source == SOURCE and diagnostic.code == finding.rule.control \
                and isinstance(diagnostic.data, dict) and diagnostic.data.get("resource") == finding.resource

        wanted = params.context.only
        quickfixes = not wanted or types.CodeActionKind.QuickFix in wanted
        for fix in fixes if quickfixes else []:
            related = [d for d in params.context.diagnostics if ours(d, fix.finding)]
            title = fix.title + ("" if fix.safe else f" (unsafe: {fix.note})")
            actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=related,
                                            edit=workspace_edit([fix]), is_preferred=fix.safe))
        suppressed: set[tuple[str, str]] = set()
        for finding in findings if quickfixes else []:
            key = (finding.rule.control, finding.resource)
            related = [d for d in params.context.diagnostics if ours(d, finding)]
            if not related or key in suppressed:
                continue  # offered for the diagnostics asked about (the cursor's), once per rule and resource
            suppressed.add(key)
            try:
                edit = suppress_module.suppression_edit(finding, text)
            except fix_module.NoFix:
                continue
            start, end = fix_module.position_of(text, edit.start), fix_module.position_of(text, edit.end)
            actions.append(types.CodeAction(
                title=f"Suppress {finding.rule.control} for `{finding.resource}` (edit the reason)",
                kind=types.CodeActionKind.QuickFix, diagnostics=related, is_preferred=False,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(
                    range=types.Range(types.Position(*start), types.Position(*end)), new_text=edit.new)]})))
        safe = [fix for fix in fixes if fix.safe]
        if safe and (not wanted or any(kind in (FIX_ALL, types.CodeActionKind.SourceFixAll) for kind in wanted)):
            actions.append(types.CodeAction(title="Fix all safe sagemaker-iac-lint findings", kind=FIX_ALL,
                                            edit=combined_edit(safe)))
        return actions

    return server


def _uri_of(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(os.path.abspath(path)) or path


def main() -> int:
    try:
        server = build_server()
    except ImportError:
        print("sagemaker-iac-lint: error: the language server needs pygls: pip install 'sagemaker-iac-lint[lsp]'",
              file=sys.stderr)
        return 2
    server.start_io()
    return 0
