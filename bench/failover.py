"""Failover time: from a master's SIGKILL to the first successful write on its slots.

    .venv/bin/python bench/failover.py [--kills 10] [--node-timeout 2000]

One 3x1 cluster at the given cluster-node-timeout; each round kills the master that serves
a probe key, writes that key in a loop (a fresh client each try, bounded in time) until
the write succeeds, restarts the old master and waits until the cluster is ready again.
Goal: median <= node timeout + 2 s.
"""
from __future__ import annotations

import argparse
import statistics
import time

from common import private_cluster

import helpers
from helpers import faults
from helpers.cluster.base import HOST
from helpers.resp import Connection, ReplyError


def first_write_after_kill(key: str, ports: list[int], limit: float = 60.0) -> float:
    """Kill the master of `key`; return seconds until some node accepts SET `key`."""
    owner = faults.master_of(key)
    began = time.perf_counter()
    faults.kill(owner)
    while time.perf_counter() - began < limit:
        for port in ports:
            if port == owner:
                continue
            node = Connection(HOST, port, timeout=0.5)
            try:
                node.ask(("SET", key, "after"))
                return time.perf_counter() - began
            except (OSError, ReplyError):  # MOVED to the dead master, or CLUSTERDOWN, for now
                pass
            finally:
                node.close()
        time.sleep(0.01)
    raise RuntimeError(f"no write on {key!r} succeeded within {limit:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--node-timeout", type=int, default=2000)
    arguments = parser.parse_args()
    times = []
    with private_cluster(masters=3, replicas=1, node_timeout=arguments.node_timeout) as base:
        ports = list(range(base, base + 6))
        for round_number in range(arguments.kills):
            key = f"probe:{{{round_number}}}"
            elapsed = first_write_after_kill(key, ports)
            times.append(elapsed)
            dead = next(port for port in ports if faults.role(port) is None)
            faults.restart(dead)
            helpers.up()  # waits until every node agrees on the roles again
            print(f"  kill {round_number + 1}: first write after {elapsed:.2f} s")
    median, worst = statistics.median(times), max(times)
    timeout_s = arguments.node_timeout / 1000
    print(f"{arguments.kills} kills at cluster-node-timeout {arguments.node_timeout} ms:")
    print(f"  median {median:.2f} s, max {worst:.2f} s; median / node timeout = "
          f"{median / timeout_s:.2f}; goal median <= {timeout_s + 2:.1f} s: {median <= timeout_s + 2}")


if __name__ == "__main__":
    main()
