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
    from typing import Any, Iterator

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


class TemplateLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with CloudFormation's short-form tags and key positions."""

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        super().flatten_mapping(node)
        # Merge keys repeated through aliases would otherwise grow exponentially: keep the last of each key.
        seen: dict[Any, int] = {}
        for index, (key_node, _) in enumerate(node.value):
            seen[(key_node.tag, key_node.value) if isinstance(key_node, yaml.ScalarNode) else id(key_node)] = index
        if len(seen) != len(node.value):
            node.value = [pair for index, pair in enumerate(node.value) if index in set(seen.values())]


def _construct_mapping(loader: TemplateLoader, node: yaml.MappingNode) -> Iterator[MarkedDict]:
    data = MarkedDict()
    data.line, data.column = node.start_mark.line + 1, node.start_mark.column + 1
    yield data
    loader.flatten_mapping(node)
    marks: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        data[key] = loader.construct_object(value_node, deep=False)
        marks[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    data.key_marks = marks  # type: ignore[attr-defined]


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


# --- resolution -----------------------------------------------------------------------------

class Template:
    """What a resolver needs from the whole template: parameters and mappings."""

    def __init__(self, data: dict):
        parameters = data.get("Parameters")
        mappings = data.get("Mappings")
        resources = data.get("Resources")
        self.parameters: dict = parameters if isinstance(parameters, dict) else {}
        self.mappings: dict = mappings if isinstance(mappings, dict) else {}
        self.resources: dict = resources if isinstance(resources, dict) else {}
        self.conditions = Conditions(data.get("Conditions"), self.parameters)


class Conditions:
    """Which combinations of named conditions can hold together.

    ``IsProd`` and ``IsDev`` comparing one parameter with two different values cannot both be
    true, and ``!Not [!Condition IsProd]`` is never true with ``IsProd``: a scenario that needs
    them to is not a deployment anyone can make. Anything a condition compares that is not a
    parameter is a free yes/no, so an unknown stays possible (we fail closed).
    """

    LIMIT = 4096  # assignments to try before giving up and calling a scenario possible

    def __init__(self, definitions: Any, parameters: dict):
        self.definitions: dict = definitions if isinstance(definitions, dict) else {}
        self.parameters = parameters
        self._cache: dict[frozenset, bool] = {}

    def feasible(self, scenario: frozenset) -> bool:
        if not scenario:
            return True
        if scenario not in self._cache:
            self._cache[scenario] = self._search(scenario)
        return self._cache[scenario]

    def _search(self, scenario: frozenset) -> bool:
        choices: dict[str, set] = {}
        for name, _ in scenario:
            if name in self.definitions:
                self._collect(self.definitions[name], choices, set())
            else:
                choices["condition:" + name] = {True, False}  # undeclared: a free yes/no
        names = sorted(choices)
        total = 1
        for name in names:
            total *= len(choices[name])
            if total > self.LIMIT:
                return True
        assignment: dict[str, Any] = {}

        def assign(index: int) -> bool:
            if index == len(names):
                return all(self._holds(c, branch, assignment) for c, branch in scenario)
            for value in sorted(choices[names[index]], key=repr):
                assignment[names[index]] = value
                if assign(index + 1):
                    return True
            return False

        return assign(0)

    def _holds(self, name: str, branch: bool, assignment: dict) -> bool:
        if name not in self.definitions:
            return assignment["condition:" + name] == branch
        value = self._evaluate(self.definitions[name], assignment, {name})
        return value is None or value == branch  # what cannot be evaluated stays possible

    def _side(self, node: Any) -> tuple[str, Any]:
        found = _intrinsic(node)
        if found and found[0] == "Ref" and isinstance(found[1], str) and found[1] in self.parameters:
            return "parameter", found[1]
        if found is None and isinstance(node, (str, int, float, bool)):
            return "literal", str(node).lower() if isinstance(node, bool) else str(node)
        return "opaque", _canonical(node)

    def _collect(self, node: Any, choices: dict[str, set], seen: set) -> None:
        found = _intrinsic(node) if not (isinstance(node, dict) and "Condition" in node) else ("Condition", node["Condition"])
        if found is None:
            return
        function, args = found
        if function == "Condition" and isinstance(args, str) and args not in seen:
            seen.add(args)
            self._collect(self.definitions.get(args), choices, seen)
        elif function == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
            (kind_a, a), (kind_b, b) = self._side(args[0]), self._side(args[1])
            for kind, name, other_kind, other in ((kind_a, a, kind_b, b), (kind_b, b, kind_a, a)):
                if kind == "parameter":
                    values = choices.setdefault("param:" + name, set())
                    allowed = self.parameters.get(name, {}).get("AllowedValues") if isinstance(self.parameters.get(name), dict) else None
                    if isinstance(allowed, list) and allowed:
                        values.update(str(v).lower() if isinstance(v, bool) else str(v) for v in allowed)
                    else:
                        values.add(("other",))
                        if other_kind == "literal":
                            values.add(other)
            if "parameter" not in (kind_a, kind_b) and "opaque" in (kind_a, kind_b):
                choices["atom:" + _canonical(args)] = {True, False}
        elif function in ("Fn::Not", "Fn::And", "Fn::Or") and isinstance(args, list):
            for item in args:
                self._collect(item, choices, seen)

    def _evaluate(self, node: Any, assignment: dict, seen: set) -> bool | None:
        found = _intrinsic(node) if not (isinstance(node, dict) and "Condition" in node) else ("Condition", node["Condition"])
        if found is None:
            return None
        function, args = found
        if function == "Condition":
            if not isinstance(args, str) or args in seen or args not in self.definitions:
                return None
            return self._evaluate(self.definitions[args], assignment, seen | {args})
        if function == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
            (kind_a, a), (kind_b, b) = self._side(args[0]), self._side(args[1])
            values = []
            for kind, name in ((kind_a, a), (kind_b, b)):
                if kind == "parameter":
                    values.append(assignment.get("param:" + name))
                elif kind == "literal":
                    values.append(name)
                else:
                    return assignment.get("atom:" + _canonical(args))
            return None if None in values else values[0] == values[1]
        if function in ("Fn::Not", "Fn::And", "Fn::Or") and isinstance(args, list):
            results = [self._evaluate(item, assignment, seen) for item in args]
            if None in results:
                return None
            if function == "Fn::Not":
                return not results[0] if len(results) == 1 else None
            return all(results) if function == "Fn::And" else any(results)
        return None


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


def _expand(node: Any, scenario: frozenset, depth: int = 0) -> Iterator[tuple[frozenset, Any]]:
    """Every shape ``node`` takes across ``Fn::If`` branches, each in its scenario."""
    found = _intrinsic(node)
    if found and found[0] == "Fn::If" and depth < 32:
        args = found[1]
        if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
            condition = args[0]
            for branch, chosen in ((True, args[1]), (False, args[2])):
                if (condition, not branch) in scenario:
                    continue  # already decided the other way
                yield from _expand(chosen, scenario | {(condition, branch)}, depth + 1)
            return
    yield scenario, node


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
    track_from: int = 0,
) -> Iterator[tuple[frozenset, Any, str, tuple[int, int]]]:
    """Follow ``path`` through ``node``; yields (scenario, leaf or a Value when the walk stops early, ...).

    ``position`` is where the deepest key written so far sits, for pointing at the right line; keys
    before ``track_from`` (the rule's scope) do not move it, so a finding points at the flag, else at
    ``NetworkConfig``, else at the resource.
    """
    for branch_scenario, shape in _expand(node, scenario):
        if not path:
            yield branch_scenario, shape, ".".join(walked), position
            continue
        if shape is None or is_no_value(shape):
            reason = "is removed with `AWS::NoValue`" if shape is not None else "is empty"
            name = ".".join(walked) or "Properties"
            yield branch_scenario, Value.absent(f"is not set (`{name}` {reason})", *position), "", position
            continue
        if _intrinsic(shape):
            function = _intrinsic(shape)[0]  # type: ignore[index]
            yield branch_scenario, Value.unknown(f"`{function}` on `{'.'.join(walked)}`", *position), "", position
            continue
        if not isinstance(shape, dict):
            name = ".".join(walked) or "Properties"
            reason = f"`{name}`, which is {_kind_of(shape)} where a mapping belongs"
            yield branch_scenario, Value.unknown(reason, *position), "", position
            continue
        key = path[0]
        if key not in shape:
            if walked:
                reason = f"is not set; `{'.'.join(walked)}` has no `{key}`" if len(path) > 1 else "is not set"
            else:
                reason = f"is not set; there is no `{key}`"
            yield branch_scenario, Value.absent(reason, *position), "", position
            continue
        here = _key_position(shape, key) if len(walked) >= track_from else position
        yield from _walk(shape[key], path[1:], branch_scenario, walked + (key,), here, track_from)


