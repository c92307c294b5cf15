"""Statements: the code of resets (and later ``on_pre``/``on_post``), as in Brian2.

One assignment per line (or separated by ``;``)::

    v = v_reset
    w += b

Statements run in order, each seeing the values the previous ones assigned.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from snngen.equations.grammar import logical_lines
from snngen.equations.text import Location, parse_tree
from snngen.errors import EquationSyntaxError

if TYPE_CHECKING:
    import sympy

_STATEMENT = re.compile(r"^\s*(?P<target>[A-Za-z_]\w*)\s*(?P<op>[-+*/]?=)(?!=)(?P<expr>.*)$")


@dataclass(frozen=True)
class Statement:
    """``target op expr`` with ``op`` one of ``=``, ``+=``, ``-=``, ``*=``, ``/=``.

    The expression is kept as written (``expr_text``) and converted to sympy at the first use
    of :attr:`expr`, as the right-hand sides of equations are.
    """

    target: str
    operator: str
    expr_text: str
    line: str = field(default="", compare=False)
    lineno: int | None = field(default=None, compare=False)
    expr_offset: int = field(default=0, compare=False)

    @functools.cached_property
    def expr(self) -> sympy.Basic:
        from snngen.equations.expressions import parse_expression

        return parse_expression(self.expr_text, self.location())

    @property
    def value(self) -> sympy.Basic:
        """The value assigned to the target, the augmented operators written out."""
        from snngen.equations.expressions import symbol

        current = symbol(self.target)
        return {
            "=": lambda e: e,
            "+=": lambda e: current + e,
            "-=": lambda e: current - e,
            "*=": lambda e: current * e,
            "/=": lambda e: current / e,
        }[self.operator](self.expr)

    def location(self) -> Location:
        return Location(self.line, self.expr_offset, self.lineno)

    def __str__(self) -> str:
        import sympy

        return f"{self.target} {self.operator} {sympy.sstr(self.expr)}"


def parse_statements(text: str) -> list[Statement]:
    """Parse statement lines; raises :class:`EquationSyntaxError` pointing at a bad line."""
    if not isinstance(text, str):
        raise EquationSyntaxError(f"code must be a string, got {type(text).__name__}")
    statements = []
    for lineno, line in logical_lines(text):
        for part in line.split(";"):
            if part.strip():
                statements.append(_parse_statement(part.strip(), lineno))
    return statements


def _parse_statement(line: str, lineno: int) -> Statement:
    match = _STATEMENT.match(line)
    if match is None:
        raise EquationSyntaxError(
            "expected a statement such as 'v = v_reset' or 'w += b'", line, 0, lineno
        )
    target = match["target"]
    if target.startswith("_"):
        raise EquationSyntaxError(
            f"names starting with '_' are reserved: {target!r}", line, 0, lineno, target
        )
    offset = match.start("expr")
    parse_tree(match["expr"], Location(line, offset, lineno))  # syntax errors now
    return Statement(target, match["op"], match["expr"], line, lineno, offset)
