"""Exercises of notebook 05: failover, write safety and ACLs, checked on your cluster."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, cluster

__all__ = ["q1", "q2", "q3", "____"]


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
    client = cluster()
    try:
        missing, allowed = [], []
        for node in client.get_nodes():
            if client.execute_command("ACL", "GETUSER", answer, target_nodes=node) is None:
                missing.append(node.name)
                continue
            write = client.execute_command("ACL", "DRYRUN", answer, "SET", "x", "1",
                                           target_nodes=node)
            read = client.execute_command("ACL", "DRYRUN", answer, "GET", "x", target_nodes=node)
            if write == "OK" or read != "OK":
                allowed.append(node.name)
    finally:
        client.close()
    if missing:
        return (f"{len(missing)} node(s) do not know {answer!r}, {missing[0]} first: ACLs are per "
                "node, so send ACL SETUSER with target_nodes=rc.ALL_NODES")
    if allowed:
        return f"on {allowed[0]}, {answer!r} may write or may not read: use +@read only"
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
    hint_text="ACL SETUSER name on >password ~* +@read, sent to every node.",
    solution_text='rc.execute_command("ACL", "SETUSER", "reader", "on", ">reader-pw", "~*", "+@read",\n'
                  '                   target_nodes=rc.ALL_NODES)\nanswer = "reader"')
