"""Setting and reading group variables from Python: values, quantities and strings.

``G.v = -70*mV`` checks units; ``G.v = 'v_rest + rand()*5*mV'`` evaluates the string once per
neuron with numpy (it may use ``i``, ``N``, ``t``, other variables and external constants from
the caller's scope); ``G.I`` evaluates a subexpression the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from snngen.equations.checks import (
    DimensionProblem,
    Unresolved,
    expression_dimension,
    function_rules,
)
from snngen.equations.expressions import parse_expression
from snngen.equations.model import EquationKind
from snngen.equations.statements import Statement
from snngen.errors import IdentifierError, UnitMismatchError
from snngen.runtime.namespace import caller_namespace
from snngen.runtime.pyeval import evaluate
from snngen.units.catalogue import UNITS, unit_string
from snngen.units.dimensions import Dimension
from snngen.units.quantity import Quantity, get_dimension, strip

if TYPE_CHECKING:
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
        expr = parse_expression(value)
        check_expression(group, expr, variable.dim, f"the assignment to {name}", namespace)
        value = _evaluate(group, expr, namespace, len(target))
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
    values = _evaluate(group, owner.equations[name].expr, namespace, group.N)
    dim = owner.equations[name].dim
    return values if dim.is_dimensionless else Quantity(values, dim)


def _inline(group: Group, expr: sympy.Basic) -> sympy.Basic:
    """``expr`` with the group's subexpressions substituted (they are acyclic, checked)."""
    equations = group._owner.equations
    subexpressions = {
        eq.symbol: eq.expr for eq in equations if eq.kind is EquationKind.SUBEXPRESSION
    }
    for _ in range(len(subexpressions) + 1):
        expr = expr.xreplace(subexpressions)
    return expr


def _evaluate(group: Group, expr: sympy.Basic, namespace: Mapping[str, Any], size: int) -> Any:
    owner = group._owner
    expr = _inline(group, expr)
    values: dict[str, Any] = {name: strip(u) for name, u in UNITS.items()}
    values.update({k: strip(v) for k, v in owner.equations.constants.items()})
    values.update(
        {
            "t": owner.t_,
            "dt": owner.clock.dt_,
            "N": float(group.N),
            "i": np.arange(size, dtype=float),
        }
    )
    for name in sorted(s.name for s in expr.free_symbols):
        if name in owner.variables:
            values[name] = owner.storage[name][group._slice(name)]
        elif name not in values:
            if name not in namespace:
                raise IdentifierError(
                    f"unknown identifier {name!r} in an expression for {owner.name}",
                    identifier=name,
                )
            values[name] = strip(namespace[name])
    functions = {f.func.__name__: namespace[f.func.__name__] for f in expr.atoms(AppliedUndef)}
    return evaluate(expr, values, functions, size)


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
