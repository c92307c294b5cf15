"""Common-subexpression elimination over a straight-line block of assignments.

sympy's ``cse`` finds the shared subexpressions of all right-hand sides at once; each shared
value is then placed as early as the assignments it depends on allow, so that a block of
Runge-Kutta stages (where later stages read earlier ones) stays in a valid order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy

Assignment = tuple[sympy.Symbol, sympy.Basic]


def eliminate_common_subexpressions(
    block: Sequence[Assignment], new_symbol: Callable[[], sympy.Symbol]
) -> list[Assignment]:
    """``block`` with shared subexpressions computed once, into symbols from ``new_symbol``."""
    if not block:
        return []
    replacements, reduced = sympy.cse(
        [expr for _, expr in block], symbols=iter(new_symbol, None), order="none"
    )
    targets = {target for target, _ in block}
    pending = list(replacements)
    defined: set[sympy.Symbol] = set()
    result: list[Assignment] = []

    def ready(expr: sympy.Basic) -> bool:
        local = expr.free_symbols & (targets | {s for s, _ in pending})
        return local <= defined

    def emit_ready() -> None:
        progress = True
        while progress:
            progress = False
            for index, (symbol, value) in enumerate(pending):
                if ready(value):
                    result.append(pending.pop(index))
                    defined.add(symbol)
                    progress = True
                    break

    for (target, _), expr in zip(block, reduced, strict=True):
        emit_ready()
        result.append((target, expr))
        defined.add(target)
    return result + pending
