"""Exercises of notebook 03: the right client and the right way to write many keys."""
from __future__ import annotations

from helpers.exercises import ____, Exercise

__all__ = ["q1", "q2", "q3", "____"]


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


def _thousand_keys(answer: object) -> str | None:
    from helpers.exercises import cluster
    client = cluster()
    try:
        values = client.mget_nonatomic([f"ex:{number}" for number in range(1000)])
    finally:
        client.close()
    missing = [number for number, value in enumerate(values) if value is None]
    if missing:
        return (f"{len(missing)} of the 1,000 keys are missing, ex:{missing[0]} first: "
                "write ex:0 to ex:999")
    wrong = [number for number, value in enumerate(values) if value != str(number)]
    if wrong:
        return f"ex:{wrong[0]} holds {values[wrong[0]]!r}; each key's value is its number"
    return None


q3 = Exercise(
    question="Write the keys ex:0 … ex:999, each holding its own number, in as few round trips as "
             "you can; then run the check (the answer is not used).",
    verdict=_thousand_keys,
    hint_text="rc.mset_nonatomic({...}) or a pipeline groups the SETs by node.",
    solution_text='rc.mset_nonatomic({f"ex:{n}": n for n in range(1000)})\nanswer = "done"')
