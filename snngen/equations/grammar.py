"""The line grammar of model text.

Three kinds of line, each ending in ``: unit`` and optional ``(flags)``::

    dv/dt = (v_rest - v + I)/tau : volt (unless refractory)   # differential equation
    I = g*(E - v) : amp                                       # subexpression
    tau : second (constant)                                   # parameter

``#`` starts a comment; a line with unclosed parentheses continues on the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from snngen.equations.model import EquationKind, SingleEquation
from snngen.equations.text import Location, parse_tree, parse_unit
from snngen.errors import EquationSyntaxError
from snngen.units.catalogue import UNITS

FLAGS: dict[EquationKind, frozenset[str]] = {
    EquationKind.DIFFERENTIAL: frozenset({"unless refractory", "event-driven", "clock-driven"}),
    EquationKind.SUBEXPRESSION: frozenset({"shared", "constant over dt", "summed"}),
    EquationKind.PARAMETER: frozenset({"constant", "shared"}),
}
_ALL_FLAGS = frozenset().union(*FLAGS.values())

_IDENTIFIER = r"[A-Za-z_]\w*"
_DIFFERENTIAL = re.compile(rf"^\s*d\s*(?P<name>{_IDENTIFIER})\s*/\s*dt\s*=(?P<expr>.*)$")
_SUBEXPRESSION = re.compile(rf"^\s*(?P<name>{_IDENTIFIER})\s*=(?!=)(?P<expr>.*)$")
_PARAMETER = re.compile(rf"^\s*(?P<name>{_IDENTIFIER})\s*$")
_TRAILING_GROUP = re.compile(r"\((?P<items>[^()]*)\)\s*$")


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each non-empty logical line, comments removed."""
    pending, start, depth = "", 0, 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0].rstrip()
        if not pending:
            start = lineno
        pending = f"{pending} {code.strip()}" if pending else code
        depth += code.count("(") - code.count(")")
        if depth <= 0 and pending.strip():
            yield start, pending
            pending, depth = "", 0
        elif depth <= 0:
            pending, depth = "", 0
    if pending.strip():
        yield start, pending  # unclosed parenthesis: the expression parser reports it


def parse_lines(text: str) -> list[SingleEquation]:
    """Parse model text into equations, in the order they are written."""
    if not isinstance(text, str):
        raise EquationSyntaxError(f"model text must be a string, got {type(text).__name__}")
    return [parse_line(line.strip(), lineno) for lineno, line in logical_lines(text)]


def parse_line(line: str, lineno: int | None = None) -> SingleEquation:
    """Parse one logical line of model text (without leading white space)."""
    where = Location(line, 0, lineno)
    colon = line.find(":")
    if colon < 0:
        raise where.error(
            "expected ': unit' after the definition, e.g. 'dv/dt = -v/tau : volt'", len(line)
        )
    head, tail = line[:colon], line[colon + 1 :]
    unit_text, flags = _split_flags(tail, Location(line, colon + 1, lineno))
    dim, var_type = parse_unit(unit_text, Location(line, colon + 1, lineno))

    for kind, pattern in (  # noqa: B007 - kind is used after the loop
        (EquationKind.DIFFERENTIAL, _DIFFERENTIAL),
        (EquationKind.SUBEXPRESSION, _SUBEXPRESSION),
        (EquationKind.PARAMETER, _PARAMETER),
    ):
        match = pattern.match(head)
        if match:
            break
    else:
        raise where.error("expected 'dx/dt = expression', 'name = expression' or 'name' before ':'")
    name = match.group("name")
    expr_text = None
    expr_offset = 0
    if kind is not EquationKind.PARAMETER:
        expr_text = match.group("expr")
        expr_offset = match.start("expr") + len(expr_text) - len(expr_text.lstrip())
        parse_tree(expr_text, Location(line, expr_offset, lineno))  # syntax errors now
    allowed = FLAGS[kind]
    for flag in flags:
        if flag not in allowed:
            options = ", ".join(sorted(allowed))
            raise where.error(
                f"the flag {flag!r} is not allowed on a {kind.value} (allowed: {options})",
                line.rfind("("),
                name,
            )
    return SingleEquation(
        kind=kind,
        name=name,
        expr_text=expr_text,
        dim=dim,
        var_type=var_type,
        flags=frozenset(flags),
        line=line,
        lineno=lineno,
        expr_offset=expr_offset,
    )


def _split_flags(tail: str, where: Location) -> tuple[str, list[str]]:
    """Separate ``volt (unless refractory, constant)`` into the unit text and the flags."""
    match = _TRAILING_GROUP.search(tail)
    if not match:
        return tail, []
    items = [" ".join(item.split()) for item in match.group("items").split(",")]
    unit_text = tail[: match.start()]
    if not unit_text.strip() or all(item in UNITS for item in items):
        return tail, []  # a parenthesised unit, e.g. volt/(second)
    for item in items:
        if item not in _ALL_FLAGS:
            options = ", ".join(sorted(_ALL_FLAGS))
            raise where.error(f"unknown flag {item!r} (flags: {options})", match.start())
    return unit_text, items
