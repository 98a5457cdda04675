"""Every command-line option, declared once.

argparse's parsers (``cli.build_parser``, ``fix.add_arguments``) and the fast path that reads a plain
``check`` command line without importing argparse (``cli.parse_check``) are both built from these
rows, so an option added here is known to both, with one spelling, one default and one help text.
"""

from __future__ import annotations

from .records import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Final

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
COLOR_CHOICES = ("auto", "always", "never")  # terminal.COLOR_CHOICES, without importing it for the parser

# How an option is written: a flag that sets its destination true or false, an option with one value,
# or one that may be repeated (its values collected in order).
TRUE, FALSE, VALUE, REPEATED = "true", "false", "value", "repeated"


class Option(FrozenRecord):
    """One option: its spellings, where argparse stores it, how it is written, and its help."""

    __slots__ = ("flags", "dest", "kind", "help", "metavar", "choices", "default", "group", "parse")
    flags: Final[tuple[str, ...]]
    dest: Final[str]
    kind: Final[str]
    help: Final[str]
    metavar: Final[str | None]
    choices: Final[tuple[str, ...] | None]
    default: Final[object]
    group: Final[str]
    parse: Final[Callable[[str], object] | None]

    def __init__(self, flags: tuple[str, ...], dest: str, kind: str, help: str, metavar: str | None = None,
                 choices: tuple[str, ...] | None = None, default: object = None,
                 group: str = "",  # options of one group exclude each other (argparse's mutually exclusive group)
                 parse: Callable[[str], object] | None = None) -> None:  # the value from its text; ValueError: refused
        self.flags = flags
        self.dest = dest
        self.kind = kind
        self.help = help
        self.metavar = metavar
        self.choices = choices
        self.default = default
        self.group = group
        self.parse = parse


STRICT = Option(("--strict",), "strict", TRUE, "also flag single-instance jobs without encryption", group="mode")
NO_STRICT = Option(("--no-strict",), "strict", FALSE, "standard mode, whatever the configuration says", group="mode")
SELECT = Option(("--select",), "select", VALUE, "comma-separated rules to report (default: all)", "RULES")
IGNORE = Option(("--ignore",), "ignore", VALUE, "comma-separated rules not to report", "RULES")
EXCLUDE = Option(("--exclude",), "exclude", REPEATED, "skip paths matching GLOB (repeatable)", "GLOB")
CONFIG = Option(("--config",), "config", VALUE, "read [tool.sagemaker-iac-lint] from this file", "PYPROJECT",
                group="configuration")
NO_CONFIG = Option(("--no-config",), "no_config", TRUE, "ignore pyproject.toml", default=False, group="configuration")
QUIET = Option(("-q", "--quiet"), "quiet", TRUE, "print the findings (and unreadable files) only: no summary line, no notes",
               default=False)
COLOR = Option(("--color",), "color", VALUE, "colour the text format: auto (default) when standard output is a terminal "
               "and NO_COLOR is not set (FORCE_COLOR: always), always, never", choices=COLOR_CHOICES, default="auto")
UNSAFE_FIXES = Option(("--unsafe-fixes",), "unsafe_fixes", TRUE,
                      "also apply the unsafe fixes (those that replace the resource or an expression)", default=False)

def processes(text: str) -> int:
    """``--jobs``: a number of processes; ``0`` or ``auto``, one per core when there are files enough."""
    if text == "auto":
        return 0
    if text.isascii() and text.isdigit():
        return int(text)
    raise ValueError(f"expected a number of processes or auto, not {text!r}")


# What decides the findings: the mode, the rules, the files and the deployments (``check`` and
# ``baseline`` take the same, so a baseline is made as the check is run).
SCAN: tuple[Option, ...] = (
    STRICT,
    NO_STRICT,
    SELECT,
    IGNORE,
    EXCLUDE,
    Option(("--var-file",), "var_files", REPEATED,
           "Terraform: a deployment's variable file, as `terraform apply -var-file` (repeatable)", "FILE"),
    Option(("--var",), "variables", REPEATED,
           "Terraform: a deployment's variable value, as `terraform apply -var` (repeatable)", "NAME=VALUE"),
    CONFIG,
    NO_CONFIG,
    Option(("--parameter-file",), "parameter_file", REPEATED,
           "judge CloudFormation templates as the deployment this parameter file gives (repeatable)", "FILE"),
    Option(("--parameter",), "parameter", REPEATED,
           "a CloudFormation parameter value for the deployment judged (repeatable)", "KEY=VALUE"),
)

# ``check``'s own, after SCAN.
CHECK: tuple[Option, ...] = (
    Option(("--stdin-filename",), "stdin_filename", VALUE,
           "with PATH `-` (or no PATH): the file the input stands for; its suffix gives the kind "
           "(.yaml/.yml/.json/.template: CloudFormation; .tf/.tofu/.tf.json: Terraform, judged as a "
           "one-file root module in NAME's directory) and messages and --exclude use it", "NAME"),
    Option(("--format",), "format", VALUE, "", choices=FORMATS, default="text"),
    QUIET,
    Option(("--statistics",), "statistics", TRUE, "instead of the findings, the number of findings per rule, the most "
           "found first (with --format text or json)", default=False),
    COLOR,
    Option(("--output", "-o"), "output", VALUE, "write the report to FILE instead of standard output", "FILE"),
    Option(("--exit-zero",), "exit_zero", TRUE,
           "exit 0 even when there are findings (a file that cannot be read still exits 2)", default=False),
    Option(("--baseline",), "baseline", VALUE, "do not report the findings this baseline holds (see `baseline`)", "FILE"),
    Option(("--fix",), "fix", TRUE, "apply the safe fixes first (see `fix`), then report what is left", default=False),
    UNSAFE_FIXES.replace(help="with --fix: also apply the unsafe fixes"),
    Option(("--jobs", "-j"), "jobs", VALUE, "processes for the files judged one by one (the output is the same whatever "
           "N): 1 reads every file in this process; 0 or auto (default) uses the cores when there are files enough "
           "to pay for a second process", "N", default=0, parse=processes),
)

CHECK_ALL = SCAN + CHECK


def add_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, options: tuple[Option, ...]) -> None:
    """Declare ``options`` on an argparse parser; options sharing a ``group`` exclude each other."""
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in options:
        target: argparse.ArgumentParser | argparse._ArgumentGroup = parser
        if option.group:
            if option.group not in groups:
                groups[option.group] = parser.add_mutually_exclusive_group()
            target = groups[option.group]
        if option.kind in (TRUE, FALSE):
            target.add_argument(*option.flags, dest=option.dest, action="store_true" if option.kind == TRUE else "store_false",
                                default=option.default, help=option.help or None)
        else:
            argument = target.add_argument(*option.flags, dest=option.dest, metavar=option.metavar, choices=option.choices,
                                           default=option.default, action="append" if option.kind == REPEATED else "store",
                                           help=option.help or None)
            if option.parse is not None:
                argument.type = _for_argparse(option.parse)


def _for_argparse(parse: Callable[[str], object]) -> Callable[[str], object]:
    """``parse`` as an argparse type: its ValueError's message is argparse's error message."""
    import argparse

    def convert(text: str) -> object:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert
