"""The cluster bus relay of the local backend: how notebook 06 cuts the network between nodes
without root.

Each node listens for the cluster bus on its port + 20000 (`cluster-port`) and announces its
port + 10000 (`cluster-announce-bus-port`), where this relay listens and passes the bytes on.
Every bus message starts with a header that names its sender's client port, so the relay knows
who calls. Clients and replication connect to the nodes directly: only the bus goes through here.

A cut pair of nodes loses its connections as behind a firewall that rejects them: they are
closed, and new ones refused, until the partition heals; the nodes then connect again within a
tenth of a second.

`python helpers/cluster/relay.py HOME PORT ...` runs it, with the standard library alone
(helpers.cluster.local.start_relay does, before the nodes). It writes HOME/relay.json with its
pid and a control port on 127.0.0.1, which takes one JSON line, {"isolate": [port, ...]} (an
empty list heals) or {} (status), and answers one.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

HOST = "127.0.0.1"
ANNOUNCED_BUS_OFFSET = 10000  # where the relay listens: the bus port every node announces
OWN_BUS_OFFSET = 20000  # where each node itself listens for the bus (`cluster-port`)
CHUNK = 65536
# A bus message starts "RCmb", its length (4 bytes), the protocol version (2), then the sender's
# client port (2, big-endian): Redis 7.0's clusterMsg, src/cluster.h.
HEADER = 12
RELAY_FILE = "relay.json"


class Link:
    """One bus connection from node `source` (None: a node the relay does not know, such as
    notebook 05's extra nodes, never cut) to node `target`, its bytes passed on both ways."""

    def __init__(self, source: int | None, target: int, downstream: tuple, upstream: tuple) -> None:
        self.source, self.target = source, target
        self.writers = (downstream[1], upstream[1])
        RELAY.links.add(self)
        self.tasks = [asyncio.create_task(_copy(downstream[0], upstream[1], self)),
                      asyncio.create_task(_copy(upstream[0], downstream[1], self))]

    def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for writer in self.writers:
            writer.close()
        RELAY.links.discard(self)


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    link.close()


class Relay:
    """The listeners, the links, the nodes isolated from the others, and so which ordered pairs
    (from, to) of nodes are cut."""

    def __init__(self, ports: set[int]) -> None:
        self.ports = ports
        self.isolated: set[int] = set()
        self.cut: set[tuple[int, int]] = set()
        self.links: set[Link] = set()

    async def accept(self, target: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A node connects to `target`'s bus: read who it is from its first message's header."""
        try:
            header = await reader.readexactly(HEADER)
        except (OSError, asyncio.IncompleteReadError):
            writer.close()
            return
        port = int.from_bytes(header[10:12], "big") if header[:4] == b"RCmb" else None
        source = port if port in self.ports else None
        if (source, target) in self.cut:  # refused, as by a firewall that rejects
            writer.close()
            return
        try:
            upstream = await asyncio.open_connection(HOST, target + OWN_BUS_OFFSET)
        except OSError:  # the node is down: the caller sees its connection closed
            writer.close()
            return
        if (source, target) in self.cut:  # cut while the connection opened
            upstream[1].close()
            writer.close()
            return
        upstream[1].write(header)
        Link(source, target, (reader, writer), upstream)

    def isolate(self, ports: set[int]) -> None:
        """Cut every pair with one node in `ports` and one outside, both ways: close their links
        and refuse new ones. An empty set heals."""
        self.isolated = ports
        self.cut = {(a, b) for a in ports for b in self.ports - ports}
        self.cut |= {(b, a) for a, b in self.cut}
        for link in list(self.links):
            if (link.source, link.target) in self.cut:
                link.close()

    async def control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = json.loads(await reader.readline())
            if "isolate" in request:
                self.isolate({int(port) for port in request["isolate"]})
            reply = {"isolated": sorted(self.isolated), "links": len(self.links)}
        except (ValueError, TypeError) as error:
            reply = {"error": str(error)}
        writer.write(json.dumps(reply).encode() + b"\n")
        await writer.drain()
        writer.close()


RELAY = Relay(set())


async def main(home: Path, ports: list[int]) -> None:
    RELAY.ports = set(ports)
    for port in ports:
        await asyncio.start_server(lambda r, w, port=port: RELAY.accept(port, r, w), HOST,
                                   port + ANNOUNCED_BUS_OFFSET, reuse_address=True)
    control = await asyncio.start_server(RELAY.control, HOST, 0)
    record = {"pid": os.getpid(), "control": control.sockets[0].getsockname()[1], "ports": ports}
    written = home / (RELAY_FILE + ".new")
    written.write_text(json.dumps(record))
    written.replace(home / RELAY_FILE)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


if __name__ == "__main__":
    home_arg, *port_args = sys.argv[1:]
    asyncio.run(main(Path(home_arg), [int(port) for port in port_args]))
