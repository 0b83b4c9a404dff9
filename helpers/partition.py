"""Network partitions for notebook 06 and `python -m helpers partition / heal`: a set of nodes
loses the network to the others, both ways, while the student's client still reaches them all.

Two things cross between nodes, and both are cut:
- the cluster bus (heartbeats, votes, the slot map) passes through the local backend's relay
  (helpers/cluster/relay.py), which closes the connections of a cut pair and refuses new ones,
  as a firewall that rejects them does;
- replication goes from a replica straight to its master's client port: each replica whose
  master is on the other side is told to log in as a user that does not exist (`masteruser`),
  and its link is dropped, so the master refuses it until the partition heals.
The clients' own connections stay direct, so what a client measures does not change.
"""
from __future__ import annotations

from collections.abc import Collection

from helpers.cluster import workshop_cluster
from helpers.cluster.base import Backend, ClusterState, admin, wait_until_ready
from helpers.errors import WorkshopError
from helpers.i18n import _, _n
from helpers.replies import parse_info

CUT_OFF_USER = "cut-off-by-a-partition"  # masteruser of a replica cut from its master: no such user


def partition(ports: list[int]) -> str:
    """Isolate the nodes on `ports` from the rest of the cluster: bus and replication cut, both
    ways. Say what was done (notebook 06's lab, `python -m helpers partition PORT ...`)."""
    backend, state = _running_cluster()
    side = set(ports)
    strangers = sorted(side - set(state.spec.ports))
    if strangers:
        raise WorkshopError(_("Port {port} is not a node of this cluster; its nodes are on ports {first}–{last}.",
                              port=strangers[0], first=state.spec.ports[0], last=state.spec.ports[-1]))
    if not side or side == set(state.spec.ports):
        raise WorkshopError(_("A partition has two sides: name the nodes of one, not every node "
                              "(for example the master on port {port}).", port=state.spec.ports[0]))
    already = backend.isolated(state)
    if already == sorted(side):
        return _("The cut around {nodes} is already in place.", nodes=_nodes(side))
    if already:
        raise WorkshopError(_("The cut around {nodes} is in place already; heal first (python -m helpers heal, "
                              "or helpers.partition.heal()), then partition again.", nodes=_nodes(already)))
    backend.isolate(state, sorted(side))
    cut = []
    try:
        for port in backend.running_ports(state):  # a stopped node replicates nothing
            with admin(port, state) as node:
                replication = parse_info(node.ask(("INFO", "replication"))[0])
                master = int(replication.get("master_port", 0))
                if replication.get("role") == "slave" and (port in side) != (master in side):
                    node.ask(("CONFIG", "SET", "masteruser", CUT_OFF_USER, "masterauth", "-"))
                    node.ask(("CLIENT", "KILL", "TYPE", "master"))
                    cut.append(_("{port} from its master {master}", port=port, master=master))
    except BaseException:  # nothing left half-cut
        _reconnect(backend, state)
        raise
    others = _nodes(set(state.spec.ports) - side)
    if cut:
        return _("Isolated {nodes} from {others}: cluster bus cut; replication cut: {replicas}.",
                 nodes=_nodes(side), others=others, replicas=", ".join(cut))
    return _("Isolated {nodes} from {others}: cluster bus cut.", nodes=_nodes(side), others=others)


def heal(timeout: float = 60.0) -> str:
    """Reconnect every node; return once the cluster is whole again, every node agreeing on the
    slots and every replica in sync (notebook 06, `python -m helpers heal`)."""
    backend, state = _running_cluster()
    was = backend.isolated(state)
    if not was:
        return _("Nothing to heal: no node is isolated.")
    _reconnect(backend, state)
    wait_until_ready(state, timeout)
    return _("Healed: the cut around {nodes} is gone, and the cluster is whole.", nodes=_nodes(was))


def _reconnect(backend: Backend, state: ClusterState) -> None:
    """Undo every cut: the bus in the backend, each running replica's login to its master."""
    backend.isolate(state, [])
    for port in backend.running_ports(state):
        with admin(port, state) as node:
            node.ask(("CONFIG", "SET", "masteruser", "", "masterauth", state.spec.password or ""))


def isolated() -> list[int]:
    """The ports of the nodes isolated from the others, [] when none is (`status`, notebook 06)."""
    backend, state = _running_cluster()
    return backend.isolated(state)


def _running_cluster() -> tuple[Backend, ClusterState]:
    """The workshop's cluster and its backend, or a WorkshopError when it does not run."""
    backend, state = workshop_cluster()
    if not backend.running_ports(state):
        raise WorkshopError(_("The cluster is not running: start it with helpers.up() or python -m helpers up."))
    return backend, state


def _nodes(ports: Collection[int]) -> str:
    """"node 7000" or "nodes 7001, 7002", in the student's language."""
    return _n("node {ports}", "nodes {ports}", len(ports), ports=", ".join(map(str, sorted(ports))))

