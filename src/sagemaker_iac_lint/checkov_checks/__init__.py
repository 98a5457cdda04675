"""Checkov's external-checks folder for sagemaker-iac-lint (``sagemaker-iac-lint checkov-dir`` prints it).

Checkov needs an ``__init__.py`` here before it imports the folder's other ``.py`` files.
"""
