"""Verdicts in words: what was seen, where it came from, what to set, and what the change replaces.

``core.judge`` decides; this module only says. Every sentence is built from the rule row's own
fields (``resource_kind``, ``problem``, ``setting``, ``default``, ``wanted``, ``create_only``), so a new
row gets its messages with no code here.
"""

from __future__ import annotations

from .core import ABSENT, UNKNOWN, Subject, Value, read_count


def path_text(subject: Subject, path: tuple[str, ...]) -> str:
    """A property path as the subject's language spells it."""
    if subject.terraform:
        path = subject.rule.tf_path(path, subject.resource_type)
    return ".".join(path)


def _element(value: Value, subject: Subject) -> str:
    """``ProductionVariants[1]`` (Terraform: ``production_variants[1]``) for a value of a list element."""
    if not value.element:
        return ""
    name, _, index = value.element.partition("[")
    spelled = path_text(subject, (name,)) if subject.terraform else name
    return f"{spelled}[{index}" if index else spelled


def describe_count(subject: Subject, value: Value) -> str:
    rule = subject.rule
    element = _element(value, subject)
    name = f"{element}.{path_text(subject, rule.count_path)}" if element else path_text(subject, rule.count_path[-1:])
    count = read_count(value)
    if value.kind == ABSENT:
        return f"{name} is not set, so the service default of 1 applies"
    if value.kind == UNKNOWN:
        return f"{name} comes from {value.origin}" if value.origin else f"{name} cannot be known before deployment"
    if count is None:
        return f"{name} is `{value.literal}`, which is not a number"
    if value.origin:
        return f"{name} is {count}, from {value.origin}"
    return f"{name} is {count}"


def describe_flag(subject: Subject, value: Value) -> str:
    rule = subject.rule
    element = _element(value, subject)
    path = f"{element}.{path_text(subject, rule.flag_path)}" if element else path_text(subject, rule.flag_path)
    if value.kind == ABSENT:
        said = value.origin or "is not set"
        if rule.default:
            said += f", so the service default {rule.default} applies"
        return f"`{path}` {said}"
    if value.kind == UNKNOWN:
        provably = "true" if rule.expected is True else rule.wanted
        return f"`{path}` comes from {value.origin}, so it is not provably {provably}"
    shown = str(value.literal).lower() if isinstance(value.literal, bool) else repr(value.literal)
    if value.origin:
        return f"`{path}` is {shown}, from {value.origin}"
    return f"`{path}` is {shown}"


def describe_scenario(scenario: frozenset) -> str:
    if not scenario:
        return ""
    parts = [f"condition `{name}` is {'true' if branch else 'false'}" for name, branch in sorted(scenario)]
    return " when " + " and ".join(parts)


def remedy(subject: Subject, value: Value | None = None) -> str:
    """What to set, and what deploying the change does to the resource."""
    rule = subject.rule
    element = _element(value, subject) if value is not None else ""
    judged = rule.flag_path or rule.count_path
    path = f"{element}.{path_text(subject, judged)}" if element else path_text(subject, rule.scope + judged)
    if rule.create_only:
        tail = f"the property is create-only, so the {rule.resource_noun} will be replaced"
    else:
        tail = f"the {rule.resource_noun} is updated in place"
    return f"Set `{path}` to {rule.wanted}; {tail}."


def sentence(subject: Subject, count: Value, flag: Value, scenario: frozenset, strict_only: bool) -> str:
    """The finding's message for the failing combination ``core.judge`` chose."""
    rule = subject.rule
    what = f"{rule.resource_kind} `{subject.name}`"
    when = describe_scenario(scenario)
    notes = "".join(f" ({note})" for note in subject.notes)
    if rule.count_fails == "1":
        return f"{what} {rule.problem}{when} ({describe_count(subject, count)}).{notes} {remedy(subject, count)}"
    flag_text = describe_flag(subject, flag)
    if rule.count_fails != "2+":
        problem = rule.problem or f"runs without {rule.setting}"
        return f"{what} {problem}{when} ({flag_text}).{notes} {remedy(subject, flag)}"
    count_text = describe_count(subject, count)
    if strict_only:
        return (
            f"{what} runs on 1 instance{when} ({count_text}) with {rule.setting} off "
            f"({flag_text}); strict mode asks for it at any count, so scaling up never reopens "
            f"{rule.control}.{notes} {remedy(subject, flag)}"
        )
    return (
        f"{what} can run 2+ instances{when} ({count_text}) while {rule.setting} is off "
        f"({flag_text}).{notes} {remedy(subject, flag)}"
    )
