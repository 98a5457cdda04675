"""Suppressing one finding in its file's own form, with a reason the user edits: the edit behind the
language server's "suppress with a reason" action.

The forms are the ones the readers read (docs/configuration.md, "Suppressing one resource"):

- CloudFormation, YAML or JSON: an item ``{rule: SageMaker.15, reason: ...}`` of the resource's
  ``Metadata.sagemaker-iac-lint.ignore`` list (``cfn._suppressions``). The list, the
  ``sagemaker-iac-lint`` mapping or ``Metadata`` itself is added where it is not written: ``Metadata``
  on the line after ``Type``, the others after the mapping's last entry, in the block, flow or JSON
  style and at the indentation of the mapping it goes into;
- Terraform HCL: a ``# sagemaker-iac-lint:ignore=SageMaker.15:reason`` comment on the first line
  inside the resource block, at the block's indentation (``/* ... */`` after the ``{`` when the block
  is written on one line), as ``terraform._suppressions`` reads comments inside the block;
- Terraform JSON (``.tf.json``): a ``"//"`` key, the comment key Terraform ignores, as the first key
  of the resource's object.

The reason is a placeholder (``PLACEHOLDER_REASON``): a suppression with a reason applies at once,
so the finding goes away; the placeholder says what to write in its place.
"""

from __future__ import annotations

import json
import re

from . import kinds
from .fix import Edit, NoFix, compose, get, indent_of_line, is_intrinsic, line_start, newline, node_end

TYPE_CHECKING = False
if TYPE_CHECKING:
    from yaml import MappingNode, Node, SequenceNode

    from .scan import Finding

SUPPRESSION_KEY = "sagemaker-iac-lint"
PLACEHOLDER_REASON = "TODO say why this finding is accepted"


def suppression_edit(finding: Finding, text: str, reason: str = PLACEHOLDER_REASON) -> Edit:
    """The edit that suppresses ``finding`` (its rule on its resource) in ``text``, the text of
    ``finding.path``. Raises ``NoFix`` (with the reason) where the file's form has no place for it."""
    from .rules import RULES_BY_TF_TYPE

    lower = finding.path.lower()
    control = finding.rule.control
    kind = kinds.kind_of(finding.path)
    if lower.endswith(".json") and finding.resource_type in RULES_BY_TF_TYPE and kind != kinds.TERRAFORM_JSON \
            and ('"planned_values"' in text or '"resource_changes"' in text):
        raise NoFix("a plan has no place for a suppression: suppress in the configuration it was made from")
    if kind == kinds.TERRAFORM_JSON:
        edit = _tf_json_edit(finding, text, f"sagemaker-iac-lint:ignore={control}:{reason}")
    elif kind == kinds.TERRAFORM:
        edit = _hcl_edit(finding, text, f"sagemaker-iac-lint:ignore={control}:{reason}")
    else:
        is_json = lower.endswith(".json") or text.lstrip().startswith("{")
        edit = _cfn_edit(finding, text, is_json, {"rule": control, "reason": reason})
    edit.path = finding.path
    return edit


# ---------------------------------------------------------------------------------------------
# Writing a value in the document's style
# ---------------------------------------------------------------------------------------------


def _scalar(value: str, is_json: bool) -> str:
    if not is_json and re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", value):
        return value
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


