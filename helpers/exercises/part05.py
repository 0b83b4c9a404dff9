"""Exercises of notebook 05: the labs' predictions (p1 … p4), compared with what each lab
measured, and the checks of failover, write safety and ACLs on your cluster (q1 … q3)."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, Prediction, cluster

__all__ = ["p1", "p2", "p3", "p4", "q1", "q2", "q3", "____"]

p1 = Prediction(
    question="With one client, how many times more requests per second does pipeline 16 give "
             "than pipeline 1?",
    why="Without a pipeline every command waits for a round trip and the server is mostly idle. With "
        "16 in flight, one round trip carries 16 commands: up to 16 times more, minus what the "
        "server and the client spend on each command.",
    tolerance=0.5)
p2 = Prediction(
    question="How many keys will the new master hold once it has 1,024 slots?",
    why="1,024 slots are 1/16 of 16,384, and CRC16 spreads keys evenly over the slots: about 1/16 of "
        "all the keys (the 20,000 items and the workload's) moved with them.",
    tolerance=0.2)
p3 = Prediction(
    question="How many seconds after the kill will the orphaned master have a working replica again?",
    why="The other nodes suspect the dead replica after cluster-node-timeout (fail?), and flag it "
        "failed once a majority of masters agree (fail). Its master is then an orphan; after 5 s "
        "more (CLUSTER_SLAVE_MIGRATION_DELAY in Redis's cluster.c), the replica with the smallest "
        "node id of the master with the most replicas moves over to it.",
    tolerance=0.3)
p4 = Prediction(
    question="How many seconds after the kill will writes to the dead master's slots go through again?",
    why="cluster-node-timeout until the others suspect the dead master (fail?), a moment for a "
        "majority of masters to agree (fail), then the replica's election: it waits 500 ms plus a "
        "random 0-500 ms (plus 1 s per better-placed replica), and wins the masters' votes.",
    tolerance=0.3)


def _node_timeout(answer: object) -> str | None:
    client = cluster()
    try:
        timeout = int(client.config_get("cluster-node-timeout")["cluster-node-timeout"])
    finally:
        client.close()
    if answer == timeout:
        return None
    if answer == timeout / 1000:
        return "that is the right value in seconds; give it in milliseconds, as the setting is"
    return "ask your cluster: CONFIG GET cluster-node-timeout"


def _wait_command(answer: object) -> str | None:
    if isinstance(answer, str) and answer.strip().upper().startswith("WAIT"):
        return None
    if isinstance(answer, str) and answer.strip().upper() == "SYNC":
        return "SYNC is how a replica asks for a full copy; a client wants to wait for replicas"
    return "it is the command the failover lab's writer sends after each SET"


def _reader_everywhere(answer: object) -> str | None:
    if not isinstance(answer, str):
        return "give the user's name, a string"
    import redis
    from helpers.topology import every_node
    client = cluster()
    try:
        for node in every_node(client):  # from CLUSTER NODES: replicas too, as ACLs are per node
            try:
                if client.execute_command("ACL", "GETUSER", answer, target_nodes=node) is None:
                    return (f"{node.name} does not know {answer!r}: ACLs are per node, so send "
                            "ACL SETUSER to every node of topology.every_node(rc), replicas too")
                write = client.execute_command("ACL", "DRYRUN", answer, "SET", "x", "1",
                                               target_nodes=node)
                read = client.execute_command("ACL", "DRYRUN", answer, "GET", "x", target_nodes=node)
            except redis.ConnectionError:
                return f"{node.name} does not answer: start it again, then check"
            if write == "OK" or read != "OK":
                return f"on {node.name}, {answer!r} may write or may not read: use +@read only"
    finally:
        client.close()
    return None


q1 = Exercise(
    question="What is your cluster's cluster-node-timeout, in milliseconds?",
    verdict=_node_timeout,
    hint_text="A node is suspected once it has not answered for that long.",
    solution_text='answer = int(rc.config_get("cluster-node-timeout")["cluster-node-timeout"])')
q2 = Exercise(
    question="Which command makes a client wait until replicas have its writes?",
    verdict=_wait_command,
    hint_text="Its arguments are a number of replicas and a timeout in milliseconds.",
    solution_text='answer = "WAIT"')
q3 = Exercise(
    question="Create a user who may only read (+@read, every key) on every node; give its name.",
    verdict=_reader_everywhere,
    hint_text="ACL SETUSER name on >password ~* +@read, sent to every node of "
              "topology.every_node(rc): redis-py's rc.ALL_NODES can miss replicas.",
    solution_text='from helpers import topology\n\nnodes = topology.every_node(rc)\n'
                  'rc.execute_command("ACL", "SETUSER", "reader", "on", ">reader-pw", "~*", "+@read",\n'
                  '                   target_nodes=nodes)\n'
                  'rc.execute_command("ACL", "SAVE", target_nodes=nodes)  # kept across restarts\n'
                  'answer = "reader"')
