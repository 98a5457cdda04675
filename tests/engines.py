"""The engines as a user runs them: this environment's ``cfn-lint`` and ``checkov`` commands, in a
subprocess without this checkout on the path, with our rules and checks loaded the documented way.
Shared by the test modules that compare engines (test_cfn_lint, test_checkov, test_agreement)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sagemaker_iac_lint.rules import all_rules

BIN = Path(sys.executable).parent
# The installed package, never this checkout: an engine imports what the user's environment holds.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
CFN_LINT = [str(BIN / "cfn-lint")] if (BIN / "cfn-lint").exists() else [
    sys.executable, "-c", "from cfnlint.runner import main; main()"]
CHECKOV = [str(BIN / "checkov")] if (BIN / "checkov").exists() else [sys.executable, "-m", "checkov.main"]
OUR_CHECK_IDS = ",".join(rule.checkov_id for rule in all_rules())
TIMEOUT = 900


def cfn_lint_command(args: list[str], cwd: str | Path | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``cfn-lint ARGS``; a traceback or a rule that raised fails the test."""
    result = subprocess.run(CFN_LINT + args, cwd=cwd, env=CLEAN_ENV, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr
    assert "Unknown exception while processing rule" not in result.stdout, result.stdout
    return result


def checkov_command(args: list[str], cwd: str | Path | None = None, strict: bool = False, env: dict | None = None,
                    ours_only: bool = True, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``checkov ARGS --external-checks-dir <ours>``, only our checks unless ``ours_only`` is false;
    strict mode as the docs set it (``SAGEMAKER_IAC_LINT_STRICT``)."""
    from sagemaker_iac_lint.checkov_support import checkov_dir

    environment = dict(CLEAN_ENV, SAGEMAKER_IAC_LINT_STRICT="1" if strict else "0", LOG_LEVEL="WARNING")
    environment.update(env or {})
    command = CHECKOV + args + ["--external-checks-dir", checkov_dir(), "--skip-download", "--compact"]
    command += ["--check", OUR_CHECK_IDS] if ours_only else []
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)


def checkov_reports(result: subprocess.CompletedProcess) -> list[dict]:
    """Checkov's JSON output as a list of reports (one per framework); a check that raised fails the test."""
    assert result.stdout.lstrip().startswith(("{", "[")), result.stdout[-2000:] + result.stderr[-4000:]
    data = json.loads(result.stdout)
    reports = data if isinstance(data, list) else [data]
    assert "Failed to run check" not in result.stderr, result.stderr[-4000:]
    return reports