def _numbers(values: list) -> list[float]:
    out = []
    for value in values:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            continue
    return out


def _resolve_parameter(template: Template, name: str, role: str, position: tuple[int, int]) -> Value:
    parameter = template.parameters.get(name)
    if not isinstance(parameter, dict):
        return Value.unknown(f"parameter `{name}`, which could not be read", *position)
    declared_type = str(parameter.get("Type", ""))
    if declared_type.startswith("AWS::SSM::Parameter"):
        return Value.unknown(f"SSM parameter `{name}`, which is read at deployment", *position)
    if role == "count":
        bounds = []
        allowed = parameter.get("AllowedValues")
        if isinstance(allowed, list) and _numbers(allowed):
            bounds.append((max(_numbers(allowed)), f"parameter `{name}`, whose AllowedValues go up to"))
        maximum = _numbers([parameter.get("MaxValue")])
        if maximum:
            bounds.append((maximum[0], f"parameter `{name}`, whose MaxValue is"))
        if not bounds:
            return Value.unknown(f"parameter `{name}`, which has no MaxValue or AllowedValues", *position)
        largest, origin = min(bounds)
        shown = int(largest) if largest.is_integer() else largest
        return Value.of(shown, f"{origin} {shown}", *position)
    if "Default" not in parameter:
        return Value.unknown(f"parameter `{name}`, which has no Default", *position)
    return Value.of(parameter["Default"], f"the Default of parameter `{name}`", *position)


