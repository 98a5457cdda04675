"""The CloudFormation front end: load a template with positions, resolve the monitored properties.

``load_template`` reads YAML (every short-form tag) and JSON into plain dicts and lists whose
mappings remember where each key was written. ``read_subjects`` turns a loaded template, or any
plain dict shaped like one, into ``core.Subject`` records following PRODUCT.md's "How a value
resolves". The resolver walks only the property paths the rule table names, never the whole
document, so YAML aliases cost nothing however often they repeat.
"""

from __future__ import annotations

import yaml

from .core import ALWAYS, Possibilities, Subject, Value
from .errors import ReadError
from .rules import RULES_BY_CFN_TYPE, Rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: a start-up cost for annotations only
    from collections.abc import Callable, Iterator
    from typing import Any

try:  # libyaml's C parser when present: an order of magnitude faster
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _BaseLoader = yaml.SafeLoader

SUPPRESSION_KEY = "sagemaker-iac-lint"
NO_VALUE = "AWS::NoValue"
PSEUDO_PARAMETERS = {
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
}


class MarkedDict(dict):
    """A mapping that remembers where it and each of its keys were written (1-based)."""

    line = 0
    column = 0

    def key_position(self, key: str) -> tuple[int, int]:
        marks = getattr(self, "key_marks", None)
        if marks and key in marks:
            return marks[key]
        # Checkov hands us dicts with its own start lines
        start = self.get("__startline__") if isinstance(self, dict) else None
        return (start, 1) if isinstance(start, int) else (self.line, self.column)


def _position(node: Any) -> tuple[int, int]:
    if isinstance(node, MarkedDict):
        return node.line, node.column
    if isinstance(node, dict):
        start = node.get("__startline__")
        if isinstance(start, int):
            return start, 1
    return 0, 0


def _key_position(mapping: dict, key: str) -> tuple[int, int]:
    if isinstance(mapping, MarkedDict):
        return mapping.key_position(key)
    child = mapping.get(key)
    line, column = _position(child)
    return (line, column) if line else _position(mapping)


_MERGE_TAG = "tag:yaml.org,2002:merge"
MERGE_NOTE = (
    "`{key}` comes from a YAML merge key (`<<`); CloudFormation itself accepts YAML aliases and merge "
    "keys only through `aws cloudformation package` or SAM, which expand them"
)
DUPLICATE_NOTE = (
    "`{key}` is written {times} times (lines {lines}); judged as CloudFormation deploys it, with the last one"
)


def _node_key(node: yaml.Node) -> Any:
    return (node.tag, node.value) if isinstance(node, yaml.ScalarNode) else id(node)


class TemplateLoader(_BaseLoader):
    """Safe loader with CloudFormation's short-form tags and key positions."""

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Merge keys as the YAML merge-key spec (yaml.org/type/merge.html) says, whatever PyYAML says.

        A key written in the mapping itself wins over every merged one; in ``<<: [*a, *b]`` an earlier
        mapping wins over a later one (PyYAML releases have disagreed on that order, so it is done here).
        Each mapping node is flattened in place once, so merges repeated through aliases cost nothing
        more however often they repeat. The keys that came from a merge are remembered on the node.
        """
        sources: list[yaml.MappingNode] = []
        local: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                if isinstance(value_node, yaml.MappingNode):
                    sources.append(value_node)
                elif isinstance(value_node, yaml.SequenceNode):
                    for item in value_node.value:
                        if not isinstance(item, yaml.MappingNode):
                            raise yaml.constructor.ConstructorError(
                                "while constructing a mapping", node.start_mark,
                                f"expected a mapping for merging, but found {item.id}", item.start_mark,
                            )
                        sources.append(item)
                else:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"expected a mapping or list of mappings for merging, but found {value_node.id}",
                        value_node.start_mark,
                    )
            else:
                if key_node.tag == "tag:yaml.org,2002:value":
                    key_node.tag = "tag:yaml.org,2002:str"
                local.append((key_node, value_node))
        if not sources:
            return
        written = {_node_key(key_node) for key_node, _ in local}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        names: set = set()
        for source in sources:
            self.flatten_mapping(source)
            for key_node, value_node in source.value:
                identity = _node_key(key_node)
                if identity in written:
                    continue  # a key of the mapping itself, or of an earlier mapping in the merge, wins
                written.add(identity)
                merged.append((key_node, value_node))
                if isinstance(key_node, yaml.ScalarNode):
                    names.add(key_node.value)
        node.value = merged + local
        node.merged_keys = names  # type: ignore[attr-defined]


def _construct_mapping(loader: TemplateLoader, node: yaml.MappingNode) -> Iterator[MarkedDict]:
    data = MarkedDict()
    data.line, data.column = node.start_mark.line + 1, node.start_mark.column + 1
    yield data
    loader.flatten_mapping(node)
    marks: dict[str, tuple[int, int]] = {}
    duplicates: dict[Any, list[int]] | None = None
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in data:  # last wins, as CloudFormation reads it; remembered so a finding can say so
            duplicates = duplicates if duplicates is not None else {}
            duplicates.setdefault(key, [marks[key][0] if key in marks else data.line]).append(line)
        data[key] = loader.construct_object(value_node, deep=False)
        marks[key] = (line, key_node.start_mark.column + 1)
    data.key_marks = marks  # type: ignore[attr-defined]
    if duplicates:
        data.duplicates = duplicates  # type: ignore[attr-defined]
    merged = getattr(node, "merged_keys", None)
    if merged:
        data.merged_keys = merged  # type: ignore[attr-defined]


def _construct_tag(loader: TemplateLoader, suffix: str, node: yaml.Node) -> MarkedDict:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        key = "Ref"
    elif suffix == "Condition":
        key = "Condition"
    else:
        key = f"Fn::{suffix}"
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    data = MarkedDict({key: value})
    data.line, data.column = node.start_mark.line + 1, node.start_mark.column + 1
    data.key_marks = {key: (data.line, data.column)}  # type: ignore[attr-defined]
    return data


TemplateLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
TemplateLoader.add_multi_constructor("!", _construct_tag)


def load_template(text: str, is_json: bool = False) -> Any:
    """Parse YAML or JSON text into marked dicts. Raises ReadError with a one-line reason."""
    from .nesting import refuse_deep

    if is_json:
        from .cfn_json import load_json  # the C JSON parser, positions recovered where asked for

        found = load_json(text)  # bounds the depth itself, as refuse_deep would
        if found is not None:
            return found
    refuse_deep(text)  # before libyaml sees it: its C code can overflow the stack on deep nesting
    if is_json:
        # A raw tab is only legal between JSON tokens, where YAML refuses it: swap it for a space of the
        # same width so the fast marked loader reads JSON too and columns stay right.
        text = text.replace("\t", " ")
    try:
        return yaml.load(text, Loader=TemplateLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        if is_json:
            return _load_plain_json(text)
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ReadError(f"invalid YAML{where}: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ReadError(f"invalid YAML: {str(error).splitlines()[0]}") from None
    except RecursionError:
        raise ReadError("nesting too deep to read") from None


def _load_plain_json(text: str) -> Any:
    """JSON that YAML refuses (rare escapes): read without positions rather than not at all."""
    import json  # here, not at the top: the YAML loader reads nearly every JSON template

    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise ReadError("nesting too deep to read") from None


# --- deployments ------------------------------------------------------------------------------

class Deployment:
    """One way the template is deployed: a name for the finding, and the parameter values it gives."""

    __slots__ = ("name", "values")

    def __init__(self, name: str, values: dict[str, str]) -> None:
        self.name = name
        self.values = values

    def __repr__(self) -> str:
        return f"Deployment({self.name!r}, {self.values!r})"


def parameter_text(value: Any) -> str:
    """A parameter value as CloudFormation receives it: a string (lists are comma-joined)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(parameter_text(item) for item in value)
    return str(value)


