"""The Terraform front end: `.tf`, `.tf.json` and plan JSON.

`.tf` is read by ``hcl.parse``, which gives the normalised shape below directly; whichever ``hcl2``
is installed reads a file only when that reader leaves it (``read_tf``).

Each reader turns one file into ``Subject`` objects for the core. The three formats first become one
**normalised shape**, and ``subject_from_attributes`` resolves values from that shape only, so a
Checkov adapter can feed it Checkov's resource configuration after ``normalise_checkov_conf``.

The normalised shape of a resource's attributes (a block body):

- a ``dict`` from attribute or nested-block name to a node; no metadata keys (``__start_line__``,
  ``__is_block__``, ``//`` comments are dropped);
- a node is ``None``, ``bool``, ``int``, ``float``, ``str`` (a string *literal*, quotes and escapes
  removed), ``Expr`` (the source text of an expression: ``var.n``, ``var.p ? 4 : 1``, ``max(1, 2)``,
  or a quoted template such as ``"job-${var.env}"``), ``AFTER_APPLY`` (plan JSON: known only after
  apply), a ``list`` of nodes, or a ``dict`` of nodes;
- a nested block is a list with one body per block (``network_config { ... }`` -> ``[{...}]``), an
  object attribute is a dict (``network_config = { ... }`` -> ``{...}``). Readers treat a dict and a
  one-element list holding a dict alike, so the two provider styles read the same;
- ``dynamic "x" { ... }`` blocks stay under ``"dynamic"`` as ``[{"x": body}]``.

The ``hcl2`` outputs this module normalises for that fallback (one import name, three shapes):

- python-hcl2 8.x ("quoted"): labels and string literals keep their double quotes (``'"x"'``),
  expressions are ``"${...}"``, bare identifiers (``bool``) are expressions, blocks carry
  ``__is_block__``, attribute values are not wrapped, no line numbers (``with_meta`` does nothing).
- python-hcl2 7.x ("plain"): no quotes, ``"${...}"`` expressions, values not wrapped, blocks carry
  ``__start_line__``/``__end_line__`` with ``with_meta=True``.
- Checkov's bc-python-hcl2 0.4.x ("wrapped"): no quotes, ``"${...}"`` expressions, every attribute
  of a block body wrapped in a one-element list (``count = 2`` -> ``[2]``), object attributes and
  blocks both a list holding a dict, only top-level blocks carry line numbers, and conditionals
  rendered with Python booleans (``var.p ? True : False``) and parentheses dropped.

Which shape is installed is found by parsing a one-line probe, not by version numbers.

Positions and suppressions come from the file's text, because no parser keeps comments and
python-hcl2 8.x keeps no line numbers: a resource spans its ``resource "type" "name" {`` line to the
matching brace; the flag points at its own line, else at ``network_config``, else at the resource;
``# sagemaker-iac-lint:ignore=SageMaker.15:reason`` (or ``//``, or a ``"//"`` key in `.tf.json`)
inside that span suppresses. A plan points at the resource's ``"address"`` line and has no comments.

Public API: ``read_tf``, ``read_tf_json``, ``read_plan``, ``is_plan``, ``hcl2_problem``, and for
adapters ``subject_from_attributes``, ``normalise_checkov_conf``, ``TfContext``, ``Expr``,
``AFTER_APPLY``, ``NO_DEFAULT``. Every reader raises ``ReadError`` with one line for a file it cannot
parse; ``hcl2`` is imported on first use only.
"""

from __future__ import annotations

import re

from .core import ALWAYS, Possibilities, Subject, Value, compatible, complies
from .errors import ReadError
from .hcl import INTERPOLATION, Expr, LineIndex
from .hcl import closing as _closing
from .hcl import code_chars as _code_chars
from .hcl import line_of as _line_of
from .hcl import template_value as _template
from .hcl import unescape as _unescape
from .hcl2_shapes import hcl2_parser as _hcl2_parser
from .hcl2_shapes import hcl2_problem, normalise_checkov_conf
from .hcl2_shapes import hcl_body as _hcl_body
from .hcl2_shapes import one_line as _one_line
from .hcl2_shapes import unquote as _unquote
from .rules import NONEXISTENT_TF_TYPES, RULES_BY_TF_TYPE, UNKNOWN_TYPE, Rule, find_rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and json are start-up costs a .tf scan does without
    from collections.abc import Callable, Iterator
    from typing import Any, Literal

__all__ = [
    "AFTER_APPLY",
    "Expr",
    "NO_DEFAULT",
    "TfContext",
    "hcl2_problem",
    "is_plan",
    "normalise_checkov_conf",
    "read_plan",
    "read_tf",
    "read_tf_json",
    "subject_from_attributes",
]

class _AfterApply:
    def __repr__(self) -> str:
        return "AFTER_APPLY"


AFTER_APPLY = _AfterApply()  # plan JSON: the value is known only after apply
NO_DEFAULT = object()  # a variable declared without a default


class Variable:
    """A declared variable and the value it takes in one module instance.

    ``node``: the normalised value (``NO_DEFAULT`` when there is none), to be read in ``context``
    (the caller's, for a module argument). ``fixed``: the value is what deploys, count included: a
    module argument, a child module's default no caller overrides, or a value given for a named
    deployment (``--var-file``/``--var``). A root's default or auto-loaded tfvars value is not
    fixed for a count (any apply may pass another); ``bound`` is then the largest value its
    ``validation`` blocks allow (None: unbounded), and ``floor`` the smallest (SageMaker.4).
    """

    __slots__ = ("name", "node", "context", "origin", "fixed", "bound", "floor")

    def __init__(self, name: str, node: object, context: TfContext | None = None, origin: str = "",
                 fixed: bool = False, bound: int | float | None = None, floor: int | float | None = None) -> None:
        self.name = name
        self.node = node
        self.context = context
        self.origin = origin or f"the default of variable `{name}`"
        self.fixed = fixed
        self.bound = bound
        self.floor = floor

    def __repr__(self) -> str:
        return f"Variable({self.name!r}, {self.node!r}, fixed={self.fixed!r}, bound={self.bound!r})"


class TfContext:
    """What a resource's expressions may refer to, and the file text for positions and comments.

    ``variables`` maps a variable name to a ``Variable``, or (one file read alone) to its normalised
    default (``NO_DEFAULT`` when it has none); ``locals`` maps a local's name to its normalised value.
    ``bindings``: ``each``, ``count`` and ``dynamic`` iterators, name -> {"key": ..., "value": ...}
    (``count`` -> {"index": n}). ``module``: the variables are the module's (not one file's), so a
    name missing from them is not declared at all. With ``text`` empty, the flag is located at the
    resource's line and no suppression comments are read. ``json``: the text is JSON (`.tf.json`,
    plan): keys are quoted, comments are "//" keys. ``memo`` holds each local's possibilities once
    resolved; contexts made by ``bind`` share it with the context they come from.
    """

    __slots__ = ("variables", "locals", "text", "json", "lines", "bindings", "module", "memo")

    def __init__(self, variables: dict | None = None, locals: dict | None = None, text: str = "", json: bool = False,
                 module: bool = False) -> None:
        self.variables = {} if variables is None else variables
        self.locals = {} if locals is None else locals
        self.text = text
        self.json = json
        self.lines = text.splitlines()
        self.bindings: dict = {}
        self.module = module
        self.memo: dict = {}

    def bind(self, name: str, value: dict) -> TfContext:
        """The same context with one more iterator (``each``, ``count`` or a dynamic block's)."""
        other = TfContext.__new__(TfContext)
        for slot in TfContext.__slots__:
            setattr(other, slot, getattr(self, slot))
        other.bindings = {**self.bindings, name: value}
        return other

    def __repr__(self) -> str:
        return f"TfContext(variables={self.variables!r}, locals={self.locals!r}, json={self.json!r})"


