"""The course's dataset (notebook 02) and a fast, streaming bulk loader (notebooks 03 and 05).

`bulk_load` writes many keys to the cluster as fast as one Python process can: keys are
grouped by hash slot (a cluster MSET must stay in one slot), each group becomes one MSET,
and every master is written to at the same time over non-blocking sockets. Keys are
read from any iterable chunk by chunk, so a million keys never sit in memory at once.

Where the time goes, and why the code looks as it does: a Python statement per key costs
about a microsecond, as much as a Redis master spends storing the key. So each step runs
over a whole list at C speed (`map`, `zip`, a numpy sort by slot, one `join` per master),
the masters store chunk n while Python encodes chunk n + 1, and replies, all `+OK` or an
error line, are counted rather than parsed one by one.
"""
from __future__ import annotations

import binascii
import selectors
import socket
import ssl
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, repeat
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

from helpers.errors import WorkshopError
from helpers.i18n import Message, _, _n
from helpers.resp import Tls, TlsError, credentials_of, encode, open_socket
from helpers.slots import HASH_SLOTS, key_slot

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

    def __repr__(self) -> Message:
        return _n("{count:,} key in {seconds:.2f} s ({rate:,.0f} keys/s)",
                  "{count:,} keys in {seconds:.2f} s ({rate:,.0f} keys/s)", self.keys,
                  seconds=self.seconds, rate=self.keys_per_second)


# Pairs encoded between two turns of sending: small enough that the masters never run dry
# while Python encodes, large enough that the turns cost nothing.
_PART = 10_000


def bulk_load(rc: "RedisCluster", items: Iterable[tuple[str | bytes, str | bytes | int | float]],
              total: int | None = None, chunk: int = 50_000, progress: bool = True,
              timeout: float = 10.0) -> LoadReport:
    """Write every (key, value) of `items` with SET semantics; return when each master confirmed all.

    Used by notebooks 03 and 05. Keys and values are str (UTF-8), bytes or numbers, as
    redis-py takes them; a key given twice keeps its last value. `total` sizes the
    progress bar. The client's user logs in on every master. A master that goes away or
    stops answering for `timeout` seconds raises a WorkshopError that says how many keys
    were confirmed before; running the same load again is harmless (SET overwrites).
    """
    from tqdm.auto import tqdm

    owners = _slot_owners(rc)
    credentials = credentials_of(rc)
    login = credentials.auth()
    addresses = sorted(set(owners))
    streams: list[_MasterStream] = []
    bar = tqdm(total=total, unit=_(" keys"), unit_scale=True, disable=not progress, desc=_("loading"))
    began = time.perf_counter()
    try:
        for address in addresses:
            streams.append(_MasterStream(address, encode(login) if login else None, timeout, credentials.tls))
        owner_of_slot = np.array([addresses.index(address) for address in owners])
        source, shown = iter(items), 0
        while True:
            records: list[bytes] = []
            slots: list[np.ndarray] = []
            while len(records) < chunk and (part := list(islice(source, min(_PART, chunk - len(records))))):
                encoded, part_slots = _encode(part)
                records += encoded
                slots.append(part_slots)
                _turn(streams)  # the previous chunk keeps flowing while this one is encoded
            if not records:
                break
            _queue_msets(streams, owner_of_slot, records, np.concatenate(slots))
            del records
            _wait(streams, lambda stream: len(stream.batches) <= 1, timeout)  # at most two chunks out
            confirmed = sum(stream.confirmed for stream in streams)
            bar.update(confirmed - shown)
            shown = confirmed
        _wait(streams, lambda stream: not stream.batches, timeout)
        bar.update(sum(stream.confirmed for stream in streams) - shown)
    except _NodeFailure as failure:
        confirmed = sum(stream.confirmed_so_far() for stream in streams)
        raise WorkshopError(_n(
            "{failure} {count:,} key was confirmed written before; others may be partly written, and "
            "loading again is harmless. Check the cluster with `python -m helpers status`.",
            "{failure} {count:,} keys were confirmed written before; others may be partly written, and "
            "loading again is harmless. Check the cluster with `python -m helpers status`.",
            confirmed, failure=failure.args[0])) from None
    finally:
        bar.close()
        for stream in streams:
            stream.close()
    return LoadReport(keys=sum(stream.confirmed for stream in streams),
                      seconds=time.perf_counter() - began)