def parse_parameter_document(data: Any, source: str) -> dict[str, str]:
    """Parameter values from a parameter file: the AWS CLI list form
    (``[{"ParameterKey": ..., "ParameterValue": ...}]``), the CodePipeline template configuration form
    (``{"Parameters": {...}}``) or a plain mapping. Raises ReadError for anything else."""
    values: dict[str, str] = {}
    if isinstance(data, list):
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
                raise ReadError(f"{source}: every entry of a parameter list needs a ParameterKey")
            if entry.get("UsePreviousValue") in (True, "true"):
                continue  # the previous stack's value: not known here, so the Default is judged
            if "ParameterValue" not in entry:
                raise ReadError(f"{source}: parameter `{entry['ParameterKey']}` has no ParameterValue")
            values[entry["ParameterKey"]] = parameter_text(entry["ParameterValue"])
        return values
    if isinstance(data, dict):
        body = data.get("Parameters", data) if "Parameters" in data else data
        if isinstance(body, dict):
            for key, value in body.items():
                if key in ("__startline__", "__endline__"):
                    continue
                if isinstance(value, (dict,)) or value is None:
                    raise ReadError(f"{source}: parameter `{key}` has no plain value")
                values[str(key)] = parameter_text(value)
            return values
    raise ReadError(f"{source}: not a parameter file (expected a list of ParameterKey/ParameterValue or {{\"Parameters\": ...}})")


def load_parameter_file(path: str) -> Deployment:
    """A ``--parameter-file``: JSON (or YAML) in either form. Raises ReadError."""
    from .files import read_regular_file
    from .scan import MAX_BYTES, decode

    try:
        raw = read_regular_file(path, MAX_BYTES)
    except OSError as error:
        raise ReadError(f"cannot read parameter file {path}: {error.strerror or error}") from None
    try:
        text = decode(raw)
    except ReadError as error:
        raise ReadError(f"cannot read parameter file {path}: {error}") from None
    try:
        data = load_template(text, is_json=text.lstrip().startswith(("{", "[")))
    except ReadError as error:  # the reader's message names no file: this one does
        raise ReadError(f"cannot read parameter file {path}: {error}") from None
    return Deployment(path, parse_parameter_document(data, path))


