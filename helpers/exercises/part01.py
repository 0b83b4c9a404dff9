"""Exercises of notebook 01: slots, the cluster bus and replicas, read from your own cluster."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, cluster_nodes
from helpers.i18n import N_, _
from helpers.slots import HASH_SLOTS

__all__ = ["q1", "q2", "q3", "____"]


def _slot_count(answer: object) -> str | None:
    if answer == HASH_SLOTS:
        return None
    if answer == HASH_SLOTS - 1:
        return _("slots are numbered 0 to 16383: how many is that?")
    return _("{answer!r} is not it: look at cluster_slots_assigned in CLUSTER INFO", answer=answer)


def _bus_port(answer: object) -> str | None:
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return _("give two numbers: (the node's port, its bus port)")
    port, bus = answer
    buses = {node.port: node.bus_port for node in cluster_nodes()}
    if port not in buses:
        return _("no node of your cluster listens on port {port!r}: pick one from CLUSTER NODES", port=port)
    if bus == buses[port]:
        return None
    if bus == port:
        return _("{port} is where clients connect; nodes talk to each other on another port", port=port)
    return _("read it in CLUSTER NODES: the number after '@' on the line of port {port}", port=port)


def _replica_count(answer: object) -> str | None:
    nodes = cluster_nodes()
    replicas = sum(node.is_replica for node in nodes)
    if answer == replicas:
        return None
    if answer == len(nodes):
        return _("{answer} counts every node; replicas are the lines flagged 'slave'", answer=answer)
    return _("your cluster has not {answer!r} replicas: count the 'slave' lines of CLUSTER NODES", answer=answer)


q1 = Exercise(
    question=N_("How many hash slots does every Redis Cluster have?"),
    verdict=_slot_count,
    hint_text=N_("CLUSTER INFO's cluster_slots_assigned, on a healthy cluster."),
    solution_text=N_("answer = 16384"))
q2 = Exercise(
    question=N_("Pick a node of your cluster: answer = (its port, the port on which it talks to the "
                "other nodes, the cluster bus)."),
    verdict=_bus_port,
    hint_text=N_("Each address in CLUSTER NODES reads host:port@busport; the bus is the port + 10000."),
    solution_text=N_("port = rc.get_default_node().port\nanswer = (port, port + 10000)  # or read it after '@'"))
q3 = Exercise(
    question=N_("How many replicas does your cluster have right now?"),
    verdict=_replica_count,
    hint_text=N_("Count the nodes whose flags say 'slave' in CLUSTER NODES."),
    solution_text=N_('answer = sum("slave" in node["flags"] for node in rc.cluster_nodes().values())'))
