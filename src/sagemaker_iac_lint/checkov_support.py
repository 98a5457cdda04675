"""The Checkov front end, minus Checkov: where the checks live, strict mode, and the adapter.

Checkov calls a check with one resource's configuration (``conf``) after its own parsing and
rendering, in a different shape per framework:

- CloudFormation: the resource mapping with ``Ref``s to parameters already replaced by their
  ``Default`` (``Fn::If`` kept, its branches rendered); ``__file__`` and ``__startline__`` in every
  nested mapping, except an ``Fn::If`` that is the whole ``Properties`` (its branches have them).
- Terraform ``.tf``: bc-python-hcl2's wrapped shape (``[value]``; awscc objects ``[{...}]``, aws
  blocks ``[{k: [v]}]``), variables, locals, conditionals and functions already evaluated with the
  variables' defaults; an unresolvable reference left as bare text (``var.x``).
- ``.tf.json`` (framework ``terraform_json``): the same wrapped shape, nothing rendered (``${var.x}``).
- plan JSON (framework ``terraform_plan``): every level wrapped (``[null]``), ``__file__`` in every
  mapping, and whatever is known only after apply simply missing.

What Checkov evaluated is gone from ``conf`` (a count ``!Ref Count`` arrives as ``"1"``, a count
``var.prod ? 4 : 1`` as ``1``), and PRODUCT.md judges the expression, not its default. So the adapter
recovers the original and lets the CLI's own readers judge it: the file is the one Checkov names
(``__file__`` for CloudFormation and plans, the Terraform graph's vertex for ``.tf``, the reported path
from the working directory for ``.tf.json``), read again (``scan.read_file``; for ``.tf`` the text is
parsed by Checkov's own HCL loader, handed in by the check, so this plugin never imports ``hcl2``) and
the resource with the same name is judged. Only when there is no original to read does it judge
Checkov's copy, and the message says so. docs/engines-checkov.md lists what still differs from the CLI.

Nothing here imports Checkov: the check classes live in ``checkov_checks/``.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .core import Subject, judge
from .rules import Rule

STRICT_ENV = "SAGEMAKER_IAC_LINT_STRICT"
PASSED, FAILED, SKIPPED = "PASSED", "FAILED", "SKIPPED"

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_CHECKOV_AFTER_APPLY = "true_after_unknown"  # how Checkov marks it with EVAL_TF_PLAN_AFTER_UNKNOWN set
_RENDERED_NOTE = (
    "judged on Checkov's rendered copy because the original file could not be read again, so "
    "parameter and variable defaults are already substituted"
)

_RENDERED_PLAN_NOTE = (
    "judged on Checkov's copy of the plan because the plan file could not be read again, and that copy "
    "leaves out what is known only after apply"
)

# Checkov's loader for one `.tf` file: its own bc-python-hcl2 parse, or None when it cannot parse it.
HclLoader = Callable[[str], Any]


def checkov_dir() -> str:
    """The directory to pass to ``checkov --external-checks-dir``."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkov_checks")


def strict_mode(environ: Mapping[str, str] | None = None) -> bool:
    """Strict mode under Checkov: ``SAGEMAKER_IAC_LINT_STRICT=1`` (also true/yes/on)."""
    value = (os.environ if environ is None else environ).get(STRICT_ENV, "")
    return value.strip().lower() in _TRUE_WORDS


@dataclass(frozen=True)
class Entity:
    """What Checkov tells a check about one resource."""

    conf: dict
    name: str  # CloudFormation logical id, Terraform resource name
    resource_type: str
    scanned_file: str = ""  # as Checkov reports it: relative to the folder it scans, with a leading "/"
    graph: Any = None  # the Terraform graph Checkov attached to the check, if any
    load_hcl: HclLoader | None = None


@dataclass(frozen=True)
class Outcome:
    result: str  # PASSED, FAILED or SKIPPED
    message: str = ""  # FAILED: the finding's message; SKIPPED: the suppression's reason


