"""The generated modules' inline maths (templates/helpers.pyx.j2) against numpy's libm, compiled
with the flags the network modules get."""

import numpy as np
import pytest

from snngen.build.cache import load_module
from snngen.codegen.render import render_text

pytestmark = pytest.mark.usefixtures("shared_cache")

KERNEL = """
def apply{suffix}(size_t x_address, size_t expm1_address, size_t exprel_address, int64_t n):
    cdef {ctype}* x = <{ctype}*>x_address
    cdef {ctype}* e = <{ctype}*>expm1_address
    cdef {ctype}* r = <{ctype}*>exprel_address
    cdef int64_t i
    for i in range(n):
        e[i] = _expm1{suffix}(x[i])
        r[i] = _exprel{suffix}(x[i])
"""


def inline_maths(x, dtype=np.float64):
    """``_expm1`` and ``_exprel`` of ``x`` (their float versions for ``numpy.float32``)."""
    kernels = (KERNEL.format(suffix=s, ctype=t) for s, t in (("", "double"), ("f", "float")))
    module = load_module("\n".join((render_text("helpers.pyx.j2"), *kernels)))
    apply = module.applyf if dtype == np.float32 else module.apply
    x = np.ascontiguousarray(x, dtype=dtype)
    expm1, exprel = np.empty_like(x), np.empty_like(x)
    apply(x.ctypes.data, expm1.ctypes.data, exprel.ctypes.data, len(x))
    return expm1, exprel


def test_expm1_and_exprel_agree_with_libm_to_a_few_ulp():
    magnitudes = np.concatenate([np.geomspace(1e-300, 1e-8, 200), np.geomspace(1e-8, 709, 4000)])
    x = np.concatenate([magnitudes, -magnitudes, [-0.5 * np.log(2), 0.5 * np.log(2)]])
    expm1, exprel = inline_maths(x)
    # libm is within 1 ulp; the Taylor remainder is below 1e-17 of the result and the range
    # reduction and reconstruction round a few times more: 4 ulp bounds the difference.
    tolerance = 4 * np.finfo(float).eps
    np.testing.assert_allclose(expm1, np.expm1(x), rtol=tolerance, atol=0)
    np.testing.assert_allclose(exprel, np.expm1(x) / x, rtol=tolerance, atol=0)


def test_the_float_versions_agree_with_libm_to_a_few_float_ulp():
    magnitudes = np.concatenate([np.geomspace(1e-37, 1e-4, 200), np.geomspace(1e-4, 88, 4000)])
    x = np.concatenate([magnitudes, -magnitudes, [-0.5 * np.log(2), 0.5 * np.log(2)]])
    expm1, exprel = inline_maths(x, np.float32)
    x = x.astype(np.float32).astype(float)  # the arguments the float versions received
    # The series' remainder is a sixth of float's unit roundoff, and the float reduction and
    # reconstruction round a few times: 4 float ulp of the exact (double) value bounds it
    # (measured: 1.1).
    tolerance = 4 * np.finfo(np.float32).eps
    np.testing.assert_allclose(expm1, np.expm1(x), rtol=tolerance, atol=0)
    np.testing.assert_allclose(exprel, np.expm1(x) / x, rtol=tolerance, atol=0)
    expm1, exprel = inline_maths([0.0, -100.0, 89.0], np.float32)
    assert exprel[0] == 1.0 and expm1[1] == -1.0 and np.isinf(expm1[2])


def test_limits():
    expm1, exprel = inline_maths([0.0, -800.0, 711.0, 1e-320])
    assert exprel[0] == 1.0  # the 0/0 of the quotient is never taken
    assert expm1[1] == -1.0 and exprel[1] == 1 / 800  # exp underflows to 0
    assert np.isinf(expm1[2])  # overflow stays visible to the runtime's check
    assert exprel[3] == 1.0  # a subnormal x: expm1(x) = x