def _slot_owners(rc: "RedisCluster") -> list[str]:
    """For each of the 16384 slots, the 'host:port' of its master."""
    owners = [""] * HASH_SLOTS
    for (first, last), nodes in rc.cluster_slots(target_nodes=rc.get_random_node()).items():
        host, port = nodes["primary"][:2]
        owners[first:last + 1] = [f"{host}:{port}"] * (last - first + 1)
    if "" in owners:
        raise WorkshopError(_("Some hash slots have no master: the cluster is not ready. Check it "
                              "with `python -m helpers status`."))
    return owners


# ---- encoding: whole lists at a time -----------------------------------------------------------

_first, _second = itemgetter(0), itemgetter(1)


def _encode(part: list) -> tuple[list[bytes], np.ndarray]:
    """Each (key, value) of `part` as its two MSET arguments in RESP, and each key's slot."""
    try:
        all_pairs = set(map(len, part)) == {2}
    except TypeError:  # an item without a length
        all_pairs = False
    if not all_pairs:
        wrong = next(item for item in part if not isinstance(item, Sequence) or len(item) != 2)
        raise WorkshopError(_("bulk_load takes (key, value) pairs; this item is not one: {item!r:.60}",
                              item=wrong))
    keys, values = _as_bytes(part, _first), _as_bytes(part, _second)
    # b"$5\r\nkey:1\r\n$16\r\n0000000000000001\r\n": the key's and the value's bulk strings
    pairs = zip(map(_KEY.__getitem__, map(len, keys)), keys,
                map(_VALUE.__getitem__, map(len, values)), values, repeat(b"\r\n"))
    return list(map(b"".join, pairs)), _slots(keys)


def _as_bytes(part: list, pick: itemgetter) -> list[bytes]:
    """The keys (pick=_first) or the values (_second) of `part` as bytes."""
    try:
        return list(map(str.encode, map(pick, part)))  # the usual case, all str, at C speed
    except (TypeError, UnicodeEncodeError):
        return [_one_as_bytes(text) for text in map(pick, part)]


def _one_as_bytes(value: object) -> bytes:
    if isinstance(value, str):  # surrogate escapes are the bytes they stand for (helpers.resp.encode)
        return value.encode(errors="surrogateescape")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value).encode()  # what redis-py sends for a number
    raise WorkshopError(_("bulk_load writes str, bytes or numbers, not {type} ({value!r:.40}): convert it "
                          "first, e.g. with json.dumps.", type=type(value).__name__, value=value))


def _slots(keys: list[bytes]) -> np.ndarray:
    """Each key's hash slot: CRC16 over the list, and helpers.slots.key_slot's rule for {tags}."""
    if b"{" in b"".join(keys):
        return np.fromiter(map(key_slot, keys), dtype=np.int64, count=len(keys))
    crc16 = np.fromiter(map(binascii.crc_hqx, keys, repeat(0)), dtype=np.int64, count=len(keys))
    return crc16 & (HASH_SLOTS - 1)  # 16384 is a power of two: the same as % 16384


class _Heads(dict):
    """RESP prefixes for each length (b"$16\\r\\n" ...), made once, then looked up: loads use few lengths."""

    def __init__(self, template: bytes) -> None:
        super().__init__()
        self.template = template

    def __missing__(self, size: int) -> bytes:
        made = self.template % size
        if size < 4096:  # a bound on what is kept, whatever lengths a load has
            self[size] = made
        return made


