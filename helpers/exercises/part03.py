"""Exercises of notebook 03: the right client and the right way to write many keys."""
from __future__ import annotations

from helpers.exercises import ____, Exercise

__all__ = ["q1", "q2", "____"]


def _cluster_client(answer: object) -> str | None:
    from redis.cluster import RedisCluster

    if answer is RedisCluster:
        return None
    name = getattr(answer, "__name__", repr(answer))
    return (f"{name} does not follow MOVED redirects across the cluster's nodes: which class "
            "did app.py switch to?")


def _fastest_writer(answer: object) -> str | None:
    if isinstance(answer, str) and "bulk_load" in answer:
        return None
    return "look at the throughput chart again: which bar is longest?"


q1 = Exercise(
    question="Which redis-py class must an application use to talk to a Redis Cluster?",
    verdict=_cluster_client,
    hint_text="The course's app.py used redis.Redis, which talks to one node.",
    solution_text="from redis.cluster import RedisCluster\nanswer = RedisCluster")
q2 = Exercise(
    question="Which of the three writers in the throughput chart wrote the most keys per second?",
    verdict=_fastest_writer,
    hint_text="It groups keys by slot and writes to every master at once.",
    solution_text='answer = "helpers.data.bulk_load"')
