"""What the benchmarks share: a private cluster on free ports, and redis-benchmark's figures."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helpers  # noqa: E402
from helpers.cluster.base import find_free_base_port  # noqa: E402
from helpers.measure import redis_benchmark_figures  # noqa: E402


def require_tools(*names: str) -> None:
    """Exit with what to install when a Redis command-line tool is not on PATH."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise SystemExit(f"{' and '.join(missing)} not found on PATH. They come with Redis: on "
                         "Debian/Ubuntu `sudo apt-get install redis-tools`, on macOS `brew install "
                         "redis`, or build Redis and add its src/ folder to PATH.")


@contextmanager
def private_cluster(**shape: int) -> Iterator[int]:
    """A cluster in a temporary WORKSHOP_HOME on free ports; yields its first port; purged after."""
    with tempfile.TemporaryDirectory(prefix="bench-") as home:
        os.environ["WORKSHOP_HOME"] = home
        os.environ["WORKSHOP_BASE_PORT"] = str(find_free_base_port(6, start=7600))
        try:
            yield helpers.up(**shape).spec.base_port
        finally:
            helpers.down(purge=True)


def redis_benchmark(port: int, *arguments: str) -> tuple[float, float]:
    """Run `redis-benchmark --cluster --csv ...`; return (requests per second, p50 in microseconds),
    read by the notebooks' own reader of its output (helpers.measure)."""
    require_tools("redis-benchmark")
    output = subprocess.run(["redis-benchmark", "--cluster", "-p", str(port), "--csv", *arguments],
                            capture_output=True, text=True, check=True).stdout
    figures = redis_benchmark_figures(output)
    return float(figures["rps"]), float(figures["p50_latency_ms"]) * 1000
