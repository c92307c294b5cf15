"""Connection generation for ``Synapses.connect``: which (i, j) pairs get a synapse.

Pairs come out sorted by ``i`` then ``j`` (the CSR order the compiled loop uses). A fixed
probability without a condition draws the positions of the connected pairs directly, with
geometric gaps between successes (the same distribution as one Bernoulli trial per pair, in
time proportional to the number of synapses); conditions and probability expressions are
evaluated with numpy over blocks of rows, so memory stays bounded. Random numbers come from
snngen's seeded generator, so ``seed()`` reproduces a connectivity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from snngen.equations.text import is_condition_text, names_used
from snngen.errors import ModelError
from snngen.runtime.pyeval import check_syntax
from snngen.runtime.rng import generator

# Pairs evaluated at once when a condition is checked: few enough that the block's
# temporaries stay in the caches and are reused from the heap (testing each of 10^8 pairs for
# 'i != j' took 5.2 s in blocks of 2^22 pairs, tens of MB each; in blocks of 2^15, 0.8 s).
BLOCK_PAIRS = 1 << 15
# Geometric gaps drawn at once for a fixed probability: few enough that each block's
# temporaries (a few hundred kB) are reused from the heap block after block. At 2^18 they were
# megabytes, which the C library handed back to the system after each block and got again as
# fresh pages: 62,000 page faults, 0.1 s of a process's first 8 M synapses (the draws now take
# 0.13 s in all).
GAPS = 1 << 15


def fixed_probability(n_pre: int, n_post: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Each of the ``n_pre × n_post`` pairs independently with probability ``p``, as int32
    index arrays filled in place (the temporaries stay below :data:`GAPS` numbers)."""
    total = n_pre * n_post
    if p >= 1 or p <= 0 or total == 0:
        pre, post = np.divmod(np.arange(total if p >= 1 else 0), max(n_post, 1))
        return pre.astype(np.int32), post.astype(np.int32)
    rng = generator()
    pre = np.empty(_at_most(total * p), dtype=np.int32)
    post = np.empty_like(pre)
    count, offset = 0, -1
    # A gap 1 + floor(E/-log(1 - p)) with E exponential is geometric: P(gap > k) = (1 - p)^k.
    # numpy's geometric draws the same exponential for p < 1/3, but divides by a logarithm per
    # draw, element by element: the 8 M gaps of N = 100k took 0.09 s there, 0.04 s here.
    scale = -1.0 / np.log1p(-p)
    while offset < total:
        draws = min(_at_most((total - offset) * p), GAPS)
        gaps = rng.standard_exponential(draws)
        gaps *= scale
        found = offset + np.cumsum(np.floor(gaps, out=gaps).astype(np.int64) + 1)
        offset = int(found[-1])
        found = found[found < total]
        if count + len(found) > len(pre):  # more than 6 sigma above the expected count
            pre, post = (np.resize(a, 2 * (count + len(found))) for a in (pre, post))
        pre[count : count + len(found)], post[count : count + len(found)] = np.divmod(found, n_post)
        count += len(found)
    return pre[:count], post[:count]


def _at_most(expected: float) -> int:
    """A count of successes that ``expected`` on average exceeds only 6 sigma above."""
    return int(expected + 6 * np.sqrt(expected) + 16)


def evaluated_pairs(
    n_pre: int,
    n_post: int,
    condition: str | None,
    probability: str | float,
    values: Callable[[np.ndarray, np.ndarray, set[str]], Mapping[str, Any]],
    evaluate: Callable[[str, Mapping[str, Any], int], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs for which ``condition`` holds, each kept with ``probability`` (an expression or
    a number), evaluated block by block; ``values(i, j, names)`` supplies what they read."""
    if condition is not None and not isinstance(probability, str) and probability < 1:
        return _sampled_pairs(n_pre, n_post, condition, probability, values, evaluate)
    rows = max(1, BLOCK_PAIRS // max(n_post, 1))
    rng = generator()
    found_i, found_j = [], []
    for first in range(0, n_pre, rows):
        block = np.arange(first, min(n_pre, first + rows))
        i = np.repeat(block, n_post)
        j = np.tile(np.arange(n_post), len(block))
        if condition is not None:
            keep = _evaluate(condition, i, j, values, evaluate).astype(bool)
            i, j = i[keep], j[keep]
        if isinstance(probability, str):
            chance = _evaluate(probability, i, j, values, evaluate)
            keep = rng.random(len(i)) < chance
            i, j = i[keep], j[keep]
        elif probability < 1:
            keep = rng.random(len(i)) < probability
            i, j = i[keep], j[keep]
        found_i.append(i)
        found_j.append(j)
    return np.concatenate(found_i), np.concatenate(found_j)


def _sampled_pairs(
    n_pre: int,
    n_post: int,
    condition: str,
    probability: float,
    values: Callable,
    evaluate: Callable,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs kept with a fixed ``probability``, then those of them for which ``condition``
    holds: the two choices are independent, so this is the distribution of testing every pair
    first, at the cost of the kept pairs alone (10^8 pairs, 'i != j', p = 0.02: 0.8 s when
    testing every pair, 0.05-0.08 s)."""
    pre, post = fixed_probability(n_pre, n_post, probability)
    keep = np.empty(len(pre), dtype=bool)
    for first in range(0, len(pre), BLOCK_PAIRS):
        block = slice(first, first + BLOCK_PAIRS)
        i, j = pre[block].astype(np.int64), post[block].astype(np.int64)  # as evaluated_pairs'
        keep[block] = _evaluate(condition, i, j, values, evaluate).astype(bool)
    return pre[keep], post[keep]


def _evaluate(text: str, i: np.ndarray, j: np.ndarray, values: Callable,
              evaluate: Callable) -> np.ndarray:  # fmt: skip
    names = set(names_used(text).identifiers)
    return evaluate(text, values(i, j, names), len(i))


def parse_condition(text: str | bool) -> str | None:
    """A connection condition: ``True`` (all pairs) or a boolean expression string."""
    if text is True:
        return None
    if not isinstance(text, str):
        raise ModelError(f"condition must be a string such as 'i != j', got {text!r}")
    if not is_condition_text(check_syntax(text)):
        raise ModelError(f"the connection condition {text!r} is not a condition")
    return text


def parse_probability(p: Any) -> str | float:
    if isinstance(p, str):
        return check_syntax(p)
    value = float(p)
    if not 0 <= value <= 1:
        raise ModelError(f"the connection probability must lie in [0, 1], got {p!r}")
    return value