def outcome(subjects: list[Subject], strict: bool) -> Outcome:
    """The CLI's verdict on one resource for one rule, its own suppressions included, as a Checkov result.

    Each subject is judged once. A resource has one subject per deployment (a template with a samconfig
    beside it is judged once per environment); Checkov takes one result per resource and check, so the
    first deployment that fails decides, and the resource passes only when every deployment passes.
    """
    from .scan import reported_message, suppression_reason

    for subject in subjects:
        verdict = judge(subject, strict)
        if verdict is None:
            continue
        message = reported_message(subject, verdict)
        if message is None:  # a finding hidden by a suppression that gives a reason
            return Outcome(SKIPPED, suppression_reason(subject) or "")
        return Outcome(FAILED, message)
    return Outcome(PASSED)


def internal_error(rule: Rule, name: str, error: BaseException) -> Outcome:
    """A check must never raise: Checkov would log it, drop the result and still exit 0."""
    return Outcome(
        FAILED,
        f"sagemaker-iac-lint could not judge {rule.resource_kind} `{name}` because of an internal error "
        f"({type(error).__name__}: {error}), so it is reported rather than passed. Please report this "
        f"with the resource's code.",
    )


def judge_entity(rule: Rule, entity: Entity, terraform: bool, strict: bool | None = None) -> Outcome:
    """The whole adapter: Checkov's view of one resource in, a Checkov result out. Never raises."""
    try:
        subjects = terraform_subjects(rule, entity) if terraform else cloudformation_subjects(rule, entity)
        return outcome(subjects, strict_mode() if strict is None else strict)
    except Exception as error:  # noqa: BLE001 - see internal_error
        return internal_error(rule, entity.name, error)


# --- what the external-checks folder switches on in Checkov ---------------------------------------

# Checkov's generic `yaml` and `json` frameworks hold no check of their own and run only when an
# `--external-checks-dir` is given, any folder at all. Passing ours therefore made Checkov walk the
# whole tree once more for each, fork two workers per folder and parse every .yaml/.yml/.json file
# with its pure-Python loaders, to run no check at all: most of what our checks appeared to cost.
DOCUMENT_RUNNERS = ("checkov.yaml_doc.runner", "checkov.json_doc.runner")
KEEP_DOCUMENT_RUNNERS_ENV = "SAGEMAKER_IAC_LINT_CHECKOV_KEEP_DOCUMENT_RUNNERS"
_SPARED = "_sagemaker_iac_lint_spared"


def spare_checkless_document_runners(modules: Mapping[str, Any] | None = None,
                                      environ: Mapping[str, str] | None = None) -> int:
    """Let Checkov's `yaml` and `json` runners skip reading files while they hold no check to run.

    Called when Checkov executes our checks file. Each runner's ``_load_files`` is wrapped so that it
    asks, when called (after Checkov has loaded every external folder into that runner's registries),
    whether the runner has any check at all: Python checks in its registry, graph checks in its graph
    registry, or a built-in graph-check folder. If it has none, reading the files could produce no
    result, so it reads none; if it has any (a user's own YAML or JSON checks from another folder),
    it reads them as before. Only runners already imported are touched (nothing here imports
    Checkov). ``SAGEMAKER_IAC_LINT_CHECKOV_KEEP_DOCUMENT_RUNNERS=1`` turns it off. Returns how many
    runner classes are guarded (already or now); never raises.
    """
    if (os.environ if environ is None else environ).get(KEEP_DOCUMENT_RUNNERS_ENV, "").strip().lower() in _TRUE_WORDS:
        return 0
    guarded = 0
    for name in DOCUMENT_RUNNERS:
        try:
            runner_class = getattr((sys.modules if modules is None else modules).get(name), "Runner", None)
            load = getattr(runner_class, "_load_files", None)
            if runner_class is None or not callable(load):
                continue
            if not getattr(load, _SPARED, False):
                runner_class._load_files = _load_only_with_checks(load)
            guarded += 1
        except Exception:  # noqa: BLE001 - a Checkov we do not know: leave it as it is
            continue
    return guarded


