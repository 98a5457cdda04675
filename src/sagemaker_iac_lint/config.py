"""Configuration from ``[tool.sagemaker-iac-lint]`` in the nearest ``pyproject.toml``.

Keys: ``strict`` (bool), ``exclude`` (glob list), ``select`` and ``ignore`` (rule ids in any of
their spellings: ``SageMaker.15``, ``E9515``, ``CKV_SAGEMAKER_15``), ``var-files`` and ``vars``
(Terraform: ``--var-file`` and ``--var``, lists). Command-line flags win.
"""

from __future__ import annotations

import os

from .records import Record
from .rules import match_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType

SECTION = "sagemaker-iac-lint"
KEYS = {"strict", "exclude", "select", "ignore", "var-files", "vars"}


class ConfigError(Exception):
    pass


class Config(Record):
    __slots__ = ("path", "strict", "exclude", "select", "ignore", "var_files", "variables")
    path: str | None
    strict: bool | None
    exclude: tuple[str, ...]
    select: frozenset[str] | None
    ignore: frozenset[str]
    var_files: tuple[str, ...]
    variables: tuple[str, ...]

    def __init__(
        self,
        path: str | None = None,
        strict: bool | None = None,
        exclude: tuple[str, ...] = (),
        select: frozenset[str] | None = None,
        ignore: frozenset[str] = frozenset(),
        var_files: tuple[str, ...] = (),
        variables: tuple[str, ...] = (),
    ) -> None:
        self.var_files = var_files
        self.variables = variables
        self.path = path
        self.strict = strict
        self.exclude = exclude
        self.select = select
        self.ignore = ignore


def find_pyproject(start: str, stop: str | None = None) -> str | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that holds our table, as ruff looks for
    its own: a ``pyproject.toml`` without ``[tool.sagemaker-iac-lint]`` (a Python package inside a
    larger repository) does not hide the configuration above it. One whose table is misspelt
    (``[tool.sagemaker_iac_lint]``) is returned, so that ``load`` says so. ``stop``: the last
    directory looked in (the language server's workspace folder), when ``start`` is inside it."""
    directory = os.path.abspath(start)
    stop = os.path.abspath(stop) if stop is not None else None
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate) and _may_hold_our_table(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory or directory == stop:
            return None
        directory = parent


def _may_hold_our_table(path: str) -> bool:
    """Whether the file holds our table (or a misspelling of it). Only a file that names us
    anywhere is parsed; one that cannot be read or parsed is returned, so that load() says why."""
    from .files import read_regular_file

    try:
        raw = read_regular_file(path, MAX_CONFIG_BYTES)
    except OSError:
        return True
    if b"sagemaker" not in raw.lower():
        return False
    try:
        tool = toml_module().loads(raw.decode("utf-8")).get("tool")
    except Exception:  # noqa: BLE001 - not UTF-8, not TOML: load() reports it
        return True
    if not isinstance(tool, dict):
        return True
    return any(_spelling(name) == SECTION for name in tool)


def toml_module() -> ModuleType:
    """The TOML reader: the standard library's, or tomli where Python is 3.10."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib


MAX_CONFIG_BYTES = 16 * 1024 * 1024


def _spelling(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def rule_ids(values: object, where: str) -> frozenset[str]:
    if isinstance(values, str):
        values = [part for part in values.split(",") if part.strip()]
    if not isinstance(values, list):
        raise ConfigError(f"{where}: expected a list of rule ids")
    controls: set[str] = set()
    for value in values:
        rules = match_rules(str(value))
        if not rules:
            raise ConfigError(f"{where}: unknown rule `{value}` (see `sagemaker-iac-lint rules`)")
        controls.update(rule.control for rule in rules)
    if not controls and "select" in where:
        # selecting nothing would pass every file in silence: say so instead
        raise ConfigError(f"{where}: no rule id given (to report every rule, leave it out)")
    return frozenset(controls)


def load(path: str | None) -> Config:
    if path is None:
        return Config()
    tomllib = toml_module()
    from .files import read_regular_file

    try:
        raw = read_regular_file(path, MAX_CONFIG_BYTES)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror or error}") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: cannot read configuration: not UTF-8 (invalid byte at offset {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None
    except RecursionError:  # tomllib recurses in Python: deep nesting raises, it cannot overflow the C stack
        raise ConfigError(f"{path}: cannot read configuration: nested too deeply") from None
    tool = document.get("tool")
    if tool is None:
        return Config(path=path)
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table, so [tool.{SECTION}] cannot be read")
    section = tool.get(SECTION)
    misspelt = [name for name in tool if name != SECTION and _spelling(name) == SECTION]
    if misspelt:
        raise ConfigError(f"{path}: [tool.{misspelt[0]}] is not read: the table is [tool.{SECTION}]")
    if section is None:
        return Config(path=path)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.{SECTION}] must be a table")
    unknown = set(section) - KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [tool.{SECTION}]: {', '.join(sorted(unknown))}")
    config = Config(path=path)
    if "strict" in section:
        if not isinstance(section["strict"], bool):
            raise ConfigError(f"{path}: `strict` must be true or false")
        config.strict = section["strict"]
    if "exclude" in section:
        exclude = section["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(item, str) for item in exclude):
            raise ConfigError(f"{path}: `exclude` must be a list of glob patterns")
        config.exclude = tuple(exclude)
    if "select" in section:
        config.select = rule_ids(section["select"], f"{path}: `select`")
    if "ignore" in section:
        config.ignore = rule_ids(section["ignore"], f"{path}: `ignore`")
    for key, attribute in (("var-files", "var_files"), ("vars", "variables")):
        if key in section:
            values = section[key]
            if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
                raise ConfigError(f"{path}: `{key}` must be a list of strings")
            if key == "var-files":  # relative to the configuration file, as `exclude` is not: a file, not a pattern
                values = [os.path.join(os.path.dirname(path), item) if not os.path.isabs(item) else item for item in values]
            setattr(config, attribute, tuple(values))
    return config
