"""The cluster bus relay (notebook 06's partitions) costs the clients nothing: redis-benchmark
on a relayed and an unrelayed cluster of the same shape, in the same run.

    .venv/bin/python bench/relay.py [--rounds 3] [--requests 200000]

The relayed cluster is what `up` starts on the local backend: every node's bus passes through
helpers/cluster/relay.py. The unrelayed one is the same six nodes started without it
(`start_nodes(relayed=False)`), as before the relay existed. Each round runs `redis-benchmark
--cluster -t set -c 50 -n N` on one, then the other, so both share the machine's noise.
Printed: the medians of requests/s and p50, the ratio relayed / unrelayed (goal >= 0.95: clients
connect to the nodes directly), and the CPU seconds the relay used against the six nodes' while
the relayed cluster was measured.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from common import private_cluster, redis_benchmark

from helpers.cluster.base import ClusterSpec, ClusterState, find_free_base_port, wait_until_ready
from helpers.cluster.local import build_cluster, relay_record, start_nodes, stop_nodes

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200_000)
    options = parser.parse_args()
    load = ("-t", "set", "-c", "50", "-n", str(options.requests), "-r", "100000")
    figures: dict[str, list[tuple[float, float]]] = {"relayed": [], "unrelayed": []}
    with private_cluster() as relayed, tempfile.TemporaryDirectory(prefix="bench-unrelayed-") as home:
        relayed_home = Path(os.environ["WORKSHOP_HOME"])
        plain = ClusterState(backend="local", spec=ClusterSpec(3, 1, find_free_base_port(6, start=relayed + 100)))
        start_nodes(plain, Path(home))
        try:
            build_cluster(plain)
            wait_until_ready(plain)
            relay_pid = relay_record(relayed_home)["pid"]
            node_pids = list(ClusterState.load(relayed_home).pids.values())
            relay_cpu = nodes_cpu = 0.0
            for _ in range(options.rounds):
                before = cpu_seconds(relay_pid), sum(map(cpu_seconds, node_pids))
                figures["relayed"].append(redis_benchmark(relayed, *load))
                relay_cpu += cpu_seconds(relay_pid) - before[0]
                nodes_cpu += sum(map(cpu_seconds, node_pids)) - before[1]
                figures["unrelayed"].append(redis_benchmark(plain.spec.base_port, *load))
        finally:
            stop_nodes(plain, Path(home))
    medians = {name: (statistics.median(r for r, _ in runs), statistics.median(p for _, p in runs))
               for name, runs in figures.items()}
    for name, (rps, p50) in medians.items():
        print(f"{name:>10}: {rps:>10,.0f} requests/s, p50 {p50:.0f} µs (median of {options.rounds})")
    ratio = medians["relayed"][0] / medians["unrelayed"][0]
    print(f"relayed / unrelayed: {ratio:.3f} (goal >= 0.95)")
    print(f"CPU while the relayed cluster was measured: relay {relay_cpu:.2f} s, "
          f"six nodes {nodes_cpu:.2f} s ({relay_cpu / nodes_cpu:.1%})")


if __name__ == "__main__":
    main()
