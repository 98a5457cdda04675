"""Finding files, reading each one safely, and turning verdicts into findings.

This module owns the CLI's pass over the file system: which files are candidates, the text
pre-scan that lets a file without a monitored type go unparsed, the dispatch to the right reader,
suppressions, and the one-line error for anything that cannot be read. Readers are imported
lazily so a scan that parses nothing pays for nothing.
"""

from __future__ import annotations

import os
import re

from . import kinds
from .errors import ReadError
from .files import not_a_regular_file, read_regular_file
from .records import FrozenRecord, Record
from .rules import NONEXISTENT_TF_TYPES, RULES, Rule, find_rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # the core is imported when a file is judged: most runs judge nothing
    from collections.abc import Iterable, Iterator
    from types import ModuleType
    from typing import Final

    from .cfn import Deployment
    from .core import Subject, Verdict

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".hg", ".svn", ".tox", ".nox", "__pycache__"})
MAX_BYTES = 64 * 1024 * 1024  # far above CloudFormation's 1 MB limit; a bound on memory, not a guess at size

TYPE_NAMES: tuple[str, ...] = tuple(
    sorted({t for rule in RULES for t in rule.cfn_types + rule.tf_types} | set(NONEXISTENT_TF_TYPES))
)
# Escapes that could spell a type name without writing it: JSON/YAML \u, \U, \x, and a
# double-quoted YAML line continuation. Compiled when a file first needs it (_escape).
_ESCAPE_PATTERN = r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|\r?\n[ \t]*)"
_ESCAPES: dict[type, re.Pattern] = {}
# Every type name contains one of these, so a file with neither (and no escape) needs no closer look.
_MARKERS: tuple[str, ...] = tuple(
    marker for marker in ("SageMaker::", "sagemaker_") if any(marker in name for name in TYPE_NAMES)
)
if not all(any(marker in name for marker in _MARKERS) for name in TYPE_NAMES):  # a new kind of type name
    _MARKERS = TYPE_NAMES
_BYTE_MARKERS: tuple[bytes, ...] = tuple(marker.encode("ascii") for marker in _MARKERS)
_BYTE_NAMES: tuple[bytes, ...] = tuple(name.encode("ascii") for name in TYPE_NAMES)
# What str.strip() removes from ASCII text, for deciding "empty" without decoding.
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


class Finding(FrozenRecord):
    __slots__ = ("rule", "path", "line", "column", "resource", "resource_type", "message", "deployment", "construct_path")
    rule: Final[Rule]
    path: Final[str]
    line: Final[int]
    column: Final[int]
    resource: Final[str]
    resource_type: Final[str]
    message: Final[str]
    deployment: Final[str]
    construct_path: Final[str]

    def __init__(self, rule: Rule, path: str, line: int, column: int, resource: str, resource_type: str, message: str,
                 deployment: str = "", construct_path: str = "") -> None:
        self.rule = rule
        self.path = path
        self.line = line
        self.column = column
        self.resource = resource
        self.resource_type = resource_type
        self.message = message
        self.deployment = deployment
        self.construct_path = construct_path

    @property
    def severity(self) -> str:
        return self.rule.severity


class FileError(FrozenRecord):
    __slots__ = ("path", "message")
    path: Final[str]
    message: Final[str]

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message


class Options(Record):
    __slots__ = ("strict", "select", "ignore", "exclude", "var_files", "variables", "deployments", "jobs")
    strict: bool
    select: frozenset[str] | None
    ignore: frozenset[str]
    exclude: tuple[str, ...]
    var_files: tuple[str, ...]
    variables: tuple[str, ...]
    deployments: list[Deployment] | None
    jobs: int

    def __init__(
        self,
        strict: bool = False,
        select: frozenset[str] | None = None,  # controls to report; None means all
        ignore: frozenset[str] = frozenset(),
        exclude: tuple[str, ...] = (),
        var_files: tuple[str, ...] = (),  # Terraform: --var-file, in order (one named deployment)
        variables: tuple[str, ...] = (),  # Terraform: --var NAME=VALUE, in order
        deployments: list[Deployment] | None = None,  # cfn.Deployment: judge each CloudFormation template as these
        jobs: int = 1,  # processes for the files judged one by one; 0: the cores, when there are files enough
    ) -> None:
        self.deployments = deployments
        self.jobs = jobs
        self.strict = strict
        self.select = select
        self.ignore = ignore
        self.exclude = exclude
        self.var_files = var_files
        self.variables = variables


