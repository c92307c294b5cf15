"""A script in Brian2's tutorial style; only its import line differs from Brian2's.

It prints the interspike interval of a driven LIF neuron, and the mean of a recorded trace.
"""

from snngen import *

defaultclock.dt = 0.05 * ms
seed(1)

tau = 10 * ms
v0_max = 3.0
eqs = """
dv/dt = (v0 - v)/tau : 1 (unless refractory)
v0 : 1
"""
G = NeuronGroup(3, eqs, threshold="v > 1", reset="v = 0", refractory=5 * ms, method="exact")
G.v0 = "i*v0_max/(N - 1)"
M = SpikeMonitor(G)
S = StateMonitor(G, "v", record=[2])
run(100 * ms)
isi = diff(M.t[M.i == 2] / ms)
print("ISI", mean(isi))
print("counts", M.count.tolist())
print("trace", S.v.shape, S.t[1] / ms)
