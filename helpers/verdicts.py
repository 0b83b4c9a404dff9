"""The rules that turn notebooks 05 and 07's measurements into verdicts on the course's claims.

Each rule is a small pure function: figures in, a `Verdict` out, whose `rule` says which
comparison decided, with the figures of the run. Nothing here measures anything, so the
rules can be read in the notebook and tested with other figures (tests/unit/test_verdicts.py).
Notebook 05's figures reach notebook 07's verdict table through `record` and `recorded`.
"""
from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from helpers.config import Settings
from helpers.errors import WorkshopError

MEASUREMENTS = "measurements.json"  # under WORKSHOP_HOME: what notebook 05 measured

MILLION = 1_000_000
SATURATED = 0.9  # a thread busy 90 % of the time or more is the bottleneck
EASY_START_SECONDS = 10.0  # "easy": a ready cluster within this many seconds of asking
COURSE_TYPES = 5  # string, hash, list, set, sorted set: the course's Part 2
OPEN_SOURCE_LICENCES = ("BSD-3-Clause", "AGPLv3")  # OSI-approved licences Redis was offered under


def record(**figures: float | int | bool) -> None:
    """Keep figures that notebook 05 measured for notebook 07's verdict table, in
    WORKSHOP_HOME/measurements.json (added to those already kept; `down --purge` keeps them)."""
    path = Settings.from_env().home / MEASUREMENTS
    kept = json.loads(path.read_text()) if path.exists() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = {name: value.item() if hasattr(value, "item") else value for name, value in figures.items()}
    path.write_text(json.dumps({**kept, **plain}, indent=1))  # numpy's numbers as Python's


class Recorded(dict):
    """The figures `record` kept; asking for one never recorded says to run notebook 05 first."""

    def __missing__(self, name: str) -> object:
        raise WorkshopError(f"No {name!r} measured yet on this machine: run notebook 05 (each of its "
                            "labs keeps its figures for this verdict), then this cell again.")


def recorded() -> Mapping[str, float | int | bool]:
    """The figures notebook 05 kept with `record` (notebook 07's verdict table)."""
    path = Settings.from_env().home / MEASUREMENTS
    return Recorded(json.loads(path.read_text()) if path.exists() else {})


@dataclass(frozen=True)
class Verdict:
    """A verdict and the comparison that decided it, with this run's figures (notebook 07)."""

    verdict: str
    rule: str


def throughput_limit(benchmark_cpu: float, busiest_node_cpu: float, all_nodes_cpu: float,
                     machine_busy: float, cores: int, benchmark_threads: int = 1) -> Verdict:
    """What limited a redis-benchmark run (notebook 05, §1), from who used the CPU during it.

    CPU figures are in cores (1.0 = one core busy for the whole run); `machine_busy` is the
    fraction of all the machine's cores that were busy. The first rule that holds decides:
    the whole machine saturated (by us, or by other programs), then the benchmark's own
    threads, then one node's main thread; otherwise nothing was saturated and the clients
    were waiting for round trips.
    """
    ours = benchmark_cpu + all_nodes_cpu
    if machine_busy >= SATURATED:
        if ours >= 0.75 * cores:
            return Verdict(f"the machine's {cores} cores, shared by the client and the nodes",
                           f"machine busy {machine_busy:.0%} ≥ {SATURATED:.0%}, of which client + nodes "
                           f"{ours:.2f} of {cores} cores")
        return Verdict("other programs on this machine: run it again when it is quiet",
                       f"machine busy {machine_busy:.0%} ≥ {SATURATED:.0%}, but client + nodes only "
                       f"{ours:.2f} of {cores} cores")
    if benchmark_cpu >= SATURATED * benchmark_threads:
        return Verdict("the benchmark client's own CPU",
                       f"redis-benchmark {benchmark_cpu:.2f} cores ≥ {SATURATED:.0%} of its "
                       f"{benchmark_threads} thread(s)")
    if busiest_node_cpu >= SATURATED:
        return Verdict("one node's main thread",
                       f"busiest node {busiest_node_cpu:.2f} cores ≥ {SATURATED}")
    return Verdict("round trips: no CPU was saturated",
                   f"machine busy {machine_busy:.0%}, client {benchmark_cpu:.2f}, busiest node "
                   f"{busiest_node_cpu:.2f} cores: all below {SATURATED:.0%}")


def performance(cluster_best: float, one_process_best: float, claim: float = MILLION) -> Verdict:
    """"Very fast, millions of requests per second" (notebook 05, §1): true when a measured run
    reached `claim` requests/s, on the cluster or on one Redis process with pipelining."""
    best = max(cluster_best, one_process_best)
    where = "the cluster" if cluster_best >= one_process_best else "one process, pipelined"
    if best >= claim:
        return Verdict(f"True here: {best:,.0f}/s ({where})", f"best {best:,.0f} ≥ {claim:,.0f} requests/s")
    return Verdict(f"Fast, not millions here: {best:,.0f}/s at best ({where})",
                   f"best {best:,.0f} < {claim:,.0f} requests/s")


