"""Cython's translation by a worker that stays warm: the same C and the same errors as the
command line, module after module, and the command line whenever no worker can serve."""

import subprocess

import pytest

from snngen.build import translator

SOURCE = "def add(double a, double b):\n    return a + b\n"


@pytest.fixture
def pyx(tmp_path):
    path = tmp_path / "module.pyx"
    path.write_text(SOURCE)
    return path


@pytest.fixture(autouse=True)
def no_worker_left(monkeypatch):
    """Each test starts without a worker and stops the ones it started."""
    monkeypatch.setattr(translator, "_worker", None)
    yield
    if translator._worker is not None:
        translator._discard(translator._worker)


def by_command_line(pyx):
    c_file = pyx.with_name("reference.c")
    subprocess.run(translator.cython_command(pyx, c_file), check=True, cwd=pyx.parent)
    return c_file.read_text()


def test_a_worker_translates_module_after_module_as_the_command_line_does(pyx):
    translator.start()
    worker = translator._worker
    other = pyx.with_name("other.pyx")
    other.write_text("cdef double scale = 2.0\n\ndef twice(double x):\n    return scale*x\n")
    for source in (pyx, other):
        assert translator.translate(source, source.with_suffix(".c")) == (0, "")
        assert source.with_suffix(".c").read_text() == by_command_line(source)
    assert translator._worker is worker and worker.poll() is None  # one worker, still warm


def test_a_worker_reports_cythons_error_and_serves_on(pyx):
    broken = pyx.with_name("broken.pyx")
    broken.write_text("def broken(:\n    pass\n")
    status, output = translator.translate(broken, broken.with_suffix(".c"))
    assert status != 0
    assert "Expected ')'" in output
    assert translator.translate(pyx, pyx.with_suffix(".c")) == (0, "")
    assert pyx.with_suffix(".c").read_text() == by_command_line(pyx)


def test_an_idle_worker_exits_and_the_next_translation_starts_one(pyx, monkeypatch):
    monkeypatch.setattr(translator, "IDLE_SECONDS", 0.5)
    translator.start()
    idle = translator._worker
    assert idle.wait(timeout=30) == 0  # warmed up, waited half a second, left
    assert translator.translate(pyx, pyx.with_suffix(".c")) == (0, "")
    assert translator._worker is not idle


def test_a_failed_worker_falls_back_to_the_command_line(pyx):
    translator.start()
    translator._worker.kill()  # as if it had crashed while warming up
    translator._worker.wait()
    translator._worker.poll = lambda: None  # and had not been noticed yet
    assert translator.translate(pyx, pyx.with_suffix(".c")) == (0, "")
    assert translator._worker is None
    assert pyx.with_suffix(".c").read_text() == by_command_line(pyx)


def test_without_a_worker_the_command_line_translates(pyx, monkeypatch):
    monkeypatch.setattr(translator, "start", lambda: None)  # as if none could be started
    assert translator.translate(pyx, pyx.with_suffix(".c"))[0] == 0
    assert pyx.with_suffix(".c").read_text() == by_command_line(pyx)


def test_a_forked_child_leaves_the_parents_worker_alone(pyx, monkeypatch):
    translator.start()
    parents = translator._worker
    monkeypatch.setattr(translator, "_owner_pid", -1)  # as seen from a forked child
    assert translator.translate(pyx, pyx.with_suffix(".c")) == (0, "")  # by a worker of its own
    assert translator._worker is not parents and parents.poll() is None
    translator._discard(parents)
