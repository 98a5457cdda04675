"""Fixes: for a finding, the smallest text edit that makes it pass, and applying them to files.

A fix is found from the file's own text, at the places where the resource, its ``NetworkConfig``
(``network_config``) and the flag are written: YAML and JSON through PyYAML's node tree (which keeps
each node's offsets and flow style), HCL through the native reader's tokenizer. The edit is one of:

- the flag's value replaced with ``true`` (a literal keeps its quotes);
- the flag added to the ``NetworkConfig`` that is there;
- ``NetworkConfig`` added to the resource (the monitoring job definition of a schedule), as a
  mapping, an object attribute (hashicorp/awscc) or a nested block (hashicorp/aws);
- the ``Default`` of the parameter (the ``default`` of the variable) set to true, when the flag is a
  plain reference to it and that default is what decides.

New lines take the file's own indentation; nothing else in the file changes. Safety follows ruff: a
fix is *unsafe* when deploying it replaces the resource (every job definition: the flag is
create-only) or when it replaces an expression or edits a default that other places may read.
"""

from __future__ import annotations

import os
import re
import sys

from .rules import RULES_BY_CFN_TYPE, RULES_BY_TF_TYPE, Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Sequence

    from yaml import MappingNode, Node

    from .cli import CheckArguments
    from .scan import Finding, Options

FLAG_KEY_CFN = "EnableInterContainerTrafficEncryption"
_TRUE_WORDS = ("true",)


class Edit:
    """Replace ``text[start:end]`` of the file at ``path`` with ``new``."""

    __slots__ = ("path", "start", "end", "new")

    def __init__(self, path: str, start: int, end: int, new: str) -> None:
        self.path = path
        self.start = start
        self.end = end
        self.new = new

    def key(self) -> tuple:
        return (self.path, self.start, self.end, self.new)

    def __repr__(self) -> str:
        return f"Edit({self.path!r}, {self.start}, {self.end}, {self.new!r})"


class Fix:
    """The edits that make one finding pass."""

    __slots__ = ("finding", "title", "safe", "edits", "note")

    def __init__(self, finding: Finding, title: str, safe: bool, edits: list[Edit], note: str = "") -> None:
        self.finding = finding
        self.title = title  # "Set `NetworkConfig.EnableInterContainerTrafficEncryption` to true"
        self.safe = safe
        self.edits = edits
        self.note = note  # why it is unsafe, said to the user

    def __repr__(self) -> str:
        return f"Fix({self.finding.resource!r}, {self.title!r}, safe={self.safe}, {self.edits!r})"


class _NoFix(Exception):
    """This finding has no automatic fix (said in the reason)."""


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _indent_of_line(text: str, offset: int) -> str:
    start = _line_start(text, offset)
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def offset_of(text: str, line: int, column: int) -> int:
    """The offset of a 1-based line and column."""
    offset = 0
    for _ in range(line - 1):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset + column - 1