def scalability(keys_moved: int, keys_lost: int, errors_seen: int) -> Verdict:
    """"Scalable" (notebook 05, §2): true when slots and their keys moved under load with no key
    lost and no error reaching the application."""
    figures = f"{keys_moved:,} keys moved, {keys_lost} lost, {errors_seen} errors seen"
    if keys_moved == 0:
        return Verdict("Not shown: no key moved", f"{figures}; keys moved = 0")
    if keys_lost or errors_seen:
        return Verdict("False here", f"{figures}; lost > 0 or errors > 0")
    return Verdict("True", f"{figures}; moved > 0, lost = 0, errors = 0")


def reliability(replicated_lost: int, healthy_refused: int, healthy_refused_no_coverage: int,
                course_cluster_went_down: bool, keys_before: int, keys_after: int,
                kill_9_lost: int) -> Verdict:
    """"Very reliable" (notebook 05, §3): true with replicas when no write a replica confirmed was
    lost, a full restart gave back every key, a kill -9 of every node lost no acknowledged write,
    and the cluster without replicas went down.

    `healthy_refused` counts the writes the healthy masters refused or left unanswered during a
    failover with cluster-require-full-coverage yes, `healthy_refused_no_coverage` the same with no: they
    describe the cost of a failover, they do not decide the verdict.
    """
    figures = (f"{replicated_lost} replicated writes lost; {keys_after:,} of {keys_before:,} keys back "
               f"after a restart; {kill_9_lost} lost to kill -9; healthy masters refused or left unanswered "
               f"{healthy_refused} writes (full coverage yes), {healthy_refused_no_coverage} (no)")
    if replicated_lost or keys_after < keys_before or kill_9_lost:
        return Verdict("False here", f"{figures}; replicated lost > 0, keys missing or kill -9 lost > 0")
    if course_cluster_went_down:
        return Verdict("True with replicas", f"{figures}; without replicas the cluster went down")
    return Verdict("True", figures)


def ease(seconds_to_ready: float, limit: float = EASY_START_SECONDS) -> Verdict:
    """"Easy" (notebook 05, §3.4): easy to start when a whole cluster is ready within `limit` seconds."""
    if seconds_to_ready <= limit:
        return Verdict("Easy to start", f"ready in {seconds_to_ready:.1f} s ≤ {limit:.0f} s")
    return Verdict("Slow to start here", f"ready in {seconds_to_ready:.1f} s > {limit:.0f} s")


def flexibility(types_seen: int, commands: int) -> Verdict:
    """"Flexible" (notebook 07, §2): true when the cluster stored more kinds of values than the
    course's five types."""
    figures = f"{types_seen} types of value, {commands} commands"
    if types_seen > COURSE_TYPES:
        return Verdict("True", f"{figures}; {types_seen} > the course's {COURSE_TYPES} types")
    return Verdict("Only the basics", f"{figures}; {types_seen} ≤ {COURSE_TYPES} types")


def security(stranger_wiped_data: bool, password_refused_stranger: bool, user_denied_flushall: bool) -> Verdict:
    """"Very secure" (notebook 07, §1): secure out of the box only if a stranger could not wipe the
    data; secure once configured if the password and the ACL user's rights stopped them."""
    figures = (f"stranger's FLUSHALL {'worked' if stranger_wiped_data else 'refused'} out of the box; "
               f"with a password {'refused' if password_refused_stranger else 'worked'}; "
               f"student user's FLUSHALL {'denied' if user_denied_flushall else 'allowed'}")
    if not stranger_wiped_data:
        return Verdict("True", figures)
    if password_refused_stranger and user_denied_flushall:
        return Verdict("Only once configured", figures)
    return Verdict("False here", figures)


def encryption(secret_seen_plain: bool, secret_seen_tls: bool, throughput_ratios: list[float],
               p50_ratios: list[float]) -> Verdict:
    """"Very secure", in transit (notebook 07, §1.4): true only where TLS hid the secret a plain
    connection showed; the price is TLS's requests/s and p50 latency as ratios of plain's, one
    per benchmark round: no measurable cost if TLS matched plain in any round."""
    cost = sorted(1 - ratio for ratio in throughput_ratios)
    median = statistics.median(throughput_ratios)
    figures = (f"secret {'readable' if secret_seen_plain else 'not seen'} on a plain connection, "
               f"{'readable' if secret_seen_tls else 'not seen'} over TLS; TLS/plain over "
               f"{len(throughput_ratios)} rounds: {median:.2f}× requests/s (median), "
               f"{statistics.median(p50_ratios):.2f}× p50")
    if secret_seen_tls or not secret_seen_plain:
        return Verdict("Not shown", f"{figures}; needs readable plain, hidden TLS")
    if max(throughput_ratios) >= 1:
        return Verdict("Only with TLS, at no measurable cost here", f"{figures}; a round ≥ 1×")
    spread = f"{cost[0]:.0%}–{cost[-1]:.0%}" if len(cost) > 1 else f"{cost[0]:.0%}"
    return Verdict(f"Only with TLS, which cost {spread} of the throughput here", f"{figures}; every round < 1×")


def cost(licence: str) -> Verdict:
    """"Free" (notebook 07, §2): true for a version offered under an OSI open-source licence."""
    chosen = [name for name in OPEN_SOURCE_LICENCES if name in licence]
    if chosen:
        return Verdict("True for this version", f"licence {licence!r} includes {chosen[0]}")
    return Verdict("Source-available, not open source",
                   f"licence {licence!r} names none of {', '.join(OPEN_SOURCE_LICENCES)}")
