"""Batched matrix exponential in numpy (scaling and squaring with a degree-13 Padé approximant).

The algorithm is Higham's (SIAM J. Matrix Anal. Appl. 26, 2005). It is here so that the runtime
needs numpy only (a standalone build folder carries this module), and so that a whole
population's propagators (one small matrix per neuron) are computed in one vectorised call.
"""

from __future__ import annotations

import numpy as np

# Coefficients of the [13/13] Padé approximant of exp, and the 1-norm bound up to which it is
# accurate to double precision without scaling.
_B = (
    64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
    129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
    40840800.0, 960960.0, 16380.0, 182.0, 1.0,
)  # fmt: skip
_THETA_13 = 5.371920351148152


def expm(matrices: np.ndarray) -> np.ndarray:
    """``exp(A)`` for a matrix or a stack of matrices of shape ``(..., n, n)``."""
    a = np.asarray(matrices, dtype=float)
    norms = np.abs(a).sum(axis=-2).max(axis=-1)
    with np.errstate(divide="ignore"):
        squarings = np.maximum(0, np.ceil(np.log2(norms / _THETA_13))).astype(int)
    a = a / (2.0**squarings)[..., None, None]

    eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (
        a6 @ (_B[13] * a6 + _B[11] * a4 + _B[9] * a2)
        + _B[7] * a6 + _B[5] * a4 + _B[3] * a2 + _B[1] * eye
    )  # fmt: skip
    v = (
        a6 @ (_B[12] * a6 + _B[10] * a4 + _B[8] * a2)
        + _B[6] * a6 + _B[4] * a4 + _B[2] * a2 + _B[0] * eye
    )  # fmt: skip
    result = np.linalg.solve(v - u, v + u)

    for level in range(int(squarings.max(initial=0))):
        square = level < squarings
        result[square] = result[square] @ result[square]
    return result


def exact_step(entries: list, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """``E = exp(M dt)`` and ``F = ∫_0^dt exp(M s) ds`` from the ``k*k`` entries of ``M`` in row
    order (numbers or per-neuron arrays), read off one exponential of the augmented matrix
    ``[[M dt, I dt], [0, 0]]`` (Van Loan)."""
    entries = np.broadcast_arrays(*(np.asarray(e, dtype=float) for e in entries))
    k = round(len(entries) ** 0.5)
    augmented = np.zeros((*entries[0].shape, 2 * k, 2 * k))
    augmented[..., :k, :k] = np.stack(entries, axis=-1).reshape(*entries[0].shape, k, k) * dt
    augmented[..., :k, k:] = np.eye(k) * dt
    exponential = expm(augmented)
    return exponential[..., :k, :k], exponential[..., :k, k:]
