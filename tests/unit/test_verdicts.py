"""Notebook 05's verdict rules: other figures give other verdicts, and each rule says why, in the
student's language."""
from __future__ import annotations

import pytest

from helpers import verdicts
from tests.messages import message_of, said


def is_(thing: str, template: str) -> bool:
    """Whether `thing` is exactly the message `template` ("True" is not "True here")."""
    assert message_of(thing).id == template, f"said {message_of(thing).id!r}, not {template!r}"
    return True


def test_performance_is_millions_only_when_a_run_reached_a_million() -> None:
    slow = verdicts.performance(cluster_best=119_048, one_process_best=853_746)
    said(slow.verdict, "Fast, not millions here: {best:,.0f}/s", best=853_746)
    is_(slow.verdict.params["where"], "one process, pipelined")
    said(slow.rule, "best {best:,.0f} < {claim:,.0f} requests/s", best=853_746, claim=1_000_000)
    fast = verdicts.performance(cluster_best=119_048, one_process_best=1_204_000)
    said(fast.verdict, "True here: {best:,.0f}/s", best=1_204_000)
    is_(fast.verdict.params["where"], "one process, pipelined")
    is_(verdicts.performance(2_000_000, 900_000).verdict.params["where"], "the cluster")


def test_throughput_limit_names_what_was_saturated() -> None:
    machine = verdicts.throughput_limit(0.4, 0.5, 1.5, machine_busy=0.97, cores=2)
    said(machine.verdict, "the machine's {count} core", count=2)
    said(machine.rule, "machine busy {busy:.0%} ≥ {saturated:.0%}, of which", busy=0.97, count=2)
    others = verdicts.throughput_limit(0.2, 0.2, 0.6, machine_busy=0.97, cores=2)
    is_(others.verdict, "other programs on this machine: run it again when it is quiet")
    client = verdicts.throughput_limit(0.98, 0.5, 1.2, machine_busy=0.55, cores=4)
    is_(client.verdict, "the benchmark client's own CPU")
    said(client.rule, "redis-benchmark {cpu:.2f} cores", cpu=0.98, count=1)
    # two threads: 0.98 cores is half of what it can use
    said(verdicts.throughput_limit(0.98, 0.5, 1.2, 0.55, 4, benchmark_threads=2).verdict, "round trips")
    node = verdicts.throughput_limit(0.5, 0.95, 1.2, machine_busy=0.4, cores=8)
    is_(node.verdict, "one node's main thread")
    idle = verdicts.throughput_limit(0.1, 0.1, 0.3, machine_busy=0.1, cores=8)
    said(idle.verdict, "round trips")


def test_scalability_needs_keys_moved_and_none_lost_or_seen_failing() -> None:
    is_(verdicts.scalability(2004, 0, 0).verdict, "True")
    is_(verdicts.scalability(2004, 3, 0).verdict, "False here")
    is_(verdicts.scalability(2004, 0, 12).verdict, "False here")
    said(verdicts.scalability(0, 0, 0).verdict, "Not shown")
    rule = verdicts.scalability(2004, 3, 0).rule
    said(rule, "{figures}; lost > 0 or errors > 0")
    said(rule.params["figures"], "{moved:,} keys moved", moved=2004, lost=3, errors=0)


def test_reliability_depends_on_confirmed_writes_restart_kill_9_and_replicas() -> None:
    is_(verdicts.reliability(0, 8, 0, True, 20_000, 20_000, 0).verdict, "True with replicas")
    is_(verdicts.reliability(1, 8, 0, True, 20_000, 20_000, 0).verdict, "False here")
    is_(verdicts.reliability(0, 8, 0, True, 20_000, 19_999, 0).verdict, "False here")
    is_(verdicts.reliability(0, 8, 0, True, 20_000, 20_000, 3).verdict, "False here")
    is_(verdicts.reliability(0, 8, 0, False, 20_000, 20_000, 0).verdict, "True")
    rule = verdicts.reliability(0, 8, 0, True, 20_000, 20_000, 0).rule
    said(rule, "{figures}; without replicas the cluster went down")
    said(rule.params["figures"], "{replicated_lost} replicated writes lost", healthy_refused=8,
         healthy_refused_no_coverage=0, keys_before=20_000, keys_after=20_000)


