"""Notebook 06's partition lab on a real cluster: the relay cuts the bus, the replica's master
refuses it, acknowledged writes are lost, WAIT-confirmed ones never are, and heal makes it whole."""
from __future__ import annotations

import time

import pytest

import helpers
from helpers import faults, labs, partition, scaling, tools
from helpers.cluster.base import port_is_free
from helpers.cluster.relay import ANNOUNCED_BUS_OFFSET, OWN_BUS_OFFSET
from helpers.i18n import _
from tests.conftest import cli
from tests.messages import said

CUT_OFF = "partition: {ports} cut off from the other nodes (python -m helpers heal ends it)"  # status's line


def _partition_round(state, prefix: str) -> tuple:
    """Isolate the master of the lab's keys while two writers run: one on its side, one on the
    majority's; heal once it refuses writes. The writes of both."""
    isolated = faults.master_of(f"{prefix}{{0}}")
    other = next(port for port in (faults.master_of(f"other{{{n}}}") for n in range(100)) if port != isolated)
    minority = labs.PartitionWriter(isolated, wait_ms=50, prefix=prefix).start()
    majority = labs.PartitionWriter(other, prefix=f"{prefix}-majority").start()
    time.sleep(0.5)
    partition.partition([isolated])
    majority.mark("partition")
    assert partition.isolated() == [isolated]
    faults.wait_for_failover(isolated)
    faults.wait_for_cluster_state(isolated, "fail")
    time.sleep(0.5)
    writes, served = minority.stop(), majority.stop()
    served.attrs["partition"] = majority.marks["partition"]
    partition.heal()
    return writes, served


def test_acknowledged_writes_are_lost_wait_confirmed_ones_never_and_heal_makes_the_cluster_whole(own_cluster) -> None:
    state, _ = own_cluster
    lost = {labs.REPLICATED: 0, labs.ACKNOWLEDGED: 0}
    for round_number in range(2):
        writes, served = _partition_round(state, f"round{round_number}")
        table = labs.lost_writes(writes)
        for outcome in lost:
            lost[outcome] += table.loc[outcome, "lost"]
        assert table.loc[labs.REPLICATED, "writes"] > 0
        # The majority serves on, but for the moment between the isolated master's FAIL and its
        # replica's promotion: slots without a master stop every master (full coverage).
        refused = served[served["outcome"] == labs.REFUSED]  # (a loaded machine may also time out)
        assert set(refused["error"]) <= {"CLUSTERDOWN"} and served["outcome"].iloc[-1] == labs.ACKNOWLEDGED
        during = served[served["seconds"] > served.attrs.get("partition", 0)]
        assert (during["outcome"] == labs.ACKNOWLEDGED).sum() > 0
        assert (writes["error"] == "CLUSTERDOWN").any()
        check = tools.redis_cli(f"--cluster check 127.0.0.1:{state.spec.ports[0]}")
        assert "[OK] All 16384 slots covered." in check and "[WARNING]" not in check
        view = scaling.cluster_view(state.spec.ports[0])
        assert all(node.connected and not {"fail", "fail?"} & set(node.flags) for node in view)
        assert sorted(node.slot_count for node in view if node.is_master) == [5461, 5461, 5462]
    assert lost[labs.ACKNOWLEDGED] > 0
    assert lost[labs.REPLICATED] == 0


