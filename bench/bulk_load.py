"""helpers.data.bulk_load against Redis's own mass insertion, same keys, same cluster, one run.

    .venv/bin/python bench/bulk_load.py [--keys 500000] [--rounds 3] [--no-memory]

The reference is the mass insertion that redis.io documents ("Bulk loading"): `redis-cli
--pipe` fed SET commands already encoded in RESP, one stream per master holding the keys of
that master's slots, every master's stream at once (one redis-cli process each). bulk_load
gets the same keys and values, also prepared before the clock starts, as the (key, value)
pairs it takes. `redis-benchmark --cluster -t set -P 16 -d 16 -r N` is a second reference
line. The three run in turn, round after round, on an emptied cluster (3 masters x 1
replica, AOF on), so they share the machine's noise; medians are printed. Goal: bulk_load
>= 0.8 x mass insertion. A last probe loads 1,000,000 keys in a fresh process and prints
its peak memory (goal < 250 MB: keys are streamed, not held).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from common import private_cluster, redis_benchmark, require_tools

import helpers
from helpers.data import bulk_load, numbered_items
from helpers.resp import encode
from helpers.slots import key_slot

# Linux: VmHWM, the probe's own peak. Not ru_maxrss, which Linux carries over from the parent
# (this script, holding its keys) across fork and exec. macOS has no /proc: ru_maxrss, in bytes.
MEMORY_PROBE = """
import re, resource, sys, helpers
from helpers.data import bulk_load, numbered_items
rc = helpers.connect()
bulk_load(rc, numbered_items(1_000_000, prefix="memory:"), progress=False)
if sys.platform == "linux":
    print(int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read())[1]) / 1024)
else:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20)
"""


def mass_insertion_files(rc, items: list[tuple[str, str]], folder: str) -> dict[str, Path]:
    """One file of RESP `SET key value` per master, holding the keys its slots own."""
    owner = {}
    for (first, last), nodes in rc.cluster_slots(target_nodes=rc.get_random_node()).items():
        owner.update(dict.fromkeys(range(first, last + 1), "%s:%s" % tuple(nodes["primary"][:2])))
    commands: dict[str, list[bytes]] = defaultdict(list)
    for key, value in items:
        commands[owner[key_slot(key)]].append(encode(("SET", key, value)))
    files = {}
    for address, encoded in commands.items():
        files[address] = Path(folder, address.replace(":", "_") + ".resp")
        files[address].write_bytes(b"".join(encoded))
    return files


def mass_insertion(files: dict[str, Path]) -> float:
    """Seconds for `redis-cli --pipe` to write every file to its master, all masters at once."""
    began = time.perf_counter()
    running = []
    for address, path in files.items():
        host, port = address.rsplit(":", 1)
        with path.open("rb") as stream:
            running.append(subprocess.Popen(["redis-cli", "-h", host, "-p", port, "--pipe"],
                                            stdin=stream, stdout=subprocess.PIPE, text=True))
    outputs = [process.communicate()[0] for process in running]
    seconds = time.perf_counter() - began
    for process, output in zip(running, outputs):
        found = re.search(r"errors: (\d+), replies: (\d+)", output)
        if process.returncode or not found or found[1] != "0":
            raise RuntimeError(f"redis-cli --pipe failed: {output[-300:]}")
    return seconds


def keys_on_masters(rc) -> int:
    return sum(rc.execute_command("DBSIZE", target_nodes=node) for node in rc.get_primaries())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the 1,000,000-key memory probe")
    options = parser.parse_args()
    count = options.keys
    require_tools("redis-cli", "redis-benchmark")
    rates: dict[str, list[float]] = defaultdict(list)
    loads: list[str] = []
    with private_cluster(masters=3, replicas=1) as port, tempfile.TemporaryDirectory() as folder:
        rc = helpers.connect()
        items = list(numbered_items(count, prefix="bulk:"))
        files = mass_insertion_files(rc, items, folder)

        def emptied() -> None:
            rc.flushall(target_nodes=rc.PRIMARIES)

        def check_all_written(name: str) -> None:
            if (found := keys_on_masters(rc)) != count:
                raise RuntimeError(f"{name} left {found:,} keys on the masters, not {count:,}")

        for _ in range(options.rounds):
            loads.append(os.getloadavg()[0])
            emptied()
            rates["mass"].append(count / mass_insertion(files))
            check_all_written("redis-cli --pipe")
            emptied()
            began = time.perf_counter()
            bulk_load(rc, items, total=count, progress=False)
            rates["bulk"].append(count / (time.perf_counter() - began))
            check_all_written("bulk_load")
            emptied()
            rates["benchmark"].append(redis_benchmark(port, "-t", "set", "-P", "16", "-d", "16",
                                                      "-n", str(count), "-r", str(count))[0])
        emptied()
        del items
        peak = None
        if not options.no_memory:
            peak = float(subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True,
                                        text=True, check=True).stdout)
        rc.close()
    median = {name: statistics.median(values) for name, values in rates.items()}
    print(f"{count:,} SET keys of 16 bytes on 3 masters x 1 replica (AOF on), keys per second, "
          f"median of {options.rounds} interleaved rounds (1-min load average: "
          + ", ".join(f"{load:.2f}" for load in loads) + "):")
    for name, label in (("mass", "redis-cli --pipe, one per master (reference)"),
                        ("bulk", "helpers.data.bulk_load"),
                        ("benchmark", "redis-benchmark --cluster -t set -P 16 -d 16")):
        each = ", ".join(f"{rate:,.0f}" for rate in rates[name])
        print(f"  {label:<46} {median[name]:>10,.0f}   ({each})")
    if peak is not None:
        print(f"peak memory of a process loading 1,000,000 keys: {peak:.0f} MB (goal < 250 MB)")
    print("goal: bulk_load >= 0.80 x mass insertion")
    print(f"ratio to mass insertion: {median['bulk'] / median['mass']:.2f}")


if __name__ == "__main__":
    main()
