"""What the helpers open, they close: the console's connections, a workload's client."""
from __future__ import annotations


from helpers import labs
from helpers.console import Console
from helpers.resp import Connection
from tests.conftest import wait_until


def clients(state) -> set[tuple[int, str]]:
    """(node port, client address) of every client connected to a node of the cluster, as
    CLIENT LIST says; our own probes left out."""
    found = set()
    for port in state.spec.ports:
        probe = Connection("127.0.0.1", port, state.spec.password)
        try:
            me = probe.ask(("CLIENT", "INFO"))[0].split("addr=", 1)[1].split()[0]
            listing = probe.ask(("CLIENT", "LIST"))[0]
        finally:
            probe.close()
        found |= {(port, line.split("addr=", 1)[1].split()[0]) for line in listing.splitlines()
                  if "flags=S" not in line} - {(port, me)}  # flags=S: a replica's link
    return found


def test_a_closed_console_leaves_no_connection_and_no_widget(shared_cluster) -> None:
    state, rc = shared_cluster
    before = clients(state)
    with Console(rc) as console:
        assert str(console.run("set resource:k 1")).endswith("OK")
        opened = clients(state) - before
        assert opened  # the console's own connections
    assert wait_until(lambda: not clients(state) & opened)
    assert console.widget.comm is None and console.entry.comm is None  # the widget is closed too


def test_a_workload_never_started_holds_no_client_and_a_stopped_one_closed_it(shared_cluster) -> None:
    state, _ = shared_cluster
    idle = labs.Workload(prefix="idle")
    assert idle.client is None  # nothing is opened before start()
    assert idle.stop().empty
    before = clients(state)
    running = labs.Workload(prefix="busy").start()
    assert wait_until(lambda: len(running.rows) > 10)
    opened = clients(state) - before
    assert opened
    log = running.stop()
    assert (log["error"] == "").all()
    assert wait_until(lambda: not clients(state) & opened)
