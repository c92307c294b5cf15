"""Setting and reading group variables from Python: values, quantities and strings.

``G.v = -70*mV`` checks units; ``G.v = 'v_rest + rand()*5*mV'`` evaluates the string once per
neuron with numpy (it may use ``i``, ``N``, ``t``, other variables and external constants from
the caller's scope); ``G.I`` evaluates a subexpression the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from snngen.build.checked import check_once
from snngen.equations.model import EquationKind
from snngen.equations.names import Unresolved
from snngen.equations.statements import Statement
from snngen.equations.text import names_used
from snngen.errors import IdentifierError, UnitMismatchError
from snngen.runtime.namespace import caller_namespace
from snngen.runtime.pyeval import evaluate
from snngen.runtime.structure import signature
from snngen.units.catalogue import UNITS, unit_string
from snngen.units.dimensions import Dimension
from snngen.units.quantity import Quantity, get_dimension, strip

if TYPE_CHECKING:
    import sympy

    from snngen.runtime.group import Group


def _describe(dim: Dimension) -> str:
    return "1 (dimensionless)" if dim.is_dimensionless else unit_string(dim)


def assign(group: Group, name: str, value: Any, level: int) -> None:
    """``group.<name> = value`` for a value, a quantity, an array or a string expression."""
    owner = group._owner
    variable = owner.variables[name]
    target = owner.storage[name][group._slice(name)]
    if isinstance(value, str):
        namespace = {**caller_namespace(level), **owner.namespace}
        check_text(
            lambda n: owner.dimension_of(n, namespace), value, variable.dim,
            f"the assignment to {name} of {owner.name}", namespace,
        )  # fmt: skip
        value = _evaluate(group, value, namespace, len(target))
    elif variable.var_type == "float":
        dim = get_dimension(value)
        if dim != variable.dim:
            raise UnitMismatchError(
                f"{name} of {owner.name} is in {_describe(variable.dim)}, cannot set it to a "
                f"value in {_describe(dim)}",
                identifier=name,
            )
        value = strip(value)
    target[...] = np.asarray(value)


def evaluate_subexpression(group: Group, name: str, level: int) -> Any:
    """The value of subexpression ``name`` for each neuron of ``group``."""
    owner = group._owner
    namespace = {**caller_namespace(level), **owner.namespace}
    values = _evaluate(group, owner.equations[name].expr_text, namespace, group.N)
    dim = owner.equations[name].dim
    return values if dim.is_dimensionless else Quantity(values, dim)


def _evaluate(group: Group, text: str, namespace: Mapping[str, Any], size: int) -> Any:
    """``text`` for each neuron of ``group``, its subexpressions evaluated as it meets them."""
    owner = group._owner
    equations = owner.equations
    values: dict[str, Any] = {
        "t": owner.t_, "dt": owner.clock.dt_, "N": float(group.N),
        "i": np.arange(size, dtype=float),
    }  # fmt: skip
    functions: dict[str, Any] = {}

    def provide(text: str) -> None:
        names = names_used(text)
        for name in sorted(names.identifiers - values.keys()):
            if name in owner.variables:
                values[name] = owner.storage[name][group._slice(name)]
            elif name in equations and equations[name].kind is EquationKind.SUBEXPRESSION:
                sub = equations[name].expr_text
                provide(sub)  # subexpressions are acyclic (checked)
                values[name] = evaluate(sub, values, functions, size)
            elif name in equations.constants:
                values[name] = strip(equations.constants[name])
            elif name in namespace:
                values[name] = strip(namespace[name])
            elif name in UNITS:
                values[name] = strip(UNITS[name])
            else:
                raise IdentifierError(
                    f"unknown identifier {name!r} in an expression for {owner.name}",
                    identifier=name,
                )
        functions.update({f: namespace[f] for f in names.functions})

    provide(text)
    return evaluate(text, values, functions, size)


def check_text(
    dimension_of: Callable[[str], Dimension],
    text: str,
    expected: Dimension,
    what: str,
    namespace: Mapping[str, Any],
) -> None:
    """Check that expression ``text`` has dimension ``expected``: once for this text and the
    dimensions of the names it uses (see :mod:`snngen.build.checked`)."""

    def check() -> None:
        from snngen.equations.expressions import parse_expression

        check_located(dimension_of, parse_expression(text), expected, what, namespace)

    names = names_used(text)
    try:
        dimensions = sorted((name, repr(dimension_of(name))) for name in names.identifiers)
        functions = sorted((name, signature(namespace[name])) for name in names.functions)
    except (Unresolved, KeyError):
        check()  # reports the unknown name
        return
    check_once("expression", (text, repr(expected), dimensions, functions), check)


def check_expression(
    group: Group,
    expr: sympy.Basic,
    expected: Dimension,
    what: str,
    namespace: Mapping[str, Any],
    statement: Statement | None = None,
) -> None:
    """Check that ``expr`` (in ``group``'s code) has dimension ``expected``."""
    owner = group._owner
    check_located(
        lambda name: owner.dimension_of(name, namespace), expr, expected,
        f"{what} of {owner.name}", namespace, statement,
    )  # fmt: skip


def check_located(
    lookup: Callable[[str], Dimension],
    expr: sympy.Basic,
    expected: Dimension,
    what: str,
    namespace: Mapping[str, Any],
    statement: Statement | None = None,
) -> None:
    """Check ``expr``'s dimension against ``expected``; errors point into ``statement``."""
    import sympy

    from snngen.equations.checks import DimensionProblem, expression_dimension, function_rules

    line = statement.line if statement else None
    lineno = statement.lineno if statement else None
    column = statement.expr_offset if statement else None
    try:
        actual = expression_dimension(expr, lookup, function_rules(namespace))
    except Unresolved as missing:
        raise IdentifierError(
            f"unknown identifier {missing.name!r} in {what}: it is not a variable and was not "
            "found in the namespace",
            line, column, lineno, missing.name,
        ) from None  # fmt: skip
    except DimensionProblem as problem:
        raise UnitMismatchError(
            f"inconsistent units in {what}: {problem}", line, column, lineno
        ) from None
    if actual != expected and not expr.is_zero:  # 0*mV parses to 0: zero fits any unit
        raise UnitMismatchError(
            f"{what} must be in {_describe(expected)}, but {sympy.sstr(expr)} "
            f"is in {_describe(actual)}",
            line, column, lineno,
        )  # fmt: skip