class Report(Record):
    __slots__ = ("findings", "errors", "files_scanned", "paths", "baselined", "sources")
    findings: list[Finding]
    errors: list[FileError]
    files_scanned: int
    paths: list[str]
    baselined: int | None
    sources: dict[str, str]

    def __init__(self, findings: list[Finding], errors: list[FileError], files_scanned: int = 0,
                 paths: list[str] | None = None, baselined: int | None = None) -> None:
        self.findings = findings
        self.errors = errors
        self.files_scanned = files_scanned
        self.paths = paths if paths is not None else []  # every file scanned, as shown, in scan order
        self.baselined = baselined  # findings a --baseline hid; None: no baseline given
        self.sources: dict[str, str] = {}  # path as shown -> the text judged, where it is not the file's (stdin)


def _escape(kind: type = str) -> re.Pattern:
    """The escape pattern, for ``str`` or ``bytes`` text."""
    pattern = _ESCAPES.get(kind)
    if pattern is None:
        source = _ESCAPE_PATTERN if kind is str else _ESCAPE_PATTERN.encode("ascii")
        pattern = _ESCAPES[kind] = re.compile(source)
    return pattern


def is_candidate(name: str) -> bool:
    return kinds.is_candidate(name)


def excluded(path: str, exclude: tuple[str, ...]) -> bool:
    """True when the path, its name, or any folder above it matches a glob (``examples/*``, ``*.json``)."""
    if not exclude:
        return False
    import fnmatch

    normalised = os.path.normpath(path).replace(os.sep, "/")
    parts = normalised.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
    for pattern in exclude:
        pattern = pattern.rstrip("/") if pattern.endswith("/") and len(pattern) > 1 else pattern
        if fnmatch.fnmatch(normalised, pattern) or fnmatch.fnmatch(parts[-1], pattern):
            return True
        if fnmatch.fnmatch(normalised + "/", pattern):
            return True
        if any(fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix + "/", pattern) for prefix in prefixes):
            return True
    return False


def iter_files(paths: Iterable[str], exclude: tuple[str, ...] = ()) -> Iterator[tuple[str, str | None]]:
    """Yield (path, problem) for every candidate file; problem is set when the path itself is bad.

    Files named explicitly are always read; directories are walked without following symlinked
    directories, so a symlink loop cannot make the walk endless.
    """
    for path in paths:
        if os.path.isdir(path):
            unreadable: list[OSError] = []  # a directory the walk cannot list is an error, not skipped
            for root, dirs, files in os.walk(path, onerror=unreadable.append):
                while unreadable:
                    yield _walk_problem(unreadable.pop(0), path)
                if exclude:
                    dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not excluded(os.path.join(root, d), exclude))
                else:
                    dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for name in sorted(files):
                    if kinds.is_candidate(name):
                        full = os.path.join(root, name)
                        if not exclude or not excluded(full, exclude):
                            yield full, None
            while unreadable:
                yield _walk_problem(unreadable.pop(0), path)
        else:
            try:
                os.lstat(path)
            except FileNotFoundError:
                yield path, "no such file or directory"
                continue
            except OSError as error:  # a folder on the way that we may not search: say so, not "missing"
                yield path, error.strerror or str(error)
                continue
            if not excluded(path, exclude):
                yield path, None


def _walk_problem(error: OSError, top: str) -> tuple[str, str]:
    return (error.filename if isinstance(error.filename, str) else top), \
        f"cannot read directory: {error.strerror or error}"


