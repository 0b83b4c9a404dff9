"""Loading SET keys three ways on one cluster, in one run, and the loader's peak memory.

    .venv/bin/python bench/bulk_load.py [--keys 500000]

(a) redis-benchmark --cluster -P 16 -t set, (b) redis-py ClusterPipeline in batches of
1,000, (c) helpers.data.bulk_load. Goals: (c) >= 0.4 x (a) and >= 4 x (b); the Python
process loading 1,000,000 keys peaks under 250 MB (keys are streamed, not held).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

from common import private_cluster, redis_benchmark

import helpers
from helpers.bench import write_with_pipeline
from helpers.data import bulk_load, numbered_items

MEMORY_PROBE = """
import resource, helpers
from helpers.data import bulk_load, numbered_items
rc = helpers.connect()
bulk_load(rc, numbered_items(1_000_000, prefix="memory:"), progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=500_000)
    count = parser.parse_args().keys
    with private_cluster(masters=3, replicas=1) as port:
        rc = helpers.connect()
        reference, _ = redis_benchmark(port, "-P", "16", "-t", "set", "-n", str(count), "-r", str(count))
        rc.flushall(target_nodes=rc.PRIMARIES)

        began = time.perf_counter()
        write_with_pipeline(rc, numbered_items(count, prefix="pipe:"))
        pipelined = count / (time.perf_counter() - began)
        rc.flushall(target_nodes=rc.PRIMARIES)

        loader = bulk_load(rc, numbered_items(count, prefix="bulk:"), progress=False).keys_per_second
        rc.flushall(target_nodes=rc.PRIMARIES)
        peak = float(subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True,
                                    text=True, check=True).stdout)
        rc.close()
    print(f"{count:,} SET keys on 3 masters x 1 replica, keys per second:")
    print(f"  (a) redis-benchmark --cluster -P 16      {reference:>10,.0f}")
    print(f"  (b) redis-py ClusterPipeline, 1,000/batch {pipelined:>10,.0f}")
    print(f"  (c) helpers.data.bulk_load               {loader:>10,.0f}")
    print(f"ratios: (c)/(a) = {loader / reference:.2f} (goal >= 0.4), "
          f"(c)/(b) = {loader / pipelined:.1f} (goal >= 4)")
    print(f"peak memory loading 1,000,000 keys: {peak:.0f} MB (goal < 250 MB)")


if __name__ == "__main__":
    main()
