"""Redis's text replies read once, here: INFO (and CLUSTER INFO) and CLUSTER NODES.

Dependency-free, so the backends' readiness checks use the same parsers as the notebooks'
tables (helpers.topology), the dashboard, the benchmark's CPU counters and the exercises.
"""
from __future__ import annotations

from dataclasses import dataclass

from helpers.slots import parse_slot_range

FAILING_FLAGS = frozenset({"fail", "fail?", "handshake", "noaddr"})


def parse_info(text: str) -> dict[str, str]:
    """INFO's and CLUSTER INFO's 'key:value' lines as a dict, each split at its first colon only
    (readiness checks, the dashboard, the failover lab, notebook 05's benchmark CPU)."""
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


@dataclass(frozen=True)
class NodeLine:
    """One line of CLUSTER NODES: who a node is, as the node that answered sees it.

    `address` is 'host:port' (as MOVED and redis-py name nodes), `slots` the ranges it
    serves (slots being imported or migrated, written in brackets, are left out).
    """

    id: str
    address: str
    bus_port: int
    flags: tuple[str, ...]  # in the order CLUSTER NODES writes them
    master_id: str | None
    connected: bool
    slots: tuple[tuple[int, int], ...]
    config_epoch: int = 0  # a replica's line shows its master's

    @property
    def port(self) -> int:
        """The node's client port (0 while its address is unknown)."""
        return int(self.address.rpartition(":")[2] or 0)

    @property
    def is_master(self) -> bool:
        return "master" in self.flags

    @property
    def is_replica(self) -> bool:
        return "slave" in self.flags

    @property
    def is_myself(self) -> bool:
        """True on the line of the node that answered."""
        return "myself" in self.flags

    @property
    def unsettled(self) -> bool:
        """Failing, suspected, still in handshake, or with no address yet."""
        return not FAILING_FLAGS.isdisjoint(self.flags)

    @property
    def slot_count(self) -> int:
        return sum(last - first + 1 for first, last in self.slots)


def parse_cluster_nodes(text: str) -> list[NodeLine]:
    """CLUSTER NODES, one NodeLine per line in the order given (readiness, topology tables,
    the dashboard, notebook 01's exercises).

    A line reads: id host:port@bus[,hostname] flags master-id ping pong epoch link slot...
    """
    nodes = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 8:
            continue
        address, _, bus = fields[1].partition("@")
        nodes.append(NodeLine(
            id=fields[0], address=address, bus_port=int(bus.split(",")[0] or 0),
            flags=tuple(fields[2].split(",")),
            master_id=None if fields[3] == "-" else fields[3],
            connected=fields[7] == "connected",
            slots=tuple(parse_slot_range(part) for part in fields[8:] if not part.startswith("[")),
            config_epoch=int(fields[6])))
    return nodes


def read_cluster_nodes(client, target: object = None) -> list[NodeLine]:
    """CLUSTER NODES of one node, asked through a redis-py client (`target` a ClusterNode or
    a node flag such as RedisCluster.RANDOM), parsed by `parse_cluster_nodes`.

    Sent as two words on purpose: redis-py parses "CLUSTER NODES" with its own parser (into
    a dict keyed by address); "CLUSTER", "NODES" hands the text over unparsed.
    """
    options = {} if target is None else {"target_nodes": target}
    text = client.execute_command("CLUSTER", "NODES", **options)
    return parse_cluster_nodes(text.decode() if isinstance(text, bytes) else text)
