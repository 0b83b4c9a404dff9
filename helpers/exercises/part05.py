"""Exercises of notebook 05: the labs' predictions (p1 … p7), compared with what each lab
measured, and the checks of failover and write safety on your cluster (q1, q2)."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, Prediction, cluster
from helpers.i18n import N_, _

__all__ = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "q1", "q2", "____"]

p1 = Prediction(
    question=N_("With one client, how many times more requests per second does pipeline 16 give "
                "than pipeline 1?"),
    why=N_("Without a pipeline every command waits for a round trip and the server is mostly idle. With "
           "16 in flight, one round trip carries 16 commands: up to 16 times more, minus what the "
           "server and the client spend on each command."),
    tolerance=0.5)
p2 = Prediction(
    question=N_("What share of the cluster's keys, in %, will the new master hold once it has 1,024 "
                "of the 16,384 slots?"),
    why=N_("1,024 slots are 1/16 of 16,384 (6.25 %), and CRC16 spreads keys evenly over the slots: "
           "about 1/16 of the keys moved with them, the 20,000 items and the workload's alike."),
    tolerance=0.2)
p3 = Prediction(
    question=N_("How many seconds after the kill will the orphaned master have a working replica again?"),
    why=N_("The other nodes suspect the dead replica after cluster-node-timeout (fail?), and flag it "
           "failed once a majority of masters agree (fail). Its master is then an orphan; after 5 s "
           "more (CLUSTER_SLAVE_MIGRATION_DELAY in Redis's cluster.c), the replica with the smallest "
           "node id of the master with the most replicas moves over to it."),
    tolerance=0.3)
p4 = Prediction(
    question=N_("How many seconds after the kill will writes to the dead master's slots go through again?"),
    why=N_("cluster-node-timeout until the others suspect the dead master (fail?), a moment for a "
           "majority of masters to agree (fail), then the replica's election: it waits 500 ms plus a "
           "random 0-500 ms (plus 1 s per better-placed replica), and wins the masters' votes."),
    tolerance=0.3)
p5 = Prediction(
    question=N_("In the course's cluster (3 masters, no replica), one master dies: will a living master "
                "still accept a write to a key of its own slots? (True or False)"),
    why=N_("No: a third of the slots have no copy left, and with cluster-require-full-coverage yes (the "
           "default) every master stops serving, its own keys included, until the dead one comes back."))
p6 = Prediction(
    question=N_("In a planned failover (CLUSTER FAILOVER), how many writes that a replica confirmed will be lost?"),
    why=N_("None: the master stops accepting writes first, the replica catches up with every write "
           "the master applied, and only then do the roles swap. A write caught in the switch gets an "
           "error reply (MOVED), so its client knows it was not applied."))
p7 = Prediction(
    question=N_("With appendfsync everysec, how many of a burst of 50,000 keys are missing after every "
                "node is killed (kill -9) right after the last OK, then restarted?"),
    why=N_("None here: each node writes a command into its AOF, in the kernel's page cache, before "
           "it replies, and the kernel outlives the killed process. everysec can lose up to about a "
           "second of writes only when the machine itself goes down before the page cache reaches the disk."))


def _node_timeout(answer: object) -> str | None:
    client = cluster()
    try:
        timeout = int(client.config_get("cluster-node-timeout")["cluster-node-timeout"])
    finally:
        client.close()
    if answer == timeout:
        return None
    if answer == timeout / 1000:
        return _("that is the right value in seconds; give it in milliseconds, as the setting is")
    return _("ask your cluster: CONFIG GET cluster-node-timeout")


def _wait_command(answer: object) -> str | None:
    if isinstance(answer, str) and answer.strip().upper().startswith("WAIT"):
        return None
    if isinstance(answer, str) and answer.strip().upper() == "SYNC":
        return _("SYNC is how a replica asks for a full copy; a client wants to wait for replicas")
    return _("it is the command the failover lab's writer sends after each SET")


q1 = Exercise(
    question=N_("What is your cluster's cluster-node-timeout, in milliseconds?"),
    verdict=_node_timeout,
    hint_text=N_("A node is suspected once it has not answered for that long."),
    solution_text=N_('answer = int(rc.config_get("cluster-node-timeout")["cluster-node-timeout"])'))
q2 = Exercise(
    question=N_("Which command makes a client wait until replicas have its writes?"),
    verdict=_wait_command,
    hint_text=N_("Its arguments are a number of replicas and a timeout in milliseconds."),
    solution_text=N_('answer = "WAIT"'))
