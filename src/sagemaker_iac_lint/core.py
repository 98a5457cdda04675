"""The pure core: the value model and the one verdict function.

Front ends translate what they read into ``Value`` objects, each tied to a ``Scenario`` (one
assignment of the conditions the value depends on), and hand a ``Subject`` to ``judge``. Nothing
here knows about files, YAML, HCL or an engine.
"""

from __future__ import annotations

from .records import FrozenRecord, Record
from .rules import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it is a start-up cost for annotations only
    from collections.abc import Callable, Iterable, Iterator
    from typing import Final

LITERAL = "literal"
ABSENT = "absent"
UNKNOWN = "unknown"

# One assignment of named conditions: {("IsProd", True)}. Empty means "always".
Scenario = frozenset
ALWAYS: frozenset = frozenset()


class Value(FrozenRecord):
    """One possible value of a property, with what the user needs to hear about where it came from."""

    __slots__ = ("kind", "literal", "origin", "line", "column")
    kind: Final[str]
    literal: Final[object]
    origin: Final[str]
    line: Final[int]
    column: Final[int]

    def __init__(
        self,
        kind: str,
        literal: object = None,
        origin: str = "",  # e.g. "parameter `Count`, which has no MaxValue or AllowedValues"
        line: int = 0,  # 1-based position of what decided the value (0: not written anywhere)
        column: int = 0,
    ) -> None:
        self.kind = kind
        self.literal = literal
        self.origin = origin
        self.line = line
        self.column = column

    @classmethod
    def of(cls, literal: object, origin: str = "", line: int = 0, column: int = 0) -> Value:
        return cls(LITERAL, literal, origin, line, column)

    @classmethod
    def absent(cls, origin: str = "", line: int = 0, column: int = 0) -> Value:
        return cls(ABSENT, None, origin, line, column)

    @classmethod
    def unknown(cls, origin: str, line: int = 0, column: int = 0) -> Value:
        return cls(UNKNOWN, None, origin, line, column)

    def at(self, line: int, column: int) -> Value:
        """The same value, located at ``line``/``column`` unless it already has a position."""
        if self.line:
            return self
        return Value(self.kind, self.literal, self.origin, line, column)


# A property's possible values: each with the scenario in which it holds.
Possibilities = list  # list[tuple[Scenario, Value]]


def always(value: Value) -> Possibilities:
    return [(ALWAYS, value)]


def compatible(a: frozenset, b: frozenset) -> bool:
    """Two scenarios can hold together unless they give one condition both truth values."""
    if not a or not b:
        return True
    names_a = dict(a)
    return all(names_a.get(name, branch) == branch for name, branch in b)


def merge(a: frozenset, b: frozenset) -> frozenset:
    return a | b


class Subject(Record):
    """One monitored resource, read by a front end and ready to be judged."""

    __slots__ = (
        "rule",
        "name",
        "resource_type",
        "line",
        "column",
        "count",
        "flag",
        "scope",
        "terraform",
        "notes",
        "suppressions",
        "feasible",
        "unsupported",
        "deployment",
        "construct_path",
    )
    rule: Rule
    name: str
    resource_type: str
    line: int
    column: int
    count: Possibilities
    flag: Possibilities
    scope: Possibilities | None
    terraform: bool
    notes: list[str]
    suppressions: dict[str, str]
    feasible: Callable[[frozenset], bool] | None
    unsupported: str
    deployment: str
    construct_path: str

    def __init__(
        self,
        rule: Rule,
        name: str,  # CloudFormation logical id or Terraform address
        resource_type: str,
        line: int,
        column: int,
        count: Possibilities,
        flag: Possibilities,
        scope: Possibilities | None = None,  # rules with a scope: is the inline definition there?
        terraform: bool = False,  # spell property paths the Terraform way in messages
        notes: list[str] | None = None,  # what could not be read, said in the message (default: a new [])
        # control -> reason, from the resource's own suppression comment or Metadata; "" = no reason given
        suppressions: dict[str, str] | None = None,  # default: a new {}
        # can this combination of conditions hold at all? (None: every combination can)
        feasible: Callable[[frozenset], bool] | None = None,
        # set when the resource cannot be judged at all (a resource type that does not exist): the finding says this
        unsupported: str = "",
        deployment: str = "",  # the deployment judged (a parameter file, a samconfig environment); "" = as written
        construct_path: str = "",  # the CDK construct path (``aws:cdk:path``), when the template records one
    ) -> None:
        self.rule = rule
        self.name = name
        self.resource_type = resource_type
        self.line = line
        self.column = column
        self.count = count
        self.flag = flag
        self.scope = scope
        self.terraform = terraform
        self.notes = [] if notes is None else notes
        self.suppressions = {} if suppressions is None else suppressions
        self.feasible = feasible
        self.unsupported = unsupported
        self.deployment = deployment
        self.construct_path = construct_path


