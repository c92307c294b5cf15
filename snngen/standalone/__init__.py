"""The part of snngen that a standalone build folder carries: numpy and the standard library only.

A folder written by :meth:`snngen.Network.export` (or ``snngen build``) holds the compiled
module, the network's data and a copy of this package, so that it reruns with Python and numpy
alone. Nothing here may import sympy, Jinja, Cython or the rest of snngen.
"""
