import pytest

from snngen.build.cache import CACHE_ENV, VERIFY_ENV


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """One module cache for the whole session, so tests share compiled modules."""
    path = tmp_path_factory.mktemp("snngen-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(path))
        yield path


@pytest.fixture(scope="session", autouse=True)
def verified_memo():
    """Every lowering recalled from the memo is compared with a fresh one, and every check
    remembered per structure runs again (a structural fact missing from a key would otherwise
    go unnoticed; see snngen.codegen.memo and snngen.build.checked)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(VERIFY_ENV, "1")
        yield
