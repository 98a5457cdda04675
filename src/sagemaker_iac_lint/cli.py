"""The ``sagemaker-iac-lint`` command: ``check``, ``fix``, ``lsp``, ``rules``, ``explain``, ``checkov-dir`` and ``baseline``.

Exit status: 2 when a file could not be read or the usage is wrong, else 1 when anything was
found, else 0.
"""

from __future__ import annotations

import os
import sys

from . import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time: a check run, the pre-commit hook's, needs neither
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from .scan import Options, Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
COLOR_CHOICES = ("auto", "always", "never")  # terminal.COLOR_CHOICES, without importing it for the parser
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
            self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")

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
    check.add_argument("--stdin-filename", metavar="NAME",
                       help="with PATH `-` (or no PATH): the file the input stands for; its suffix gives the kind "
                       "(.yaml/.yml/.json/.template: CloudFormation; .tf/.tofu/.tf.json: Terraform, judged as a "
                       "one-file root module in NAME's directory) and messages and --exclude use it")
    check.add_argument("--format", choices=_FORMATS, default="text")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="print the findings (and unreadable files) only: no summary line, no notes")
    check.add_argument("--statistics", action="store_true",
                       help="instead of the findings, the number of findings per rule, the most found first "
                       "(with --format text or json)")
    check.add_argument("--color", choices=COLOR_CHOICES, default="auto",
                       help="colour the text format: auto (default) when standard output is a terminal and "
                       "NO_COLOR is not set (FORCE_COLOR: always), always, never")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings (a file that cannot be read still exits 2)")
    check.add_argument("--baseline", metavar="FILE",
                       help="do not report the findings this baseline holds (see `baseline`)")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes first (see `fix`), then report what is left")
    check.add_argument("--unsafe-fixes", action="store_true", help="with --fix: also apply the unsafe fixes")
    check.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                       help="processes for the files judged one by one (the output is the same whatever N): "
                       "1 reads every file in this process; 0 or auto (default) uses the cores when there are "
                       "files enough to pay for a second process")
    return parser if command == "check" else _other_commands(commands, parser)


