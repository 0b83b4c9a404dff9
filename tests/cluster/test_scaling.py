"""Notebook 05's scaling lab on a real cluster: redis-cli grows and shrinks it while an
application writes, a replica migrates to an orphan, and the helpers clean up after it."""
from __future__ import annotations

import pytest

import helpers
from helpers import faults, labs, scaling, tools
from helpers.cluster.base import port_is_free
from tests.messages import said


def _id(port: int) -> str:
    return tools.redis_cli(f"-p {port} cluster myid")


def _replica_counts(port: int) -> list[int]:
    view = scaling.cluster_view(port)
    return sorted(sum(other.master_id == node.id for other in view) for node in view if node.is_master)


def test_redis_cli_grows_and_shrinks_the_cluster_under_load_and_nothing_is_lost(own_cluster) -> None:
    state, rc = own_cluster
    entry = f"127.0.0.1:{state.spec.ports[0]}"
    rc.mset_nonatomic({f"before:{number}": number for number in range(5000)})
    workload = labs.Workload().start()
    try:
        new_master, new_replica = scaling.start_extra_nodes()
        tools.redis_cli(f"--cluster add-node 127.0.0.1:{new_master} {entry}")
        scaling.wait_agreement()
        new_id = _id(new_master)
        tools.redis_cli(f"--cluster add-node 127.0.0.1:{new_replica} {entry} --cluster-slave "
                        f"--cluster-master-id {new_id}")
        resharded = tools.redis_cli(f"--cluster reshard {entry} --cluster-from all --cluster-to {new_id} "
                                    "--cluster-slots 300 --cluster-yes")
        scaling.wait_agreement()
        keys_moved = int(tools.redis_cli(f"-p {new_master} dbsize"))
        refusal = tools.redis_cli(f"--cluster del-node {entry} {new_id}", refused=True)
        # Emptied, the new master turns into a replica, and its replica follows it.
        tools.redis_cli(f"--cluster rebalance {entry} --cluster-weight {new_id}=0")
        scaling.wait_agreement()
        role = tools.redis_cli(f"-p {new_master} role").splitlines()[0]
        counts = _replica_counts(state.spec.ports[0])
        for port in (new_master, new_replica):
            tools.redis_cli(f"--cluster del-node {entry} {_id(port)}")
        scaling.stop_extra_nodes()
        scaling.wait_agreement()
    finally:
        log = workload.stop()
    assert "   … " in resharded and "more lines like these" in resharded  # 300 slots, abridged
    assert 5000 * 300 / 16384 * 0.5 < keys_moved < 5000 * 300 / 16384 * 2 + workload.written
    assert "is not empty! Reshard data away and try again." in refusal
    assert role == "slave" and counts == [1, 1, 3]
    assert (log["error"] == "").all(), log[log["error"] != ""].head()
    assert workload.written > 100
    fresh = helpers.connect()
    assert fresh.mget_nonatomic([f"before:{number}" for number in range(5000)]) == [str(n) for n in range(5000)]
    during = fresh.mget_nonatomic([f"workload:{number}" for number in range(workload.written)])
    assert during == [str(number) for number in range(workload.written)]
    assert len(fresh.get_primaries()) == 3
    fresh.close()
    assert port_is_free(new_master) and port_is_free(new_replica)


def test_a_replica_migrates_to_an_orphan_and_replica_moves_mend_what_del_node_leaves(own_cluster) -> None:
    state, _ = own_cluster
    entry = f"127.0.0.1:{state.spec.ports[0]}"
    spare, second = scaling.start_extra_nodes()
    view = scaling.cluster_view(state.spec.ports[0])
    masters = [node for node in view if node.is_master]
    for port in (spare, second):  # two spare replicas of the first master: it has three
        tools.redis_cli(f"--cluster add-node 127.0.0.1:{port} {entry} --cluster-slave "
                        f"--cluster-master-id {masters[0].id}")
        scaling.wait_agreement()
    assert _replica_counts(entry_port := state.spec.ports[0]) == [1, 1, 3]
    orphan = masters[1]
    victim = next(node.port for node in view if node.master_id == orphan.id)
    faults.kill(victim)
    seconds = scaling.wait_for_replicas(dead=victim)
    # node timeout (2 s) to fail, then CLUSTER_SLAVE_MIGRATION_DELAY (5 s) before it moves
    assert seconds > 5
    scaling.wait_agreement()
    adopted = [node for node in scaling.cluster_view(entry_port) if node.master_id == orphan.id
               and node.port != victim]
    assert len(adopted) == 1
    faults.restart(victim)
    # Deleting both extra nodes may leave a master without a replica, which replica migration
    # does not mend (a replica removed on purpose makes no orphan): replica_moves plans it.
    for port in (spare, second):
        tools.redis_cli(f"--cluster del-node {entry} {_id(port)}")
    scaling.stop_extra_nodes()
    scaling.wait_agreement()
    for port, master_id in scaling.replica_moves():
        tools.redis_cli(f"-p {port} cluster replicate {master_id}")
    scaling.wait_for_replicas()
    scaling.wait_agreement()
    assert _replica_counts(entry_port) == [1, 1, 1]
    assert scaling.replica_moves() == []


