"""Parameter sweeps: every point through one compiled module, failures kept per point."""

import numpy as np
import pytest

from snngen import Network, NeuronGroup, SpikeMonitor, ms, mV, seed
from snngen.errors import ModelError
from snngen.sweeps import grid, sweep

pytestmark = pytest.mark.usefixtures("shared_cache")


def build(n=10, tau=10 * ms):
    """LIF neurons driven above threshold: v(t) = I(1 - exp(-t/tau)) crosses 1 at
    t* = -tau ln(1 - 1/I), so each neuron fires every ceil(t*/dt) steps."""
    group = NeuronGroup(n, "dv/dt = (I - v)/tau : 1", threshold="v > 1", reset="v = 0",
                        method="exact", namespace={"tau": tau}, name="G")  # fmt: skip
    return [group, SpikeMonitor(group, name="spikes")]


def expected_count(current, tau=0.01, duration=0.1, dt=1e-4):
    period = np.ceil(-tau * np.log(1 - 1 / current) / dt - 1e-9)
    return int(duration / dt // period)


def counts(results, **point):
    """A module-level summary, so that worker processes can unpickle it."""
    return {"spikes": results["spikes"].num_spikes}


def test_a_network_sweep_sets_parameters_and_keeps_failed_points():
    seed(1)
    network = Network(build())
    points = [{"I": 1.5}, {"I": 3.0}, {"I": 2 * mV}, {"J": 1.0}]
    table = sweep(network, points, 100 * ms, summary=counts)
    assert [row["spikes"] for row in table.rows[:2]] == [10 * expected_count(1.5),
                                                         10 * expected_count(3.0)]  # fmt: skip
    assert "needs 1" in table.rows[2]["error"] and "no parameter 'J'" in table.rows[3]["error"]
    assert len(table.failed) == 2 and "spikes" not in table.rows[3]
    assert "I" in str(table).splitlines()[0]


def test_a_build_sweep_rebuilds_per_point_and_takes_names_from_the_point():
    table = sweep(build, grid(n=[5, 20], I=[2.0]), 100 * ms)
    rates = table.column("spikes rate (Hz)")
    # The rate does not depend on n; I comes from the point though build() does not take it.
    np.testing.assert_allclose(rates, expected_count(2.0) / 0.1)
    assert table.column("n").tolist() == [5, 20]


def test_a_failing_build_is_a_row_with_its_error():
    def broken(n):
        if n == 2:
            raise ValueError("no such size")
        return build(n)

    table = sweep(broken, grid(n=[1, 2, 3]), 10 * ms, namespace={"I": 2.0})
    assert [row["error"] for row in table.rows] == [None, "ValueError: no such size", None]


def test_worker_processes_give_the_serial_results():
    network = Network(build())
    points = grid(I=[1.5, 2.0, 4.0])
    serial = sweep(network, points, 50 * ms, summary=counts)
    parallel = sweep(network, points, 50 * ms, summary=counts, runner="processes", workers=2)
    assert serial.column("spikes").tolist() == parallel.column("spikes").tolist()
    with pytest.raises(ModelError, match="module-level function"):
        sweep(network, points, 50 * ms, summary=lambda results, **p: {}, runner="processes")


def test_a_dask_cluster_runs_the_shipped_module():
    distributed = pytest.importorskip("dask.distributed")
    network = Network(build())
    points = grid(I=[1.5, 3.0])
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       dashboard_address=None)  # fmt: skip
    with cluster, distributed.Client(cluster) as client:
        table = sweep(network, points, 50 * ms, summary=counts, runner=client)
    assert table.column("spikes").tolist() == [
        10 * expected_count(1.5, duration=0.05),
        10 * expected_count(3.0, duration=0.05),
    ]