def position_of(text: str, offset: int) -> tuple[int, int]:
    """0-based (line, character) of an offset, as the Language Server Protocol counts them (UTF-16)."""
    line = text.count("\n", 0, offset)
    start = _line_start(text, offset)
    segment = text[start:offset]
    return line, len(segment.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# YAML and JSON: PyYAML nodes with offsets
# ---------------------------------------------------------------------------------------------


def _compose(text: str, is_json: bool) -> Node | None:
    import yaml

    source = text.replace("\t", " ") if is_json else text  # as cfn.load_template: same offsets
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def _node_end(node: Node) -> int:
    """Where a node's own text ends: a block collection's end mark lies past what follows it."""
    import yaml

    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children = node.value
    if not children:
        return node.end_mark.index
    last = children[-1]
    return _node_end(last[1] if isinstance(last, tuple) else last)


def _get(mapping: Node | None, key: str) -> tuple[Node, Node] | None:
    """(key node, value node) of ``key`` in a mapping node, else None. A one-item list holding a
    mapping (Terraform JSON's block form) is looked into."""
    import yaml

    if isinstance(mapping, yaml.SequenceNode) and len(mapping.value) == 1:
        mapping = mapping.value[0]
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    if any(isinstance(k, yaml.ScalarNode) and k.value == "<<" for k, _ in mapping.value):
        raise _NoFix(f"a YAML merge key (`<<`) may supply `{key}`")
    return None


def _mapping_of(node: Node | None) -> MappingNode | None:
    import yaml

    if isinstance(node, yaml.SequenceNode) and len(node.value) == 1:
        node = node.value[0]
    return node if isinstance(node, yaml.MappingNode) else None


def _is_intrinsic(node: Node) -> bool:
    import yaml

    if node.tag.startswith("!") and not node.tag.startswith("!!"):
        return True
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        key = node.value[0][0]
        return isinstance(key, yaml.ScalarNode) and (key.value == "Ref" or key.value.startswith(("Fn::", "Condition")))
    return False


def _ref_target(node: Node) -> str | None:
    import yaml

    if isinstance(node, yaml.ScalarNode) and node.tag == "!Ref":
        return node.value
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        key, value = node.value[0]
        if key.value == "Ref" and isinstance(value, yaml.ScalarNode):
            return value.value
    return None


class _Tree:
    """A YAML or JSON document: how to write keys and values in it, and its indentation step."""

    def __init__(self, text: str, is_json: bool) -> None:
        self.text = text
        self.is_json = is_json
        self.root = _compose(text, is_json)
        self.step = self._step()

    def _step(self) -> str:
        if self.is_json:
            match = re.search(r"\n([ \t]+)\S", self.text)
            return match.group(1) if match else "  "
        return "  "

    def key(self, name: str) -> str:
        return f'"{name}"' if self.is_json else name

    def scalar(self, node: Node, value: str = "true") -> str:
        """``value`` written as the scalar ``node`` is quoted (a bool stays a bare word)."""
        style = getattr(node, "style", None)
        if style in ('"', "'"):
            return f"{style}{value}{style}"
        return value

    def entry(self, keys: Sequence[str], indent: str, flow: bool) -> str:
        """``keys[0]: {keys[1]: ... true}`` written at ``indent`` (the column of the line it starts)."""
        colon = ": "
        if len(keys) == 1:
            return self.key(keys[0]) + colon + "true"
        inner = indent + self.step
        if flow:
            return self.key(keys[0]) + colon + "{" + self.key(keys[1]) + colon + "true}" if len(keys) == 2 else \
                self.key(keys[0]) + colon + "{" + self.entry(keys[1:], inner, True) + "}"
        nl = _newline(self.text)
        if self.is_json:
            return self.key(keys[0]) + colon + "{" + nl + inner + self.entry(keys[1:], inner, False) + nl + indent + "}"
        return self.key(keys[0]) + ":" + nl + inner + self.entry(keys[1:], inner, False)

    def insert(self, mapping: MappingNode, keys: Sequence[str], parent_key: Node | None = None) -> Edit:
        """Add ``keys`` (a chain of one-key mappings ending in true) to a mapping node."""
        text = self.text
        nl = _newline(text)
        if not mapping.value:  # `{}`: written inline
            start, end = mapping.start_mark.index, mapping.end_mark.index
            if text[start:end].strip() != "{}":
                raise _NoFix("the mapping to add to is empty and not written `{}`")
            return Edit("", start, end, "{" + self.entry(keys, "", True) + "}")
        first_key = mapping.value[0][0]
        at = first_key.start_mark.index
        before = text[_line_start(text, at):at]
        if mapping.flow_style and before.strip():  # `{A: 1, B: 2}` on the line: inline
            return Edit("", at, at, self.entry(keys, "", True) + ", ")
        indent = " " * len(before) if before.strip() else before  # `- Key:` items: the key's column
        if not self.is_json and not mapping.flow_style and parent_key is not None and parent_key.start_mark.line != first_key.start_mark.line:
            step = first_key.start_mark.column - parent_key.start_mark.column
            if step > 0:
                self.step = " " * step
        written = self.entry(keys, indent, False)
        comma = "," if mapping.flow_style else ""
        return Edit("", at, at, written + comma + nl + indent)


_LAST_TREE: list = []  # (text, is_json, tree): the findings of one file are fixed from one parse


def _tree_of(text: str, is_json: bool) -> _Tree:
    if _LAST_TREE and _LAST_TREE[0][0] is text and _LAST_TREE[0][1] == is_json:
        tree = _LAST_TREE[0][2]
        tree.step = tree._step()
        return tree
    tree = _Tree(text, is_json)
    _LAST_TREE[:] = [(text, is_json, tree)]
    return tree


def _cfn_fix(finding: Finding, text: str, is_json: bool, rule: Rule) -> tuple[list[Edit], str, bool, str]:
    """(edits, title, replaces_expression, note) for a CloudFormation finding."""
    tree = _tree_of(text, is_json)
    if tree.root is None:
        raise _NoFix("the file could not be read with positions")
    resources = _get(tree.root, "Resources")
    resource = _get(resources[1], finding.resource) if resources else None
    if resource is None:
        raise _NoFix(f"resource `{finding.resource}` is not written as such in the file (made by a transform or a loop)")
    properties = _get(resource[1], "Properties")
    if properties is None:
        raise _NoFix("the resource has no Properties mapping")
    return _tree_fix(tree, properties, rule.scope + rule.flag_path, tree.key, cfn_parameters=tree.root)


def _tree_fix(tree: _Tree, start: tuple[Node, Node], path: tuple[str, ...], _key: Callable[[str], str],
              cfn_parameters: Node | None = None) -> tuple[list[Edit], str, bool, str]:
    import yaml

    parent_key: Node | None
    parent_key, node = start
    shown = ".".join(path)
    title = f"Set `{shown}` to true"
    for index, name in enumerate(path):
        mapping = _mapping_of(node)
        if mapping is None or _is_intrinsic(mapping):
            if _is_intrinsic(node) or mapping is not None:
                raise _NoFix(f"`{'.'.join(path[:index]) or 'Properties'}` is an expression; the fix would replace it whole")
            raise _NoFix(f"`{'.'.join(path[:index]) or 'Properties'}` is not a mapping")
        found = _get(mapping, name)
        if found is None:
            return [tree.insert(mapping, path[index:], parent_key)], title, False, ""
        parent_key, node = found
    # the flag is written: replace its value
    if isinstance(node, yaml.ScalarNode) and not _is_intrinsic(node):
        if node.value.strip().lower() in _TRUE_WORDS and node.style is None and not tree.is_json:
            raise _NoFix("the flag is already true")
        return [Edit("", node.start_mark.index, node.end_mark.index, tree.scalar(node))], title, False, ""
    target = _ref_target(node)
    if target is not None and cfn_parameters is not None:
        edit = _parameter_default_edit(tree, cfn_parameters, target)
        if edit is not None:
            return [edit], f"Set the Default of parameter `{target}` to true", True, \
                f"every use of parameter `{target}` changes, and a deployment that passes it keeps its own value"
    end = _node_end(node)
    return [Edit("", node.start_mark.index, end, "true")], title, True, "the fix replaces an expression"


def _parameter_default_edit(tree: _Tree, root: Node, name: str) -> Edit | None:
    import yaml

    parameters = _get(root, "Parameters")
    parameter = _get(parameters[1], name) if parameters else None
    if parameter is None:
        return None
    default = _get(parameter[1], "Default")
    if default is None or not isinstance(default[1], yaml.ScalarNode):
        return None
    allowed = _get(parameter[1], "AllowedValues")
    if allowed is not None:
        values = [item.value.lower() for item in getattr(allowed[1], "value", []) if isinstance(item, yaml.ScalarNode)]
        if "true" not in values:
            return None  # a Default outside AllowedValues would not deploy
    node = default[1]
    style = node.style if node.style in ('"', "'") else ('"' if tree.is_json else None)
    new = f"{style}true{style}" if style else "true"
    return Edit("", node.start_mark.index, node.end_mark.index, new)


def _tf_json_fix(finding: Finding, text: str, rule: Rule) -> tuple[list[Edit], str, bool, str]:
    tree = _tree_of(text, True)
    if tree.root is None:
        raise _NoFix("the file could not be read with positions")
    resource_type, name = _tf_address(finding.resource)
    blocks = _get(tree.root, "resource")
    if blocks is None:
        raise _NoFix("no `resource` object")
    by_type = _get(blocks[1], resource_type)
    body = _get(by_type[1], name) if by_type else None
    if body is None:
        raise _NoFix(f"`{resource_type}.{name}` is not written in this file")
    path = rule.tf_path(rule.scope + rule.flag_path)
    edits, title, expression, note = _tree_fix(tree, body, path, tree.key)
    return edits, title.replace(".".join(rule.scope + rule.flag_path), ".".join(path)), expression, note


def _tf_address(address: str) -> tuple[str, str]:
    parts = re.sub(r"\[[^\]]*\]", "", address).split(".")
    while parts and parts[0] == "module" and len(parts) > 2:
        parts = parts[2:]
    if len(parts) != 2:
        raise _NoFix(f"cannot read the address `{address}`")
    return parts[0], parts[1]


# ---------------------------------------------------------------------------------------------
# HCL
# ---------------------------------------------------------------------------------------------


class _HclItem:
    """An attribute or block in an HCL body (or a key of an object), with its offsets."""

    __slots__ = ("name", "labels", "start", "value_start", "value_end", "open", "close", "block")

    def __init__(self, name: str, labels: list[str], start: int, value_start: int, value_end: int,
                 open_: int, close: int, block: bool) -> None:
        self.name = name
        self.labels = labels
        self.start = start
        self.value_start = value_start
        self.value_end = value_end
        self.open = open_  # the `{` of a block or an object value; -1 otherwise
        self.close = close  # its `}`
        self.block = block


def _hcl_items(text: str, open_index: int) -> list[_HclItem]:
    """The items of the body or object whose `{` is at ``open_index`` (-1: the whole file)."""
    from . import hcl

    parser = hcl.Parser(text, open_index + 1)
    items: list[_HclItem] = []
    while True:
        while parser.token.kind == hcl.NEWLINE or parser.at(","):
            parser.advance()
        token = parser.token
        if token.kind == hcl.EOF or parser.at("}"):
            return items
        if token.kind not in (hcl.IDENT, hcl.STRING):
            raise _NoFix("the HCL body holds what the fixer cannot read")
        name = token.value if token.kind == hcl.IDENT or token.extra is None else token.extra[0]
        parser.advance()
        if parser.at("=") or parser.at(":"):
            parser.advance()
            value_start = parser.token.start
            parser.expression()
            value_end = parser.last_end
            is_object = text.startswith("{", value_start) and text[value_end - 1] == "}"
            items.append(_HclItem(name, [], token.start, value_start, value_end,
                                  value_start if is_object else -1, value_end - 1 if is_object else -1, False))
            continue
        labels = []
        while parser.token.kind in (hcl.STRING, hcl.IDENT):
            extra = parser.token.extra
            labels.append(extra[0] if parser.token.kind == hcl.STRING and extra is not None else parser.token.value)
            parser.advance()
        if not parser.at("{"):
            raise _NoFix("the HCL body holds what the fixer cannot read")
        open_ = parser.token.start
        parser.open("{", True)
        parser.body(closing="}")
        close = parser.token.start
        parser.close("}")
        items.append(_HclItem(name, labels, token.start, open_, close + 1, open_, close, True))


def _hcl_insert(text: str, container: _HclItem, keys: Sequence[str], blocks: bool, step: str) -> Edit:
    """Add ``keys`` (nested, ending in ``= true``) inside a block or object, at its indentation."""
    nl = _newline(text)
    open_, close = container.open, container.close
    after = open_ + 1
    while after < close and text[after] in " \t":
        after += 1
    outer = _indent_of_line(text, open_)

    def entry(chain: Sequence[str], indent: str) -> str:
        if len(chain) == 1:
            return f"{chain[0]} = true"
        inner = indent + step
        opener = f"{chain[0]} {{" if blocks else f"{chain[0]} = {{"
        return opener + nl + inner + entry(chain[1:], inner) + nl + indent + "}"

    if after == close:  # `{}` or `{ }`
        indent = outer + step
        return Edit("", open_ + 1, close, nl + indent + entry(keys, indent) + nl + outer)
    if text[after] not in "\r\n#/":
        if container.block:
            raise _NoFix("the block is written on one line")
        return Edit("", after, after, entry(keys, "").replace(nl, " ") + ", ")
    # the first line after the `{` that holds anything: the new item goes just before it
    line = text.find("\n", after) + 1
    while line < close:
        end = text.find("\n", line)
        end = len(text) if end < 0 else end
        if text[line:end].strip():
            break
        line = end + 1
    indent = _indent_of_line(text, line)
    if text[line:].lstrip(" \t").startswith("}") and _line_start(text, close) == line:
        indent = outer + step  # nothing but the closing brace: one step in
    return Edit("", line, line, indent + entry(keys, indent) + nl)


def _hcl_find(items: list[_HclItem], name: str) -> _HclItem | None:
    for item in items:
        if item.name == name and not item.labels:
            return item
    return None


_VARIABLE = re.compile(r"var\.([A-Za-z_][\w-]*)\Z")


def _tf_fix(finding: Finding, text: str, rule: Rule, path: str) -> tuple[list[Edit], str, bool, str]:
    from . import hcl

    resource_type, name = _tf_address(finding.resource)
    try:
        top = _hcl_items(text, -1)
    except hcl.HclError:
        raise _NoFix("the file could not be read with positions") from None
    resource = next((item for item in top if item.name == "resource" and item.labels == [resource_type, name]), None)
    if resource is None:
        raise _NoFix(f"`{resource_type}.{name}` is not written in this file")
    blocks = resource_type.startswith("aws_")  # hashicorp/aws: nested blocks; awscc: object attributes
    keys = rule.tf_path(rule.scope + rule.flag_path)
    title = f"Set `{'.'.join(keys)}` to true"
    first_item = _hcl_items(text, resource.open)
    step = "  "
    if first_item:
        inner = _indent_of_line(text, first_item[0].start)
        outer = _indent_of_line(text, resource.start)
        if inner.startswith(outer) and len(inner) > len(outer):
            step = inner[len(outer):]
    container = resource
    for index, key in enumerate(keys):
        if container.open < 0:
            raise _NoFix(f"`{'.'.join(keys[:index])}` is an expression; the fix would replace it whole")
        items = _hcl_items(text, container.open)
        if any(item.name == "dynamic" for item in items) and index < len(keys) - 1:
            raise _NoFix("a `dynamic` block writes part of this resource")
        found = _hcl_find(items, key)
        if found is None:
            return [_hcl_insert(text, container, keys[index:], blocks, step)], title, False, ""
        if index < len(keys) - 1 and sum(1 for item in items if item.name == key) > 1:
            raise _NoFix(f"`{key}` is written more than once")
        container = found
    flag = container
    value = text[flag.value_start:flag.value_end]
    if value in ("false", '"false"'):
        return [Edit("", flag.value_start, flag.value_end, "true")], title, False, ""
    variable = _VARIABLE.match(value)
    if variable:
        edit = _variable_default_edit(path, variable.group(1))
        if edit is not None:
            return [edit], f"Set the default of variable `{variable.group(1)}` to true", True, \
                f"every use of variable `{variable.group(1)}` changes, and a deployment that sets it keeps its own value"
    return [Edit("", flag.value_start, flag.value_end, "true")], title, True, "the fix replaces an expression"


def _variable_default_edit(path: str, name: str) -> Edit | None:
    """The edit of ``default = false`` of a variable declared in the module's `.tf` files."""
    from . import hcl, tfmodule

    directory = os.path.dirname(os.path.abspath(path))
    for file_name in tfmodule.module_files(directory):
        if not file_name.endswith((".tf", ".tofu")):
            continue
        file_path = os.path.join(directory, file_name)
        try:
            text = read_source(file_path)
            items = _hcl_items(text, -1)
        except (OSError, UnicodeDecodeError, hcl.HclError, _NoFix):
            continue
        for item in items:
            if item.name == "variable" and item.labels == [name]:
                default = _hcl_find(_hcl_items(text, item.open), "default")
                if default is None or text[default.value_start:default.value_end] not in ("false", '"false"'):
                    return None
                shown = file_path if os.path.isabs(path) else os.path.relpath(file_path)
                return Edit(shown, default.value_start, default.value_end, "true")
    return None


# ---------------------------------------------------------------------------------------------
# From findings to fixes
# ---------------------------------------------------------------------------------------------


def read_source(path: str) -> str:
    from .scan import decode

    with open(path, "rb") as handle:
        return decode(handle.read())


def _custom_name(text: str, finding: Finding) -> str:
    """A replacement cannot reuse a custom name: find the one the resource sets, if any."""
    lower = finding.path.lower()
    names: tuple[str, ...]
    if lower.endswith((".tf", ".tofu", ".tf.json")):
        names = ("job_definition_name", "name")
    else:
        names = ("JobDefinitionName",)
    # a look at the text near the resource is enough for a note
    for name in names:
        if re.search(rf'(?<![\w.]){name}"?\s*[:=]', text):
            return name
    return ""


def fix_for(finding: Finding, text: str | None = None) -> Fix:
    """The fix of one finding. Raises ``NoFix`` (with the reason) when there is none."""
    path = finding.path
    if text is None:
        text = read_source(path)
    lower = path.lower()
    rule = finding.rule
    if finding.resource_type not in RULES_BY_CFN_TYPE and finding.resource_type not in RULES_BY_TF_TYPE:
        raise _NoFix(f"`{finding.resource_type}` is not a type to fix")
    if lower.endswith((".tf.json", ".tofu.json")) or (lower.endswith(".json") and finding.resource_type in RULES_BY_TF_TYPE):
        if '"planned_values"' in text or '"resource_changes"' in text:
            raise _NoFix("a plan is fixed in the configuration it was made from")
        edits, title, expression, note = _tf_json_fix(finding, text, rule)
    elif lower.endswith((".tf", ".tofu")):
        edits, title, expression, note = _tf_fix(finding, text, rule, path)
    else:
        is_json = lower.endswith(".json") or text.lstrip().startswith("{")
        edits, title, expression, note = _cfn_fix(finding, text, is_json, rule)
    for edit in edits:
        if not edit.path:
            edit.path = path
    notes = [note] if note else []
    if rule.create_only:
        replaced = f"deploying it replaces the {rule.resource_noun}"
        custom = _custom_name(text, finding)
        if custom:
            replaced += f"; its custom `{custom}` must change too, as a replacement cannot reuse the name"
        notes.append(replaced)
    safe = not expression and not rule.create_only
    return Fix(finding, title, safe, edits, "; ".join(notes))


NoFix = _NoFix


def fixes_for(findings: Iterable[Finding], texts: dict[str, str] | None = None) -> tuple[list[Fix], list[tuple[Finding, str]]]:
    """Fixes for findings, and (finding, reason) for those without one."""
    fixes, unfixable = [], []
    texts = {} if texts is None else texts
    for finding in findings:
        try:
            if finding.path not in texts:
                texts[finding.path] = read_source(finding.path)
            fixes.append(fix_for(finding, texts[finding.path]))
        except _NoFix as reason:
            unfixable.append((finding, str(reason)))
        except (OSError, ValueError) as error:
            unfixable.append((finding, f"cannot read the file ({error})"))
    return fixes, unfixable


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text with the edits applied; identical edits count once, an edit overlapping one already
    taken is left out."""
    chosen: list[Edit] = []
    seen: set = set()
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.key() in seen:
            continue
        if chosen and edit.start < chosen[-1].end or (chosen and edit.start == chosen[-1].start == edit.end == chosen[-1].end):
            continue
        seen.add(edit.key())
        chosen.append(edit)
    for edit in reversed(chosen):
        text = text[: edit.start] + edit.new + text[edit.end :]
    return text


def fixed_texts(fixes: Iterable[Fix], texts: dict[str, str]) -> dict[str, str]:
    """path -> new text, for every file the fixes change."""
    by_path: dict[str, list[Edit]] = {}
    for fix in fixes:
        for edit in fix.edits:
            by_path.setdefault(edit.path, []).append(edit)
    out = {}
    for path, edits in by_path.items():
        if path not in texts:
            texts[path] = read_source(path)
        new = apply_edits(texts[path], edits)
        if new != texts[path]:
            out[path] = new
    return out


def unified_diff(path: str, old: str, new: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}"))


def _write(path: str, text: str) -> None:
    """Write through a temporary file in the same folder, so a crash leaves the old file whole."""
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.sagemaker-iac-lint-fix")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    try:
        os.chmod(temporary, os.stat(path).st_mode & 0o7777)
    except OSError:
        pass
    os.replace(temporary, path)


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``fix``'s options: those of ``check`` that choose what is judged, and the fix options."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--diff", action="store_true", help="print a unified diff of every fix and write nothing")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply unsafe fixes (those that replace the resource or an expression)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--strict", dest="strict", action="store_true", default=None,
                      help="also fix single-instance jobs without encryption")
    mode.add_argument("--no-strict", dest="strict", action="store_false", help="standard mode")
    parser.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                        help="how to report what is left after fixing")
    parser.add_argument("--select", metavar="RULES", help="comma-separated rules to fix (default: all)")
    parser.add_argument("--ignore", metavar="RULES", help="comma-separated rules not to fix")
    parser.add_argument("--exclude", metavar="GLOB", action="append", help="skip paths matching GLOB (repeatable)")
    parser.add_argument("--config", metavar="PYPROJECT", help="read [tool.sagemaker-iac-lint] from this file")
    parser.add_argument("--no-config", action="store_true", help="ignore pyproject.toml")


def options_from(args: argparse.Namespace | CheckArguments) -> Options:
    """Options from the command line and the configuration, as ``check`` builds them. Raises ConfigError."""
    from . import config as config_module
    from .scan import Options

    if getattr(args, "no_config", False):
        config = config_module.Config()
    else:
        config = config_module.load(getattr(args, "config", None) or config_module.find_pyproject(os.getcwd()))
    select = config_module.rule_ids(args.select, "--select") if getattr(args, "select", None) else config.select
    ignore = config_module.rule_ids(args.ignore, "--ignore") if getattr(args, "ignore", None) else config.ignore
    strict = getattr(args, "strict", None)
    return Options(
        strict=strict if strict is not None else bool(config.strict),
        select=select,
        ignore=ignore,
        exclude=tuple(getattr(args, "exclude", None) or ()) or config.exclude,
        var_files=tuple(getattr(args, "var_files", None) or ()) or config.var_files,
        variables=tuple(getattr(args, "variables", None) or ()) or config.variables,
    )


def run(args: argparse.Namespace | CheckArguments) -> int:
    """``fix`` and ``check --fix``: apply the fixes, report what is left, exit as ``check`` does."""
    from . import config as config_module
    from .output import FORMATTERS, format_errors
    from .scan import scan

    try:
        options = options_from(args)
    except config_module.ConfigError as error:
        print(f"sagemaker-iac-lint: error: {error}", file=sys.stderr)
        return 2
    paths = args.paths or ["."]
    report = scan(paths, options)
    unsafe = bool(getattr(args, "unsafe_fixes", False))
    diff = bool(getattr(args, "diff", False))
    texts: dict[str, str] = {}
    fixes, unfixable = fixes_for(report.findings, texts)
    applied = [fix for fix in fixes if fix.safe or unsafe]
    withheld = [fix for fix in fixes if not (fix.safe or unsafe)]
    changed = fixed_texts(applied, texts)
    failed_writes = []
    if diff:
        for path in sorted(changed):
            sys.stdout.write(unified_diff(path, texts[path], changed[path]))
        fixed_ids = {id(fix.finding) for fix in applied if any(e.path in changed for e in fix.edits)}
        from .scan import Report

        remaining = Report([f for f in report.findings if id(f) not in fixed_ids], report.errors, report.files_scanned)
    else:
        for path, new in sorted(changed.items()):
            try:
                _write(path, new)
            except OSError as error:
                failed_writes.append(path)
                print(f"sagemaker-iac-lint: error: cannot write {path}: {error.strerror}", file=sys.stderr)
        remaining = scan(paths, options) if changed else report
        rendered = FORMATTERS[args.format](remaining)
        output = getattr(args, "output", None)
        if output:
            try:
                _write(output, rendered)
            except OSError as error:
                print(f"sagemaker-iac-lint: error: cannot write {output}: {error.strerror}", file=sys.stderr)
                return 2
        else:
            sys.stdout.write(rendered)
    fixed_count = len(report.findings) - len(remaining.findings)
    verb = "would fix" if diff else "fixed"
    summary = f"sagemaker-iac-lint: {verb} {fixed_count} of {len(report.findings)} finding(s)"
    if withheld:
        summary += f"; {len(withheld)} unsafe fix(es) not applied (add --unsafe-fixes)"
    print(summary, file=sys.stderr)
    for fix in withheld:
        f = fix.finding
        print(f"  {f.path}:{f.line}:{f.column}: {f.rule.control} {f.resource}: {fix.title} is unsafe: {fix.note}",
              file=sys.stderr)
    for finding, reason in unfixable:
        print(f"  {finding.path}:{finding.line}:{finding.column}: {finding.rule.control} {finding.resource}: "
              f"no automatic fix: {reason}", file=sys.stderr)
    sys.stderr.write(format_errors(remaining))
    if remaining.errors or failed_writes:
        return 2
    return 1 if remaining.findings else 0