def test_bad_partition_requests_are_clear_and_cut_nothing(own_cluster, monkeypatch) -> None:
    state, rc = own_cluster
    ports = state.spec.ports
    with pytest.raises(helpers.WorkshopError) as caught:
        partition.partition([ports[0], 1])
    assert said(caught.value, "Port {port} is not a node of this cluster; its nodes are on ports {first}–{last}",
                port=1, first=ports[0], last=ports[-1])
    with pytest.raises(helpers.WorkshopError) as caught:
        partition.partition(ports)
    assert said(caught.value, "A partition has two sides", port=ports[0])
    assert partition.isolated() == []
    assert said(partition.heal(), "Nothing to heal: no node is isolated.")
    assert said(partition.partition([ports[0]]), "Isolated {nodes} from {others}: cluster bus cut; replication cut")
    assert said(partition.partition([ports[0]]), "The cut around {nodes} is already in place", nodes=f"node {ports[0]}")
    with pytest.raises(helpers.WorkshopError) as caught:
        partition.partition([ports[1]])
    assert said(caught.value, "The cut around {nodes} is in place already; heal first", nodes=f"node {ports[0]}")
    assert partition.isolated() == [ports[0]]
    # The same reports and refusals, to a French student: the nodes named as French names them.
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    again = partition.partition([ports[0]])
    assert said(again, "The cut around {nodes} is already in place", nodes=f"le nœud {ports[0]}")
    assert again == f"La coupure qui isole le nœud {ports[0]} est déjà en place."
    with pytest.raises(helpers.WorkshopError) as caught:
        partition.partition(ports[1:3])
    assert said(caught.value, "The cut around {nodes} is in place already; heal first")
    assert str(caught.value).startswith(f"La coupure qui isole le nœud {ports[0]} est déjà en place\u00a0; rétablissez")
    healed = partition.heal()
    assert said(healed, "Healed: the cut around {nodes} is gone", nodes=f"le nœud {ports[0]}")
    assert healed == _("Healed: the cut around {nodes} is gone, and the cluster is whole.", nodes=f"le nœud {ports[0]}")
    assert healed.startswith("Rétabli\u00a0: la coupure")
    assert partition.isolated() == []


def test_down_during_a_partition_stops_the_relay_and_up_brings_a_whole_cluster(own_cluster) -> None:
    state, _ = own_cluster
    partition.partition(state.spec.ports[:2])
    helpers.down()
    for port in state.spec.ports:
        assert all(port_is_free(port + offset) for offset in (0, ANNOUNCED_BUS_OFFSET, OWN_BUS_OFFSET))
    helpers.up()
    assert partition.isolated() == []
    assert helpers.status()["ready"]


def test_the_command_line_cuts_shows_and_heals_and_says_what_is_wrong(own_cluster) -> None:
    state, rc = own_cluster
    first = state.spec.ports[0]
    stranger = cli("partition", "1")
    assert stranger.returncode == 1
    assert _("Port {port} is not a node of this cluster; its nodes are on ports {first}–{last}.",
             port=1, first=first, last=state.spec.ports[-1]) in stranger.stderr
    assert cli("heal").stdout == _("Nothing to heal: no node is isolated.") + "\n"
    cut = cli("partition", str(first))
    replica = state.spec.ports[3]  # 3x1: node 3 replicates node 0, and is cut from it
    assert cut.returncode == 0 and cut.stdout == _(
        "Isolated {nodes} from {others}: cluster bus cut; replication cut: {replicas}.", nodes=f"node {first}",
        others="nodes " + ", ".join(map(str, state.spec.ports[1:])),
        replicas=_("{port} from its master {master}", port=replica, master=first)) + "\n"
    assert f"\n  {_(CUT_OFF, ports=str(first))}\n" in cli("status").stdout + "\n"  # helpers.cluster's
    assert cli("heal").stdout == _("Healed: the cut around {nodes} is gone, and the cluster is whole.",
                                   nodes=f"node {first}") + "\n"
    assert _(CUT_OFF, ports="\0").split("\0")[0] not in cli("status").stdout


def test_a_cluster_started_before_the_relay_runs_on_and_partition_says_how_to_get_it(workshop, redis_server) -> None:
    from helpers.cluster.base import ClusterSpec, ClusterState, wait_until_ready
    from helpers.cluster.local import build_cluster, relay_record, start_nodes
    from helpers.config import Settings

    settings = Settings.from_env()
    state = ClusterState(backend="local", spec=ClusterSpec(settings.masters, settings.replicas, settings.base_port,
                                                           node_timeout=settings.node_timeout))
    start_nodes(state, settings.home)  # as the workshop did before the relay: the bus direct
    build_cluster(state)
    wait_until_ready(state)
    ports = helpers.up().spec.ports  # found as it is, bus and all
    assert relay_record(settings.home) is None
    faults.kill(ports[1])
    faults.restart(ports[1])  # comes back as its cluster runs: without the relay
    helpers.up()
    with pytest.raises(helpers.WorkshopError) as caught:
        partition.partition([ports[0]])
    assert said(caught.value, "This cluster was started before the workshop had its cluster bus relay")
    helpers.down()
    helpers.up()
    assert relay_record(settings.home) is not None
    assert partition.partition([ports[0]]).startswith("Isolated")
    partition.heal()
