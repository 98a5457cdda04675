"""The cfn-lint adapter: what cfn-lint hands a rule, translated into the CLI's ``core.Subject``.

cfn-lint calls ``validate`` (the keyword hook on ``Resources/<Type>/Properties``) for each
monitored resource whose ``Properties`` is a plain mapping; ``match`` (the template-level hook)
takes the rest: ``Properties`` absent, an intrinsic function, or not a mapping at all, shapes
that cfn-lint's schema walk hands to no keyword rule. For each resource this module only
translates:

- it walks the rule table's property paths, letting cfn-lint's condition model decide which
  ``Fn::If`` branches can be taken together (``Conditions.evolve`` raises for an impossible
  combination: it knows ``!Not``, ``!Equals`` on one parameter, and the resource's own
  ``Condition``); the count is walked in each scope branch and the flag in each count branch,
  so a count and a flag are only paired when cfn-lint says their conditions can hold at once;
- where a walk ends (a value, or a shape it cannot descend into) the value is resolved by
  ``cfn.resolve``, the CLI's own resolver, so parameters, mappings and unknowns mean exactly
  what they mean to the CLI (cfn-lint's own resolution returns nothing for a value it cannot
  resolve, and a parameter's Default in place of its bound, which would pass what must fail);
- the finding comes from ``scan.findings_for``, the CLI's path from ``core.judge`` to a
  finding (our own suppression Metadata included), reported at the template path of the flag,
  else ``NetworkConfig``, else the resource, so that cfn-lint computes line and column, and
  applies its own ``ignore_checks``, as for any of its rules.

Nothing here raises on a malformed template: every shape that is not what the schema says ends
a walk, and ``cfn.resolve`` turns it into an unknown or absent value with a reason.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from typing import Any, Iterator, NamedTuple

from cfnlint.jsonschema import ValidationError
from cfnlint.rules import RuleMatch
from cfnlint.rules.jsonschema.CfnLintKeyword import CfnLintKeyword
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

from .. import cfn
from ..core import Possibilities, Subject, Value
from ..rules import Rule
from ..scan import Options, findings_for

STRICT = "strict"


class _Step(NamedTuple):
    """Where one walk along a property path ended, in one combination of ``Fn::If`` branches."""

    node: Any  # the value at the end of the path, or the shape the walk could not descend into
    walked: tuple  # the property keys descended so far, relative to ``Properties``
    scenario: frozenset  # the (condition, branch) pairs taken, as core.Scenario
    conditions: Any  # cfn-lint's Conditions with those branches pinned
    located: tuple  # template path of the deepest key that locates a finding (() = none yet)


def _fn_if(node: Any) -> tuple[str, list] | None:
    """``(condition, [_, when_true, when_false])`` for a well-formed ``Fn::If``; the CLI expands
    exactly these shapes, and treats any other ``Fn::If`` as an unknown value."""
    if isinstance(node, dict) and len(node) == 1 and "Fn::If" in node:
        args = node["Fn::If"]
        if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
            return args[0], args
    return None


def _intrinsic(node: Any) -> bool:
    """A one-key mapping naming a function, as the CLI reads it (``Condition`` is not one)."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def _descends(node: Any, key: str) -> bool:
    """Whether the walk can go on into ``node[key]``: a plain mapping that has the key."""
    return isinstance(node, dict) and key in node and not _intrinsic(node)


def _walk(
    node: Any,
    path: tuple,
    step: _Step,
    at: tuple,
    track_from: int,
) -> Iterator[_Step]:
    """Follow ``path`` from ``node``, one ``_Step`` per possible combination of ``Fn::If`` branches.

    ``at`` is the template path of ``node``; keys at depth ``track_from`` and below move
    ``located``, so a finding points at the flag, else at ``NetworkConfig``, never inside the scope.
    """
    branch = _fn_if(node)
    if branch is not None:
        condition, args = branch
        for index, taken in ((1, True), (2, False)):
            try:
                conditions = step.conditions.evolve({condition: taken}) if step.conditions is not None else None
            except ValueError:  # cfn-lint's Unsatisfiable: this branch cannot be taken here
                continue
            pinned = step._replace(scenario=step.scenario | {(condition, taken)}, conditions=conditions)
            yield from _walk(args[index], path, pinned, at + ("Fn::If", index), track_from)
        return
    if not path or not _descends(node, path[0]):
        yield step._replace(node=node)
        return
    key = path[0]
    located = at + (key,) if len(step.walked) >= track_from else step.located
    yield from _walk(node[key], path[1:], step._replace(walked=step.walked + (key,), located=located), at + (key,), track_from)


