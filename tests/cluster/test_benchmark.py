"""redis-benchmark driven by helpers.measure (notebooks 03 and 05), on a cluster with a password; what
the student reads of the measurements in their language, the columns kept as data."""
from __future__ import annotations

import pytest

import helpers
from helpers import measure
from helpers.i18n import _
from tests.messages import said


def test_the_benchmark_grid_and_cpu_run_log_in_to_a_password_cluster(shared_password_cluster) -> None:
    grid = measure.redis_benchmark_grid(clients=(1,), pipelines=(1, 4), requests=2_000)
    assert list(grid["pipeline"]) == [1, 4] and (grid["requests/s"] > 0).all()
    run = measure.benchmark_cpu(clients=2, pipeline=4, requests=4_000)
    assert run["requests/s"] > 0 and run["nodes that ran it"] >= 1


def test_the_writers_are_named_in_the_students_language_and_the_columns_stay_data(shared_password_cluster,
                                                                                    monkeypatch) -> None:
    _state, rc = shared_password_cluster
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    writers = measure.compare_writers(rc, count=300)
    assert list(writers.columns) == ["method", "keys", "seconds", "keys/s"]  # what the notebooks index by
    one, pipeline, bulk = writers["method"]
    assert said(one, "redis-py, one SET at a time") and one == _("redis-py, one SET at a time")
    assert one == "redis-py, un SET à la fois"
    assert said(pipeline, "redis-py ClusterPipeline ({batch:,} per batch)", batch=1_000)
    assert pipeline == "redis-py ClusterPipeline (1\u202f000 par lot)" and bulk == "helpers.data.bulk_load"
    assert (writers["keys"] == 300).all() and (writers["keys/s"] > 0).all()


def test_a_run_without_figures_is_an_error_in_the_students_language(monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    with pytest.raises(helpers.WorkshopError) as caught:
        measure.redis_benchmark_figures("Could not connect to Redis at 127.0.0.1:7000: Connection refused\n")
    assert said(caught.value, "redis-benchmark gave no figures", output="Could not connect to Redis at "
                "127.0.0.1:7000: Connection refused\n")
    assert str(caught.value).startswith("redis-benchmark n’a donné aucun chiffre\u00a0: 'Could not connect")
