"""``sagemaker-iac-lint lsp``: a Language Server over stdio (needs the ``lsp`` extra, pygls).

Diagnostics on open, on change (debounced) and on save, judged from the open buffer's text: a
CloudFormation template alone, a Terraform file with its module's files from disk and the other
open buffers of the same folder in place of what is on disk. Each diagnostic has the rule id as
``code``, ``source`` = ``sagemaker-iac-lint`` and the rule's help link; a ``quickfix`` code action
per fixable diagnostic and ``source.fixAll.sagemaker-iac-lint`` for the safe ones (one edit per file,
from the text the fixes leave together).
"""

from __future__ import annotations

import asyncio
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lsprotocol import types as lsp_types
    from pygls.lsp.server import LanguageServer

    from .fix import Fix
    from .scan import Finding, Options

SOURCE = "sagemaker-iac-lint"
FIX_ALL = "source.fixAll.sagemaker-iac-lint"
DEBOUNCE_SECONDS = 0.2


def _path_of(uri: str) -> str:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def findings_for_text(path: str, text: str, open_texts: dict[str, str] | None = None,
                      options: Options | None = None) -> tuple[list[Finding], str | None]:
    """(findings, error message or None) for one buffer."""
    from . import scan as scan_module
    from .errors import ReadError

    options = options or scan_module.Options()
    lower = path.lower()
    try:
        if lower.endswith((".tf", ".tofu", ".tf.json")):
            return _terraform_findings(path, text, open_texts or {}, options), None
        if not scan_module.mentions_monitored_type(text):
            return [], None
        subjects = scan_module.parse_text(path, text)
        return scan_module.findings_for(path, subjects, options), None
    except ReadError as error:
        return [], str(error)
    except Exception as error:  # noqa: BLE001 - one file's problem is one diagnostic, never the server's end
        return [], f"internal error while reading ({type(error).__name__}: {error})"


def _terraform_findings(path: str, text: str, open_texts: dict[str, str], options: Options) -> list[Finding]:
    """The module of ``path`` judged with the unsaved buffers in place of the files on disk."""
    from . import scan as scan_module
    from . import tfmodule

    overlay = {os.path.abspath(p): t for p, t in open_texts.items()}
    overlay[os.path.abspath(path)] = text
    project = tfmodule.Project(tfmodule.Deployment(options.var_files, options.variables))
    project.bytes_cache.update({p: t.encode("utf-8") for p, t in overlay.items()})
    subjects, problems = tfmodule.judge_paths([os.path.abspath(path)], project=project)
    mine = [s for p, s in subjects if os.path.abspath(p) == os.path.abspath(path)]
    for problem_path, message in problems:
        if os.path.abspath(problem_path) == os.path.abspath(path):
            from .errors import ReadError

            raise ReadError(message)
    return scan_module.findings_for(path, mine, options)


def build_server() -> LanguageServer:
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    from . import __version__
    from . import fix as fix_module

    server = LanguageServer(SOURCE, __version__)
    pending: dict[str, asyncio.TimerHandle] = {}

    def open_texts() -> dict[str, str]:
        return {_path_of(uri): doc.source for uri, doc in server.workspace.text_documents.items()}

    def diagnostics(uri: str) -> list[lsp_types.Diagnostic]:
        document = server.workspace.get_text_document(uri)
        path = _path_of(uri)
        text = document.source
        findings, error = findings_for_text(path, text, open_texts())
        out = []
        if error:
            out.append(types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"cannot be read: {error}", severity=types.DiagnosticSeverity.Error, source=SOURCE))
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
        try:
            found = diagnostics(uri)
        except Exception as error:  # noqa: BLE001
            found = [types.Diagnostic(range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                                      message=f"internal error: {error}", source=SOURCE)]
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: lsp_types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: lsp_types.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: lsp_types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        loop = asyncio.get_event_loop()
        if uri in pending:
            pending[uri].cancel()
        pending[uri] = loop.call_later(DEBOUNCE_SECONDS, publish, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: lsp_types.DidCloseTextDocumentParams) -> None:
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: LanguageServer, params: lsp_types.CodeActionParams) -> list[lsp_types.CodeAction]:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        path = _path_of(uri)
        text = document.source
        findings, _ = findings_for_text(path, text, open_texts())
        fixes, _ = fix_module.fixes_for(findings, {path: text})
        actions = []

        def workspace_edit(chosen: list[Fix]) -> types.WorkspaceEdit:
            changes: dict[str, list] = {}
            texts = {path: text}
            for fix in chosen:
                for edit in fix.edits:
                    target = uri if edit.path == path else _uri_of(edit.path)
                    source = texts.setdefault(edit.path, fix_module.read_source(edit.path))
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

        wanted = params.context.only
        for fix in fixes:
            if wanted and types.CodeActionKind.QuickFix not in wanted:
                break
            related = [d for d in params.context.diagnostics
                       if d.source == SOURCE and d.code == fix.finding.rule.control
                       and isinstance(d.data, dict) and d.data.get("resource") == fix.finding.resource]
            title = fix.title + ("" if fix.safe else f" (unsafe: {fix.note})")
            actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=related,
                                            edit=workspace_edit([fix]), is_preferred=fix.safe))
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
