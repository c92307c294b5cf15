"""The module cache: one entry per source, atomic publication, recovery, clear errors.

Each test uses its own cache directory; the modules are tiny so a build takes ~2 s.
"""

import subprocess
import sys
import textwrap

import pytest

from snngen.build import cache, compiler
from snngen.cli import main
from snngen.errors import CompilationError

SOURCE = "def add(double a, double b):\n    return a + b\n"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(cache, "_LOADED", {})
    return tmp_path


def count_builds(monkeypatch):
    calls = []
    real = compiler.compile_extension

    def counting(pyx, openmp=False):
        calls.append(pyx)
        return real(pyx, openmp)

    monkeypatch.setattr(cache, "compile_extension", counting)
    return calls


def test_build_then_hit(cache_dir, monkeypatch):
    builds = count_builds(monkeypatch)
    assert cache.load_module(SOURCE).add(1.5, 2.0) == 3.5
    monkeypatch.setattr(cache, "_LOADED", {})  # as a new process would
    assert cache.load_module(SOURCE).add(1.0, 1.0) == 2.0
    assert len(builds) == 1
    assert [e.name for e in cache.entries()] == [cache.source_key(SOURCE)]


def test_key_depends_on_source_and_toolchain():
    assert cache.source_key(SOURCE) != cache.source_key(SOURCE + "\n")
    assert cache.source_key(SOURCE) == cache.source_key(SOURCE)
    assert cache.source_key(SOURCE) != cache.source_key(SOURCE, openmp=True)
    assert "Cython" in compiler.toolchain_fingerprint()


def test_compile_failure_reports_compiler_output_and_keeps_source(cache_dir):
    with pytest.raises(CompilationError) as info:
        cache.load_module("def broken(:\n    pass\n")
    error = info.value
    assert "Expected ')'" in error.output
    assert "cython" in " ".join(error.command)
    assert error.source_path in str(error)
    with open(error.source_path) as kept:
        assert "def broken" in kept.read()
    assert cache.entries() == []  # nothing published


def test_interrupted_build_leaves_no_entry(cache_dir, monkeypatch):
    def interrupted(pyx, openmp=False):
        pyx.with_suffix(".c").write_text("/* half written */")
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "compile_extension", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.load_module(SOURCE)
    assert cache.entries() == []
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".build-")]


def build_in_subprocess(source):
    script = f"from snngen.build.cache import load_module; load_module({source!r})"
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def test_corrupt_entry_is_rebuilt_with_a_warning(cache_dir):
    # Built by another process: overwriting a library this process has mapped would crash it.
    source = SOURCE.replace("add", "plus")
    build_in_subprocess(source)
    (entry,) = cache.entries()
    for library in entry.glob("*.so"):
        library.write_bytes(b"not an ELF file")
    with pytest.warns(RuntimeWarning, match="rebuilding"):
        module = cache.load_module(source)
    assert module.plus(2.0, 2.0) == 4.0


def test_concurrent_processes_publish_one_entry(cache_dir):
    script = textwrap.dedent(
        f"""
        from snngen.build.cache import load_module
        assert load_module({SOURCE!r}).add(1.0, 2.0) == 3.0
        """
    )
    workers = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(3)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    assert len(cache.entries()) == 1
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".build-")]


def test_clear_and_info(cache_dir, capsys):
    cache.load_module(SOURCE)
    assert main(["cache", "info"]) == 0
    assert "modules:    1" in capsys.readouterr().out
    assert cache.clear_cache() == 1
    assert cache.entries() == []


def test_loading_a_module_keeps_subnormal_numbers(cache_dir):
    # The loops are compiled with unsafe-math flags; linking with them would add crtfastmath,
    # whose constructor flushes subnormals to zero in the whole process (numpy included).
    import numpy as np

    cache.load_module(SOURCE)
    assert (np.array([5e-324]) * 1.0)[0] > 0


def test_memoised_text_is_made_once_and_a_damaged_file_is_made_again(cache_dir):
    made = []

    def make():
        made.append(1)
        return "source\nline two\n"

    assert cache.memoised_text("sources", "k", make) == "source\nline two\n"
    assert cache.memoised_text("sources", "k", make) == "source\nline two\n"
    assert len(made) == 1
    path = cache_dir / "memo" / "sources" / "k"
    path.write_text(path.read_text().replace("two", "2"))  # damaged: the digest no longer fits
    with pytest.warns(RuntimeWarning, match="damaged"):
        assert cache.memoised_text("sources", "k", make) == "source\nline two\n"
    assert len(made) == 2
    assert cache.clear_cache() == 0 and not path.exists()


def test_rendered_source_is_memoised_by_program(cache_dir, monkeypatch):
    """A warm process reads the source back: neither Jinja nor rendering is needed."""
    from snngen.codegen import render
    from snngen.codegen.program import Program

    program = Program((), (), (), (), (), (), (), (), (), (), (), "_s0", "_a0", "_a1")
    first = render.source(program)
    monkeypatch.setattr(render, "render", lambda p: pytest.fail("rendered again"))
    assert render.source(program) == first
