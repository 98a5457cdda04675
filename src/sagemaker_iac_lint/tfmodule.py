"""Terraform as Terraform reads it: the module, not the file, is the unit.

- A **module** is every `.tf`, `.tf.json`, `.tofu` and `.tofu.json` file of one directory; a `.tofu`
  file replaces the `.tf` of the same name (OpenTofu), an empty file is nothing. Override files
  (``override.tf``, ``*_override.tf``, and their JSON and `.tofu` forms) are merged last, in lexical
  order: an attribute replaces the original's, a nested block replaces every block of that type.
- **Variable values**, later wins: the default, ``terraform.tfvars``, ``terraform.tfvars.json``,
  ``*.auto.tfvars``/``*.auto.tfvars.json`` in lexical order, then ``--var-file`` and ``--var`` in the
  order given. The flag takes the resolved value. A count from a root variable stays an open input
  (any apply may pass another), unless a ``validation`` block bounds it; values from ``--var-file`` /
  ``--var`` are one named deployment's, and hold for the count too.
- **Module calls** whose ``source`` is a relative path (or that ``terraform init`` recorded in
  ``.terraform/modules/modules.json``) are instances named ``module.NAME.`` (nested calls chain); the
  child's variables are the call's arguments, read in the caller, and a variable the call leaves out
  takes its default, which no apply can change. A directory that no module calls is a root.
- ``count`` and ``for_each`` make instances with Terraform's addresses (``type.name[0]``,
  ``type.name["key"]``, ``module.m["key"].type.name``); ``count.index``, ``each.key`` and
  ``each.value`` resolve. One that cannot be resolved gives one instance, named without an index.
- A file passed alone is judged as part of its module, and through every call that reaches its
  module from the repository (the git work tree, else the current directory).

Only the modules that hold a monitored type, and those whose calls reach one, are read in full: a
directory's files are first looked at as bytes, as the rest of the scan does.

Public API: ``Project`` (``judge_paths``), ``load_tfvars``, ``parse_var_assignment``.
"""

from __future__ import annotations

import os
import re

from . import kinds
from .core import ALWAYS, Subject, Value
from .errors import ReadError
from .hcl import code_chars as _code_chars
from .terraform import (
    NO_DEFAULT,
    Block,
    ParsedFile,
    TfContext,
    Variable,
    collection_items,
    expand,
    monitored_rules,
    parse_tf,
    parse_tf_json,
    strip_parens,
    subject_from_attributes,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

MODULE_SUFFIXES = kinds.MODULE_SUFFIXES
TFVARS_SUFFIXES = kinds.TFVARS_SUFFIXES
TERRAFORM_SUFFIXES = kinds.TERRAFORM_SUFFIXES
SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".hg", ".svn", ".tox", ".nox", "__pycache__"})
MAX_INSTANCES = 64  # count/for_each past this: one instance stands for all, named without an index
MAX_MODULE_DEPTH = 32  # calls inside calls; deeper (or a cycle) is reported, not followed
OVERRIDE_FILE = re.compile(r"(?:^|_)override\.(?:tf|tofu)(?:\.json)?\Z")
_MARKERS = (b"sagemaker_", b"\\")  # every monitored type name holds the first; an escape may spell one
# UTF-16 and UTF-32 (a byte-order mark, or NUL bytes without one) hide the markers from a look at the
# bytes: such a file is read in full, so that it is decoded and judged, or refused, never passed as clean.
_WIDE_TEXT_MARKS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_CALL_MARKERS = (b"module", b"source")
# A call is followed only when its source is a local path that exists (or `terraform init` recorded it);
# a source is a literal string, so it shows in the bytes, unless an escape spells it.
# Led by the literal (no optional quote before it), so the engine skips to each "source" instead of
# trying a match at every byte: the same sources found, 27 ms -> 2 ms over the benchmark's 106 .tf files.
_LOCAL_SOURCE = re.compile(rb'source"?\s*[=:]\s*"(\.\.?(?:/[^"]*)?)"')


def terraform_kind(name: str) -> str:
    """"module" for a module file, "tfvars" for a variable file, "" for anything else."""
    lower = name.lower()
    if lower.endswith(MODULE_SUFFIXES):
        return "module"
    if lower.endswith(TFVARS_SUFFIXES):
        return "tfvars"
    return ""


