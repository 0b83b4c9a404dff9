"""Exercises of notebook 07: ACL users, checked on every node of your cluster."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, cluster
from helpers.i18n import N_, _

__all__ = ["q1", "q2", "q3", "____"]


def _reader_everywhere(answer: object) -> str | None:
    if not isinstance(answer, str):
        return _("give the user's name, a string")
    import redis
    from helpers.topology import every_node
    client = cluster()
    try:
        for node in every_node(client):  # from CLUSTER NODES: replicas too, as ACLs are per node
            try:
                if client.execute_command("ACL", "GETUSER", answer, target_nodes=node) is None:
                    return _("{node} does not know {answer!r}: ACLs are per node, so send ACL SETUSER "
                             "to every node of topology.every_node(rc), replicas too", node=node.name, answer=answer)
                write = client.execute_command("ACL", "DRYRUN", answer, "SET", "x", "1",
                                               target_nodes=node)
                read = client.execute_command("ACL", "DRYRUN", answer, "GET", "x", target_nodes=node)
            except redis.ConnectionError:
                return _("{node} does not answer: start it again, then check", node=node.name)
            if write == "OK" or read != "OK":
                return _("on {node}, {answer!r} may write or may not read: use +@read only",
                         node=node.name, answer=answer)
    finally:
        client.close()
    return None


q1 = Exercise(
    question=N_("Create a user who may only read (+@read, every key) on every node; give its name."),
    verdict=_reader_everywhere,
    hint_text=N_("ACL SETUSER name on >password ~* +@read, sent to every node of "
                 "topology.every_node(rc): redis-py's rc.ALL_NODES can miss replicas."),
    solution_text=N_('from helpers import topology\n\nnodes = topology.every_node(rc)\n'
                     'rc.execute_command("ACL", "SETUSER", "reader", "on", ">reader-pw", "~*", "+@read",\n'
                     '                   target_nodes=nodes)\n'
                     'rc.execute_command("ACL", "SAVE", target_nodes=nodes)  # kept across restarts\n'
                     'answer = "reader"'))


def _dangerous_category(answer: object) -> str | None:
    if not isinstance(answer, str):
        return _("give the category's name, a string such as 'read'")
    import redis
    client = cluster()
    try:
        commands = client.execute_command("ACL", "CAT", answer.strip().lstrip("@"))
    except redis.ResponseError:
        return _("your cluster knows no category {answer!r}: ACL CAT lists them", answer=answer)
    finally:
        client.close()
    names = {name.lower().partition("|")[0] for name in commands}  # CONFIG's are config|set, ...
    if not {"flushall", "config", "keys"} <= names:
        return _("ACL CAT {answer} does not hold FLUSHALL, CONFIG and KEYS together", answer=answer)
    return None


def _replica_password(answer: object) -> str | None:
    if not isinstance(answer, str):
        return _("give the setting's name, a string")
    if answer.strip().lower() == "requirepass":
        return _("requirepass is the password a node asks of its clients; here the replica is the "
                 "client, and needs a setting that says what to answer")
    client = cluster()
    try:
        known = client.config_get(answer.strip().lower())
    finally:
        client.close()
    if not known:
        return _("your nodes have no setting {answer!r}: CONFIG GET * lists them", answer=answer)
    return None if answer.strip().lower() == "masterauth" else _("that setting exists, but it is not the one")


q2 = Exercise(
    question=N_("Which ACL category holds FLUSHALL, CONFIG and KEYS, and is the one to remove from a student?"),
    verdict=_dangerous_category,
    hint_text=N_("The student's rules in §1.3 end with -@ and this category."),
    solution_text=N_('answer = "dangerous"  # ACL CAT dangerous lists its commands'))
q3 = Exercise(
    question=N_("Which setting gives a replica the password it sends to its master?"),
    verdict=_replica_password,
    hint_text=N_("helpers.up(password=...) sets it beside requirepass, on every node (§1.2)."),
    solution_text=N_('answer = "masterauth"'))
