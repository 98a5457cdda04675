"""The floor the CLI is measured against: the least work any scan of these files has to do.

Start the interpreter, read every byte of every candidate file (the CLI's file suffixes, the CLI's
skipped folders), and parse with libyaml's C loader only the files that name a monitored type.
Nothing else: no position tracking, no verdicts, no output. ``.tf`` files that name a type are
read but not parsed (there is no C HCL parser to stand in for the real work); with ``--hcl2`` they
are parsed with python-hcl2, the parser the CLI must use. Standalone on purpose (imports only os,
sys and yaml) so its own start-up is part of what it measures.

    python bench/floor.py [--hcl2] PATH...
"""

import os
import sys

import yaml

# The monitored type names, as the rule table lists them (bench/run.py checks they still agree).
TYPE_NAMES = (
    b"AWS::SageMaker::DataQualityJobDefinition",
    b"AWS::SageMaker::EndpointConfig",
    b"AWS::SageMaker::FeatureGroup",
    b"AWS::SageMaker::InferenceExperiment",
    b"AWS::SageMaker::Model",
    b"AWS::SageMaker::ModelBiasJobDefinition",
    b"AWS::SageMaker::ModelExplainabilityJobDefinition",
    b"AWS::SageMaker::ModelQualityJobDefinition",
    b"AWS::SageMaker::MonitoringSchedule",
    b"AWS::SageMaker::NotebookInstance",
    b"aws_sagemaker_data_quality_job_definition",
    b"aws_sagemaker_endpoint_configuration",
    b"aws_sagemaker_feature_group",
    b"aws_sagemaker_inference_experiment",
    b"aws_sagemaker_model",
    b"aws_sagemaker_model_bias_job_definition",
    b"aws_sagemaker_model_explainability_job_definition",
    b"aws_sagemaker_model_quality_job_definition",
    b"aws_sagemaker_monitoring_schedule",
    b"aws_sagemaker_notebook_instance",
    b"awscc_sagemaker_data_quality_job_definition",
    b"awscc_sagemaker_endpoint_config",
    b"awscc_sagemaker_feature_group",
    b"awscc_sagemaker_inference_experiment",
    b"awscc_sagemaker_model",
    b"awscc_sagemaker_model_bias_job_definition",
    b"awscc_sagemaker_model_explainability_job_definition",
    b"awscc_sagemaker_model_quality_job_definition",
    b"awscc_sagemaker_monitoring_schedule",
    b"awscc_sagemaker_notebook_instance",
)
SUFFIXES = (".yaml", ".yml", ".template", ".json", ".tf")
SKIP_DIRS = {".git", ".terraform", "node_modules", ".hg", ".svn", ".tox", ".nox", "__pycache__"}


class Loader(yaml.CSafeLoader):
    """libyaml's C loader; CloudFormation's short-form tags (!Ref, !If ...) become plain values."""


Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def files(paths):
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            for name in names:
                if name.lower().endswith(SUFFIXES):
                    yield os.path.join(root, name)


def main(paths, hcl2=None):
    parsed = 0
    for path in files(paths):
        with open(path, "rb") as handle:
            raw = handle.read()
        if b"SageMaker::" not in raw and b"sagemaker_" not in raw:
            continue
        if not any(name in raw for name in TYPE_NAMES):
            continue
        if path.endswith(".tf"):
            if hcl2 is not None:
                hcl2.loads(raw.decode("utf-8"))
                parsed += 1
            continue
        yaml.load(raw.decode("utf-8"), Loader=Loader)
        parsed += 1
    return parsed


if __name__ == "__main__":
    arguments = sys.argv[1:]
    parser = None
    if arguments[:1] == ["--hcl2"]:
        import hcl2 as parser

        arguments = arguments[1:]
    main(arguments or ["."], parser)
