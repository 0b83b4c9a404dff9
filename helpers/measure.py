"""Latency and throughput measurement (notebooks 03, 04 and 05; bench/ compares it with redis-benchmark).

Latency is timed on a bare RESP connection to the master that owns each key, so what
students see is the server's round trip, not a client library's overhead. `redis-benchmark`
runs and its CPU accounting are here too, with the one reader of its --csv output; so is
where traffic lands, each master's own count of the commands it ran (notebook 04's hot key).

(Named `measure`, not `bench`: the repository's bench/ folder holds the scripts that check
these measurements against reference tools; the two were easy to confuse.)
"""
from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.cluster import seeds, workshop_cluster
from helpers import tools
from helpers.cluster.base import HOST
from helpers.data import bulk_load, numbered_items
from helpers.errors import WorkshopError
from helpers.i18n import N_, _
from helpers.replies import parse_info
from helpers.resp import Connection, Credentials, ReplyError, credentials_of, encode, open_socket

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
    login = credentials_of(rc)  # the client's own user (not always the default one), and its TLS
    auth = login.auth()
    nodes = []
    try:
        for address, key in _key_per_master(rc, "latency:").items():
            host, port = address.rsplit(":", 1)
            node = open_socket(host, int(port), login.tls, timeout=10.0)  # never hang on a dead node
            command_bytes = encode((command, key) if command == "GET" else (command, key, value))
            nodes.append((node, command_bytes * pipeline, len(reply) * pipeline))
            node.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            setup = [("SET", key, value)] + ([auth] if auth else [])
            node.sendall(b"".join(encode(part) for part in reversed(setup)))
            _receive(node, 5 * len(setup))  # +OK for each
        samples = np.empty(count // pipeline)
        for index in range(len(samples)):
            node, payload, expected = nodes[index % len(nodes)]
            began = time.perf_counter_ns()
            node.sendall(payload)
            _receive(node, expected)
            samples[index] = (time.perf_counter_ns() - began) / 1000 / pipeline
    finally:
        for node, _payload, _expected in nodes:
            node.close()
    return samples


def _receive(node: socket.socket, size: int) -> None:
    """Read exactly `size` bytes of replies."""
    while size:
        data = node.recv(size)
        if not data:
            raise ConnectionError(_("The node closed the connection during the measurement."))
        size -= len(data)


def percentiles(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    """p50, p95, p99 and mean of each series of latencies, in microseconds (notebook 03)."""
    return pd.DataFrame({name: {N_("p50 (µs)"): np.percentile(values, 50),
                                N_("p95 (µs)"): np.percentile(values, 95),
                                N_("p99 (µs)"): np.percentile(values, 99),
                                N_("mean (µs)"): values.mean()} for name, values in samples.items()}).T.round(1)


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
        (_("redis-py, one SET at a time"), "single:", write_one_at_a_time),
        (_("redis-py ClusterPipeline ({batch:,} per batch)", batch=1_000), "pipe:", write_with_pipeline),
        ("helpers.data.bulk_load", "bulk:",
         lambda client, items: bulk_load(client, items, progress=False)),
    )
    rows = []
    for name, prefix, write in writers:
        began = time.perf_counter()
        write(rc, numbered_items(count, prefix=prefix))
        seconds = time.perf_counter() - began
        rows.append({N_("method"): name, N_("keys"): count, N_("seconds"): round(seconds, 3),
                     N_("keys/s"): round(count / seconds)})
    return pd.DataFrame(rows)


def redis_benchmark_figures(output: str) -> dict[str, str]:
    """The last row of redis-benchmark's --csv output: rps, p50_latency_ms, p99_latency_ms...
    (this module's runs, and bench/'s scripts)."""
    figures = list(csv.DictReader(io.StringIO(output[output.find('"test"'):])))
    if not figures:
        raise WorkshopError(_("redis-benchmark gave no figures: {output!r}", output=output[-200:]))
    return figures[-1]


def redis_benchmark_grid(clients: Iterable[int] = (1, 10, 50), pipelines: Iterable[int] = (1, 16),
                         requests: int = 30_000, command: str = "set",
                         cluster: "tools.Cluster | None" = None) -> pd.DataFrame:
    """Throughput and latency of `redis-benchmark --cluster` for each (clients, pipeline depth).

    The reference tool that the "millions of requests per second" claim comes from, run
    against the workshop's cluster where its nodes run, or on this machine against REDIS_CLUSTER_URL
    (notebooks 03 and 05). Each run sends
    `requests` × its pipeline depth, so that pipelined runs last seconds, not the quarter
    of a second that mostly measures start-up. One row per run: clients, pipeline,
    requests/s, p50 and p99 latency in milliseconds. `cluster`: another cluster the workshop
    started, as (backend, state), such as notebook 07's TLS cluster.
    """
    if cluster:
        host, port = HOST, str(cluster[1].spec.base_port)
    else:
        addresses, _login = seeds()  # the workshop's nodes, or REDIS_CLUSTER_URL's
        host, _colon, port = addresses[0].rpartition(":")
    login = tools.login_options("redis-benchmark", cluster=cluster)
    rows = []
    for count in clients:
        for depth in pipelines:
            output = tools.run("redis-benchmark", "--cluster", "-h", host, "-p", port, *login,
                               "-t", command, "-n", str(requests * depth), "-c", str(count),
                               "-P", str(depth), "--csv", cluster=cluster).stdout
            figures = redis_benchmark_figures(output)
            rows.append({N_("clients"): count, N_("pipeline"): depth,
                         N_("requests/s"): round(float(figures["rps"])),
                         N_("p50 (ms)"): float(figures["p50_latency_ms"]),
                         N_("p99 (ms)"): float(figures["p99_latency_ms"])})
    return pd.DataFrame(rows)


def tls_cost(rounds: int = 3, clients: int = 50, requests: int = 50_000) -> pd.DataFrame:
    """What TLS costs (notebook 07, §1.4): `redis-benchmark --cluster -t set` on the workshop's
    cluster, then the same on the TLS cluster beside it (`start_tls_cluster`), `rounds` times in
    turn, so both share the machine's noise. One row per round: each cluster's requests/s and p50
    latency (ms), and the ratios TLS / plain."""
    from helpers.cluster import tls_cluster
    twin, rows = tls_cluster(), []
    for number in range(1, rounds + 1):
        plain = redis_benchmark_grid(clients=(clients,), pipelines=(1,), requests=requests).iloc[0]
        tls = redis_benchmark_grid(clients=(clients,), pipelines=(1,), requests=requests, cluster=twin).iloc[0]
        rows.append({N_("round"): number, N_("plain requests/s"): int(plain["requests/s"]),
                     N_("TLS requests/s"): int(tls["requests/s"]),
                     N_("plain p50 (ms)"): plain["p50 (ms)"], N_("TLS p50 (ms)"): tls["p50 (ms)"],
                     N_("requests/s TLS/plain"): round(tls["requests/s"] / plain["requests/s"], 2),
                     N_("p50 TLS/plain"): round(tls["p50 (ms)"] / plain["p50 (ms)"], 2)})
    return pd.DataFrame(rows).set_index("round")


def _node_counters(ports: Iterable[int], password: "Credentials | str | None",
                   command: str) -> dict[int, tuple[float, int]]:
    """Per node: CPU seconds used since it started (INFO cpu: used_cpu_sys + used_cpu_user), and
    how many times it ran `command` (INFO commandstats), replicas included."""
    counters = {}
    for port in ports:
        node = Connection(HOST, port, password, timeout=2.0)
        try:
            info = parse_info(node.ask(("INFO", "cpu", "commandstats"))[0])
        except (OSError, ReplyError):
            continue  # a node that does not answer used no CPU for this run
        finally:
            node.close()
        counters[port] = (float(info["used_cpu_sys"]) + float(info["used_cpu_user"]), _calls(info, command))
    return counters


def _calls(info: dict[str, str], command: str) -> int:
    """How many times a node ran `command`, from its INFO commandstats (0 if never)."""
    stats = dict(part.split("=", 1) for part in info.get(f"cmdstat_{command.lower()}", "calls=0").split(","))
    return int(stats["calls"])


def calls_per_master(rc: "RedisCluster", command: str) -> pd.Series:
    """How many times each master has run `command` since it started (or its last CONFIG RESETSTAT),
    by address, masters in port order: INFO commandstats' `calls`, asked of each master itself
    (notebook 04, the hot key).

    Read it before and after some work; `traffic_per_master` turns the two readings into what
    each master ran meanwhile. Calls made by scripts count too; replicas are not read.
    """
    login = credentials_of(rc)
    calls = {}
    for master in sorted(rc.get_primaries(), key=lambda node: (node.host, node.port)):
        node = Connection(master.host, master.port, login, timeout=10.0)
        try:
            calls[master.name] = _calls(parse_info(node.ask(("INFO", "commandstats"))[0]), command)
        finally:
            node.close()
    return pd.Series(calls, name=command.lower(), dtype="int64")


def traffic_per_master(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """What each master ran between two readings of `calls_per_master` (notebook 04, the hot key):
    one row per master, its `calls` and its `share (%)` of them all.

    A master new in `after` (added meanwhile) counts from 0; one gone from it is left out.
    """
    calls = after.sub(before.reindex(after.index, fill_value=0)).astype("int64")
    calls = calls.sort_index(key=lambda addresses: addresses.str.rsplit(":", n=1).str[1].astype(int))
    total = int(calls.sum())
    share = (100 * calls / total) if total else calls * 0.0
    return pd.DataFrame({N_("master"): calls.index, N_("calls"): calls.to_numpy(),
                         N_("share (%)"): share.round(1).to_numpy()})


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine from /proc/stat (Linux), else None."""
    try:
        fields = [int(field) for field in open("/proc/stat").readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def benchmark_cpu(clients: int = 50, pipeline: int = 16, requests: int = 300_000, threads: int = 1,
                  port: int | None = None, command: str = "set") -> dict[str, object]:
    """One redis-benchmark run, and who used the CPU during it (notebook 05, "what limits throughput").

    Without `port` it runs `redis-benchmark --cluster` against the workshop's cluster and reads
    every node's own CPU counters (INFO cpu) before and after; with `port` it benchmarks the
    single Redis on that port. `nodes that ran it` counts the nodes, replicas included, whose
    INFO commandstats grew for `command`. The benchmark's own CPU is what the shell that ran it
    reports for its finished child (`times`), where it ran: this machine or the nodes' container;
    the whole machine's comes from /proc/stat on Linux. CPU figures are in cores: 1.0 is one core
    busy for the run's length, requests ÷ requests/s.
    """
    if port is None:
        _backend, state = workshop_cluster()
        target, password, ports = ["--cluster", "-p", str(state.spec.base_port)], state.login, state.spec.ports
        login = tools.login_options("redis-benchmark")
    else:
        target, password, ports, login = ["-p", str(port)], None, [port], []
    arguments = ["-t", command, "-n", str(requests), "-c", str(clients), "-P", str(pipeline),
                 *(["--threads", str(threads)] if threads > 1 else [])]
    nodes_before, machine_before = _node_counters(ports, password, command), _machine_ticks()
    result = subprocess.run(tools.command("redis-benchmark", *target, *login, *arguments, "--csv", timed=True),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    printed, cpu = tools.cpu_seconds(result.stdout)
    figures = redis_benchmark_figures(printed)
    # The run's length from its own figures: what starting it costs (a `docker exec`) is not in it.
    seconds = requests / float(figures["rps"])
    nodes_after, machine_after = _node_counters(ports, password, command), _machine_ticks()
    nodes = {port: (nodes_after[port][0] - nodes_before[port][0]) / seconds
             for port in nodes_after if port in nodes_before}
    working = sum(nodes_after[port][1] > nodes_before[port][1] for port in nodes_after if port in nodes_before)
    client = cpu / seconds
    if machine_before and machine_after and machine_after[1] > machine_before[1]:
        machine = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    else:  # no /proc/stat: count what we measured
        machine = (client + sum(nodes.values())) / (os.cpu_count() or 1)
    shown_target = "--cluster -p PORT" if port is None else "-p PORT"
    return {N_("command"): f"redis-benchmark {shown_target} {' '.join(arguments)}",
            N_("client threads"): threads, N_("requests/s"): round(float(figures["rps"])),
            N_("seconds"): round(seconds, 2),
            N_("nodes that ran it"): working, N_("redis-benchmark CPU"): round(client, 2),
            N_("busiest node CPU"): round(max(nodes.values(), default=0.0), 2),
            N_("all nodes CPU"): round(sum(nodes.values()), 2),
            N_("machine busy (%)"): round(100 * machine)}


def one_process_benchmark(pipeline: int = 128, threads: int = 2, requests: int = 3_000_000) -> dict[str, object]:
    """`benchmark_cpu` against one plain Redis process, no cluster, no persistence (notebook 05).

    Starts `redis-server --port P --save "" --appendonly no` beside the cluster (a process, or
    docker-compose.yml's `plain` service), benchmarks SET with `pipeline` commands per round
    trip from `threads` client threads, and stops it: what a single Redis process can do on
    this machine.
    """
    backend, state = workshop_cluster()
    with backend.plain_server(state) as port:
        return benchmark_cpu(clients=50, pipeline=pipeline, requests=requests, threads=threads, port=port)
