"""Pure functions of the lifecycle: no server is started here."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import redis

from helpers.__main__ import main
from helpers.cluster import format_status
from helpers.cluster.base import (ClusterSpec, ClusterState, check_ports_free, extra_nodes_joined,
                                  find_free_base_port, port_holder, port_is_free)
from helpers.cluster.external import safe_url
from helpers.config import Settings
from helpers.errors import WorkshopError, explain_connection_error
from helpers.i18n import _
from helpers.slots import master_slot_ranges
from tests.messages import message_of, said


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
    assert said(spec.describe(), "{masters} masters × {count} replica", masters=4, count=2)
    assert said(ClusterSpec(replicas=1, tls=True).describe(), "{masters} masters × {count} replica, TLS",
                masters=3, count=1)


@pytest.mark.parametrize("language, shape", [("en", "4 masters × 2 replicas"), ("fr", "4\u00a0maîtres × 2\u00a0répliques")])
def test_a_clusters_shape_is_said_in_the_students_language(language: str, shape: str, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    assert ClusterSpec(masters=4, replicas=2).describe() == shape


HIGHEST_BASE_PORT = 65535 - 20000 - 6 + 1  # six nodes, their bus ports + 20000 behind the relay


@pytest.mark.parametrize("fields, template, values", [
    ({"masters": 2}, "A Redis Cluster needs at least 3 masters", {"masters": 2}),
    ({"replicas": -1}, "--replicas must be 0 or more", {"replicas": -1}),
    ({"base_port": 60000}, "Ports {first}–{last} do not fit", {"first": 60000, "last": 60005,
                                                               "highest": HIGHEST_BASE_PORT}),
    ({"base_port": 80}, "Ports {first}–{last} do not fit", {"first": 80, "highest": HIGHEST_BASE_PORT}),
    ({"node_timeout": 5}, "--node-timeout is in milliseconds", {"node_timeout": 5}),
    ({"password": "two words"}, "A workshop password is 1 to 128 letters", {}),
])
def test_spec_check_says_what_to_change(fields: dict, template: str, values: dict) -> None:
    with pytest.raises(WorkshopError) as caught:
        ClusterSpec(**fields).check()
    assert said(caught.value, template, **values)


def test_a_refused_shape_is_explained_in_french(monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    with pytest.raises(WorkshopError) as caught:
        ClusterSpec(masters=2).check()
    assert said(caught.value, "A Redis Cluster needs at least 3 masters", masters=2)
    assert str(caught.value).startswith("Un Redis Cluster a besoin d’au moins 3\u00a0maîtres (vous en avez demandé 2)")


def test_state_round_trips_through_state_json(tmp_path) -> None:
    state = ClusterState("local", ClusterSpec(base_port=31000, password="s3cret"), pids={31000: 42})
    state.save(tmp_path)
    assert ClusterState.load(tmp_path) == state
    assert ClusterState.load(tmp_path / "elsewhere") is None
    assert said(repr(state), "{backend} cluster: {shape} on {host}:{first}–{last}, with a password",
                backend="local", host="127.0.0.1", first=31000, last=31005)
    assert said(message_of(repr(state)).params["shape"], "{masters} masters × {count} replica", masters=3, count=1)
    without = ClusterState("local", ClusterSpec(base_port=31000))
    assert said(repr(without), "{backend} cluster: {shape} on {host}:{first}–{last}", first=31000)
    assert message_of(repr(without)).id.endswith("{last}")  # no password, none said


def test_what_up_shows_of_a_cluster_is_in_french(monkeypatch) -> None:
    # The first cell of every notebook shows this, `python -m helpers up` prints it.
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    state = ClusterState("local", ClusterSpec(base_port=31000, password="s3cret"))
    assert said(repr(state), "{backend} cluster: {shape} on {host}:{first}–{last}, with a password")
    assert repr(state) == ("cluster local\u00a0: 3\u00a0maîtres × 1\u00a0réplique sur 127.0.0.1:31000–31005, "
                           "avec un mot de passe")


def test_the_extra_master_of_notebook_05_is_a_readable_state(tmp_path) -> None:
    # One master, no replica: no cluster's shape, but a state the scaling lab saves and reads.
    state = ClusterState("local", ClusterSpec(masters=1, replicas=0, base_port=31000), pids={31000: 7})
    state.save(tmp_path)
    assert ClusterState.load(tmp_path) == state


@pytest.mark.parametrize("content, reason, values", [
    ('{"backend": "local"', None, "JSONDecodeError: Expecting ',' delimiter"),  # Python's own words
    ('{"spec": {}}', "key {key} is missing", {"key": "'backend'"}),
    ('{"backend": "local", "spec": []}', "{what} is {value}, not an object", {"what": "spec", "value": "[]"}),
    ('[1, 2]', "{what} is {value}, not an object", {"what": "the file", "value": "[1, 2]"}),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 7000}}',
     "key {key} is missing", {"key": "'node_timeout'"}),
    ('{"backend": "local", "spec": {"masters": "3", "replicas": 1, "base_port": 7000, "node_timeout": 5000}}',
     "{what} is {value}, not a whole number", {"what": "spec.masters", "value": '"3"'}),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 70000, '
     '"node_timeout": 5000}}', "spec {value} is not a cluster's shape", {}),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 7000, '
     '"node_timeout": 5000, "password": 1}}', "{what} is {value}, not text or null",
     {"what": "spec.password", "value": "1"}),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 7000, '
     '"node_timeout": 5000, "tls": "yes"}}', "{what} is {value}, not true or false",
     {"what": "spec.tls", "value": '"yes"'}),
    ('{"backend": "local", "spec": {"masters": 3, "replicas": 1, "base_port": 7000, '
     '"node_timeout": 5000}, "pids": {"seven": 1}}', "pids key {value} is not a port number", {"value": '"seven"'}),
    ('{"backend": null, "spec": {}}', "backend {value} is none of the workshop's (local, docker)",
     {"value": "null"}),
])
def test_an_unreadable_state_says_why(tmp_path, content: str, reason: str | None, values) -> None:
    (tmp_path / "state.json").write_text(content)
    with pytest.raises(WorkshopError) as caught:
        ClusterState.load(tmp_path)
    assert said(caught.value, "{path} cannot be read as the workshop's cluster state ({reason})",
                path=tmp_path / "state.json")
    said_reason = message_of(caught.value).params["reason"]
    if reason is None:
        assert values in said_reason
    else:
        assert said(said_reason, reason, **values)


def test_an_unreadable_state_says_why_in_french(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    (tmp_path / "state.json").write_text('{"backend": "local", "spec": []}')
    with pytest.raises(WorkshopError) as caught:
        ClusterState.load(tmp_path)
    assert said(caught.value, "{path} cannot be read as the workshop's cluster state")
    assert said(message_of(caught.value).params["reason"], "{what} is {value}, not an object", what="spec")
    assert str(caught.value).startswith(f"{tmp_path / 'state.json'} ne se lit pas comme l’état du cluster "
                                        "de l’atelier (spec vaut [], et non un objet).")


def test_settings_read_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    monkeypatch.setenv("WORKSHOP_MASTERS", "5")
    monkeypatch.setenv("WORKSHOP_BASE_PORT", "")
    settings = Settings.from_env()
    assert (settings.home, settings.masters, settings.base_port) == (tmp_path, 5, 7000)
    monkeypatch.setenv("WORKSHOP_REPLICAS", "one")
    with pytest.raises(WorkshopError) as caught:
        Settings.from_env()
    assert said(caught.value, "{name}={raw!r} is not a whole number", name="WORKSHOP_REPLICAS", raw="one", default=1)
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    with pytest.raises(WorkshopError) as caught:
        Settings.from_env()
    assert said(caught.value, "{name}={raw!r} is not a whole number", name="WORKSHOP_REPLICAS", raw="one")
    assert str(caught.value).startswith("WORKSHOP_REPLICAS='one' n’est pas un nombre entier.")


def test_a_language_the_workshop_does_not_speak_is_refused_with_the_ones_it_does(monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", "de")
    with pytest.raises(WorkshopError) as caught:
        Settings.from_env()
    assert said(caught.value, "WORKSHOP_LANG={raw!r} is not a language of the workshop", raw="de",
                languages="en, fr")


def test_a_busy_port_is_named_with_its_holder_and_a_free_base_is_suggested() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(WorkshopError) as caught:
            check_ports_free([port])
        holder = port_holder(port)
        assert holder is not None and "python" in holder
    assert said(caught.value, "Port {port} ({role}) is already in use, held by {holder}", port=port, holder=holder)
    assert said(message_of(caught.value).params["role"], "node")
    suggested = message_of(caught.value).params["base_port"]
    assert isinstance(suggested, int) and str(caught.value).endswith(f"--base-port {suggested}")


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


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("argv, fields", [
    (["up", "--masters", "2"], {"masters": 2}),
    (["up", "--replicas", "-1"], {"replicas": -1}),
])
def test_cli_prints_one_paragraph_and_exits_1_on_bad_input(argv, fields, language, capsys, monkeypatch,
                                                             tmp_path) -> None:
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path))
    monkeypatch.setenv("WORKSHOP_LANG", language)
    with pytest.raises(WorkshopError) as caught:  # the message `up` refuses this shape with
        ClusterSpec(**fields).check()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err == _("error: {error}", error=caught.value) + "\n" and "Traceback" not in err
    assert err.startswith({"en": "error: ", "fr": "erreur\u00a0: "}[language])
    assert not (tmp_path / "state.json").exists()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_command_lines_help_is_in_the_students_language(language, capsys, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert _("Start, inspect and stop the workshop's Redis Cluster.") in out
    assert ("Démarrer, inspecter et arrêter" in out) == (language == "fr")
    with pytest.raises(SystemExit):
        main(["down", "--help"])
    assert _("also remove the nodes' data") in capsys.readouterr().out


@pytest.mark.parametrize("language, replicas, text", [
    ("en", 1, "127.0.0.1:7000 sees 4 masters and 1 replica, more nodes than the cluster was started with"),
    ("en", 3, "127.0.0.1:7000 sees 4 masters and 3 replicas, more nodes than the cluster was started with"),
    ("fr", 1, "127.0.0.1:7000 voit 4\u00a0maîtres et 1\u00a0réplique, plus de nœuds que le cluster n’en avait au démarrage"),
    ("fr", 3, "127.0.0.1:7000 voit 4\u00a0maîtres et 3\u00a0répliques, plus de nœuds que le cluster n’en avait au démarrage"),
])
def test_a_cluster_grown_by_hand_is_one_problem_whatever_the_language(language, replicas, text, monkeypatch) -> None:
    # wait_until_ready stops waiting on this problem, recognised by its identity, not its words.
    monkeypatch.setenv("WORKSHOP_LANG", language)
    problem = extra_nodes_joined("127.0.0.1:7000", 4, replicas)
    assert said(problem, "{address} sees {masters} masters and {count} replica, more nodes than",
                address="127.0.0.1:7000", masters=4, count=replicas)
    assert problem.id == extra_nodes_joined("", 0, 0).id and problem == text


REPORT = {"running": True, "ready": False, "isolated": [31000], "backend": "local", "home": "/srv/workshop",
          "tls": False, "masters": 3, "replicas": 1, "base_port": 31000, "node_timeout": 5000, "project": None,
          "problems": ["127.0.0.1:31001 does not answer"],
          "nodes": [{"address": "127.0.0.1:31000", "running": True, "role": "master", "pid": 1},
                    {"address": "127.0.0.1:31001", "running": False, "role": None, "pid": 2}]}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_status_is_a_short_table_in_the_students_language(language, monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    lines = format_status(REPORT).splitlines()
    shape = _("{masters} masters × {replicas} replica(s)", masters=3, replicas=1)
    assert lines[0] == _("{backend} cluster (data in {home}), {shape}, {health}", backend="local",
                         home="/srv/workshop", shape=shape, health=_("running, not ready"))
    assert lines[1].split() == ["127.0.0.1:31000", "master", *_("running").split()]  # the role is Redis's word
    assert lines[2].split() == ["127.0.0.1:31001", "-", *_("stopped").split()]
    assert lines[3] == "  ! 127.0.0.1:31001 does not answer"
    assert lines[4] == "  " + _("partition: {ports} cut off from the other nodes (python -m helpers heal ends it)",
                                ports="31000")
    expected = {"en": "local cluster (data in /srv/workshop), 3 masters × 1 replica(s), running, not ready",
                "fr": "cluster local (données dans /srv/workshop), 3\u00a0maîtres × 1\u00a0réplique(s), démarré, pas prêt"}
    assert lines[0] == expected[language]


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
        with pytest.raises(WorkshopError) as caught:
            check_ports_free([port])
    assert said(caught.value, "Port {port} ({role}) is already in use", port=port)
    suggested = message_of(caught.value).params["base_port"]
    assert isinstance(suggested, int) and str(caught.value).endswith(f"--base-port {suggested}")