def decode(raw: bytes) -> str:
    """Text of a file, or ReadError for binary and non-UTF-8 content."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")):
        # UTF-32's little-endian mark starts with UTF-16's: look for it first
        encoding = "utf-32" if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "utf-16"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ReadError(f"not valid {encoding.upper()} text") from None
        if "\x00" in text:
            raise ReadError("binary file (contains NUL characters), not a template")
        return text
    if b"\x00" in raw:
        raise ReadError("binary file (contains NUL bytes), not a template")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReadError(f"not UTF-8 text (invalid byte at offset {error.start})") from None


def _names_in_bytes(raw: bytes) -> bool:
    """Whether an ASCII file's bytes hold a monitored type name as written (escapes aside).

    Every name holds one of the markers, so a file with none (nearly all) costs a scan per marker,
    and only a file with a marker is searched for each name, on its bytes: it is not decoded first
    and searched for the markers again as text, as it was. With ``isascii`` and the NUL check that
    is four C-level scans of a file that names no type, 1.07 ms/MB (1.10 before; the 7,407 non-.tf
    files, 93 MB, of bench/run.py's 10k tree, least of 5, bytes in memory). One compiled ``re``
    alternation of every name and escape, a single pass, was 10.1 ms/MB: ``re`` tries the
    alternatives byte by byte, it has no multi-pattern search like ripgrep's, so it is not used.
    """
    for marker in _BYTE_MARKERS:
        if marker in raw:
            return any(name in raw for name in _BYTE_NAMES)
    return False


def mentions_monitored_type(text: str) -> bool:
    """The pre-scan: False only when no monitored type name can be in the file.

    A type spelled with escapes is found after the escapes are undone, so the pre-scan never skips
    a file that a full parse would flag.
    """
    if any(marker in text for marker in _MARKERS) and any(name in text for name in TYPE_NAMES):
        return True
    # JSON's "\n" and the like cannot spell a name: only undo escapes when there is one that can.
    if "\\" not in text or _escape().search(text) is None:
        return False

    def undo(match: re.Match) -> str:
        escape = match.group(0)
        if escape[1] in "\r\n":
            return ""
        try:
            return chr(int(escape[2:], 16))
        except ValueError:
            return escape

    unescaped = _escape().sub(undo, text)
    return any(name in unescaped for name in TYPE_NAMES)


def _read_bytes(path: str) -> bytes:
    """The file's bytes, or its first MAX_BYTES + 1 when it holds more; only a regular file is
    read (``files``). Raises OSError."""
    return read_regular_file(path, MAX_BYTES)


def read_file(path: str, deployments: list | None = None) -> list[Subject]:
    """Subjects of one file; [] when it cannot hold a monitored resource. Raises ReadError."""
    try:
        raw = _read_bytes(path)
    except IsADirectoryError:
        raise ReadError("is a directory, expected a file") from None
    except OSError as error:
        raise ReadError(error.strerror or str(error)) from None
    if len(raw) > MAX_BYTES:
        raise ReadError(f"larger than {MAX_BYTES // (1024 * 1024)} MB, not read")
    if raw.isascii():
        # Most files: the same checks as decode() and the pre-scan, on the bytes, without decoding
        if b"\x00" in raw:
            raise ReadError("binary file (contains NUL bytes), not a template")
        # (strip() copies the file: ask it only of a file that starts with a space)
        if not raw or (raw[0] in _ASCII_SPACE and not raw.strip(_ASCII_SPACE)):
            raise ReadError("empty file")
        if not _names_in_bytes(raw):
            # what mentions_monitored_type would say, without decoding: no escape, no type name
            if b"\\" not in raw or _escape(bytes).search(raw) is None:
                return []
            if not mentions_monitored_type(raw.decode("ascii")):
                return []
        return parse_text(path, raw.decode("ascii"), deployments)
    text = decode(raw)
    if not text or text.isspace():
        raise ReadError("empty file")
    if not mentions_monitored_type(text):
        return []
    return parse_text(path, text, deployments)


# Inside scan(), the answer of terraform.hcl2_problem(), which reads the installed distributions'
# file lists (tens of milliseconds): asked once per scan, not once per .tf file. None outside a scan.
_scan_hcl2_problem: list[str | None] | None = None


def _hcl2_problem(terraform: ModuleType) -> str | None:
    if _scan_hcl2_problem is None:
        return terraform.hcl2_problem()
    if not _scan_hcl2_problem:
        _scan_hcl2_problem.append(terraform.hcl2_problem())
    return _scan_hcl2_problem[0]


def parse_text(path: str, text: str, deployments: list | None = None) -> list[Subject]:
    kind = kinds.kind_of(path)
    if kind == kinds.TERRAFORM_JSON:
        from . import terraform

        return terraform.read_tf_json(text, path)
    if kind == kinds.TERRAFORM:
        from . import terraform

        return terraform.read_tf(text, path, lambda: _hcl2_problem(terraform))
    from . import cfn

    is_json = path.lower().endswith(kinds.JSON_SUFFIXES) or text.lstrip().startswith("{")
    data = cfn.load_template(text, is_json=is_json)
    if is_json and isinstance(data, dict) and "Resources" not in data:
        from . import terraform

        if terraform.is_plan(data):
            return terraform.read_plan(text, path, data=data)
        if "resource" in data:  # Terraform JSON syntax under a plain .json name
            return terraform.read_tf_json(text, path)
    return cfn.read_deployments(path, data, deployments)


def _selected(rule: Rule, options: Options) -> bool:
    # a configuration diagnostic (a type Terraform rejects) stands whatever controls are selected, unless ignored
    if options.select is not None and rule.control not in options.select and not rule.code:
        return False
    return rule.control not in options.ignore


def suppression_reason(subject: Subject) -> str | None:
    """The reason given for suppressing this subject's rule; "" when suppressed without one."""
    for name, reason in subject.suppressions.items():
        rule = find_rule(name)
        if rule is not None and rule.control == subject.rule.control:
            return reason
    return None


def reported_message(subject: Subject, verdict: Verdict) -> str | None:
    """A failing verdict's message as reported, or None when a suppression that gives a reason hides it.
    A suppression without a reason is not applied, and the message says so."""
    reason = suppression_reason(subject)
    if reason:
        return None
    if reason == "":
        return verdict.message + " (A suppression for this rule is present but gives no reason, so it is not applied.)"
    return verdict.message


def findings_for(path: str, subjects: list[Subject], options: Options) -> list[Finding]:
    from .core import judge

    findings = []
    for subject in subjects:
        if not _selected(subject.rule, options):
            continue
        verdict = judge(subject, strict=options.strict)
        message = reported_message(subject, verdict) if verdict is not None else None
        if verdict is None or message is None:
            continue
        findings.append(
            Finding(
                rule=subject.rule,
                path=path,
                line=verdict.line,
                column=verdict.column,
                resource=subject.name,
                resource_type=subject.resource_type,
                message=message,
                deployment=subject.deployment,
                construct_path=subject.construct_path,
            )
        )
    return findings


def scan(paths: Iterable[str], options: Options) -> Report:
    global _scan_hcl2_problem
    _scan_hcl2_problem = []
    try:
        return _scan(paths, options)
    finally:
        _scan_hcl2_problem = None


def _scan(paths: Iterable[str], options: Options) -> Report:
    findings: list[Finding] = []
    errors: list[FileError] = []
    scanned = 0
    terraform_files: list[tuple[str, str]] = []
    scanned_paths: list[str] = []
    # a file named twice (`d d/t.yaml ./d/../d/t.yaml`, through a symbolic or a hard link) is scanned
    # once, as first named: known by its device and inode, or by its absolute path where it has none
    seen_files: set[object] = set()
    paths = list(paths)
    # One path named: the walk yields each file once (it follows no symlinked folder), so there is
    # nothing to dedupe and no stat to take per file (about 2 ms per 400 files, measured).
    dedupe = len(paths) > 1
    # Walk first, in order: each entry is a walk problem (a FileError), a Terraform file (judged
    # with its module, below) or the index of a file judged on its own, in `singles`.
    entries: list[FileError | int] = []
    singles: list[tuple[str, str]] = []
    for path, problem in iter_files(paths, options.exclude):
        shown = path[2:] if path.startswith("./") else path
        if dedupe:
            try:
                status = os.stat(path)
                identity: object = (status.st_dev, status.st_ino)
            except OSError:
                identity = os.path.abspath(path)
            if identity in seen_files:
                continue
            seen_files.add(identity)
        if problem:
            entries.append(FileError(shown, problem))
            continue
        scanned += 1
        scanned_paths.append(shown)
        if path.lower().endswith(kinds.TERRAFORM_SUFFIXES) and not os.path.isdir(path):
            problem = not_a_regular_file(path)
            if problem:
                entries.append(FileError(shown, problem))
            else:
                terraform_files.append((path, shown))  # judged as modules, below
            continue
        entries.append(len(singles))
        singles.append((path, shown))
    workers = worker_count(options.jobs, len(singles))
    if workers > 1:
        from . import parallel

        def meanwhile() -> None:
            if terraform_files:
                _scan_terraform(terraform_files, options, findings, errors)

        results = parallel.scan_files(singles, options, workers, meanwhile)
        terraform_files = []  # judged by the parent while the workers read the other files
        terraform_errors, errors = errors, []
    else:
        results = None
        terraform_errors = []
    for entry in entries:
        if isinstance(entry, FileError):
            errors.append(entry)
            continue
        found, error = results[entry] if results is not None else scan_one(*singles[entry], options)
        findings.extend(found)
        if error is not None:
            errors.append(error)
    errors.extend(terraform_errors)
    if terraform_files:
        # the folders walked in full: tfmodule looks for a module's callers among their files, unwalked
        walked = () if options.exclude else tuple(path for path in paths if os.path.isdir(path))
        _scan_terraform(terraform_files, options, findings, errors, walked)
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule.number))
    first_errors: dict[str, FileError] = {}
    for file_error in errors:
        first_errors.setdefault(file_error.path, file_error)  # one line per file: its first error
    errors = list(first_errors.values())
    return Report(findings, errors, scanned, scanned_paths)