def _add_scan_arguments(parser: argparse.ArgumentParser, paths_help: str = "files or directories (default: .)") -> None:
    """What decides the findings: the paths, the mode, the rules, the files and the deployments
    (``check`` and ``baseline`` take the same, so a baseline is made as the check is run)."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help=paths_help)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--strict", dest="strict", action="store_true", default=None,
                      help="also flag single-instance jobs without encryption")
    mode.add_argument("--no-strict", dest="strict", action="store_false", help="standard mode, whatever the configuration says")
    parser.add_argument("--select", metavar="RULES", help="comma-separated rules to report (default: all)")
    parser.add_argument("--ignore", metavar="RULES", help="comma-separated rules not to report")
    parser.add_argument("--exclude", metavar="GLOB", action="append", help="skip paths matching GLOB (repeatable)")
    parser.add_argument("--var-file", dest="var_files", metavar="FILE", action="append",
                        help="Terraform: a deployment's variable file, as `terraform apply -var-file` (repeatable)")
    parser.add_argument("--var", dest="variables", metavar="NAME=VALUE", action="append",
                        help="Terraform: a deployment's variable value, as `terraform apply -var` (repeatable)")
    configuration = parser.add_mutually_exclusive_group()
    configuration.add_argument("--config", metavar="PYPROJECT", help="read [tool.sagemaker-iac-lint] from this file")
    configuration.add_argument("--no-config", action="store_true", help="ignore pyproject.toml")
    parser.add_argument("--parameter-file", metavar="FILE", action="append",
                        help="judge CloudFormation templates as the deployment this parameter file gives (repeatable)")
    parser.add_argument("--parameter", metavar="KEY=VALUE", action="append",
                        help="a CloudFormation parameter value for the deployment judged (repeatable)")


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

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.strict: bool | None = None
        self.format = "text"
        self.output: str | None = None
        self.select: str | None = None
        self.ignore: str | None = None
        self.exclude: list[str] | None = None
        self.var_files: list[str] | None = None
        self.variables: list[str] | None = None
        self.config: str | None = None
        self.no_config = False
        self.exit_zero = False
        self.parameter_file: list[str] | None = None
        self.parameter: list[str] | None = None
        self.baseline: str | None = None
        self.fix = False  # --fix and --unsafe-fixes are read by argparse
        self.unsafe_fixes = False
        self.stdin_filename: str | None = None
        self.quiet = False
        self.statistics = False
        self.color = "auto"
        self.jobs = 0


_CHECK_FLAGS = {"--strict": ("strict", True), "--no-strict": ("strict", False), "--no-config": ("no_config", True),
                "--exit-zero": ("exit_zero", True), "-q": ("quiet", True), "--quiet": ("quiet", True),
                "--statistics": ("statistics", True)}
_CHECK_OPTIONS = {
    "--format": "format",
    "--output": "output",
    "-o": "output",
    "--select": "select",
    "--ignore": "ignore",
    "--exclude": "exclude",
    "--var-file": "var_files",
    "--var": "variables",
    "--config": "config",
    "--parameter-file": "parameter_file",
    "--parameter": "parameter",
    "--baseline": "baseline",
    "--stdin-filename": "stdin_filename",
    "--color": "color",
    "--jobs": "jobs",
    "-j": "jobs",
}
_CHECK_LISTS = ("exclude", "var_files", "variables", "parameter_file", "parameter")  # repeatable


def _jobs(text: str) -> int:
    if text == "auto":
        return 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        import argparse

        raise argparse.ArgumentTypeError(f"expected a number of processes or auto, not {text!r}")
    return value


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
    modes = 0  # --strict / --no-strict: argparse refuses both, so any second one goes to it
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
        if token in _CHECK_FLAGS:
            flag_name, flag_value = _CHECK_FLAGS[token]
            if flag_name == "strict":
                modes += 1
                if modes > 1 and flag_value is not args.strict:
                    return None
            setattr(args, flag_name, flag_value)
            continue
        option, equals, value = token.partition("=")
        option_name = _CHECK_OPTIONS.get(option) if option.startswith("--") or not equals else None
        if option_name is None:
            return None
        name = option_name
        if equals:
            if not value:
                return None
        elif index < len(arguments) and not arguments[index].startswith("-"):
            value = arguments[index]
            index += 1
        else:
            return None  # argparse: "expected one argument"
        if name == "format" and value not in _FORMATS or name == "color" and value not in COLOR_CHOICES:
            return None  # argparse: "invalid choice"
        if name == "jobs":
            if not (value == "auto" or value.isdigit() and value.isascii()):
                return None  # argparse: "invalid _jobs value"
            setattr(args, name, _jobs(value))
        elif name in _CHECK_LISTS:
            setattr(args, name, (getattr(args, name) or []) + [value])
        else:
            setattr(args, name, value)
    if args.config is not None and args.no_config:
        return None  # argparse: "not allowed with argument"
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
        select = config_module.rule_ids(args.select, "--select") if args.select else config.select
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
        if _stderr_is_a_terminal():  # a person reading; a pipe, an editor, a hook's log get the findings only
            emit.write_stderr(summary_line(report) + "\n")
    if problem:
        emit.error_line(problem)
    if report.errors or problem:
        return EXIT_ERROR
    return EXIT_FINDINGS if report.findings and not args.exit_zero else EXIT_CLEAN


def _stderr_is_a_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError, OSError):
        return False


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
        emit.write_stderr(f"sagemaker-iac-lint: wrote {_count(len(report.findings), 'finding')} to {args.output}\n")
        return EXIT_CLEAN
    _, _, stale = baseline.split(report.findings, entries)
    lines, total = baseline.stale_lines(stale, [e.path for e in report.errors])
    problem = emit.write_stdout(lines)
    if total:
        emit.write_stderr(f"sagemaker-iac-lint: {total} baseline {'entry' if total == 1 else 'entries'} "
                          f"no longer found: refresh {args.baseline} with `baseline --output`\n")
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
        print(f"sagemaker-iac-lint: error: unknown rule `{name}` (see `sagemaker-iac-lint rules`)", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
