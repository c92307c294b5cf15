"""The generated modules' inline maths (templates/helpers.pyx.j2) against numpy's libm, compiled
with the flags the network modules get."""

import subprocess

import numpy as np
import pytest

from snngen.build.cache import load_module
from snngen.build.compiler import c_compiler
from snngen.codegen.render import render_text, template_directory

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


SCAN_KERNEL = """
def spiking(size_t flags_address, int64_t size, size_t spikes_address):
    return _snngen_spiking(<uint16_t*>flags_address, size, <int32_t*>spikes_address)

def flag_bits_portable(size_t flags_address):
    return _snngen_flag_bits_portable(<uint16_t*>flags_address)
"""


def flag_patterns(size):
    """Spike flags of ``size`` neurons: none, all, the first, the last, each group's edges, and
    random ones at several rates."""
    rng = np.random.default_rng(7)
    yield np.zeros(size, bool)
    yield np.ones(size, bool)
    for indices in ([0], [size - 1], np.r_[0:size:32, 31:size:32]):
        flags = np.zeros(size, bool)
        flags[indices] = True
        yield flags
    for rate in (0.001, 0.05, 0.5):
        yield rng.random(size) < rate


@pytest.mark.parametrize("size", [1, 31, 32, 33, 1000, 4000])
def test_the_spike_scan_finds_every_set_flag_in_order(size):
    """The neuron pass's scan (a vector test of 32 flags where the machine has one) and the
    portable test it falls back on both give what numpy's flatnonzero gives."""
    module = load_module("\n".join((render_text("helpers.pyx.j2"), SCAN_KERNEL)))
    padded = -(-size // 32) * 32
    for flags in flag_patterns(size):
        buffer = np.zeros(padded, np.uint16)  # the group's layout: zero-padded to 32
        buffer[:size] = flags
        spikes = np.full(size, -1, np.int32)
        count = module.spiking(buffer.ctypes.data, size, spikes.ctypes.data)
        np.testing.assert_array_equal(spikes[:count], np.flatnonzero(flags))
        portable = [module.flag_bits_portable(buffer[k:].ctypes.data) for k in range(0, padded, 32)]
        bits = np.unpackbits(np.array(portable, "<u4").view(np.uint8), bitorder="little")
        np.testing.assert_array_equal(bits[:size], flags)


# Random flags of random sizes: the scan against a plain loop, and each vector test against the
# portable one, in C, so that one machine checks every instruction set its compiler can target.
SCAN_HARNESS = r"""
#include <stdio.h>
#include "spike_scan.h"
static uint64_t state = 88172645463325252ull;
static uint64_t next(void) {  /* xorshift64 */
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return state;
}
int main(void) {
    int wrong = 0;
    for (int trial = 0; trial < 20000; trial++) {
        uint16_t flags[256] = {0};
        int32_t spikes[256], expected[256];
        uint64_t draw = next();
        int size = 1 + (int)(draw % 200), rate = (int)((draw >> 32) % 101), n = 0;
        for (int i = 0; i < size; i++)
            if ((int)(next() % 100) < rate) { flags[i] = 1; expected[n++] = i; }
        int64_t count = _snngen_spiking(flags, size, spikes);
        wrong += count != n;
        for (int k = 0; k < n && count == n; k++) wrong += spikes[k] != expected[k];
        for (int base = 0; base < size; base += 32)
            wrong += _snngen_flag_bits(flags + base) != _snngen_flag_bits_portable(flags + base);
    }
    printf("%d %s\n", wrong, _SNNGEN_VECTOR_TEST);
    return 0;
}
"""


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next((line.split() for line in cpuinfo if line.startswith("flags")), [])
    except OSError:
        return []


@pytest.mark.parametrize(
    "target, needs",
    [("-mavx512bw", "avx512bw"), ("-mavx2 -mno-avx512f", "avx2"),
     ("-mno-avx2 -mno-avx512f", "portable")],
)  # fmt: skip
def test_each_vector_test_of_the_scan_agrees_with_the_portable_one(tmp_path, target, needs):
    if needs != "portable" and needs not in cpu_flags():
        pytest.skip(f"this CPU has no {needs}")
    (tmp_path / "harness.c").write_text(SCAN_HARNESS)
    binary = tmp_path / "harness"
    subprocess.run([*c_compiler(), "-O2", *target.split(), "-I", str(template_directory()),
                    str(tmp_path / "harness.c"), "-o", str(binary)], check=True)  # fmt: skip
    wrong, test = subprocess.run([binary], capture_output=True, text=True,
                                 check=True).stdout.split()  # fmt: skip
    assert wrong == "0"
    # gcc takes the vector test the target has (clang names its builtins otherwise)
    version = subprocess.run([*c_compiler(), "--version"], capture_output=True, text=True).stdout
    assert test == ("portable" if "clang" in version else needs)
