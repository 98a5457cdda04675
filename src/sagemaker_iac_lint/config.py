"""Configuration from ``[tool.sagemaker-iac-lint]`` in the nearest ``pyproject.toml``.

Keys: ``strict`` (bool), ``exclude`` (glob list), ``select`` and ``ignore`` (rule ids in any of
their spellings: ``SageMaker.15``, ``E9515``, ``CKV_SAGEMAKER_15``), ``var-files`` and ``vars``
(Terraform: ``--var-file`` and ``--var``, lists). Command-line flags win.
"""

from __future__ import annotations

import os

from .rules import _Record, find_rule

SECTION = "sagemaker-iac-lint"
KEYS = {"strict", "exclude", "select", "ignore", "var-files", "vars"}


class ConfigError(Exception):
    pass


class Config(_Record):
    _fields = __slots__ = ("path", "strict", "exclude", "select", "ignore", "var_files", "variables")

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


def find_pyproject(start: str) -> str | None:
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def rule_ids(values: object, where: str) -> frozenset[str]:
    if isinstance(values, str):
        values = [part for part in values.split(",") if part.strip()]
    if not isinstance(values, list):
        raise ConfigError(f"{where}: expected a list of rule ids")
    controls = set()
    for value in values:
        rule = find_rule(str(value))
        if rule is None:
            raise ConfigError(f"{where}: unknown rule `{value}` (see `sagemaker-iac-lint rules`)")
        controls.add(rule.control)
    return frozenset(controls)


def load(path: str | None) -> Config:
    if path is None:
        return Config()
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, no-redef]
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None
    section = document.get("tool", {}).get(SECTION)
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
