"""Cython's translation by a pre-started worker: the same C and the same errors as the command
line, and the command line whenever the worker cannot serve."""

import subprocess

import pytest

from snngen.build import translator

SOURCE = "def add(double a, double b):\n    return a + b\n"


@pytest.fixture
def pyx(tmp_path):
    path = tmp_path / "module.pyx"
    path.write_text(SOURCE)
    return path


def by_command_line(pyx):
    c_file = pyx.with_name("reference.c")
    subprocess.run(translator.cython_command(pyx, c_file), check=True, cwd=pyx.parent)
    return c_file.read_text()


def test_a_started_worker_translates_as_the_command_line_does(pyx):
    translator.start()
    worker = translator._worker
    assert worker is not None
    status, output = translator.translate(pyx, pyx.with_suffix(".c"))
    assert (status, output) == (0, "")
    assert worker.wait(timeout=10) == 0  # it served the request and exited
    assert translator._worker is None  # a worker serves once
    assert pyx.with_suffix(".c").read_text() == by_command_line(pyx)


def test_a_worker_reports_cythons_error(pyx):
    pyx.write_text("def broken(:\n    pass\n")
    translator.start()
    status, output = translator.translate(pyx, pyx.with_suffix(".c"))
    assert status != 0
    assert "Expected ')'" in output


def test_a_failed_worker_falls_back_to_the_command_line(pyx):
    translator.start()
    translator._worker.kill()  # as if it had crashed while warming up
    assert translator.translate(pyx, pyx.with_suffix(".c")) == (0, "")
    assert pyx.with_suffix(".c").read_text() == by_command_line(pyx)


def test_without_a_worker_the_command_line_translates(pyx):
    assert translator._worker is None
    assert translator.translate(pyx, pyx.with_suffix(".c"))[0] == 0


def test_a_forked_child_leaves_the_parents_worker_alone(pyx, monkeypatch):
    translator.start()
    worker = translator._worker
    monkeypatch.setattr(translator, "_owner_pid", -1)  # as seen from a forked child
    assert translator.translate(pyx, pyx.with_suffix(".c")) == (0, "")  # the command line's
    assert translator._worker is worker and worker.poll() is None  # still the parent's
    translator._discard(worker)
    monkeypatch.setattr(translator, "_worker", None)