def _load_only_with_checks(load: Callable[..., Any]) -> Callable[..., Any]:
    def _load_files(runner: Any, *args: Any, **kwargs: Any) -> Any:
        if _has_no_check(runner):
            return None
        return load(runner, *args, **kwargs)

    setattr(_load_files, _SPARED, True)
    _load_files.__doc__ = load.__doc__
    return _load_files


def _has_no_check(runner: Any) -> bool:
    """True only when the runner provably has nothing to run; any doubt reads the files."""
    try:
        if next(iter(runner.import_registry().all_checks()), None) is not None:
            return False
        graph = getattr(runner, "graph_registry", None)
        if graph is not None:
            if getattr(graph, "checks", None) or os.path.isdir(str(getattr(graph, "checks_dir", "") or "")):
                return False
        return True
    except Exception:  # noqa: BLE001
        return False


# --- the original file, read again ----------------------------------------------------------------

_KEPT = 8  # Checkov walks file by file: a handful of files is plenty, and memory stays flat
_ORIGINALS: OrderedDict = OrderedDict()  # (reader, path, mtime, size) -> what the reader made of it
_ORIGINALS_LOCK = threading.Lock()  # Checkov runs frameworks in threads where it cannot fork


def _cached(kind: str, path: str, read: Callable[[str], Any]) -> Any:
    """``read(path)``, once per version of the file; None when it fails."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    key = (kind, os.path.realpath(path), status.st_mtime_ns, status.st_size)
    with _ORIGINALS_LOCK:
        if key in _ORIGINALS:
            _ORIGINALS.move_to_end(key)
            return _ORIGINALS[key]
    try:
        found = read(path)
    except Exception:  # noqa: BLE001 - unreadable for us although Checkov read it: judge Checkov's copy
        found = None
    with _ORIGINALS_LOCK:
        _ORIGINALS[key] = found
        while len(_ORIGINALS) > _KEPT:
            _ORIGINALS.popitem(last=False)
    return found


def _subjects_by_key(path: str) -> dict[tuple[str, str], list[Subject]]:
    """The file's subjects by (resource name, control): one per deployment, in the reader's order.
    Nothing is judged here: ``outcome`` judges each subject once, when its check runs."""
    from .scan import read_file

    found: dict[tuple[str, str], list[Subject]] = {}
    for subject in read_file(path):
        found.setdefault((subject.name, subject.rule.control), []).append(subject)
    return found


def _original(path: str, rule: Rule, name: str, resource_type: str, line: object = None) -> list[Subject]:
    """The subjects our own reader makes of resource ``name`` in ``path`` (not `.tf`) for ``rule``, if
    it is there: one per deployment."""
    if not path or path.lower().endswith(".tf"):
        return []
    subjects = (_cached("subjects", path, _subjects_by_key) or {}).get((name, rule.control), [])
    if not subjects or subjects[0].resource_type != resource_type:
        return []
    if isinstance(line, int) and line != subjects[0].line:
        return []  # another file at the same relative path
    return subjects


def _from_working_directory(scanned_file: str) -> str:
    """Checkov reports paths relative to the folder it scans: right for ``-d .`` and ``-f FILE``."""
    relative = scanned_file.lstrip("/\\")
    return os.path.join(os.getcwd(), relative) if relative else ""


# --- CloudFormation -------------------------------------------------------------------------------


def _cfn_file(conf: dict) -> str:
    """The file Checkov names in the resource's mappings: ``Properties`` itself, or, where Checkov
    marks no file on it (an ``Fn::If`` on the whole ``Properties``), the first mapping inside."""
    pending = deque(conf.values())
    while pending:
        value = pending.popleft()
        if isinstance(value, dict):
            if isinstance(value.get("__file__"), str):
                return value["__file__"]
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return ""


def cloudformation_subjects(rule: Rule, entity: Entity) -> list[Subject]:
    """The resource for ``rule`` as the CLI reads it from the original template, else Checkov's copy."""
    from . import cfn

    found = _original(_cfn_file(entity.conf), rule, entity.name, entity.resource_type)
    if found:
        return found
    template = cfn.Template({"Resources": {entity.name: entity.conf}})
    subject = cfn.subject_for(template, rule, entity.name, entity.conf)
    subject.notes.append(_RENDERED_NOTE)
    return [subject]


