"""A reader of HCL native syntax (`.tf`), built for what this tool needs from a file, and fast.

python-hcl2 builds a Lark parser at start-up, which costs a third of a second before the first
byte is read; this reader costs nothing to start. It parses the whole file, so a syntax error
anywhere is still found, and it returns the file's blocks directly in the normalised shape that
``terraform`` describes: attribute values are ``None``/``bool``/``int``/``float``/``str`` literals,
``list`` and ``dict`` for tuple and object constructors, and ``Expr`` (the expression's text, spaced
the way python-hcl2 8 prints it) for everything else.

It raises ``HclUnsupported`` for the few constructs it leaves to python-hcl2 (template directives
``%{ }``, strip markers ``~``, computed object keys, duplicate names), and ``HclSyntaxError`` for
text that is not HCL. ``terraform.read_tf`` hands the file to python-hcl2 in both cases, so this
reader never has the last word on a file it does not fully understand.

Public API: ``parse(text) -> File``, ``Expr``, ``HclSyntaxError``, ``HclUnsupported``, ``unescape``.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["Expr", "File", "HclSyntaxError", "HclUnsupported", "Resource", "parse"]


class Expr(str):
    """The source text of an HCL expression, as opposed to a string literal."""


class HclError(Exception):
    def __init__(self, message: str, text: str, offset: int) -> None:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        super().__init__(f"{message} at line {line}, column {column}")
        self.line = line
        self.column = column


class HclSyntaxError(HclError):
    """The text is not HCL native syntax."""


class HclUnsupported(HclError):
    """Valid HCL, perhaps, but a construct this reader leaves to python-hcl2."""


class Resource:
    """One top-level ``resource "type" "name" { ... }`` block."""

    __slots__ = ("type", "name", "body", "start", "end")

    def __init__(self, type_: str, name: str, body: dict, start: int, end: int) -> None:
        self.type = type_
        self.name = name
        self.body = body  # normalised
        self.start = start  # offset of the `resource` keyword
        self.end = end  # offset of the closing brace


class Body(dict):
    """A block body in the normalised shape, which also knows where each of its items is written.

    ``spans`` maps an attribute or nested-block name to the (start, end) offsets of its first item
    in the file: from the name to the end of the value, or to just past the block's closing brace.
    ``start`` is the offset of a nested block's own name (-1 for a file's top level), so that each of
    several blocks of one name (``container``, ``production_variants``) can be pointed at.
    """

    __slots__ = ("spans", "start")

    def __init__(self, start: int = -1) -> None:
        super().__init__()
        self.spans: dict[str, tuple[int, int]] = {}
        self.start = start


class File:
    """What a `.tf` file declares: variables (name -> body), locals (merged) and resources."""

    __slots__ = ("body", "variables", "locals", "resources", "modules")

    def __init__(self) -> None:
        self.body: dict = {}  # the whole file, normalised: {"resource": [{"type": {"name": {...}}}], ...}
        self.variables: dict[str, dict] = {}
        self.locals: dict = {}
        self.resources: list[Resource] = []
        self.modules: list[Resource] = []  # module calls: type "module", name the call's label


# Token kinds
NEWLINE, IDENT, NUMBER, STRING, HEREDOC, OP, EOF = "newline", "ident", "number", "string", "heredoc", "op", "eof"

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<comment>\#[^\n]*|//[^\n]*)
  | (?P<block>/\*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<ident>[^\W\d][\w-]*)
  | (?P<heredoc><<(?P<dash>-?)(?P<marker>[^\W\d][\w-]*)[ \t]*\r?\n)
  | (?P<op>\.\.\.|=>|==|!=|<=|>=|&&|\|\||::|[{}\[\]()=,.?:+\-*/%<>!])
  | (?P<quote>")
    """,
    re.X,
)
_BINARY = frozenset({"==", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%"})
_ESCAPE = re.compile(r"\\(?:([nrt\"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_INTEGER = re.compile(r"\d+\Z")
MAX_NESTING = 100  # brackets, parentheses and interpolations inside one another


def unescape(raw: str) -> str:
    """A quoted string's content with its escapes (``\\n``, ``\\"``, ``\\u00e9``, ``$${``) undone."""

    def one(match: re.Match) -> str:
        simple, short, long = match.groups()
        if simple:
            return _SIMPLE_ESCAPES[simple]
        return chr(int(short or long, 16))

    return _ESCAPE.sub(one, raw).replace("$${", "${").replace("%%{", "%{")


class _Token:
    __slots__ = ("kind", "value", "start", "end", "extra")

    def __init__(self, kind: str, value: str, start: int, end: int,
                 extra: tuple[str, object, str | None] | None = None) -> None:
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end
        self.extra = extra  # strings and heredocs: _template's (text, literal or None, whole expression or None)


class _Value:
    """A parsed expression: its normalised node and its canonical text."""

    __slots__ = ("node", "text")

    def __init__(self, node: object, text: str) -> None:
        self.node = node
        self.text = text

    def expr(self) -> _Value:
        """This value as an expression to be resolved later (its node becomes its text)."""
        self.node = Expr(self.text)
        return self


class Parser:
    def __init__(self, text: str, start: int = 0, depth: int = 0) -> None:
        self.text = text
        self.newlines = [True]  # whether a newline ends something here (False inside brackets)
        self.depth = depth
        self.token = _Token(EOF, "", start, start)
        self.position = start
        self.advance()

    # -- errors ---------------------------------------------------------------------------------

    def error(self, message: str, offset: int | None = None) -> HclSyntaxError:
        return HclSyntaxError(message, self.text, self.token.start if offset is None else offset)

    def unsupported(self, what: str, offset: int | None = None) -> HclUnsupported:
        return HclUnsupported(what, self.text, self.token.start if offset is None else offset)

    def describe(self, token: _Token) -> str:
        if token.kind == EOF:
            return "end of file"
        if token.kind == NEWLINE:
            return "end of line"
        return f"`{token.value}`"

    # -- the lexer --------------------------------------------------------------------------------

    def advance(self) -> _Token:
        """Move to the next token (newlines are skipped inside brackets); returns the previous one."""
        previous = self.token
        self.last_end = previous.end  # where the last consumed token ends: the end of a value
        text = self.text
        position = self.position
        while True:
            match = _TOKEN.match(text, position)
            if match is None:
                if position >= len(text):
                    self.token = _Token(EOF, "", position, position)
                    break
                raise HclSyntaxError(f"unexpected character {text[position]!r}", text, position)
            kind = match.lastgroup or ""
            end = match.end()
            if kind in ("space", "comment"):
                position = end
                continue
            if kind == "block":
                close = text.find("*/", end)
                if close < 0:
                    raise HclSyntaxError("unterminated /* comment", text, position)
                if "\n" in text[position:close] and self.newlines[-1]:
                    self.token = _Token(NEWLINE, "\n", position, close + 2)
                    position = close + 2
                    break
                position = close + 2
                continue
            if kind == "newline":
                if not self.newlines[-1]:
                    position = end
                    continue
                self.token = _Token(NEWLINE, "\n", position, end)
            elif kind == "quote":
                self.token = self._string(position)
            elif kind == "heredoc":
                self.token = self._heredoc(match)
            else:
                self.token = _Token(kind, match.group(0), position, end)
            position = self.token.end
            break
        self.position = position
        return previous

    def _string(self, start: int) -> _Token:
        """A quoted template starting at the quote at ``start``."""
        text = self.text
        i = start + 1
        literal_start = i
        parts: list[str] = []  # the canonical text, piece by piece
        interpolated = False
        n = len(text)
        while True:
            if i >= n:
                raise HclSyntaxError("unterminated string", text, start)
            c = text[i]
            if c == '"':
                break
            if c == "\n":
                raise HclSyntaxError("unterminated string (a quoted string cannot span lines)", text, start)
            if c == "\\":
                escape = _ESCAPE.match(text, i)
                if escape is None:
                    raise HclSyntaxError("invalid escape sequence in string", text, i)
                i = escape.end()
                continue
            if c in "$%" and text.startswith(c + c + "{", i):
                i += 3
                continue
            if c == "%" and text.startswith("%{", i):
                raise HclUnsupported("template directive %{ }", text, i)
            if c == "$" and text.startswith("${", i):
                parts.append(text[literal_start:i])
                inner, i = self._interpolation(i + 2)
                parts.append("${" + inner + "}")
                interpolated = True
                literal_start = i
                continue
            i += 1
        parts.append(text[literal_start:i])
        extra = _template(parts, interpolated, unescape)
        return _Token(STRING, '"' + extra[0] + '"', start, i + 1, extra)

    def _interpolation(self, start: int) -> tuple[str, int]:
        """The canonical text of the expression in ``${ ... }`` from ``start``, and the offset after ``}``."""
        if self.text.startswith("~", start):
            raise HclUnsupported("template strip marker ~", self.text, start)
        if self.depth >= MAX_NESTING:
            raise HclSyntaxError("nested too deeply", self.text, start)
        inner = Parser.__new__(Parser)
        inner.text = self.text
        inner.newlines = [False]
        inner.depth = self.depth + 1
        inner.position = start
        inner.token = _Token(EOF, "", start, start)
        inner.advance()
        value = inner.expression()
        if inner.token.kind == OP and inner.token.value == "~":
            raise inner.unsupported("template strip marker ~")
        if not (inner.token.kind == OP and inner.token.value == "}"):
            raise inner.error(f"expected `}}` to close the interpolation, found {inner.describe(inner.token)}")
        return value.text, inner.token.end

    def _heredoc(self, match: re.Match) -> _Token:
        text = self.text
        indented, marker = match.group("dash") == "-", match.group("marker")
        body_start = match.end()
        end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.M).search(text, body_start)
        if end is None:
            raise HclSyntaxError(f"heredoc without its closing `{marker}` line", text, match.start())
        body = text[body_start : end.start()]
        if "%{" in body.replace("%%{", ""):
            raise HclUnsupported("template directive %{ } in a heredoc", text, match.start())
        lines = body.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        if indented:
            widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
            cut = min(widths) if widths else 0
            lines = [line[cut:] for line in lines]
        content = "\n".join(lines)
        # Interpolations in a heredoc: parsed for validity, rendered as in a quoted string
        parts: list[str] = []
        i = literal_start = 0
        interpolated = False
        while True:
            j = content.find("${", i)
            if j < 0:
                break
            if j > 0 and content[j - 1] == "$":
                i = j + 2
                continue
            parts.append(_quote(content[literal_start:j]))
            sub = Parser.__new__(Parser)
            sub.text, sub.newlines, sub.depth = content, [False], self.depth + 1
            sub.position, sub.token = j, _Token(EOF, "", j, j)
            try:
                inner, i = sub._interpolation(j + 2)
            except HclError as error:
                raise type(error)(f"in a heredoc: {str(error).rsplit(' at line', 1)[0]}", text, match.start()) from None
            parts.append("${" + inner + "}")
            literal_start = i
            interpolated = True
        parts.append(_quote(content[literal_start:]))
        extra = _template(parts, interpolated, lambda _: content.replace("$${", "${").replace("%%{", "%{"))
        # the closing line's newline is left to end the attribute
        return _Token(HEREDOC, '"' + extra[0] + '"', match.start(), end.end(), extra)

    # -- helpers ----------------------------------------------------------------------------------

    def at(self, value: str) -> bool:
        return self.token.kind == OP and self.token.value == value

    def expect(self, value: str) -> _Token:
        if not self.at(value):
            raise self.error(f"expected `{value}`, found {self.describe(self.token)}")
        return self.advance()

    def open(self, value: str, newlines: bool) -> None:
        """Consume an opening bracket; inside it, newlines end things only when ``newlines``."""
        if len(self.newlines) + self.depth > MAX_NESTING:
            raise self.error("nested too deeply")
        if not self.at(value):
            raise self.error(f"expected `{value}`, found {self.describe(self.token)}")
        self.newlines.append(newlines)
        self.advance()

    def close(self, value: str) -> None:
        if not self.at(value):
            raise self.error(f"expected `{value}`, found {self.describe(self.token)}")
        self.newlines.pop()
        self.advance()

    def skip_newlines(self) -> None:
        while self.token.kind == NEWLINE:
            self.advance()

    # -- bodies -----------------------------------------------------------------------------------

    def body(self, top: File | None = None, closing: str | None = None) -> Body:
        """Attributes and blocks up to ``closing`` (or the end of the file), normalised."""
        out = Body()
        spans = out.spans
        attributes: set[str] = set()
        while True:
            self.skip_newlines()
            token = self.token
            if token.kind == EOF:
                if closing:
                    raise self.error(f"expected `{closing}` to close the block, found end of file")
                return out
            if closing and self.at(closing):
                return out
            if token.kind != IDENT:
                raise self.error(f"expected an attribute or a block, found {self.describe(token)}")
            name = token.value
            self.advance()
            if self.at("="):
                self.advance()
                if name in out:
                    raise self.unsupported(f"`{name}` defined twice", token.start)
                value = self.expression()
                spans[name] = (token.start, self.last_end)
                self.end_of_item()
                out[name] = value.node
                attributes.add(name)
                continue
            labels: list[str] = []
            while self.token.kind in (STRING, IDENT):
                label = self.token
                if label.kind == STRING:
                    assert label.extra is not None
                    _, literal, _ = label.extra
                    if literal is None:
                        raise self.error("a block label cannot hold an interpolation")
                    labels.append(str(literal))  # escapes decoded, as Terraform reads the label
                else:
                    labels.append(label.value)
                self.advance()
            if not self.at("{"):
                raise self.error(f"expected `=` or `{{` after `{name}`, found {self.describe(self.token)}")
            if name in attributes:
                raise self.unsupported(f"`{name}` is both an attribute and a block", token.start)
            self.open("{", True)
            inner = self.body(closing="}")
            inner.start = token.start
            end = self.token.start
            self.close("}")
            spans.setdefault(name, (token.start, end + 1))
            self.end_of_item()
            node: object = inner
            for written in reversed(labels):
                node = {written: node}
            out.setdefault(name, []).append(node)
            if top is not None:
                self.record(top, name, labels, inner, token.start, end)

    def record(self, top: File, kind: str, labels: list[str], body: dict, start: int, end: int) -> None:
        if kind == "resource":
            if len(labels) != 2:
                raise self.error(f"a resource block needs two labels, found {len(labels)}", start)
            top.resources.append(Resource(labels[0], labels[1], body, start, end))
        elif kind == "variable":
            if len(labels) != 1:
                raise self.error(f"a variable block needs one label, found {len(labels)}", start)
            top.variables[labels[0]] = body
        elif kind == "locals":
            top.locals.update(body)
        elif kind == "module":
            if len(labels) != 1:
                raise self.error(f"a module block needs one label, found {len(labels)}", start)
            top.modules.append(Resource("module", labels[0], body, start, end))

    def end_of_item(self) -> None:
        if self.token.kind in (NEWLINE, EOF) or self.at("}"):
            return
        raise self.error(f"expected the end of the line, found {self.describe(self.token)}")

    # -- expressions ------------------------------------------------------------------------------

    def expression(self) -> _Value:
        first = self.operation()
        if not self.at("?"):
            return first
        self.advance()
        when_true = self.expression()
        self.expect(":")
        when_false = self.expression()
        return _Value(None, f"{first.text} ? {when_true.text} : {when_false.text}").expr()

    def operation(self) -> _Value:
        left = self.unary()
        if not (self.token.kind == OP and self.token.value in _BINARY):
            return left
        texts = [left.text]
        while self.token.kind == OP and self.token.value in _BINARY:
            texts.append(self.advance().value)
            texts.append(self.unary().text)
        return _Value(None, " ".join(texts)).expr()

    def unary(self) -> _Value:
        if self.at("-") or self.at("!"):
            operator = self.advance().value
            operand = self.postfix(self.term())  # HCL: a unary operator applies to a term, so `!!x` is not HCL
            if operator == "-" and isinstance(operand.node, (int, float)) and not isinstance(operand.node, bool) \
                    and operand.text[:1].isdigit():
                return _Value(-operand.node, "-" + operand.text)
            return _Value(None, operator + operand.text).expr()
        return self.postfix(self.term())

    def postfix(self, value: _Value) -> _Value:
        text = value.text
        changed = False
        while True:
            if self.at("."):
                self.advance()
                token = self.token
                if token.kind == IDENT:
                    text += "." + token.value
                elif token.kind == NUMBER and _INTEGER.match(token.value):
                    text += "." + token.value
                elif self.at("*"):
                    text += ".*"
                else:
                    raise self.error(f"expected an attribute name after `.`, found {self.describe(token)}")
                self.advance()
            elif self.at("["):
                self.open("[", False)
                if self.at("*"):
                    self.advance()
                    text += "[*]"
                else:
                    text += "[" + self.expression().text + "]"
                self.close("]")
            else:
                break
            changed = True
        return _Value(None, text).expr() if changed else value

    def term(self) -> _Value:
        token = self.token
        kind = token.kind
        if kind == NUMBER:
            self.advance()
            if _INTEGER.match(token.value):
                return _Value(int(token.value), token.value)
            if "e" in token.value or "E" in token.value:
                return _Value(None, token.value).expr()
            return _Value(float(token.value), token.value)
        if kind in (STRING, HEREDOC):
            self.advance()
            assert token.extra is not None
            rendered, literal, whole = token.extra
            if literal is not None:
                return _Value(literal, '"' + rendered + '"')
            if whole is not None:  # "${x}" is the value of x itself
                return _Value(Expr(whole), '"' + rendered + '"')
            return _Value(None, '"' + rendered + '"').expr()
        if kind == IDENT:
            self.advance()
            word = token.value
            if word == "true":
                return _Value(True, word)
            if word == "false":
                return _Value(False, word)
            if word == "null":
                return _Value(None, word)
            while self.at("::"):  # provider::aws::arn_parse(...)
                self.advance()
                if self.token.kind != IDENT:
                    raise self.error(f"expected a name after `::`, found {self.describe(self.token)}")
                word += "::" + self.advance().value
            if self.at("("):
                return self.call(word)
            if "::" in word:
                raise self.error(f"expected `(` after `{word}`, found {self.describe(self.token)}")
            return _Value(None, word).expr()
        if kind == OP:
            if token.value == "(":
                self.open("(", False)
                inner = self.expression()
                self.close(")")
                return _Value(None, "(" + inner.text + ")").expr()
            if token.value == "[":
                return self.tuple()
            if token.value == "{":
                return self.object()
        raise self.error(f"expected an expression, found {self.describe(token)}")

    def call(self, name: str) -> _Value:
        self.open("(", False)
        texts = []
        expand = False
        while not self.at(")"):
            texts.append(self.expression().text)
            if self.at("..."):
                self.advance()
                expand = True
                if not self.at(")"):
                    raise self.error("`...` must follow the last argument")
                break
            if not self.at(","):
                break
            self.advance()
        self.close(")")
        text = ", ".join(texts) + (" ..." if expand else "")
        return _Value(None, f"{name}({text})").expr()

    def tuple(self) -> _Value:
        self.open("[", False)
        if self.token.kind == IDENT and self.token.value == "for":
            text = self.for_intro()
            text += self.expression().text
            text += self.for_condition()
            self.close("]")
            return _Value(None, "[" + text + "]").expr()
        nodes, texts = [], []
        while not self.at("]"):
            item = self.expression()
            nodes.append(item.node)
            texts.append(item.text)
            if not self.at(","):
                break
            self.advance()
        self.close("]")
        return _Value(nodes, "[" + ", ".join(texts) + "]")

    def object(self) -> _Value:
        opening = self.token.start
        self.open("{", True)
        self.skip_newlines()
        if self.token.kind == IDENT and self.token.value == "for":
            self.newlines[-1] = False
            self.advance_in_place()
            text = self.for_intro()
            key_text = self.expression().text
            self.expect("=>")
            value_text = self.expression().text
            text += f"{key_text} => {value_text}"
            if self.at("..."):
                self.advance()
                text += "..."
            text += self.for_condition()
            self.close("}")
            return _Value(None, "{" + text + "}").expr()
        nodes = Body(opening)  # an object's keys are located as a block's are (awscc's nested objects)
        texts = []
        while True:
            self.skip_newlines()
            if self.at("}"):
                break
            token = self.token
            if token.kind == IDENT:
                key, key_text = token.value, token.value
            elif token.kind == STRING:
                assert token.extra is not None
                key, key_text = token.extra[0], token.value
            else:
                raise self.unsupported("an object key that is an expression")
            self.advance()
            if not (self.at("=") or self.at(":")):
                raise self.error(f"expected `=` or `:` after an object key, found {self.describe(self.token)}")
            self.advance()
            value = self.expression()
            if key in nodes:
                raise self.unsupported(f"object key `{key}` given twice", token.start)
            nodes[key] = value.node
            nodes.spans[key] = (token.start, self.last_end)
            texts.append(f"{key_text} = {value.text}")
            if self.at(","):
                self.advance()
            elif self.token.kind == NEWLINE:
                pass
            elif not self.at("}"):
                raise self.error(f"expected `,`, a new line or `}}` in an object, found {self.describe(self.token)}")
        self.close("}")
        return _Value(nodes, "{" + ", ".join(texts) + "}")

    def advance_in_place(self) -> None:
        """Re-read the current token after a change of newline mode (it was read under the old one)."""
        self.position = self.token.start
        self.advance()

    def for_intro(self) -> str:
        self.advance()  # `for`
        names = []
        while True:
            if self.token.kind != IDENT:
                raise self.error(f"expected a name in the `for` expression, found {self.describe(self.token)}")
            names.append(self.advance().value)
            if not self.at(","):
                break
            self.advance()
        if len(names) > 2:
            raise self.error("a `for` expression takes one or two names")
        if not (self.token.kind == IDENT and self.token.value == "in"):
            raise self.error(f"expected `in`, found {self.describe(self.token)}")
        self.advance()
        collection = self.expression().text
        self.expect(":")
        return f"for {', '.join(names)} in {collection} : "

    def for_condition(self) -> str:
        if self.token.kind == IDENT and self.token.value == "if":
            self.advance()
            return " if " + self.expression().text
        return ""


def _template(parts: list[str], interpolated: bool, literal_of: Callable[[str], object]) -> tuple[str, object, str | None]:
    """(canonical text inside the quotes, literal value or None, the expression when the template is
    exactly one interpolation ``"${x}"`` or None) of a template's pieces: literal text and
    ``${...}`` pieces alternate, starting and ending with literal text."""
    rendered = "".join(parts)
    if not interpolated:
        return rendered, literal_of(rendered), None
    whole = parts[1][2:-1] if len(parts) == 3 and not parts[0] and not parts[2] else None
    return rendered, None, whole


def _quote(content: str) -> str:
    return content.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def parse(text: str) -> File:
    """The variables, locals and resources of a `.tf` file. Raises HclSyntaxError or HclUnsupported."""
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = Parser(text)
    top = File()
    top.body = parser.body(top)
    return top


# ---------------------------------------------------------------------------------------------
# Text scanning shared by every HCL and Terraform JSON reader: bracket matching that skips strings,
# comments and heredocs, positions, and the template rules for a string's content
# ---------------------------------------------------------------------------------------------

_HEREDOC_START = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n")


def code_chars(text: str, start: int = 0, json_text: bool = False,
               comments: list[str] | None = None) -> Iterator[tuple[int, str, int]]:
    """Yield (index, char, depth) for each character of code (not string, comment or heredoc).

    ``depth`` is the number of open brackets and interpolations after the character. ``comments``,
    when given, collects the text of every comment passed over (``#``, ``//``, ``/* */``).
    """
    stack: list[str] = []
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if stack and stack[-1] == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                stack.pop()
            elif not json_text and text.startswith(("$${", "%%{"), i):
                i += 3
                continue
            elif not json_text and text.startswith(("${", "%{"), i):
                stack.append("${")
                i += 2
                continue
            i += 1
            continue
        if c == '"':
            stack.append('"')
            i += 1
            continue
        if not json_text:
            if c == "#" or text.startswith("//", i):
                newline = text.find("\n", i)
                end = n if newline < 0 else newline
                if comments is not None:
                    comments.append(text[i:end])
                i = end
                continue
            if text.startswith("/*", i):
                close = text.find("*/", i + 2)
                end = n if close < 0 else close + 2
                if comments is not None:
                    comments.append(text[i:end])
                i = end
                continue
            heredoc = _HEREDOC_START.match(text, i) if c == "<" else None
            if heredoc:
                marker = re.compile(r"^[ \t]*" + re.escape(heredoc.group(1)) + r"[ \t]*$", re.M).search(text, heredoc.end())
                i = n if marker is None else marker.end()
                continue
        if c in "([{":
            stack.append(c)
        elif c in ")]}" and stack:
            stack.pop()
        yield i, c, len(stack)
        i += 1


def closing(text: str, open_index: int, json_text: bool = False) -> int:
    """Index of the bracket closing the one at ``open_index``, or -1."""
    for i, c, depth in code_chars(text, open_index, json_text):
        if depth == 0 and c in ")]}":
            return i
    return -1


def line_of(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


class LineIndex:
    """Offsets to 1-based (line, column) in one pass over the text, then a binary search per lookup.

    Counting newlines from the start of the file for every resource made a file of 5,000 resources
    quadratic; this is built once per file.
    """

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right

        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


INTERPOLATION = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


def template_value(content: str, escaped: bool) -> object:
    """A string's content (between the quotes) as a literal ``str`` or an ``Expr``."""
    if not INTERPOLATION.search(content):
        return unescape(content) if escaped else content.replace("$${", "${").replace("%%{", "%{")
    if content.startswith("${") and closing(content, 1) == len(content) - 1:
        return Expr(content[2:-1].strip())  # "${x}" is the value of x itself
    return Expr(f'"{content}"')