# ---------------------------------------------------------------------------------------------
# .tf.json values
# ---------------------------------------------------------------------------------------------


def json_value(node: object) -> Any:  # noqa: ANN401 - JSON data
    """`.tf.json` value: strings are templates, "//" keys are comments."""
    if isinstance(node, str):
        return _template(node, escaped=False)
    if isinstance(node, dict):
        return {k: json_value(v) for k, v in node.items() if k != "//"}
    if isinstance(node, list):
        return [json_value(item) for item in node]
    return node


# ---------------------------------------------------------------------------------------------
# Resolving a value: expressions, variables, locals, conditionals
# ---------------------------------------------------------------------------------------------

_NOT_LITERAL = object()
_VARIABLE = re.compile(r"var\.([A-Za-z_][\w-]*)\Z")
_LOCAL = re.compile(r"local\.([A-Za-z_][\w-]*)\Z")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"\Z')
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?\Z")


_STRING_OR_CODE = re.compile(r'("(?:[^"\\]|\\.)*"?)|([^"]+)')
_PYTHON_WORDS = {"True": "true", "False": "false", "None": "null"}


def _tidy(text: str) -> str:
    """One spelling of an expression whichever parser rendered it (bc-python-hcl2 writes `max(1,2)`
    and `True`), so that messages and condition keys read the same in every environment."""
    parts = []
    for string, code in _STRING_OR_CODE.findall(text):
        if string:
            parts.append(string)
            continue
        code = re.sub(r"\s*,\s*", ", ", re.sub(r"\s+", " ", code))
        parts.append(re.sub(r"\b(True|False|None)\b", lambda m: _PYTHON_WORDS[m.group(1)], code))
    return "".join(parts).strip()


def strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _conditional(text: str) -> tuple[str, str, str] | None:
    """Split ``cond ? a : b`` at its top level (right-associative), or None."""
    question = -1
    nested = 0
    for i, c, depth in _code_chars(text):
        if depth or c not in "?:":
            continue
        if c == "?":
            if question < 0:
                question = i
            else:
                nested += 1
        elif question >= 0:
            if nested:
                nested -= 1
            else:
                return text[:question].strip(), text[question + 1 : i].strip(), text[i + 1 :].strip()
    return None


_EQUALITY = re.compile(r"\A(.+?)\s*(==|!=)\s*(.+)\Z", re.DOTALL)


def _comparison(text: str, context: TfContext, scenario: frozenset) -> object:
    """``a == b`` / ``a != b`` decided where each side is a literal or an instance's own key
    (``count.index == 0``, ``each.key == "prod"``, a dynamic block's iterator); _NOT_LITERAL otherwise.
    A variable or a local is never decided here: a deployment may pass another value (an input stays
    open, both branches are judged)."""
    match = _EQUALITY.match(text)
    if match is None or any(c in match.group(1) for c in "=!<>&|?"):
        return _NOT_LITERAL
    sides = []
    for side in (match.group(1), match.group(3)):
        side = side.strip()
        reference = _REFERENCE.match(side)
        if _literal(side) is _NOT_LITERAL and (reference is None or reference.group(1) not in context.bindings):
            return _NOT_LITERAL
        found = expand(Expr(side), "meta", context, scenario, "")
        if len(found) != 1 or isinstance(found[0][1], (Value, dict, list)) or found[0][0] != scenario:
            return _NOT_LITERAL
        sides.append(found[0][1])
    left, right = sides
    if isinstance(left, bool) != isinstance(right, bool):
        equal = False
    elif isinstance(left, (int, float)) and isinstance(right, (int, float)):
        equal = left == right
    else:
        equal = type(left) is type(right) and left == right
    return equal if match.group(2) == "==" else not equal


def _literal(text: str) -> object:
    """The value of a literal expression (bc-python-hcl2 writes booleans as True/False), or _NOT_LITERAL."""
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    if text in ("null", "None"):
        return None
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() and re.match(r"-?\d+\Z", text) else number
    string = _STRING.match(text)
    if string and not INTERPOLATION.search(string.group(1)):
        return _unescape(string.group(1))
    return _NOT_LITERAL


_REFERENCE = re.compile(r"([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\.\d+|\[\d+\]|\[\"(?:[^\"\\]|\\.)*\"\])*)\Z")
_STEP = re.compile(r'\.([A-Za-z_][\w-]*)|\.(\d+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')
_CONVERSION = re.compile(r"(toset|tolist|tomap)\((.*)\)\Z", re.S)
_LOCAL_NAME = re.compile(r"(?<![\w.])local\.([A-Za-z_][\w-]*)")
_IN_PROGRESS = object()
_MISSING_ENTRY = object()
# A bound on the values one expression may stand for: conditionals over conditionals can double it at
# every level. Past it the value is unknown and the message says why: a failure, never a silent pass.
MAX_POSSIBILITIES = 256
# And on the conditions those values carry, summed: `l_k = var.c_k ? local.l_k-1 : k` has k values, the
# last under k conditions, so a chain of 1,500 such locals held 794 MB (9.9 s) of scenarios under the
# bound above alone; with this one, 60 MB and 0.5 s (every local is memoised, so each must stay small).
MAX_CONDITIONS = 1024


# "count": the largest count a deployment may pass; "min_count": the smallest (SageMaker.4)
COUNT_ROLES = ("count", "min_count")


def _too_complex(what: str) -> Value:
    return Value.unknown(f"{what}, too complex to judge (more than {MAX_POSSIBILITIES} possible values)")


def expand(node: object, role: str, context: TfContext, scenario: frozenset, origin: str,
            seen: frozenset = frozenset()) -> list:
    """The possible (scenario, node-or-Value, origin) a node stands for, expressions resolved.

    ``role``: "count", "flag", "scope", or "meta" (a ``count``/``for_each`` meta-argument, which
    takes a variable's resolved value as the flag does). ``seen`` is kept for callers of old.
    """
    if node is AFTER_APPLY:
        return [(scenario, Value.unknown("a value known only after apply"), origin)]
    if not isinstance(node, Expr):
        return [(scenario, node, origin)]
    text = _tidy(strip_parens(node))
    split = _conditional(text)
    if split:
        condition, when_true, when_false = split
        fixed = _literal(strip_parens(condition))
        if not isinstance(fixed, bool):
            fixed = _comparison(strip_parens(condition), context, scenario)
        key = strip_parens(condition)
        out = []
        for branch, expression in ((True, when_true), (False, when_false)):
            if isinstance(fixed, bool) and fixed is not branch:
                continue  # `true ? a : b` has one branch
            choice = frozenset() if isinstance(fixed, bool) else frozenset({(key, branch)})
            if compatible(scenario, choice):  # `c ? (c ? a : b) : d` cannot reach b
                out += expand(Expr(expression), role, context, scenario | choice, origin)
        return out
    literal = _literal(text)
    if literal is not _NOT_LITERAL:
        return [(scenario, literal, origin)]
    conversion = _CONVERSION.match(text)
    if conversion:  # toset(["a", "b"]): the collection itself, for for_each
        inner = _parse_expression(conversion.group(2))
        if inner is not _NOT_LITERAL:
            return expand(inner, role, context, scenario, origin)
    if text[:1] in "[{":  # a tuple or object written inside an expression: its elements resolve later
        inner = _parse_expression(text)
        if inner is not _NOT_LITERAL and not isinstance(inner, Expr):
            return [(scenario, inner, origin)]
    reference = _REFERENCE.match(text)
    if reference:
        root, name, steps = reference.groups()
        if root == "var":
            found = _variable(name, role, context, scenario, origin)
        elif root == "local":
            found = _local(name, role, context, scenario, origin)
        elif root in context.bindings:
            bound = context.bindings[root]
            if name not in bound:
                return [(scenario, Value.unknown(f"`{text}`"), origin)]
            if role in COUNT_ROLES and bound.get("open") and name == "value":
                return [(scenario, Value.unknown(f"`{text}`, from {bound['open']}"), origin)]
            found = expand(bound[name], role, context, scenario, origin)
        else:
            return [(scenario, Value.unknown(f"`{text}`"), origin)]
        return _traverse(found, steps, role, context, text) if steps else found
    return [(scenario, Value.unknown(f"`{text}`"), origin)]


