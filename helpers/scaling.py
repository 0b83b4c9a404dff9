"""The plumbing of notebook 05's scaling lab, around Redis's own tool.

The student grows and shrinks the cluster with `redis-cli --cluster` (add-node, reshard,
rebalance, check, fix, del-node), run where the nodes run by `helpers.tools.redis_cli`. This
module does what redis-cli leaves to the operator: it starts the two empty nodes the lab adds
(processes under WORKSHOP_HOME/extra-nodes, or docker-compose.yml's `extra-1` and `extra-2`),
waits until gossip has carried a change to every node, and stops the nodes afterwards.
`helpers.down()` stops them too.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from helpers.cluster import workshop_cluster
from helpers.cluster.base import Backend, ClusterState, admin
from helpers.errors import WorkshopError
from helpers.i18n import N_, _, _n
from helpers.replies import NodeLine, parse_cluster_nodes, parse_info
from helpers.resp import Reply, ReplyError


def start_extra_nodes() -> list[int]:
    """Start two empty nodes with the cluster's settings (password, timeout), not in the cluster
    yet; return their ports (notebook 05: `redis-cli --cluster add-node` brings them in).

    Extra nodes left from an earlier run are forgotten by the cluster, then replaced.
    """
    backend, state = workshop_cluster()
    _forget(backend, state, _ids(state, backend.extra_nodes(state)))
    return backend.start_extra_nodes(state)


def stop_extra_nodes() -> None:
    """Stop the extra nodes; every node of the cluster that still knows them forgets them, before
    and after (notebook 05's clean-up, after `redis-cli --cluster del-node`, which tells only
    the nodes it reaches: one that missed it would bring them back by gossip a minute later)."""
    backend, state = workshop_cluster()
    ids = _ids(state, backend.extra_nodes(state))
    _forget(backend, state, ids)
    backend.stop_extra_nodes(state)
    _forget(backend, state, ids)


def cluster_view(port: int) -> list[NodeLine]:
    """CLUSTER NODES of the node on `port`, parsed (notebook 05 reads the roles after a change)."""
    backend, state = workshop_cluster()
    with admin(port, state) as node:
        return parse_cluster_nodes(node.ask(("CLUSTER", "NODES"))[0])


def wait_agreement(timeout: float = 60.0) -> None:
    """Wait until every node of the cluster knows the same nodes in the same roles, sees the
    same owner for every slot, and says cluster_state:ok (notebook 05, after each redis-cli
    --cluster command).

    redis-cli returns once the nodes it told know; the others learn by gossip, within a second
    or two. Meanwhile `check` says "Nodes don't agree about configuration", reshard and rebalance
    refuse to start, and `add-node --cluster-slave` may not find a master just added. A master
    just added says ok 2 s after it joined; before, MIGRATE to it is refused with CLUSTERDOWN.
    """
    backend, state = workshop_cluster()

    def agreed(views: dict[int, list[NodeLine]]) -> bool:
        # redis-cli skips a node that a view shows failed or disconnected: none may be, but the dead
        joining = any("handshake" in node.flags or "noaddr" in node.flags
                      or ("fail" not in node.flags and not node.connected)
                      for view in views.values() for node in view)
        return (not joining and len({_signature(view) for view in views.values()}) == 1
                and all(_state_ok(port, state) for port in views))
    _wait(agreed, N_("Waited {timeout:.0f} s for every node to agree on the nodes and the slots, in vain: "
                     "`redis-cli --cluster check` shows what differs. The nodes' views: {views}"), timeout)


def wait_for_replicas(dead: int | None = None, timeout: float = 60.0) -> float:
    """Wait until every master that serves slots has at least one connected replica, not counting
    the one on port `dead` (just killed, not yet flagged); return the seconds waited (notebook 05:
    replica migration, and after del-node)."""
    def covered(views: dict[int, list[NodeLine]]) -> bool:
        nodes = next(iter(views.values()))
        working = {node.master_id for node in nodes if node.is_replica and node.connected
                   and not node.unsettled and node.port != dead}
        return all(node.id in working for node in nodes if node.is_master and node.slots)
    return _wait(covered, N_("Waited {timeout:.0f} s for every master to have a working replica, in vain: "
                             "`redis-cli --cluster check` shows what differs. The nodes' views: {views}"),
                 timeout)


def replica_moves() -> list[tuple[int, str]]:
    """How to give every master that serves slots a replica again, by hand: (port of a spare
    replica, id of a master without one) pairs, for `CLUSTER REPLICATE <id>` sent to that port
    (notebook 05, after del-node). A spare replica is one of a master that has more than one.

    Replica migration does not do it here: a master whose last replica was removed on purpose
    (CLUSTER FORGET, as del-node sends) is not an orphan to Redis, only one whose replica failed.
    """
    backend, state = workshop_cluster()
    nodes = next(iter(_views(state, _members(backend, state)).values()))
    working = [node for node in nodes if node.is_replica and not node.unsettled]
    replicas = {node.id: [replica for replica in working if replica.master_id == node.id]
                for node in nodes if node.is_master and node.slots}
    spares = [replica.port for group in replicas.values() for replica in group[1:]]
    return list(zip(spares, [master for master, group in replicas.items() if not group]))


def _state_ok(port: int, state: ClusterState) -> bool:
    """Whether the node on `port` says cluster_state:ok (False if it does not answer)."""
    try:
        with admin(port, state) as node:
            return parse_info(node.ask(("CLUSTER", "INFO"))[0]).get("cluster_state") == "ok"
    except (OSError, ReplyError):
        return False


def _signature(view: list[NodeLine]) -> tuple[frozenset, frozenset]:
    """One node's view: the nodes it knows (but the failed) with the master each replicates, and
    who serves which slots (the part redis-cli's config signature compares)."""
    return (frozenset((node.id, node.master_id) for node in view if "fail" not in node.flags),
            frozenset((node.id, node.slots) for node in view if node.is_master and node.slots))


def _wait(condition: Callable[[dict[int, list[NodeLine]]], bool], failure: str, timeout: float) -> float:
    """Poll CLUSTER NODES of every node the cluster knows until `condition(views)` holds; else raise
    `failure` (a template marked N_, given `timeout` and `views`)."""
    backend, state = workshop_cluster()
    members = _members(backend, state)  # asked once: a wait starts and stops no node
    began = time.monotonic()
    while True:
        views = _views(state, members)
        if views and condition(views):
            return time.monotonic() - began
        if time.monotonic() - began > timeout:
            raise WorkshopError(_(failure, timeout=timeout, views=_differences(views)))
        time.sleep(0.1)


def _differences(views: dict[int, list[NodeLine]]) -> str:
    """Each node's view in short, for an error: the ports it knows, with their flags and link, a
    master's slot count (`:5461`) and a replica's master (`>7000`): what `_signature` compares."""
    def seen(node: NodeLine, ports: dict[str, int]) -> str:  # 7000[master]:5461 slots, 7003[slave]>7000
        flags = ",".join(node.flags)
        shown = f"{node.port}[{flags}]" if node.connected else _("{port}(down)[{flags}]", port=node.port, flags=flags)
        return (f"{shown}:{node.slot_count}" if node.is_master
                else f"{shown}>{ports.get(node.master_id, (node.master_id or '?')[:8])}")

    def described(view: list[NodeLine]) -> str:
        ports = {node.id: node.port for node in view}
        return ", ".join(seen(node, ports) for node in view)
    return "; ".join(_("{port} sees {nodes}", port=port, nodes=described(view)) for port, view in views.items())


def _members(backend: Backend, state: ClusterState) -> list[int]:
    """The ports to start asking from: the cluster's own nodes and the running extra nodes."""
    return [*state.spec.ports, *backend.extra_nodes(state)]


def _views(state: ClusterState, members: list[int]) -> dict[int, list[NodeLine]]:
    """CLUSTER NODES of each reachable node of the cluster, by port. The nodes asked are
    `members` and every node these know that has not failed; a node alone (a fresh extra node,
    or one `del-node` reset) is not in the cluster and is left out. A node that is loading its
    data is waited for."""
    views: dict[int, list[NodeLine]] = {}
    asked: set[int] = set()
    members = list(members)
    while members:
        port = members.pop(0)
        if port in asked:
            continue
        asked.add(port)
        try:
            view = parse_cluster_nodes(_ask_loaded(port, state, ("CLUSTER", "NODES")))
        except (OSError, ReplyError):
            continue
        if len(view) > 1:
            views[port] = view
            members += [node.port for node in view if node.port and "fail" not in node.flags]
    return views


def _ask_loaded(port: int, state: ClusterState, command: tuple, timeout: float = 60.0) -> Reply:
    """The node's reply to `command`, once it has loaded its data: a node just restarted, or a
    replica in a full sync, answers -LOADING meanwhile. Skipped, a node would miss a CLUSTER
    FORGET and bring the forgotten nodes back by gossip a minute later."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with admin(port, state) as node:
                return node.ask(command)[0]
        except ReplyError as error:
            if error.code != "LOADING":
                raise
            if time.monotonic() > deadline:
                raise WorkshopError(_("The node on port {port} was still loading its data after {timeout:.0f} s: "
                                      "run this cell again once it answers.", port=port, timeout=timeout)) from None
        time.sleep(0.1)


def _ids(state: ClusterState, ports: list[int]) -> dict[str, int]:
    """The node ids of the nodes on `ports` (CLUSTER MYID), with their ports."""
    ids = {}
    for port in ports:
        with admin(port, state) as node:
            ids[node.ask(("CLUSTER", "MYID"))[0]] = port
    return ids


def _forget(backend: Backend, state: ClusterState, ids: dict[str, int]) -> None:
    """Make every member of the cluster that knows one of the nodes `ids` (id -> port)
    CLUSTER FORGET it; refuse if one still serves slots."""
    if not ids:
        return
    views = _views(state, _members(backend, state))
    for view in views.values():
        for node in view:
            if node.id in ids and node.slots:
                raise WorkshopError(_n(
                    "The extra node on port {port} still serves {count} slot: move it off first, e.g. "
                    "redis-cli --cluster rebalance 127.0.0.1:{entry} --cluster-weight {id}=0",
                    "The extra node on port {port} still serves {count} slots: move them off first, e.g. "
                    "redis-cli --cluster rebalance 127.0.0.1:{entry} --cluster-weight {id}=0",
                    node.slot_count, port=ids[node.id], entry=state.spec.ports[0], id=node.id))
    for member, view in views.items():
        if member in ids.values():
            continue
        for node in view:
            if node.id not in ids:
                continue
            try:
                _ask_loaded(member, state, ("CLUSTER", "FORGET", node.id))
            except ReplyError as error:  # this member is its replica: it follows another first
                if "my master" not in str(error):
                    raise

