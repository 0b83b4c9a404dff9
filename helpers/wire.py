"""What travels on the wire between a client and a node (notebook 07's TLS lab).

A `Tap` is a small relay on a free port of 127.0.0.1: a client connects to it instead of the
node, and it passes every byte on, both ways, keeping a copy. That is what anyone on the path
sees (a capture with tcpdump or Wireshark shows the same bytes), without root or a capture tool.
"""
from __future__ import annotations

import selectors
import socket
import string
import threading

from helpers.cluster.base import HOST
from helpers.i18n import _n

PRINTABLE = set(string.printable.encode()) - set(b"\t\n\r\x0b\x0c")


class Tap:
    """Relays one client's connections to the node on `port` and records what each side sent.

    `tap.port` is where the client connects; `tap.sent` holds the client's bytes, `tap.received`
    the node's. At most `limit` bytes each way are kept. Use it in a `with` block, or `close()` it.
    """

    def __init__(self, port: int, limit: int = 1 << 20) -> None:
        self.target, self.limit = port, limit
        self.sent, self.received = bytearray(), bytearray()
        self._listener = socket.create_server((HOST, 0))
        self.port = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._peers: dict[socket.socket, tuple[socket.socket, bytearray]] = {}
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"tap:{port}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._closing.is_set():
            for key, _events in self._selector.select(timeout=0.1):
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    self._forward(key.fileobj)

    def _accept(self) -> None:
        client, _address = self._listener.accept()
        try:
            node = socket.create_connection((HOST, self.target), timeout=5)
        except OSError:
            client.close()
            return
        self._peers[client] = (node, self.sent)
        self._peers[node] = (client, self.received)
        for side in (client, node):
            self._selector.register(side, selectors.EVENT_READ)

    def _forward(self, source: socket.socket) -> None:
        if source not in self._peers:  # closed with its other side in this same round
            return
        other, record = self._peers[source]
        try:
            data = source.recv(1 << 16)
            if data:
                record += data[:max(0, self.limit - len(record))]
                other.sendall(data)
        except OSError:
            data = b""
        if not data:  # one side closed or failed: close both
            for side in (source, other):
                self._selector.unregister(side)
                self._peers.pop(side, None)
                side.close()

    def close(self) -> None:
        """Stop relaying and close every connection (the recorded bytes stay)."""
        self._closing.set()
        self._thread.join()
        for side in list(self._peers):
            side.close()
        self._selector.close()
        self._listener.close()

    def __enter__(self) -> "Tap":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dump(data: bytes, width: int = 16, lines: int = 12) -> str:
    """Bytes as a capture tool (xxd, tcpdump -X) prints them: offset, hex, and the printable ones as
    text (others as '.'), `width` bytes a line, the first `lines` lines (notebook 07)."""
    shown = []
    for offset in range(0, min(len(data), width * lines), width):
        chunk = data[offset:offset + width]
        text = "".join(chr(byte) if byte in PRINTABLE else "." for byte in chunk)
        shown.append(f"{offset:04x}  {chunk.hex(' '):<{3 * width}} {text}")
    if len(data) > width * lines:
        shown.append(_n("… {count:,} byte in all", "… {count:,} bytes in all", len(data)))
    return "\n".join(shown)