def _flow(value: object, is_json: bool) -> str:
    """``value`` on one line: JSON, or YAML flow style (plain keys)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k, is_json)}: {_flow(v, is_json)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v, is_json) for v in value) + "]"
    return _scalar(str(value), is_json)


def _json(value: object, indent: str, step: str, nl: str) -> str:
    """``value`` as indented JSON whose first line is already at ``indent``."""
    inner = indent + step
    if isinstance(value, dict):
        entries = [f"{json.dumps(k)}: {_json(v, inner, step, nl)}" for k, v in value.items()]
        return "{" + nl + inner + ("," + nl + inner).join(entries) + nl + indent + "}"
    if isinstance(value, list):
        return "[" + nl + inner + ("," + nl + inner).join(_json(v, inner, step, nl) for v in value) + nl + indent + "]"
    return json.dumps(value)


def _block(value: object, indent: str, step: str, nl: str) -> str:
    """``value`` (a mapping or a list) in YAML block style, its first line at ``indent``."""
    if isinstance(value, list):
        return (nl + indent).join("- " + _block(item, indent + "  ", step, nl) for item in value)
    assert isinstance(value, dict)
    lines = []
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            lines.append(f"{key}:" + nl + indent + step + _block(item, indent + step, step, nl))
        else:
            lines.append(f"{key}: {_scalar(str(item), False)}")
    return (nl + indent).join(lines)


class _Writer:
    def __init__(self, text: str, is_json: bool, step: str) -> None:
        self.text = text
        self.is_json = is_json
        self.step = step
        self.nl = newline(text)

    def entry(self, key: str, value: object, indent: str, inline: bool) -> str:
        """``key: value`` written at ``indent``."""
        if inline:
            return f"{_scalar(key, self.is_json)}: {_flow(value, self.is_json)}"
        if self.is_json:
            return f"{json.dumps(key)}: {_json(value, indent, self.step, self.nl)}"
        if not isinstance(value, (dict, list)):
            return f"{key}: {_scalar(str(value), False)}"
        return f"{key}:" + self.nl + indent + self.step + _block(value, indent + self.step, self.step, self.nl)

    def item(self, value: object, indent: str, inline: bool) -> str:
        if inline:
            return _flow(value, self.is_json)
        if self.is_json:
            return _json(value, indent, self.step, self.nl)
        return _block(value, indent + "  ", self.step, self.nl)

    def add_entry(self, mapping: MappingNode, key: str, value: object, after: Node | None = None) -> Edit:
        """Add ``key: value`` to ``mapping``, after the entry whose key is ``after`` (else its last)."""
        text = self.text
        if not mapping.value:
            start, end = mapping.start_mark.index, mapping.end_mark.index
            if text[start:end].strip() != "{}":
                raise NoFix("the mapping to add to is empty and not written `{}`")
            return Edit("", start, end, "{" + self.entry(key, value, "", True) + "}")
        pairs = list(mapping.value)
        index = next((i for i, (k, _) in enumerate(pairs) if k is after), len(pairs) - 1)
        key_node, value_node = pairs[index]
        end = node_end(value_node)
        at_key = key_node.start_mark.index
        before = text[line_start(text, at_key):at_key]
        inline = mapping.flow_style and (mapping.start_mark.line == key_node.start_mark.line
                                          or bool(before.strip()))
        indent = " " * len(before) if before.strip() else before
        if mapping.flow_style:
            separator = ", " if inline else "," + self.nl + indent
            return Edit("", end, end, separator + self.entry(key, value, indent, inline))
        if value_node.end_mark.line != value_node.start_mark.line and not _block_collection(value_node):
            raise NoFix("the entry to add after is a multi-line scalar")
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if line_end > 0 and text[line_end - 1] == "\r":
            line_end -= 1
        return Edit("", line_end, line_end, self.nl + indent + self.entry(key, value, indent, False))

    def append_item(self, sequence: SequenceNode, value: object) -> Edit:
        text = self.text
        if not sequence.value:
            start, end = sequence.start_mark.index, sequence.end_mark.index
            if text[start:end].strip() != "[]":
                raise NoFix("the list to add to is empty and not written `[]`")
            return Edit("", start, end, "[" + self.item(value, "", True) + "]")
        last = sequence.value[-1]
        end = node_end(last)
        at = last.start_mark.index
        before = text[line_start(text, at):at]
        if sequence.flow_style:
            inline = sequence.start_mark.line == last.start_mark.line or bool(before.strip())
            indent = indent_of_line(text, at)
            separator = ", " if inline else "," + self.nl + indent
            return Edit("", end, end, separator + self.item(value, indent, inline))
        dash = before.rstrip()
        if not dash.endswith("-"):
            raise NoFix("the list is written in a form the suppression cannot be added to")
        indent = " " * (len(dash) - 1)
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if line_end > 0 and text[line_end - 1] == "\r":
            line_end -= 1
        return Edit("", line_end, line_end, self.nl + indent + "- " + self.item(value, indent, False))


def _block_collection(node: Node) -> bool:
    import yaml

    return isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style


# ---------------------------------------------------------------------------------------------
# CloudFormation
# ---------------------------------------------------------------------------------------------


def _cfn_edit(finding: Finding, text: str, is_json: bool, item: dict[str, str]) -> Edit:
    import yaml

    root = compose(text, is_json)
    if root is None:
        raise NoFix("the file could not be read with positions")
    resources = get(root, "Resources")
    found = get(resources[1], finding.resource) if resources else None
    logical_id, resource = found if found is not None else (None, None)
    if logical_id is None or not isinstance(resource, yaml.MappingNode) or is_intrinsic(resource):
        raise NoFix(f"resource `{finding.resource}` is not written as such in the file")
    writer = _Writer(text, is_json, _step(text, is_json, logical_id, resource))
    metadata = get(resource, "Metadata")
    if metadata is None:
        type_key = get(resource, "Type")
        return writer.add_entry(resource, "Metadata", {SUPPRESSION_KEY: {"ignore": [item]}},
                                after=type_key[0] if type_key else None)
    if not isinstance(metadata[1], yaml.MappingNode) or is_intrinsic(metadata[1]):
        raise NoFix("the resource's `Metadata` is not a mapping")
    ours = get(metadata[1], SUPPRESSION_KEY)
    if ours is None:
        return writer.add_entry(metadata[1], SUPPRESSION_KEY, {"ignore": [item]})
    if not isinstance(ours[1], yaml.MappingNode):
        raise NoFix(f"`Metadata.{SUPPRESSION_KEY}` is not a mapping")
    ignore = get(ours[1], "ignore")
    if ignore is None:
        return writer.add_entry(ours[1], "ignore", [item])
    if not isinstance(ignore[1], yaml.SequenceNode):
        raise NoFix(f"`Metadata.{SUPPRESSION_KEY}.ignore` is not a list")
    for present in ignore[1].value:  # this rule's item without a reason: give it the reason
        rule = get(present, "rule") if isinstance(present, yaml.MappingNode) else None
        if rule is None or not isinstance(rule[1], yaml.ScalarNode) or _control(rule[1].value) != item["rule"]:
            continue
        given = get(present, "reason")
        if given is None:
            return writer.add_entry(present, "reason", item["reason"])
        if isinstance(given[1], yaml.ScalarNode) and not given[1].value.strip():
            node = given[1]
            return Edit("", node.start_mark.index, node.end_mark.index, json.dumps(item["reason"]))
    return writer.append_item(ignore[1], item)


def _control(name: str) -> str | None:
    from .rules import find_rule

    rule = find_rule(name)
    return rule.control if rule is not None else None


def _step(text: str, is_json: bool, parent_key: Node, mapping: MappingNode) -> str:
    """The document's indentation step: a resource's keys' column less its logical id's (YAML), the
    first indented line's indentation (JSON)."""
    if is_json:
        match = re.search(r"\n([ \t]+)\S", text)
        return match.group(1) if match else "  "
    if mapping.value and not mapping.flow_style:
        step = mapping.value[0][0].start_mark.column - parent_key.start_mark.column
        if step > 0:
            return " " * step
    return "  "