def _parse_expression(text: str) -> object:
    """The normalised node of an expression's text (``["a", "b"]`` -> a list), or _NOT_LITERAL."""
    from . import hcl

    try:
        parsed = hcl.parse(f"v = {text}\n").body
    except (hcl.HclError, RecursionError):
        return _NOT_LITERAL
    return parsed.get("v", _NOT_LITERAL)


def _traverse(found: list, steps: str, role: str, context: TfContext, text: str) -> list:
    """``.name``, ``[0]``, ``["key"]`` applied to each possible value."""
    for match in _STEP.finditer(steps):
        attribute, dotted_index, index, key = match.groups()
        step: object = attribute if attribute is not None else key if key is not None else int(dotted_index or index)
        out = []
        for scenario, item, origin in found:
            if isinstance(item, Value):
                out.append((scenario, item, origin))
            elif isinstance(step, str) and isinstance(item, dict) and step in item:
                out += expand(item[step], role, context, scenario, origin)
            elif isinstance(step, int) and isinstance(item, list) and 0 <= step < len(item):
                out += expand(item[step], role, context, scenario, origin)
            elif isinstance(step, str) and isinstance(item, list) and len(item) == 1 and isinstance(item[0], dict) \
                    and step in item[0]:
                out += expand(item[0][step], role, context, scenario, origin)  # a block read as an object
            else:
                out.append((scenario, Value.unknown(f"`{text}`, which names an element that is not there"), origin))
        found = out
    return found


def _variable(name: str, role: str, context: TfContext, scenario: frozenset, origin: str) -> list:
    entry = context.variables.get(name, _MISSING_ENTRY)
    if not isinstance(entry, Variable):  # one file read alone: its own defaults
        if role == "count":  # the dev-to-prod trap: any deployment may pass a larger count
            return [(scenario, Value.unknown(f"variable `{name}`, which Terraform does not bound"), origin)]
        if role == "min_count":  # SageMaker.4: any deployment may pass a smaller one
            return [(scenario, Value.unknown(f"variable `{name}`, which a deployment may set to 1"), origin)]
        if entry is _MISSING_ENTRY:
            where = "this module does not declare it" if context.module else "has no default in this file"
            return [(scenario, Value.unknown(f"variable `{name}`, which {where}"), origin)]
        if entry is NO_DEFAULT:
            return [(scenario, Value.unknown(f"variable `{name}`, which has no default and no value given"), origin)]
        return expand(entry, role, context, scenario, f"the default of variable `{name}`")
    if role == "min_count" and not entry.fixed:
        if entry.floor is not None:
            floor = int(entry.floor) if float(entry.floor).is_integer() else entry.floor
            return [(scenario, Value.of(floor, f"the smallest value the validation of variable `{name}` allows"), origin)]
        return [(scenario, Value.unknown(f"variable `{name}`, which a deployment may set to 1"), origin)]
    if role == "count" and not entry.fixed:
        if entry.bound is not None:
            bound = int(entry.bound) if float(entry.bound).is_integer() else entry.bound
            return [(scenario, Value.of(bound, f"the largest value the validation of variable `{name}` allows"), origin)]
        return [(scenario, Value.unknown(f"variable `{name}`, which Terraform does not bound"), origin)]
    if entry.node is NO_DEFAULT:
        return [(scenario, Value.unknown(f"variable `{name}`, which has no default and no value given"), origin)]
    return expand(entry.node, role, entry.context or context, scenario, entry.origin)


def _local(name: str, role: str, context: TfContext, scenario: frozenset, origin: str) -> list:
    if name not in context.locals:
        where = "this module" if context.module else "this file"
        return [(scenario, Value.unknown(f"local `{name}`, which is not defined in {where}"), origin)]
    found = context.memo.get((name, role))
    if found is None:
        _resolve_locals(name, role, context)
        found = context.memo[(name, role)]
    if found is _IN_PROGRESS:
        return [(scenario, Value.unknown(f"local `{name}`, which refers to itself"), origin)]
    if not scenario:
        return found
    return [(scenario | s, item, o) for s, item, o in found if compatible(scenario, s)]


def _local_names(node: object) -> set[str]:
    """The locals a node's expressions name (anywhere inside them)."""
    names: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, Expr):
            names.update(_LOCAL_NAME.findall(item))
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return names


def _resolve_locals(name: str, role: str, context: TfContext) -> None:
    """Resolve ``name`` and every local it depends on, deepest first, once each (memoised).

    Resolving dependencies before the locals that use them keeps the recursion shallow whatever the
    length of a chain of locals, and each local is expanded once however many refer to it.
    """
    memo, locals_ = context.memo, context.locals
    order: list[str] = []
    visited = {name}
    stack = [(name, iter(sorted(_local_names(locals_[name]))))]
    while stack:
        current, dependencies = stack[-1]
        for dependency in dependencies:
            if dependency in locals_ and dependency not in visited and (dependency, role) not in memo:
                visited.add(dependency)
                stack.append((dependency, iter(sorted(_local_names(locals_[dependency])))))
                break
        else:
            stack.pop()
            order.append(current)
    for current in order:
        if (current, role) in memo:
            continue
        memo[(current, role)] = _IN_PROGRESS
        memo[(current, role)] = _simplify(
            expand(locals_[current], role, context, ALWAYS, f"local `{current}`"), f"local `{current}`")


def _scenario_order(scenario: frozenset) -> list:
    """Sets iterate in a hash order that changes from run to run; verdicts and messages must not."""
    return sorted(scenario)


def _simplify(found: list, what: str) -> list:
    """Merge possibilities that differ only in one condition's branch (``c ? x : x`` is x), so that
    conditionals over the same value do not double at every level; past the bound, unknown."""
    groups: dict = {}
    for scenario, item, origin in found:
        key = ((item.kind, repr(item.literal), item.origin) if isinstance(item, Value) else repr(item), origin)
        groups.setdefault(key, (item, origin, set()))[2].add(scenario)
    out = []
    # each scenario's sorted conditions, worked out once: sorting them again at every pass was two
    # thirds of the cost of 4,000 swapping conditional locals (the merges made are the same)
    ordered: dict[frozenset, list] = {}

    def order(scenario: frozenset) -> list:
        found = ordered.get(scenario)
        if found is None:
            found = ordered[scenario] = sorted(scenario)
        return found

    for item, origin, scenarios in groups.values():
        changed = True
        while changed and len(scenarios) > 1:
            changed = False
            for scenario in sorted(scenarios, key=order):
                if scenario not in scenarios:
                    continue  # merged earlier in this pass
                for condition, branch in order(scenario):
                    other = (scenario - {(condition, branch)}) | {(condition, not branch)}
                    if other in scenarios:
                        scenarios -= {scenario, other}
                        scenarios.add(scenario - {(condition, branch)})
                        changed = True
                        break
        out += [(scenario, item, origin) for scenario in sorted(scenarios, key=order)]
    if len(out) > MAX_POSSIBILITIES or sum(len(scenario) for scenario, _, _ in out) > MAX_CONDITIONS:
        return [(ALWAYS, _too_complex(what), "")]
    return out


