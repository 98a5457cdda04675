"""Fixes: for a finding, the smallest text edit that makes it pass, and applying them to files.

A fix exists where one literal makes the finding pass: the rule's ``expected`` value (``true``, or a
string such as ``"Disabled"`` or ``"Vpc"``). Rules that ask for any value (a KMS key, a subnet) or for
a count (SageMaker.4: capacity is the user's decision) have no automatic fix, and say so.

A fix is found from the file's own text, at the places where the resource, the objects on the
property's path and the property are written: YAML and JSON through PyYAML's node tree (which keeps
each node's offsets and flow style), HCL through the native reader's tokenizer. The edit is one of:

- the property's value replaced with the expected literal (a literal keeps its quotes);
- the property added to the innermost object of its path that is there (``NetworkConfig``);
- the missing objects added with it (``NetworkConfig``, ``ImageConfig``), as a mapping, an object
  attribute (hashicorp/awscc) or a nested block (hashicorp/aws);
- the ``Default`` of the parameter (the ``default`` of the variable) set to the expected literal, when
  the property is a plain reference to it and that default is what decides.

A rule with ``each`` (every element of ``Containers``) gets one edit per element that does not comply.
New lines take the file's own indentation; nothing else in the file changes. Safety follows ruff: a
fix is *unsafe* when deploying it replaces the resource (``rule.create_only``: every job definition,
notebook instance and model) or when it replaces an expression or edits a default that other places
may read. Fixes of one resource that meet in one place (two flags in a ``NetworkConfig`` that is not
written yet) are applied one after the other, each found again in the text the others left.
"""

from __future__ import annotations

import os
import re

from . import kinds
from .options import COLOR, CONFIG, EXCLUDE, IGNORE, NO_CONFIG, NO_STRICT, QUIET, SELECT, STRICT, UNSAFE_FIXES, add_options
from .rules import PRESENT, RULES_BY_CFN_TYPE, RULES_BY_TF_TYPE, Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Sequence

    from yaml import MappingNode, Node

    from .cli import CheckArguments
    from .scan import Finding, Options

FLAG_KEY_CFN = "EnableInterContainerTrafficEncryption"
_TRUE_WORDS = ("true",)
# What a fix that sets the property also asks of the user, said in the fix's note (by the judged property).
_CAVEATS: dict[tuple[str, ...], str] = {
    ("DirectInternetAccess",): "`Disabled` deploys only with a `SubnetId` set (SageMaker.2), and the notebook "
                               "instance then reaches only what its VPC allows",
    ("ImageConfig", "RepositoryAccessMode"): "with `Vpc` the image must be in a private Docker registry that the "
                                             "model's VPC (`VpcConfig`) reaches",
}


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


class _Already(_NoFix):
    """The property is already what the rule asks for (an element of a list that complies)."""


def _literal(rule: Rule, finding: Finding | None = None) -> bool | str:
    """The one value that makes a finding of ``rule`` pass; raises ``_NoFix`` when there is none."""
    terraform = finding is not None and finding.resource_type in RULES_BY_TF_TYPE

    def spelled(path: tuple[str, ...]) -> str:
        if terraform and finding is not None:
            path = rule.tf_path(path, finding.resource_type)
        return ".".join(path)

    if not rule.flag_path:
        listed = spelled(rule.scope + rule.each) + "[]." if rule.each else spelled(rule.scope)
        judged = listed + spelled(rule.count_path)
        raise _NoFix(f"`{judged}` is a capacity decision: set it to {rule.remedy or 'what you need'} yourself")
    if rule.expected is PRESENT:
        raise _NoFix(f"no single value is right: set `{spelled(rule.scope + rule.flag_path)}` to {rule.wanted}")
    if rule.expected is True or isinstance(rule.expected, str):
        return rule.expected
    raise _NoFix(f"no literal makes {rule.control} pass")


def _complies(literal: bool | str, text: str) -> bool:
    """Whether a scalar's text (unquoted) already is ``literal``."""
    if literal is True:
        return text.strip().lower() in _TRUE_WORDS
    return text == literal


# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------


