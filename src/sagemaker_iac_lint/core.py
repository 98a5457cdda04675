"""The pure core: the value model and the one verdict function.

Front ends translate what they read into ``Value`` objects, each tied to a ``Scenario`` (one
assignment of the conditions the value depends on), and hand a ``Subject`` to ``judge``. Nothing
here knows about files, YAML, HCL or an engine.
"""

from __future__ import annotations

from .records import FrozenRecord, Record
from .rules import PRESENT, Applies, Rule

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

    __slots__ = ("kind", "literal", "origin", "line", "column", "element")
    kind: Final[str]
    literal: Final[object]
    origin: Final[str]
    line: Final[int]
    column: Final[int]
    element: Final[str]

    def __init__(
        self,
        kind: str,
        literal: object = None,
        origin: str = "",  # e.g. "parameter `Count`, which has no MaxValue or AllowedValues"
        line: int = 0,  # 1-based position of what decided the value (0: not written anywhere)
        column: int = 0,
        element: str = "",  # the list element it belongs to (``ProductionVariants[1]``), for rules with ``each``
    ) -> None:
        self.kind = kind
        self.literal = literal
        self.origin = origin
        self.line = line
        self.column = column
        self.element = element

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
        return Value(self.kind, self.literal, self.origin, line, column, self.element)

    def within(self, element: str) -> Value:
        """The same value, as the value of list element ``element`` (``Containers[0]``)."""
        return Value(self.kind, self.literal, self.origin, self.line, self.column, element)


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
        "applies",
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
    applies: list[Possibilities]

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
        applies: list[Possibilities] | None = None,  # the values of ``rule.applies``' paths, in order (default: a new [])
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
        self.applies = [] if applies is None else applies


class Verdict(FrozenRecord):
    """A failing combination and what decided it; ``messages.sentence`` says it in words.

    ``count`` and ``flag`` are the values judged (``flag`` is the property the rule asks to set; a rule
    with no property to set, such as SageMaker.4, has an absent one), ``scenario`` the conditions under
    which they hold, ``strict_only`` whether only strict mode fails it; ``line``/``column`` point at the
    flag as written, else at what holds it, else at the resource."""

    __slots__ = ("rule", "subject", "message", "line", "column", "scenario", "count", "flag", "strict_only")
    rule: Final[Rule]
    subject: Final[Subject]
    message: Final[str]
    line: Final[int]
    column: Final[int]
    scenario: Final[frozenset]
    count: Final[Value | None]
    flag: Final[Value | None]
    strict_only: Final[bool]

    def __init__(self, rule: Rule, subject: Subject, message: str, line: int, column: int, scenario: frozenset,
                 count: Value | None = None, flag: Value | None = None, strict_only: bool = False) -> None:
        self.rule = rule
        self.subject = subject
        self.message = message
        self.line = line
        self.column = column
        self.scenario = scenario
        self.count = count
        self.flag = flag
        self.strict_only = strict_only

    @property
    def fix_path(self) -> tuple[str, ...]:
        """The property path that would make it pass, as the rule table spells it (CloudFormation)."""
        rule = self.rule
        return rule.scope + rule.flag_path if rule.flag_path else rule.scope + rule.count_path


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
    """Only a provable true counts: CloudFormation also accepts the string ``"true"`` (in any case),
    Terraform (go-cty's string-to-bool conversion) exactly ``"true"`` and ``"1"``: it refuses
    ``"TRUE"`` and ``" true"``, so those are not a true."""
    if value.kind != LITERAL:
        return False
    literal = value.literal
    if isinstance(literal, bool):
        return literal
    if not isinstance(literal, str):
        return False
    if terraform:
        return literal in ("true", "1")
    return literal.strip().lower() == "true"


def complies(rule: Rule, value: Value, terraform: bool = False) -> bool:
    """Whether the judged property's value is provably what the rule asks for. A rule with no property
    to set (the count alone decides) never complies here."""
    if not rule.flag_path:
        return False
    expected = rule.expected
    if expected is PRESENT:
        # any value at all, a reference known only at deployment included; an empty string or null is none
        if value.kind == ABSENT:
            return False
        literal = value.literal
        return not (value.kind == LITERAL and (literal is None or (isinstance(literal, str) and not literal.strip())))
    if expected is True:
        return flag_is_true(value, terraform)
    return value.kind == LITERAL and isinstance(value.literal, str) and value.literal == expected


def _truth(value: object) -> object:
    """``"true"``/``"false"`` (any case) as the booleans CloudFormation and Terraform read them as; any
    other string as a plain ``str`` (parsers hand out subclasses that carry positions)."""
    if isinstance(value, str):
        text = value.strip().lower()
        return text == "true" if text in ("true", "false") else str(value)
    return value


def applies(condition: Applies, value: Value) -> bool:
    """Whether ``condition`` holds for ``value``; a value that cannot be known holds (fail closed)."""
    if value.kind == UNKNOWN:
        return True
    seen = _truth(condition.default if value.kind == ABSENT else value.literal)
    matched = any(seen == _truth(wanted) and type(_truth(wanted)) is type(seen) for wanted in condition.values)
    return not matched if condition.negate else matched


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