def _kind(node: object) -> str:
    if isinstance(node, bool):
        return "a boolean"
    if isinstance(node, (int, float)):
        return "a number"
    if isinstance(node, str):
        return "a string"
    if isinstance(node, list):
        return "a list"
    if isinstance(node, dict):
        return "an object"
    return type(node).__name__


def _object(node: object) -> dict | None | Literal[False]:
    """The body a node holds: a dict, a one-element list of a dict; None when empty; False when unreadable."""
    if node is None or node == []:
        return None  # plan JSON spells an absent block [] and an absent object null
    if isinstance(node, dict):
        return node
    if isinstance(node, list) and len(node) == 1 and isinstance(node[0], dict):
        return node[0]
    return False


def _dynamic(body: dict, name: str) -> dict | None:
    """The body of ``dynamic "name" { ... }`` in a block body, if there is one."""
    dynamic = body.get("dynamic")
    for item in dynamic if isinstance(dynamic, list) else []:
        if isinstance(item, dict) and isinstance(item.get(name), (dict, list)):
            found = _object(item[name])
            if isinstance(found, dict):
                return found
    return None


def _can_hold(content: object, key: str) -> bool:
    """Whether a dynamic block's content can produce ``key`` (written, or by a dynamic of its own)."""
    body = _object(content)
    return isinstance(body, dict) and (key in body or _dynamic(body, key) is not None)


def collection_items(node: object) -> list | None:
    """The (key, value) pairs Terraform iterates over for a map, a list or a set; None otherwise."""
    if isinstance(node, dict):
        return sorted(node.items())
    if isinstance(node, list):
        return list(enumerate(node))
    return None


def _leaf(node: object, role: str, origin: str) -> Value:
    if role == "scope":  # only whether the inline definition is there
        body = _object(node)
        if body is None:
            return Value.absent()
        return Value.of(True) if body else Value.unknown(f"an inline definition written as {_kind(node)}")
    if node is None:
        return Value.absent("is not set (null)")
    if role in COUNT_ROLES and isinstance(node, (int, float, str)) and not isinstance(node, bool):
        return Value.of(node, origin)
    if role == "flag" and isinstance(node, (bool, str)):
        return Value.of(node, origin)
    wanted = "a number" if role in COUNT_ROLES else "true or false" if role == "flag" else "a value"
    source = f" ({origin})" if origin else ""
    return Value.unknown(f"{_kind(node)}{source}, where {wanted} belongs")


def _walk(node: object, path: tuple, role: str, context: TfContext, scenario: frozenset = ALWAYS,
          origin: str = "", seen: frozenset = frozenset(), parent: str = "") -> Possibilities:
    """The possible values at ``path`` below ``node``, each in its scenario."""
    out: Possibilities = []
    expanded = expand(node, role, context, scenario, origin)
    if len(expanded) > MAX_POSSIBILITIES:
        return [(scenario, _too_complex(f"`{parent or path[0]}`"))]
    for branch_scenario, item, item_origin in expanded:
        if isinstance(item, Value):
            out.append((branch_scenario, item))
            continue
        if not path:
            out.append((branch_scenario, _leaf(item, role, item_origin)))
            continue
        body = _object(item)
        if body is None:
            out.append((branch_scenario, _missing(parent, bool(path), role)))
            continue
        if body is False:
            if isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
                what = f"{len(item)} `{parent}` blocks where one belongs"
            else:
                what = f"`{parent}` written as {_kind(item)}, not an object"
            out.append((branch_scenario, Value.unknown(what)))
            continue
        key = path[0]
        if key not in body or body[key] is None or body[key] == []:
            dynamic = _dynamic(body, key)
            if dynamic is not None:
                out += _walk_dynamic(dynamic, key, path, role, context, branch_scenario, item_origin)
            else:
                out.append((branch_scenario, _missing(key, len(path) > 1, role)))
            continue
        out += _walk(body[key], path[1:], role, context, branch_scenario, item_origin, seen, key)
    return out


def _walk_dynamic(dynamic: dict, key: str, path: tuple, role: str, context: TfContext, scenario: frozenset,
                  origin: str) -> Possibilities:
    """``dynamic "key" { for_each = ..., content { ... } }`` read as the blocks it generates."""
    content = dynamic.get("content")
    if len(path) > 1 and not _can_hold(content, path[1]):
        # whatever it iterates over, the blocks it makes do not hold what is judged
        return [(scenario, _missing(path[1], len(path) > 2, role))]
    iterator = dynamic.get("iterator")
    name = str(iterator) if isinstance(iterator, str) and iterator else key
    out: Possibilities = []
    for branch, collection, _ in expand(dynamic.get("for_each"), "meta", context, scenario, origin):
        items = None if isinstance(collection, Value) else collection_items(collection)
        if items is None:
            what = collection.origin if isinstance(collection, Value) and collection.origin else "a value"
            out.append((branch, Value.unknown(f'a `dynamic "{key}"` block over {what}, expanded only at plan time')))
        elif not items:
            out.append((branch, _missing(key, len(path) > 1, role)))
        elif len(items) > 1:
            out.append((branch, Value.unknown(f'{len(items)} `{key}` blocks (from `dynamic "{key}"`) where one belongs')))
        else:
            item_key, item_value = items[0]
            inner = context.bind(name, {"key": item_key, "value": item_value})
            out += _walk(_object(content) or {}, path[1:], role, inner, branch, origin, frozenset(), key)
    return out


def _missing(key: str, holds_more: bool, role: str) -> Value:
    """The value of a path whose ``key`` is not written; ``holds_more``: the key is a block on the way."""
    if role != "flag":
        return Value.absent()
    return Value.absent(f"is not set (no `{key}`)" if holds_more else "is not set")


# ---------------------------------------------------------------------------------------------
# Subjects
# ---------------------------------------------------------------------------------------------

_HCL_SUPPRESSION = re.compile(r"(?:#|//|/\*)\s*sagemaker-iac-lint:ignore=([^:\s]+)(?::(.*))?")
_JSON_SUPPRESSION = re.compile(r'"//"\s*:\s*"\s*sagemaker-iac-lint:ignore=([^:\s"]+)(?::([^"]*))?"')


def hcl_comments(lines: list[str]) -> list[str]:
    """The comments of HCL ``lines``, as HCL's scanner sees them (``hcl.code_chars``): text inside a
    quoted string, an interpolation's strings or a heredoc is never a comment, so a string cannot
    suppress a finding."""
    comments: list[str] = []
    for _ in _code_chars("\n".join(lines) + "\n", comments=comments):
        pass
    return comments


