"""Checks remembered per structure: a passed check is skipped when the structure comes again,
in this process or (through the cache) in another; a failed one is not remembered. A check that
runs for the first time starts Cython's translator (the structure's module will be new)."""

import pytest

from snngen.build import checked
from snngen.build.cache import VERIFY_ENV

pytestmark = pytest.mark.usefixtures("shared_cache")


@pytest.fixture
def remembering(monkeypatch):
    monkeypatch.delenv(VERIFY_ENV)
    monkeypatch.setattr(checked, "_PASSED", set())
    starts = []
    monkeypatch.setattr(checked.translator, "start", lambda: starts.append(1))
    return starts


def test_a_passed_check_runs_once_per_structure_across_processes(remembering, monkeypatch):
    runs = []
    structure = ("dv/dt = -v/tau : volt", "test_checked", id(runs))  # new to the cache
    checked.check_once("test", structure, lambda: runs.append(1))
    checked.check_once("test", structure, lambda: runs.append(1))
    monkeypatch.setattr(checked, "_PASSED", set())  # a new process: only the cache remembers
    checked.check_once("test", structure, lambda: runs.append(1))
    assert runs == [1]
    checked.check_once("test", (*structure, "changed"), lambda: runs.append(2))
    assert runs == [1, 2]
    assert len(remembering) == 2  # translator started by each first run only


def test_a_failed_check_raises_every_time(remembering):
    def fails():
        raise ValueError("wrong units")

    structure = ("broken", id(fails))
    for _ in range(2):
        with pytest.raises(ValueError, match="wrong units"):
            checked.check_once("test", structure, fails)


def test_with_verification_every_check_runs(monkeypatch):
    monkeypatch.setenv(VERIFY_ENV, "1")
    runs = []
    for _ in range(2):
        checked.check_once("test", ("verified",), lambda: runs.append(1))
    assert runs == [1, 1]


def test_an_empty_cache_starts_the_translator_at_import(remembering, tmp_path, monkeypatch):
    from snngen.build.cache import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    checked.expect_first_checks()  # nothing has ever passed here: this process will compile
    assert remembering == [1]
    checked.check_once("test", ("first",), lambda: None)  # a passed check fills the memo
    remembering.clear()
    checked.expect_first_checks()
    assert remembering == []
    monkeypatch.setenv(VERIFY_ENV, "1")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "empty"))
    checked.expect_first_checks()  # verification runs (the test suite) start nothing early
    assert remembering == []
