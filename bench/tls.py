"""What TLS costs the clients: redis-benchmark on a plain cluster and on a TLS cluster of the same
shape (notebook 07's lab, `start_tls_cluster`), in the same run.

    .venv/bin/python bench/tls.py [--rounds 3] [--requests 100000] [--clients 50] [--pipeline 1]

Each round runs `redis-benchmark --cluster -t set -c C -P P -n N` on the plain cluster, then the
same with `--tls` and the CA on the TLS one, so both share the machine's noise. Printed: the
medians of requests/s and p50 for each, and the ratios TLS / plain.
"""
from __future__ import annotations

import argparse
import statistics

from common import private_cluster, redis_benchmark, require_tools

from helpers.cluster import start_tls_cluster, stop_tls_cluster
from helpers.resp import Tls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pipeline", type=int, default=1)
    options = parser.parse_args()
    require_tools("redis-benchmark")
    load = ("-t", "set", "-c", str(options.clients), "-P", str(options.pipeline),
            "-n", str(options.requests), "-r", "100000")
    figures: dict[str, list[tuple[float, float]]] = {"plain": [], "TLS": []}
    with private_cluster() as plain:
        twin = start_tls_cluster()
        try:
            tls = Tls.workshop(twin.certificates).cli_options()
            for _ in range(options.rounds):
                figures["plain"].append(redis_benchmark(plain, *load))
                figures["TLS"].append(redis_benchmark(twin.spec.base_port, *tls, *load))
        finally:
            stop_tls_cluster()
    medians = {name: (statistics.median(r for r, _ in runs), statistics.median(p for _, p in runs))
               for name, runs in figures.items()}
    for name, (rps, p50) in medians.items():
        print(f"{name:>6}: {rps:>10,.0f} requests/s, p50 {p50:.0f} µs (median of {options.rounds}; "
              f"{options.clients} clients, pipeline {options.pipeline})")
    print(f"TLS / plain: {medians['TLS'][0] / medians['plain'][0]:.2f}× requests/s, "
          f"{medians['TLS'][1] / medians['plain'][1]:.2f}× p50")


if __name__ == "__main__":
    main()
