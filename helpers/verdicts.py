"""The rules that turn notebooks 05 and 07's measurements into verdicts on the course's claims.

Each rule is a small pure function: figures in, a `Verdict` out, whose `rule` says which
comparison decided, with the figures of the run. Nothing here measures anything, so the
rules can be read in the notebook and tested with other figures (tests/unit/test_verdicts.py).
Notebook 05's figures reach notebook 07's verdict table through `record` and `recorded`.
Verdicts and rules are messages in the student's language (helpers.i18n); the figures are data.
"""
from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from helpers.config import Settings
from helpers.errors import WorkshopError
from helpers.i18n import N_, _, _n

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
        raise WorkshopError(_("No {name!r} measured yet on this machine: run notebook 05 (each of its "
                              "labs keeps its figures for this verdict), then this cell again.", name=name))


def recorded() -> Mapping[str, float | int | bool]:
    """The figures notebook 05 kept with `record` (notebook 07's verdict table)."""
    path = Settings.from_env().home / MEASUREMENTS
    return Recorded(json.loads(path.read_text()) if path.exists() else {})


@dataclass(frozen=True)
class Verdict:
    """A verdict and the comparison that decided it, with this run's figures (notebook 07)."""

    verdict: str
    rule: str


# The column notebook 05 fills with throughput_limit's verdicts: a name its code uses, shown translated.
LIMITED_BY = N_("limited by")


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
            return Verdict(_n("the machine's {count} core, shared by the client and the nodes",
                              "the machine's {count} cores, shared by the client and the nodes", cores),
                           _n("machine busy {busy:.0%} ≥ {saturated:.0%}, of which client + nodes "
                              "{ours:.2f} of {count} core",
                              "machine busy {busy:.0%} ≥ {saturated:.0%}, of which client + nodes "
                              "{ours:.2f} of {count} cores",
                              cores, busy=machine_busy, saturated=SATURATED, ours=ours))
        return Verdict(_("other programs on this machine: run it again when it is quiet"),
                       _n("machine busy {busy:.0%} ≥ {saturated:.0%}, but client + nodes only "
                          "{ours:.2f} of {count} core",
                          "machine busy {busy:.0%} ≥ {saturated:.0%}, but client + nodes only "
                          "{ours:.2f} of {count} cores",
                          cores, busy=machine_busy, saturated=SATURATED, ours=ours))
    if benchmark_cpu >= SATURATED * benchmark_threads:
        return Verdict(_("the benchmark client's own CPU"),
                       _n("redis-benchmark {cpu:.2f} cores ≥ {saturated:.0%} of its {count} thread",
                          "redis-benchmark {cpu:.2f} cores ≥ {saturated:.0%} of its {count} threads",
                          benchmark_threads, cpu=benchmark_cpu, saturated=SATURATED))
    if busiest_node_cpu >= SATURATED:
        return Verdict(_("one node's main thread"),
                       _("busiest node {cpu:.2f} cores ≥ {saturated}", cpu=busiest_node_cpu, saturated=SATURATED))
    return Verdict(_("round trips: no CPU was saturated"),
                   _("machine busy {busy:.0%}, client {client:.2f}, busiest node {node:.2f} cores: "
                     "all below {saturated:.0%}", busy=machine_busy, client=benchmark_cpu,
                     node=busiest_node_cpu, saturated=SATURATED))


def performance(cluster_best: float, one_process_best: float, claim: float = MILLION) -> Verdict:
    """"Very fast, millions of requests per second" (notebook 05, §1): true when a measured run
    reached `claim` requests/s, on the cluster or on one Redis process with pipelining."""
    best = max(cluster_best, one_process_best)
    where = _("the cluster") if cluster_best >= one_process_best else _("one process, pipelined")
    if best >= claim:
        return Verdict(_("True here: {best:,.0f}/s ({where})", best=best, where=where),
                       _("best {best:,.0f} ≥ {claim:,.0f} requests/s", best=best, claim=claim))
    return Verdict(_("Fast, not millions here: {best:,.0f}/s at best ({where})", best=best, where=where),
                   _("best {best:,.0f} < {claim:,.0f} requests/s", best=best, claim=claim))


def scalability(keys_moved: int, keys_lost: int, errors_seen: int) -> Verdict:
    """"Scalable" (notebook 05, §2): true when slots and their keys moved under load with no key
    lost and no error reaching the application."""
    figures = _("{moved:,} keys moved, {lost} lost, {errors} errors seen",
                moved=keys_moved, lost=keys_lost, errors=errors_seen)
    if keys_moved == 0:
        return Verdict(_("Not shown: no key moved"), _("{figures}; keys moved = 0", figures=figures))
    if keys_lost or errors_seen:
        return Verdict(_("False here"), _("{figures}; lost > 0 or errors > 0", figures=figures))
    return Verdict(_("True"), _("{figures}; moved > 0, lost = 0, errors = 0", figures=figures))


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
    figures = _("{replicated_lost} replicated writes lost; {keys_after:,} of {keys_before:,} keys back "
                "after a restart; {kill_9_lost} lost to kill -9; healthy masters refused or left unanswered "
                "{healthy_refused} writes (full coverage yes), {healthy_refused_no_coverage} (no)",
                replicated_lost=replicated_lost, keys_after=keys_after, keys_before=keys_before,
                kill_9_lost=kill_9_lost, healthy_refused=healthy_refused,
                healthy_refused_no_coverage=healthy_refused_no_coverage)
    if replicated_lost or keys_after < keys_before or kill_9_lost:
        return Verdict(_("False here"), _("{figures}; replicated lost > 0, keys missing or kill -9 lost > 0",
                                          figures=figures))
    if course_cluster_went_down:
        return Verdict(_("True with replicas"), _("{figures}; without replicas the cluster went down",
                                                  figures=figures))
    return Verdict(_("True"), figures)


