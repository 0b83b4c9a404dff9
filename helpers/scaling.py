"""Grow and shrink a running cluster: add a master, move slots to it, remove it (notebook 05).

Slots move one at a time with the protocol `redis-cli --cluster reshard` uses: the target
marks the slot IMPORTING, the source MIGRATING, the source MIGRATEs its keys in batches,
then every master learns the slot's new owner (CLUSTER SETSLOT … NODE). Meanwhile clients
are redirected with ASK and MOVED, which a cluster client follows by itself.

The extra master is started and stopped by the backend (a process whose data goes under
WORKSHOP_HOME/extra-nodes, or docker-compose.yml's `extra` service); `helpers.down()` stops
it too.
"""
from __future__ import annotations

import time
from contextlib import closing

from tqdm.auto import tqdm

from helpers.cluster import workshop_cluster
from helpers.cluster.base import HOST, ClusterState, slot_owners
from helpers.errors import WorkshopError
from helpers.faults import wait_for_cluster_state
from helpers.replies import parse_cluster_nodes
from helpers.resp import Connection, ReplyError

BATCH = 100  # keys per MIGRATE, as redis-cli's default --cluster-pipeline


def add_master() -> int:
    """Start one more empty node and MEET it into the running cluster; return its port (notebook 05).

    It owns no slot (and so no key) until `give_slots` moves some to it.
    """
    backend, state = workshop_cluster()
    port = backend.start_extra_master(state)
    with _admin(port, state) as new:
        new.ask(("CLUSTER", "MEET", HOST, state.spec.ports[0]))
        node_id = new.ask(("CLUSTER", "MYID"))[0]
    _wait_everywhere(state, lambda nodes: (any(node.id == node_id for node in nodes)
                                           and not any("handshake" in node.flags for node in nodes)),
                     f"every node to know the new master {port}")
    wait_for_cluster_state(port, "ok", timeout=20)  # a new master accepts keys 2 s after start
    return port


def give_slots(port: int, count: int) -> int:
    """Move `count` slots, taken evenly from the other masters, to the master on `port` (notebook 05).

    Shows a progress bar; returns how many keys moved with them.
    """
    _, state = workshop_cluster()
    owners = _owners(state)
    others = sorted({owner for owner in owners.values() if owner != port})
    mine = {slot for slot, owner in owners.items() if owner == port}
    if count < 1 or count > len(owners) - len(mine):
        raise WorkshopError(f"Choose between 1 and {len(owners) - len(mine)} slots to move.")
    plan = []
    for index, source in enumerate(others):  # the highest slots of each master, like redis-cli
        share = count // len(others) + (index < count % len(others))
        theirs = sorted((slot for slot, owner in owners.items() if owner == source), reverse=True)
        plan += [(slot, source, port) for slot in theirs[:share]]
    return _move(plan, f"slots to :{port}", state, owners)


def remove_master(port: int) -> int:
    """Move every slot of the master on `port` to the others, make the cluster forget it, stop it
    (notebook 05).

    Returns how many keys moved off it.
    """
    backend, state = workshop_cluster()
    if port not in backend.extra_masters(state):
        raise WorkshopError(f"Port {port} is not an extra master from helpers.scaling.add_master(); "
                            "only those can be removed.")
    owners = _owners(state)
    others = sorted({owner for owner in owners.values() if owner != port})
    theirs = sorted(slot for slot, owner in owners.items() if owner == port)
    moved = _move([(slot, port, others[index % len(others)]) for index, slot in enumerate(theirs)],
                  f"slots off :{port}", state, owners)
    with _admin(port, state) as leaving:
        node_id = leaving.ask(("CLUSTER", "MYID"))[0]
    for other in state.spec.ports:  # every node, within the 60 s FORGET keeps it banned
        with _admin(other, state) as node:
            node.ask(("CLUSTER", "FORGET", node_id))
    backend.stop_extra_masters(state)
    return moved


def _move(plan: list[tuple[int, int, int]], label: str, state: ClusterState,
          owners: dict[int, int]) -> int:
    """Move each (slot, source port, target port) of `plan`; return how many keys moved.

    `owners` (slot -> port, read just before) names the masters that must learn each move.
    """
    masters = {port for _, source, target in plan for port in (source, target)}
    masters |= set(owners.values())
    links = {port: Connection(HOST, port, state.spec.password, timeout=10.0) for port in masters}
    moved = 0
    try:
        ids = {port: link.ask(("CLUSTER", "MYID"))[0] for port, link in links.items()}
        for slot, source, target in tqdm(plan, desc=label, unit="slot"):
            moved += _move_slot(slot, links[source], links[target], ids, links, state.spec.password)
    finally:
        for link in links.values():
            link.close()
    return moved


def _move_slot(slot: int, source: Connection, target: Connection, ids: dict[int, str],
               links: dict[int, Connection], password: str | None) -> int:
    """One slot, as redis-cli moves it: IMPORTING, MIGRATING, MIGRATE the keys, then NODE everywhere."""
    target.ask(("CLUSTER", "SETSLOT", slot, "IMPORTING", ids[source.port]))
    source.ask(("CLUSTER", "SETSLOT", slot, "MIGRATING", ids[target.port]))
    moved = 0
    while keys := source.ask(("CLUSTER", "GETKEYSINSLOT", slot, BATCH))[0]:
        login = ("AUTH", password) if password else ()
        source.ask(("MIGRATE", HOST, target.port, "", 0, 10000, *login, "KEYS", *keys))
        moved += len(keys)
    owner = ("CLUSTER", "SETSLOT", slot, "NODE", ids[target.port])
    target.ask(owner)
    for link in [source, *(link for port, link in links.items() if port not in (source.port, target.port))]:
        try:
            link.ask(owner)
        except ReplyError as error:
            # A master that gave away its last slot turns into a replica of the taker
            # (cluster-allow-replica-migration): it no longer takes SETSLOT, and needs none.
            if "only with masters" not in str(error):
                raise
    return moved


def _owners(state: ClusterState) -> dict[int, int]:
    return slot_owners(state.spec.ports, state.spec.password)


def _admin(port: int, state: ClusterState) -> closing[Connection]:
    """`with _admin(port, state) as node:` a short-lived admin connection to one node."""
    return closing(Connection(HOST, port, state.spec.password, timeout=5.0))


def _wait_everywhere(state: ClusterState, ok, what: str, timeout: float = 20.0) -> None:
    """Wait until `ok(CLUSTER NODES, parsed)` holds on every node of the cluster."""
    deadline = time.monotonic() + timeout
    for port in state.spec.ports:
        with _admin(port, state) as node:
            while not ok(parse_cluster_nodes(node.ask(("CLUSTER", "NODES"))[0])):
                if time.monotonic() > deadline:
                    raise WorkshopError(f"Waited {timeout:.0f} s for {what}, in vain.")
                time.sleep(0.02)