def _suppressions(lines: list[str], first: int, last: int, json_text: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    pattern = _JSON_SUPPRESSION if json_text else _HCL_SUPPRESSION
    written = lines[max(first - 1, 0) : last]
    if not any("sagemaker-iac-lint:ignore=" in line for line in written):
        # both patterns need these words: a resource without them is not read for comments, which
        # (char by char) was most of re-judging bench/lsp_latency.py's 50-file module (19 of 25 ms)
        return found
    for line in written if json_text else hcl_comments(written):
        match = pattern.search(line)
        if not match:
            continue
        reason = (match.group(2) or "").strip()
        if reason.endswith("*/"):
            reason = reason[:-2].rstrip()
        for name in match.group(1).split(","):
            rule = find_rule(name)
            found[rule.control if rule else name.strip()] = reason
    return found


_JSON_COMMENT_SUPPRESSION = re.compile(r"\s*sagemaker-iac-lint:ignore=([^:\s]+)(?::(.*))?", re.DOTALL)


def _comment_suppressions(comments: tuple[str, ...]) -> dict[str, str]:
    """Suppressions from a `.tf.json` body's "//" values (``sagemaker-iac-lint:ignore=RULE:reason``)."""
    found: dict[str, str] = {}
    for comment in comments:
        match = _JSON_COMMENT_SUPPRESSION.match(comment)
        if match:
            reason = (match.group(2) or "").strip()
            for name in match.group(1).split(","):
                rule = find_rule(name)
                found[rule.control if rule else name.strip()] = reason
    return found


def _attribute_position(lines: list[str], first: int, last: int, key: str, json_text: bool) -> tuple[int, int] | None:
    """Where attribute or block ``key`` is written inside lines first..last (1-based), skipping comments."""
    pattern = re.compile(rf'"{key}"\s*:' if json_text else rf"(?<![\w.\"]){key}\s*(=(?!=)|\{{)")
    for number in range(max(first, 1), min(last, len(lines)) + 1):
        line = lines[number - 1]
        if line.lstrip().startswith(("#", "//", "/*", "*")):
            continue
        match = pattern.search(line)
        if match:
            return number, match.start() + 1
    return None


def _unsupported(control: Rule, resource_type: str, address: str, flag_is_set: bool) -> str:
    flag = ".".join(control.tf_path(control.scope + control.flag_path))
    then = f", keeping `{flag}` set to {control.wanted}" if flag_is_set else f", and set `{flag}` to {control.wanted}"
    return (
        f"`{resource_type}` does not exist in the hashicorp/aws provider, so Terraform rejects `{address}` and "
        f"{control.control} cannot be judged: define the {control.resource_kind} with `{control.tf_types[0]}` "
        f"(hashicorp/awscc){then}."
    )


def _locate(attributes: dict, path: tuple[str, ...], index: LineIndex | None, lines: list[str], line: int,
            end_line: int, json_text: bool, track_from: int = 0) -> tuple[int, int] | None:
    """Where the judged key (else the block holding it) is written inside the resource; keys before
    ``track_from`` (the rule's scope) are never pointed at, as in CloudFormation. ``attributes`` carry the
    native reader's positions where ``index`` is given; else the keys are looked for in the text."""
    position = None
    tracked = tuple(key for number, key in enumerate(path) if number >= track_from)
    if index is not None:
        position = _recorded_position(attributes, path, index, tracked)
        if position is None and getattr(attributes, "spans", None) is not None:
            return None  # the native reader's positions say neither is written: the resource is pointed at
    if position is None and lines:
        for key in tracked[-1:] + tracked[-2:-1]:
            position = _attribute_position(lines, line, end_line, key, json_text)
            if position:
                break
    return position


def _elements(rule: Rule, resource_type: str, attributes: dict,
              context: TfContext) -> Iterator[tuple[frozenset, object, str, TfContext]]:
    """(scenario, element body or an unknown Value, label, context to read it in) for every element of the
    rule's ``each`` list: repeated nested blocks (hashicorp/aws, ``dynamic`` ones expanded as Terraform
    expands them) or a list of objects (awscc). Elements with a ``skip_element`` attribute are left out;
    no list gives nothing to judge."""
    path = rule.tf_path(rule.each, resource_type)
    skip = rule.tf_path(rule.skip_element, resource_type)
    parent: object = attributes
    for key in path[:-1]:
        body = _object(parent)
        parent = body.get(key) if isinstance(body, dict) else None
    body = _object(parent)
    if not isinstance(body, dict):
        return
    key = path[-1]
    label = rule.each[-1]
    index = 0

    def judged(element: object) -> bool:
        return not (isinstance(element, dict) and any(element.get(name) not in (None, []) for name in skip))

    for scenario, collection, _ in expand(body.get(key), "meta", context, ALWAYS, ""):
        if isinstance(collection, Value):
            if collection.kind != "absent":
                yield scenario, collection, f"{label}[{index}]", context
                index += 1
            continue
        if collection is None:
            continue
        for item in collection if isinstance(collection, list) else [collection]:
            for item_scenario, element, _ in expand(item, "meta", context, scenario, ""):
                if element is not None and judged(element):
                    yield item_scenario, element, f"{label}[{index}]", context
            index += 1
    dynamic = _dynamic(body, key)
    if dynamic is None:
        return
    iterator = dynamic.get("iterator")
    name = str(iterator) if isinstance(iterator, str) and iterator else key
    content = _object(dynamic.get("content")) or {}
    for scenario, collection, _ in expand(dynamic.get("for_each"), "meta", context, ALWAYS, ""):
        items = None if isinstance(collection, Value) else collection_items(collection)
        if items is None:
            what = collection.origin if isinstance(collection, Value) and collection.origin else "a value"
            yield scenario, Value.unknown(f'`dynamic "{key}"` blocks over {what}, expanded only at plan time'), \
                f"{label}[{index}]", context
            index += 1
            continue
        for item_key, item_value in items:
            inner = context.bind(name, {"key": item_key, "value": item_value})
            if judged(content):
                yield scenario, content, f"{label}[{index}]", inner
            index += 1


def subject_from_attributes(rule: Rule, address: str, resource_type: str, attributes: object, line: int,
                            context: TfContext, end_line: int = 0, column: int = 1,
                            block: Block | None = None) -> Subject:
    """A ``Subject`` from a resource's attributes in the normalised shape (see the module docstring).

    ``line``/``end_line`` bound the resource block in its file's text (``block.lines``, else
    ``context.lines``); the flag is located inside them, and suppression comments are read from them.
    Where the native reader recorded positions (``hcl.Body``), the flag is located from those.
    """
    end_line = max(end_line, line)
    lines = block.lines if block is not None else context.lines
    json_text = block.json if block is not None else context.json
    subject = Subject(rule, address, resource_type, line, column, count=[], flag=[], terraform=True)
    if block is not None and block.comments is not None:
        subject.suppressions = _comment_suppressions(block.comments)
    elif lines:
        subject.suppressions = _suppressions(lines, line, end_line, json_text)
    if resource_type in NONEXISTENT_TF_TYPES:
        control = NONEXISTENT_TF_TYPES[resource_type]  # the control the user meant to have judged
        flag_path = control.tf_path(control.scope) + control.tf_path(control.flag_path)
        flag_is_set = isinstance(attributes, dict) and all(
            complies(control, value, terraform=True) for _, value in _walk(attributes, flag_path, "flag", context))
        subject.unsupported = _unsupported(control, resource_type, address, flag_is_set)
        return subject
    if not isinstance(attributes, dict):
        unreadable = Value.unknown(f"the resource body, written as {_kind(attributes)}")
        subject.count = [(ALWAYS, unreadable)] if rule.count_path else []
        subject.flag = [(ALWAYS, unreadable.at(line, column))] if rule.flag_path else []
        if rule.each:
            subject.flag, subject.count = ([(ALWAYS, unreadable.at(line, column))], []) if rule.flag_path \
                else ([], [(ALWAYS, unreadable.at(line, column))])
        subject.notes.append(f"its body is {_kind(attributes)}, not a block")
        return subject
    count_role = "min_count" if rule.count_fails == "1" else "count"
    scope = rule.tf_path(rule.scope, resource_type)
    if scope:
        subject.scope = _walk(attributes, scope, "scope", context)
    subject.applies = [_walk(attributes, rule.tf_path(condition.path, resource_type), "flag", context)
                       for condition in rule.applies]
    located, index = _positions(attributes, block, lines, line, end_line, json_text)
    if rule.each:
        judged = rule.tf_path(rule.flag_path or rule.count_path, resource_type)
        each = rule.tf_path(rule.each, resource_type)
        position = _locate(located, each + judged, index, lines, line, end_line, json_text)
        listed = _locate(located, each, index, lines, line, end_line, json_text)
        written = {label: element for _, element, label, _ in _elements(rule, resource_type, located, context)} \
            if located is not attributes else {}
        found: Possibilities = []
        for scenario, element, label, inner in _elements(rule, resource_type, attributes, context):
            if isinstance(element, Value):  # the list itself cannot be known: pointed at where it is written
                found.append((scenario, element.at(*(listed or (line, column))).within(label)))
                continue
            role = "flag" if rule.flag_path else count_role
            where = _element_position(written.get(label, element), judged, index) or position or listed or (line, column)
            found += [(s, v.at(*where).within(label)) for s, v in _walk(element, judged, role, inner, scenario)]
        if rule.flag_path:
            subject.flag = found
        else:
            subject.count = found
        return subject
    count_path = scope + rule.tf_path(rule.count_path, resource_type)
    flag_path = scope + rule.tf_path(rule.flag_path, resource_type)
    if rule.count_path:
        subject.count = _walk(attributes, count_path, count_role, context)
    if rule.flag_path:
        flag_line, flag_column = _locate(located, flag_path, index, lines, line, end_line, json_text,
                                         len(scope)) or (line, column)
        flags = _walk(attributes, flag_path, "flag", context)
        subject.flag = [(scenario, value.at(flag_line, flag_column)) for scenario, value in flags]
    return subject


def _element_position(element: object, path: tuple, index: LineIndex | None) -> tuple[int, int] | None:
    """Where a list element's judged key is written, else the element's own block, from the native
    reader's positions (a repeated nested block knows where it starts); None without them."""
    if index is None or not isinstance(element, dict):
        return None
    found = _recorded_position(element, path, index)
    if found is not None:
        return found
    start = getattr(element, "start", -1)
    return index.position(start) if isinstance(start, int) and start >= 0 else None


class _BlockIndex(LineIndex):
    """Positions in one resource block's text, as lines of the whole file (the block starts at ``first``)."""

    __slots__ = ("first",)

    def __init__(self, text: str, first: int) -> None:
        super().__init__(text)
        self.first = first

    def position(self, offset: int) -> tuple[int, int]:
        line, column = super().position(offset)
        return line + self.first - 1, column


def _positions(attributes: dict, block: Block | None, lines: list[str], line: int, end_line: int,
               json_text: bool) -> tuple[dict, LineIndex | None]:
    """A body that knows where its keys are written, and the index to read those positions with: the
    native reader's own; else (python-hcl2 read the file, since the native reader could not read all of
    it) the native reader's reading of this one block's text, for positions only, when it can; else the
    attributes as they are, located by a text search."""
    if block is not None and block.index is not None:
        return attributes, block.index
    if json_text or not lines or end_line < line:
        return attributes, None
    found = block.located if block is not None else None
    if found is None:
        found = _block_positions(lines, line, end_line)
        if block is not None:
            block.located = found
    body, index = found
    return (body, index) if body is not None else (attributes, None)


def _block_positions(lines: list[str], line: int, end_line: int) -> tuple[dict | None, LineIndex | None]:
    """The native reader's body of the one resource block written at lines ``line``..``end_line``, with
    its positions; (None, None) when it cannot read it."""
    from . import hcl

    text = "\n".join(lines[line - 1:end_line]) + "\n"
    try:
        resources = hcl.parse(text).resources
    except (hcl.HclError, RecursionError):
        return None, None
    if len(resources) != 1 or not isinstance(resources[0].body, dict):
        return None, None
    return resources[0].body, _BlockIndex(text, line)


def _recorded_position(attributes: dict, path: tuple, index: LineIndex,
                       tracked: tuple | None = None) -> tuple[int, int] | None:
    """Where the flag (else the block holding it) is written, from the native reader's positions."""
    found: dict[str, int] = {}
    node: object = attributes
    for key in path:
        body = _object(node)
        if not isinstance(body, dict) or key not in body:
            break
        spans = getattr(body, "spans", None)
        if spans is None:
            return None  # not the native reader's output: located from the text instead
        if key in spans:
            found[key] = spans[key][0]
        node = body[key]
    candidates = path if tracked is None else tracked
    for key in candidates[-1:] + candidates[-2:-1]:
        if key in found:
            return index.position(found[key])
    return None


def monitored_rules(resource_type: str) -> tuple[Rule, ...]:
    """The rules that judge a resource type; a hashicorp/aws type that does not exist has one, which
    reports it (a configuration error, said once)."""
    if resource_type in NONEXISTENT_TF_TYPES:
        return (UNKNOWN_TYPE,)
    return RULES_BY_TF_TYPE.get(resource_type, ())


def _guarded(read: Callable[[], list[Subject]]) -> list[Subject]:
    try:
        return read()
    except RecursionError:
        raise ReadError("nested too deeply to read") from None


# ---------------------------------------------------------------------------------------------
# .tf
# ---------------------------------------------------------------------------------------------


class Block:
    """One top-level block of a file (a resource, a module call), with where it is written.

    ``body``: normalised; ``lines``: the file's lines (suppressions, and locating the flag when no
    positions were recorded); ``index``: the file's ``LineIndex`` when the native reader recorded
    positions in ``body``.
    """

    __slots__ = ("type", "name", "body", "path", "line", "end_line", "column", "lines", "json", "index", "located",
                 "comments")

    def __init__(self, type_: str, name: str, body: object, path: str, line: int, end_line: int, column: int,
                 lines: list[str], json: bool = False, index: LineIndex | None = None,
                 comments: tuple[str, ...] | None = None) -> None:
        self.type = type_
        self.name = name
        self.body = body
        self.path = path
        self.line = line
        self.end_line = end_line
        self.column = column
        self.lines = lines
        self.json = json
        self.index = index
        # ``_positions``' answer, worked out once for the block however many rules judge it
        self.located: tuple[dict | None, LineIndex | None] | None = None
        # `.tf.json`: the body's own "//" comments, where suppressions are read (None: from ``lines``)
        self.comments = comments

    def __repr__(self) -> str:
        return f"Block({self.type!r}, {self.name!r}, {self.path!r}, line={self.line})"


class ParsedFile:
    """What one `.tf`/`.tofu`/`.tf.json` file declares, normalised: variables (name -> body),
    locals (name -> value), resources and module calls (``Block``)."""

    __slots__ = ("path", "variables", "locals", "resources", "modules")

    def __init__(self, path: str) -> None:
        self.path = path
        self.variables: dict[str, dict] = {}
        self.locals: dict = {}
        self.resources: list[Block] = []
        self.modules: list[Block] = []


def _labelled(entries: object) -> Iterator[tuple[str, object]]:
    """(label, body) pairs of a top-level block list such as ``variable`` (one label)."""
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, dict):
            for label, body in entry.items():
                if not label.startswith("__"):
                    yield _unquote(label), body


