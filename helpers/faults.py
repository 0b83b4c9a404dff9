"""Break a node on purpose and watch the cluster cope (notebook 05).

Kill, pause, resume and restart a node, wait for its failover, and record what a
writer's writes became meanwhile (`Writer`, `lost_writes`, `kept_unacknowledged`).

The same calls work on the local backend (signals to the redis-server process) and on the
docker backend (the node's container). A node is named by its port.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pandas as pd

from helpers.bench import Background
from helpers.cluster import make_backend
from helpers.cluster.base import HOST, ClusterState, WorkshopError
from helpers.config import Settings
from helpers.resp import Connection, ReplyError
from helpers.topology import key_slot, slot_owners



def _state() -> ClusterState:
    settings = Settings.from_env()
    state = ClusterState.load(settings.home)
    if state is None or state.backend not in ("local", "docker"):
        raise WorkshopError("Faults need a cluster the workshop started (local or docker backend); "
                            "start one with `python -m helpers up`.")
    if not state.spec.ports:
        raise WorkshopError("The cluster has no nodes.")
    return state


def _owner(port: int) -> tuple[ClusterState, Path]:
    """The cluster that `port` belongs to, and its home: the workshop's, or the course-shaped
    nodes of `start_empty_nodes` (notebooks 01 and 05)."""
    home = Settings.from_env().home
    course = ClusterState.load(home / "empty-nodes")
    if course is not None and port in course.spec.ports:
        return course, home / "empty-nodes"
    return _state(), home


def _node(state: ClusterState, port: int):
    """The local pid, or the docker container, of the node on `port`."""
    if port not in state.spec.ports:
        raise WorkshopError(f"No node of this cluster listens on port {port}; its ports are "
                            f"{state.spec.ports[0]}–{state.spec.ports[-1]}.")
    if state.backend == "docker":
        return make_backend("docker", Settings.from_env()).containers(state)[port]
    return state.pids.get(port)


def kill(*ports: int) -> None:
    """Kill the nodes at once, as a crash would (SIGKILL, or `docker kill`): no goodbye, no save.

    Every node gets its signal before this waits for any of them to be gone, so several
    nodes die within milliseconds of each other (notebook 05's kill -9 after a burst).
    """
    from helpers.cluster.local import is_node_process, wait_gone
    killed = []
    for port in ports:
        state, _ = _owner(port)
        node = _node(state, port)
        if state.backend == "docker":
            node.kill()
            continue
        if not is_node_process(node, port):
            raise WorkshopError(f"The node on port {port} is not running.")
        os.kill(node, signal.SIGKILL)
        killed.append(node)
    for pid in killed:
        wait_gone(pid)


def pause(port: int) -> None:
    """Freeze the node (SIGSTOP, or `docker pause`): it holds its connections but answers nothing."""
    state, _ = _owner(port)
    node = _node(state, port)
    node.pause() if state.backend == "docker" else os.kill(node, signal.SIGSTOP)


def resume(port: int) -> None:
    """Unfreeze a paused node (SIGCONT, or `docker unpause`)."""
    state, _ = _owner(port)
    node = _node(state, port)
    node.unpause() if state.backend == "docker" else os.kill(node, signal.SIGCONT)


def restart(port: int, timeout: float = 30.0) -> None:
    """Start a killed node again with its data; return once it answers PING.

    It rejoins the cluster from its nodes.conf: a master that was replaced comes back
    as a replica of the node that took over.
    """
    state, home = _owner(port)
    if state.backend == "local":
        from helpers.cluster.local import start_nodes
        start_nodes(state, home)  # returns once the node answers PING
        return
    container = _node(state, port)
    container.reload()
    if container.status != "running":
        container.start()
    deadline = time.monotonic() + timeout
    while _role(port, state.spec.password) is None:
        if time.monotonic() > deadline:
            raise WorkshopError(f"The node on port {port} did not answer within "
                                f"{timeout:.0f} s of its restart.")
        time.sleep(0.05)


def master_of(key: str) -> int:
    """Port of the master that serves `key` now, as the cluster itself reports (CLUSTER SLOTS)."""
    state = _state()
    owners = slot_owners(state.spec.ports, state.spec.password)
    if key_slot(key) not in owners:
        raise WorkshopError(f"No node answers for the slot of {key!r}: is the cluster running?")
    return owners[key_slot(key)]


def role(port: int) -> str | None:
    """'master' or 'slave' as the node on `port` reports itself, or None if it does not answer."""
    return _role(port, _owner(port)[0].spec.password)


def wait_for_role(port: int, wanted: str, timeout: float = 60.0) -> float:
    """Wait until the node on `port` reports itself as `wanted` ('master' or 'slave'); return
    the seconds it took (notebook 05, after CLUSTER FAILOVER or a restart)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if role(port) == wanted:
            return time.monotonic() - began
        time.sleep(0.05)
    raise WorkshopError(f"The node on port {port} was not a {wanted} after {timeout:.0f} s.")


def wait_for_cluster_state(port: int, wanted: str, timeout: float = 60.0) -> float:
    """Wait until the node on `port` reports cluster_state:`wanted` ('ok' or 'fail'); return
    the seconds it took. Notebook 05 watches the course's cluster go down with it."""
    state, _ = _owner(port)
    node = Connection(HOST, port, state.spec.password, timeout=0.5)
    began = time.monotonic()
    try:
        while time.monotonic() - began < timeout:
            try:
                if f"cluster_state:{wanted}" in node.ask(("CLUSTER", "INFO"))[0]:
                    return time.monotonic() - began
            except (OSError, ReplyError):
                pass
            time.sleep(0.05)
    finally:
        node.close()
    raise WorkshopError(f"The node on port {port} did not report cluster_state:{wanted} "
                        f"within {timeout:.0f} s.")


def _role(port: int, password: str | None) -> str | None:
    node = Connection(HOST, port, password, timeout=0.5)
    try:
        replication = node.ask(("INFO", "replication"))[0]
        return replication.split("role:", 1)[1].split()[0]
    except (OSError, ReplyError, IndexError):
        return None
    finally:
        node.close()


def wait_for_failover(dead_port: int, timeout: float = 60.0, poll: float = 0.05) -> int:
    """Wait until a replica of the master on `dead_port` is promoted; return its port.

    Asks the surviving nodes which node now serves the slots the dead master served.
    """
    state = _state()
    survivors = [port for port in state.spec.ports if port != dead_port]
    slots = [slot for slot, owner in slot_owners(survivors, state.spec.password).items()
             if owner == dead_port]
    if not slots:
        raise WorkshopError(f"The node on port {dead_port} served no slots: only a master's "
                            "death causes a failover.")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owner = slot_owners(survivors, state.spec.password).get(slots[0])
        if owner in survivors and _role(owner, state.spec.password) == "master":
            return owner
        time.sleep(poll)
    raise WorkshopError(f"No replica took over from the master on port {dead_port} within "
                        f"{timeout:.0f} s. Does it have a replica, and was it in sync?")


# ---- the failover lab's writer ----------------------------------------------------------------

OUTCOMES = ("replicated", "acknowledged", "refused", "no answer")
ACKNOWLEDGED = OUTCOMES[:2]  # the master said OK: only these writes can be "lost"


class Writer(Background):
    """A background writer for the failover lab (notebook 05): it records what each write became.

    Each write is `SET lab:<n> <n>` then `WAIT 1 <wait_ms>`, in one round trip to the master
    that owns the key. Its outcome is what the client can know:
    - 'replicated': SET answered OK and WAIT says a replica has it;
    - 'acknowledged': SET answered OK, no replica confirmed in time (or WAIT failed);
    - 'refused': SET got an error reply (CLUSTERDOWN, MOVED…) or the connection was refused:
      the write was not applied;
    - 'no answer': the write was sent but no reply came (timeout, connection dropped): applied
      or not, the client cannot tell.
    After anything but OK the writer asks the surviving nodes who owns which slot now, as any
    cluster client does. One row per write: seconds, key, port, outcome, error.
    """

    columns = ("seconds", "key", "port", "outcome", "error")

    def __init__(self, wait_ms: int = 100, prefix: str = "lab", max_seconds: float = 300.0,
                 max_rows: int = 200_000) -> None:
        super().__init__(max_seconds, max_rows)
        state = _state()
        self.ports, self.password = state.spec.ports, state.spec.password
        self.wait_ms, self.prefix = wait_ms, prefix
        self._links: dict[int, Connection] = {}
        self._owners = slot_owners(self.ports, self.password)

    def _step(self) -> None:
        key, number = f"{self.prefix}:{len(self.rows)}", len(self.rows)
        port = self._owners.get(key_slot(key), self.ports[0])
        node = self._links.setdefault(port, Connection(HOST, port, self.password, timeout=0.5))
        seconds = self.seconds()
        try:
            written, copies = node.ask_raw(("SET", key, number), ("WAIT", 1, self.wait_ms))
        except ConnectionRefusedError:  # nothing was sent: nobody listens on the port
            outcome, error = OUTCOMES[2], "connection refused"
        except OSError as failure:  # sent, but no reply: the node may have applied it
            outcome, error = OUTCOMES[3], "timeout" if isinstance(failure, TimeoutError) else "connection lost"
        else:
            if isinstance(written, ReplyError):
                outcome, error = OUTCOMES[2], written.code
            elif isinstance(copies, ReplyError):  # e.g. UNBLOCKED: the master became a replica
                outcome, error = OUTCOMES[1], f"WAIT: {copies.code}"
            else:
                outcome, error = OUTCOMES[0] if copies else OUTCOMES[1], ""
        self.rows.append((seconds, key, port, outcome, error))
        if error:
            self._stop.wait(0.02)  # bounded: at most 50 failed attempts a second
            self._owners = slot_owners(self.ports, self.password) or self._owners

    def _close(self) -> None:
        for node in self._links.values():
            node.close()


def lost_writes(writes: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: how many writes, how many the cluster still holds, how many are lost (notebook 05).

    Reads with a fresh client, which learns the cluster's shape after the failover. A write
    counts as kept when GET returns the value it wrote. Only an acknowledged write (the
    master said OK) can be lost: it was promised, then went missing. A refused or unanswered
    write was never promised, so its `lost` is '–'; its `kept` counts the ones the cluster
    holds all the same (see `kept_unacknowledged`).
    """
    kept_keys = _kept(writes)
    rows = []
    for outcome in OUTCOMES:
        keys = writes.loc[writes["outcome"] == outcome, "key"]
        kept = int(keys.isin(kept_keys).sum())
        rows.append({"outcome": outcome, "writes": len(keys), "kept": kept,
                     "lost": len(keys) - kept if outcome in ACKNOWLEDGED else "–"})
    return pd.DataFrame(rows)


def kept_unacknowledged(writes: pd.DataFrame) -> pd.DataFrame:
    """The writes the client saw fail (refused, no answer) that the cluster holds all the same
    (notebook 05): the reason why retries must be idempotent."""
    failed = writes[~writes["outcome"].isin(ACKNOWLEDGED)]
    return failed[failed["key"].isin(_kept(failed))]


def _kept(writes: pd.DataFrame) -> set[str]:
    """The keys of `writes` whose value is still the one written."""
    from helpers.cluster import connect
    keys = writes["key"].tolist()
    if not keys:
        return set()
    client = connect()
    try:
        values = client.mget_nonatomic(keys)
    finally:
        client.close()
    return {key for key, value in zip(keys, values) if value == key.rsplit(":", 1)[1]}