# --- Terraform ------------------------------------------------------------------------------------


def terraform_subjects(rule: Rule, entity: Entity) -> list[Subject]:
    """The resource for ``rule`` as the CLI reads it from the original file, else Checkov's copy."""
    conf = entity.conf
    files = conf.get("__file__")
    if isinstance(files, list):  # plan JSON: Checkov wraps even its own metadata
        address = str(conf.get("__address__") or f"{entity.resource_type}.{entity.name}")
        found = _original(str(files[0]) if files else "", rule, address, entity.resource_type)
        return found or [_rendered(rule, entity, address, plan=True)]
    if "__address__" in conf and "__start_line__" in conf:  # `.tf`
        address = str(conf["__address__"])
        return [_tf_original(rule, entity, address) or _rendered(rule, entity, address, plan=False)]
    address = f"{entity.resource_type}.{entity.name}"  # `.tf.json`, which Checkov reports as resource.<name>
    path = _from_working_directory(entity.scanned_file)
    found = _original(path, rule, address, entity.resource_type, conf.get("__startline__"))
    if found:
        return found
    # Nothing in a `.tf.json` conf is rendered: judged as written, variables and locals unresolved.
    from . import terraform

    line = _int(conf.get("__startline__"), 1)
    attributes = terraform.normalise_checkov_conf(conf)
    return [terraform.subject_from_attributes(rule, address, entity.resource_type, attributes, line, terraform.TfContext())]


def _tf_original(rule: Rule, entity: Entity, address: str) -> Subject | None:
    """A `.tf` resource as the CLI judges it, from Checkov's own parse of the file."""
    from . import terraform

    load_hcl = entity.load_hcl
    if load_hcl is None:
        return None
    start = _int(entity.conf.get("__start_line__"), 0)
    path = _GraphIndex.of(entity.graph).file_of(address, entity.scanned_file, start)
    path = path or _from_working_directory(entity.scanned_file)
    parsed = _cached("hcl", path, lambda p: _parse_tf(p, load_hcl)) if path else None
    if parsed is None:
        return None
    payload, text = parsed
    # Checkov expands `count` and `for_each` into `name[0]`, `name["key"]`: all written as one block
    written = entity.name.split("[", 1)[0]
    body = _resource_body(payload, entity.resource_type, written)
    if not isinstance(body, dict):
        return None
    line = _int(body.get("__start_line__"), start or 1)
    end = _int(body.get("__end_line__"), _int(entity.conf.get("__end_line__"), line))
    # The same context the CLI's `.tf` reader builds, from the same bc-python-hcl2 ("wrapped") shape.
    context = terraform.tf_context(payload, "wrapped", text)
    attributes = terraform.normalise_checkov_conf(body)
    if written != entity.name:  # one instance of count/for_each: bind its iterator as the CLI does
        from .tfmodule import instance_context

        block = terraform.Block(entity.resource_type, written, attributes, path, line, end, 1, text.splitlines())
        context = instance_context(block, context, address)
    return terraform.subject_from_attributes(rule, address, entity.resource_type, attributes, line, context, end)


def _parse_tf(path: str, load_hcl: HclLoader) -> tuple[dict, str] | None:
    payload = load_hcl(path)
    if not isinstance(payload, dict):
        return None
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        return payload, handle.read()


