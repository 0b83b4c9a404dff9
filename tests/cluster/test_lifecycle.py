"""The local backend against real redis-server processes: start, reuse, restart, stop, purge."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import redis

import helpers
from helpers.cluster import choose_backend
from helpers.cluster.base import ClusterState, node_client, port_is_free
from helpers.cluster.local import is_node_process
from helpers.config import Settings
from helpers.i18n import _
from tests.conftest import REPO, cli
from tests.messages import message_of, said


def live_pids(env: dict[str, str]) -> list[int]:
    """Pids in state.json that are still redis-server processes."""
    state = ClusterState.load(Settings.from_env().home)
    return [pid for port, pid in state.pids.items() if is_node_process(pid, port)] if state else []


def assert_nothing_left(ports: list[int]) -> None:
    """No redis-server of ours runs and every node and bus port is free again (the relay's too)."""
    for port in ports:
        assert all(port_is_free(port + offset) for offset in (0, 10000, 20000)), f"port {port} still in use"


def ready_line(state: ClusterState) -> str:
    """What `python -m helpers up` prints for `state`, up to the time it took."""
    return _("Ready: {cluster} ({seconds:.1f} s).", cluster=repr(state), seconds=0.0).rsplit("(", 1)[0]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_up_gives_a_ready_cluster_and_down_leaves_no_process(workshop, redis_server, language, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)  # what the command line prints is in the student's language
    result = cli("up", env=dict(workshop, WORKSHOP_LANG=language))
    assert result.returncode == 0, result.stderr
    state = ClusterState.load(Settings.from_env().home)
    assert said(repr(state), "{backend} cluster: {shape} on", backend="local")
    assert said(message_of(repr(state)).params["shape"], "{masters} masters × {count} replica", masters=3, count=1)
    assert result.stdout.startswith(ready_line(state))
    assert result.stdout.startswith({"en": "Ready: local cluster: 3 masters × 1 replica",
                                     "fr": "Prêt\u00a0: cluster local\u00a0: 3\u00a0maîtres × 1\u00a0réplique"}[language])

    report = json.loads(cli("status", "--json", env=workshop).stdout)
    assert report["ready"] and report["backend"] == "local"
    assert sorted(node["role"] for node in report["nodes"]) == ["master"] * 3 + ["slave"] * 3
    rc = helpers.connect()
    for i in range(300):
        rc.set(f"key:{i}", i)
    masters = [node for node in rc.get_nodes() if node.server_type == "primary"]
    assert len(masters) == 3 and all(rc.dbsize(target_nodes=node) > 0 for node in masters)
    rc.close()

    pids = live_pids(workshop)
    assert len(pids) == 6
    result = cli("down", env=dict(workshop, WORKSHOP_LANG=language))
    assert result.returncode == 0
    assert result.stdout == _("Stopped the {backend} cluster ({shape}). Its data is kept: `up` brings it back, "
                              "`down --purge` removes it.", backend="local", shape=state.spec.describe()) + "\n"
    assert not any(is_node_process(pid, port) for pid, port in
                   zip(pids, range(int(workshop["WORKSHOP_BASE_PORT"]), 10**6)))
    assert_nothing_left(ClusterState.load(Settings.from_env().home).spec.ports)


def test_up_reuses_the_running_cluster_from_another_process(workshop, redis_server) -> None:
    assert cli("up", env=workshop).returncode == 0
    before = live_pids(workshop)
    state = helpers.up()  # this process, not the one that started it
    assert sorted(live_pids(workshop)) == sorted(before)
    assert said(repr(state), "{backend} cluster: {shape} on", backend="local",
                first=state.spec.base_port, last=state.spec.base_port + 5)
    again = cli("up", env=workshop)
    assert again.returncode == 0 and sorted(live_pids(workshop)) == sorted(before)


def test_two_concurrent_ups_make_one_cluster(workshop, redis_server) -> None:
    command = [sys.executable, "-m", "helpers", "up"]
    runs = [subprocess.Popen(command, cwd=REPO, env=workshop, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0], [run.stderr.read() for run in runs]
    assert len(live_pids(workshop)) == 6


def test_down_then_up_brings_back_the_same_cluster_with_its_data(workshop, redis_server) -> None:
    helpers.up()
    rc = helpers.connect()
    ids_before = {node["node_id"] for node in rc.cluster_nodes().values()}
    rc.mset_nonatomic({f"fruit:{i}": f"apple-{i}" for i in range(500)})
    rc.close()
    helpers.down()
    assert not live_pids(workshop)
    helpers.up()
    rc = helpers.connect()
    assert {node["node_id"] for node in rc.cluster_nodes().values()} == ids_before
    assert rc.mget_nonatomic([f"fruit:{i}" for i in range(500)]) == [f"apple-{i}" for i in range(500)]
    rc.close()


def test_down_purge_removes_the_data(workshop, redis_server) -> None:
    helpers.up()
    rc = helpers.connect()
    rc.set("kept", "no")
    rc.close()
    assert said(helpers.down(purge=True), "Stopped the {backend} cluster ({shape}) and removed its data",
                backend="local")
    home = Settings.from_env().home
    assert not (home / "state.json").exists() and not (home / "nodes").exists()
    helpers.up()
    rc = helpers.connect()
    assert rc.get("kept") is None
    rc.close()


def test_up_restarts_a_node_that_died(workshop, redis_server) -> None:
    helpers.up(node_timeout=1000)
    state = ClusterState.load(Settings.from_env().home)
    replica_port = state.spec.ports[-1]
    os.kill(state.pids[replica_port], signal.SIGKILL)
    os.waitpid(state.pids[replica_port], 0)  # started by this process: reap it
    assert not is_node_process(state.pids[replica_port], replica_port)
    helpers.up()
    state = ClusterState.load(Settings.from_env().home)
    assert is_node_process(state.pids[replica_port], replica_port)
    assert helpers.status()["ready"]


@pytest.mark.parametrize("masters, replicas", [(3, 0), (4, 1), (3, 2)])
def test_any_number_of_masters_and_replicas(workshop, redis_server, masters, replicas) -> None:
    helpers.up(masters=masters, replicas=replicas)
    rc = helpers.connect()
    slots = rc.cluster_slots(target_nodes=rc.get_random_node())
    assert sum(last - first + 1 for first, last in slots) == 16384
    assert len(slots) == masters
    nodes = rc.cluster_nodes().values()
    master_ids = [node["node_id"] for node in nodes if "master" in node["flags"]]
    assert len(master_ids) == masters
    # (CLUSTER SLOTS lists a replica only once its replication offset is above 0: use NODES)
    for master_id in master_ids:
        assert sum(node["master_id"] == master_id for node in nodes) == replicas
    rc.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_nothing_to_stop_is_calm(workshop, language, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    said_here = helpers.down()
    assert said(said_here, "Nothing to stop: no workshop cluster in {home}", home=Settings.from_env().home)
    result = cli("down", env=dict(workshop, WORKSHOP_LANG=language))
    assert result.returncode == 0 and result.stdout == said_here + "\n" and not result.stderr
    assert result.stdout.startswith({"en": "Nothing to stop", "fr": "Rien à arrêter"}[language])


def test_a_port_in_use_is_named_and_nothing_is_left_half_started(workshop, redis_server) -> None:
    base = int(workshop["WORKSHOP_BASE_PORT"])
    blocker = subprocess.Popen([redis_server, "--port", str(base + 4), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=base + 4)
        for _attempt in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.01)
        result = cli("up", env=workshop)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        with pytest.raises(helpers.WorkshopError) as caught:  # what the command line printed
            helpers.up()
        assert said(caught.value, "Port {port} ({role}) is already in use, held by {holder}", port=base + 4,
                    role="node", holder=f"pid {blocker.pid} (redis-server)")
        printed = _("error: {error}", error=caught.value)  # but for the free ports it suggests, found anew
        assert result.stderr.startswith(printed.rsplit(" --base-port ", 1)[0] + " --base-port ")
        assert not live_pids(workshop)
        assert_nothing_left([port for port in range(base, base + 6) if port != base + 4])
    finally:
        blocker.terminate()
        blocker.wait(timeout=10)


def test_another_shape_while_one_runs_is_refused(workshop, redis_server) -> None:
    state = helpers.up()
    result = cli("up", "--masters", "4", env=workshop)
    assert result.returncode == 1
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.up(masters=4)
    assert said(caught.value, "A {backend} cluster ({shape}, ports from {base_port}) is already set up in "
                "{home}, and you asked for {wanted}", backend="local", base_port=state.spec.base_port,
                home=Settings.from_env().home, wanted="masters=4")
    assert result.stderr == _("error: {error}", error=caught.value) + "\n"
    assert len(live_pids(workshop)) == 6


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_redis_server_and_no_docker_says_how_to_get_either(workshop, tmp_path, language, monkeypatch) -> None:
    lonely = dict(workshop, PATH=str(tmp_path / "empty-bin"), WORKSHOP_LANG=language)  # neither exists
    result = subprocess.run([sys.executable, "-m", "helpers", "up"], cwd=REPO, env=lonely,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    monkeypatch.setenv("PATH", lonely["PATH"])
    monkeypatch.setenv("WORKSHOP_LANG", language)
    with pytest.raises(helpers.WorkshopError) as caught:
        choose_backend("auto")
    assert said(caught.value, "Neither redis-server nor a running Docker engine was found")
    assert result.stderr == _("error: {error}", error=caught.value) + "\n"
    assert ("Ni redis-server ni un moteur Docker" in result.stderr) == (language == "fr")


def test_connect_without_a_cluster_says_how_to_start_one(workshop) -> None:
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.connect()
    assert said(caught.value, "No workshop cluster is running. Start one with `python -m helpers up`")


def test_the_cluster_keeps_running_after_the_starting_process_exits(workshop, redis_server) -> None:
    assert cli("up", env=workshop).returncode == 0  # that process has exited now
    rc = helpers.connect()
    assert rc.ping()
    rc.close()


def test_down_also_stops_the_empty_nodes_a_student_left_behind(workshop, redis_server) -> None:
    from helpers.cluster import start_empty_nodes
    helpers.up()
    empty = start_empty_nodes()  # notebook 01, left before its clean-up
    helpers.down(purge=True)
    assert not any(is_node_process(pid, port) for port, pid in empty.pids.items())
    assert_nothing_left(empty.spec.ports)


def test_a_nodes_nodes_conf_is_read_from_its_own_folder_and_matches_cluster_nodes(shared_cluster) -> None:
    from helpers.cluster import node_file

    state, _ = shared_cluster
    port = state.spec.ports[2]
    lines = node_file(port).splitlines()
    assert f"127.0.0.1:{port}@{port + 10000}" in next(line for line in lines if "myself" in line)
    admin = node_client("127.0.0.1", port)
    live = admin.execute_command("CLUSTER", "NODES")
    admin.close()
    assert {line.split()[0] for line in lines[:-1]} == {line.split()[0] for line in live.splitlines()}
    assert lines[-1].startswith("vars currentEpoch ")
    with pytest.raises(helpers.WorkshopError) as caught:
        node_file(state.spec.ports[-1] + 1)
    assert said(caught.value, "No node of this cluster listens on port {port}", port=state.spec.ports[-1] + 1,
                first=state.spec.ports[0], last=state.spec.ports[-1])