def tf_context(parsed: dict, shape: str, text: str) -> TfContext:
    """The one-file context of a file python-hcl2 or Checkov's hcl2 parsed (``shape``): as ``_file_context``."""
    variables: dict[str, dict] = {}
    for name, body in _labelled(parsed.get("variable", [])):
        variables[name] = _hcl_body(body, shape) if isinstance(body, dict) else {}
    locals_: dict = {}
    for body in parsed.get("locals", []) if isinstance(parsed.get("locals"), list) else []:
        if isinstance(body, dict):
            locals_.update(_hcl_body(body, shape))
    context = _variables_context(variables, locals_)
    context.text, context.lines = text, text.splitlines()
    return context


def _block_lines(text: str, resource_type: str, name: str, raw: object, after: int,
                 index: LineIndex | None = None, kind: str = "resource") -> tuple[int, int, int, int]:
    """(start line, end line, column, offset) of ``resource "type" "name" {`` in the text.

    Only the python-hcl2 fallback needs this: the native reader records where each block is."""
    position = index.position if index is not None else (lambda offset: _line_of(text, offset))
    labels = rf'("{re.escape(resource_type)}"|{re.escape(resource_type)})[ \t]+' if kind == "resource" else ""
    header = re.compile(rf'^[ \t]*{kind}[ \t]+{labels}("{re.escape(name)}"|{re.escape(name)})[ \t]*\{{', re.M)
    match = header.search(text, after) or header.search(text)
    if match:
        line, column = position(match.start() + len(match.group(0)) - len(match.group(0).lstrip()))
        close = _closing(text, match.end() - 1)
        end = position(close)[0] if close >= 0 else line
        return line, end, column, match.end()
    # The header is written in a way the pattern misses (a comment inside it): the parser's lines, if any.
    meta = raw if isinstance(raw, dict) else {}
    written_start = meta.get("__start_line__")
    written_end = meta.get("__end_line__")
    start = written_start if isinstance(written_start, int) else 1
    end = written_end if isinstance(written_end, int) else start
    return start, end, 1, after


