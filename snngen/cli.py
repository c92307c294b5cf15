"""The ``snngen`` command line (also ``python -m snngen``).

``snngen cache info`` shows where compiled modules are cached and how much space they take;
``snngen cache clear`` removes them.
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="snngen", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cache = commands.add_parser("cache", help="inspect or clear the compiled-module cache")
    cache.add_argument("action", choices=["info", "clear"])
    args = parser.parse_args(argv)
    from snngen.build import cache as module_cache

    if args.action == "clear":
        removed = module_cache.clear_cache()
        print(f"removed {removed} cached module(s) from {module_cache.cache_root()}")
    else:
        print(module_cache.describe())
    return 0