def line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def indent_of_line(text: str, offset: int) -> str:
    start = line_start(text, offset)
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def newline(text: str) -> str:
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
    start = line_start(text, offset)
    segment = text[start:offset]
    return line, len(segment.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# YAML and JSON: PyYAML nodes with offsets
# ---------------------------------------------------------------------------------------------


def compose(text: str, is_json: bool) -> Node | None:
    import yaml

    source = text.replace("\t", " ") if is_json else text  # as cfn.load_template: same offsets
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def node_end(node: Node) -> int:
    """Where a node's own text ends: a block collection's end mark lies past what follows it."""
    import yaml

    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children = node.value
    if not children:
        return node.end_mark.index
    last = children[-1]
    return node_end(last[1] if isinstance(last, tuple) else last)


def get(mapping: Node | None, key: str) -> tuple[Node, Node] | None:
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


def mapping_of(node: Node | None) -> MappingNode | None:
    import yaml

    if isinstance(node, yaml.SequenceNode) and len(node.value) == 1:
        node = node.value[0]
    return node if isinstance(node, yaml.MappingNode) else None


def is_intrinsic(node: Node) -> bool:
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
        self.root = compose(text, is_json)
        self.step = self._step()

    def _step(self) -> str:
        if self.is_json:
            match = re.search(r"\n([ \t]+)\S", self.text)
            return match.group(1) if match else "  "
        return "  "

    def key(self, name: str) -> str:
        return f'"{name}"' if self.is_json else name

    def value(self, literal: bool | str) -> str:
        """``literal`` as a new scalar: ``true``, ``"Vpc"`` in JSON, ``Vpc`` in YAML (quoted if YAML would read it
        as something else than a string)."""
        if not isinstance(literal, str):
            return "true"
        if self.is_json or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", literal) or \
                literal.lower() in ("y", "yes", "n", "no", "on", "off", "true", "false", "null"):
            return '"' + literal.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return literal

    def scalar(self, node: Node, literal: bool | str = True) -> str:
        """``literal`` written in place of the scalar ``node``, quoted as it is (a bool stays a bare word)."""
        style = getattr(node, "style", None)
        plain = literal if isinstance(literal, str) else "true"
        if style in ('"', "'") and re.fullmatch(r"[\w.-]*", plain):
            return f"{style}{plain}{style}"
        return self.value(literal)

    def entry(self, keys: Sequence[str], indent: str, flow: bool, literal: bool | str = True) -> str:
        """``keys[0]: {keys[1]: ... literal}`` written at ``indent`` (the column of the line it starts)."""
        colon = ": "
        if len(keys) == 1:
            return self.key(keys[0]) + colon + self.value(literal)
        inner = indent + self.step
        if flow:
            return self.key(keys[0]) + colon + "{" + self.entry(keys[1:], inner, True, literal) + "}"
        nl = newline(self.text)
        if self.is_json:
            return self.key(keys[0]) + colon + "{" + nl + inner + self.entry(keys[1:], inner, False, literal) + nl \
                + indent + "}"
        return self.key(keys[0]) + ":" + nl + inner + self.entry(keys[1:], inner, False, literal)

    def insert(self, mapping: MappingNode, keys: Sequence[str], parent_key: Node | None = None,
               literal: bool | str = True) -> Edit:
        """Add ``keys`` (a chain of one-key mappings ending in ``literal``) to a mapping node."""
        text = self.text
        nl = newline(text)
        if not mapping.value:  # `{}`: written inline
            start, end = mapping.start_mark.index, mapping.end_mark.index
            if text[start:end].strip() != "{}":
                raise _NoFix("the mapping to add to is empty and not written `{}`")
            return Edit("", start, end, "{" + self.entry(keys, "", True, literal) + "}")
        first_key = mapping.value[0][0]
        at = first_key.start_mark.index
        before = text[line_start(text, at):at]
        if mapping.flow_style and before.strip():  # `{A: 1, B: 2}` on the line: inline
            return Edit("", at, at, self.entry(keys, "", True, literal) + ", ")
        indent = " " * len(before) if before.strip() else before  # `- Key:` items: the key's column
        if not self.is_json and not mapping.flow_style and parent_key is not None and parent_key.start_mark.line != first_key.start_mark.line:
            step = first_key.start_mark.column - parent_key.start_mark.column
            if step > 0:
                self.step = " " * step
        written = self.entry(keys, indent, False, literal)
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


def _said(literal: bool | str) -> str:
    """The literal as a title says it: true, `Disabled`."""
    return "true" if literal is True else f"`{literal}`"


def _cfn_fix(finding: Finding, text: str, is_json: bool, rule: Rule, literal: bool | str) -> tuple[list[Edit], str, bool, str]:
    """(edits, title, replaces_expression, note) for a CloudFormation finding."""
    tree = _tree_of(text, is_json)
    if tree.root is None:
        raise _NoFix("the file could not be read with positions")
    resources = get(tree.root, "Resources")
    resource = get(resources[1], finding.resource) if resources else None
    if resource is None:
        raise _NoFix(f"resource `{finding.resource}` is not written as such in the file (made by a transform or a loop)")
    properties = get(resource[1], "Properties")
    if properties is None:
        raise _NoFix("the resource has no Properties mapping")
    return _tree_rule_fix(tree, properties, literal, rule.scope, rule.each, rule.flag_path, rule.skip_element,
                          cfn_parameters=tree.root)


def _tree_rule_fix(tree: _Tree, start: tuple[Node, Node], literal: bool | str, scope: tuple[str, ...],
                   each: tuple[str, ...], flag: tuple[str, ...], skip: tuple[str, ...],
                   cfn_parameters: Node | None = None) -> tuple[list[Edit], str, bool, str]:
    """The fix below ``start`` (the resource's properties): of the property at ``scope + flag``, or with
    ``each``, of the property at ``flag`` in every element of the list at ``scope + each`` that does not
    comply (an element with a key of ``skip`` is out of scope)."""
    import yaml

    if not each:
        shown = ".".join(scope + flag)
        return _tree_fix(tree, start, scope + flag, literal, f"Set `{shown}` to {_said(literal)}", cfn_parameters)
    listed = ".".join(scope + each)
    title = f"Set `{listed}[].{'.'.join(flag)}` to {_said(literal)}"
    node: Node = start[1]
    for index, name in enumerate(scope + each):
        mapping = mapping_of(node)
        if mapping is None or is_intrinsic(mapping):
            raise _NoFix(f"`{'.'.join((scope + each)[:index]) or 'Properties'}` is an expression or not a mapping")
        found = get(mapping, name)
        if found is None:
            raise _NoFix(f"`{listed}` is not written")
        node = found[1]
    if is_intrinsic(node):
        raise _NoFix(f"`{listed}` is an expression; the fix would replace it whole")
    if isinstance(node, yaml.SequenceNode):
        elements = list(node.value)
    elif isinstance(node, yaml.MappingNode) and cfn_parameters is None:  # Terraform JSON: one block as an object
        elements = [node]
    else:
        raise _NoFix(f"`{listed}` is not a list")
    edits: list[Edit] = []
    expression = False
    notes: list[str] = []
    for index, element in enumerate(elements):
        if is_intrinsic(element) or not isinstance(element, yaml.MappingNode):
            raise _NoFix(f"`{listed}[{index}]` is an expression or not a mapping")
        if any(get(element, key) is not None for key in skip):
            continue
        try:
            found_edits, _, replaced, note = _tree_fix(tree, (None, element), flag, literal, title, cfn_parameters)
        except _Already:
            continue
        except _NoFix as reason:
            raise _NoFix(f"`{listed}[{index}]`: {reason}") from None
        edits += found_edits
        expression = expression or replaced
        if note and note not in notes:
            notes.append(note)
    if not edits:
        raise _Already(f"every element of `{listed}` already sets it")
    return edits, title, expression, "; ".join(notes)


def _tree_fix(tree: _Tree, start: tuple[Node | None, Node], path: tuple[str, ...], literal: bool | str, title: str,
              cfn_parameters: Node | None = None) -> tuple[list[Edit], str, bool, str]:
    import yaml

    parent_key: Node | None
    parent_key, node = start
    for index, name in enumerate(path):
        mapping = mapping_of(node)
        if mapping is None or is_intrinsic(mapping):
            if is_intrinsic(node) or mapping is not None:
                raise _NoFix(f"`{'.'.join(path[:index]) or 'Properties'}` is an expression; the fix would replace it whole")
            raise _NoFix(f"`{'.'.join(path[:index]) or 'Properties'}` is not a mapping")
        found = get(mapping, name)
        if found is None:
            return [tree.insert(mapping, path[index:], parent_key, literal)], title, False, ""
        parent_key, node = found
    # the property is written: replace its value
    if isinstance(node, yaml.ScalarNode) and not is_intrinsic(node):
        if _complies(literal, node.value) and (literal is not True or (node.style is None and not tree.is_json)):
            raise _Already(f"`{path[-1]}` is already {_said(literal)}")
        return [Edit("", node.start_mark.index, node.end_mark.index, tree.scalar(node, literal))], title, False, ""
    target = _ref_target(node)
    if target is not None and cfn_parameters is not None:
        edit = _parameter_default_edit(tree, cfn_parameters, target, literal)
        if edit is not None:
            return [edit], f"Set the Default of parameter `{target}` to {_said(literal)}", True, \
                f"every use of parameter `{target}` changes, and a deployment that passes it keeps its own value"
    end = node_end(node)
    return [Edit("", node.start_mark.index, end, tree.value(literal))], title, True, "the fix replaces an expression"


def _parameter_default_edit(tree: _Tree, root: Node, name: str, literal: bool | str = True) -> Edit | None:
    import yaml

    parameters = get(root, "Parameters")
    parameter = get(parameters[1], name) if parameters else None
    if parameter is None:
        return None
    default = get(parameter[1], "Default")
    if default is None or not isinstance(default[1], yaml.ScalarNode):
        return None
    plain = literal if isinstance(literal, str) else "true"
    allowed = get(parameter[1], "AllowedValues")
    if allowed is not None:
        values = [item.value for item in getattr(allowed[1], "value", []) if isinstance(item, yaml.ScalarNode)]
        if not any(_complies(literal, value) for value in values):
            return None  # a Default outside AllowedValues would not deploy
    node = default[1]
    style = node.style if node.style in ('"', "'") else ('"' if tree.is_json else None)
    new = f"{style}{plain}{style}" if style else tree.value(literal)
    return Edit("", node.start_mark.index, node.end_mark.index, new)


def _tf_json_fix(finding: Finding, text: str, rule: Rule, literal: bool | str) -> tuple[list[Edit], str, bool, str]:
    tree = _tree_of(text, True)
    if tree.root is None:
        raise _NoFix("the file could not be read with positions")
    resource_type, name = tf_address(finding.resource)
    blocks = get(tree.root, "resource")
    if blocks is None:
        raise _NoFix("no `resource` object")
    by_type = get(blocks[1], resource_type)
    body = get(by_type[1], name) if by_type else None
    if body is None:
        raise _NoFix(f"`{resource_type}.{name}` is not written in this file")

    def spelled(path: tuple[str, ...]) -> tuple[str, ...]:
        return rule.tf_path(path, resource_type)

    return _tree_rule_fix(tree, body, literal, spelled(rule.scope), spelled(rule.each), spelled(rule.flag_path),
                          spelled(rule.skip_element))


def tf_address(address: str) -> tuple[str, str]:
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


def hcl_items(text: str, open_index: int) -> list[_HclItem]:
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


def _hcl_insert(text: str, container: _HclItem, keys: Sequence[str], blocks: bool, step: str, value: str = "true") -> Edit:
    """Add ``keys`` (nested, ending in ``= value``) inside a block or object, at its indentation."""
    nl = newline(text)
    open_, close = container.open, container.close
    after = open_ + 1
    while after < close and text[after] in " \t":
        after += 1
    outer = indent_of_line(text, open_)

    def entry(chain: Sequence[str], indent: str) -> str:
        if len(chain) == 1:
            return f"{chain[0]} = {value}"
        inner = indent + step
        opener = f"{chain[0]} {{" if blocks else f"{chain[0]} = {{"
        return opener + nl + inner + entry(chain[1:], inner) + nl + indent + "}"

    if after == close:  # `{}` or `{ }`
        indent = outer + step
        return Edit("", open_ + 1, close, nl + indent + entry(keys, indent) + nl + outer)
    if text[after] not in "\r\n#/":
        if container.block:
            raise _NoFix("the block is written on one line")
        return Edit("", after, after, re.sub(r"[ \t]*\r?\n[ \t]*", " ", entry(keys, "")) + ", ")
    # the first line after the `{` that holds anything: the new item goes just before it
    line = text.find("\n", after) + 1
    while line < close:
        end = text.find("\n", line)
        end = len(text) if end < 0 else end
        if text[line:end].strip():
            break
        line = end + 1
    indent = indent_of_line(text, line)
    if text[line:].lstrip(" \t").startswith("}") and line_start(text, close) == line:
        indent = outer + step  # nothing but the closing brace: one step in
    return Edit("", line, line, indent + entry(keys, indent) + nl)


def _hcl_find(items: list[_HclItem], name: str) -> _HclItem | None:
    for item in items:
        if item.name == name and not item.labels:
            return item
    return None


_VARIABLE = re.compile(r"var\.([A-Za-z_][\w-]*)\Z")


def _hcl_value(literal: bool | str) -> str:
    """The literal as HCL writes it: ``true``, ``"Disabled"``."""
    if not isinstance(literal, str):
        return "true"
    return '"' + literal.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hcl_is_plain(value: str) -> bool:
    """Whether an HCL value's text is a literal that replacing changes nothing else: ``false``, ``null``,
    ``"false"`` or a quoted string with no template in it."""
    return value in ("false", "true", "null") or re.fullmatch(r'"[^"\\$%]*"', value) is not None


def _hcl_complies(literal: bool | str, value: str) -> bool:
    return value in ("true", '"true"', '"1"') if literal is True else value == _hcl_value(literal)


def _hcl_list(text: str, item: _HclItem, name: str) -> list[_HclItem]:
    """The objects of a list attribute written as ``[{...}, {...}]``, each as an item to edit."""
    from . import hcl

    if not text.startswith("[", item.value_start):
        raise _NoFix(f"`{name}` is an expression; the fix would replace it whole")
    parser = hcl.Parser(text, item.value_start)
    parser.open("[", False)
    elements: list[_HclItem] = []
    while not parser.at("]"):
        start = parser.token.start
        parser.expression()
        end = parser.last_end
        if not (text.startswith("{", start) and text[end - 1] == "}"):
            raise _NoFix(f"`{name}[{len(elements)}]` is an expression; the fix would replace it whole")
        elements.append(_HclItem(name, [], start, start, end, start, end - 1, False))
        if not parser.at(","):
            break
        parser.advance()
    return elements


def written_resource(finding: Finding, text: str) -> tuple[str, str, _HclItem]:
    """(type, name, block) of the finding's resource as ``text`` writes it; raises ``NoFix`` when the
    file cannot be read with positions or does not write it (fixes and suppressions both edit it)."""
    from . import hcl

    resource_type, name = tf_address(finding.resource)
    try:
        top = hcl_items(text, -1)
    except hcl.HclError:
        raise _NoFix("the file could not be read with positions") from None
    resource = next((item for item in top if item.name == "resource" and item.labels == [resource_type, name]), None)
    if resource is None:
        raise _NoFix(f"`{resource_type}.{name}` is not written in this file")
    return resource_type, name, resource


def _tf_fix(finding: Finding, text: str, rule: Rule, path: str, literal: bool | str,
            sources: dict[str, str] | None = None) -> tuple[list[Edit], str, bool, str]:
    resource_type, name, resource = written_resource(finding, text)
    blocks = resource_type.startswith("aws_")  # hashicorp/aws: nested blocks; awscc: object attributes
    scope = rule.tf_path(rule.scope, resource_type)
    flag = rule.tf_path(rule.flag_path, resource_type)
    first_item = hcl_items(text, resource.open)
    step = "  "
    if first_item:
        inner = indent_of_line(text, first_item[0].start)
        outer = indent_of_line(text, resource.start)
        if inner.startswith(outer) and len(inner) > len(outer):
            step = inner[len(outer):]
    if not rule.each:
        title = f"Set `{'.'.join(scope + flag)}` to {_said(literal)}"
        return _hcl_set(text, resource, scope + flag, blocks, step, literal, path, title, sources)
    each = rule.tf_path(rule.each, resource_type)
    skip = rule.tf_path(rule.skip_element, resource_type)
    listed = ".".join(scope + each)
    title = f"Set `{listed}[].{'.'.join(flag)}` to {_said(literal)}"
    if scope or len(each) != 1:
        raise _NoFix(f"`{listed}` is not a list the fixer reads")
    items = hcl_items(text, resource.open)
    if any(item.name == "dynamic" and item.labels[:1] == [each[0]] for item in items):
        raise _NoFix(f"a `dynamic \"{each[0]}\"` block writes `{listed}`")
    if blocks:
        elements = [item for item in items if item.name == each[0] and item.block and not item.labels]
    else:
        attribute = _hcl_find(items, each[0])
        elements = _hcl_list(text, attribute, listed) if attribute is not None else []
    edits: list[Edit] = []
    expression = False
    notes: list[str] = []
    for index, element in enumerate(elements):
        if element.open < 0:
            raise _NoFix(f"`{listed}[{index}]` is an expression; the fix would replace it whole")
        if any(_hcl_find(hcl_items(text, element.open), key) is not None for key in skip):
            continue
        try:
            found, _, replaced, note = _hcl_set(text, element, flag, blocks, step, literal, path, title, sources)
        except _Already:
            continue
        except _NoFix as reason:
            raise _NoFix(f"`{listed}[{index}]`: {reason}") from None
        edits += found
        expression = expression or replaced
        if note and note not in notes:
            notes.append(note)
    if not edits:
        raise _Already(f"every element of `{listed}` already sets it")
    return edits, title, expression, "; ".join(notes)


def _hcl_set(text: str, container: _HclItem, keys: tuple[str, ...], blocks: bool, step: str, literal: bool | str,
             path: str, title: str, sources: dict[str, str] | None) -> tuple[list[Edit], str, bool, str]:
    """The fix that sets ``keys`` (nested below ``container``) to ``literal``."""
    value_text = _hcl_value(literal)
    for index, key in enumerate(keys):
        if container.open < 0:
            raise _NoFix(f"`{'.'.join(keys[:index])}` is an expression; the fix would replace it whole")
        items = hcl_items(text, container.open)
        if any(item.name == "dynamic" for item in items) and index < len(keys) - 1:
            raise _NoFix("a `dynamic` block writes part of this resource")
        found = _hcl_find(items, key)
        if found is None:
            return [_hcl_insert(text, container, keys[index:], blocks, step, value_text)], title, False, ""
        if index < len(keys) - 1 and sum(1 for item in items if item.name == key) > 1:
            raise _NoFix(f"`{key}` is written more than once")
        container = found
    flag = container
    value = text[flag.value_start:flag.value_end]
    if _hcl_complies(literal, value):
        raise _Already(f"`{keys[-1]}` is already {_said(literal)}")
    if _hcl_is_plain(value):
        return [Edit("", flag.value_start, flag.value_end, value_text)], title, False, ""
    variable = _VARIABLE.match(value)
    if variable:
        edit = _variable_default_edit(path, variable.group(1), literal, sources)
        if edit is not None:
            return [edit], f"Set the default of variable `{variable.group(1)}` to {_said(literal)}", True, \
                f"every use of variable `{variable.group(1)}` changes, and a deployment that sets it keeps its own value"
    return [Edit("", flag.value_start, flag.value_end, value_text)], title, True, "the fix replaces an expression"


def _variable_default_edit(path: str, name: str, literal: bool | str = True,
                           sources: dict[str, str] | None = None) -> Edit | None:
    """The edit of a literal ``default`` (``false``) of a variable declared in the module's `.tf` files;
    ``sources`` holds the texts of files already edited (by path as an edit names it)."""
    from . import hcl, tfmodule

    directory = os.path.dirname(os.path.abspath(path))
    for file_name in tfmodule.module_files(directory):
        if kinds.kind_of(file_name) != kinds.TERRAFORM:
            continue
        file_path = os.path.join(directory, file_name)
        shown = file_path if os.path.isabs(path) else os.path.relpath(file_path)
        if os.path.abspath(shown) == os.path.abspath(path):
            shown = path
        try:
            text = sources[shown] if sources is not None and shown in sources else read_source(file_path)
            items = hcl_items(text, -1)
        except (OSError, UnicodeDecodeError, hcl.HclError, _NoFix):
            continue
        for item in items:
            if item.name == "variable" and item.labels == [name]:
                default = _hcl_find(hcl_items(text, item.open), "default")
                if default is None:
                    return None
                value = text[default.value_start:default.value_end]
                if not _hcl_is_plain(value) or value == "null" or _hcl_complies(literal, value):
                    return None
                return Edit(shown, default.value_start, default.value_end, _hcl_value(literal))
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
    names: tuple[str, ...]
    if kinds.is_module_file(finding.path):
        names = ("job_definition_name", "model_name", "notebook_instance_name", "name")
    else:
        kind = finding.resource_type.rpartition("::")[2]
        names = ("JobDefinitionName",) if kind.endswith("JobDefinition") else (f"{kind}Name",)
    # a look at the text near the resource is enough for a note
    for name in names:
        if re.search(rf'(?<![\w.]){name}"?\s*[:=]', text):
            return name
    return ""


def fix_for(finding: Finding, text: str | None = None, sources: dict[str, str] | None = None) -> Fix:
    """The fix of one finding. Raises ``NoFix`` (with the reason) when there is none. ``sources``: the
    texts of other files as earlier fixes left them (by path), read instead of the files."""
    path = finding.path
    if text is None:
        text = read_source(path)
    lower = path.lower()
    rule = finding.rule
    if finding.resource_type not in RULES_BY_CFN_TYPE and finding.resource_type not in RULES_BY_TF_TYPE:
        raise _NoFix(f"`{finding.resource_type}` is not a type to fix")
    literal = _literal(rule, finding)
    kind = kinds.kind_of(path)
    if kind == kinds.TERRAFORM_JSON or (lower.endswith(".json") and finding.resource_type in RULES_BY_TF_TYPE):
        if '"planned_values"' in text or '"resource_changes"' in text:
            raise _NoFix("a plan is fixed in the configuration it was made from")
        edits, title, expression, note = _tf_json_fix(finding, text, rule, literal)
    elif kind == kinds.TERRAFORM:
        edits, title, expression, note = _tf_fix(finding, text, rule, path, literal, sources)
    else:
        is_json = lower.endswith(".json") or text.lstrip().startswith("{")
        edits, title, expression, note = _cfn_fix(finding, text, is_json, rule, literal)
    for edit in edits:
        if not edit.path or os.path.abspath(edit.path) == os.path.abspath(path):
            edit.path = path
    notes = [note] if note else []
    caveat = _CAVEATS.get(rule.flag_path)
    if caveat:
        notes.append(caveat)
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


def _choose(edits: Iterable[Edit]) -> tuple[list[Edit], list[Edit]]:
    """(edits to apply, edits left out): identical edits count once, an edit overlapping one already
    taken (or inserting at the very place another inserts) is left out."""
    chosen: list[Edit] = []
    left_out: list[Edit] = []
    seen: set = set()
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.key() in seen:
            continue
        if chosen and edit.start < chosen[-1].end or (chosen and edit.start == chosen[-1].start == edit.end == chosen[-1].end):
            left_out.append(edit)
            continue
        seen.add(edit.key())
        chosen.append(edit)
    return chosen, left_out


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text with the edits applied; identical edits count once, an edit overlapping one already
    taken is left out."""
    chosen, _ = _choose(edits)
    for edit in reversed(chosen):
        text = text[: edit.start] + edit.new + text[edit.end :]
    return text


def fixed_texts(fixes: Iterable[Fix], texts: dict[str, str]) -> dict[str, str]:
    """path -> new text, for every file the fixes change.

    The edits that do not meet are applied together. A fix with an edit left out (it meets another:
    two flags to add to a ``NetworkConfig`` that is not written yet) is then found again in the text as
    fixed so far and applied alone, one after the other, so that fixes of one resource add up."""
    fixes = list(fixes)
    by_path: dict[str, list[Edit]] = {}
    owner: dict[int, Fix] = {}
    for fix in fixes:
        for edit in fix.edits:
            by_path.setdefault(edit.path, []).append(edit)
            owner[id(edit)] = fix
    current: dict[str, str] = {}
    again: list[Fix] = []
    for path, edits in by_path.items():
        if path not in texts:
            texts[path] = read_source(path)
        chosen, left_out = _choose(edits)
        current[path] = apply_edits(texts[path], chosen)
        for edit in left_out:
            if owner[id(edit)] not in again:
                again.append(owner[id(edit)])
    for fix in again:
        finding = fix.finding
        if finding.path not in current:
            current[finding.path] = texts.setdefault(finding.path, read_source(finding.path))
        try:
            found = fix_for(finding, current[finding.path], current)
        except _NoFix:
            continue  # what was applied already makes it pass
        if fix.safe and not found.safe:
            continue  # found again it would do more than what was chosen
        for edit in found.edits:
            if edit.path not in current:
                current[edit.path] = texts.setdefault(edit.path, read_source(edit.path))
        for path in {edit.path for edit in found.edits}:
            current[path] = apply_edits(current[path], [e for e in found.edits if e.path == path])
    return {path: text for path, text in current.items() if text != texts[path]}


def unified_diff(path: str, old: str, new: str) -> str:
    """The diff of one file. Lines are split at ``\\n`` only (as ``patch`` splits them); a path that
    needs it is quoted as the text format quotes it, and a control character in a line (but a tab, or
    the CR of a CRLF) is shown escaped, so that a template cannot start a line or act on the terminal."""
    import difflib

    from .escape import text, text_path

    def shown(line: str) -> str:
        body, end = (line[:-2], "\r\n") if line.endswith("\r\n") else (line[:-1], "\n") if line.endswith("\n") else (line, "")
        return "\t".join(text(part) for part in body.split("\t")) + end

    def lines(content: str) -> list[str]:
        return [shown(line) for line in _lines(content)]

    name = text_path(path)
    return "".join(difflib.unified_diff(lines(old), lines(new), f"a/{name}", f"b/{name}"))


def _lines(content: str) -> list[str]:
    """``content`` split after each ``\\n`` (``str.splitlines`` would split at CR, NEL and U+2028 too)."""
    parts = content.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


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
    add_options(parser, (UNSAFE_FIXES, STRICT.replace(help="also fix single-instance jobs without encryption"), NO_STRICT))
    parser.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                        help="how to report what is left after fixing")
    add_options(parser, (SELECT.replace(help="comma-separated rules to fix (default: all)"),
                         IGNORE.replace(help="comma-separated rules not to fix"), EXCLUDE, CONFIG, NO_CONFIG,
                         QUIET.replace(help="print what is left and the errors only: no count of fixes, no notes on "
                                       "fixes not applied"), COLOR))


def options_from(args: argparse.Namespace | CheckArguments) -> Options:
    """Options from the command line and the configuration, as ``check`` builds them. Raises ConfigError."""
    from . import config as config_module
    from .scan import Options

    if getattr(args, "no_config", False):
        config = config_module.Config()
    else:
        config = config_module.load(getattr(args, "config", None) or config_module.find_pyproject(os.getcwd()))
    select = config_module.rule_ids(args.select, "--select") if getattr(args, "select", None) is not None else config.select
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
    from . import emit, escape
    from .output import FORMATTERS, format_errors
    from .scan import scan

    try:
        options = options_from(args)
    except config_module.ConfigError as error:
        emit.error_line(str(error))
        return 2
    paths = args.paths or ["."]
    output = getattr(args, "output", None)
    if output and not getattr(args, "diff", False):
        named = emit.output_is_an_input(output, [*paths, *options.var_files])
        if named is not None:
            emit.error_line(f"--output {output} would overwrite the input {named}: write the report elsewhere")
            return 2
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
            emit.write_stdout(unified_diff(path, texts[path], changed[path]))
        fixed_ids = {id(fix.finding) for fix in applied if any(e.path in changed for e in fix.edits)}
        from .scan import Report

        remaining = Report([f for f in report.findings if id(f) not in fixed_ids], report.errors, report.files_scanned)
    else:
        for path, new in sorted(changed.items()):
            try:
                _write(path, new)
            except OSError as error:
                failed_writes.append(path)
                emit.error_line(f"cannot write {path}: {error.strerror}")
        remaining = scan(paths, options) if changed else report
        if args.format == "text":
            from .output import format_text
            from .terminal import use_color

            choice = getattr(args, "color", "auto")
            rendered = format_text(remaining, use_color(choice) if choice == "always" or not output else False)
        else:
            rendered = FORMATTERS[args.format](remaining)
        problem = emit.write_report_file(output, rendered) if output else emit.write_stdout(rendered)
        if problem:
            emit.error_line(problem)
            return 2
    if not getattr(args, "quiet", False):
        fixed_count = len(report.findings) - len(remaining.findings)
        verb = "would fix" if diff else "fixed"
        summary = f"sagemaker-iac-lint: {verb} {fixed_count} of {len(report.findings)} finding(s)"
        if withheld:
            summary += f"; {len(withheld)} unsafe fix(es) not applied (add --unsafe-fixes)"
        emit.write_stderr(summary + "\n")
        for fix in withheld:
            f = fix.finding
            emit.write_stderr(f"  {escape.text_path(f.path)}:{f.line}:{f.column}: {f.rule.control} {escape.text(f.resource)}: "
                              f"{escape.text(fix.title)} is unsafe: {escape.text(fix.note)}\n")
        for finding, reason in unfixable:
            emit.write_stderr(f"  {escape.text_path(finding.path)}:{finding.line}:{finding.column}: {finding.rule.control} "
                              f"{escape.text(finding.resource)}: no automatic fix: {escape.text(reason)}\n")
    emit.write_stderr(format_errors(remaining))
    if remaining.errors or failed_writes:
        return 2
    return 1 if remaining.findings else 0
