import pytest

from snngen.build.cache import CACHE_ENV


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """One module cache for the whole session, so tests share compiled modules."""
    path = tmp_path_factory.mktemp("snngen-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(path))
        yield path