class Verdict(FrozenRecord):
    __slots__ = ("rule", "subject", "message", "line", "column", "scenario")
    rule: Final[Rule]
    subject: Final[Subject]
    message: Final[str]
    line: Final[int]
    column: Final[int]
    scenario: Final[frozenset]

    def __init__(self, rule: Rule, subject: Subject, message: str, line: int, column: int, scenario: frozenset) -> None:
        self.rule = rule
        self.subject = subject
        self.message = message
        self.line = line
        self.column = column
        self.scenario = scenario


def read_count(value: Value) -> int | None:
    """The instance count a value stands for, or None when it cannot be known."""
    if value.kind == ABSENT:
        return 1  # the service default
    if value.kind != LITERAL:
        return None
    literal = value.literal
    if isinstance(literal, bool):
        return None
    if isinstance(literal, int):
        return literal
    if isinstance(literal, float) and literal.is_integer():
        return int(literal)
    if isinstance(literal, str):
        # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses
        text = literal.strip()
        digits = text[1:] if text[:1] == "+" else text
        if digits.isascii() and digits.isdigit():
            return int(digits)
    return None


def flag_is_true(value: Value, terraform: bool = False) -> bool:
    """Only a provable true counts: CloudFormation also accepts the string ``"true"``, and Terraform
    (go-cty's string-to-bool conversion) the string ``"1"`` as well."""
    if value.kind != LITERAL:
        return False
    literal = value.literal
    if isinstance(literal, bool):
        return literal
    if not isinstance(literal, str):
        return False
    text = literal.strip().lower()
    return text == "true" or (terraform and literal == "1")


def _path_text(subject: Subject, path: tuple[str, ...]) -> str:
    if subject.terraform:
        path = subject.rule.tf_path(path)
    return ".".join(path)


def describe_count(subject: Subject, value: Value) -> str:
    name = _path_text(subject, subject.rule.count_path[-1:])
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
    path = _path_text(subject, subject.rule.flag_path)
    if value.kind == ABSENT:
        return f"`{path}` {value.origin or 'is not set'}"
    if value.kind == UNKNOWN:
        return f"`{path}` comes from {value.origin}, so it is not provably true"
    shown = str(value.literal).lower() if isinstance(value.literal, bool) else repr(value.literal)
    if value.origin:
        return f"`{path}` is {shown}, from {value.origin}"
    return f"`{path}` is {shown}"


def describe_scenario(scenario: frozenset) -> str:
    if not scenario:
        return ""
    parts = [f"condition `{name}` is {'true' if branch else 'false'}" for name, branch in sorted(scenario)]
    return " when " + " and ".join(parts)


def _fix(subject: Subject) -> str:
    rule = subject.rule
    path = _path_text(subject, rule.scope + rule.flag_path)
    if rule.create_only:
        tail = f"the property is create-only, so the {subject.rule.resource_noun} will be replaced"
    else:
        tail = f"the {subject.rule.resource_noun} is updated in place"
    return f"Set `{path}` to true; {tail}."


