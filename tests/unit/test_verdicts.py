"""Notebook 05's verdict rules: other figures give other verdicts, and each rule says why."""
from __future__ import annotations

from helpers import verdicts


def test_performance_is_millions_only_when_a_run_reached_a_million() -> None:
    slow = verdicts.performance(cluster_best=119_048, one_process_best=853_746)
    assert slow.verdict.startswith("Fast, not millions here: 853,746/s")
    assert "853,746 < 1,000,000" in slow.rule
    fast = verdicts.performance(cluster_best=119_048, one_process_best=1_204_000)
    assert fast.verdict == "True here: 1,204,000/s (one process, pipelined)"
    assert verdicts.performance(2_000_000, 900_000).verdict.endswith("(the cluster)")


def test_throughput_limit_names_what_was_saturated() -> None:
    machine = verdicts.throughput_limit(0.4, 0.5, 1.5, machine_busy=0.97, cores=2)
    assert machine.verdict.startswith("the machine's 2 cores")
    others = verdicts.throughput_limit(0.2, 0.2, 0.6, machine_busy=0.97, cores=2)
    assert others.verdict.startswith("other programs")
    client = verdicts.throughput_limit(0.98, 0.5, 1.2, machine_busy=0.55, cores=4)
    assert client.verdict == "the benchmark client's own CPU"
    assert verdicts.throughput_limit(0.98, 0.5, 1.2, 0.55, 4, benchmark_threads=2).verdict \
        != "the benchmark client's own CPU"  # two threads: 0.98 cores is half of what it can use
    node = verdicts.throughput_limit(0.5, 0.95, 1.2, machine_busy=0.4, cores=8)
    assert node.verdict == "one node's main thread"
    idle = verdicts.throughput_limit(0.1, 0.1, 0.3, machine_busy=0.1, cores=8)
    assert idle.verdict.startswith("round trips")


def test_scalability_needs_keys_moved_and_none_lost_or_seen_failing() -> None:
    assert verdicts.scalability(2004, 0, 0).verdict == "True"
    assert verdicts.scalability(2004, 3, 0).verdict == "False here"
    assert verdicts.scalability(2004, 0, 12).verdict == "False here"
    assert verdicts.scalability(0, 0, 0).verdict.startswith("Not shown")


def test_reliability_depends_on_confirmed_writes_restart_kill_9_and_replicas() -> None:
    assert verdicts.reliability(0, 8, 0, True, 20_000, 20_000, 0).verdict == "True with replicas"
    assert verdicts.reliability(1, 8, 0, True, 20_000, 20_000, 0).verdict == "False here"
    assert verdicts.reliability(0, 8, 0, True, 20_000, 19_999, 0).verdict == "False here"
    assert verdicts.reliability(0, 8, 0, True, 20_000, 20_000, 3).verdict == "False here"
    assert verdicts.reliability(0, 8, 0, False, 20_000, 20_000, 0).verdict == "True"
    assert "healthy masters refused or left unanswered 8 writes (full coverage yes), 0 (no)" in \
        verdicts.reliability(0, 8, 0, True, 20_000, 20_000, 0).rule


def test_ease_flexibility_security_cost_follow_their_figures() -> None:
    assert verdicts.ease(2.5).verdict == "Easy to start"
    assert verdicts.ease(42.0).verdict == "Slow to start here"
    assert verdicts.flexibility(6, 240).verdict == "True"
    assert verdicts.flexibility(5, 240).verdict == "Only the basics"
    assert verdicts.security(True, True, True).verdict == "Only once configured"
    assert verdicts.security(True, False, True).verdict == "False here"
    assert verdicts.security(False, True, True).verdict == "True"
    assert verdicts.cost("BSD-3-Clause (open source)").verdict == "True for this version"
    assert verdicts.cost("RSALv2 or SSPLv1 (source-available, not OSI open source)").verdict \
        == "Source-available, not open source"
    assert verdicts.cost("RSALv2, SSPLv1 or AGPLv3 (AGPLv3 is open source)").verdict == "True for this version"


def test_figures_recorded_by_05_are_read_by_07_and_a_missing_one_says_what_to_run(tmp_path, monkeypatch) -> None:
    import numpy as np
    import pytest

    from helpers.errors import WorkshopError

    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    with pytest.raises(WorkshopError, match="No 'keys_moved' measured yet on this machine: run notebook 05"):
        verdicts.recorded()["keys_moved"]
    verdicts.record(keys_moved=np.int64(1262), cluster_best=np.float64(119_048.5))
    verdicts.record(course_went_down=True)  # added to the others
    assert dict(verdicts.recorded()) == {"keys_moved": 1262, "cluster_best": 119_048.5,
                                         "course_went_down": True}


def test_encryption_is_only_with_tls_and_names_its_price() -> None:
    priced = verdicts.encryption(True, False, throughput_ratios=[0.73, 0.62, 0.87], p50_ratios=[1.31, 1.5, 1.2])
    assert priced.verdict == "Only with TLS, which cost 13%–38% of the throughput here"
    assert "0.73× requests/s (median), 1.31× p50" in priced.rule
    assert verdicts.encryption(True, False, [0.97, 1.01], [0.99, 1.0]).verdict == \
        "Only with TLS, at no measurable cost here"
    assert verdicts.encryption(True, True, [0.7], [1.3]).verdict == "Not shown"  # TLS did not hide it
    assert verdicts.encryption(False, False, [0.7], [1.3]).verdict == "Not shown"  # nothing to hide
