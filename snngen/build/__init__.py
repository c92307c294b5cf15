"""Generated source → compiled, cached, loaded module (see :mod:`snngen.build.cache`)."""