def test_a_node_still_loading_its_data_forgets_the_extra_nodes_too(own_cluster) -> None:
    # A restarted node answers -LOADING until its data is in memory (on Docker, faults.restart
    # returns before). Skipped by the FORGET sweep, it would bring the extra nodes back later.
    state, rc = own_cluster
    entry = f"127.0.0.1:{state.spec.ports[0]}"
    rc.mset_nonatomic({f"key:{number}": number for number in range(6000)})
    first, _ = scaling.start_extra_nodes()
    tools.redis_cli(f"--cluster add-node 127.0.0.1:{first} {entry}")
    scaling.wait_agreement()
    extra_id = _id(first)
    view = scaling.cluster_view(state.spec.ports[0])
    replica = next(node for node in view if node.is_replica)
    other_master = next(node for node in view if node.is_master and node.slots
                        and node.id != replica.master_id)
    # The replica follows another master: a full sync, loaded slowly (3 ms a key), with answers
    # (-LOADING) between keys.
    tools.redis_cli(f"-p {replica.port} config set key-load-delay 3000")
    tools.redis_cli(f"-p {replica.port} config set loading-process-events-interval-bytes 1024")
    tools.redis_cli(f"-p {replica.port} cluster replicate {other_master.id}")
    while "loading:1" not in tools.redis_cli(f"-p {replica.port} info persistence"):
        pass
    tools.redis_cli(f"--cluster del-node {entry} {extra_id}")
    scaling.stop_extra_nodes()
    assert "loading:0" in tools.redis_cli(f"-p {replica.port} info persistence")
    tools.redis_cli(f"-p {replica.port} config set key-load-delay 0")
    assert [port for port in state.spec.ports if extra_id in tools.redis_cli(f"-p {port} cluster nodes")] == []


def test_extra_nodes_left_behind_are_forgotten_replaced_or_stopped(own_cluster) -> None:
    state, _ = own_cluster
    entry = f"127.0.0.1:{state.spec.ports[0]}"
    first, _ = scaling.start_extra_nodes()
    tools.redis_cli(f"--cluster add-node 127.0.0.1:{first} {entry}")
    scaling.wait_agreement()
    # A student runs the cell again: the joined node is forgotten and replaced by a fresh one.
    again, _ = scaling.start_extra_nodes()
    scaling.wait_agreement()
    assert len(scaling.cluster_view(state.spec.ports[0])) == 6
    assert tools.redis_cli(f"-p {again} cluster nodes").count("\n") == 0  # alone, in no cluster
    # One that serves slots is not dropped: its keys would go with it.
    tools.redis_cli(f"--cluster add-node 127.0.0.1:{again} {entry}")
    scaling.wait_agreement()
    tools.redis_cli(f"--cluster reshard {entry} --cluster-from all --cluster-to {_id(again)} "
                    "--cluster-slots 10 --cluster-yes")
    scaling.wait_agreement()
    with pytest.raises(helpers.WorkshopError) as caught:
        scaling.start_extra_nodes()
    assert said(caught.value, "The extra node on port {port} still serves {count} slot", port=again, count=10,
                id=_id(again))
    # helpers.up() says at once what to do, rather than waiting for a shape that cannot come.
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.up()
    assert said(caught.value.args[0].params["problem"], "{address} sees {masters} masters and {count} replica")
    helpers.down(purge=True)
    assert port_is_free(again)


def test_redis_cli_refusals_are_shown_and_a_success_where_one_was_expected_is_an_error(own_cluster) -> None:
    state, _ = own_cluster
    entry = f"127.0.0.1:{state.spec.ports[0]}"
    refusal = tools.redis_cli(f"--cluster reshard {entry} --cluster-from all --cluster-to {'0' * 40} "
                              "--cluster-slots 10 --cluster-yes", refused=True)
    assert refusal.splitlines()[-1].startswith("*** The specified node (0000")
    with pytest.raises(helpers.WorkshopError) as caught:
        tools.redis_cli(f"--cluster check {entry}", refused=True)
    assert said(caught.value, "`redis-cli {line}` was expected to refuse", line=f"--cluster check {entry}")
    with pytest.raises(helpers.WorkshopError) as caught:
        tools.redis_cli(f"--cluster del-node {entry} {'0' * 40}")
    assert said(caught.value, "`{command}` failed (exit {status})", status=1)