def parse_parameter_assignment(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` from ``--parameter``. Raises ReadError."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise ReadError(f"--parameter {text!r}: expected KEY=VALUE")
    return key.strip(), value


def _split_overrides(text: str) -> list[str]:
    """``Key1=Value1 Key2="Value two"``: sam's parameter_overrides string, split as a shell would."""
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


SAMCONFIG_NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
SAM_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")


def samconfig_deployments(template_path: str) -> list[Deployment]:
    """Each environment of a ``samconfig.toml`` (or ``.yaml``/``.yml``) beside the template, as ``sam deploy``
    reads it: ``[ENV.deploy.parameters] parameter_overrides`` (a string or a list of ``KEY=VALUE``).
    A config that names another template (``template_file``) is not about this one."""
    import os

    folder = os.path.dirname(os.path.abspath(template_path))
    for name in SAMCONFIG_NAMES:
        config_path = os.path.join(folder, name)
        if os.path.isfile(config_path):
            break
    else:
        return []
    try:
        from .files import read_regular_file
        from .scan import MAX_BYTES

        raw = read_regular_file(config_path, MAX_BYTES)
        if name.endswith(".toml"):
            from .config import toml_module

            data: Any = toml_module().loads(raw.decode("utf-8"))
        else:
            data = load_template(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, ReadError) as error:
        raise ReadError(f"cannot read {name} beside the template: {error}") from None
    if not isinstance(data, dict):
        return []
    deployments = []
    shown = os.path.join(os.path.dirname(template_path), name) if os.path.dirname(template_path) else name
    for environment, commands in data.items():
        if not isinstance(commands, dict):
            continue  # `version = 0.1`
        merged: dict = {}
        for command in ("global", "deploy"):
            section = commands.get(command)
            parameters = section.get("parameters") if isinstance(section, dict) else None
            if isinstance(parameters, dict):
                merged.update(parameters)
        if "deploy" not in commands and "global" not in commands:
            continue
        template_file = merged.get("template_file") or merged.get("template")
        if isinstance(template_file, str):
            named = os.path.abspath(os.path.join(folder, template_file))
            if os.path.normcase(named) != os.path.normcase(os.path.abspath(template_path)):
                continue
        elif os.path.basename(template_path).lower() not in SAM_TEMPLATE_NAMES:
            continue  # without template_file, sam deploys template.yaml (or .yml, .json) only
        overrides = merged.get("parameter_overrides")
        items = _split_overrides(overrides) if isinstance(overrides, str) else overrides if isinstance(overrides, list) else []
        values: dict[str, str] = {}
        for item in items:
            key, equals, value = str(item).partition("=")
            if equals:
                values[key.strip()] = value
        deployments.append(Deployment(f"{shown} [{environment}]", values))
    return deployments


# --- resolution -----------------------------------------------------------------------------

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"


def _transforms(data: dict) -> list[str]:
    transform = data.get("Transform")
    items = transform if isinstance(transform, list) else [transform]
    return [item for item in items if isinstance(item, str)]


class Template:
    """What a resolver needs from the whole template: parameters, mappings, conditions, a deployment."""

    def __init__(self, data: dict, deployment: Deployment | None = None):
        parameters = data.get("Parameters")
        mappings = data.get("Mappings")
        resources = data.get("Resources")
        self.parameters: dict = parameters if isinstance(parameters, dict) else {}
        self.mappings: dict = mappings if isinstance(mappings, dict) else {}
        self.resources: dict = resources if isinstance(resources, dict) else {}
        self.deployment = deployment
        self.map_values: dict[str, list[Value]] = {}  # Fn::FindInMap arguments -> their distinct values
        self.extensions = LANGUAGE_EXTENSIONS in _transforms(data)
        if self.extensions and any(isinstance(k, str) and k.startswith(FOR_EACH) for k in self.resources):
            self.resources = _expand_for_each(self.resources, self, {}, 0)
        self.conditions = Conditions(data.get("Conditions"), self.parameters, self.deployed_values())

    def deployed_values(self) -> dict[str, str] | None:
        """In a deployment, each parameter's value: the one given, else its Default (None: no value)."""
        if self.deployment is None:
            return None
        values: dict[str, str] = {}
        for name, parameter in self.parameters.items():
            if name in self.deployment.values:
                values[name] = self.deployment.values[name]
            elif isinstance(parameter, dict) and "Default" in parameter and _default_allowed(parameter):
                values[name] = parameter_text(parameter["Default"])
        return values


def _allowed_values(parameter: Any) -> list[str] | None:
    allowed = parameter.get("AllowedValues") if isinstance(parameter, dict) else None
    if isinstance(allowed, list) and allowed:
        return [parameter_text(value) for value in allowed]
    return None


def _default_allowed(parameter: dict) -> bool:
    """A Default outside the parameter's own AllowedValues is refused at deployment: never what deploys."""
    allowed = _allowed_values(parameter)
    if allowed is None or "Default" not in parameter:
        return True
    default = parameter_text(parameter["Default"])
    if str(parameter.get("Type", "")).startswith("CommaDelimitedList") or str(parameter.get("Type", "")).startswith("List<"):
        return all(item.strip() in allowed for item in default.split(","))
    return default in allowed


# --- conditions ------------------------------------------------------------------------------

UNREADABLE = "unreadable"  # the value of a condition that cannot be read: it holds either way
_UNREADABLE = ("unreadable",)


class _TooComplex(Exception):
    pass


class _Fresh:
    """A parameter value that no literal of the template spells: one per slot, all distinct."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"<fresh {self.index}>"


TOO_COMPLEX_NOTE = (
    "the template's conditions were too complex to decide which combinations can hold, so every "
    "combination was judged possible"
)


class Conditions:
    """Which combinations of named conditions can hold together, soundly.

    A combination is left out only when no deployment can make it hold: each condition is compiled
    once into a tree over parameters (``Fn::Equals`` of parameter and parameter, parameter and literal,
    literal and literal; ``And``/``Or``/``Not``; ``Condition`` references), and a scenario is feasible
    when some assignment of values to the parameters it reaches satisfies it. A parameter with
    AllowedValues ranges over them; one without over every literal compared within its group of
    parameters compared with each other plus as many fresh, distinct values as the group has members
    (so two free parameters can be equal or not). What a condition compares that is neither (``Fn::Sub``,
    ``Fn::Select``, ``Fn::FindInMap``, a pseudo parameter other than through ``Ref``) is a free yes/no per
    distinct expression. In a deployment every parameter with a value is fixed to it.

    The search is shared: condition values are memoised per partial assignment, a search stops at the
    first assignment that satisfies the scenario, each scenario's answer is cached, and only the
    parameters the scenario's own conditions reach are assigned (a partial assignment that already
    decides every condition stops early). A search that takes more than ``LIMIT`` steps counts the
    scenario as possible and records it in ``too_complex`` (fail closed; the message says so).
    """

    LIMIT = 20000  # search steps for one scenario
    TEMPLATE_LIMIT = 200000  # search steps for all the scenarios of one template (of one deployment)

    def __init__(self, definitions: Any, parameters: dict, values: dict[str, str] | None = None):
        self.definitions: dict = definitions if isinstance(definitions, dict) else {}
        self.parameters = parameters
        self.values = values
        self.too_complex: set[frozenset] = set()
        self._cache: dict[frozenset, bool] = {}
        self._compiled: dict[str, Any] = {}
        self._references: dict[str, tuple] = {}  # the conditions each one names directly
        self._variables: dict[str, tuple] = {}
        self._domains: dict[str, list] | None = None
        self._spent = 0

    # compilation: ("const", b) ("eq", a, b) ("atom", key) ("not", e) ("and", es) ("or", es) ("cond", name)
    def _compile(self, node: Any, compiling: frozenset = frozenset()) -> Any:
        if isinstance(node, dict) and len(node) == 1 and "Condition" in node and isinstance(node["Condition"], str):
            return ("cond", node["Condition"])
        found = _intrinsic(node)
        if found is None:
            return _UNREADABLE
        function, args = found
        if function == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
            sides = [self._side(arg) for arg in args]
            if any(side[0] == "opaque" for side in sides):
                return ("atom", "equals:" + _canonical(args))
            if sides[0][0] == "lit" and sides[1][0] == "lit":
                return ("const", sides[0][1] == sides[1][1])
            return ("eq", sides[0], sides[1])
        if function == "Fn::Not" and isinstance(args, list) and len(args) == 1:
            return ("not", self._compile(args[0]))
        if function in ("Fn::And", "Fn::Or") and isinstance(args, list) and args:
            return ("and" if function == "Fn::And" else "or", tuple(self._compile(item) for item in args))
        return _UNREADABLE

    def _side(self, node: Any) -> tuple[str, Any]:
        found = _intrinsic(node)
        if found and found[0] == "Ref" and isinstance(found[1], str):
            if found[1] in self.parameters:
                return "var", "param:" + found[1]
            if found[1] in PSEUDO_PARAMETERS:
                return "var", "pseudo:" + found[1]
        if found is None and isinstance(node, (str, int, float, bool)):
            return "lit", parameter_text(node)
        return "opaque", _canonical(node)

    def compiled(self, name: str) -> Any:
        """The compiled tree of condition ``name``; one on a cycle of references, or an undeclared name, is
        unreadable or a free yes/no. Every condition is compiled on the first call, without recursion
        through references, so a chain of conditions thousands long is read like a short one."""
        if not self._compiled and self.definitions:
            self._compile_all()
        tree = self._compiled.get(name)
        if tree is None:
            tree = self._compiled[name] = ("atom", "undeclared:" + name)
            self._references[name] = ()
        return tree

    def _compile_all(self) -> None:
        for name, definition in self.definitions.items():
            tree = self._compile(definition)
            self._compiled[name] = tree
            self._references[name] = _references(tree)
        # A condition that refers to itself, however indirectly, proves nothing (unreadable): the cycles
        # are found with Tarjan's strongly connected components, kept on explicit stacks.
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        for root in self.definitions:
            if root in index:
                continue
            work = [(root, 0)]
            while work:
                name, child = work.pop()
                if child == 0:
                    index[name] = low[name] = len(index)
                    stack.append(name)
                    on_stack.add(name)
                references = [r for r in self._references[name] if r in self.definitions]
                if child < len(references):
                    work.append((name, child + 1))
                    target = references[child]
                    if target not in index:
                        work.append((target, 0))
                    elif target in on_stack:
                        low[name] = min(low[name], index[target])
                    continue
                for target in references:
                    if target in on_stack:
                        low[name] = min(low[name], low[target])
                if low[name] == index[name]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == name:
                            break
                    if len(members) > 1 or name in self._references[name]:
                        for member in members:
                            self._compiled[member] = _UNREADABLE
                            self._references[member] = ()

    def _closure(self, names: Any) -> list[str]:
        """``names`` and every condition they refer to, each after the ones it refers to."""
        order: list[str] = []
        done: set[str] = set()
        for root in names:
            work = [(root, False)]
            while work:
                name, expanded = work.pop()
                if name in done:
                    continue
                if expanded:
                    done.add(name)
                    order.append(name)
                    continue
                self.compiled(name)
                work.append((name, True))
                work.extend((reference, False) for reference in self._references[name] if reference not in done)
        return order

    def variables(self, name: str) -> tuple:
        """The variables (parameters, pseudo parameters, atoms) condition ``name`` reaches, in first-use order."""
        found = self._variables.get(name)
        if found is not None:
            return found
        for member in self._closure((name,)):  # the conditions referred to first: no recursion
            if member in self._variables:
                continue
            ordered: dict[str, None] = {}
            pending = [self.compiled(member)]
            while pending:
                tree = pending.pop()
                kind = tree[0]
                if kind == "eq":
                    for side in tree[1:]:
                        if side[0] == "var":
                            ordered.setdefault(side[1], None)
                elif kind == "atom":
                    ordered.setdefault("atom:" + tree[1], None)
                elif kind == "cond":
                    for variable in self._variables[tree[1]]:
                        ordered.setdefault(variable, None)
                elif kind == "not":
                    pending.append(tree[1])
                elif kind in ("and", "or"):
                    pending.extend(reversed(tree[1]))
            self._variables[member] = tuple(ordered)
        return self._variables[name]

    def _domains_of(self) -> dict[str, list]:
        """Each variable's candidate values, computed once for the whole Conditions section."""
        if self._domains is not None:
            return self._domains
        parent: dict[str, str] = {}

        def find(item: str) -> str:
            parent.setdefault(item, item)
            while parent[item] != item:
                parent[item] = parent[parent[item]]
                item = parent[item]
            return item

        literals: dict[str, set] = {}
        pending = [self.compiled(name) for name in self.definitions]
        seen_trees: set[int] = set()
        while pending:
            tree = pending.pop()
            if id(tree) in seen_trees:
                continue
            seen_trees.add(id(tree))
            kind = tree[0]
            if kind == "eq":
                (kind_a, a), (kind_b, b) = tree[1], tree[2]
                if kind_a == "var" and kind_b == "var":
                    parent[find(a)] = find(b)
                for (kind_x, x), (kind_y, y) in ((tree[1], tree[2]), (tree[2], tree[1])):
                    if kind_x == "var":
                        find(x)
                        if kind_y == "lit":
                            literals.setdefault(x, set()).add(y)
            elif kind == "not":
                pending.append(tree[1])
            elif kind in ("and", "or"):
                pending.extend(tree[1])
        groups: dict[str, list[str]] = {}
        for variable in parent:
            groups.setdefault(find(variable), []).append(variable)
        domains: dict[str, list] = {}
        for members in groups.values():
            pool: set = set()
            for member in members:
                pool |= literals.get(member, set())
                allowed = self._allowed(member)
                if allowed is not None:
                    pool |= set(allowed)
            shared = sorted(pool) + [_Fresh(index) for index in range(len(members))]
            for member in members:
                fixed = self._fixed(member)
                allowed = self._allowed(member)
                if fixed is not None:
                    domains[member] = [fixed]
                elif allowed is not None:
                    domains[member] = sorted(set(allowed))
                else:
                    domains[member] = shared
        self._domains = domains
        return domains

    def _allowed(self, variable: str) -> list[str] | None:
        if not variable.startswith("param:"):
            return None
        return _allowed_values(self.parameters.get(variable[6:]))

    def _fixed(self, variable: str) -> str | None:
        if self.values is None or not variable.startswith("param:"):
            return None
        return self.values.get(variable[6:])

    def feasible(self, scenario: frozenset) -> bool:
        if not scenario:
            return True
        answer = self._cache.get(scenario)
        if answer is None:
            try:
                answer = self._search(scenario)
            except _TooComplex:
                self.too_complex.add(scenario)
                answer = True
            self._cache[scenario] = answer
        return answer

    def _search(self, scenario: frozenset) -> bool:
        constraints = sorted(scenario, key=repr)
        for name, branch in constraints:
            if (name, not branch) in scenario:
                return False
        # Conditions that share no variable are independent: a scenario holds when each group of
        # conditions linked by shared parameters holds, and each group is searched (and cached) alone.
        groups: list[tuple[set, list]] = []
        for constraint in constraints:
            reached = set(self.variables(constraint[0]))
            joined = [group for group in groups if group[0] & reached]
            for group in joined:
                groups.remove(group)
                reached |= group[0]
            groups.append((reached, [c for group in joined for c in group[1]] + [constraint]))
        if len(groups) == 1:
            return self._search_group(constraints)
        for _, members in groups:
            key = frozenset(members)
            answer = self._cache.get(key)
            if answer is None:
                try:
                    answer = self._search_group(sorted(members, key=repr))
                except _TooComplex:
                    self.too_complex.add(key)
                    raise
                self._cache[key] = answer
            if not answer:
                return False
        return True

    def _search_group(self, constraints: list) -> bool:
        ordered: dict[str, None] = {}
        for name, _ in constraints:
            for variable in self.variables(name):
                ordered.setdefault(variable, None)
        variables = list(ordered)
        if len(variables) > 400 or self._spent > self.TEMPLATE_LIMIT:
            raise _TooComplex
        domains = self._domains_of()
        assignment: dict[str, Any] = {}
        steps = [0]
        # every condition the constraints reach, each after those it names: evaluated in this order, each
        # reference is already in the memo, so no evaluation recurses through a chain of conditions
        order = self._closure(name for name, _ in constraints)

        def status() -> bool | None:
            memo: dict[str, bool | None] = {}
            for name in order:
                memo[name] = self._evaluate(self.compiled(name), assignment, memo)
            result: bool | None = True
            for name, branch in constraints:
                value = self._evaluate(("cond", name), assignment, memo)
                if value is None:
                    result = None
                elif value is not UNREADABLE and value != branch:
                    return False
            return result

        def candidates(variable: str) -> list:
            if variable.startswith("atom:"):
                return [True, False]
            domain = domains.get(variable)
            if domain is None:  # a pseudo parameter compared with nothing but itself
                domain = [_Fresh(0)]
            # fresh values are interchangeable: try those already used and one new one
            used = {value.index for value in assignment.values() if isinstance(value, _Fresh)}
            out, new = [], False
            for value in domain:
                if isinstance(value, _Fresh):
                    if value.index in used:
                        out.append(value)
                    elif not new:
                        out.append(value)
                        new = True
                else:
                    out.append(value)
            return out

        def assign(index: int) -> bool:
            steps[0] += 1
            self._spent += 1
            if steps[0] > self.LIMIT or self._spent > self.TEMPLATE_LIMIT:
                raise _TooComplex
            state = status()
            if state is not None:
                return state
            if index == len(variables):
                return True  # undecidable with every variable set: cannot happen; stay possible
            variable = variables[index]
            for value in candidates(variable):
                assignment[variable] = value
                if assign(index + 1):
                    return True
            del assignment[variable]
            return False

        return assign(0)

    def _evaluate(self, tree: Any, assignment: dict, memo: dict) -> Any:
        """True, False, None while the assignment leaves it open, or UNREADABLE: a condition that
        cannot be read (malformed, or referring to itself) proves nothing, so it holds either way."""
        kind = tree[0]
        if kind == "cond":
            name = tree[1]
            if name in memo:
                return memo[name]
            memo[name] = value = self._evaluate(self.compiled(name), assignment, memo)
            return value
        if kind == "eq":
            sides = []
            for side_kind, side in tree[1:]:
                if side_kind == "lit":
                    sides.append(side)
                elif side in assignment:
                    sides.append(assignment[side])
                else:
                    return None
            return sides[0] is sides[1] or sides[0] == sides[1]
        if kind == "atom":
            return assignment.get("atom:" + tree[1])
        if kind == "const":
            return tree[1]
        if kind == "unreadable":
            return UNREADABLE
        if kind == "not":
            value = self._evaluate(tree[1], assignment, memo)
            return value if value is None or value is UNREADABLE else not value
        open_ = unreadable = False
        for item in tree[1]:
            value = self._evaluate(item, assignment, memo)
            if value is None:
                open_ = True
            elif value is UNREADABLE:
                unreadable = True
            elif value is (kind == "or"):
                return value  # one true decides an Or, one false an And
        if open_:
            return None
        return UNREADABLE if unreadable else kind == "and"


def _references(tree: Any) -> tuple:
    """The condition names a compiled tree refers to (``Condition``), in first-use order."""
    found: dict[str, None] = {}
    pending = [tree]
    while pending:
        node = pending.pop()
        kind = node[0]
        if kind == "cond":
            found.setdefault(node[1], None)
        elif kind == "not":
            pending.append(node[1])
        elif kind in ("and", "or"):
            pending.extend(reversed(node[1]))
    return tuple(found)


def _canonical(node: Any) -> str:
    """The same text for the same expression, to name what a condition compares but cannot read."""
    import json  # here, not at the top: only templates whose conditions compare such things need it

    return json.dumps(node, sort_keys=True, default=str)


def _intrinsic(node: Any) -> tuple[str, Any] | None:
    if isinstance(node, dict):
        keys = [k for k in node if k not in ("__startline__", "__endline__")]
        if len(keys) == 1 and isinstance(keys[0], str) and (keys[0] == "Ref" or keys[0].startswith("Fn::")):
            return keys[0], node[keys[0]]
    return None


# --- AWS::LanguageExtensions: Fn::ForEach -----------------------------------------------------

FOR_EACH = "Fn::ForEach::"
LOOP_ITEM = "Fn::ForEach::Item"  # stands for a loop value whose collection is unknown


class _UnknownItem:
    __slots__ = ("identifier", "loop", "reason")

    def __init__(self, identifier: str, loop: str, reason: str) -> None:
        self.identifier, self.loop, self.reason = identifier, loop, reason


def _copy_marks(source: Any, target: MarkedDict) -> None:
    if isinstance(source, MarkedDict):
        target.line, target.column = source.line, source.column
        for attribute in ("duplicates", "merged_keys"):
            if hasattr(source, attribute):
                setattr(target, attribute, getattr(source, attribute))


def _substitute_text(text: str, bindings: dict) -> str:
    for identifier, item in bindings.items():
        shown = f"<{identifier}>" if isinstance(item, _UnknownItem) else item
        text = text.replace("${" + identifier + "}", shown)
        alphanumeric = shown if isinstance(item, _UnknownItem) else "".join(c for c in item if c.isalnum())
        text = text.replace("&{" + identifier + "}", alphanumeric)
    return text


def _collection(node: Any, template: Template, bindings: dict) -> tuple[list[str] | None, str]:
    """The items a ForEach loops over, or None with the reason they cannot be known."""
    if isinstance(node, list):
        items = []
        for item in node:
            found = _intrinsic(item)
            if found and found[0] == "Ref" and isinstance(found[1], str) and isinstance(bindings.get(found[1]), str):
                items.append(bindings[found[1]])
            elif isinstance(item, (str, int, float, bool)):
                items.append(parameter_text(item))
            else:
                return None, "an item of the collection is only known at deployment"
        return items, ""
    found = _intrinsic(node)
    if found and found[0] == "Ref" and isinstance(found[1], str) and found[1] in template.parameters:
        name = found[1]
        parameter = template.parameters[name]
        if template.deployment is not None and name in template.deployment.values:
            return [item.strip() for item in template.deployment.values[name].split(",")], ""
        allowed = _allowed_values(parameter)
        if allowed is not None:  # every list a deployment may pass is made of these
            return [item.strip() for value in allowed for item in value.split(",")], ""
        if isinstance(parameter, dict) and "Default" in parameter:
            return [item.strip() for item in parameter_text(parameter["Default"]).split(",")], ""
        return None, f"parameter `{name}` has no Default or AllowedValues"
    return None, "the collection is only known at deployment"


def _expand_for_each(mapping: dict, template: Template, bindings: dict, depth: int) -> MarkedDict:
    """``mapping`` with each ``Fn::ForEach::Name: [Identifier, Collection, {Key: Value}]`` replaced by what
    it makes, and the loop values substituted in keys (``${Identifier}``, ``&{Identifier}``), ``Ref``s and
    ``Fn::Sub`` strings. An unknown collection makes its output once, with the loop value unknown."""
    out = MarkedDict()
    _copy_marks(mapping, out)
    marks: dict = {}
    source_marks = getattr(mapping, "key_marks", {}) if isinstance(mapping, MarkedDict) else {}
    for key, value in mapping.items():
        if isinstance(key, str) and key.startswith(FOR_EACH) and depth < 16 and isinstance(value, list) and len(value) == 3 \
                and isinstance(value[0], str) and isinstance(value[2], dict):
            identifier, collection, body = value
            items, reason = _collection(collection, template, bindings)
            loop = key[len(FOR_EACH):]
            for item in items if items is not None else [_UnknownItem(identifier, loop, reason)]:
                inner = dict(bindings)
                inner[identifier] = item
                made = _expand_for_each(body, template, inner, depth + 1)
                made_marks = getattr(made, "key_marks", {})
                for made_key, made_value in made.items():
                    out[made_key] = made_value
                    marks[made_key] = made_marks.get(made_key, source_marks.get(key, (out.line, out.column)))
            continue
        new_key = _substitute_text(key, bindings) if bindings and isinstance(key, str) else key
        out[new_key] = _substitute(value, template, bindings, depth) if bindings or isinstance(value, dict) else value
        if key in source_marks:
            marks[new_key] = source_marks[key]
    out.key_marks = marks  # type: ignore[attr-defined]
    return out


def _substitute(node: Any, template: Template, bindings: dict, depth: int) -> Any:
    if isinstance(node, dict):
        found = _intrinsic(node)
        if found and found[0] == "Ref" and isinstance(found[1], str) and found[1] in bindings:
            item = bindings[found[1]]
            if isinstance(item, _UnknownItem):
                marker = MarkedDict({LOOP_ITEM: [item.loop, item.identifier, item.reason]})
                _copy_marks(node, marker)
                return marker
            return item
        if found and found[0] == "Fn::Sub" and bindings:
            args = found[1]
            if isinstance(args, str):
                replaced = MarkedDict({"Fn::Sub": _substitute_text(args, bindings)})
            elif isinstance(args, list) and args and isinstance(args[0], str):
                replaced = MarkedDict({"Fn::Sub": [_substitute_text(args[0], bindings), *args[1:]]})
            else:
                replaced = MarkedDict(node)
            _copy_marks(node, replaced)
            return replaced
        if not bindings and not any(isinstance(k, str) and k.startswith(FOR_EACH) for k in node):
            return node
        return _expand_for_each(node, template, bindings, depth + 1)
    if isinstance(node, list) and bindings:
        return [_substitute(item, template, bindings, depth) for item in node]
    return node


# --- walking property paths --------------------------------------------------------------------

MAX_IF_DEPTH = 100  # Fn::If inside Fn::If followed on one path; deeper is judged unknown, and said
MAX_SHAPES = 4096  # shapes Fn::If branches may give one property; an Fn::If that would pass it is judged unknown, and said


class Walk:
    """What one walk over a resource needs besides the node: which branches can be taken, where a key
    is written, and the notes the walk gathers (duplicated keys, merge keys).

    ``can_take(scenario)`` answers whether a combination of ``Fn::If`` branches can hold (default: the
    template's own conditions); ``locate(path)`` gives the 1-based (line, column) of the key at a template
    path (``("Resources", name, "Properties", ...)``, ``("Fn::If", 1)`` for a branch); the default reads
    the loader's marks. The cfn-lint rules pass their own ``locate`` so that cfn-lint computes positions.
    """

    __slots__ = ("can_take", "counted", "leaves", "locate", "notes", "shapes")

    def __init__(
        self,
        can_take: Callable[[frozenset], bool] | None = None,
        locate: Callable[[tuple], tuple[int, int]] | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.can_take = can_take
        self.locate = locate
        self.notes = notes if notes is not None else []
        self.shapes = 0  # shapes Fn::If branches gave so far for one property (reset per property by subject_for)
        self.counted: dict[int, int] = {}  # id(node) -> its shape count (_shape_count)
        self.leaves: dict[tuple, tuple] = {}  # (id(leaf), role, position) -> (leaf, its values) (_leaf_values)

    def position(self, mapping: dict, key: str, at: tuple) -> tuple[int, int]:
        if self.locate is not None:
            return self.locate(at)
        return _key_position(mapping, key)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _expand(node: Any, scenario: frozenset, walk: Walk, at: tuple = (), depth: int = 0) -> Iterator[tuple[frozenset, Any, tuple]]:
    """Every shape ``node`` takes across ``Fn::If`` branches, each in its scenario, with its template path."""
    found = _intrinsic(node)
    if found and found[0] == "Fn::If" and depth >= MAX_IF_DEPTH:
        walk.note(f"`Fn::If` is nested more than {MAX_IF_DEPTH} deep here, too complex to follow, so the rest "
                  f"was judged unknown")
        yield scenario, {"Fn::If": "nested too deeply"}, at
        return
    branches = _if_branches(node)
    if branches is not None:
        args = found[1]  # type: ignore[index]
        condition = args[0]
        if walk.shapes + _shape_count(node, walk.counted) > MAX_SHAPES:
            # Past the bound, counted before any branch is followed: this whole Fn::If is judged
            # unknown in the scenario that reaches it, so nothing it could give is left out (fail closed).
            walk.note(TOO_MANY_BRANCHES_NOTE)
            yield scenario, {"Fn::If": "too many branches"}, at
            return
        if len(branches) == 1:
            # the same node both ways (a YAML alias, or one literal): the condition decides nothing
            yield from _expand(args[1], scenario, walk, at + ("Fn::If", 1), depth + 1)
            return
        for branch, index in ((True, 1), (False, 2)):
            if (condition, not branch) in scenario:
                continue  # already decided the other way
            taken = scenario | {(condition, branch)}
            if walk.can_take is not None and taken != scenario and not walk.can_take(taken):
                continue  # no deployment takes this branch here
            yield from _expand(args[index], taken, walk, at + ("Fn::If", index), depth + 1)
        return
    if depth:
        walk.shapes += 1  # a shape one Fn::If branch gives (a node without one costs nothing against the bound)
    yield scenario, node, at


TOO_MANY_BRANCHES_NOTE = (
    "the template's `Fn::If` branches were too complex to decide every combination, so the rest were "
    "judged unknown"
)


def _if_branches(node: Any) -> tuple | None:
    """The distinct branches of a well-formed ``Fn::If`` (one when both are the same node or literal), else None."""
    found = _intrinsic(node)
    if not found or found[0] != "Fn::If":
        return None
    args = found[1]
    if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
        return None
    if args[1] is args[2] or (not isinstance(args[1], (dict, list)) and args[1] == args[2]
                              and type(args[1]) is type(args[2])):
        return (args[1],)
    return (args[1], args[2])


def _shape_count(node: Any, counted: dict[int, int]) -> int:
    """How many shapes ``node`` takes across its ``Fn::If`` branches, none pruned (an upper bound), capped
    just past MAX_SHAPES. Counted once per distinct node and without recursion, so a YAML alias graph of
    2n nodes that expands to 2^n shapes costs 2n steps to refuse (an 18-level anchor ladder: seconds of
    expansion cut before it starts). ``counted`` maps id(node) to its count for the nodes of one template."""
    if _if_branches(node) is None:
        return 1
    pending = [node]
    while pending:
        top = pending[-1]
        if id(top) in counted:
            pending.pop()
            continue
        branches = _if_branches(top)
        if branches is None:
            counted[id(top)] = 1
            pending.pop()
            continue
        waiting = [branch for branch in branches if id(branch) not in counted]
        if waiting:
            pending.extend(waiting)
            continue
        counted[id(top)] = min(sum(counted[id(branch)] for branch in branches), MAX_SHAPES + 1)
        pending.pop()
    return counted[id(node)]


def is_no_value(node: Any) -> bool:
    """``!Ref AWS::NoValue``: the key it is the value of is removed."""
    found = _intrinsic(node)
    return bool(found and found[0] == "Ref" and found[1] == NO_VALUE)


def _kind_of(node: Any) -> str:
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    if isinstance(node, str):
        return "a string"
    return f"`{node}`"


def _walk(
    node: Any,
    path: tuple[str, ...],
    scenario: frozenset,
    walked: tuple[str, ...],
    position: tuple[int, int],
    track_from: int,
    walk: Walk,
    at: tuple,
) -> Iterator[tuple[frozenset, Any, tuple, tuple[int, int]]]:
    """Follow ``path`` through ``node``; yields (scenario, leaf or a Value when the walk stops early,
    the leaf's template path, position).

    ``position`` is where the deepest key written so far sits, for pointing at the right line; keys
    before ``track_from`` (the rule's scope) do not move it, so a finding points at the flag, else at
    ``NetworkConfig``, else at the resource.
    """
    for branch_scenario, shape, shape_at in _expand(node, scenario, walk, at):
        if not path:
            yield branch_scenario, shape, shape_at, position
            continue
        if shape is None or is_no_value(shape):
            reason = "is removed with `AWS::NoValue`" if shape is not None else "is empty"
            name = ".".join(walked) or "Properties"
            yield branch_scenario, Value.absent(f"is not set (`{name}` {reason})", *position), shape_at, position
            continue
        found = _intrinsic(shape)
        if found:
            yield branch_scenario, Value.unknown(f"`{found[0]}` on `{'.'.join(walked)}`", *position), shape_at, position
            continue
        if not isinstance(shape, dict):
            name = ".".join(walked) or "Properties"
            reason = f"`{name}`, which is {_kind_of(shape)} where a mapping belongs"
            yield branch_scenario, Value.unknown(reason, *position), shape_at, position
            continue
        key = path[0]
        if key not in shape:
            if walked:
                reason = f"is not set; `{'.'.join(walked)}` has no `{key}`" if len(path) > 1 else "is not set"
            elif len(path) > 1:
                reason = f"is not set; there is no `{key}`"
            else:
                reason = "is not set"
            yield branch_scenario, Value.absent(reason, *position), shape_at, position
            continue
        duplicates = getattr(shape, "duplicates", None)
        if duplicates and key in duplicates:
            lines = duplicates[key]
            walk.note(DUPLICATE_NOTE.format(key=key, times=len(lines), lines=", ".join(map(str, lines))))
        merged = getattr(shape, "merged_keys", None)
        if merged and key in merged:
            walk.note(MERGE_NOTE.format(key=key))
        here = walk.position(shape, key, shape_at + (key,)) if len(walked) >= track_from else position
        yield from _walk(shape[key], path[1:], branch_scenario, walked + (key,), here, track_from, walk, shape_at + (key,))


def _numbers(values: list) -> list[float]:
    out = []
    for value in values:
        if isinstance(value, bool):
            continue
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            continue
    return out


def _resolve_parameter(template: Template, name: str, role: str, position: tuple[int, int]) -> list[Value]:
    parameter = template.parameters.get(name)
    if not isinstance(parameter, dict):
        return [Value.unknown(f"parameter `{name}`, which could not be read", *position)]
    declared_type = str(parameter.get("Type", ""))
    deployment = template.deployment
    if deployment is not None and name in deployment.values:
        given = deployment.values[name]
        if declared_type.startswith("AWS::SSM::Parameter"):
            return [Value.unknown(f"SSM parameter `{name}` (`{given}` in the deployment), which is read at deployment", *position)]
        return [Value.of(given, f"parameter `{name}`, as the deployment gives it", *position)]
    if declared_type.startswith("AWS::SSM::Parameter"):
        return [Value.unknown(f"SSM parameter `{name}`, which is read at deployment", *position)]
    allowed = _allowed_values(parameter)
    default_ok = _default_allowed(parameter)
    if deployment is not None and "Default" in parameter and default_ok:
        # a deployment that does not give the parameter deploys its Default, count included
        return [Value.of(parameter["Default"], f"the Default of parameter `{name}`, which the deployment keeps", *position)]
    if role == "min_count":  # SageMaker.4: the smallest count a deployment may pass
        lows = []
        if allowed is not None and _numbers(allowed):
            lows.append((min(_numbers(allowed)), f"parameter `{name}`, whose AllowedValues go down to"))
        minimum = _numbers([parameter.get("MinValue")]) if declared_type == "Number" else []
        if minimum:
            lows.append((minimum[0], f"parameter `{name}`, whose MinValue is"))
        if not lows:
            return [Value.unknown(f"parameter `{name}`, which has no MinValue or AllowedValues, so a deployment "
                                  f"may pass 1", *position)]
        smallest, origin = max(lows)
        shown = int(smallest) if smallest.is_integer() else smallest
        return [Value.of(shown, f"{origin} {shown}", *position)]
    if role == "count":
        bounds = []
        if allowed is not None and _numbers(allowed):
            bounds.append((max(_numbers(allowed)), f"parameter `{name}`, whose AllowedValues go up to"))
        maximum = _numbers([parameter.get("MaxValue")]) if declared_type == "Number" else []
        if maximum:
            bounds.append((maximum[0], f"parameter `{name}`, whose MaxValue is"))
        if not bounds:
            unbounded = "which has no MaxValue or AllowedValues"
            if declared_type != "Number" and "MaxValue" in parameter:
                unbounded = f"whose MaxValue bounds nothing because its Type is `{declared_type or 'missing'}`, not `Number`"
            return [Value.unknown(f"parameter `{name}`, {unbounded}", *position)]
        largest, origin = min(bounds)
        shown = int(largest) if largest.is_integer() else largest
        return [Value.of(shown, f"{origin} {shown}", *position)]
    if "Default" not in parameter:
        return [Value.unknown(f"parameter `{name}`, which has no Default", *position)]
    if not default_ok and allowed is not None:
        default = parameter_text(parameter["Default"])
        return [
            Value.of(value, f"parameter `{name}`, whose Default `{default}` is not among its AllowedValues, so a "
                     f"deployment must pass one of them", *position)
            for value in dict.fromkeys(allowed)
        ]
    return [Value.of(parameter["Default"], f"the Default of parameter `{name}`", *position)]


def _map_keys(template: Template, key: Any, level: Any) -> tuple[list[str], bool] | None:
    """The keys a FindInMap argument can select, and whether it may select one the level lacks."""
    if not isinstance(level, dict):
        return None
    present = [k for k in level if isinstance(k, str)]
    if isinstance(key, (str, int, float)) and not isinstance(key, bool):
        text = parameter_text(key)
        return ([text], False) if text in level else ([], True)
    found = _intrinsic(key)
    if found and found[0] == "Ref" and isinstance(found[1], str) and found[1] in template.parameters:
        values = template.deployed_values()
        if values is not None and found[1] in values:
            text = values[found[1]]
            return ([text], False) if text in level else ([], True)
        allowed = _allowed_values(template.parameters[found[1]])
        if allowed is not None:
            chosen = [k for k in dict.fromkeys(allowed) if k in level]
            return chosen, len(chosen) < len(set(allowed))
    return present, True  # any key at all, one the map lacks included


def _resolve_find_in_map(template: Template, args: Any, position: tuple[int, int]) -> list[Value]:
    if not isinstance(args, list) or len(args) < 3 or not isinstance(args[0], str):
        return [Value.unknown("`Fn::FindInMap` with arguments that could not be read", *position)]
    name = args[0]
    default: Any = None
    has_default = False
    if len(args) == 4 and template.extensions and isinstance(args[3], dict) and "DefaultValue" in args[3]:
        default, has_default = args[3]["DefaultValue"], True
    mapping = template.mappings.get(name)
    values: list[Value] = []
    missing = not isinstance(mapping, dict)
    tops = _map_keys(template, args[1], mapping) if isinstance(mapping, dict) else None
    if tops is not None:
        missing = missing or tops[1]
        for top in tops[0]:
            level = mapping.get(top)  # type: ignore[union-attr]
            seconds = _map_keys(template, args[2], level)
            if seconds is None:
                missing = True
                continue
            missing = missing or seconds[1]
            for second in seconds[0]:
                values.append(Value.of(level[second], f"mapping `{name}` ({top}.{second})", *position))
    if has_default and (missing or not values):
        if _intrinsic(default) is None and not isinstance(default, (dict, list)):
            values.append(Value.of(default, f"the DefaultValue of `Fn::FindInMap` on mapping `{name}`", *position))
        else:
            values.append(Value.unknown(f"the DefaultValue of `Fn::FindInMap` on mapping `{name}`", *position))
    if not values:
        if not isinstance(mapping, dict):
            return [Value.unknown(f"`Fn::FindInMap` on mapping `{name}`, which is not in the template", *position)]
        return [Value.unknown(f"`Fn::FindInMap` on mapping `{name}`, which has no matching entry", *position)]
    return values


def _resolve_leaf(template: Template, leaf: Any, role: str, position: tuple[int, int]) -> list[Value]:
    if isinstance(leaf, Value):
        return [leaf]
    found = _intrinsic(leaf)
    if found is None:
        if isinstance(leaf, (dict, list)) or leaf is None:
            expected = "a number" if role in ("count", "min_count") else "true or false"
            return [Value.unknown(f"{_kind_of(leaf)} where {expected} belongs", *position)]
        return [Value.of(leaf, "", *position)]
    function, args = found
    if function == "Ref":
        if args == NO_VALUE:
            return [Value.absent("is removed with `AWS::NoValue`", *position)]
        if isinstance(args, str) and args in template.parameters:
            return _resolve_parameter(template, args, role, position)
        if isinstance(args, str) and args in PSEUDO_PARAMETERS:
            return [Value.unknown(f"pseudo parameter `{args}`", *position)]
        if isinstance(args, str) and args in template.resources:
            return [Value.unknown(f"`Ref` to resource `{args}`", *position)]
        return [Value.unknown(f"`Ref` to `{args}`, which is not declared in the template", *position)]
    if function == "Fn::FindInMap":
        # resolved once per template and argument text, each distinct value once: 300 jobs reading one
        # mapping of 10,000 keys were 12 million values (75 s), now 300 lookups of a handful
        key = _canonical(args)
        cached = template.map_values.get(key)
        if cached is None:
            cached = template.map_values[key] = _distinct_values(_resolve_find_in_map(template, args, (0, 0)))
        return [value.at(*position) for value in cached]
    if function == LOOP_ITEM and isinstance(args, list) and len(args) == 3:
        return [Value.unknown(f"the loop value `{args[1]}` of `Fn::ForEach::{args[0]}`, which is unknown ({args[2]})", *position)]
    if template.extensions and function == "Fn::Length":
        if isinstance(args, list) and all(_intrinsic(item) is None for item in args):
            return [Value.of(len(args), "`Fn::Length` of a list", *position)]
        inner = _intrinsic(args)
        if inner and inner[0] == "Ref" and isinstance(inner[1], str) and inner[1] in template.parameters:
            values = template.deployed_values()
            if values is not None and inner[1] in values:
                count = len(values[inner[1]].split(","))
                return [Value.of(count, f"`Fn::Length` of parameter `{inner[1]}` in the deployment", *position)]
        return [Value.unknown("`Fn::Length` of a list only known at deployment", *position)]
    if template.extensions and function == "Fn::ToJsonString":
        if _contains_intrinsic(args):
            return [Value.unknown("`Fn::ToJsonString` of values only known at deployment", *position)]
        import json

        text = json.dumps(args, separators=(",", ":"), default=str)
        return [Value.of(text, "`Fn::ToJsonString`", *position)]
    if function == "Fn::If" and isinstance(args, str):  # the walk stopped here: a bound, not a deployment value
        return [Value.unknown(f"`Fn::If` {args} to follow, too complex to judge", *position)]
    described = function
    if function == "Fn::GetAtt" and isinstance(args, list):
        described = f"Fn::GetAtt {'.'.join(str(a) for a in args)}"
    elif function == "Fn::ImportValue" and isinstance(args, str):
        described = f"Fn::ImportValue {args}"
    return [Value.unknown(f"`{described}`, which is only known at deployment", *position)]


def _contains_intrinsic(node: Any) -> bool:
    if _intrinsic(node) is not None:
        return True
    if isinstance(node, dict):
        return any(_contains_intrinsic(value) for value in node.values())
    if isinstance(node, list):
        return any(_contains_intrinsic(item) for item in node)
    return False


def resolve(
    template: Template,
    properties: Any,
    path: tuple[str, ...],
    role: str,
    position: tuple[int, int],
    track_from: int = 0,
    base: frozenset = ALWAYS,
    walk: Walk | None = None,
    at: tuple = (),
) -> Possibilities:
    """Every value ``path`` can take under ``properties``, each in its scenario."""
    walk = walk if walk is not None else Walk(template.conditions.feasible)
    out: Possibilities = []
    for scenario, leaf, _, leaf_position in _walk(properties, path, base, (), position, track_from, walk, at):
        if isinstance(leaf, Value):
            out.append((scenario, leaf))
            continue
        out.extend((scenario, value) for value in _leaf_values(template, leaf, role, leaf_position, walk))
    return out


def _leaf_values(template: Template, leaf: Any, role: str, position: tuple[int, int], walk: Walk) -> list[Value]:
    """A leaf's values, each distinct kind and literal once (the first, as judge's _distinct keeps it: a
    leaf's values share its scenario), resolved once per node and position. A YAML alias of one
    ``Fn::FindInMap`` over 10,000 keys reached by 4,096 ``Fn::If`` paths was 40 million values (over
    120 s and 2.3 GB from a 355 KB file); it is resolved once, to its handful of distinct values."""
    key = (id(leaf), role, position)
    cached = walk.leaves.get(key)
    if cached is None:
        values = _distinct_values(_resolve_leaf(template, leaf, role, position))
        cached = walk.leaves[key] = (leaf, values)  # the leaf kept alive, so its id names only it
    return cached[1]


def _distinct_values(values: list[Value]) -> list[Value]:
    """Each kind and literal once, the first kept."""
    seen: set = set()
    out = []
    for value in values:
        identity = (value.kind, repr(value.literal))
        if identity not in seen:
            seen.add(identity)
            out.append(value)
    return out


def _presence(
    template: Template, properties: Any, path: tuple[str, ...], position: tuple[int, int], base: frozenset,
    walk: Walk, at: tuple,
) -> Possibilities:
    out: Possibilities = []
    for scenario, leaf, _, leaf_position in _walk(properties, path, base, (), position, 0, walk, at):
        if isinstance(leaf, Value):
            out.append((scenario, leaf if leaf.kind == "absent" else Value.of(True, "", *leaf_position)))
        elif leaf is None or is_no_value(leaf):
            out.append((scenario, Value.absent("is removed", *leaf_position)))
        else:
            out.append((scenario, Value.of(True, "", *leaf_position)))
    return out


def _elements(
    template: Template, properties: Any, rule: Rule, position: tuple[int, int], base: frozenset, walk: Walk, at: tuple,
) -> tuple[Possibilities, Possibilities]:
    """(counts, flags) of every element of the rule's ``each`` list, each value labelled with its element
    (``ProductionVariants[1]``); elements with a ``skip_element`` key are left out. A list that cannot be
    read gives one unknown value (fail closed); no list, or an empty one, gives none: nothing to judge."""
    counts: Possibilities = []
    flags: Possibilities = []
    count_role = "min_count" if rule.count_fails == "1" else "count"
    name = ".".join(rule.each)
    for scenario, leaf, leaf_at, leaf_position in _walk(properties, rule.each, base, (), position, 0, walk, at):
        if isinstance(leaf, Value) and leaf.kind == "absent" or leaf is None or is_no_value(leaf):
            continue
        if isinstance(leaf, Value) or not isinstance(leaf, list) or _intrinsic(leaf):
            function = _intrinsic(leaf) if not isinstance(leaf, Value) else None
            what = f"`{function[0]}`" if function else _kind_of(leaf) if not isinstance(leaf, Value) else leaf.origin
            unknown = Value.unknown(f"`{name}` written as {what}, so its elements cannot be known",
                                    *leaf_position).within(f"{rule.each[-1]}[]")
            (flags if rule.flag_path else counts).append((scenario, unknown))
            continue
        for index, item in enumerate(leaf):
            for item_scenario, shape, shape_at in _expand(item, scenario, walk, leaf_at + (index,)):
                if shape is None or is_no_value(shape):
                    continue  # the element is removed
                if isinstance(shape, dict) and not _intrinsic(shape) and any(
                        key in shape and not is_no_value(shape[key]) for key in rule.skip_element):
                    continue  # out of scope (a serverless variant)
                label = f"{rule.each[-1]}[{index}]"
                # a missing key is reported at its element, where the element is a mapping (what a loader
                # marks); an element of another shape at the list's key
                here = walk.locate(shape_at) if walk.locate is not None and isinstance(shape, dict) else _position(shape)
                start = here if here[0] else leaf_position
                if rule.count_path:
                    counts += [(s, v.within(label)) for s, v in resolve(
                        template, shape, rule.count_path, count_role, start, 0, item_scenario, walk, shape_at)]
                if rule.flag_path:
                    flags += [(s, v.within(label)) for s, v in resolve(
                        template, shape, rule.flag_path, "flag", start, 0, item_scenario, walk, shape_at)]
    return counts, flags


def _suppressions(resource: dict) -> dict[str, str]:
    metadata = resource.get("Metadata")
    if not isinstance(metadata, dict):
        return {}
    entry = metadata.get(SUPPRESSION_KEY)
    items = entry.get("ignore") if isinstance(entry, dict) else None
    found: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("rule"), str):
            reason = item.get("reason")
            found[item["rule"]] = reason.strip() if isinstance(reason, str) else ""
        elif isinstance(item, str):
            found[item] = ""
    return found


CDK_PATH_KEY = "aws:cdk:path"


def construct_path(resource: dict) -> str:
    """The CDK construct path (``MlStack/Monitoring/BiasJob/Resource``) a CDK template records, or ""."""
    metadata = resource.get("Metadata")
    found = metadata.get(CDK_PATH_KEY) if isinstance(metadata, dict) else None
    return found if isinstance(found, str) else ""


def subject_for(
    template: Template,
    rule: Rule,
    name: str,
    resource: dict,
    can_take: Callable[[frozenset], bool] | None = None,
    locate: Callable[[tuple], tuple[int, int]] | None = None,
) -> Subject:
    """The Subject of one monitored resource. ``can_take`` and ``locate`` are ``Walk``'s hooks (default:
    the template's own conditions and the loader's marks); everything else is the same for every front end."""
    at = ("Resources", name)
    if locate is not None:
        position = locate(at)
    else:
        position = _key_position(template.resources, name)
        getattr(resource, "key_marks", None)  # a JSON template's marks: found for the whole resource at once
        if not position[0]:
            position = _position(resource)
    notes: list[str] = []
    path = construct_path(resource)
    if path:
        notes.append(f"CDK construct `{path}`")
    deployment = template.deployment.name if template.deployment is not None else ""
    if deployment:
        notes.append(f"deployment `{deployment}`")
    conditions = template.conditions
    walk = Walk(can_take if can_take is not None else conditions.feasible, locate, notes)
    properties = resource.get("Properties", MarkedDict())
    start = position
    # A resource with a Condition exists only where that condition holds.
    condition = resource.get("Condition")
    base = frozenset({(condition, True)}) if isinstance(condition, str) else ALWAYS
    props_at = at + ("Properties",)

    def budget(walk: Walk) -> Walk:
        """The walk, with a budget of MAX_SHAPES for one property (the elements of a list share one)."""
        walk.shapes = 0
        return walk

    scope = _presence(template, properties, rule.scope, start, base, budget(walk), props_at) if rule.scope else None
    count_role = "min_count" if rule.count_fails == "1" else "count"
    if rule.each:
        count, flag = _elements(template, properties, rule, start, base, budget(walk), props_at)
    else:
        count = resolve(template, properties, rule.scope + rule.count_path, count_role, start, base=base,
                        walk=budget(walk), at=props_at) if rule.count_path else []
        flag = resolve(template, properties, rule.scope + rule.flag_path, "flag", start, len(rule.scope), base,
                       budget(walk), props_at) if rule.flag_path else []
    applies = [resolve(template, properties, condition.path, "flag", start, len(condition.path), base, budget(walk),
                       props_at) for condition in rule.applies]
    decide = walk.can_take

    def feasible(scenario: frozenset) -> bool:
        answer = decide(scenario) if decide is not None else True
        if scenario in conditions.too_complex:
            walk.note(TOO_COMPLEX_NOTE)
        return answer

    subject = Subject(
        rule=rule,
        name=name,
        resource_type=str(resource.get("Type")),
        line=position[0] or 1,
        column=position[1] or 1,
        count=count,
        flag=flag,
        scope=scope,
        notes=notes,
        suppressions=_suppressions(resource),
        feasible=feasible,
        applies=applies,
    )
    subject.deployment = deployment
    subject.construct_path = path
    return subject


LOGICAL_ID_SECTIONS = ("Resources", "Parameters", "Conditions", "Mappings")
# Sections whose content can change a verdict. A second `Description` (the AWS documentation's own
# monitoring schedule example has one) changes nothing judged, so it is not worth refusing the file for.
JUDGED_SECTIONS = frozenset(LOGICAL_ID_SECTIONS + ("Transform", "Rules"))


def check_duplicates(data: Any) -> None:
    """A judged section written twice, or a logical id written twice in one section: the tools disagree on
    which copy deploys (`aws cloudformation deploy` refuses the file, the service keeps the last), and
    judging one copy could pass what the other fails, so the file is not judged. Raises ReadError."""
    duplicates = getattr(data, "duplicates", None) or {}
    for key, lines in duplicates.items():
        if key not in JUDGED_SECTIONS:
            continue
        raise ReadError(
            f"line {lines[1]}: the top-level section `{key}` is written again (first at line {lines[0]}); "
            f"keep one, since tools disagree on which copy deploys"
        )
    for section in LOGICAL_ID_SECTIONS:
        mapping = data.get(section)
        duplicates = getattr(mapping, "duplicates", None)
        if duplicates:
            key, lines = next(iter(duplicates.items()))
            raise ReadError(
                f"line {lines[1]}: the logical id `{key}` is written again in `{section}` (first at line "
                f"{lines[0]}); keep one, since tools disagree on which copy deploys"
            )


def read_subjects(data: Any, deployment: Deployment | None = None) -> list[Subject]:
    """The monitored resources of a loaded template; anything that is not a template gives none.
    Raises ReadError for a duplicate section or logical id."""
    if not isinstance(data, dict):
        return []
    if looks_like_template(data):
        check_duplicates(data)
    template = Template(data, deployment)
    subjects = []
    for name, resource in template.resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        for rule in RULES_BY_CFN_TYPE.get(kind, ()) if isinstance(kind, str) else ():
            subjects.append(subject_for(template, rule, str(name), resource))
    return subjects


def read_deployments(path: str, data: Any, deployments: list[Deployment] | None = None) -> list[Subject]:
    """The subjects of a template for every deployment: the given ones (``--parameter-file``,
    ``--parameter``), else each environment of a samconfig beside it, else the template as written.
    The scan calls this once per file; each deployment is judged and named in its findings."""
    if not isinstance(data, dict) or not looks_like_template(data):
        return read_subjects(data)
    found = deployments if deployments else samconfig_deployments(path) if path else []
    if not found:
        return read_subjects(data)
    subjects: list[Subject] = []
    for deployment in found:
        subjects.extend(read_subjects(data, deployment))
    return subjects


def looks_like_template(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("Resources"), dict)