def _where(subject: Subject) -> list[frozenset]:
    """The scenarios in which the rule applies at all: the scope is there and every ``applies`` holds."""
    rule = subject.rule
    found: list[frozenset] = []
    for scenario, value in subject.scope if subject.scope is not None else always(Value.of(True)):
        if value.kind != ABSENT:  # no inline definition (no offline store) in this scenario: nothing to judge
            found.append(scenario)
    for condition, possibilities in zip(rule.applies, subject.applies):
        narrowed: list[frozenset] = []
        for scenario in found:
            for value_scenario, value in _distinct(possibilities or always(Value.absent())):
                if compatible(scenario, value_scenario) and applies(condition, value):
                    merged = merge(scenario, value_scenario)
                    if merged not in narrowed:
                        narrowed.append(merged)
        found = narrowed
    return found


def _pairs(subject: Subject) -> Iterator[tuple[frozenset, Value, Value]]:
    """(scenario, count, flag) for every combination that can hold where the rule applies, flags that
    comply left out (they pass whatever the count)."""
    rule = subject.rule
    counts = _distinct(subject.count or always(Value.absent())) if rule.count_path else always(Value.absent())
    flags = _distinct(subject.flag or always(Value.absent()), lambda flag: not complies(rule, flag, subject.terraform)) \
        if rule.flag_path else always(Value.absent())
    index = _ScenarioIndex(flags) if len(flags) > _INDEXED else None
    for where in _where(subject):
        for count_scenario, count in counts:
            if not compatible(where, count_scenario):
                continue
            both = merge(where, count_scenario)
            for flag_scenario, flag in flags if index is None else index.compatible(both):
                if index is not None or compatible(both, flag_scenario):
                    scenario = merge(both, flag_scenario)
                    if subject.feasible is None or subject.feasible(scenario):
                        yield scenario, count, flag


_INDEXED = 16  # more flags than this are looked up in a _ScenarioIndex rather than each checked


class _ScenarioIndex:
    """Possibilities in a trie of their scenarios' conditions, to find the ones compatible with a scenario
    without checking each: a branch of the trie that contradicts the scenario is skipped whole. An Fn::If
    tree of 12 levels gives 2,048 failing counts and 2,048 non-compliant flags that never meet; checked
    pair by pair that is 4 million `compatible` calls (15 s), looked up here 2,048 walks of one path each.
    ``compatible`` gives what ``compatible(scenario, s)`` accepts, in the possibilities' own order."""

    __slots__ = ("possibilities", "root")

    def __init__(self, possibilities: Possibilities) -> None:
        self.possibilities = possibilities
        self.root: dict = {}  # literal -> child node; the key None holds the indices that end here
        for position, (scenario, _) in enumerate(possibilities):
            node = self.root
            for literal in sorted(scenario, key=repr):
                node = node.setdefault(literal, {})
            node.setdefault(None, []).append(position)

    def compatible(self, scenario: frozenset) -> list:
        names = dict(scenario)  # as compatible() reads it
        found: list[int] = []
        pending = [self.root]
        while pending:
            node = pending.pop()
            for literal, child in node.items():
                if literal is None:
                    found.extend(child)
                elif not names or names.get(literal[0], literal[1]) == literal[1]:
                    pending.append(child)
        return [self.possibilities[position] for position in sorted(found)]


def judge(subject: Subject, strict: bool = False) -> Verdict | None:
    """The one verdict function. Returns the finding for the worst failing scenario, or None.

    A scenario fails when the judged property does not comply (``complies``) and the count condition,
    if the rule has one, holds: "2+" needs a count that may be 2 or more (strict mode: any count),
    "1" a count that may be 1 (the only thing judged: the rule has no property to set).
    A rule with ``each`` judges the elements its reader found; with none (no container, every variant
    serverless) there is nothing to judge.
    """
    from .messages import sentence

    rule = subject.rule
    if subject.unsupported:
        return Verdict(rule, subject, subject.unsupported, subject.line, subject.column, ALWAYS)
    if rule.each and not (subject.flag if rule.flag_path else subject.count):
        return None
    multi: tuple | None = None
    single: tuple | None = None
    for scenario, count, flag in _pairs(subject):
        if complies(rule, flag, subject.terraform):
            continue
        number = read_count(count) if rule.count_path else None
        if rule.count_fails == "1":
            if number is None or number <= 1:
                multi = (scenario, count, flag)
                break
        elif rule.count_fails != "2+" or number is None or number >= 2:
            multi = (scenario, count, flag)
            break  # the first failing combination is the one reported: nothing after it can change that
        elif strict:
            single = single or (scenario, count, flag)
    chosen, strict_only = (multi, False) if multi else (single, True)
    if chosen is None:
        return None
    scenario, count, flag = chosen
    located = flag if rule.flag_path else count
    line, column = (located.line, located.column) if located.line else (subject.line, subject.column)
    return Verdict(
        rule=rule,
        subject=subject,
        message=sentence(subject, count, flag, scenario, strict_only),
        line=line,
        column=column,
        scenario=scenario,
        count=count if rule.count_path else None,
        flag=flag if rule.flag_path else None,
        strict_only=strict_only,
    )


def judge_all(subjects: Iterable[Subject], strict: bool = False) -> list[Verdict]:
    return [verdict for verdict in (judge(s, strict) for s in subjects) if verdict is not None]
