"""Latency and throughput measurement (notebook 03; bench/ compares it with redis-benchmark).

Latency is timed on a bare RESP connection to the master that owns each key, so what
students see is the server's round trip, not a client library's overhead.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.data import bulk_load, numbered_items
from helpers.resp import encode

if TYPE_CHECKING:
    from redis.cluster import RedisCluster


def _key_per_master(rc: "RedisCluster", prefix: str) -> dict[str, str]:
    """One key in each master's slots: {'host:port': key}."""
    keys: dict[str, str] = {}
    number = 0
    masters = {node.name for node in rc.get_primaries()}
    while len(keys) < len(masters):
        key = f"{prefix}{number}"
        owner = rc.get_node_from_key(key).name
        keys.setdefault(owner, key)
        number += 1
    return keys


def latency_samples(rc: "RedisCluster", count: int = 5_000, pipeline: int = 1,
                    command: str = "GET") -> np.ndarray:
    """Microseconds per command for `count` GETs (or SETs), `pipeline` commands per round trip.

    Commands go to each master in turn, straight to the owner of their key. The timed
    part only sends bytes encoded beforehand and reads a reply whose length is known, so
    the figure is the server's and the network's, not Python's. With a pipeline of depth
    d, each command's time is the round trip divided by d.
    """
    value = b"x" * 16
    reply = b"$16\r\n" + value + b"\r\n" if command == "GET" else b"+OK\r\n"
    password = rc.get_connection_kwargs().get("password")
    nodes = []
    for address, key in _key_per_master(rc, "latency:").items():
        host, port = address.rsplit(":", 1)
        node = socket.create_connection((host, int(port)))
        node.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        setup = [("SET", key, value)] + ([("AUTH", password)] if password else [])
        node.sendall(b"".join(encode(part) for part in reversed(setup)))
        _receive(node, 5 * len(setup))  # +OK for each
        command_bytes = encode((command, key) if command == "GET" else (command, key, value))
        nodes.append((node, command_bytes * pipeline, len(reply) * pipeline))
    samples = np.empty(count // pipeline)
    try:
        for index in range(len(samples)):
            node, payload, expected = nodes[index % len(nodes)]
            began = time.perf_counter_ns()
            node.sendall(payload)
            _receive(node, expected)
            samples[index] = (time.perf_counter_ns() - began) / 1000 / pipeline
    finally:
        for node, _, _ in nodes:
            node.close()
    return samples


def _receive(node: socket.socket, size: int) -> None:
    """Read exactly `size` bytes of replies."""
    while size:
        data = node.recv(size)
        if not data:
            raise ConnectionError("the node closed the connection during the measurement")
        size -= len(data)


def percentiles(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    """p50, p95, p99 and mean of each series of latencies, in microseconds (notebook 03)."""
    return pd.DataFrame({name: {"p50 (µs)": np.percentile(values, 50),
                                "p95 (µs)": np.percentile(values, 95),
                                "p99 (µs)": np.percentile(values, 99),
                                "mean (µs)": values.mean()} for name, values in samples.items()}).T.round(1)


def write_one_at_a_time(rc: "RedisCluster", items: Iterable[tuple[str, str]]) -> None:
    """One redis-py SET per key, each waiting for its reply (notebook 03's slowest writer)."""
    for key, value in items:
        rc.set(key, value)


def write_with_pipeline(rc: "RedisCluster", items: Iterable[tuple[str, str]], batch: int = 1_000) -> None:
    """redis-py's ClusterPipeline, executed every `batch` SETs (notebook 03, bench/bulk_load.py)."""
    pipe = rc.pipeline()
    for number, (key, value) in enumerate(items, start=1):
        pipe.set(key, value)
        if number % batch == 0:
            pipe.execute()
    pipe.execute()


def compare_writers(rc: "RedisCluster", count: int = 20_000) -> pd.DataFrame:
    """Keys per second for the same SETs written three ways, each on its own `count` keys (notebook 03).

    One command at a time with redis-py, redis-py's ClusterPipeline in batches of 1,000,
    and helpers.data.bulk_load.
    """
    writers = (
        ("redis-py, one SET at a time", "single:", write_one_at_a_time),
        ("redis-py ClusterPipeline (1,000 per batch)", "pipe:", write_with_pipeline),
        ("helpers.data.bulk_load", "bulk:",
         lambda client, items: bulk_load(client, items, progress=False)),
    )
    rows = []
    for name, prefix, write in writers:
        began = time.perf_counter()
        write(rc, numbered_items(count, prefix=prefix))
        seconds = time.perf_counter() - began
        rows.append({"method": name, "keys": count, "seconds": round(seconds, 3),
                     "keys/s": round(count / seconds)})
    return pd.DataFrame(rows)