def ease(seconds_to_ready: float, limit: float = EASY_START_SECONDS) -> Verdict:
    """"Easy" (notebook 05, §3.4): easy to start when a whole cluster is ready within `limit` seconds."""
    if seconds_to_ready <= limit:
        return Verdict(_("Easy to start"), _("ready in {seconds:.1f} s ≤ {limit:.0f} s",
                                             seconds=seconds_to_ready, limit=limit))
    return Verdict(_("Slow to start here"), _("ready in {seconds:.1f} s > {limit:.0f} s",
                                              seconds=seconds_to_ready, limit=limit))


def flexibility(types_seen: int, commands: int) -> Verdict:
    """"Flexible" (notebook 07, §2): true when the cluster stored more kinds of values than the
    course's five types."""
    figures = _("{types} types of value, {commands} commands", types=types_seen, commands=commands)
    if types_seen > COURSE_TYPES:
        return Verdict(_("True"), _("{figures}; {types} > the course's {course} types",
                                    figures=figures, types=types_seen, course=COURSE_TYPES))
    return Verdict(_("Only the basics"), _("{figures}; {types} ≤ {course} types",
                                           figures=figures, types=types_seen, course=COURSE_TYPES))


def security(stranger_wiped_data: bool, password_refused_stranger: bool, user_denied_flushall: bool) -> Verdict:
    """"Very secure" (notebook 07, §1): secure out of the box only if a stranger could not wipe the
    data; secure once configured if the password and the ACL user's rights stopped them."""
    figures = _("stranger's FLUSHALL {stranger} out of the box; with a password {with_password}; "
                "student user's FLUSHALL {student}",
                stranger=_("worked") if stranger_wiped_data else _("blocked"),
                with_password=_("blocked") if password_refused_stranger else _("worked"),
                student=_("denied") if user_denied_flushall else _("allowed"))
    if not stranger_wiped_data:
        return Verdict(_("True"), figures)
    if password_refused_stranger and user_denied_flushall:
        return Verdict(_("Only once configured"), figures)
    return Verdict(_("False here"), figures)


def encryption(secret_seen_plain: bool, secret_seen_tls: bool, throughput_ratios: list[float],
               p50_ratios: list[float]) -> Verdict:
    """"Very secure", in transit (notebook 07, §1.4): true only where TLS hid the secret a plain
    connection showed; the price is TLS's requests/s and p50 latency as ratios of plain's, one
    per benchmark round: no measurable cost if TLS matched plain in any round."""
    cost = sorted(1 - ratio for ratio in throughput_ratios)
    figures = _n("secret {plain} on a plain connection, {tls} over TLS; TLS/plain over {count} round: "
                 "{median:.2f}× requests/s (median), {p50:.2f}× p50",
                 "secret {plain} on a plain connection, {tls} over TLS; TLS/plain over {count} rounds: "
                 "{median:.2f}× requests/s (median), {p50:.2f}× p50",
                 len(throughput_ratios),
                 plain=_("readable") if secret_seen_plain else _("not seen"),
                 tls=_("readable") if secret_seen_tls else _("not seen"),
                 median=statistics.median(throughput_ratios), p50=statistics.median(p50_ratios))
    if secret_seen_tls or not secret_seen_plain:
        return Verdict(_("Not shown"), _("{figures}; needs readable plain, hidden TLS", figures=figures))
    if max(throughput_ratios) >= 1:
        return Verdict(_("Only with TLS, at no measurable cost here"), _("{figures}; a round ≥ 1×", figures=figures))
    if len(cost) > 1:
        price = _("Only with TLS, which cost {low:.0%}–{high:.0%} of the throughput here", low=cost[0], high=cost[-1])
    else:
        price = _("Only with TLS, which cost {low:.0%} of the throughput here", low=cost[0])
    return Verdict(price, _("{figures}; every round < 1×", figures=figures))


def cost(licence: str) -> Verdict:
    """"Free" (notebook 07, §2): true for a version offered under an OSI open-source licence."""
    chosen = [name for name in OPEN_SOURCE_LICENCES if name in licence]
    if chosen:
        return Verdict(_("True for this version"), _("licence {licence!r} includes {chosen}",
                                                     licence=licence, chosen=chosen[0]))
    return Verdict(_("Source-available, not open source"),
                   _("licence {licence!r} names none of {licences}",
                     licence=licence, licences=", ".join(OPEN_SOURCE_LICENCES)))
