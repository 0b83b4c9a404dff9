"""Reliability on real clusters: failovers under load lose no write a replica confirmed (WAIT 1),
and a stopped cluster comes back with all its data."""
from __future__ import annotations

import time

import helpers
from helpers import faults, labs


def test_no_write_confirmed_by_wait_is_lost_over_three_kills(own_cluster) -> None:
    # One kill per master; bench/failover.py runs more rounds, for its figures.
    state, rc = own_cluster
    writer = labs.FailoverWriter(wait_ms=100).start()
    try:
        for kill in range(3):
            victim = faults.master_of(("a", "b", "c")[kill % 3])  # slots 15495, 3300, 7365
            faults.kill(victim)
            writer.mark(f"kill {kill}")
            faults.wait_for_failover(victim, timeout=60)
            faults.restart(victim)
            helpers.up()  # returns once the old master is a replica in sync
    finally:
        writes = writer.stop()
    report = labs.lost_writes(writes)
    # Enough confirmed writes for "none lost" to mean something: about 100 per round at least
    # (a quiet machine does ten times more; two test workers share its two cores).
    assert report.loc["replicated", "writes"] > 300
    assert report.loc[["refused", "no answer"], "writes"].sum() > 0  # the kills did hit the writer
    assert report.loc["replicated", "lost"] == 0, report
    assert report.loc["refused", "kept"] == 0  # an error reply means the write was not applied
    # Not only the dead master's slots: once the failure is agreed, every master says CLUSTERDOWN.
    assert writes.query("error == 'CLUSTERDOWN'")["port"].nunique() >= 2, writes["error"].value_counts()


def test_without_full_coverage_the_healthy_masters_keep_serving_through_a_failover(own_cluster) -> None:
    from helpers.topology import every_node
    state, rc = own_cluster
    rc.config_set("cluster-require-full-coverage", "no", "cluster-allow-reads-when-down", "yes",
                  target_nodes=every_node(rc))
    writer = labs.FailoverWriter(wait_ms=100).start()
    try:
        victim = faults.master_of("a")
        faults.kill(victim)
        writer.mark("kill")
        promoted = faults.wait_for_failover(victim, timeout=60)
        time.sleep(0.5)
    finally:
        writes = writer.stop()
    healthy = writes[~writes["port"].isin([victim, promoted]) & (writes["seconds"] > writer.marks["kill"])]
    assert len(healthy) > 100  # they were written to during the failover
    assert (healthy["outcome"] == "refused").sum() == 0, healthy["error"].value_counts()
    assert (writes.loc[writes["port"] == victim, "outcome"] == "refused").sum() > 0


def test_kill_9_right_after_a_burst_of_writes_loses_nothing(own_cluster) -> None:
    from helpers.topology import every_node
    _, rc = own_cluster
    ports = [node.port for node in every_node(rc)]
    rc.mset_nonatomic({f"burst:{number}": number for number in range(20_000)})
    faults.kill(*ports)  # every node, masters and replicas, milliseconds after the last OK
    rc.close()
    assert all(faults.role(port) is None for port in ports)
    for port in ports:
        faults.restart(port)
    helpers.up()
    fresh = helpers.connect()
    values = fresh.mget_nonatomic([f"burst:{number}" for number in range(20_000)])
    fresh.close()
    assert values == [str(number) for number in range(20_000)]


def test_a_stopped_cluster_comes_back_with_all_its_data(own_cluster) -> None:
    _, rc = own_cluster
    rc.mset_nonatomic({f"durable:{number}": number for number in range(2000)})
    rc.close()
    helpers.down()
    assert helpers.status()["running"] is False
    helpers.up()
    fresh = helpers.connect()
    values = fresh.mget_nonatomic([f"durable:{number}" for number in range(2000)])
    fresh.close()
    assert values == [str(number) for number in range(2000)]


def test_the_course_topology_without_replicas_goes_down_with_one_master(workshop, redis_server) -> None:
    from helpers.cluster import start_empty_nodes, stop_empty_nodes
    from helpers.resp import Connection, ReplyError
    from helpers.tools import create_with_redis_cli
    import pytest

    helpers.up()  # the course's nodes start beside the workshop's cluster, on its backend
    course = start_empty_nodes()
    try:
        create_with_redis_cli(course.spec)
        first, second, _ = course.spec.ports
        faults.wait_for_cluster_state(second, "ok")
        faults.kill(first)
        faults.wait_for_cluster_state(second, "fail")
        survivor = Connection("127.0.0.1", second)
        with pytest.raises(ReplyError, match="CLUSTERDOWN"):
            survivor.ask(("SET", "c", "on a living master"))  # slot 7365 is the second master's
        survivor.close()
    finally:
        stop_empty_nodes(course)
