"""Break a node on purpose and watch the cluster cope (notebook 05).

Kill, pause, resume and restart a node, then wait for what the cluster does about it: a
replica promoted, a role changed, cluster_state ok or fail. A node is named by its port.
Breaking the node is its backend's job (helpers.cluster: signals to a local redis-server,
or calls on a docker container); this module only finds whose node it is and watches.
What a writer's writes became meanwhile is helpers.labs.
"""
from __future__ import annotations

import time

from helpers.cluster import clusters_of, workshop_cluster
from helpers.cluster.base import HOST, slot_owners
from helpers.errors import WorkshopError
from helpers.i18n import _
from helpers.replies import parse_info
from helpers.resp import Connection, Credentials, ReplyError
from helpers.slots import key_slot


_served_when_killed: dict[int, list[int]] = {}  # port -> the slots it served when kill() hit it


def kill(*ports: int) -> None:
    """Kill the nodes at once, as a crash would (SIGKILL, or `docker kill`): no goodbye, no save.

    Every node gets its signal before this waits for any of them to be gone, so several
    nodes die within milliseconds of each other (notebook 05's kill -9 after a burst).
    """
    for backend, state, group in clusters_of(*ports):
        # What each victim served, read while it still answers: wait_for_failover needs it even
        # when the promotion is over before it is called (a short cluster-node-timeout).
        owners = slot_owners(state.spec.ports, state.login)
        for port in group:
            _served_when_killed[port] = sorted(slot for slot, owner in owners.items() if owner == port)
        backend.kill(state, group)


def pause(port: int) -> None:
    """Freeze the node (SIGSTOP, or `docker pause`): it holds its connections but answers nothing."""
    [(backend, state, ports)] = clusters_of(port)
    backend.pause(state, port)


def resume(port: int) -> None:
    """Unfreeze a paused node (SIGCONT, or `docker unpause`)."""
    [(backend, state, ports)] = clusters_of(port)
    backend.resume(state, port)


def restart(port: int, timeout: float = 30.0) -> None:
    """Start a killed node again with its data; return once it answers.

    It rejoins the cluster from its nodes.conf: a master that was replaced comes back
    as a replica of the node that took over.
    """
    [(backend, state, ports)] = clusters_of(port)
    backend.restart(state, port, timeout)


def master_of(key: str) -> int:
    """Port of the master that serves `key` now, as the cluster itself reports (CLUSTER SLOTS)."""
    backend, state = workshop_cluster()
    owners = slot_owners(state.spec.ports, state.login)
    if key_slot(key) not in owners:
        raise WorkshopError(_("No node answers for the slot of {key!r}: is the cluster running?", key=key))
    return owners[key_slot(key)]


def replica_of(master: int) -> int:
    """Port of a replica of the master on port `master`, as that master reports it (INFO
    replication; notebook 06 writes to it, the side that takes over)."""
    backend, state = workshop_cluster()
    node = Connection(HOST, master, state.login, timeout=2.0)
    try:
        info = parse_info(node.ask(("INFO", "replication"))[0])
    finally:
        node.close()
    if not info.get("slave0"):
        raise WorkshopError(_("The node on port {port} has no replica connected (a partition left in "
                              "place? helpers.partition.heal() ends it).", port=master))
    return int(dict(part.split("=") for part in info["slave0"].split(","))["port"])


def role(port: int) -> str | None:
    """'master' or 'slave' as the node on `port` reports itself, or None if it does not answer."""
    return _role(port, _login_of(port))


def wait_for_role(port: int, wanted: str, timeout: float = 60.0) -> float:
    """Wait until the node on `port` reports itself as `wanted` ('master' or 'slave'); return
    the seconds it took (notebook 05, after CLUSTER FAILOVER or a restart)."""
    login = _login_of(port)
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if _role(port, login) == wanted:
            return time.monotonic() - began
        time.sleep(0.05)
    raise WorkshopError(_("The node on port {port} was not a {wanted} after {timeout:.0f} s.",
                          port=port, wanted=wanted, timeout=timeout))


def wait_for_cluster_state(port: int, wanted: str, timeout: float = 60.0) -> float:
    """Wait until the node on `port` reports cluster_state:`wanted` ('ok' or 'fail'); return
    the seconds it took. Notebook 05 watches the course's cluster go down with it."""
    node = Connection(HOST, port, _login_of(port), timeout=0.5)
    began = time.monotonic()
    try:
        while time.monotonic() - began < timeout:
            try:
                if parse_info(node.ask(("CLUSTER", "INFO"))[0]).get("cluster_state") == wanted:
                    return time.monotonic() - began
            except (OSError, ReplyError):
                pass
            time.sleep(0.05)
    finally:
        node.close()
    raise WorkshopError(_("The node on port {port} did not report cluster_state:{wanted} within {timeout:.0f} s.",
                          port=port, wanted=wanted, timeout=timeout))


def wait_for_failover(dead_port: int, timeout: float = 60.0, poll: float = 0.05) -> int:
    """Wait until a replica of the master on `dead_port` is promoted; return its port.

    Asks the surviving nodes which node now serves the slots the dead master served.
    """
    backend, state = workshop_cluster()
    survivors = [port for port in state.spec.ports if port != dead_port]
    slots = _served_when_killed.pop(dead_port, None) or [
        slot for slot, owner in slot_owners(survivors, state.login).items() if owner == dead_port]
    if not slots:
        raise WorkshopError(_("The node on port {port} served no slots: only a master's death causes a "
                              "failover.", port=dead_port))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owner = slot_owners(survivors, state.login).get(slots[0])
        if owner in survivors and _role(owner, state.login) == "master":
            return owner
        time.sleep(poll)
    raise WorkshopError(_("No replica took over from the master on port {port} within {timeout:.0f} s. "
                          "Does it have a replica, and was it in sync?", port=dead_port, timeout=timeout))


def _login_of(port: int) -> Credentials:
    """How to log in to the cluster `port` belongs to (the workshop's, or the course's nodes)."""
    [(backend, state, ports)] = clusters_of(port)
    return state.login


def _role(port: int, login: Credentials) -> str | None:
    node = Connection(HOST, port, login, timeout=0.5)
    try:
        return parse_info(node.ask(("INFO", "replication"))[0]).get("role")
    except (OSError, ReplyError):
        return None
    finally:
        node.close()
