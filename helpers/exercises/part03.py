"""Exercises of notebook 03: the right client, and round trips counted by Redis itself."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, cluster
from helpers.i18n import N_, _, _n

__all__ = ["q1", "q2", "q3", "____"]


def _cluster_client(answer: object) -> str | None:
    from redis.cluster import RedisCluster

    if answer is RedisCluster:
        return None
    if isinstance(answer, str) and answer.strip().rsplit(".", 1)[-1] == "RedisCluster":
        return _("that is its name, in quotes: give the class itself, RedisCluster, without quotes "
                 "(imported from redis.cluster)")
    name = getattr(answer, "__name__", repr(answer))
    return _("{name} does not follow MOVED redirects across the cluster's nodes: which class "
             "did app.py switch to?", name=name)


def _pipeline_round_trips(answer: object) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or answer != int(answer):
        return _("give a whole number of batches")
    answer = int(answer)
    client = cluster()
    try:
        masters = len(client.get_primaries())
    finally:
        client.close()
    if answer == masters:
        return None
    if answer == 1:
        return _("one node serves only its own slots: the client must send each master the "
                 "commands for its keys, as a batch of its own")
    if answer == 1000:
        return _("that is one command at a time; a pipeline sends many commands per batch")
    return _("{answer} is not it: to how many nodes must the 1,000 SETs go?", answer=answer)


def _reads_by_masters(client) -> dict[str, int]:
    """INFO stats total_reads_processed of each master: how many reads of client requests it made."""
    return {node.name: client.info("stats", target_nodes=node)["total_reads_processed"]
            for node in client.get_primaries()}


def _few_round_trips(answer: object) -> str | None:
    """Runs the student's write(rc) and counts, on every master, the requests Redis read."""
    if not callable(answer):
        return _("give the function itself: answer = write (no parentheses)")
    client = cluster()
    keys = [f"ex:{number}" for number in range(1000)]
    try:
        client.delete(*keys)
        masters = client.get_primaries()
        for node in masters:  # open each master's connection now, so it is not counted
            client.ping(target_nodes=node)
        before = _reads_by_masters(client)
        answer(client)
        after = _reads_by_masters(client)
        values = client.mget_nonatomic(keys)
    finally:
        client.close()
    # Each INFO that reads the counter is itself one read, counted in `after`.
    round_trips = sum(after[name] - before[name] - 1 for name in after)
    missing = [number for number, value in enumerate(values) if value is None]
    if missing:
        return _n("{count} of the 1,000 keys is missing, ex:{first}: write ex:0 to ex:999",
                  "{count} of the 1,000 keys are missing, ex:{first} first: write ex:0 to ex:999",
                  len(missing), first=missing[0])
    wrong = [number for number, value in enumerate(values) if value != str(number)]
    if wrong:
        return _("ex:{number} holds {value!r}; each key's value is its number",
                 number=wrong[0], value=values[wrong[0]])
    if round_trips > 3 * len(masters):
        return _("the masters read {round_trips:,} requests from your function (INFO stats "
                 "total_reads_processed); one batch per master, {masters} in all, is enough",
                 round_trips=round_trips, masters=len(masters))
    return None


q1 = Exercise(
    question=N_("Which redis-py class must an application use to talk to a Redis Cluster?"),
    verdict=_cluster_client,
    hint_text=N_("The course's app.py used redis.Redis, which talks to one node."),
    solution_text=N_("from redis.cluster import RedisCluster\nanswer = RedisCluster"))
q2 = Exercise(
    question=N_("A pipeline of 1,000 SETs on the keys ex:0 … ex:999: in how many batches, at the "
                "least, must a client send it to your cluster? (A batch is one write on one "
                "connection, read by one node. redis-py writes every batch before reading any reply, "
                "so in time they overlap: count batches, not waits.)"),
    verdict=_pipeline_round_trips,
    hint_text=N_("The keys fall in slots of every master; each master serves only its own slots, and "
                 "a batch goes to one node."),
    solution_text=N_("answer = len(rc.get_primaries())  # one batch per master: each serves its own slots"))
q3 = Exercise(
    question=N_("Write a function write(rc) that stores ex:0 … ex:999, each holding its own number, "
                "in as few round trips as you can. The check runs it and counts the requests each "
                "master reads (INFO stats total_reads_processed)."),
    verdict=_few_round_trips,
    hint_text=N_("rc.mset_nonatomic({...}) or one rc.pipeline() sends each master one batch."),
    solution_text=N_('def write(rc):\n'
                     '    rc.mset_nonatomic({f"ex:{n}": n for n in range(1000)})\n'
                     'answer = write'))
