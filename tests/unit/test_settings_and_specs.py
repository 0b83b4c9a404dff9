"""Pure functions of the lifecycle: no server is started here."""
from __future__ import annotations

import socket

import pytest
import redis

from helpers.__main__ import main
from helpers.cluster.base import (ClusterSpec, ClusterState, WorkshopError, check_ports_free,
                                  find_free_base_port, master_slot_ranges, port_holder)
from helpers.cluster.external import explain_connection_error, safe_url
from helpers.config import Settings


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


def test_free_base_port_has_free_bus_ports_too() -> None:
    base = find_free_base_port(6, start=40000)
    check_ports_free(list(range(base, base + 6)))  # raises if any node or bus port is taken


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