# ---------------------------------------------------------------------------------------------
# Terraform
# ---------------------------------------------------------------------------------------------


_HCL_WITHOUT_REASON = re.compile(r"(?:#|//|/\*)[ \t]*sagemaker-iac-lint:ignore=([^:\s*]+)(?![^\s:])(?![ \t]*:)")


def _hcl_edit(finding: Finding, text: str, comment: str) -> Edit:
    from .fix import hcl_items, written_resource

    _, _, resource = written_resource(finding, text)
    open_ = resource.open
    for match in _HCL_WITHOUT_REASON.finditer(text, resource.start, resource.close):
        # this rule's comment without a reason (it would win over a new one above it): give it the reason
        names = match.group(1).split(",")
        if any(_control(name) == finding.rule.control for name in names):
            return Edit("", match.end(1), match.end(1), ":" + comment.partition(":ignore=")[2].partition(":")[2])
    line_end = text.find("\n", open_)
    if line_end < 0 or line_end >= resource.close:  # `resource "t" "n" { ... }` on one line
        return Edit("", open_ + 1, open_ + 1, f" /* {comment} */")
    rest = text[open_ + 1:line_end].strip()
    if rest and not rest.startswith(("#", "//")):
        return Edit("", open_ + 1, open_ + 1, f" /* {comment} */")
    outer = indent_of_line(text, resource.start)
    items = hcl_items(text, open_)
    indent = outer + "  "
    if items:
        first = indent_of_line(text, items[0].start)
        if len(first) > len(outer) and line_start(text, items[0].start) > open_:
            indent = first
    nl = newline(text)
    return Edit("", line_end + 1, line_end + 1, indent + "# " + comment + nl)


def _tf_json_edit(finding: Finding, text: str, comment: str) -> Edit:
    import yaml

    from .fix import mapping_of, tf_address

    root = compose(text, True)
    if root is None:
        raise NoFix("the file could not be read with positions")
    resource_type, name = tf_address(finding.resource)
    blocks = get(root, "resource")
    by_type = get(blocks[1], resource_type) if blocks else None
    found = get(by_type[1], name) if by_type else None
    body = mapping_of(found[1]) if found else None
    if body is None or not isinstance(body, yaml.MappingNode):
        raise NoFix(f"`{resource_type}.{name}` is not written as an object in this file")
    if get(body, "//") is not None:
        raise NoFix('the resource already has a `"//"` comment key')
    entry = f'"//": {json.dumps(comment)}'
    if not body.value:
        start, end = body.start_mark.index, body.end_mark.index
        return Edit("", start, end, "{" + entry + "}")
    first = body.value[0][0]
    at = first.start_mark.index
    before = text[line_start(text, at):at]
    if before.strip():  # `{"a": 1, ...}` on one line
        return Edit("", at, at, entry + ", ")
    return Edit("", at, at, entry + "," + newline(text) + before)
