"""The ``sagemaker-iac-lint`` command: ``check``, ``fix``, ``lsp``, ``rules``, ``explain``, ``checkov-dir`` and ``baseline``.

Exit status: 2 when a file could not be read or the usage is wrong, else 1 when anything was
found, else 0.
"""

from __future__ import annotations

import os
import sys

from . import __version__
from .options import CHECK, CHECK_ALL, REPEATED, SCAN, TRUE, VALUE, Option, add_options

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time: a check run, the pre-commit hook's, needs neither
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from .scan import Options, Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN = "-"


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns, without importing shutil (and its archive modules)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size((sys.__stdout__ or sys.stdout).fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


_PARSER_CLASS: list[type] = []


def _parser_class() -> type[argparse.ArgumentParser]:
    """The parser class, made on first use: argparse is imported only when a command line needs it."""
    if _PARSER_CLASS:
        return _PARSER_CLASS[0]
    import argparse

    class HelpFormatter(argparse.HelpFormatter):
        # argparse builds a formatter for every add_argument call, and the stock one imports shutil
        # to size itself: a measurable share of a one-file run.
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
            super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - argparse's own signature
            kwargs.setdefault("formatter_class", HelpFormatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str) -> None:  # type: ignore[override]
            self.print_usage(sys.stderr)
            # the message quotes the arguments (file names among them): escaped as every stderr line is
            self.exit(EXIT_ERROR, f"{self.prog}: error: {escape_text(message)}\n")

    _PARSER_CLASS.append(Parser)
    return Parser


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``command``, a parser that knows only that subcommand (a check run,
    the pre-commit hook's, need not build the other parsers: argparse looks up a translation for
    every title and help text it sets up)."""
    parser_class = _parser_class()
    parser = parser_class(
        prog="sagemaker-iac-lint",
        description="Find the SageMaker resources AWS Security Hub would flag (every SageMaker control a "
        "template can decide; see `sagemaker-iac-lint rules`) in CloudFormation and Terraform.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    commands.required = True

    if command not in (None, "check"):
        return _other_commands(commands, parser)
    check = commands.add_parser(
        "check", help="check files and directories",
        description="Check files and directories. PATH `-` reads one template from standard input: "
        "without --stdin-filename it is sniffed as a CloudFormation template, JSON when it starts with `{`, "
        "else YAML (a Terraform plan or .tf.json in JSON is recognised too), and shown as `-`.")
    _add_scan_arguments(check, "files or directories (default: .); `-`: one template from standard input")
    add_options(check, CHECK)
    return parser if command == "check" else _other_commands(commands, parser)


def _add_scan_arguments(parser: argparse.ArgumentParser, paths_help: str = "files or directories (default: .)") -> None:
    """What decides the findings: the paths, the mode, the rules, the files and the deployments
    (``check`` and ``baseline`` take the same, so a baseline is made as the check is run)."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help=paths_help)
    add_options(parser, SCAN)


def _other_commands(commands: argparse._SubParsersAction, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    from . import fix

    fix.add_arguments(commands.add_parser("fix", help="edit the files so that what has a fix passes"))
    lsp = commands.add_parser("lsp", help="run the language server on standard input and output")
    lsp.add_argument("--stdio", action="store_true", help="accepted for editors that pass it (stdio is the only transport)")
    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", help="SageMaker.15, E9515 or CKV_SAGEMAKER_15")
    commands.add_parser("checkov-dir", help="print the directory holding the Checkov checks")
    baseline = commands.add_parser("baseline", help="record the current findings, so that `check --baseline` reports only new ones")
    _add_scan_arguments(baseline)
    action = baseline.add_mutually_exclusive_group(required=True)
    action.add_argument("--output", "-o", metavar="FILE", help="write the baseline of the current findings to FILE")
    action.add_argument("--check", action="store_true",
                        help="with --baseline: list the entries no longer found (stale); exit 1 when there are any")
    baseline.add_argument("--baseline", metavar="FILE", help="the baseline to check (with --check)")
    return parser


class CheckArguments:
    """What ``build_parser("check").parse_args`` returns for a check command line."""

    command = "check"

    # The options' types, for the type checker; their defaults come from options.CHECK_ALL.
    paths: list[str]
    strict: bool | None
    format: str
    output: str | None
    select: str | None
    ignore: str | None
    exclude: list[str] | None
    var_files: list[str] | None
    variables: list[str] | None
    config: str | None
    no_config: bool
    exit_zero: bool
    parameter_file: list[str] | None
    parameter: list[str] | None
    baseline: str | None
    fix: bool
    unsafe_fixes: bool
    stdin_filename: str | None
    quiet: bool
    statistics: bool
    color: str
    jobs: int

    def __init__(self) -> None:
        self.paths = []
        for option in CHECK_ALL:
            setattr(self, option.dest, option.default)


# The fast path reads these spellings only; the rest (--fix: `fix.run` needs argparse's namespace
# anyway) goes to argparse.
_FAST: dict[str, Option] = {flag: option for option in CHECK_ALL if option.dest not in ("fix", "unsafe_fixes")
                            for flag in option.flags}


def _parse_check(arguments: Sequence[str]) -> CheckArguments | None:
    """``check ...`` read as argparse reads it, without importing or building argparse's parser
    (together a tenth of a one-file run), for the plain spellings only: each option written in
    full, its value in the next argument or after ``=`` (``--format=json``), the paths in one run.

    None for anything else: help, an abbreviation, ``--``, a value that starts with ``-``, an
    argument argparse would refuse. argparse reads those, so its help and its errors stay the
    only ones. tests/test_cli.py checks this against argparse on many command lines.
    """
    if not arguments or arguments[0] != "check":
        return None
    args = CheckArguments()
    seen: dict[str, Option] = {}  # group -> the option of it already given: argparse refuses a second one
    paths_state = 0  # 0: no path yet, 1: reading paths, 2: an option came after them
    index = 1
    while index < len(arguments):
        token = arguments[index]
        index += 1
        if not token.startswith("-") or token == STDIN:
            if paths_state == 2:
                return None  # argparse: "unrecognized arguments"
            paths_state = 1
            args.paths.append(token)
            continue
        if paths_state == 1:
            paths_state = 2
        option = _FAST.get(token)
        value: str | None = None
        if option is None or option.kind in (VALUE, REPEATED):
            spelling, equals, value = token.partition("=")
            if equals and not spelling.startswith("--"):
                return None  # argparse reads `-o=x` as the value `=x`
            option = _FAST.get(spelling)
            if option is None or option.kind not in (VALUE, REPEATED):
                return None
            if not equals:
                if index < len(arguments) and not arguments[index].startswith("-"):
                    value = arguments[index]
                    index += 1
                else:
                    return None  # argparse: "expected one argument"
            if not value or option.choices is not None and value not in option.choices:
                return None  # argparse: "invalid choice", or an empty value
        parsed: object = value
        if option.parse is not None and value is not None:
            try:
                parsed = option.parse(value)
            except ValueError:
                return None  # argparse says why
        if option.group:
            if seen.get(option.group, option) is not option:
                return None  # argparse: "not allowed with argument"
            seen[option.group] = option
        if option.kind == REPEATED:
            setattr(args, option.dest, (getattr(args, option.dest) or []) + [value])
        elif option.kind == VALUE:
            setattr(args, option.dest, parsed)
        else:
            setattr(args, option.dest, option.kind == TRUE)
    return args


def _scan_inputs(args: argparse.Namespace | CheckArguments) -> tuple[Options, list[str], list[str]] | None:
    """The scan options, the paths and every input file named (for ``--output``'s guard), from the
    command line and the configuration; None (the error said) when either is wrong."""
    from . import config as config_module
    from . import emit
    from .scan import Options

    try:
        if args.no_config:
            config = config_module.Config()
        else:
            config = config_module.load(args.config or config_module.find_pyproject(os.getcwd()))
        # `--select=` (empty) selects nothing: an error, as `--select=,` is, never a silent default
        select = config_module.rule_ids(args.select, "--select") if args.select is not None else config.select
        ignore = config_module.rule_ids(args.ignore, "--ignore") if args.ignore else config.ignore
    except config_module.ConfigError as error:
        emit.error_line(str(error))
        return None
    try:
        deployments = _deployments(args.parameter_file, args.parameter)
    except ValueError as error:
        emit.error_line(str(error))
        return None
    options = Options(
        deployments=deployments,
        strict=args.strict if args.strict is not None else bool(config.strict),
        select=select,
        ignore=ignore,
        exclude=tuple(args.exclude) if args.exclude else config.exclude,
        var_files=tuple(args.var_files) if args.var_files else config.var_files,
        variables=tuple(args.variables) if args.variables else config.variables,
        jobs=getattr(args, "jobs", 0),  # `baseline` has no --jobs: as check's default
    )
    paths = args.paths or ["."]
    inputs = [*paths, *(args.parameter_file or []), *options.var_files, *([config.path] if config.path else [])]
    return options, paths, inputs


def _load_baseline(path: str) -> dict | None:
    """The baseline's entries; None (the error said) when the file cannot be used."""
    from . import baseline, emit

    try:
        return baseline.load(path)
    except baseline.BaselineError as error:
        emit.error_line(str(error))
        return None


def _check_usage_problem(args: argparse.Namespace | CheckArguments) -> str | None:
    """What is wrong with a check command line that argparse accepts, else None."""
    reads_stdin = STDIN in args.paths or (args.stdin_filename is not None and not args.paths)
    if STDIN in args.paths and len(args.paths) > 1:
        return "`-` (standard input) is the only PATH it can be given with"
    if args.stdin_filename is not None and not reads_stdin:
        return "--stdin-filename names standard input: give PATH `-` (or no PATH), not files"
    if getattr(args, "fix", False):
        if args.baseline:
            return "--baseline cannot be combined with --fix: run `fix` first, then `check --baseline`"
        if reads_stdin:
            return "--fix edits files: it cannot read standard input"
        if args.statistics:
            return "--statistics cannot be combined with --fix: run `fix`, then `check --statistics`"
    if args.statistics and args.format not in ("text", "json"):
        return f"--statistics prints text or json, not --format {args.format}"
    return None


def _run_check(args: argparse.Namespace | CheckArguments) -> int:
    from . import emit

    problem = _check_usage_problem(args)
    if problem:
        emit.error_line(problem)
        return EXIT_ERROR
    if getattr(args, "fix", False):
        from . import fix

        return fix.run(args)
    from .output import FORMATTERS, format_errors
    from .scan import scan

    reads_stdin = STDIN in args.paths or (args.stdin_filename is not None and not args.paths)
    inputs = _scan_inputs(args)
    if inputs is None:
        return EXIT_ERROR
    options, paths, named_inputs = inputs
    if reads_stdin:  # no path is walked; the file the input stands for is one not to overwrite
        named_inputs = [*named_inputs[len(paths):], *([args.stdin_filename] if args.stdin_filename else [])]
    entries = None
    if args.baseline:
        entries = _load_baseline(args.baseline)
        if entries is None:
            return EXIT_ERROR
    if args.output:
        named = emit.output_is_an_input(args.output, [*named_inputs, *([args.baseline] if args.baseline else [])])
        if named is not None:
            emit.error_line(f"--output {args.output} would overwrite the input {named}: write the report elsewhere")
            return EXIT_ERROR
    if reads_stdin:
        from .stdin import read_stdin, scan_stdin

        report = scan_stdin(read_stdin(), args.stdin_filename, options)
    else:
        report = scan(paths, options)
    if entries is not None:
        from . import baseline

        report = baseline.apply(report, entries)
    color = False
    if args.format == "text" and (args.color == "always" or not args.output):
        from .terminal import use_color

        color = use_color(args.color)
    if args.statistics:
        from .output import format_statistics_json, format_statistics_text

        rendered = format_statistics_json(report) if args.format == "json" else format_statistics_text(report, color)
    elif args.format == "text":
        from .output import format_text

        rendered = format_text(report, color)
    else:
        rendered = FORMATTERS[args.format](report)
    problem = emit.write_report_file(args.output, rendered) if args.output else emit.write_stdout(rendered)
    emit.write_stderr(format_errors(report))
    if args.format == "text" and not args.quiet:
        if report.baselined:
            emit.write_stderr(f"sagemaker-iac-lint: {_count(report.baselined, 'finding')} in the baseline "
                              f"{escape_text(args.baseline or '')} not shown\n")
        if not problem and not args.statistics:  # the last line, as ruff's; not when the findings could not be written
            emit.write_stderr(summary_line(report) + "\n")
    if problem:
        emit.error_line(problem)
    if report.errors or problem:
        return EXIT_ERROR
    return EXIT_FINDINGS if report.findings and not args.exit_zero else EXIT_CLEAN


def escape_text(text: str) -> str:
    from .escape import text as escape

    return escape(text)


def summary_line(report: Report) -> str:
    """The text format's last word, on stderr: ``sagemaker-iac-lint: 3 findings in 2 of 5 files
    checked, 1 file could not be read`` or ``sagemaker-iac-lint: no findings in 5 files checked``."""
    checked = report.files_scanned
    with_findings = len({f.path for f in report.findings})
    if report.findings:
        files = _count(checked, "file") if with_findings == checked else f"{with_findings} of {_count(checked, 'file')}"
        line = f"{_count(len(report.findings), 'finding')} in {files} checked"
    else:
        line = f"no findings in {_count(checked, 'file')} checked"
    if report.errors:
        line += f", {_count(len(report.errors), 'file')} could not be read"
    return "sagemaker-iac-lint: " + line


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _run_baseline(args: argparse.Namespace) -> int:
    """``baseline --output FILE``: write the current findings; ``baseline --check --baseline FILE``:
    list the entries no longer found, exit 1 when there are any."""
    from . import baseline, emit
    from .output import format_errors
    from .scan import scan

    if args.check and not args.baseline:
        emit.error_line("baseline --check needs --baseline FILE, the baseline to check")
        return EXIT_ERROR
    if args.baseline and not args.check:
        emit.error_line("--baseline is read by `baseline --check` only; `baseline --output FILE` writes a new one")
        return EXIT_ERROR
    if STDIN in args.paths:
        emit.error_line("a baseline is made from files: `-` (standard input) is not read here")
        return EXIT_ERROR
    inputs = _scan_inputs(args)
    if inputs is None:
        return EXIT_ERROR
    options, paths, named_inputs = inputs
    entries = _load_baseline(args.baseline) if args.check else {}
    if entries is None:
        return EXIT_ERROR
    if args.output:
        named = emit.output_is_an_input(args.output, named_inputs)
        if named is not None:
            emit.error_line(f"--output {args.output} would overwrite the input {named}: write the baseline elsewhere")
            return EXIT_ERROR
    report = scan(paths, options)
    emit.write_stderr(format_errors(report))
    if not args.check:
        if report.errors:  # a baseline without an unreadable file's findings would not be the current state
            emit.error_line(f"{args.output} not written: {_count(len(report.errors), 'file')} could not be read")
            return EXIT_ERROR
        problem = emit.write_report_file(args.output, baseline.render(report.findings))
        if problem:
            emit.error_line(problem)
            return EXIT_ERROR
        emit.write_stderr(f"sagemaker-iac-lint: wrote {_count(len(report.findings), 'finding')} to {escape_text(args.output)}\n")
        return EXIT_CLEAN
    _, _, stale = baseline.split(report.findings, entries)
    lines, total = baseline.stale_lines(stale, [e.path for e in report.errors])
    problem = emit.write_stdout(lines)
    if total:
        emit.write_stderr(f"sagemaker-iac-lint: {total} baseline {'entry' if total == 1 else 'entries'} "
                          f"no longer found: refresh {escape_text(args.baseline)} with `baseline --output`\n")
    if problem:
        emit.error_line(problem)
    if report.errors or problem:
        return EXIT_ERROR
    return EXIT_FINDINGS if total else EXIT_CLEAN


def _deployments(files: list[str] | None, assignments: list[str] | None) -> list | None:
    """``--parameter-file`` and ``--parameter`` as deployments: one per file, each with the ``--parameter``
    values on top; only ``--parameter``: one deployment. None when neither is given."""
    if not files and not assignments:
        return None
    from . import cfn
    from .errors import ReadError

    try:
        given = dict(cfn.parse_parameter_assignment(text) for text in assignments or [])
        found = [cfn.load_parameter_file(path) for path in files or []]
    except ReadError as error:
        raise ValueError(str(error)) from None
    if not found:
        shown = " ".join(f"{key}={value}" for key, value in given.items())
        return [cfn.Deployment(f"--parameter {shown}", given)]
    for deployment in found:
        deployment.values.update(given)
        if given:
            deployment.name += " with --parameter " + " ".join(f"{key}={value}" for key, value in given.items())
    return found


def _run_rules(format: str = "text") -> int:
    from .rules import all_rules

    if format == "json":
        import json

        listing = [{"rule": rule.control, "cfn_lint_id": rule.cfn_lint_id, "checkov_id": rule.checkov_id,
                    "title": rule.title, "description": rule.short_description, "severity": rule.severity,
                    "help_url": rule.help_url, "config_rule": rule.config_rule,
                    "cloudformation_types": list(rule.cfn_types), "terraform_types": list(rule.tf_types)}
                   for rule in sorted(all_rules(), key=lambda r: (bool(r.code), r.number))]
        print(json.dumps(listing, indent=2))
        return EXIT_CLEAN
    for rule in sorted(all_rules(), key=lambda r: (bool(r.code), r.number)):
        print(f"{rule.control:<14}{rule.cfn_lint_id or '-':<7}{rule.checkov_id:<18}{rule.severity:<8}{rule.short_description}")
        types = ", ".join(rule.cfn_types + rule.tf_types)
        print(f"{'':<14}{types}")
    return EXIT_CLEAN


def _run_explain(name: str) -> int:
    from .rules import find_rule

    rule = find_rule(name)
    if rule is None:
        print(f"sagemaker-iac-lint: error: unknown rule `{escape_text(name)}` (see `sagemaker-iac-lint rules`)", file=sys.stderr)
        return EXIT_ERROR
    from .docs import render_rule_page

    sys.stdout.write(render_rule_page(rule))
    return EXIT_CLEAN


def _run_checkov_dir() -> int:
    from .checkov_support import checkov_dir

    print(checkov_dir())
    return EXIT_CLEAN


def _parse(arguments: list[str]) -> argparse.Namespace:
    """argparse's reading; an argument that the command does not know is said with that command's
    usage (argparse's own top-level check would show the top-level usage)."""
    import argparse

    parser = build_parser("check" if arguments[:1] == ["check"] else None)
    args, extras = parser.parse_known_args(arguments)
    if extras:
        command = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                command = action.choices.get(args.command, parser)
        command.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = _parse_check(arguments) or _parse(arguments)
    try:
        if args.command == "check":
            return _run_check(args)
        if args.command == "fix":
            from . import fix

            return fix.run(args)
        if args.command == "lsp":
            from . import lsp

            return lsp.main()
        if args.command == "rules":
            return _run_rules(args.format)
        if args.command == "explain":
            assert not isinstance(args, CheckArguments)
            return _run_explain(args.rule)
        if args.command == "baseline":
            assert not isinstance(args, CheckArguments)
            return _run_baseline(args)
        return _run_checkov_dir()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (``| head``): nothing left to say
        sys.stderr.close()
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - a bug outside the per-file guard: one line, exit 2, never 1
        from . import emit
        from .scan import internal_error

        emit.error_line(internal_error("running the command", error))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
