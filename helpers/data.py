"""The course's dataset and a fast, streaming bulk loader (notebooks 02 and 03).

`bulk_load` writes many keys to the cluster as fast as one Python process can: keys are
grouped by hash slot (a cluster MSET must stay in one slot), each group becomes one MSET,
and every master is written to at the same time over non-blocking sockets. Keys are
read from any iterable chunk by chunk, so a million keys never sit in memory at once.
"""
from __future__ import annotations

import selectors
import socket
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import hiredis

from helpers.cluster.base import WorkshopError
from helpers.topology import HASH_SLOTS, key_slot

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

# Part 2 of the course, exactly as written: five writes, then five reads.
COURSE_WRITES = [
    'set nom "kheir"',
    'lpush lists:shopping "milk" "bread"',
    'sadd tags:post "redis" "cluster"',
    'hset user:profile name "Kheir" age 23',
    'zadd users:age 23 "kheir"',
]
COURSE_READS = [
    "get nom",
    "lrange lists:shopping 0 -1",
    "smembers tags:posts",  # sic: the course wrote tags:post
    "hgetall user:profile",
    "zrange users:age 0 -1",
]


def numbered_items(count: int, prefix: str = "key:", value_size: int = 16) -> Iterator[tuple[str, str]]:
    """(prefix0, value), (prefix1, value) ... generated one at a time (notebook 03's loads)."""
    pad = "x" * max(value_size - 8, 0)
    for number in range(count):
        yield f"{prefix}{number}", f"{number:08d}{pad}"


@dataclass
class LoadReport:
    """What `bulk_load` did: keys written (each confirmed by its master), time, rate."""

    keys: int
    seconds: float

    @property
    def keys_per_second(self) -> float:
        return self.keys / self.seconds if self.seconds else 0.0

    def __repr__(self) -> str:
        return f"{self.keys:,} keys in {self.seconds:.2f} s ({self.keys_per_second:,.0f} keys/s)"


def bulk_load(rc: "RedisCluster", items: Iterable[tuple[str, str | bytes]], total: int | None = None,
              chunk: int = 50_000, progress: bool = True, timeout: float = 10.0) -> LoadReport:
    """Write every (key, value) of `items` with SET semantics; return when each master confirmed all.

    Used by notebook 03. `total` sizes the progress bar. A node that stops answering for
    `timeout` seconds raises a WorkshopError that says how many keys were confirmed before.
    """
    from tqdm.auto import tqdm

    owners = _slot_owners(rc)
    writers = {address: _Writer(address, rc.get_connection_kwargs().get("password"), timeout)
               for address in set(owners)}
    confirmed, began = 0, time.perf_counter()
    bar = tqdm(total=total, unit=" keys", unit_scale=True, disable=not progress, desc="loading")
    source = iter(items)
    try:
        while batch := list(islice(source, chunk)):
            groups: dict[int, list] = defaultdict(list)
            for key, value in batch:
                groups[key_slot(key)].append((key, value))
            for slot, pairs in groups.items():
                writers[owners[slot]].add_mset(pairs)
            _flush_all(writers, timeout, confirmed)
            confirmed += len(batch)
            bar.update(len(batch))
    finally:
        bar.close()
        for writer in writers.values():
            writer.close()
    return LoadReport(keys=confirmed, seconds=time.perf_counter() - began)


def _slot_owners(rc: "RedisCluster") -> list[str]:
    """For each of the 16384 slots, the 'host:port' of its master."""
    owners = [""] * HASH_SLOTS
    for (first, last), nodes in rc.cluster_slots(target_nodes=rc.get_random_node()).items():
        host, port = nodes["primary"][:2]
        owners[first:last + 1] = [f"{host}:{port}"] * (last - first + 1)
    if "" in owners:
        raise WorkshopError("Some hash slots have no master: the cluster is not ready. Check it "
                            "with `python -m helpers status`.")
    return owners


