"""sagemaker-iac-lint: SageMaker monitoring jobs without inter-container traffic encryption, caught in the template."""

__version__ = "0.1.0"
