"""The traffic of notebook 05's labs, recorded while they break or reshape the cluster.

`FailoverWriter` writes and records what each write became (the failover labs), and
`PartitionWriter` does it on one side of a network partition (notebook 06); `Workload`
is an application's steady SET+GET traffic (the scaling lab); `NodeViews` records how the
other nodes see a node that dies. Each runs in a background thread: `start()`, `mark("kill")`
at each event, `stop()` returns the rows as a table. `lost_writes`, `kept_unacknowledged`,
`operations_per_second` and `first_seen` read those tables.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pandas as pd

from helpers.cluster import connect, workshop_cluster
from helpers.cluster.base import HOST, slot_owners
from helpers.i18n import N_, _
from helpers.replies import parse_cluster_nodes, parse_info
from helpers.resp import Connection, ReplyError
from helpers.slots import key_slot

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

# What a write became, as the client can know it (see FailoverWriter): data, shown translated.
REPLICATED = N_("replicated")
ACKNOWLEDGED = N_("acknowledged")
REFUSED = N_("refused")
NO_ANSWER = N_("no answer")
OUTCOMES = (REPLICATED, ACKNOWLEDGED, REFUSED, NO_ANSWER)
LOST = N_("lost")  # acknowledged, then gone (notebook 06's timeline)
PROMISED = (REPLICATED, ACKNOWLEDGED)  # the master said OK: only these writes can be "lost"


class Background:
    """A loop in a background thread that records one row per step and stops by itself.

    Notebook 05's labs run one while they break or reshape the cluster: `start()`, then
    `mark("kill")` at each event, then `stop()` returns the rows as a table. The loop ends
    after `max_seconds` or `max_rows` even if nobody calls stop. What the loop opens, it
    opens in `start()` and closes when the loop ends: a loop never started holds nothing.
    """

    columns: tuple[str, ...] = ()

    def __init__(self, max_seconds: float, max_rows: int) -> None:
        self.max_seconds, self.max_rows = max_seconds, max_rows
        self.rows: list[tuple] = []
        self.marks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._began = 0.0

    def start(self, clock: "Background | None" = None) -> "Background":
        """Open what the loop needs, start it; return self. Its seconds count from `clock`'s
        start when given (two writers on one timeline), else from now."""
        self._open()
        self._began = clock._began if clock else time.monotonic()
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def mark(self, event: str) -> None:
        """Note when something happened (a kill, a promotion), in seconds since the start."""
        self.marks[event] = self.seconds()

    def seconds(self) -> float:
        """Seconds since the start."""
        return time.monotonic() - self._began

    def stop(self) -> pd.DataFrame:
        """Stop the loop and return its rows."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.table()

    def table(self) -> pd.DataFrame:
        """The rows so far."""
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def _run(self) -> None:
        try:
            while (not self._stop.is_set() and len(self.rows) < self.max_rows
                   and self.seconds() < self.max_seconds):
                self._step()
        finally:
            self._close()

    def _open(self) -> None:
        """Open what the loop uses (called by `start`, in the caller's thread, so errors show)."""

    def _step(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        """Release what the loop used."""


class FailoverWriter(Background):
    """A background writer for the failover labs (notebook 05): it records what each write became.

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

    columns = (N_("seconds"), N_("key"), N_("port"), N_("outcome"), N_("error"))

    def __init__(self, wait_ms: int = 100, prefix: str = "lab", max_seconds: float = 300.0,
                 max_rows: int = 200_000) -> None:
        super().__init__(max_seconds, max_rows)
        backend, state = workshop_cluster()
        self.ports, self.login = state.spec.ports, state.login
        self.wait_ms, self.prefix = wait_ms, prefix
        self._links: dict[int, Connection] = {}
        self._owners = slot_owners(self.ports, self.login)

    def _step(self) -> None:
        key, number = f"{self.prefix}:{len(self.rows)}", len(self.rows)
        port = self._owners.get(key_slot(key), self.ports[0])
        node = self._links.setdefault(port, Connection(HOST, port, self.login, timeout=0.5))
        seconds = self.seconds()
        outcome, error = write(node, key, number, self.wait_ms)
        self.rows.append((seconds, key, port, outcome, error))
        if error:
            self._stop.wait(0.02)  # bounded: at most 50 failed attempts a second
            self._owners = slot_owners(self.ports, self.login) or self._owners

    def _close(self) -> None:
        for node in self._links.values():
            node.close()


class PartitionWriter(Background):
    """A client that reaches one node only, as on one side of a network partition (notebook 06):
    it writes unique keys that node serves, straight to it, and never follows a redirect.

    Each write is `SET <prefix>-<run>{tag}:<n> <n>`, followed by `WAIT 1 <wait_ms>` when `wait_ms`
    is given; outcomes as FailoverWriter's. Its keys belong to the slots of the node on
    `keys_of` (default: `port`), and each run has keys of its own. One row per write: seconds,
    key, port, outcome, error.
    """

    columns = FailoverWriter.columns

    def __init__(self, port: int, wait_ms: int | None = None, prefix: str = "part",
                 keys_of: int | None = None, max_seconds: float = 120.0, max_rows: int = 200_000) -> None:
        super().__init__(max_seconds, max_rows)
        backend, state = workshop_cluster()
        self.port, self.login, self.wait_ms = port, state.login, wait_ms
        owners = slot_owners(state.spec.ports, state.login)
        tag = next(str(n) for n in range(100_000) if owners.get(key_slot(str(n))) == (keys_of or port))
        self.prefix = f"{prefix}-{time.time_ns() % 10**9}{{{tag}}}"
        self._node: Connection | None = None

    def _open(self) -> None:
        self._node = Connection(HOST, self.port, self.login, timeout=0.5)

    def _step(self) -> None:
        number = len(self.rows)
        seconds = self.seconds()
        outcome, error = write(self._node, f"{self.prefix}:{number}", number, self.wait_ms)
        self.rows.append((seconds, f"{self.prefix}:{number}", self.port, outcome, error))
        if error:
            self._stop.wait(0.02)  # bounded: at most 50 failed attempts a second

    def _close(self) -> None:
        self._node.close()


def write(node: Connection, key: str, number: int, wait_ms: int | None) -> tuple[str, str]:
    """`SET key number` (then `WAIT 1 wait_ms` unless wait_ms is None) in one round trip; what the
    client can know of it: (outcome, error) as FailoverWriter's docstring says."""
    try:
        if wait_ms is None:
            written, copies = node.ask_raw(("SET", key, number))[0], 0
        else:
            written, copies = node.ask_raw(("SET", key, number), ("WAIT", 1, wait_ms))
    except ConnectionRefusedError:  # nothing was sent: nobody listens on the port
        return REFUSED, N_("connection refused")
    except OSError as failure:  # sent, but no reply: the node may have applied it
        return NO_ANSWER, N_("timeout") if isinstance(failure, TimeoutError) else N_("connection lost")
    if isinstance(written, ReplyError):
        return REFUSED, written.code
    if isinstance(copies, ReplyError):  # e.g. UNBLOCKED: the master became a replica
        return ACKNOWLEDGED, f"WAIT: {copies.code}"
    return (REPLICATED if copies else ACKNOWLEDGED), ""


def partition_round(wait_ms: int | None = None, prefix: str = "part") -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Notebook 06's lab in one call: cut the master of `prefix`'s keys off from the others while
    a client on its side writes to it (with `WAIT 1 wait_ms` if given), and two clients on the
    majority's side write: one to another master, one to the isolated master's replica, keys of
    the isolated master's slots. Wait until the replica is promoted and the isolated master
    refuses; heal. Return (the minority's writes, the majority's writes, the marks)."""
    from helpers import faults, partition
    partition.heal()  # a cut left by an interrupted run would leave the master without its replica
    isolated = faults.master_of(f"{prefix}{{0}}")
    other = next(port for port in map(faults.master_of, (f"{{{n}}}" for n in range(1000))) if port != isolated)
    minority = PartitionWriter(isolated, wait_ms=wait_ms, prefix=prefix).start()
    majority = [PartitionWriter(other, prefix=f"{prefix}-other").start(clock=minority),
                PartitionWriter(faults.replica_of(isolated), prefix=f"{prefix}-takeover",
                                keys_of=isolated).start(clock=minority)]
    try:
        time.sleep(1)
        partition.partition([isolated])
        minority.mark(N_("partition"))
        faults.wait_for_failover(isolated)
        minority.mark(N_("replica promoted"))
        faults.wait_for_cluster_state(isolated, "fail")
        time.sleep(1)
    finally:  # interrupted or not: the writers stop and the network heals
        writes, served = minority.stop(), pd.concat([writer.stop() for writer in majority], ignore_index=True)
        partition.heal()
    return writes, served, minority.marks


def partition_summary(writes: pd.DataFrame, served: pd.DataFrame, marks: dict[str, float],
                      node_timeout_ms: int) -> dict:
    """One row of notebook 06's table, from what the lab's clients saw: the minority's write rate
    before the cut,
    the writes the isolated master acknowledged, kept and lost, the WAIT-confirmed ones lost ('–'
    without WAIT),
    the loss window (from the first write lost to the last) against the node timeout, and the
    writes the promoted replica took on the majority's side."""
    promised = writes[writes["outcome"].isin(PROMISED)]
    kept = _kept(promised)
    lost = promised[~promised["key"].isin(kept)]
    confirmed = promised[promised["outcome"] == REPLICATED]
    takeover = served[served["key"].str.contains("-takeover-")]
    cut = marks["partition"]
    before = promised[promised["seconds"] < cut]
    waited = (writes["outcome"] == REPLICATED).any() or (writes["error"].str.startswith("WAIT")).any()
    return {N_("writes/s before the cut"): round(len(before) / (cut - writes["seconds"].min())),
            N_("acknowledged"): len(promised), N_("kept"): len(kept), N_("lost"): len(lost),
            N_("WAIT-confirmed lost"): int((~confirmed["key"].isin(kept)).sum()) if waited else "–",
            N_("loss window (s)"): round(lost["seconds"].max() - lost["seconds"].min(), 2) if len(lost) else 0.0,
            N_("node timeout (s)"): node_timeout_ms / 1000,
            N_("promoted replica took"): int(takeover["outcome"].isin(PROMISED).sum())}


def mark_lost(writes: pd.DataFrame) -> pd.DataFrame:
    """`writes` with each acknowledged write the cluster no longer holds marked 'lost' (notebook
    06's timeline)."""
    kept = _kept(writes)
    lost = writes["outcome"].isin(PROMISED) & ~writes["key"].isin(kept)
    return writes.assign(outcome=writes["outcome"].where(~lost, LOST))


def lost_writes(writes: pd.DataFrame) -> pd.DataFrame:
    """Per outcome (the index): how many writes, how many the cluster still holds, how many are
    lost (notebook 05).

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
        rows.append({N_("outcome"): outcome, N_("writes"): len(keys), N_("kept"): kept,
                     N_("lost"): len(keys) - kept if outcome in PROMISED else "–"})
    return pd.DataFrame(rows).set_index("outcome")  # an index: shown in the student's language


def kept_unacknowledged(writes: pd.DataFrame) -> pd.DataFrame:
    """The writes the client saw fail (refused, no answer) that the cluster holds all the same
    (notebook 05): the reason why retries must be idempotent."""
    failed = writes[~writes["outcome"].isin(PROMISED)]
    return failed[failed["key"].isin(_kept(failed))]


def _kept(writes: pd.DataFrame) -> set[str]:
    """The keys of `writes` whose value is still the one written."""
    keys = writes["key"].tolist()
    if not keys:
        return set()
    client = connect()
    try:
        values = client.mget_nonatomic(keys)
    finally:
        client.close()
    return {key for key, value in zip(keys, values) if value == key.rsplit(":", 1)[1]}


class Workload(Background):
    """An application's steady traffic: SET then GET of its own keys (notebook 05).

    It uses an ordinary `helpers.connect()` client, so MOVED and ASK redirections are
    followed by redis-py as in any application; only errors that reach the application
    are recorded. One row per SET+GET pair: seconds since the start, error ('' when none).
    """

    columns = (N_("seconds"), N_("error"))

    def __init__(self, prefix: str = "workload", max_seconds: float = 300.0,
                 max_rows: int = 2_000_000) -> None:
        super().__init__(max_seconds, max_rows)
        self.client: RedisCluster | None = None
        self.prefix = prefix
        self.written = 0

    def _open(self) -> None:
        self.client = connect()

    def _step(self) -> None:
        key, seconds = f"{self.prefix}:{self.written}", self.seconds()
        try:
            self.client.set(key, self.written)
            if self.client.get(key) != str(self.written):
                raise ValueError(_("{key} did not read back what was written", key=key))
            self.rows.append((seconds, ""))
            self.written += 1
        except Exception as error:  # what the application would see, whatever it is
            self.rows.append((seconds, f"{error.__class__.__name__}: {error}"))
            self._stop.wait(0.01)

    def _close(self) -> None:
        self.client.close()


def operations_per_second(log: pd.DataFrame, step: float = 0.5) -> pd.DataFrame:
    """A Workload's log as operations per second in windows of `step` seconds (notebook 05)."""
    window = (log["seconds"] // step) * step
    counts = log.assign(window=window, ok=log["error"] == "").groupby("window")["ok"].sum()
    return pd.DataFrame({N_("seconds"): counts.index, N_("operations/s"): counts.to_numpy() / step})


class NodeViews(Background):
    """How every other node sees one node, polled while it dies (notebook 05, "failure detection
    seen from inside").

    Every `poll` seconds each other node of the cluster is asked for CLUSTER NODES and CLUSTER
    INFO; one row per answer: seconds since the start, the observer's port, the watched node's
    flags as that observer sees them (`fail?`: suspected by it, `fail`: agreed by a majority of
    masters), the port it sees serving the watched node's first slot, that master's config
    epoch, and the observer's current epoch. Start it while the watched node still answers.
    """

    columns = (N_("seconds"), N_("observer"), N_("flags"), N_("serving"), N_("config epoch"), N_("current epoch"))

    def __init__(self, watched: int, poll: float = 0.1, max_seconds: float = 120.0,
                 max_rows: int = 100_000) -> None:
        super().__init__(max_seconds, max_rows)
        self.watched, self.poll = watched, poll
        self.slot = 0
        self.probes: dict[int, Connection] = {}

    def _open(self) -> None:
        backend, state = workshop_cluster()
        owners = slot_owners(state.spec.ports, state.login)
        self.slot = min(slot for slot, owner in owners.items() if owner == self.watched)
        self.probes = {port: Connection(HOST, port, state.login, timeout=0.5)
                       for port in state.spec.ports if port != self.watched}

    def _step(self) -> None:
        seconds = self.seconds()
        for observer, probe in self.probes.items():
            try:
                text, info = probe.ask(("CLUSTER", "NODES"), ("CLUSTER", "INFO"))
            except (OSError, ReplyError):
                continue
            nodes = parse_cluster_nodes(text)
            watched = next((node for node in nodes if node.port == self.watched), None)
            serving = next((node for node in nodes if node.is_master
                            and any(first <= self.slot <= last for first, last in node.slots)), None)
            flags = ",".join(flag for flag in (watched.flags if watched else ()) if flag != "myself")
            self.rows.append((seconds, observer, flags, serving.port if serving else 0,
                              serving.config_epoch if serving else 0,
                              int(parse_info(info)["cluster_current_epoch"])))
        self._stop.wait(self.poll)

    def _close(self) -> None:
        for probe in self.probes.values():
            probe.close()


def first_seen(views: pd.DataFrame, watched: int, since: float = 0.0) -> pd.DataFrame:
    """When each observer of `NodeViews` first saw the watched node suspected (`fail?`), failed
    (`fail`), and its slot served by another master, in seconds after `since` (the kill),
    one row per observer (notebook 05)."""
    rows = []
    for observer, seen in views.groupby("observer"):
        flags = seen["flags"].str.split(",")
        moments = {"fail?": flags.apply(lambda names: "fail?" in names),
                   "fail": flags.apply(lambda names: "fail" in names),
                   N_("served by another"): seen["serving"].ne(watched) & seen["serving"].ne(0)}
        rows.append({N_("observer"): observer, **{
            what: round(seen.loc[mask, "seconds"].min() - since, 2) if mask.any() else None
            for what, mask in moments.items()}})
    return pd.DataFrame(rows).set_index("observer")