def test_ease_flexibility_security_cost_follow_their_figures() -> None:
    is_(verdicts.ease(2.5).verdict, "Easy to start")
    is_(verdicts.ease(42.0).verdict, "Slow to start here")
    is_(verdicts.flexibility(6, 240).verdict, "True")
    is_(verdicts.flexibility(5, 240).verdict, "Only the basics")
    is_(verdicts.security(True, True, True).verdict, "Only once configured")
    is_(verdicts.security(True, False, True).verdict, "False here")
    is_(verdicts.security(False, True, True).verdict, "True")
    figures = verdicts.security(True, False, True).rule
    said(figures, "stranger's FLUSHALL {stranger}")
    assert [figures.params[name].id for name in ("stranger", "with_password", "student")] == \
        ["worked", "worked", "denied"]
    is_(verdicts.cost("BSD-3-Clause (open source)").verdict, "True for this version")
    is_(verdicts.cost("RSALv2 or SSPLv1 (source-available, not OSI open source)").verdict,
        "Source-available, not open source")
    is_(verdicts.cost("RSALv2, SSPLv1 or AGPLv3 (AGPLv3 is open source)").verdict, "True for this version")


def test_figures_recorded_by_05_are_read_by_07_and_a_missing_one_says_what_to_run(tmp_path, monkeypatch) -> None:
    import numpy as np

    from helpers.errors import WorkshopError

    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    with pytest.raises(WorkshopError) as caught:
        verdicts.recorded()["keys_moved"]
    said(caught.value, "No {name!r} measured yet on this machine: run notebook 05", name="keys_moved")
    verdicts.record(keys_moved=np.int64(1262), cluster_best=np.float64(119_048.5))
    verdicts.record(course_went_down=True)  # added to the others
    assert dict(verdicts.recorded()) == {"keys_moved": 1262, "cluster_best": 119_048.5,
                                         "course_went_down": True}


def test_encryption_is_only_with_tls_and_names_its_price() -> None:
    priced = verdicts.encryption(True, False, throughput_ratios=[0.73, 0.62, 0.87], p50_ratios=[1.31, 1.5, 1.2])
    said(priced.verdict, "Only with TLS, which cost {low:.0%}–{high:.0%}", low=pytest.approx(0.13),
         high=pytest.approx(0.38))
    said(priced.rule, "{figures}; every round < 1×")
    said(priced.rule.params["figures"], "secret {plain}", count=3, median=0.73, p50=1.31)
    is_(verdicts.encryption(True, False, [0.7], [1.3]).verdict, "Only with TLS, which cost {low:.0%} of the throughput here")
    is_(verdicts.encryption(True, False, [0.97, 1.01], [0.99, 1.0]).verdict,
        "Only with TLS, at no measurable cost here")
    is_(verdicts.encryption(True, True, [0.7], [1.3]).verdict, "Not shown")  # TLS did not hide it
    is_(verdicts.encryption(False, False, [0.7], [1.3]).verdict, "Not shown")  # nothing to hide


def test_the_verdict_table_speaks_french(monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    slow = verdicts.performance(cluster_best=119_048, one_process_best=853_746)
    said(slow.verdict, "Fast, not millions here", best=853_746)
    assert slow.verdict == "Rapide, mais pas des millions ici\u00a0: 853\u202f746/s au mieux (un seul processus, en pipeline)"
    assert slow.rule == "meilleur\u00a0: 853\u202f746 < 1\u202f000\u202f000 requêtes/s"
    secure = verdicts.security(True, True, True)
    is_(secure.verdict, "Only once configured")
    assert secure.verdict == "Seulement une fois configuré"
    assert secure.rule == ("FLUSHALL d’un inconnu sans configuration\u00a0: exécuté\u00a0; avec un mot de passe\u00a0: "
                           "bloqué\u00a0; FLUSHALL de l’utilisateur student\u00a0: refusé")
    priced = verdicts.encryption(True, False, [0.73, 0.62, 0.87], [1.31, 1.5, 1.2])
    assert priced.verdict == "Seulement avec TLS, qui a coûté ici 13\u202f% à 38\u202f% du débit"
    assert "sur 3 tours\u00a0: 0,73× requêtes/s (médiane), 1,31× p50" in priced.rule
    assert verdicts.throughput_limit(0.98, 0.5, 1.2, 0.55, 4).rule == \
        "redis-benchmark\u00a0: 0,98 cœur ≥ 90\u202f% de son unique thread"


def test_a_missing_figure_is_said_in_french(tmp_path, monkeypatch) -> None:
    from helpers.errors import WorkshopError

    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    with pytest.raises(WorkshopError) as caught:
        verdicts.recorded()["keys_moved"]
    said(caught.value, "No {name!r} measured yet", name="keys_moved")
    assert str(caught.value).startswith("Aucune mesure 'keys_moved' encore sur cette machine\u00a0: exécutez le notebook 05")