def _message(subject: Subject, count: Value, flag: Value, scenario: frozenset, strict_only: bool) -> str:
    rule = subject.rule
    what = f"{rule.resource_kind} `{subject.name}`"
    when = describe_scenario(scenario)
    notes = "".join(f" ({note})" for note in subject.notes)
    flag_text = describe_flag(subject, flag)
    if not rule.multi_instance_only:
        return f"{what} runs its inline job with inter-container traffic encryption off{when} ({flag_text}).{notes} {_fix(subject)}"
    count_text = describe_count(subject, count)
    if strict_only:
        return (
            f"{what} runs on 1 instance{when} ({count_text}) with inter-container traffic encryption off "
            f"({flag_text}); strict mode asks for it at any count, so scaling up never reopens "
            f"{rule.control}.{notes} {_fix(subject)}"
        )
    return (
        f"{what} can run 2+ instances{when} ({count_text}) while inter-container traffic encryption is off "
        f"({flag_text}).{notes} {_fix(subject)}"
    )


def _distinct(possibilities: Possibilities, relevant: Callable[[Value], bool] = lambda _: True) -> Possibilities:
    """The possibilities that can change a verdict, each once: two values of one kind and literal in one
    scenario judge alike (the first, as written first, is the one a message names). A mapping of
    10,000 entries gives a handful of distinct counts and flags, not 10,000 x 10,000 pairs."""
    seen: set = set()
    out: Possibilities = []
    for scenario, value in possibilities:
        if not relevant(value):
            continue
        key = (scenario, value.kind, repr(value.literal))
        if key not in seen:
            seen.add(key)
            out.append((scenario, value))
    return out


def _pairs(subject: Subject) -> Iterator[tuple[frozenset, Value, Value]]:
    """(scenario, count, flag) for every combination that can hold, flags provably true left out
    (they pass whatever the count)."""
    scopes = subject.scope if subject.scope is not None else always(Value.of(True))
    counts = _distinct(subject.count or always(Value.absent()))
    flags = _distinct(subject.flag or always(Value.absent()), lambda flag: not flag_is_true(flag, subject.terraform))
    for scope_scenario, scope_value in scopes:
        if scope_value.kind == ABSENT:
            continue  # no inline definition in this scenario: nothing to judge
        for count_scenario, count in counts:
            if not compatible(scope_scenario, count_scenario):
                continue
            both = merge(scope_scenario, count_scenario)
            for flag_scenario, flag in flags:
                if compatible(both, flag_scenario):
                    scenario = merge(both, flag_scenario)
                    if subject.feasible is None or subject.feasible(scenario):
                        yield scenario, count, flag


def judge(subject: Subject, strict: bool = False) -> Verdict | None:
    """The one verdict function. Returns the finding for the worst failing scenario, or None.

    standard: a scenario fails when the count may be 2+ and the flag is not provably true.
    strict: a scenario fails when the flag is not provably true, whatever the count.
    Rules that are not ``multi_instance_only`` fail on the flag alone, in both modes.
    """
    if subject.unsupported:
        return Verdict(subject.rule, subject, subject.unsupported, subject.line, subject.column, ALWAYS)
    multi: tuple | None = None
    single: tuple | None = None
    for scenario, count, flag in _pairs(subject):
        if flag_is_true(flag, subject.terraform):
            continue
        number = read_count(count)
        if not subject.rule.multi_instance_only or number is None or number >= 2:
            multi = (scenario, count, flag)
            break  # the first failing combination is the one reported: nothing after it can change that
        elif strict:
            single = single or (scenario, count, flag)
    chosen, strict_only = (multi, False) if multi else (single, True)
    if chosen is None:
        return None
    scenario, count, flag = chosen
    line, column = (flag.line, flag.column) if flag.line else (subject.line, subject.column)
    return Verdict(
        rule=subject.rule,
        subject=subject,
        message=_message(subject, count, flag, scenario, strict_only),
        line=line,
        column=column,
        scenario=scenario,
    )


def judge_all(subjects: Iterable[Subject], strict: bool = False) -> list[Verdict]:
    return [verdict for verdict in (judge(s, strict) for s in subjects) if verdict is not None]