def _plain_mapping(node: Any) -> bool:
    """A mapping that is not an intrinsic function: what the schema says ``Properties`` is."""
    return isinstance(node, dict) and not _intrinsic(node)


def _resource(cfn_template: Any, at: tuple) -> dict | None:
    """The resource a keyword call is about, from its path (``Resources/<name>/Properties/...``)."""
    resources = cfn_template.template.get("Resources")
    if len(at) < 3 or at[0] != "Resources" or not isinstance(resources, dict):
        return None
    resource = resources.get(at[1])
    return resource if isinstance(resource, dict) else None


def _has_schema(cfn_template: Any, kind: str) -> bool:
    """Whether cfn-lint has a schema for ``kind`` in a linted region, so its schema walk reaches the keyword hook."""
    for region in getattr(cfn_template, "regions", None) or ():
        try:
            PROVIDER_SCHEMA_MANAGER.get_resource_schema(region=region, resource_type=kind)
        except ResourceNotFoundError:
            continue
        return True
    return False


def _resource_conditions(cfn_template: Any, resource: dict) -> Any:
    """cfn-lint's conditions with the resource's own Condition pinned, as its schema walk does."""
    context = getattr(cfn_template, "context", None)
    conditions = getattr(context, "conditions", None)
    own = resource.get("Condition")
    if conditions is not None and isinstance(own, str):
        try:
            return conditions.evolve({own: True})
        except ValueError:  # an unknown or impossible condition: judge without it
            return conditions
    return conditions


def _wrapped(step: _Step) -> Any:
    """The walk's end, put back under the keys that led to it, so ``cfn.resolve`` names them as the CLI does."""
    node = step.node
    for key in reversed(step.walked):
        node = {key: node}
    return node


def _resolve(template: cfn.Template, step: _Step, path: tuple, role: str) -> list[Value]:
    """The CLI's values for the end of one walk (a FindInMap may give several)."""
    return [value for _, value in cfn.resolve(template, _wrapped(step), path, role, (0, 0))]