class _Writer:
    """One non-blocking connection to one master: queued MSETs out, replies counted in."""

    def __init__(self, address: str, password: str | None, timeout: float) -> None:
        host, port = address.rsplit(":", 1)
        self.address = address
        try:
            self.socket = socket.create_connection((host, int(port)), timeout=timeout)
        except OSError as error:
            raise WorkshopError(f"Cannot reach master {address} to load keys ({error}). "
                                "Check the cluster with `python -m helpers status`.") from None
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.setblocking(False)
        self.reader = hiredis.Reader()
        self.parts: list[bytes] = []
        self.expected = 0
        self.outgoing = memoryview(b"")
        if password:
            self._queue(b"*2\r\n$4\r\nAUTH\r\n" + _bulk(password))

    def add_mset(self, pairs: list[tuple[str, str | bytes]]) -> None:
        self._queue(b"*%d\r\n$4\r\nMSET\r\n" % (1 + 2 * len(pairs))
                    + b"".join(_bulk(key) + _bulk(value) for key, value in pairs))

    def _queue(self, command: bytes) -> None:
        self.parts.append(command)
        self.expected += 1

    def start(self) -> None:
        self.outgoing = memoryview(b"".join(self.parts))
        self.parts = []

    def send(self) -> None:
        sent = self.socket.send(self.outgoing)
        self.outgoing = self.outgoing[sent:]

    def receive(self) -> None:
        data = self.socket.recv(1 << 16)
        if not data:
            raise ConnectionError(f"{self.address} closed the connection")
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            self.expected -= 1
            if isinstance(reply, hiredis.ReplyError):
                raise WorkshopError(f"Master {self.address} refused a write: {reply}. Keys written "
                                    "before it are kept; run the load again once it is fixed.")

    def close(self) -> None:
        self.socket.close()


def _flush_all(writers: dict[str, _Writer], timeout: float, confirmed: int) -> None:
    """Send every writer's queue at once and wait for all of its replies."""
    selector = selectors.DefaultSelector()
    pending = {writer for writer in writers.values() if writer.expected}
    for writer in pending:  # an idle writer, always writable, would make select() spin
        writer.start()
        selector.register(writer.socket, selectors.EVENT_READ | selectors.EVENT_WRITE, writer)
    try:
        while pending:
            events = selector.select(timeout)
            if not events:
                stalled = ", ".join(sorted(writer.address for writer in pending))
                raise WorkshopError(
                    f"Master {stalled} stopped answering during the load ({timeout:.0f} s without "
                    f"a reply). {confirmed:,} keys were confirmed written before; the current "
                    "batch may be partly written. Check the cluster with `python -m helpers status`.")
            for key, mask in events:
                writer = key.data
                try:
                    if mask & selectors.EVENT_WRITE and writer.outgoing:
                        writer.send()
                        if not writer.outgoing:
                            selector.modify(writer.socket, selectors.EVENT_READ, writer)
                    if mask & selectors.EVENT_READ:
                        writer.receive()
                except OSError as error:
                    raise WorkshopError(
                        f"Master {writer.address} went away during the load ({error}). "
                        f"{confirmed:,} keys were confirmed written before; check the cluster "
                        "with `python -m helpers status`.") from None
                if not writer.expected:
                    pending.discard(writer)
    finally:
        selector.close()


def _bulk(value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return b"$%d\r\n%s\r\n" % (len(data), data)


def reset_course_data(rc: "RedisCluster") -> int:
    """Empty every master, then write the course's five keys (COURSE_WRITES) again; return how
    many keys were removed. Used by `python -m helpers reset`, for instructors between groups."""
    from helpers.console import parse
    removed = sum(rc.execute_command("DBSIZE", target_nodes=node) for node in rc.get_primaries())
    rc.flushall(target_nodes=rc.PRIMARIES)
    for line in COURSE_WRITES:
        rc.execute_command(*parse(line))
    return removed
