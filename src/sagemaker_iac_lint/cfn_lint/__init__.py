"""cfn-lint rules for the rule table: one rule per row, ``E95NN`` for Security Hub ``SageMaker.NN``
(E9501 ... E9525: every SageMaker control the table judges).

Load them by module name, from any directory, once ``sagemaker-iac-lint[cfn-lint]`` is installed
in the same environment as cfn-lint::

    cfn-lint --append-rules sagemaker_iac_lint.cfn_lint template.yaml

or ``append_rules: [sagemaker_iac_lint.cfn_lint]`` in ``.cfnlintrc``, or the same name in the VS Code
extension's ``cfnLint.appendRules``. cfn-lint treats an ``append_rules`` entry that is not an
existing directory as a module name, imports it, and instantiates every rule class it finds among
the module's attributes; so this module exposes the generated classes and nothing else that
cfn-lint would take for a rule.

Strict mode (fail whenever the flag is not provably true, whatever the instance count) is a rule
setting: ``--configure-rule E9515:strict=true``, ``configure_rules: {E9515: {strict: true}}`` in
``.cfnlintrc``, or the template's ``Metadata: {cfn-lint: {config: {configure_rules: ...}}}``. Every
rule takes the setting; it changes verdicts only for the count-aware encryption rules (E9509, E9510,
E9513, E9515), as ``--strict`` does in the CLI.

Each rule's tags (cfn-lint's rule metadata) are ``resources``, ``sagemaker``, the row's category
(``encryption``, ``networking``, ``iam``, ``backup-and-recovery``: Checkov's category for the same
check, in cfn-lint's lower-case spelling) and the control (``SageMaker.15``).
"""

from __future__ import annotations

from ..rules import RULES, Rule

# Only the module, not its base class: cfn-lint would try to instantiate any rule class it finds here.
from . import _adapter


def category_tag(rule: Rule) -> str:
    """The row's category as a cfn-lint tag: ``NETWORKING`` -> ``networking``, ``BACKUP_AND_RECOVERY``
    -> ``backup-and-recovery``."""
    return rule.category.lower().replace("_", "-")


def _rule_class(rule: Rule) -> type:
    """One cfn-lint rule class for one row of the rule table; every text comes from the row."""
    name = f"SageMaker{rule.number}"
    attributes = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"{rule.cfn_lint_id}: {rule.title} (Security Hub {rule.control}).\n\n{rule.rationale}",
        "rule": rule,
        "id": rule.cfn_lint_id,
        "shortdesc": rule.short_description,
        "description": rule.description,
        "source_url": rule.help_url,
        "tags": ["resources", "sagemaker", category_tag(rule), rule.control],
    }
    return type(name, (_adapter.TableRule,), attributes)


RULE_CLASSES: tuple[type, ...] = tuple(_rule_class(rule) for rule in RULES)
globals().update({cls.__name__: cls for cls in RULE_CLASSES})
__all__ = ["RULE_CLASSES", *(cls.__name__ for cls in RULE_CLASSES)]
