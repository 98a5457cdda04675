"""sagemaker-iac-lint: the SageMaker resources AWS Security Hub would flag, caught in the template.

The Python API is ``sagemaker_iac_lint.api`` (``lint_paths``, ``lint_text``); the command line is
``sagemaker-iac-lint``.
"""

__version__ = "0.1.0"
