"""The installed ``hcl2`` package: whether it is usable, and its output in the normalised shape.

``hcl.parse`` reads almost every `.tf` file; ``hcl2`` reads a file only when that reader leaves it
(``terraform.read_tf``), and Checkov's own ``hcl2`` gives the resource configuration its checks see.
One import name, three output shapes, found by parsing a one-line probe, not by version numbers:

- python-hcl2 8.x ("quoted"): labels and string literals keep their double quotes (``'"x"'``),
  expressions are ``"${...}"``, bare identifiers (``bool``) are expressions, blocks carry
  ``__is_block__``, attribute values are not wrapped, no line numbers (``with_meta`` does nothing).
- python-hcl2 7.x ("plain"): no quotes, ``"${...}"`` expressions, values not wrapped, blocks carry
  ``__start_line__``/``__end_line__`` with ``with_meta=True``.
- Checkov's bc-python-hcl2 0.4.x ("wrapped"): no quotes, ``"${...}"`` expressions, every attribute
  of a block body wrapped in a one-element list (``count = 2`` -> ``[2]``), object attributes and
  blocks both a list holding a dict, only top-level blocks carry line numbers, and conditionals
  rendered with Python booleans (``var.p ? True : False``) and parentheses dropped.

Public API: ``hcl2_problem``, ``hcl2_parser``, ``hcl_value``, ``hcl_body``, ``unquote``,
``normalise_checkov_conf``, ``INSTALL_HINT``. ``hcl2`` is imported on first use only.
"""

from __future__ import annotations

import os
from functools import lru_cache

from .errors import ReadError
from .hcl import Expr, template_value, unescape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

INSTALL_HINT = "install 'sagemaker-iac-lint[terraform]'"


def hcl2_problem() -> str | None:
    """One line saying why `.tf` files cannot be read here, or None when ``hcl2`` is usable."""
    from importlib import metadata

    installed = []
    for name in ("python-hcl2", "bc-python-hcl2"):
        try:
            installed.append((name, metadata.distribution(name)))
        except metadata.PackageNotFoundError:
            pass
    if len(installed) == 2:
        # They overwrite each other's files in the one `hcl2` package and pip check sees nothing.
        return (
            "both python-hcl2 and Checkov's bc-python-hcl2 are installed, and they overwrite each other's "
            "`hcl2` package: use separate environments (python-hcl2 for this tool, Checkov in its own)"
        )
    for name, dist in installed:
        missing = [f for f in dist.files or () if str(f).startswith("hcl2/") and str(f).endswith(".py")
                   and not os.path.exists(str(dist.locate_file(f)))]
        if missing:
            return f"the `hcl2` package from {name} is incomplete (another package removed its files): reinstall {name}"
    try:
        hcl2_parser()
    except ReadError as error:
        return str(error)
    return None


@lru_cache(maxsize=1)
def hcl2_parser() -> tuple[str, Callable[[str], dict]]:
    """(shape, loads) for the installed ``hcl2``; ReadError when there is none or it is unusable."""
    try:
        import hcl2
    except ImportError as error:
        if getattr(error, "name", None) == "hcl2":
            raise ReadError(f"reading .tf files needs an HCL parser: {INSTALL_HINT}") from None
        reason = one_line(error)
        raise ReadError(f"the installed `hcl2` package cannot be imported ({reason}): reinstall it or {INSTALL_HINT}") from None
    except Exception as error:  # a half-overwritten package fails in any way
        raise ReadError(f"the installed `hcl2` package cannot be imported ({one_line(error)}): {INSTALL_HINT}") from None

    if hasattr(hcl2, "SerializationOptions"):  # python-hcl2 8.x
        options = hcl2.SerializationOptions(with_comments=False, preserve_heredocs=False)

        def loads(text: str) -> dict:
            return hcl2.loads(text, serialization_options=options)
    else:
        try:
            hcl2.loads("a = 1\n", with_meta=True)  # python-hcl2 7.x: line numbers on request

            def loads(text: str) -> dict:
                return hcl2.loads(text, with_meta=True)
        except TypeError:
            loads = hcl2.loads  # bc-python-hcl2: line numbers always
    try:
        probe = loads('a = "s"\n').get("a")
    except Exception as error:
        reason = one_line(error)
        raise ReadError(f"the installed `hcl2` package does not work ({reason}): reinstall it or {INSTALL_HINT}") from None
    if probe == ["s"]:
        return "wrapped", loads
    if probe == '"s"':
        return "quoted", loads
    if probe == "s":
        return "plain", loads
    raise ReadError(f"the installed `hcl2` package gives output this tool does not know ({probe!r}): {INSTALL_HINT}")


def one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    line = text[0].strip() if text else type(error).__name__
    return line if len(line) <= 200 else line[:197] + "..."


def unquote(label: str) -> str:
    """A block label or object key as written, without its quotes and with its escapes decoded
    (Terraform reads ``"a\\u0064"`` as ``ad``)."""
    if len(label) >= 2 and label[0] == '"' and label[-1] == '"':
        label = label[1:-1]
    return unescape(label) if "\\" in label else label  # an identifier holds no backslash: decode either way


def hcl_value(node: object, shape: str) -> object:
    """An attribute value (never wrapped) in the normalised shape."""
    if isinstance(node, str):
        if shape == "quoted":
            if len(node) >= 2 and node[0] == '"' and node[-1] == '"':
                return template_value(node[1:-1], escaped=True)
            if node.startswith("${") and node.endswith("}"):
                return Expr(node[2:-1].strip())
            return Expr(node)  # a bare identifier such as `bool`
        return template_value(node, escaped=shape == "wrapped")
    if isinstance(node, dict):  # an object: bc-python-hcl2 wraps nothing inside one
        return {unquote(k): hcl_value(v, shape) for k, v in node.items() if not k.startswith("__")}
    if isinstance(node, list):
        return [hcl_value(item, shape) for item in node]
    return node


def _is_wrapped_body(node: dict) -> bool:
    # bc-python-hcl2 wraps every attribute of a block body in a list, and nothing else. An object
    # attribute whose values are all lists looks the same; it reads as a block, which only differs
    # for a list where a scalar belongs, a shape Terraform itself rejects.
    keys = [k for k in node if not k.startswith("__")]
    return all(isinstance(node[k], list) for k in keys)


def hcl_body(body: dict, shape: str) -> dict:
    """A block body in the normalised shape."""
    if shape != "wrapped":
        return hcl_value(body, shape)  # type: ignore[return-value]
    out: dict = {}
    for key, value in body.items():
        if key.startswith("__"):
            continue
        if key == "dynamic" and isinstance(value, list):
            out[key] = [
                {unquote(label): hcl_body(inner, shape) if isinstance(inner, dict) else inner for label, inner in item.items()}
                for item in value
                if isinstance(item, dict)
            ]
        elif isinstance(value, list) and len(value) == 1 and not isinstance(value[0], dict):
            out[key] = hcl_value(value[0], shape)  # an attribute, unwrapped
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            if len(value) == 1 and not _is_wrapped_body(value[0]):
                out[key] = hcl_value(value[0], shape)  # an object attribute
            else:
                out[key] = [hcl_body(item, shape) for item in value]  # one body per block
        else:
            out[key] = hcl_value(value, shape)
    return out


def normalise_checkov_conf(conf: dict) -> dict:
    """Checkov's resource configuration (bc-python-hcl2's wrapped shape) in the normalised shape."""
    return hcl_body(conf, "wrapped")


# Public names for the other modules
