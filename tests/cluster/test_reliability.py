"""Reliability on real clusters: failovers under load lose no write a replica confirmed (WAIT 1),
and a stopped cluster comes back with all its data."""
from __future__ import annotations

import helpers
from helpers import faults


def test_no_write_confirmed_by_wait_is_lost_over_ten_kills(cluster) -> None:
    state, rc = cluster
    writer = faults.Writer(wait_ms=100).start()
    try:
        for kill in range(10):
            victim = faults.master_of(("a", "b", "c")[kill % 3])  # slots 15495, 3300, 7365
            faults.kill(victim)
            writer.mark(f"kill {kill}")
            faults.wait_for_failover(victim, timeout=60)
            faults.restart(victim)
            helpers.up()  # returns once the old master is a replica in sync
    finally:
        writes = writer.stop()
    report = faults.lost_writes(writes).set_index("outcome")
    assert report.loc["replicated", "writes"] > 1000
    assert report.loc["failed", "writes"] > 0  # the kills did hit the writer
    assert report.loc["replicated", "lost"] == 0, report


def test_a_stopped_cluster_comes_back_with_all_its_data(cluster) -> None:
    _, rc = cluster
    rc.mset_nonatomic({f"durable:{number}": number for number in range(2000)})
    rc.close()
    helpers.down()
    assert helpers.status()["running"] is False
    helpers.up()
    fresh = helpers.connect()
    values = fresh.mget_nonatomic([f"durable:{number}" for number in range(2000)])
    fresh.close()
    assert values == [str(number) for number in range(2000)]


def test_the_course_topology_without_replicas_goes_down_with_one_master(cluster) -> None:
    from helpers.cluster.local import create_with_redis_cli, start_empty_nodes, stop_empty_nodes
    from helpers.resp import Connection, ReplyError
    import pytest

    course = start_empty_nodes(masters=3, replicas=0)
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
