"""What kind of input a file name is: the one place that knows the suffixes.

The scan, standard input, the language server, the fixer and the suppress action all ask here, so
an input kind is added (or a suffix learnt) once. A name decides the kind; a CloudFormation name
ending in ``.json`` may still hold a Terraform plan or Terraform JSON, which the reader sniffs.
"""

from __future__ import annotations

CLOUDFORMATION = "cloudformation"  # .yaml .yml .template .json, and any other name given explicitly
TERRAFORM = "terraform"  # .tf .tofu: a module file in HCL native syntax
TERRAFORM_JSON = "terraform-json"  # .tf.json .tofu.json: a module file in Terraform's JSON syntax
TFVARS = "tfvars"  # .tfvars .tfvars.json: a module's variable values, not a template

YAML_SUFFIXES = (".yaml", ".yml", ".template")
JSON_SUFFIXES = (".json",)
TERRAFORM_NATIVE_SUFFIXES = (".tf", ".tofu")
TERRAFORM_JSON_SUFFIXES = (".tf.json", ".tofu.json")
MODULE_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")  # every file of a Terraform (or OpenTofu) module
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
TERRAFORM_SUFFIXES = MODULE_SUFFIXES + TFVARS_SUFFIXES
# What a directory walk reads (.tf.json and the like end in .json)
CANDIDATE_SUFFIXES = YAML_SUFFIXES + JSON_SUFFIXES + TERRAFORM_NATIVE_SUFFIXES + (".tfvars",)


def kind_of(name: str) -> str:
    """The kind of input ``name`` is, by its suffix (any case)."""
    lower = name.lower()
    if lower.endswith(TFVARS_SUFFIXES):
        return TFVARS
    if lower.endswith(TERRAFORM_JSON_SUFFIXES):
        return TERRAFORM_JSON
    if lower.endswith(TERRAFORM_NATIVE_SUFFIXES):
        return TERRAFORM
    return CLOUDFORMATION


def is_module_file(name: str) -> bool:
    """A file Terraform reads as part of its directory's module (``.tf``, ``.tf.json``, ``.tofu``, ``.tofu.json``)."""
    return kind_of(name) in (TERRAFORM, TERRAFORM_JSON)


def is_candidate(name: str) -> bool:
    """A file a directory walk reads."""
    return name.lower().endswith(CANDIDATE_SUFFIXES)
