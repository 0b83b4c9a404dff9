"""helpers.faults on the local backend: a killed master is replaced; a paused node comes back."""
from __future__ import annotations

import time

import pytest

import helpers
from helpers import faults
from tests.messages import said


def test_a_killed_master_is_replaced_by_its_replica_and_rejoins_as_one(own_cluster) -> None:
    state, rc = own_cluster
    master, replica = state.spec.ports[0], state.spec.ports[3]  # 3x1: node 3 replicates node 0
    rc.set("before{b}", "kept")  # slot 3300, served by the first master
    faults.kill(master)
    assert faults.role(master) is None
    assert faults.wait_for_failover(master, timeout=60) == replica
    faults.restart(master)
    faults.wait_for_role(master, "slave")
    assert faults.role(master) == "slave"
    assert repr(helpers.up()).startswith("local cluster")  # ready again, roles swapped
    fresh = helpers.connect()
    assert fresh.get("before{b}") == "kept"
    fresh.close()


def test_waiting_for_a_failover_already_over_returns_the_promoted_replica(own_cluster) -> None:
    # With a short cluster-node-timeout the promotion can be over before the next cell asks.
    state, _ = own_cluster
    master, replica = state.spec.ports[1], state.spec.ports[4]  # node 4 replicates node 1
    faults.kill(master)
    faults.wait_for_role(replica, "master")
    for _ in range(600):  # until the first survivor, too, says the replica owns "c" (slot 7365)
        if faults.master_of("c") == replica:
            break
        time.sleep(0.05)
    assert faults.wait_for_failover(master, timeout=60) == replica


def test_a_paused_node_answers_nothing_until_resumed(own_cluster) -> None:
    state, _ = own_cluster
    replica = state.spec.ports[4]
    faults.pause(replica)
    try:
        assert faults.role(replica) is None
    finally:
        faults.resume(replica)
    faults.wait_for_role(replica, "slave")
    assert faults.role(replica) == "slave"


def test_a_write_whose_reply_never_came_can_still_be_applied(own_cluster) -> None:
    """Why retries must be idempotent (notebook 05): the client timed out, the INCR happened."""
    import redis
    _, rc = own_cluster
    port = faults.master_of("clicks")
    node = redis.Redis(port=port, socket_timeout=0.5, retry=None)
    assert node.ping()  # connected before the freeze: the INCR itself is what goes unanswered
    faults.pause(port)
    try:
        with pytest.raises(redis.TimeoutError):
            node.incr("clicks")
    finally:
        faults.resume(port)
    node.close()
    deadline = time.monotonic() + 5
    while rc.get("clicks") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rc.get("clicks") == "1"


def test_bad_fault_requests_are_clear(shared_cluster) -> None:
    state, _ = shared_cluster
    with pytest.raises(helpers.WorkshopError) as caught:
        faults.wait_for_role(state.spec.ports[5], "master", timeout=0.2)
    assert said(caught.value, "The node on port {port} was not a {wanted} after", port=state.spec.ports[5],
                wanted="master", timeout=0.2)
    with pytest.raises(helpers.WorkshopError) as caught:  # helpers.cluster's
        faults.kill(1)
    assert said(caught.value, "No node of this cluster listens on port {port}; its ports are", port=1)
    with pytest.raises(helpers.WorkshopError) as caught:
        faults.wait_for_failover(state.spec.ports[5], timeout=1)
    assert said(caught.value, "The node on port {port} served no slots: only a master's death causes a failover",
                port=state.spec.ports[5])


def test_a_fault_error_speaks_french_to_a_french_student(shared_cluster, monkeypatch) -> None:
    state, _ = shared_cluster
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    replica = state.spec.ports[5]
    with pytest.raises(helpers.WorkshopError) as caught:
        faults.wait_for_role(replica, "master", timeout=0.2)
    assert said(caught.value, "The node on port {port} was not a {wanted} after", port=replica, wanted="master")
    assert str(caught.value) == f"Le nœud du port {replica} n’avait toujours pas le rôle master au bout de 0 s."


def test_node_views_see_suspicion_then_failure_then_the_promoted_replica(own_cluster) -> None:
    from helpers import faults, labs

    state, _ = own_cluster
    victim = faults.master_of("a")
    views = labs.NodeViews(victim).start()
    time.sleep(0.3)
    faults.kill(victim)
    views.mark("kill")
    promoted = faults.wait_for_failover(victim)
    time.sleep(2)
    seen = views.stop()
    assert set(seen["observer"]) == set(state.spec.ports) - {victim}
    moments = labs.first_seen(seen, victim, since=views.marks["kill"])
    assert moments["fail?"].notna().any()  # some node suspected it on its own clock first
    assert (moments["fail?"].dropna() <= moments.loc[moments["fail?"].notna(), "fail"]).all()
    assert (moments["fail"] <= moments["served by another"]).all()
    held, won = seen[seen["serving"] == victim], seen[seen["serving"] == promoted]
    assert won["config epoch"].min() > held["config epoch"].max()
