"""Running the installed ``sagemaker-iac-lint`` console script as a user does, in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys

_SCRIPT = os.path.join(os.path.dirname(sys.executable), "sagemaker-iac-lint" + (".exe" if os.name == "nt" else ""))
# The console script of this environment; `python -m` where the package is not installed (a
# source checkout on PYTHONPATH).
COMMAND = [_SCRIPT] if os.path.isfile(_SCRIPT) else [sys.executable, "-m", "sagemaker_iac_lint"]


def run(*args, cwd=None, stdout=subprocess.PIPE, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """``sagemaker-iac-lint ARGS``; output as bytes, so that what is written is what is checked."""
    return subprocess.run([*COMMAND, *args], stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, timeout=timeout,
                          env=env)


def lines(data: bytes) -> list[str]:
    """Output as strict UTF-8 lines (a byte that is not UTF-8 fails the test)."""
    return data.decode("utf-8").split("\n")[:-1] if data else []


# The text format's last line on stderr (cli.summary_line), unless -q.
SUMMARY = re.compile(r"sagemaker-iac-lint: (?:no findings|\d+ findings?) in [^\n]* checked(?:, \d+ files? could not be read)?\n\Z")


def without_summary(err: str) -> str:
    """``err`` without the summary line that ends a text-format check (tests on the summary itself
    read it whole: test_cli_conventions.py)."""
    return SUMMARY.sub("", err)
