"""The single-client p50 GET latency the notebooks show, against redis-benchmark's, in one run.

    .venv/bin/python bench/latency.py [--rounds 5]

Goal: helpers.measure p50 <= 1.5 x `redis-benchmark --cluster -c 1 -t get` p50, so what
students see is the server's latency, not the measuring tool's overhead.
"""
from __future__ import annotations

import argparse
import statistics

import numpy as np
from common import private_cluster, redis_benchmark

import helpers
from helpers.measure import latency_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    ours, theirs = [], []
    with private_cluster(masters=3, replicas=1) as port:
        rc = helpers.connect()
        for _ in range(rounds):  # interleaved, so both share the machine's noise
            theirs.append(redis_benchmark(port, "-c", "1", "-n", "20000", "-t", "get")[1])
            ours.append(float(np.percentile(latency_samples(rc, 20_000), 50)))
        rc.close()
    ours_p50, theirs_p50 = statistics.median(ours), statistics.median(theirs)
    print(f"single-client GET p50, median of {rounds} rounds of 20,000:")
    print(f"  redis-benchmark --cluster -c 1   {theirs_p50:6.1f} µs")
    print(f"  helpers.measure.latency_samples  {ours_p50:6.1f} µs")
    print(f"ratio: {ours_p50 / theirs_p50:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
