"""A safe parser from expression text to a Circuit: Python's ast, a whitelist, never eval."""
from __future__ import annotations

import ast
import math

from .circuit import Circuit, CircuitBuilder
from .gates import Unit

FUNCTIONS = {"sigmoid": 1, "tanh": 1, "relu": 1, "exp": 1, "log": 1, "max": 2}
BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
MAX_LENGTH = 2000  # characters
MAX_DEPTH = 60  # nested operations
FRIENDLY = {"Attribute": "attribute access (a.b)", "Subscript": "indexing (a[b])", "Lambda": "lambda",
            "ListComp": "a comprehension", "SetComp": "a comprehension", "DictComp": "a comprehension",
            "GeneratorExp": "a generator", "Compare": "a comparison", "BoolOp": "and/or", "IfExp": "if/else",
            "NamedExpr": ":=", "Tuple": "a tuple", "List": "a list", "Dict": "a dict", "Set": "a set",
            "Starred": "*", "Await": "await", "Yield": "yield", "JoinedStr": "an f-string", "Not": "not",
            "Invert": "~", "FloorDiv": "//", "Mod": "%", "MatMult": "@", "LShift": "<<", "RShift": ">>",
            "BitOr": "|", "BitAnd": "&", "BitXor": "^", "Slice": "a slice"}
SYNTAX_HELP = "numbers, names, + - * /, unary minus, ** with a constant exponent, and sigmoid tanh relu exp log max"


class ExpressionError(ValueError):
    """An expression refused before anything was evaluated; `column` is 1-based (0 if unknown)."""

    def __init__(self, message: str, column: int = 0):
        self.message, self.column = message, column
        super().__init__(f"{message} (column {column})" if column else message)


def _col(node: ast.AST) -> int:
    return getattr(node, "col_offset", -1) + 1


def _float(v: int | float) -> float:
    """A literal as a float; an integer too large for one becomes inf (and is refused as not finite)."""
    try:
        return float(v)
    except OverflowError:
        return math.inf


def _constant(node: ast.AST) -> float | None:
    """The number a node stands for if it is a literal (with optional unary signs), else None."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _constant(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    return None


def _check(node: ast.AST, depth: int = 0) -> None:
    """Refuse anything outside the whitelist, naming the column, before a single gate is built."""
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression nests deeper than {MAX_DEPTH} operations", _col(node))
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ExpressionError(f"only numbers are allowed, not {type(node.value).__name__} {node.value!r}",
                                  _col(node))
        if not math.isfinite(_float(node.value)):
            text = str(node.value)
            digits = text if len(text) <= 20 else f"{text[:8]}... ({len(text)} digits)"
            raise ExpressionError(f"the number {digits} is too large (not finite as a float)", _col(node))
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it as {node.id}(...)", _col(node))
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _check(node.operand, depth + 1)
    if isinstance(node, ast.BinOp) and (type(node.op) in BINOPS or isinstance(node.op, ast.Pow)):
        if isinstance(node.op, ast.Pow) and _constant(node.right) is None:
            raise ExpressionError("the exponent of ** must be a constant number", _col(node.right))
        _check(node.left, depth + 1)
        return _check(node.right, depth + 1)
    if isinstance(node, ast.Call):
        fname = node.func.id if isinstance(node.func, ast.Name) else None
        if fname not in FUNCTIONS:
            shown = fname or ast.unparse(node.func)
            raise ExpressionError(f"unknown function {shown!r}; allowed: {', '.join(FUNCTIONS)}", _col(node))
        if node.keywords or len(node.args) != FUNCTIONS[fname] or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{fname} takes {FUNCTIONS[fname]} argument(s)", _col(node))
        for a in node.args:
            _check(a, depth + 1)
        return
    what = type(node.op).__name__ if isinstance(node, (ast.BinOp, ast.UnaryOp)) else type(node).__name__
    raise ExpressionError(f"{FRIENDLY.get(what, what)} is not allowed; use {SYNTAX_HELP}", _col(node))


def parse(text: str) -> ast.expr:
    """Parse and whitelist-check `text`; returns the checked ast of the expression."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if "\n" in text.strip() or "\r" in text:
        raise ExpressionError("the expression must be on one line")
    body = text.strip()
    lead = len(text) - len(text.lstrip())  # columns count from the text as typed, leading spaces too
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"syntax error: {e.msg}", lead + e.offset if e.offset else 0) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"expression nests deeper than {MAX_DEPTH} operations") from None
    try:
        _check(tree.body)
    except RecursionError:
        raise ExpressionError(f"expression nests deeper than {MAX_DEPTH} operations") from None
    except ExpressionError as e:
        if not e.column:
            raise
        # ast counts UTF-8 bytes; the user counts characters
        chars = len(body.encode("utf-8")[: e.column - 1].decode("utf-8", errors="ignore"))
        raise ExpressionError(e.message, lead + chars + 1) from None
    return tree.body


def build_circuit(text: str, values: dict[str, float] | None = None,
                  wire_names: dict[str, str] | None = None) -> Circuit:
    """Build a Circuit for `text`; inputs take `values` (default 0); `wire_names` maps a label to a sub-expression."""
    tree = parse(text)
    labels = {}
    for label, sub in (wire_names or {}).items():
        labels[ast.unparse(parse(sub))] = label
    b = CircuitBuilder()

    def label_for(node: ast.AST) -> str:
        """A wire's label: the one the caller gave, else its sub-expression (cut at 24 characters, but never the
        output's: the whole expression is what the learner typed)."""
        src = ast.unparse(node)
        return labels.get(src, src if len(src) <= 24 or node is tree else src[:21] + "...")

    def visit(node: ast.AST) -> Unit:
        c = _constant(node)
        if c is not None:
            return b.constant(c)
        if isinstance(node, ast.Name):
            return b.input(node.id, (values or {}).get(node.id, 0.0))
        if isinstance(node, ast.UnaryOp):
            inner = visit(node.operand)
            return inner if isinstance(node.op, ast.UAdd) else b.gate("neg", inner, label=label_for(node))
        if isinstance(node, ast.BinOp):
            left = visit(node.left)
            if isinstance(node.op, ast.Pow):
                return b.gate("pow", left, exponent=_constant(node.right), label=label_for(node))
            return b.gate(BINOPS[type(node.op)], left, visit(node.right), label=label_for(node))
        args = [visit(a) for a in node.args]  # ast.Call, already whitelisted
        return b.gate(node.func.id, *args, label=label_for(node))

    out = visit(tree)
    if not b.gates:
        raise ExpressionError("the expression has no gate: write at least one operation, e.g. x * y")
    unknown = set(values or {}) - set(b.inputs)
    if unknown:
        raise ExpressionError(f"no input called {', '.join(sorted(unknown))} in {text!r}")
    given = [n for n in (values or {}) if n in b.inputs]
    b.inputs = {n: b.inputs[n] for n in given + [n for n in b.inputs if n not in given]}  # the caller's order
    return b.build(out)
