"""The instructors' dashboard (its node table and its widget) and reset, against a real cluster."""
from __future__ import annotations

import threading

import helpers
from helpers import faults, live
from helpers.i18n import _
from helpers.topology import NODE_COLUMNS, node_table
from helpers.resp import Connection
from tests.conftest import cli, wait_until


def node_facts(port: int) -> tuple[dict[str, str], int, int]:
    """INFO as a dict, the node's own slot count from CLUSTER NODES, and DBSIZE."""
    node = Connection("127.0.0.1", port)
    info, nodes, keys = node.ask(("INFO",), ("CLUSTER", "NODES"), ("DBSIZE",))
    node.close()
    mine = next(line.split() for line in nodes.splitlines() if "myself" in line)
    slots = sum(int(part.partition("-")[2] or part) - int(part.partition("-")[0]) + 1
                for part in mine[8:])
    return dict(line.split(":", 1) for line in info.splitlines() if ":" in line), slots, keys


def test_the_node_table_says_what_info_and_cluster_nodes_say(shared_cluster) -> None:
    state, rc = shared_cluster
    rc.mset_nonatomic({f"dash:{number}": number for number in range(300)})
    # Replicas copy asynchronously: counted too early, a replica still lacks some keys.
    # WAIT returns once the master's replica has acknowledged every write before it.
    for port in state.spec.ports[:state.spec.masters]:
        master = Connection("127.0.0.1", port, timeout=15.0)
        assert master.ask(("WAIT", "1", "10000")) == [1]
        master.close()
    table = node_table().set_index("node")
    assert list(table.index) == [f"127.0.0.1:{port}" for port in state.spec.ports]
    assert table["up"].all() and table["slots"].sum() == 16384 and table["keys"].sum() == 600
    for port in state.spec.ports:
        info, slots, keys = node_facts(port)
        row = table.loc[f"127.0.0.1:{port}"]
        assert row["role"] == ("replica" if info["role"] == "slave" else "master")
        assert (row["slots"], row["keys"]) == (slots, keys)
        assert row["memory"][-1] == info["used_memory_human"][-1]  # same unit; the amount moves
        assert abs(row["clients"] - int(info["connected_clients"])) <= 2  # ours come and go
        if info["role"] == "slave":
            assert row["master"] == f"{info['master_host']}:{info['master_port']}"
            assert row["link"] == info["master_link_status"] == "up"


def test_a_killed_master_shows_down_and_its_replica_promoted(own_cluster) -> None:
    state, _ = own_cluster
    victim = state.spec.ports[0]
    faults.kill(victim)
    row = node_table().set_index("node").loc[f"127.0.0.1:{victim}"]
    assert (row["up"], row["role"]) == (False, "down")
    promoted = faults.wait_for_failover(victim)
    assert node_table().set_index("node").loc[f"127.0.0.1:{promoted}", "role"] == "master"


def dashboard_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "workshop-dashboard"]


def test_the_widget_turns_a_dead_node_red_and_one_dashboard_refreshes_at_a_time(own_cluster) -> None:
    state, _ = own_cluster
    first = helpers.dashboard(interval=0.1)
    second = helpers.dashboard(interval=0.1)  # the cell run again
    assert "127.0.0.1:" in second.value and "#f8d0d0" not in second.value
    assert wait_until(lambda: len(dashboard_threads()) == 1)
    faults.kill(state.spec.ports[4])
    assert wait_until(lambda: "#f8d0d0" in second.value)
    assert "#f8d0d0" not in first.value  # the first one stopped refreshing
    live.stop_dashboard()
    assert wait_until(lambda: not dashboard_threads())


def test_the_dashboard_shows_its_headers_and_roles_in_the_students_language(shared_cluster, monkeypatch) -> None:
    table = node_table()
    english = live._render(table)
    assert all(f">{name}</th>" in english for name in NODE_COLUMNS if name != "up"), english
    assert ">master</td>" in english and ">replica</td>" in english and ">up</th>" not in english
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    french = live._render(table)
    shown = [_(name) for name in NODE_COLUMNS if name != "up"]
    assert all(f">{name}</th>" in french for name in shown), french
    assert ">nœud</th>" in french and ">mémoire</th>" in french and ">node</th>" not in french
    assert f">{_('master')}</td>" in french and ">réplique</td>" in french and ">replica</td>" not in french
    assert list(table.columns) == NODE_COLUMNS and set(table["role"]) == {"master", "replica"}  # data kept


def test_reset_flushes_and_writes_the_course_data_again(shared_cluster) -> None:
    _, rc = shared_cluster
    rc.mset_nonatomic({f"junk:{number}": number for number in range(100)})
    done = cli("reset")  # os.environ names the shared cluster
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Removed 100 keys and wrote the course's 5 keys again")
    assert sum(rc.dbsize(target_nodes=node) for node in rc.get_primaries()) == 5
    assert rc.get("nom") == "kheir" and rc.smembers("tags:post") == {"redis", "cluster"}


def test_reset_without_a_cluster_says_how_to_start_one(workshop) -> None:
    done = cli("reset", env=workshop)
    assert done.returncode == 1
    assert "No workshop cluster is running. Start one with `python -m helpers up`" in done.stderr