_KEY = _Heads(b"$%d\r\n")
_VALUE = _Heads(b"\r\n$%d\r\n")  # ends the key's bulk string, starts the value's
_MSET = _Heads(b"*%d\r\n$4\r\nMSET\r\n")  # for 1 + 2 x keys arguments


def _queue_msets(streams: list["_MasterStream"], owner_of_slot: np.ndarray, records: list[bytes],
                 slots: np.ndarray) -> None:
    """One MSET per slot present, each master's MSETs joined into one buffer for its stream."""
    order = np.argsort(slots, kind="stable")  # stable: a key given twice keeps its last value
    slots = slots[order]
    records = list(map(records.__getitem__, order.tolist()))
    starts = np.flatnonzero(np.diff(slots, prepend=-1))  # where each slot's run of keys begins
    sizes = np.diff(starts, append=len(slots))
    # Each slot's MSET header goes in front of its first key; b"" in front of the others.
    heads = np.full(len(slots), b"", dtype=object)
    heads[starts] = list(map(_MSET.__getitem__, (1 + 2 * sizes).tolist()))
    heads = heads.tolist()
    owners = owner_of_slot[slots]
    cuts = np.flatnonzero(np.diff(owners, prepend=-1)).tolist() + [len(slots)]
    for begin, end in zip(cuts, cuts[1:]):  # a few runs: one per range of slots
        pieces = [b""] * (2 * (end - begin))
        pieces[0::2], pieces[1::2] = heads[begin:end], records[begin:end]
        streams[owners[begin]].queue(b"".join(pieces), sizes[(begin <= starts) & (starts < end)])


# ---- sending and counting replies --------------------------------------------------------------

class _NodeFailure(Exception):
    """A master went away, refused a command or stopped answering: the message names it."""


class _MasterStream:
    """One non-blocking connection to one master: buffers out, replies counted in.

    Every command sent is an MSET (or the login), whose reply is one line: `+OK` or an
    error. So counting newlines counts replies, and a '-' can only start an error.
    """

    def __init__(self, address: str, login: bytes | None, timeout: float, tls: Tls | None = None) -> None:
        host, port = address.rsplit(":", 1)
        self.address = address
        try:
            self.socket = open_socket(host, int(port), tls, timeout)
        except TlsError as error:  # its message names the cause and the fix
            raise WorkshopError(*error.args) from None
        except OSError as error:
            raise WorkshopError(_("Cannot reach master {address} to load keys ({error}). Check the "
                                  "cluster with `python -m helpers status`.", address=address,
                                  error=str(error))) from None
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.socket.setblocking(False)
        except OSError:
            self.socket.close()
            raise
        self.outgoing: deque[memoryview] = deque()
        # Per batch queued and not fully answered: keys written once each of its commands is answered.
        self.batches: deque[np.ndarray] = deque()
        self.answered = 0  # replies received for the oldest batch
        self.confirmed = 0  # keys of fully answered batches
        self.tail = b""  # a reply line cut in two by the network
        self.logging_in = login is not None  # until the first reply, an error is the login's
        if login:
            self.queue(login, np.zeros(1, dtype=np.int64))

    def queue(self, commands: bytes, sizes: np.ndarray) -> None:
        """Send `commands` (len(sizes) of them, carrying `sizes` keys each) after those queued."""
        self.outgoing.append(memoryview(commands))
        self.batches.append(np.cumsum(sizes))

    def send(self) -> None:
        """Give the kernel as many queued bytes as it takes now."""
        while self.outgoing:
            head = self.outgoing[0]
            try:
                sent = self.socket.send(head)
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return
            except OSError as error:
                raise _NodeFailure(_("Master {address} went away during the load ({error}).",
                                     address=self.address, error=str(error))) from None
            if sent < len(head):
                self.outgoing[0] = head[sent:]
                return
            self.outgoing.popleft()

    def receive(self) -> None:
        """Count the replies that have arrived; raise on the first error reply."""
        try:
            data = self.socket.recv(1 << 18)
            # TLS decrypts whole records: what it holds already will not wake the selector again.
            while data and isinstance(self.socket, ssl.SSLSocket) and self.socket.pending():
                data += self.socket.recv(self.socket.pending())
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except OSError as error:
            raise _NodeFailure(_("Master {address} went away during the load ({error}).",
                                 address=self.address, error=str(error))) from None
        if not data:
            raise _NodeFailure(_("Master {address} went away during the load (it closed the connection).",
                                 address=self.address))
        data = self.tail + data
        cut = data.rfind(b"\n") + 1
        lines, self.tail = data[:cut], data[cut:]
        if b"-" in lines:
            self._refused(lines)
        self._answer(lines.count(b"\n"))

    def _answer(self, replies: int) -> None:
        if replies and self.logging_in:
            self.logging_in = False
        self.answered += replies
        while self.batches and self.answered >= len(self.batches[0]):
            done = self.batches.popleft()
            self.answered -= len(done)
            self.confirmed += int(done[-1])

    def _refused(self, lines: bytes) -> None:
        for number, line in enumerate(lines.split(b"\r\n")):
            if line.startswith(b"-"):
                error = line[1:].decode(errors="replace")
                if self.logging_in and number == 0:
                    raise _NodeFailure(_("Master {address} refused the login: {error}.", address=self.address,
                                         error=error))
                self._answer(number)  # the commands before it were written
                raise _NodeFailure(_("Master {address} refused a write: {error}.", address=self.address,
                                     error=error))

    def confirmed_so_far(self) -> int:
        """Keys of every answered command, the oldest batch's answered part included."""
        partial = int(self.batches[0][self.answered - 1]) if self.batches and self.answered else 0
        return self.confirmed + partial

    def close(self) -> None:
        self.socket.close()


