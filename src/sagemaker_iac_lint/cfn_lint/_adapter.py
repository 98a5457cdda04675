"""The cfn-lint adapter: what cfn-lint hands a rule, translated into the CLI's ``core.Subject``.

cfn-lint calls ``validate`` (the keyword hook on ``Resources/<Type>/Properties``) for each
monitored resource whose ``Properties`` is a plain mapping; ``match`` (the template-level hook)
takes the rest: ``Properties`` absent, an intrinsic function, or not a mapping at all, shapes
that cfn-lint's schema walk hands to no keyword rule. For each resource this module only
translates:

- the Subject is the CLI's: ``cfn.subject_for`` walks the rule table's property paths with the
  CLI's walker, resolver and condition model, on the template cfn-lint decoded (and transformed:
  cfn-lint expands ``Fn::ForEach`` itself), so a combination of conditions is left out exactly when
  the CLI and the Checkov checks leave it out;
- the one hook the walker takes from here is ``locate``: the position of a template path, asked of
  cfn-lint's own decoder, so that the finding is reported at the template path of the flag, else
  ``NetworkConfig``, else the resource, and cfn-lint computes line and column and applies its own
  ``ignore_checks``, as for any of its rules;
- cfn-lint's parameter sets (``--parameters``, ``--parameter-files``) are deployments: the template
  is judged once per set, as the CLI judges a ``--parameter-file``, and each finding names it;
- the finding comes from ``scan.findings_for``, the CLI's path from ``core.judge`` to a finding
  (our own suppression Metadata included).

Nothing here raises on a malformed template: every shape that is not what the schema says ends
a walk, and the CLI's resolver turns it into an unknown or absent value with a reason.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from cfnlint.jsonschema import ValidationError
from cfnlint.rules import RuleMatch
from cfnlint.rules.jsonschema.CfnLintKeyword import CfnLintKeyword
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

from .. import cfn
from ..core import Subject
from ..rules import Rule
from ..scan import Options, findings_for

STRICT = "strict"


def _intrinsic(node: Any) -> bool:
    """A one-key mapping naming a function, as the CLI reads it (``Condition`` is not one)."""
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


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


_TEMPLATES: dict = {}  # the CLI's Template per (cfn-lint template, deployment), for the current template only


def _deployments(cfn_template: Any) -> list[cfn.Deployment | None]:
    """cfn-lint's parameter sets as deployments; [None] (the template as written) when there are none."""
    context = getattr(cfn_template, "context", None)
    sets = getattr(context, "parameter_sets", None) or []
    found: list[cfn.Deployment | None] = []
    for index, parameter_set in enumerate(sets):
        values = getattr(parameter_set, "parameters", None)
        if not isinstance(values, dict):
            continue
        name = getattr(parameter_set, "source", None) or ("--parameters" if len(sets) == 1 else f"--parameters #{index + 1}")
        found.append(cfn.Deployment(str(name), {str(k): cfn.parameter_text(v) for k, v in values.items()}))
    return found or [None]


def _original(cfn_template: Any) -> Any:
    """The template as written, when cfn-lint has transformed it with ``AWS::LanguageExtensions``.

    cfn-lint's transform rewrites values as well as expanding ``Fn::ForEach``: an
    ``Fn::FindInMap`` whose key is a parameter becomes the entry of the first key that has the
    second-level key (a ``DefaultValue`` never applies), and a ``Ref`` to a parameter inside a loop
    may become its Default. Judging that would pass what deploys differently, so the values are read
    from the file as written (and the loops expanded by the CLI's reader, with the same logical ids);
    positions are still asked of cfn-lint, at the same paths. The same for YAML merge keys, which
    cfn-lint's decoder merges last-wins (``<<: [*a, *b]`` takes ``b``'s keys) where the merge-key spec
    has the earlier mapping win. None when it cannot be read, or when neither is there."""
    if not cfn_template.filename:
        return None
    transforms = getattr(cfn_template, "transform_pre", {}).get("Transform") or []
    try:
        with open(cfn_template.filename, encoding="utf-8-sig") as handle:
            text = handle.read()
        if cfn.LANGUAGE_EXTENSIONS not in transforms and "<<" not in text:
            return None
        data = cfn.load_template(text, is_json=text.lstrip().startswith("{"))
    except (OSError, UnicodeDecodeError, cfn.ReadError):
        return None
    return data if cfn.looks_like_template(data) else None


def _template(cfn_template: Any, deployment: cfn.Deployment | None) -> cfn.Template:
    data = cfn_template.template
    key = (id(data), deployment.name if deployment is not None else None)
    found = _TEMPLATES.get(key)
    if found is None or found[0] is not data:
        if len(_TEMPLATES) > 16:
            _TEMPLATES.clear()
        original = _original(cfn_template)
        found = _TEMPLATES[key] = (data, cfn.Template(original if original is not None else data, deployment))
    return found[1]


class TableRule(CfnLintKeyword):
    """Base for the generated rules: one subclass per row of the rule table, with ``rule`` set.

    Nothing here is particular to a control: the row says which resource types the keyword hook is
    registered for and what is judged; every resource type with several rows (a notebook instance:
    SageMaker.1 .2 .3 .21) gets one rule per row, each judging its own subject.
    """

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
        for message, where in self._findings(validator.cfn, at, resource):
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
            for message, where in self._findings(cfn_template, at, resource):
                matches.append(RuleMatch(list(where), message, rule=self))
        return matches

    def _findings(self, cfn_template: Any, at: tuple, resource: dict) -> Iterator[tuple[str, tuple]]:
        """(message, template path to report at) for the resource whose ``Properties`` sit at ``at``,
        once per deployment (cfn-lint's parameter sets)."""
        name = at[1]
        strict = bool(self.config.get(STRICT))
        for deployment in _deployments(cfn_template):
            subject, paths = self._subject(cfn_template, deployment, name, resource)
            for finding in findings_for(cfn_template.filename or "", [subject], Options(strict=strict)):
                yield finding.message, paths.get((finding.line, finding.column), ("Resources", name))

    def _subject(
        self, cfn_template: Any, deployment: cfn.Deployment | None, name: str, resource: dict
    ) -> tuple[Subject, dict[tuple[int, int], tuple]]:
        """The Subject the CLI would build, located by cfn-lint; and the template path behind each
        position a finding can take."""
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

        template = _template(cfn_template, deployment)
        written = template.resources.get(name)
        resource = written if isinstance(written, dict) and written.get("Type") == resource.get("Type") else resource
        subject = cfn.subject_for(template, self.rule, name, resource, locate=locate)
        return subject, paths

