"""The fold of an implicit decay's scale into its variable's array (see snngen.codegen.decay),
made after a run both in-process and by a build folder's runner."""

from __future__ import annotations

import numpy as np


def fold_scale(values: np.ndarray, scale: np.ndarray) -> None:
    """``values`` (the variable over the one-element ``scale``) times the scale, which becomes 1:
    in double, rounded once, as the loop's own folds."""
    values[:] = values * scale[0]
    scale[0] = 1.0
