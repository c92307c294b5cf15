"""Lowering of update rules and network objects to Cython, and its printing."""