def scan_one(path: str, shown: str, options: Options) -> tuple[list[Finding], FileError | None]:
    """The findings of one file judged on its own (not Terraform), or its one error."""
    try:
        subjects = read_file(path, options.deployments)
    except ReadError as error:
        return [], FileError(shown, str(error))
    except RecursionError:
        return [], FileError(shown, "nesting too deep to read")
    except MemoryError:
        return [], FileError(shown, "too large to read in memory")
    except Exception as error:  # noqa: BLE001 - a reader bug must not hide the other files' results
        return [], FileError(shown, internal_error("reading", error))
    if not subjects:
        return [], None
    try:
        return findings_for(shown, subjects, options), None
    except RecursionError:
        return [], FileError(shown, "nesting too deep to judge")
    except Exception as error:  # noqa: BLE001 - a bug judging one file must not hide the others
        return [], FileError(shown, internal_error("judging", error))


# --jobs 0 (the default of `check`): a second process pays for itself from about this many files
# judged one by one. Starting the pool (concurrent.futures, the fork, the readers imported before
# it) costs 50-100 ms, while a file that names no type costs about 50 us: measured on generated
# CloudFormation trees on a busy 2-core machine, --jobs 2 was 100 ms slower at 400 and 1,600 files.
FILES_PER_EXTRA_PROCESS = 2000


