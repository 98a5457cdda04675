"""A Terraform module of one file, the text read from standard input (see ``stdin``)."""

from __future__ import annotations

import os

from .errors import ReadError
from .tfmodule import OVERRIDE_FILE, Deployment, Module, Project, parse_tf, parse_tf_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class OneFileProject(Project):
    """A project in which the directory of ``path`` holds one module file, ``text``: its other files
    on disk are not read, and it is a root module (no caller is looked for). Everything else (the
    directory's auto-loaded tfvars, the ``--var-file`` files, the modules it calls) is read from disk."""

    def __init__(self, path: str, text: str, deployment: Deployment,
                 hcl2_problem: Callable[[], str | None] | None = None) -> None:
        super().__init__(deployment, hcl2_problem)
        self.stdin_path = path
        self.stdin_text = text
        self.stdin_directory = os.path.normpath(os.path.dirname(path))
        self.stdin_bytes = text.encode("utf-8", "surrogatepass")

    def _mine(self, directory: str) -> bool:
        return os.path.normpath(directory) == self.stdin_directory

    def holds_monitored_type(self, directory: str) -> bool:
        if not self._mine(directory):
            return super().holds_monitored_type(directory)
        from .scan import mentions_monitored_type

        return mentions_monitored_type(self.stdin_text)

    def may_call(self, directory: str) -> bool:
        if not self._mine(directory):
            return super().may_call(directory)
        return b"module" in self.stdin_bytes and b"source" in self.stdin_bytes

    def roots_reaching(self, directory: str, repository: str) -> set[str]:
        if self._mine(directory):
            return {self.stdin_directory}
        return super().roots_reaching(directory, repository)

    def module(self, directory: str) -> Module:
        if not self._mine(directory):
            return super().module(directory)
        directory = os.path.normpath(directory)
        found = self.modules.get(directory)
        if found is not None:
            return found
        module = self.modules[directory] = Module(directory)
        path = self.stdin_path
        try:
            if path.lower().endswith(".json"):
                parsed = parse_tf_json(self.stdin_text, path)
            else:
                parsed = parse_tf(self.stdin_text, path, self.hcl2_problem)
        except ReadError as error:
            module.errors.append((path, str(error)))
            return module
        module.files.append(path)
        module.merge(parsed, bool(OVERRIDE_FILE.search(os.path.basename(path))))
        return module