def _map_keys(template: Template, key: Any, level: dict) -> list[str] | None:
    """The keys a FindInMap argument can select: itself when literal, otherwise every key."""
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return [str(key)]
    return [k for k in level if isinstance(k, str)] if isinstance(level, dict) else None


def _resolve_find_in_map(template: Template, args: Any, position: tuple[int, int]) -> list[Value]:
    if not isinstance(args, list) or len(args) < 3 or not isinstance(args[0], str):
        return [Value.unknown("`Fn::FindInMap` with arguments that could not be read", *position)]
    name = args[0]
    mapping = template.mappings.get(name)
    if not isinstance(mapping, dict):
        return [Value.unknown(f"`Fn::FindInMap` on mapping `{name}`, which is not in the template", *position)]
    values: list[Value] = []
    for top in _map_keys(template, args[1], mapping) or []:
        level = mapping.get(top)
        if not isinstance(level, dict):
            continue
        for second in _map_keys(template, args[2], level) or []:
            if second in level:
                values.append(Value.of(level[second], f"mapping `{name}` ({top}.{second})", *position))
    if not values:
        return [Value.unknown(f"`Fn::FindInMap` on mapping `{name}`, which has no matching entry", *position)]
    return values


def _resolve_leaf(template: Template, leaf: Any, role: str, position: tuple[int, int]) -> list[Value]:
    if isinstance(leaf, Value):
        return [leaf]
    found = _intrinsic(leaf)
    if found is None:
        if isinstance(leaf, (dict, list)) or leaf is None:
            expected = "a number" if role == "count" else "true or false"
            return [Value.unknown(f"{_kind_of(leaf)} where {expected} belongs", *position)]
        return [Value.of(leaf, "", *position)]
    function, args = found
    if function == "Ref":
        if args == NO_VALUE:
            return [Value.absent("is removed with `AWS::NoValue`", *position)]
        if isinstance(args, str) and args in template.parameters:
            return [_resolve_parameter(template, args, role, position)]
        if isinstance(args, str) and args in PSEUDO_PARAMETERS:
            return [Value.unknown(f"pseudo parameter `{args}`", *position)]
        if isinstance(args, str) and args in template.resources:
            return [Value.unknown(f"`Ref` to resource `{args}`", *position)]
        return [Value.unknown(f"`Ref` to `{args}`, which is not declared in the template", *position)]
    if function == "Fn::FindInMap":
        return _resolve_find_in_map(template, args, position)
    described = function
    if function == "Fn::GetAtt" and isinstance(args, list):
        described = f"Fn::GetAtt {'.'.join(str(a) for a in args)}"
    elif function == "Fn::ImportValue" and isinstance(args, str):
        described = f"Fn::ImportValue {args}"
    return [Value.unknown(f"`{described}`, which is only known at deployment", *position)]


