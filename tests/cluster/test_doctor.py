"""The doctor (notebook 01) reads every node's own view, replicas included, and survives a dead node."""
from __future__ import annotations

import socket

from helpers import faults
from helpers.topology import doctor
from tests.messages import said


def test_the_doctor_reads_every_node_and_names_a_dead_one(own_cluster, monkeypatch) -> None:
    state, rc = own_cluster
    table = doctor(rc)
    assert sorted(table["address"]) == sorted(f"127.0.0.1:{port}" for port in state.spec.ports)
    assert table["reachable"].all()

    replica = state.spec.ports[-1]
    faults.kill(replica)
    table = doctor(rc).set_index("address")
    assert not table.loc[f"127.0.0.1:{replica}", "reachable"]
    assert said(table.loc[f"127.0.0.1:{replica}", "answer"], "connection refused")
    assert said(table.loc[f"127.0.0.1:{replica}", "what to do"], "Nothing listens on port {port} of {host}",
                port=replica, host="127.0.0.1")
    assert table.drop(f"127.0.0.1:{replica}")["reachable"].all()
    assert all(said(answer, "ok") for answer in table.drop(f"127.0.0.1:{replica}")["answer"])
    # A French student reads the finding and the advice in French; the table keeps its column names.
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    dead = doctor(rc).set_index("address").loc[f"127.0.0.1:{replica}"]
    assert not dead["reachable"]
    assert said(dead["answer"], "connection refused") and dead["answer"] == "connexion refusée"
    assert said(dead["what to do"], "Nothing listens on port {port} of {host}", port=replica)
    assert dead["what to do"].startswith(f"Rien n’écoute sur le port {replica} de 127.0.0.1\u00a0: le nœud annonce")


def test_a_node_announcing_a_wrong_port_is_caught_at_once(own_cluster) -> None:
    # Read at once, before gossip carries the new port to the other nodes: the node's own view
    # must be read where it really listens, or nothing is flagged (notebook 01's lab).
    state, rc = own_cluster
    broken = rc.get_default_node()
    # The wrong port is one we hold bound without listening: a connection to it is refused,
    # and no node of a test running beside this one can take it meanwhile.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        wrong = held.getsockname()[1]
        rc.execute_command("CONFIG", "SET", "cluster-announce-port", str(wrong), target_nodes=broken)
        try:
            table = doctor(rc).set_index("address")
            assert not table.loc[f"127.0.0.1:{wrong}", "reachable"]
        finally:
            rc.execute_command("CONFIG", "SET", "cluster-announce-port", "0", target_nodes=broken)