def worker_count(jobs: int, files: int) -> int:
    """Processes for ``files`` files: ``jobs`` when given (at most one per file), else the cores
    this process may use, one per FILES_PER_EXTRA_PROCESS files."""
    if jobs == 1 or files < 2:
        return 1
    if jobs > 1:
        return min(jobs, files)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, files // FILES_PER_EXTRA_PROCESS))


def _scan_terraform(files: list[tuple[str, str]], options: Options, findings: list[Finding],
                    errors: list[FileError], walked: tuple[str, ...] = ()) -> None:
    """Terraform files are judged as the modules they belong to (``tfmodule``), not one by one:
    a resource's variables, locals, tfvars, override files and callers are in other files."""
    from . import terraform, tfmodule

    shown_paths = {os.path.abspath(path): shown for path, shown in files}
    absolute = any(os.path.isabs(path) for path, _ in files)

    def shown(path: str) -> str:
        if path in shown_paths:
            return shown_paths[path]
        relative = os.path.relpath(path)
        return path if absolute or relative.startswith("..") else relative

    deployment = tfmodule.Deployment(options.var_files, options.variables)
    try:
        subjects, problems = tfmodule.judge_paths([path for path, _ in files], deployment,
                                                  lambda: _hcl2_problem(terraform), walked=walked)
    except Exception:  # noqa: BLE001 - judged again module by module, so one module's crash is its own
        subjects, problems = [], []  # refilled below, as judge_paths returns them
        by_directory: dict[str, list[tuple[str, str]]] = {}
        for path, name in files:
            by_directory.setdefault(os.path.dirname(os.path.abspath(path)), []).append((path, name))
        for group in by_directory.values():
            try:
                found, trouble = tfmodule.judge_paths([path for path, _ in group], deployment,
                                                      lambda: _hcl2_problem(terraform))
            except Exception as error:  # noqa: BLE001
                message = "nesting too deep to read" if isinstance(error, RecursionError) \
                    else internal_error("reading this file's Terraform module", error)
                errors.extend(FileError(name, message) for _, name in group)
                continue
            subjects.extend(found)
            problems.extend(trouble)
    for path, message in problems:
        errors.append(FileError(shown(path) if not path.startswith("--var") else path, message))
    by_file: dict[str, list[Subject]] = {}
    for path, subject in subjects:
        by_file.setdefault(path, []).append(subject)
    for path, file_subjects in by_file.items():
        try:
            findings.extend(findings_for(shown(path), file_subjects, options))
        except Exception as error:  # noqa: BLE001 - a bug judging one file must not hide the others
            errors.append(FileError(shown(path), internal_error("judging", error)))


def internal_error(doing: str, error: BaseException) -> str:
    """The one line for a bug of ours met on one file: the file is an error, not a crash."""
    return f"internal error while {doing} ({type(error).__name__}: {error}); please report it"