def resolve(
    template: Template,
    properties: Any,
    path: tuple[str, ...],
    role: str,
    position: tuple[int, int],
    track_from: int = 0,
    base: frozenset = ALWAYS,
) -> Possibilities:
    """Every value ``path`` can take under ``properties``, each in its scenario."""
    out: Possibilities = []
    for scenario, leaf, _, leaf_position in _walk(properties, path, base, (), position, track_from):
        for branch_scenario, shape in _expand(leaf, scenario):
            if is_no_value(shape):
                out.append((branch_scenario, Value.absent("is removed with `AWS::NoValue`", *leaf_position)))
                continue
            for value in _resolve_leaf(template, shape, role, leaf_position):
                out.append((branch_scenario, value))
    return out


def _presence(
    template: Template, properties: Any, path: tuple[str, ...], position: tuple[int, int], base: frozenset = ALWAYS
) -> Possibilities:
    out: Possibilities = []
    for scenario, leaf, _, leaf_position in _walk(properties, path, base, (), position):
        if isinstance(leaf, Value):
            out.append((scenario, leaf if leaf.kind == "absent" else Value.of(True, "", *leaf_position)))
            continue
        for branch_scenario, shape in _expand(leaf, scenario):
            if shape is None or is_no_value(shape):
                out.append((branch_scenario, Value.absent("is removed", *leaf_position)))
            else:
                out.append((branch_scenario, Value.of(True, "", *leaf_position)))
    return out


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


def subject_for(template: Template, rule: Rule, name: str, resource: dict) -> Subject:
    position = _key_position(template.resources, name)
    if not position[0]:
        position = _position(resource)
    notes: list[str] = []
    properties = resource.get("Properties", MarkedDict())
    start = position
    # A resource with a Condition exists only where that condition holds.
    condition = resource.get("Condition")
    base = frozenset({(condition, True)}) if isinstance(condition, str) else ALWAYS
    scope = _presence(template, properties, rule.scope, start, base) if rule.scope else None
    count = resolve(template, properties, rule.scope + rule.count_path, "count", start, base=base)
    flag = resolve(template, properties, rule.scope + rule.flag_path, "flag", start, len(rule.scope), base)
    return Subject(
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
        feasible=template.conditions.feasible,
    )


def read_subjects(data: Any) -> list[Subject]:
    """The monitored resources of a loaded template; anything that is not a template gives none."""
    if not isinstance(data, dict):
        return []
    template = Template(data)
    subjects = []
    for name, resource in template.resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        rule = RULES_BY_CFN_TYPE.get(kind) if isinstance(kind, str) else None
        if rule is not None:
            subjects.append(subject_for(template, rule, str(name), resource))
    return subjects


def looks_like_template(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("Resources"), dict)
