"""Pure functions of the lifecycle: no server is started here."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import redis

from helpers.__main__ import main
from helpers.cluster.base import (ClusterSpec, ClusterState, check_ports_free, find_free_base_port,
                                  port_holder, port_is_free)
from helpers.cluster.external import safe_url
from helpers.config import Settings
from helpers.errors import WorkshopError, explain_connection_error
from helpers.slots import master_slot_ranges


def test_slot_ranges_match_redis_cli_for_three_masters() -> None:
    # The split `redis-cli --cluster create` prints for 3 masters.
    assert master_slot_ranges(3) == [(0, 5460), (5461, 10922), (10923, 16383)]


@pytest.mark.parametrize("masters", range(3, 12))
def test_slot_ranges_cover_every_slot_once(masters: int) -> None:
    ranges = master_slot_ranges(masters)
    slots = [slot for first, last in ranges for slot in range(first, last + 1)]
    assert slots == list(range(16384))
    sizes = [last - first + 1 for first, last in ranges]
    assert max(sizes) - min(sizes) <= 1


def test_spec_orders_masters_before_replicas_and_counts_nodes() -> None:
    spec = ClusterSpec(masters=4, replicas=2, base_port=30000)
    assert spec.size == 12 and spec.ports == list(range(30000, 30012))
    assert spec.describe() == "4 masters × 2 replicas"


@pytest.mark.parametrize("fields, words", [
    ({"masters": 2}, "at least 3 masters"),
    ({"replicas": -1}, "0 or more"),
    ({"base_port": 60000}, "--base-port between"),
    ({"base_port": 80}, "--base-port between"),
    ({"node_timeout": 5}, "milliseconds"),
])
def test_spec_check_says_what_to_change(fields: dict, words: str) -> None:
    with pytest.raises(WorkshopError, match=words):
        ClusterSpec(**fields).check()


def test_state_round_trips_through_state_json(tmp_path) -> None:
    state = ClusterState("local", ClusterSpec(base_port=31000, password="s3cret"), pids={31000: 42})
    state.save(tmp_path)
    assert ClusterState.load(tmp_path) == state
    assert ClusterState.load(tmp_path / "elsewhere") is None
    assert repr(state) == ("local cluster: 3 masters × 1 replica on 127.0.0.1:31000–31005, "
                           "with a password")


def test_the_extra_master_of_notebook_05_is_a_readable_state(tmp_path) -> None:
    # One master, no replica: no cluster's shape, but a state the scaling lab saves and reads.
    state = ClusterState("local", ClusterSpec(masters=1, replicas=0, base_port=31000), pids={31000: 7})
    state.save(tmp_path)
    assert ClusterState.load(tmp_path) == state


@pytest.mark.parametrize("content, reason", [
    ('{"backend": "local"', "JSONDecodeError: Expecting ',' delimiter"),
    ('{"spec": {}}', "key 'backend' is missing"),
    ('{"backend": "local", "spec": []}', "spec is [], not an object"),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 7000}}',
     "key 'node_timeout' is missing"),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 70000, '
     '"node_timeout": 5000}}', "is not a cluster's shape"),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 7000, '
     '"node_timeout": 5000, "password": 1}}', "spec.password is 1, not text or null"),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 7000, '
     '"node_timeout": 5000}, "pids": {"seven": 1}}', 'pids key "seven" is not a port number'),
    ('{"backend": null, "spec": {}}', "backend null is none of the workshop's (local, docker)"),
])
def test_an_unreadable_state_says_why(tmp_path, content: str, reason: str) -> None:
    (tmp_path / "state.json").write_text(content)
    with pytest.raises(WorkshopError) as caught:
        ClusterState.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'state.json'} cannot be read as the "
                                        f"workshop's cluster state (")
    assert reason in str(caught.value)


def test_settings_read_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    monkeypatch.setenv("WORKSHOP_MASTERS", "5")
    monkeypatch.setenv("WORKSHOP_BASE_PORT", "")
    settings = Settings.from_env()
    assert (settings.home, settings.masters, settings.base_port) == (tmp_path, 5, 7000)
    monkeypatch.setenv("WORKSHOP_REPLICAS", "one")
    with pytest.raises(WorkshopError, match="WORKSHOP_REPLICAS='one' is not a whole number"):
        Settings.from_env()


def test_a_busy_port_is_named_with_its_holder_and_a_free_base_is_suggested() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(WorkshopError) as caught:
            check_ports_free([port])
        assert port_holder(port) is not None and "python" in port_holder(port)
    message = str(caught.value)
    assert f"Port {port} (node) is already in use, held by pid" in message
    assert "--base-port" in message


def bindable(port: int) -> bool:
    """The independent check: can a plain socket (no SO_REUSEADDR) bind 127.0.0.1:port now?"""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_region(count: int, blocks: int) -> int:
    """A base from which `blocks` blocks of `count` node ports and their bus ports all bind.

    Between 12000 and 19000 (bus ports 22000-29000): below Linux's ephemeral range, where the
    suite's own client connections would take ports, and clear of the clusters that tests
    running beside this one start (nodes from 7000 and 20000-22000, bus ports 30000-32000).
    """
    for start in range(12000, 19000 - blocks * count, 97):
        ports = range(start, start + blocks * count)
        if all(bindable(port) and bindable(port + 10000) for port in ports):
            return start
    pytest.fail("no free region of ports to test with")


def listener(port: int, host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.bind((host, port))
    sock.listen()
    return sock


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_a_listening_port_is_not_free_and_a_closed_one_is(host: str) -> None:
    port = free_region(1, 1)
    sock = listener(port, host)
    assert not port_is_free(port)
    sock.close()
    assert port_is_free(port) and bindable(port)


def tcp_states(port: int) -> set[str]:
    """The states (hex, as Linux writes them) of the IPv4 sockets whose local port is `port`."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return {cols[3] for cols in map(str.split, lines) if int(cols[1].rsplit(":", 1)[1], 16) == port}


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
def test_a_port_in_time_wait_counts_as_free_as_it_is_for_redis_server() -> None:
    # A node just stopped leaves TIME_WAIT connections on its port; a new node can bind it.
    port = free_region(1, 1)
    server = socket.socket()
    # As redis-server's own listener: Linux lets a port be bound again over TIME_WAIT leftovers
    # only when both the old socket and the new one ask for SO_REUSEADDR.
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the side that closes first keeps the TIME_WAIT, on `port`
    client.close()
    server.close()
    deadline = time.monotonic() + 5
    while tcp_states(port) != {"06"} and time.monotonic() < deadline:  # 06: TIME_WAIT
        time.sleep(0.01)  # FIN_WAIT_2 until the other side's FIN arrives
    assert tcp_states(port) == {"06"}
    assert port_is_free(port)
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