def _stem(name: str) -> str:
    for suffix in (".tofu.json", ".tf.json", ".tofu", ".tf"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + (".json" if suffix.endswith(".json") else "")
    return name


def module_files(directory: str) -> list[str]:
    """The file names of the module in ``directory``, `.tofu` replacing a same-named `.tf`,
    override files last (each group in lexical order)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    chosen: dict[str, str] = {}
    for name in names:
        # not isfile(): a FIFO or a dangling link among the module's files is read, and so reported
        if not name.endswith(MODULE_SUFFIXES) or os.path.isdir(os.path.join(directory, name)):
            continue
        stem = _stem(name)
        if name.endswith((".tofu", ".tofu.json")) or stem not in chosen:
            chosen[stem] = name
    files = sorted(chosen.values())
    return [n for n in files if not OVERRIDE_FILE.search(n)] + [n for n in files if OVERRIDE_FILE.search(n)]


# ---------------------------------------------------------------------------------------------
# One module: its files merged
# ---------------------------------------------------------------------------------------------


class Module:
    """A directory's module: declarations merged across its files, override files last."""

    __slots__ = ("directory", "files", "variables", "locals", "resources", "calls", "errors")

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.files: list[str] = []
        self.variables: dict[str, dict] = {}
        self.locals: dict = {}
        self.resources: dict[tuple[str, str], Block] = {}
        self.calls: dict[str, Block] = {}
        self.errors: list[tuple[str, str]] = []  # (path, message)

    def merge(self, parsed: ParsedFile, override: bool) -> None:
        for name, body in parsed.variables.items():
            if override and name in self.variables:
                merged = _merged(self.variables[name], body)
                assert isinstance(merged, dict)  # two variable bodies merge into one
                self.variables[name] = merged
            else:
                self.variables.setdefault(name, body)
        self.locals.update(parsed.locals)
        for block in parsed.resources:
            key = (block.type, block.name)
            if override and key in self.resources:
                self.resources[key] = _merged_block(self.resources[key], block)
            else:
                self.resources.setdefault(key, block)
        for block in parsed.modules:
            if override and block.name in self.calls:
                self.calls[block.name] = _merged_block(self.calls[block.name], block)
            else:
                self.calls.setdefault(block.name, block)


def _merged(original: object, override: object) -> object:
    """Terraform's override merge of two block bodies: each attribute, and each nested block type,
    that the override writes replaces the original's."""
    if not isinstance(original, dict) or not isinstance(override, dict):
        return override
    merged = type(original)() if type(original) is not dict else {}
    merged.update(original)
    spans = getattr(merged, "spans", None)
    if spans is not None:  # positions of what the override wrote are in another file: not kept
        spans.update(getattr(original, "spans", {}))
    for key, value in override.items():
        if key == "dynamic" and isinstance(value, list) and isinstance(original.get("dynamic"), list):
            labels = {label for item in value if isinstance(item, dict) for label in item}
            kept = [item for item in original["dynamic"] if not (isinstance(item, dict) and labels & set(item))]
            merged["dynamic"] = kept + value
        else:
            merged[key] = value
        if spans is not None:
            spans.pop(key, None)
        if key != "dynamic" and isinstance(merged.get("dynamic"), list):  # a block replaces its dynamic form too
            merged["dynamic"] = [item for item in merged["dynamic"] if not (isinstance(item, dict) and key in item)]
    return merged


def _merged_block(original: Block, override: Block) -> Block:
    merged = Block(original.type, original.name, _merged(original.body, override.body), original.path,
                   original.line, original.end_line, original.column, original.lines, original.json, original.index,
                   original.comments)
    return merged


# ---------------------------------------------------------------------------------------------
# Variables: tfvars, --var, validation bounds
# ---------------------------------------------------------------------------------------------


def load_tfvars(path: str, text: str | None = None) -> dict:
    """The assignments of a `.tfvars` or `.tfvars.json` file, normalised. Raises ReadError."""
    if text is None:
        text = _read_text(path)
    if not text.strip():
        return {}
    if path.lower().endswith(".json"):
        from .terraform import json_value, load_json

        data = load_json(text)
        if not isinstance(data, dict):
            raise ReadError("a .tfvars.json file must hold an object")
        return {name: json_value(value) for name, value in data.items()}
    from . import hcl

    try:
        body = hcl.parse(text).body
    except hcl.HclError as error:
        raise ReadError(f"invalid HCL: {error}") from None
    except RecursionError:
        raise ReadError("nested too deeply to parse") from None
    return dict(body)


def parse_var_assignment(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` as Terraform's ``-var`` reads it: a plain string (``-var e=1`` is ``"1"``, which
    go-cty converts to true where a bool belongs, not the number 1), except a list or a map, which
    Terraform parses as HCL for a variable of a complex type (the only kind that takes one)."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_][\w-]*", name):
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    from . import hcl

    try:
        value = hcl.parse(f"v = {raw}\n").body.get("v", raw)
    except (hcl.HclError, RecursionError):
        value = raw
    if not isinstance(value, (list, dict)):  # a scalar or an expression: Terraform takes the string itself
        value = raw
    return name, value


_COMPARISON = re.compile(r"var\.([A-Za-z_][\w-]*)\s*(<=|<|==)\s*(-?\d+(?:\.\d+)?)\Z")
_REVERSED = re.compile(r"(-?\d+(?:\.\d+)?)\s*(>=|>|==)\s*var\.([A-Za-z_][\w-]*)\Z")
_CONTAINS = re.compile(r"contains\(\s*\[([^\[\]]*)\]\s*,\s*var\.([A-Za-z_][\w-]*)\s*\)\Z")


def validation_bound(name: str, body: dict) -> float | None:
    """The largest value the variable's ``validation`` blocks allow, or None when they do not bound it.

    Read: ``var.x <= N``, ``var.x < N``, ``var.x == N`` (either way round), ``contains([...], var.x)``,
    and ``&&`` of these; any other condition bounds nothing (it may still hold with a larger value).
    """
    bound: float | None = None
    validations = body.get("validation")
    for validation in validations if isinstance(validations, list) else [validations]:
        condition = validation.get("condition") if isinstance(validation, dict) else None
        if isinstance(condition, bool) or condition is None:
            continue
        for part in _conjuncts(str(condition)):
            found = _part_bound(name, part)
            if found is not None:
                bound = found if bound is None else min(bound, found)
    return bound


_LOWER = re.compile(r"var\.([A-Za-z_][\w-]*)\s*(>=|>|==)\s*(-?\d+(?:\.\d+)?)\Z")
_LOWER_REVERSED = re.compile(r"(-?\d+(?:\.\d+)?)\s*(<=|<|==)\s*var\.([A-Za-z_][\w-]*)\Z")


def validation_floor(name: str, body: dict) -> float | None:
    """The smallest value the variable's ``validation`` blocks allow (SageMaker.4 reads a count at its
    smallest), or None when they do not bound it below: ``var.x >= N``, ``var.x > N``, ``var.x == N``
    (either way round), ``contains([...], var.x)`` and ``&&`` of these."""
    floor: float | None = None
    validations = body.get("validation")
    for validation in validations if isinstance(validations, list) else [validations]:
        condition = validation.get("condition") if isinstance(validation, dict) else None
        if isinstance(condition, bool) or condition is None:
            continue
        for part in _conjuncts(str(condition)):
            found = _part_floor(name, part)
            if found is not None:
                floor = found if floor is None else max(floor, found)
    return floor


def _part_floor(name: str, part: str) -> float | None:
    part = re.sub(r"\s+", " ", part.strip())
    match = _LOWER.match(part)
    if match and match.group(1) == name:
        number = float(match.group(3))
        return number + 1 if match.group(2) == ">" and number.is_integer() else number
    match = _LOWER_REVERSED.match(part)
    if match and match.group(3) == name:
        number = float(match.group(1))
        return number + 1 if match.group(2) == "<" and number.is_integer() else number
    match = _CONTAINS.match(part)
    if match and match.group(2) == name:
        numbers = []
        for item in match.group(1).split(","):
            item = item.strip().strip('"')
            if not item:
                continue
            try:
                numbers.append(float(item))
            except ValueError:
                return None
        return min(numbers) if numbers else None
    return None


def _conjuncts(text: str) -> list[str]:
    text = strip_parens(text)
    parts, start = [], 0
    for i, c, depth in _code_chars(text):
        if depth == 0 and c == "&" and text.startswith("&&", i):
            parts.append(text[start:i])
            start = i + 2
        elif depth == 0 and c == "|" and text.startswith("||", i):
            return []  # a disjunction: each side alone could allow more
    parts.append(text[start:])
    return [strip_parens(part) for part in parts]


def _part_bound(name: str, part: str) -> float | None:
    part = re.sub(r"\s+", " ", part.strip())
    match = _COMPARISON.match(part)
    if match and match.group(1) == name:
        number = float(match.group(3))
        return number - 1 if match.group(2) == "<" and number.is_integer() else number
    match = _REVERSED.match(part)
    if match and match.group(3) == name:
        number = float(match.group(1))
        return number - 1 if match.group(2) == ">" and number.is_integer() else number
    match = _CONTAINS.match(part)
    if match and match.group(2) == name:
        numbers = []
        for item in match.group(1).split(","):
            item = item.strip().strip('"')
            if not item:
                continue
            try:
                numbers.append(float(item))
            except ValueError:
                return None  # a string in the list: not a count's bound
        return max(numbers) if numbers else None
    return None


def _read_text(path: str) -> str:
    from .files import read_regular_file
    from .scan import MAX_BYTES, decode

    try:
        raw = read_regular_file(path, MAX_BYTES)
    except OSError as error:
        raise ReadError(error.strerror or str(error)) from None
    if len(raw) > MAX_BYTES:
        raise ReadError(f"larger than {MAX_BYTES // (1024 * 1024)} MB, not read")
    return decode(raw)


# ---------------------------------------------------------------------------------------------
# The project: modules, calls, instances
# ---------------------------------------------------------------------------------------------


def repository_root(directory: str, scanned: Iterable[str] = ()) -> str:
    """Where to look for the modules that call ``directory``: the git work tree holding it, else the
    current directory when it holds it, else the outermost scanned directory that holds it."""
    current = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    absolute = os.path.abspath(directory)
    holding = [os.getcwd()] + sorted(scanned, key=len)
    for candidate in holding:
        if absolute == candidate or absolute.startswith(candidate.rstrip(os.sep) + os.sep):
            return candidate
    return absolute


class Deployment:
    """Values given on the command line for a root module: ``--var-file`` and ``--var``, in order."""

    __slots__ = ("var_files", "assignments")

    def __init__(self, var_files: Iterable[str] = (), assignments: Iterable[str] = ()) -> None:
        self.var_files = tuple(var_files)
        self.assignments = tuple(assignments)

    def __bool__(self) -> bool:
        return bool(self.var_files or self.assignments)

    def name(self) -> str:
        parts = [f"--var-file {path}" for path in self.var_files] + [f"--var {text}" for text in self.assignments]
        return ", ".join(parts)


class Project:
    """One run's Terraform: modules read once each, the calls between them, and their instances."""

    def __init__(self, deployment: Deployment | None = None,
                 hcl2_problem: Callable[[], str | None] | None = None,
                 parse_cache: dict[str, tuple[bytes, ParsedFile]] | None = None) -> None:
        self.deployment = deployment or Deployment()
        self.hcl2_problem = hcl2_problem
        # path -> (bytes, what they parse to), kept by a caller across projects (the language server,
        # which judges a module again on each edit): a file whose bytes are unchanged is not parsed
        # again. A ParsedFile is not changed once made, so it is shared as it is.
        self.parse_cache = parse_cache
        self.modules: dict[str, Module] = {}
        self.bytes_cache: dict[str, bytes | None] = {}
        self.callers_cache: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self.errors: dict[str, str] = {}  # path -> message, each reported once
        self.explicit_values: list[tuple[str, dict]] | None = None
        # Directories the scan walked in full, and the directories of the module files it found there:
        # a caller search inside them needs no walk of its own (see ``judge_paths``' ``walked``).
        self.walked: tuple[str, ...] = ()
        self.walked_modules: set[str] = set()
        # Per directory, asked by several steps (reaches_monitored, callers, instances): answered once.
        self.files_cache: dict[str, list[str]] = {}
        self.holds_cache: dict[str, bool] = {}
        self.calls_cache: dict[str, bool] = {}

    def module_files(self, directory: str) -> list[str]:
        """``module_files(directory)``, listed once per run."""
        found = self.files_cache.get(directory)
        if found is None:
            found = self.files_cache[directory] = module_files(directory)
        return found

    # -- reading -------------------------------------------------------------------------------

    def _bytes(self, path: str) -> bytes | None:
        if path not in self.bytes_cache:
            from .files import read_regular_file
            from .scan import MAX_BYTES

            try:
                raw = read_regular_file(path, MAX_BYTES)
                if len(raw) > MAX_BYTES:
                    raise OSError(0, f"larger than {MAX_BYTES // (1024 * 1024)} MB, not read")
                self.bytes_cache[path] = raw
            except OSError as error:
                self.errors.setdefault(path, error.strerror or str(error))
                self.bytes_cache[path] = None
        return self.bytes_cache[path]

    def holds_monitored_type(self, directory: str) -> bool:
        """Whether any file of the module may hold a monitored type (a look at the bytes)."""
        found = self.holds_cache.get(directory)
        if found is None:
            found = self.holds_cache[directory] = self._holds_monitored_type(directory)
        return found

    def _holds_monitored_type(self, directory: str) -> bool:
        from .scan import mentions_monitored_type

        for name in self.module_files(directory):
            raw = self._bytes(os.path.join(directory, name))
            if raw and (raw.startswith(_WIDE_TEXT_MARKS) or b"\x00" in raw):
                return True
            if raw and any(marker in raw for marker in _MARKERS):
                try:
                    if mentions_monitored_type(raw.decode("utf-8", "replace")):
                        return True
                except Exception:  # noqa: BLE001 - a file we cannot decode is read (and reported) in full
                    return True
        return False

    def may_call(self, directory: str) -> bool:
        """Whether the module may call a module on disk: a look at the bytes, so that a module with no
        monitored type and no local call is never parsed (and its errors, if any, are not ours)."""
        found = self.calls_cache.get(directory)
        if found is None:
            found = self.calls_cache[directory] = self._may_call(directory)
        return found

    def _may_call(self, directory: str) -> bool:
        files = self.module_files(directory)
        if not files:
            return False
        recorded = os.path.isfile(os.path.join(directory, ".terraform", "modules", "modules.json"))
        for name in files:
            raw = self._bytes(os.path.join(directory, name))
            if not raw or not all(marker in raw for marker in _CALL_MARKERS):
                continue
            if recorded or b"\\" in raw:
                return True
            for source in _LOCAL_SOURCE.findall(raw):
                if os.path.isdir(os.path.join(directory, source.decode("utf-8", "replace"))):
                    return True
        return False

    def module(self, directory: str) -> Module:
        directory = os.path.normpath(directory)
        found = self.modules.get(directory)
        if found is not None:
            return found
        module = self.modules[directory] = Module(directory)
        for name in self.module_files(directory):
            path = os.path.join(directory, name)
            raw = self._bytes(path)
            if raw is None:
                module.errors.append((path, self.errors.get(path, "cannot be read")))
                continue
            try:
                from .scan import decode

                text = decode(raw)
                if not text.strip():
                    continue  # Terraform reads an empty file as no declarations
                cached = self.parse_cache.get(path) if self.parse_cache is not None else None
                if cached is not None and cached[0] == raw:
                    parsed = cached[1]
                else:
                    parsed = parse_tf_json(text, path) if name.endswith(".json") else parse_tf(text, path, self.hcl2_problem)
                    if self.parse_cache is not None:
                        self.parse_cache[path] = (raw, parsed)
            except ReadError as error:
                module.errors.append((path, str(error)))
                self.errors.setdefault(path, str(error))
                continue
            module.files.append(path)
            module.merge(parsed, bool(OVERRIDE_FILE.search(name)))
        return module

    # -- calls ---------------------------------------------------------------------------------

    def call_target(self, module: Module, call: Block, root_directory: str | None, key: str) -> str | None:
        """The directory a module call reads, or None when it is not on disk."""
        source = call.body.get("source") if isinstance(call.body, dict) else None
        if isinstance(source, str) and source.startswith(("./", "../")) or source in (".", ".."):
            return os.path.normpath(os.path.join(module.directory, str(source)))
        if root_directory is not None:
            recorded = self._recorded_modules(root_directory).get(key)
            if recorded:
                return recorded
        return None

    def _recorded_modules(self, root: str) -> dict[str, str]:
        """``terraform init``'s record of fetched modules: call key (``a.b``) -> directory."""
        cache_key = "modules.json:" + root
        if cache_key in self.callers_cache:
            return self.callers_cache[cache_key]  # type: ignore[return-value]
        found: dict[str, str] = {}
        path = os.path.join(root, ".terraform", "modules", "modules.json")
        raw = self._bytes(path) if os.path.isfile(path) else None
        if raw:
            import json

            try:
                data = json.loads(raw.decode("utf-8", "replace"))
            except ValueError:
                data = {}
            for entry in data.get("Modules") or [] if isinstance(data, dict) else []:
                if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
                    found[str(entry["Key"])] = os.path.normpath(os.path.join(root, entry["Dir"]))
        self.callers_cache[cache_key] = found  # type: ignore[assignment]
        return found

    def callers(self, repository: str) -> dict[str, list[tuple[str, str]]]:
        """Every local module call in the repository: called directory -> [(caller directory, call name)]."""
        if repository in self.callers_cache:
            return self.callers_cache[repository]
        edges: dict[str, list[tuple[str, str]]] = {}
        for root in self._module_directories(repository):
            if not self.may_call(root):
                continue
            module = self.module(root)
            for name, call in module.calls.items():
                target = self.call_target(module, call, root, name)
                if target is not None and target != os.path.normpath(root):
                    edges.setdefault(target, []).append((os.path.normpath(root), name))
        self.callers_cache[repository] = edges
        return edges

    def _module_directories(self, repository: str) -> Iterable[str]:
        """Every directory under ``repository`` that holds a module file, parents first. Inside a
        directory the scan walked, its walk already found them: walking again cost as much as the
        scan's own walk (and reading every module found in it) on a repository of 400 files."""
        inside = repository.rstrip(os.sep) + os.sep
        if any(repository == top or repository.startswith(top.rstrip(os.sep) + os.sep) for top in self.walked):
            return sorted(d for d in self.walked_modules if d == repository or d.startswith(inside))
        return self._walk_modules(repository)

    @staticmethod
    def _walk_modules(repository: str) -> Iterator[str]:
        for root, dirs, files in os.walk(repository):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            if any(name.endswith(MODULE_SUFFIXES) for name in files):
                yield root

    def roots_reaching(self, directory: str, repository: str) -> set[str]:
        """The root modules (called by nothing) whose calls reach ``directory``; itself if none."""
        edges = self.callers(repository)
        roots: set[str] = set()
        seen = {directory}
        pending = [directory]
        while pending:
            current = pending.pop()
            callers = edges.get(current, [])
            if not callers:
                roots.add(current)
            for caller, _ in callers:
                if caller not in seen:
                    seen.add(caller)
                    pending.append(caller)
        if not roots:  # every caller is itself called: a cycle, which Terraform rejects; judge it alone
            roots.add(directory)
        return roots

    def reaches_monitored(self, directory: str, depth: int = 0, seen: set | None = None) -> bool:
        """Whether the module, or a module it calls (locally), may hold a monitored type."""
        if self.holds_monitored_type(directory):
            return True
        seen = seen if seen is not None else set()
        if directory in seen or depth > MAX_MODULE_DEPTH or not self.may_call(directory):
            return False
        seen.add(directory)
        module = self.module(directory)
        for name, call in module.calls.items():
            target = self.call_target(module, call, directory, name)
            if target is not None and self.reaches_monitored(target, depth + 1, seen):
                return True
        return False

    # -- instances -----------------------------------------------------------------------------

    def root_variables(self, module: Module, context: TfContext) -> dict[str, Variable]:
        """A root module's variables: default, then the auto-loaded files, then this run's values."""
        sources: list[tuple[str, dict]] = []
        directory = module.directory
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            names = []
        auto = ["terraform.tfvars", "terraform.tfvars.json"]
        auto += [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
        for name in auto:
            path = os.path.join(directory, name)
            if name in names and os.path.isfile(path):
                try:
                    sources.append((name, load_tfvars(path)))
                except ReadError as error:
                    self.errors.setdefault(path, str(error))
        explicit = self._explicit_values()
        variables: dict[str, Variable] = {}
        for name, body in module.variables.items():
            body = body if isinstance(body, dict) else {}
            default = body.get("default", NO_DEFAULT)
            variable = Variable(name, default, context, "", False, validation_bound(name, body),
                                validation_floor(name, body))
            for source, values in sources:
                if name in values:
                    variable.node, variable.origin = values[name], f"variable `{name}` set in {source}"
            for source, values in explicit:
                if name in values:
                    variable.node, variable.origin, variable.fixed = values[name], f"variable `{name}` set by {source}", True
            variables[name] = variable
        return variables

    def _explicit_values(self) -> list[tuple[str, dict]]:
        if self.explicit_values is None:
            values: list[tuple[str, dict]] = []
            for path in self.deployment.var_files:
                try:
                    values.append((f"--var-file {path}", load_tfvars(path)))
                except ReadError as error:
                    self.errors.setdefault(path, str(error))
            for text in self.deployment.assignments:
                try:
                    name, value = parse_var_assignment(text)
                except ValueError as error:
                    self.errors.setdefault(f"--var {text}", str(error))
                    continue
                values.append((f"--var {name}", {name: value}))
            self.explicit_values = values
        return self.explicit_values

    def instances(self, directory: str) -> list[tuple[Block, Subject, tuple[str, ...]]]:
        """Every monitored resource instance of the root module in ``directory``, its calls followed:
        (block, subject, the directories of the call chain)."""
        module = self.module(directory)
        context = TfContext(module=True)
        context.locals = module.locals
        context.variables = self.root_variables(module, context)
        out: list[tuple[Block, Subject, tuple[str, ...]]] = []
        self._instances(module, context, "", (module.directory,), directory, "", out)
        return out

    def _instances(self, module: Module, context: TfContext, prefix: str, chain: tuple[str, ...], root: str,
                   key: str, out: list) -> None:
        for block in module.resources.values():
            rules = monitored_rules(block.type)
            if not rules:
                continue
            for address, instance in _expansions(block, context, f"{prefix}{block.type}.{block.name}"):
                for rule in rules:
                    try:
                        subject = subject_from_attributes(rule, address, block.type, block.body, block.line, instance,
                                                          block.end_line, block.column, block)
                    except RecursionError:
                        raise ReadError("nested too deeply to read") from None
                    if self.deployment and chain[0] == root:
                        _name_deployment(subject, self.deployment.name())
                    out.append((block, subject, chain))
        if len(chain) > MAX_MODULE_DEPTH:
            return
        for name, call in module.calls.items():
            call_key = f"{key}.{name}" if key else name
            target = self.call_target(module, call, root, call_key)
            if target is None or target in chain or not self.reaches_monitored(target):
                continue
            child = self.module(target)
            for address, instance in _expansions(call, context, f"{prefix}module.{name}"):
                child_context = TfContext(module=True)
                child_context.locals = child.locals
                arguments = call.body if isinstance(call.body, dict) else {}
                variables = {}
                for variable_name, body in child.variables.items():
                    body = body if isinstance(body, dict) else {}
                    if variable_name in arguments:
                        variables[variable_name] = Variable(
                            variable_name, arguments[variable_name], instance,
                            f"argument `{variable_name}` of `{address}`", True)
                    else:
                        variables[variable_name] = Variable(variable_name, body.get("default", NO_DEFAULT), child_context,
                                                            "", True)
                child_context.variables = variables
                self._instances(child, child_context, address + ".", chain + (child.directory,), root, call_key, out)


def _name_deployment(subject: Subject, name: str) -> None:
    """The deployment a finding was judged for: in its own field, and in the message, as CloudFormation's."""
    subject.deployment = name
    subject.notes.append(f"deployment `{name}`")


def _expansions(block: Block, context: TfContext, address: str) -> list[tuple[str, TfContext]]:
    """The instances ``count`` or ``for_each`` make of a block: (address, context with the iterator)."""
    body = block.body if isinstance(block.body, dict) else {}
    if "count" in body and body["count"] is not None:
        numbers = _meta_values(body["count"], context)
        counts = [n for n in numbers if isinstance(n, int) and not isinstance(n, bool)]
        if numbers and len(counts) == len(numbers):
            total = max(counts)
            if total <= 0:
                return []
            if total <= MAX_INSTANCES:
                return [(f"{address}[{i}]", context.bind("count", {"index": i})) for i in range(total)]
        return [(address, context.bind("count", {}))]  # count.index unknown: one instance for all
    if "for_each" in body and body["for_each"] is not None:
        collections = _meta_values(body["for_each"], context)
        # a collection from a root's input: its values are what this run sees, not what every apply
        # must use, so a count read from `each.value` stays open
        open_input = next((item for _, item, _ in expand(body["for_each"], "count", context, ALWAYS, "")
                           if isinstance(item, Value)), None)
        if len(collections) == 1:
            items = collection_items(collections[0])
            if items is not None:
                if isinstance(collections[0], list):  # a set: the key is the element
                    items = [(value, value) for _, value in items]
                if len(items) <= MAX_INSTANCES and all(isinstance(k, (str, int, float)) for k, _ in items):
                    out = []
                    for k, v in items:
                        each: dict = {"key": k, "value": v}
                        if open_input is not None:
                            each["open"] = open_input.origin
                        out.append((f"{address}[{_key_text(k)}]", context.bind("each", each)))
                    return out
        return [(address, context.bind("each", {}))]
    return [(address, context)]


def instance_context(block: Block, context: TfContext, address: str) -> TfContext:
    """The context (``count.index``, ``each.key``/``each.value``) of one instance of ``block``, named by
    its full address (``type.name["key"]``, as Checkov names it); the block's own context when no
    expansion has that address."""
    written = f"{block.type}.{block.name}"
    for candidate, instance in _expansions(block, context, written):
        if candidate == address:
            return instance
    return context


def _meta_values(node: object, context: TfContext) -> list:
    """The literal values a meta-argument may take; [] when any is unknown."""
    values = []
    for _, item, _ in expand(node, "meta", context, ALWAYS, ""):
        if isinstance(item, Value):
            return []
        if isinstance(item, str) and item.strip().isascii() and item.strip().isdigit():
            item = int(item.strip())
        elif isinstance(item, float) and item.is_integer():
            item = int(item)
        values.append(item)
    return values


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(key)


# ---------------------------------------------------------------------------------------------
# The scan's entry point
# ---------------------------------------------------------------------------------------------


def judge_paths(paths: Iterable[str], deployment: Deployment | None = None,
                hcl2_problem: Callable[[], str | None] | None = None,
                project: Project | None = None,
                walked: Iterable[str] = ()) -> tuple[list[tuple[str, Subject]], list[tuple[str, str]]]:
    """The subjects of every module that the given Terraform files belong to, each in the file that
    declares it, and (path, message) for every file that could not be read.

    ``paths``: module files and variable files, found by the walk or named on the command line.
    A subject is kept when its module, or a module on its call chain, is one the paths belong to.
    ``walked``: directories the scan walked in full (no file left out), whose every Terraform file is
    among ``paths``, so that the modules calling a path's module are looked for among those files.
    """
    project = project or Project(deployment, hcl2_problem)  # a given project: its files' bytes may be unsaved buffers
    targets: dict[str, None] = {}
    for path in paths:
        directory = os.path.normpath(os.path.dirname(os.path.abspath(path)))
        targets.setdefault(directory, None)
        if path.endswith(MODULE_SUFFIXES):
            project.walked_modules.add(directory)
    project.walked = tuple(os.path.normpath(os.path.abspath(top)) for top in walked)
    roots: dict[str, None] = {}
    for directory in targets:
        if not project.reaches_monitored(directory):
            continue
        for root in sorted(project.roots_reaching(directory, repository_root(directory, targets))):
            roots.setdefault(root, None)
    subjects: list[tuple[str, Subject]] = []
    seen: set[tuple] = set()
    for root in roots:
        for block, subject, chain in project.instances(root):
            if not any(directory in targets for directory in chain):
                continue
            key = (block.path, subject.name, subject.line, subject.rule.number)
            if key in seen:
                continue
            seen.add(key)
            subjects.append((block.path, subject))
    errors = []
    for module in project.modules.values():
        if module.directory in targets or any(module.directory == r for r in roots):
            errors.extend(module.errors)
    reported = {path for path, _ in errors}
    for path, message in project.errors.items():
        if path not in reported and (path.startswith("--var") or os.path.dirname(os.path.abspath(path)) in targets
                                     or path in project.deployment.var_files):
            errors.append((path, message))
    return subjects, errors
