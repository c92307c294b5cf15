"""The C compile of a network's module: its loop and its Python glue as two translation units,
compiled at once, with the whole file as the fallback."""

import logging

import pytest

from snngen import Network, NeuronGroup, SpikeMonitor, Synapses, ms, seed
from snngen.build import cache, compiler

pytestmark = pytest.mark.filterwarnings("ignore:threads = 2 is more than")

SPLIT = "compiled as two translation units"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch, caplog):
    """An empty cache of this test's own, so that its module is compiled here, and the
    compiler's log."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(cache, "_LOADED", {})
    caplog.set_level(logging.DEBUG, logger="snngen.build")
    return tmp_path


def noisy_network(threads=None):
    """Noise (the random-number helpers), synapses and a monitor: what a loop calls and
    writes, in one module; its spike count."""
    seed(5)
    group = NeuronGroup(200, "dv/dt = (-v + 15*mV)/(10*ms) + 3*mV*xi/sqrt(10*ms) : volt",
                        threshold="v > 10*mV", reset="v = 0*mV", method="euler")  # fmt: skip
    synapses = Synapses(group, group, on_pre="v += 0.2*mV")
    synapses.connect(p=0.05)
    spikes = SpikeMonitor(group)
    Network(group, synapses, spikes).run(20 * ms, threads=threads)
    return spikes.num_spikes


def optimisation_level(command):
    """gcc's effective ``-O`` flag: the last one given."""
    return [flag for flag in command if flag.startswith("-O")][-1]


@pytest.mark.parametrize("threads", [None, 2], ids=["serial", "openmp"])
def test_a_network_module_compiles_as_glue_and_loop(cache_dir, caplog, monkeypatch, threads):
    batches, succeed = [], compiler._succeed

    def recorded(commands, folder):
        batches.append(commands)
        return succeed(commands, folder)

    monkeypatch.setattr(compiler, "_succeed", recorded)
    spikes = noisy_network(threads)
    assert spikes > 0
    assert SPLIT in caplog.text
    # the loop (and the noise helpers it inlines) fully optimised; the glue, run once per call,
    # at the level that compiles it fastest
    glue_compile, loop_compile = batches[0]
    outputs = [command[command.index("-o") + 1] for command in (glue_compile, loop_compile)]
    assert outputs[0].endswith("_glue.o") and outputs[1].endswith("_loop.o")
    assert optimisation_level(loop_compile) == compiler.OPTIMISATION_FLAGS[0] == "-O3"
    assert optimisation_level(glue_compile) == compiler.GLUE_OPTIMISATION_FLAGS[0]
    (c_file,) = cache_dir.glob("*/_snngen_*.c")
    glue, loop = compiler.split_translation_unit(c_file.read_text())
    definition = f"\nvoid {compiler.LOOP_FUNCTION}(size_t "
    assert definition in loop and definition not in glue
    assert f"void {compiler.LOOP_FUNCTION}(size_t, " in glue  # declared, for the glue's call
    # none of the glue: it compiles on the other core
    assert "PyInit_" not in loop and "Code section: init_module" not in loop


def test_a_split_that_does_not_compile_falls_back_to_the_whole_file(cache_dir, caplog,
                                                                    monkeypatch):  # fmt: skip
    expected = noisy_network()
    monkeypatch.setenv(cache.CACHE_ENV, str(cache_dir / "again"))
    monkeypatch.setattr(cache, "_LOADED", {})
    monkeypatch.setattr(compiler, "split_translation_unit", lambda c: (c, "#error no loop here"))
    assert noisy_network() == expected
    assert "did not build apart; compiling it whole" in caplog.text


def test_a_module_without_the_loop_compiles_whole(cache_dir, caplog):
    module = cache.load_module("def add(double a, double b):\n    return a + b\n")
    assert module.add(1.5, 2.0) == 3.5
    assert "one translation unit (no loop to split off)" in caplog.text


def test_the_split_needs_cythons_sections():
    source = "\n".join(["int __pyx_module_is_main_m = 0;",
                        "/* #### Code section: module_code ### */",
                        f"void {compiler.LOOP_FUNCTION}(size_t a) {{", "  a = 1;", "}",
                        "static void glue(void) {", "}",
                        "/* #### Code section: utility_code_pragmas ### */", "int utility;",
                        "/* #### Code section: end ### */", ""])  # fmt: skip
    glue, loop = compiler.split_translation_unit(source)
    assert "a = 1;" in loop and "a = 1;" not in glue
    assert "glue(void)" in glue and "glue(void)" not in loop
    assert "int utility;" in glue and "int utility;" in loop
    # defined once, in the glue's unit, or the two would not link
    assert "__pyx_module_is_main_m = 0" in glue and "__pyx_module_is_main_m" not in loop
    for section in ("module_code", "utility_code_pragmas"):
        broken = source.replace(f"section: {section} ", "section: elsewhere ")
        assert compiler.split_translation_unit(broken) is None
    assert compiler.split_translation_unit(source.replace("\n}\n", "\n")) is None
    assert compiler.split_translation_unit("") is None