def _turn(streams: list[_MasterStream]) -> None:
    """Without waiting: hand each master what its socket takes, count the replies that came."""
    for stream in streams:
        stream.send()
        stream.receive()


def _wait(streams: list[_MasterStream], done, timeout: float) -> None:
    """Send and receive until `done(stream)` holds for every stream; a silence of `timeout` s fails."""
    selector = selectors.DefaultSelector()
    try:
        for stream in streams:
            if not done(stream):
                selector.register(stream.socket, _events(stream), stream)
        while selector.get_map():
            events = selector.select(timeout)
            if not events:
                stalled = [key.data.address for key in selector.get_map().values()]
                raise _NodeFailure(_n("Master {addresses} stopped answering during the load ({timeout:g} s "
                                      "without a reply).",
                                      "Masters {addresses} stopped answering during the load ({timeout:g} s "
                                      "without a reply).", len(stalled), addresses=", ".join(stalled),
                                      timeout=timeout))
            for key, mask in events:
                stream = key.data
                if mask & selectors.EVENT_WRITE:
                    stream.send()
                if mask & selectors.EVENT_READ:
                    stream.receive()
                if done(stream):
                    selector.unregister(stream.socket)
                elif key.events != _events(stream):  # an idle stream, always writable, would spin
                    selector.modify(stream.socket, _events(stream), stream)
    finally:
        selector.close()


def _events(stream: _MasterStream) -> int:
    return selectors.EVENT_READ | (selectors.EVENT_WRITE if stream.outgoing else 0)


def reset_course_data(rc: "RedisCluster") -> int:
    """Empty every master, then write the course's five keys (COURSE_WRITES) again; return how
    many keys were removed. Used by `python -m helpers reset`, for instructors between groups."""
    from helpers.console import parse
    removed = sum(rc.execute_command("DBSIZE", target_nodes=node) for node in rc.get_primaries())
    rc.flushall(target_nodes=rc.PRIMARIES)
    for line in COURSE_WRITES:
        rc.execute_command(*parse(line))
    return removed
