"""redis-benchmark driven by helpers.measure (notebooks 03 and 05), on a cluster with a password."""
from __future__ import annotations

from helpers import measure


def test_the_benchmark_grid_and_cpu_run_log_in_to_a_password_cluster(shared_password_cluster) -> None:
    grid = measure.redis_benchmark_grid(clients=(1,), pipelines=(1, 4), requests=2_000)
    assert list(grid["pipeline"]) == [1, 4] and (grid["requests/s"] > 0).all()
    run = measure.benchmark_cpu(clients=2, pipeline=4, requests=4_000)
    assert run["requests/s"] > 0 and run["nodes that ran it"] >= 1