_NOT_BRACKETS = re.compile(r"[^\[\]{}()]+")
MAX_DEPTH = 400  # hcl2 hits Python's recursion limit near 300 levels, after seconds on a large file


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") + text.count("(") <= MAX_DEPTH:
        return False
    depth = 0
    for bracket in _NOT_BRACKETS.sub("", text):  # strings may hold brackets: a bound, not a parse
        depth = depth + 1 if bracket in "[{(" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            return True
    return False


def parse_tf(text: str, path: str, hcl2_problem: Callable[[], str | None] | None = None,
             parser: str = "auto") -> ParsedFile:
    """One `.tf` (or `.tofu`) file's declarations. Raises ReadError when it cannot be parsed.

    The file is read by ``hcl.parse``; python-hcl2 (or whichever ``hcl2`` is installed) reads it only
    when that reader does not handle it, so that ``hcl2``'s start-up is paid only then.
    ``hcl2_problem``: asked before ``hcl2`` is used (default: this module's ``hcl2_problem``).
    ``parser``: "auto", or "native" / "hcl2" to use only that one (the tests compare them).
    """
    if _too_deep(text):
        raise ReadError(f"nested more than {MAX_DEPTH} levels deep")
    problem = hcl2_problem or globals()["hcl2_problem"]
    if parser == "hcl2":
        return _parse_tf_with_hcl2(text, path, None, problem)
    from . import hcl

    try:
        parsed = hcl.parse(text)
    except (hcl.HclError, RecursionError) as error:
        if parser == "native":
            raise ReadError(f"invalid HCL: {error}" if isinstance(error, hcl.HclError) else "nested too deeply to parse") from None
        return _parse_tf_with_hcl2(text, path, error, problem)
    if text.startswith("\ufeff"):
        text = text[1:]
    index = LineIndex(text)
    lines = text.splitlines()
    out = ParsedFile(path)
    out.variables.update(parsed.variables)
    out.locals.update(parsed.locals)
    for kind, found in (("resource", parsed.resources), ("module", parsed.modules)):
        target = out.resources if kind == "resource" else out.modules
        for block in found:
            line, column = index.position(block.start)
            end = index.position(block.end)[0]
            target.append(Block(block.type, block.name, block.body, path, line, end, column, lines, False, index))
    return out


def _parse_tf_with_hcl2(text: str, path: str, native_error: BaseException | None,
                        hcl2_problem: Callable[[], str | None]) -> ParsedFile:
    from . import hcl

    problem = hcl2_problem()
    if problem and native_error is None:
        raise ReadError(problem)
    if problem:
        if isinstance(native_error, hcl.HclSyntaxError):
            raise ReadError(f"invalid HCL: {native_error}")
        if isinstance(native_error, RecursionError):
            raise ReadError("nested too deeply to parse")
        raise ReadError(f"{native_error}: only python-hcl2 reads that here, and {problem}")
    shape, loads = _hcl2_parser()
    try:
        parsed = loads(text)
    except RecursionError:
        raise ReadError("nested too deeply to parse") from None
    except Exception as error:  # lark's errors and whatever the transformer raises on odd input
        raise ReadError(f"invalid HCL: {_one_line(error)}") from None
    if not isinstance(parsed, dict):
        raise ReadError("invalid HCL: the parser returned no blocks")
    try:
        return _from_hcl2(parsed, shape, text, path)
    except RecursionError:
        raise ReadError("nested too deeply to read") from None


def _from_hcl2(parsed: dict, shape: str, text: str, path: str) -> ParsedFile:
    out = ParsedFile(path)
    index = LineIndex(text)
    lines = text.splitlines()
    for name, body in _labelled(parsed.get("variable", [])):
        out.variables[name] = _hcl_body(body, shape) if isinstance(body, dict) else {}
    for body in parsed.get("locals", []) if isinstance(parsed.get("locals"), list) else []:
        if isinstance(body, dict):
            out.locals.update(_hcl_body(body, shape))
    offset = 0
    resources = parsed.get("resource", [])
    for entry in resources if isinstance(resources, list) else [resources]:
        if not isinstance(entry, dict):
            continue
        for raw_type, named in entry.items():
            resource_type = _unquote(raw_type)
            if raw_type.startswith("__") or not isinstance(named, dict):
                continue
            for raw_name, raw_body in named.items():
                if raw_name.startswith("__"):
                    continue
                name = _unquote(raw_name)
                line, end, column, offset = _block_lines(text, resource_type, name, raw_body, offset, index)
                body = _hcl_body(raw_body, shape) if isinstance(raw_body, dict) else raw_body
                out.resources.append(Block(resource_type, name, body, path, line, end, column, lines))
    for name, body in _labelled(parsed.get("module", [])):
        line, end, column, _ = _block_lines(text, "module", name, body, 0, index, kind="module")
        normalised = _hcl_body(body, shape) if isinstance(body, dict) else {}
        out.modules.append(Block("module", name, normalised, path, line, end, column, lines))
    return out


def _file_context(parsed: ParsedFile) -> TfContext:
    """The context of one file read alone: its own variables' defaults and its own locals."""
    return _variables_context(parsed.variables, parsed.locals)


def _variables_context(variables: dict, locals_: dict) -> TfContext:
    from .tfmodule import validation_bound, validation_floor

    context = TfContext()
    for name, body in variables.items():
        default = body.get("default", NO_DEFAULT) if isinstance(body, dict) else NO_DEFAULT
        if isinstance(body, dict) and body.get("validation") is not None:
            # a count is read within what the validation allows, as in a module
            context.variables[name] = Variable(name, default, None, "", False, validation_bound(name, body),
                                               validation_floor(name, body))
        else:
            context.variables[name] = default
    context.locals.update(locals_)
    return context


def file_subjects(parsed: ParsedFile) -> list[Subject]:
    """The monitored resources of one file read alone (no module, no instances): ``read_tf``'s view."""
    context = _file_context(parsed)

    def read() -> list[Subject]:
        subjects = []
        for block in parsed.resources:
            for rule in monitored_rules(block.type):
                subjects.append(subject_from_attributes(
                    rule, f"{block.type}.{block.name}", block.type, block.body, block.line, context,
                    block.end_line, block.column, block))
        return subjects

    return _guarded(read)


def read_tf(text: str, path: str, hcl2_problem: Callable[[], str | None] | None = None, parser: str = "auto") -> list[Subject]:
    """The monitored resources of one `.tf` file read alone. Raises ReadError when it cannot be parsed.

    The CLI reads a whole module (``tfmodule``); this is one file's own view, with its own defaults.
    """
    return file_subjects(parse_tf(text, path, hcl2_problem, parser))


# ---------------------------------------------------------------------------------------------
# .tf.json and plan JSON
# ---------------------------------------------------------------------------------------------


def load_json(text: str) -> Any:  # noqa: ANN401 - JSON data
    import json

    from .nesting import refuse_deep

    refuse_deep(text)

    try:
        return json.loads(text)
    except RecursionError:
        raise ReadError("nested too deeply to parse") from None
    except json.JSONDecodeError as error:
        raise ReadError(f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except ValueError as error:
        raise ReadError(f"invalid JSON: {_one_line(error)}") from None


def _json_objects(node: object) -> list[dict]:
    """Terraform JSON allows an object or an array of objects wherever a block goes."""
    if isinstance(node, dict):
        return [node]
    if isinstance(node, list):
        return [item for item in node if isinstance(item, dict)]
    return []


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_block_spans(text: str) -> dict[tuple[str, str], tuple[int, int]]:
    """Where each resource (``(type, name)``) and module call (``("module", name)``) of a Terraform JSON
    file is written: (offset of its name's opening quote, offset of its value's last character).

    One pass over the text: the sections that hold blocks are walked key by key, every other value is
    skipped by the C scanner ``json.loads`` is made of. Searching for each block's keys from the top of
    the file instead (and matching brackets character by character) made 5,000 resources in one file
    take over 300 s; this pass takes about as long as ``json.loads`` (30 ms on that 1.1 MB file).
    The first of two blocks of one name is the one located, as a search from the top found it.
    """
    import json

    scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
    scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
    space = _JSON_SPACE.match
    spans: dict[tuple[str, str], tuple[int, int]] = {}

    def skip_space(i: int) -> int:
        found = space(text, i)
        return found.end() if found else i

    def walk(i: int, path: tuple[str, ...]) -> int:
        """Read the value at ``i`` (``path``: the keys leading to it); the offset just past it."""
        opening = text[i]
        if opening == "[" and path in (("resource",), ("module",)):  # an array of objects where a block goes
            i = skip_space(i + 1)
            while text[i] != "]":
                i = skip_space(walk(i, path))
                if text[i] == ",":
                    i = skip_space(i + 1)
            return i + 1
        if opening != "{" or not (len(path) == 0 or path in (("resource",), ("module",))
                                  or (len(path) == 2 and path[0] == "resource")):
            return int(scan(text, i)[1])
        i = skip_space(i + 1)
        while text[i] != "}":
            key_start = i
            key, i = scanstring(text, i + 1)
            i = skip_space(skip_space(i) + 1)  # past the colon
            end = walk(i, (*path, key))
            if len(path) == 2:
                spans.setdefault((path[1], key), (key_start, end - 1))
            elif path == ("module",):
                spans.setdefault(("module", key), (key_start, end - 1))
            i = skip_space(end)
            if text[i] == ",":
                i = skip_space(i + 1)
        return i + 1

    try:
        walk(skip_space(0), ())
    except (ValueError, IndexError, StopIteration):  # json.loads read it, so this does not happen
        return spans
    return spans


def parse_tf_json(text: str, path: str) -> ParsedFile:
    """One `.tf.json` (or `.tofu.json`) file's declarations. Raises ReadError when it cannot be parsed."""
    data = load_json(text)
    if not isinstance(data, dict):
        raise ReadError("a Terraform JSON file must hold an object")

    def read() -> ParsedFile:
        out = ParsedFile(path)
        index = LineIndex(text)
        lines = text.splitlines()
        spans = _json_block_spans(text)
        for variables in _json_objects(data.get("variable")):
            for name, body in variables.items():
                out.variables[name] = json_value(body) if isinstance(body, dict) else {}
        for local_values in _json_objects(data.get("locals")):
            out.locals.update(json_value(local_values))
        for kind in ("resource", "module"):
            for entries in _json_objects(data.get(kind)):
                for first, named in entries.items():
                    if kind == "module":
                        named, first = {first: named}, "module"
                    if not isinstance(named, dict):
                        continue
                    for name, body in named.items():
                        found = spans.get((first, name))
                        line, end, column = 1, 1, 1
                        if found:
                            (line, column), end = index.position(found[0]), index.position(found[1])[0]
                        bodies = _json_objects(body)
                        attributes = json_value(bodies[0]) if len(bodies) == 1 else body
                        # only the body's own "//" keys are comments on the resource: one inside an
                        # attribute's object value is that value's key
                        comments = tuple(str(part["//"]) for part in bodies if isinstance(part.get("//"), str))
                        target = out.resources if kind == "resource" else out.modules
                        target.append(Block(first, name, attributes, path, line, end, column, lines, True, None, comments))
        return out

    try:
        return read()
    except RecursionError:
        raise ReadError("nested too deeply to read") from None


def read_tf_json(text: str, path: str) -> list[Subject]:
    """The monitored resources of one `.tf.json` file read alone. Raises ReadError when it cannot be parsed."""
    return file_subjects(parse_tf_json(text, path))


def is_plan(data: object) -> bool:
    """Whether parsed JSON is `terraform show -json` output (a plan, or a state)."""
    return isinstance(data, dict) and (
        "planned_values" in data or ("format_version" in data and "terraform_version" in data)
    )


def _after_apply(values: object, unknown: object) -> object:
    """Plan values with what ``after_unknown`` marks replaced by AFTER_APPLY."""
    if unknown is True:
        return AFTER_APPLY
    if isinstance(unknown, dict) and (values is None or isinstance(values, dict)):
        merged = dict(values or {})
        for key, marker in unknown.items():
            merged[key] = _after_apply(merged.get(key), marker)
        return merged
    if isinstance(unknown, list) and isinstance(values, list):
        return [_after_apply(v, unknown[i] if i < len(unknown) else False) for i, v in enumerate(values)]
    return values


def _plan_resources(module: object) -> Iterator[dict]:
    """Every resource of a planned module and its child modules."""
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield resource
    for child in module.get("child_modules") or []:
        yield from _plan_resources(child)


def read_plan(text: str, path: str, data: Any = None) -> list[Subject]:  # noqa: ANN401 - JSON data
    """The monitored resources of a plan (``data``: the already parsed JSON, to parse only once)."""
    import json  # a plan is JSON: loaded by now, and never needed on a .tf scan

    if data is None:
        data = load_json(text)
    if not is_plan(data):
        raise ReadError("not a Terraform plan (no `planned_values`)")

    def read() -> list[Subject]:
        unknown: dict[object, object] = {}
        for change in data.get("resource_changes") or []:
            if isinstance(change, dict) and isinstance(change.get("change"), dict):
                unknown[change.get("address")] = change["change"].get("after_unknown")
        values = data.get("planned_values") or data.get("values") or {}
        subjects = []
        for resource in _plan_resources(values.get("root_module") if isinstance(values, dict) else None):
            resource_type = str(resource.get("type"))
            rules = monitored_rules(resource_type)
            if not rules or resource.get("mode", "managed") != "managed":
                continue
            address = str(resource.get("address") or f"{resource_type}.{resource.get('name')}")
            match = re.search(r'"address"\s*:\s*' + re.escape(json.dumps(address)), text)
            line, column = _line_of(text, match.start()) if match else (1, 1)
            attributes = _after_apply(resource.get("values"), unknown.get(address))
            # A plan holds values, not expressions, and no comments: nothing to locate or suppress.
            for rule in rules:
                subjects.append(subject_from_attributes(rule, address, resource_type, attributes, line, TfContext(),
                                                        line, column))
        return subjects

    return _guarded(read)