def _resource_body(payload: dict, resource_type: str, name: str) -> object:
    resources = payload.get("resource")
    for entry in resources if isinstance(resources, list) else [resources]:
        named = entry.get(resource_type) if isinstance(entry, dict) else None
        if isinstance(named, dict) and name in named:
            return named[name]
    return None


def _rendered(rule: Rule, entity: Entity, address: str, plan: bool) -> Subject:
    """Checkov's copy, judged as it is: the last resort when the original cannot be read."""
    from . import terraform

    attributes = terraform.normalise_checkov_conf(entity.conf)
    skip = rule.tf_path(rule.skip_element, entity.resource_type)
    for path in _paths(rule, entity.resource_type):
        for holder, key, _ in _reach(attributes, path, (), skip):
            leaf = holder.get(key) if holder is not None else None
            if plan and leaf == _CHECKOV_AFTER_APPLY:
                holder[key] = terraform.AFTER_APPLY  # type: ignore[index]
            elif not plan and isinstance(leaf, str) and not isinstance(leaf, terraform.Expr) and _unresolved(leaf):
                holder[key] = terraform.Expr(leaf)  # type: ignore[index]  # Checkov leaves `${var.x}` as `var.x`
    conf = entity.conf
    line = _int(conf.get("__start_line__"), _int(conf.get("start_line"), 1))
    subject = terraform.subject_from_attributes(rule, address, entity.resource_type, attributes, line, terraform.TfContext())
    subject.notes.append(_RENDERED_PLAN_NOTE if plan else _RENDERED_NOTE)
    return subject


# --- small helpers --------------------------------------------------------------------------------

EACH = "[]"  # in a path: every element of the list before it


def _paths(rule: Rule, resource_type: str = "", terraform: bool = True) -> list[tuple[str, ...]]:
    """What ``rule`` reads, in the language's spelling (hashicorp/aws names for ``resource_type``): the
    judged property (``scope`` + ``flag_path``, else + ``count_path``; both for a count-aware flag),
    through every element of the ``each`` list (``EACH``), then each ``applies`` condition's property."""

    def spell(path: tuple[str, ...]) -> tuple[str, ...]:
        return rule.tf_path(path, resource_type) if terraform else path

    paths: list[tuple[str, ...]] = []
    judged = [path for path in (rule.count_path, rule.flag_path) if path]
    for path in judged:
        if rule.each:
            paths.append(spell(rule.scope + rule.each) + (EACH,) + spell(path))
        else:
            paths.append(spell(rule.scope + path))
    if not judged and rule.scope:
        paths.append(spell(rule.scope))
    paths += [spell(condition.path) for condition in rule.applies]
    return paths


def _reach(node: object, path: tuple[str, ...], at: tuple[str, ...],
           skip: tuple[str, ...]) -> Iterator[tuple[dict | None, str, tuple[str, ...]]]:
    """(holder, key, where) for every place ``path`` leads to in Checkov's conf or its normalised shape:
    ``holder[key]`` is the value (``holder`` None where the path stops early), ``where`` the steps taken
    in Checkov's own key syntax (``network_config/[0]/enable_...``, ``production_variants/[1]/...``).
    A one-element list before a key is Checkov's wrapping (or one block) and is stepped into; an
    ``EACH`` step goes through every element, leaving out those with a ``skip`` key (reported as
    ``where`` that key, since it was read)."""
    step, rest = path[0], path[1:]
    if step == EACH:
        items = node
        while isinstance(items, list) and len(items) == 1 and isinstance(items[0], list):  # awscc: [[...]]
            items, at = items[0], at + ("[0]",)
        if not isinstance(items, list) or not items:
            yield None, "", at
            return
        for index, item in enumerate(items):
            here = at + (f"[{index}]",)
            skipped = [key for key in skip if isinstance(item, dict) and item.get(key) not in (None, [])]
            if skipped:
                yield None, "", here + (skipped[0],)
            elif rest:
                yield from _reach(item, rest, here, skip)
        return
    while isinstance(node, list) and len(node) == 1:  # Checkov's wrapping, or a single block
        node, at = node[0], at + ("[0]",)
    if not isinstance(node, dict) or step not in node:
        missing = rest[:rest.index(EACH)] if EACH in rest else rest
        yield None, "", at + (step,) + missing
        return
    if not rest:
        yield node, step, at + (step,)
        return
    yield from _reach(node[step], rest, at + (step,), skip)


