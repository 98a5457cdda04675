"""One command for the whole suite: ``nox``.

Two environments because python-hcl2 and Checkov's bc-python-hcl2 install the same ``hcl2``
package and must never share one: ``tests`` holds python-hcl2 and cfn-lint, ``checkov`` holds
Checkov (and so bc-python-hcl2). ``minimal`` proves the CLI with the base dependency only.
Every test session runs the whole test tree; modules skip what their environment cannot run.
``lint`` runs ruff and ``mypy`` the type checker (settings in pyproject.toml); each fails on any finding.
"""

import os

import nox

nox.options.sessions = ["lint", "mypy", "tests", "checkov", "minimal"]
nox.options.reuse_existing_virtualenvs = True

TEST_DEPS = ["pytest>=7", "jsonschema>=4", "pre-commit>=3", "hypothesis>=6"]
# The language server end to end (tests/test_lsp_client.py): a real LSP client. Only where pygls is (tests).
LSP_TEST_DEPS = ["pytest-lsp>=1,<2"]


def run_pytest(session: nox.Session) -> None:
    session.run("python", "-m", "pytest", "-ra", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """python-hcl2 + cfn-lint + pygls: the CLI, fix, the language server, the cfn-lint rules, the docs, pre-commit."""
    session.install(".[terraform,cfn-lint,lsp]", "cfn-lint[sarif]", *TEST_DEPS, *LSP_TEST_DEPS)
    run_pytest(session)


@nox.session
def checkov(session: nox.Session) -> None:
    """Checkov (with its bc-python-hcl2): the Checkov checks, and the CLI on Checkov's hcl2."""
    session.install(".[checkov]", *TEST_DEPS)
    run_pytest(session)


@nox.session
def minimal(session: nox.Session) -> None:
    """pyyaml only: CloudFormation works, Terraform says clearly what is missing."""
    session.install(".", *TEST_DEPS)
    run_pytest(session)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the package, the tests and the benchmark (rules in pyproject.toml); fails on a finding."""
    session.install("ruff==0.17.6")  # pinned: a new release may add checks
    session.run("ruff", "check", "src", "tests", "bench", "noxfile.py")


@nox.session
def mypy(session: nox.Session) -> None:
    """mypy over the package, every function annotated (settings in pyproject.toml); fails on a finding."""
    session.install("mypy==2.4.1", "types-PyYAML", "pyyaml")  # pinned: a new release may add checks
    session.run("mypy")


@nox.session
def fix_explore(session: nox.Session) -> None:
    """Not run by default: the fix property test with new examples and a bigger budget."""
    session.install(".[terraform,cfn-lint,lsp]", *TEST_DEPS)
    session.env["FIX_RANDOM_EXAMPLES"] = os.environ.get("FIX_RANDOM_EXAMPLES", "500")  # session.env: only what nox sets
    session.run("python", "-m", "pytest", "-q", "--hypothesis-profile=explore", "tests/test_fix_properties.py")


@nox.session
def fuzz(session: nox.Session) -> None:
    """Not run by default: coverage-guided fuzzing (atheris) of the readers and the output formats.
    ``nox -s fuzz`` runs every target for FUZZ_SECONDS (default 120) each; ``nox -s fuzz -- hcl`` one.
    A crash is written to .nox/fuzz/crashes/TARGET/ and the target stops; the corpus is kept in
    .nox/fuzz/corpus/TARGET, seeded from tests/fixtures."""
    session.install(".[terraform]", "atheris")
    seconds = os.environ.get("FUZZ_SECONDS", "120")  # session.env holds only what the session sets
    targets = session.posargs or ["cfn_yaml", "cfn_json", "hcl", "tf_json", "tfvars", "params", "output"]
    for target in targets:
        crashes = f"{session.virtualenv.location}/crashes/{target}/"
        session.run("python", "-c", f"import os; os.makedirs({crashes!r}, exist_ok=True)")
        session.run("python", "tests/fuzz/fuzz_cli.py", target, f"-max_total_time={seconds}", "-rss_limit_mb=2048",
                    "-timeout=20", f"-artifact_prefix={crashes}", f"{session.virtualenv.location}/corpus/{target}")
