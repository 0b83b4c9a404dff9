"""How fast a 3-master × 1-replica cluster is ready, against the course's way, in one run.

    .venv/bin/python bench/cluster_startup.py [--runs 5]

Ready means the same for every path: every node reports cluster_state:ok and agrees on the
roles, and every replica's link to its master is up (helpers.cluster.base.readiness).
Redis sets a floor: a new master keeps cluster_state:fail for 2 s (CLUSTER_WRITABLE_DELAY).
Goals: cold `up` <= 2.3 s and never slower than the course's way; `up` on a running
cluster <= 0.3 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402
from helpers.cluster.base import ClusterSpec, ClusterState, find_free_base_port, wait_until_ready  # noqa: E402
from helpers.cluster.local import start_nodes, stop_nodes  # noqa: E402
from helpers.tools import create_cluster_arguments  # noqa: E402


def timed(action) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "helpers", *args], check=True, capture_output=True)


def course_way(home: Path, base_port: int) -> float:
    """Spawn six redis-server, then `redis-cli --cluster create --cluster-replicas 1`; wait for ready."""
    state = ClusterState("local", ClusterSpec(masters=3, replicas=1, base_port=base_port))
    began = time.perf_counter()
    start_nodes(state, home)
    subprocess.run(["redis-cli", *create_cluster_arguments(state.spec)], check=True, capture_output=True)
    wait_until_ready(state)
    elapsed = time.perf_counter() - began
    stop_nodes(state, home)
    subprocess.run(["rm", "-rf", str(home / "nodes")], check=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        os.environ["WORKSHOP_HOME"] = str(Path(scratch) / "workshop")
        os.environ["WORKSHOP_BASE_PORT"] = str(find_free_base_port(6, start=7200))
        course_port = find_free_base_port(6, start=int(os.environ["WORKSHOP_BASE_PORT"]) + 50)
        figures: dict[str, list[float]] = {name: [] for name in (
            "up (in-process), cold", "up (command line), cold", "course: redis-cli --cluster create",
            "up (in-process), already running", "up (command line), already running",
            "down, then up with data")}
        try:
            for _ in range(runs):  # interleaved, so both paths share the machine's noise
                figures["up (in-process), cold"].append(timed(helpers.up))
                figures["up (in-process), already running"].append(timed(helpers.up))
                figures["up (command line), already running"].append(timed(lambda: cli("up")))
                helpers.down()
                figures["down, then up with data"].append(timed(helpers.up))
                helpers.down(purge=True)
                figures["up (command line), cold"].append(timed(lambda: cli("up")))
                helpers.down(purge=True)
                figures["course: redis-cli --cluster create"].append(
                    course_way(Path(scratch) / "course", course_port))
        finally:
            helpers.down(purge=True)
    medians = {name: statistics.median(values) for name, values in figures.items()}
    course = medians["course: redis-cli --cluster create"]
    print(f"3 masters × 1 replica, replicas in sync, median of {runs} runs (seconds):")
    for name, median in medians.items():
        print(f"  {name:<38} {median:6.3f}   max {max(figures[name]):6.3f}")
    print(f"ratio cold up / course way: in-process {medians['up (in-process), cold'] / course:.2f}, "
          f"command line {medians['up (command line), cold'] / course:.2f}")
    print(f"goals: cold up <= 2.3 s: {medians['up (in-process), cold'] <= 2.3}; "
          f"not slower than the course way: {medians['up (command line), cold'] <= course}; "
          f"running up <= 0.3 s: {medians['up (command line), already running'] <= 0.3}")


if __name__ == "__main__":
    main()