def evaluated_keys(rule: Rule, conf: object, resource_type: str, terraform: bool) -> list[str]:
    """Checkov's ``evaluated_keys`` for one resource: where, in ``conf``, each property ``rule`` reads
    is (one key per element of an ``each`` list), or would be when it is not written."""
    prefix: tuple[str, ...] = () if terraform else ("Properties",)
    skip = rule.tf_path(rule.skip_element, resource_type) if terraform else rule.skip_element
    keys: list[str] = []
    for path in _paths(rule, resource_type, terraform):
        try:
            for _, _, where in _reach(conf, prefix + path, (), skip):
                key = "/".join(where)
                if key and key not in keys:
                    keys.append(key)
        except RecursionError:  # pragma: no cover - a conf Checkov itself could not have built
            keys.append("/".join(prefix + path))
    return keys


_REFERENCE = re.compile(r"^\s*(var|local|module|data|each|count|self|path|terraform)\.|^\s*[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_]")
_OPERATORS = frozenset("?()=&|!<>{}[]")


def _unresolved(text: str) -> bool:
    """A string Checkov left unrendered (``var.x``, ``aws_kms_key.k.arn``, ``var.p ? 1 : x``), as opposed
    to a literal it could have rendered (``4``, ``true``, ``Disabled``, an ARN or a key id)."""
    stripped = text.strip()
    if stripped.lower() in ("true", "false"):
        return False
    try:
        float(stripped)
    except ValueError:
        pass
    else:
        return False
    return "${" in stripped or bool(_REFERENCE.match(stripped)) or any(char in _OPERATORS for char in stripped)


def _int(value: object, fallback: int) -> int:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else fallback


class _GraphIndex:
    """Where each resource of a Checkov Terraform graph is written, indexed once per graph."""

    _last: _GraphIndex | None = None

    def __init__(self, graph: Any):
        self.graph = graph
        self.resources: dict[str, list[tuple[str, int]]] = {}
        for attributes in _vertices(graph):
            if attributes.get("block_type_") == "resource":
                address = str(attributes.get("__address__") or attributes.get("id_"))
                where = (str(attributes.get("file_path_", "")), _int(attributes.get("__start_line__"), 0))
                self.resources.setdefault(address, []).append(where)

    @classmethod
    def of(cls, graph: Any) -> _GraphIndex:
        last = cls._last
        if last is None or last.graph is not graph:
            last = cls._last = cls(graph)
        return last

    def file_of(self, address: str, scanned_file: str, start: int) -> str:
        """The absolute path of the resource Checkov reports at ``scanned_file`` line ``start``."""
        suffix = scanned_file.replace("\\", "/")
        for path, line in self.resources.get(address, []):
            if path.replace("\\", "/").endswith(suffix) and line == start:
                return path
        return ""


def _vertices(graph: Any) -> Iterator[dict]:
    if graph is None:
        return
    try:
        if hasattr(graph, "node_indices"):  # rustworkx, Checkov's default: payloads are (index, attributes)
            payloads = graph.nodes()
        else:  # networkx (CHECKOV_GRAPH_FRAMEWORK=NETWORKX)
            payloads = graph.nodes(data=True)
    except Exception:  # noqa: BLE001 - a graph we do not know: the working directory is tried instead
        return
    for payload in payloads:
        attributes = payload[1] if isinstance(payload, tuple) and len(payload) == 2 else payload
        if isinstance(attributes, dict):
            yield attributes