def test_free_base_port_skips_blocks_with_a_busy_node_or_bus_port() -> None:
    count = 6
    start = free_region(count, 3)
    # A node port taken in the first block, a bus port (port + 10000) in the second.
    taken = [listener(start + 1), listener(start + count + 2 + 10000)]
    try:
        base = find_free_base_port(count, start=start)
        assert base == start + 2 * count
        assert all(bindable(port) and bindable(port + 10000) for port in range(base, base + count))
    finally:
        for sock in taken:
            sock.close()


def test_passwords_never_reach_messages() -> None:
    assert safe_url("redis://alice:s3cret@db.example:6380/0") == "redis://alice:***@db.example:6380/0"
    assert safe_url("rediss://db.example:6380") == "rediss://db.example:6380"


def test_the_real_cause_is_found_down_the_exception_chain() -> None:
    # redis-py reports a refused connection as "Cluster mode is not enabled on this node".
    try:
        try:
            raise redis.AuthenticationError("invalid username-password pair")
        except redis.AuthenticationError as inner:
            raise redis.RedisClusterException("Cluster mode is not enabled on this node") from inner
    except redis.RedisClusterException as outer:
        assert "refused the user or password" in explain_connection_error(outer, "h:1")
    refused = redis.ConnectionError("Error 111 connecting to h:1. Connection refused.")
    assert "Could not connect to h:1" in explain_connection_error(refused, "h:1")


@pytest.mark.parametrize("argv, words", [
    (["up", "--masters", "2"], "at least 3 masters"),
    (["up", "--replicas", "-1"], "0 or more"),
])
def test_cli_prints_one_paragraph_and_exits_1_on_bad_input(argv, words, capsys, monkeypatch,
                                                             tmp_path) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and words in err and "Traceback" not in err
    assert not (tmp_path / "state.json").exists()


def test_a_busy_port_near_the_top_still_gets_its_own_message() -> None:
    # A base port near 55535 leaves no room above it; the suggestion must look lower.
    with socket.socket() as sock:
        for port in range(55000, 55500):
            try:
                sock.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        sock.listen()
        with pytest.raises(WorkshopError, match=rf"Port {port} \(node\) is already in use.*"
                                                r"--base-port \d+$"):
            check_ports_free([port])
