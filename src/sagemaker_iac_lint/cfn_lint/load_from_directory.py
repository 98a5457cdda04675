"""The same rules, for ``--append-rules`` given this package's directory instead of its module name.

cfn-lint loads a directory by importing each of its ``.py`` files whose name starts with a letter
or digit as a standalone module (so not ``__init__.py`` nor ``_adapter.py``), and takes the rule
classes it finds in each. Without this file, pointing cfn-lint at the directory would load no
rule at all, and every template would pass without a word.
"""

from sagemaker_iac_lint.cfn_lint import RULE_CLASSES

globals().update({cls.__name__: cls for cls in RULE_CLASSES})