class MonitoringJobRule(CfnLintKeyword):
    """Base for the generated rules: one subclass per row of the rule table, with ``rule`` set."""

    rule: Rule

    def __init__(self) -> None:
        super().__init__(keywords=[f"Resources/{kind}/Properties" for kind in self.rule.cfn_types])
        self.config_definition = {STRICT: {"default": False, "type": "boolean"}}
        self.configure()

    # cfn-lint's keyword hook: ``validator`` carries the template, the path and the conditions
    # pinned so far (the resource's own Condition among them).
    def validate(self, validator: Any, keyword: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        at = tuple(validator.context.path.path)
        resource = _resource(validator.cfn, at)
        # Only a plain mapping, seen as itself: cfn-lint also calls this hook for each mapping
        # branch of an ``Fn::If`` Properties (never for a ``!Ref AWS::NoValue`` branch), and for
        # an absent Properties in some versions; ``match`` judges those whole, so nothing is
        # judged twice and no branch is left out.
        if resource is None or len(at) != 3 or not _plain_mapping(resource.get("Properties")):
            return
        for message, where in self._findings(validator.cfn, validator.context.conditions, at, resource, instance):
            yield ValidationError(message, path_override=deque(where), rule=self)

    # The resources the keyword hook does not judge: a Properties that is absent, an intrinsic
    # function (``Fn::If``, ``!Ref AWS::NoValue``, ``GetAtt``), or not a mapping at all (a
    # string, a list, null, which cfn-lint's schema walk reports as a type error and then passes
    # to no keyword rule); and any resource when none of the linted regions has a schema for its
    # type (cfn-lint reports E3006 and walks nothing). The CLI judges all of them; so does this
    # template-level hook.
    def match(self, cfn_template: Any) -> list[RuleMatch]:
        resources = cfn_template.template.get("Resources")
        matches = []
        for name, resource in resources.items() if isinstance(resources, dict) else ():
            if not isinstance(resource, dict) or resource.get("Type") not in self.rule.cfn_types:
                continue
            properties = resource.get("Properties", {})
            if "Properties" in resource and _plain_mapping(properties) and _has_schema(cfn_template, resource["Type"]):
                continue  # the keyword hook judges it
            at = ("Resources", name, "Properties")
            conditions = _resource_conditions(cfn_template, resource)
            for message, where in self._findings(cfn_template, conditions, at, resource, properties):
                matches.append(RuleMatch(list(where), message, rule=self))
        return matches

    def _findings(
        self, cfn_template: Any, conditions: Any, at: tuple, resource: dict, instance: Any
    ) -> Iterator[tuple[str, tuple]]:
        """(message, template path to report at) for the resource whose ``Properties`` sit at ``at``."""
        name = at[1]
        subject, paths = self._subject(cfn_template, conditions, name, resource, instance, at)
        strict = bool(self.config.get(STRICT))
        for finding in findings_for(cfn_template.filename or "", [subject], Options(strict=strict)):
            yield finding.message, paths.get((finding.line, finding.column), ("Resources", name))

    def _subject(
        self, cfn_template: Any, conditions: Any, name: str, resource: dict, instance: Any, at: tuple
    ) -> tuple[Subject, dict[tuple[int, int], tuple]]:
        """The Subject the CLI would build, with cfn-lint's branches and positions; and the
        template path behind each position a finding can take."""
        rule = self.rule
        template = cfn.Template(cfn_template.template)
        paths: dict[tuple[int, int], tuple] = {}

        def locate(path: tuple) -> tuple[int, int]:
            try:
                found = cfn_template.get_location_yaml(cfn_template.template, list(path))
            except (AttributeError, KeyError, IndexError, TypeError):  # a template without marks
                found = None
            if not found:
                return 0, 0
            position = (found[0] + 1, found[1] + 1)
            paths.setdefault(position, path)
            return position

        # What cfn-lint has pinned on the way here: the resource's own Condition, and the branch
        # of an ``Fn::If`` that Properties itself is; the CLI starts its scenarios the same way.
        entry = frozenset(conditions.status.items()) if conditions is not None else frozenset()
        start = _Step(instance, (), entry, conditions, ())

        def walk(step: _Step, path: tuple, track_from: int = 0) -> Iterator[_Step]:
            return _walk(instance, path, step._replace(node=instance, walked=(), located=()), at, track_from)

        scope: Possibilities | None = [] if rule.scope else None
        count: Possibilities = []
        flag: Possibilities = []
        for scope_step in walk(start, rule.scope) if rule.scope else [start]:
            if scope is not None:
                reached = len(scope_step.walked) == len(rule.scope)
                # Like the CLI's ``cfn._presence``: reaching the inline definition is presence,
                # unless what is there is empty or ``!Ref AWS::NoValue`` (an ``Fn::If`` on the
                # definition ends the walk at its branch, so the walk reaches such a branch too);
                # stopping short of it is presence unless the CLI's resolver calls what stopped it absent.
                if reached and (scope_step.node is None or cfn.is_no_value(scope_step.node)):
                    values = [Value.absent("is removed")]
                else:
                    values = [Value.of(True)] if reached else _resolve(template, scope_step, rule.scope, "flag")
                for value in values:
                    scope.append((scope_step.scenario, value if value.kind == "absent" else Value.of(True)))
            for count_step in walk(scope_step, rule.scope + rule.count_path):
                count.extend((count_step.scenario, v) for v in _resolve(template, count_step, rule.scope + rule.count_path, "count"))
                for flag_step in walk(count_step, rule.scope + rule.flag_path, track_from=len(rule.scope)):
                    line, column = locate(flag_step.located) if flag_step.located else (0, 0)
                    flag.extend(
                        (flag_step.scenario, v.at(line, column))
                        for v in _resolve(template, flag_step, rule.scope + rule.flag_path, "flag")
                    )
        line, column = locate(("Resources", name))
        # cfn.subject_for gives what the CLI reads besides the paths (type, suppressions, notes);
        # the paths are replaced by cfn-lint's view of them.
        subject = dataclasses.replace(
            cfn.subject_for(template, rule, name, resource),
            line=line,
            column=column,
            count=count,
            flag=flag,
            scope=scope,
        )
        return subject, paths
