"""A real TLS cluster (`python -m helpers up --tls`): every helper on it, as the workshop's own
cluster and as an external one (rediss://), and a clear paragraph for each way TLS can refuse.

The certificates that must fail (another CA, expired, another host's name) are served by one
plain `redis-server --tls-port`, started here with them, next to the cluster.
"""
from __future__ import annotations

import datetime
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import helpers
from helpers import console, data, faults, measure, tools, topology
from helpers.exercises import part02
from helpers.cluster.base import find_free_base_port
from helpers.cluster.certificates import make_certificates
from helpers.errors import WorkshopError
from helpers.live import _render
from helpers.resp import Connection, Credentials, Tls, TlsError, credentials_of
from tests.conftest import cli, environment, private_settings, require, wait_until
from tests.messages import said

PASSWORD = "s3cret"


@pytest.fixture(scope="module")
def tls_home(tmp_path_factory, redis_server_module) -> Iterator[dict[str, str]]:
    """A TLS cluster with a password, started as a student starts one; its environment."""
    home = tmp_path_factory.mktemp("tls") / "home"
    settings = {**os.environ, **private_settings(home, 11500 + os.getpid() % 20 * 50),
                "WORKSHOP_NODE_TIMEOUT": "2000"}
    settings.pop("REDIS_CLUSTER_URL", None)
    started = cli("up", "--tls", "--password", PASSWORD, env=settings)
    assert started.returncode == 0, started.stderr
    yield settings
    stopped = cli("down", "--purge", env=settings)
    assert stopped.returncode == 0, stopped.stderr


@pytest.fixture(scope="module")
def redis_server_module() -> None:
    require(subprocess.run(["which", "redis-server"], capture_output=True).returncode == 0,
            "redis-server is not installed")


@pytest.fixture
def on_tls(tls_home) -> Iterator[dict[str, str]]:
    """os.environ pointing at the TLS cluster for one test."""
    with environment({key: tls_home[key] for key in ("WORKSHOP_HOME", "WORKSHOP_BASE_PORT", "WORKSHOP_BACKEND")}):
        yield tls_home


def base_port(settings: dict[str, str]) -> int:
    return int(settings["WORKSHOP_BASE_PORT"])


def ca_of(settings: dict[str, str]) -> str:
    return str(Path(settings["WORKSHOP_HOME"]) / "tls" / "ca.crt")


def test_the_cluster_speaks_tls_only_on_every_path(on_tls) -> None:
    port = base_port(on_tls)
    report = helpers.status()
    assert report["tls"] and report["ready"] and "TLS, ready" in helpers.cluster.format_status(report)
    rc = helpers.connect()
    try:
        assert rc.config_get("tls-cluster", target_nodes=rc.get_random_node()) == {"tls-cluster": "yes"}
        assert rc.config_get("tls-replication")["tls-replication"] == "yes"
        assert rc.config_get("port")["port"] == "0"  # no plain port at all
    finally:
        rc.close()
    plain = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
    assert "PONG" not in plain.stdout  # a plain client gets nothing
    # The replicas' links to their masters are up: replication speaks TLS too.
    assert all(row.link == "up" for row in topology.node_table().itertuples() if row.role == "replica")


def test_every_helper_works_on_a_tls_cluster(on_tls) -> None:
    port = base_port(on_tls)
    rc = helpers.connect()
    try:
        login = credentials_of(rc)
        assert login.tls is not None and login.tls.ca_certs == ca_of(on_tls)
        # The console of notebook 02, with its redirections
        session = console.Session("127.0.0.1", port, login)
        assert console.run_line(session, "set tls:key hello").reply == "OK"
        assert console.run_line(session, "get tls:key").reply == "hello"
        session.close()
        # The bulk loader and the measurements of notebook 03
        assert data.bulk_load(rc, data.numbered_items(20_000, prefix="tls:"), progress=False).keys == 20_000
        assert rc.get("tls:19999") is not None
        assert len(measure.latency_samples(rc, count=300)) == 300
        grid = measure.redis_benchmark_grid(clients=(5,), pipelines=(1,), requests=2_000)
        assert grid["requests/s"].iloc[0] > 0
        assert measure.calls_per_master(rc, "set").sum() > 0
        # Topology, the doctor, the dashboard
        table = topology.node_table()
        assert table["up"].all() and len(table) == 6
        assert topology.doctor(rc)["reachable"].all()
        assert "127.0.0.1" in _render(table)
        # Redis's own programs, with --tls and the CA where they run
        assert "All 16384 slots covered" in tools.redis_cli(f"--cluster check 127.0.0.1:{port}")
        assert '"hello"' in tools.redis_cli_session(["get tls:key"])
        # An exercise's check reads the cluster
        rc.delete("lists:shopping")
        rc.rpush("lists:shopping", "milk", "eggs")
        assert part02.q4.verdict("rpush lists:shopping eggs") is None
    finally:
        rc.close()


def test_an_external_tls_cluster_is_used_and_never_stopped(on_tls, tmp_path, monkeypatch) -> None:
    port = base_port(on_tls)
    url = f"rediss://default:{PASSWORD}@127.0.0.1:{port + 1}?ssl_ca_certs={ca_of(on_tls)}"
    elsewhere = {**on_tls, "WORKSHOP_HOME": str(tmp_path / "student"), "REDIS_CLUSTER_URL": url}
    started = cli("up", env=elsewhere)
    assert started.returncode == 0 and "Ready: external cluster at rediss://default:***@" in started.stdout
    shown = cli("status", env=elsewhere)
    assert shown.returncode == 0 and "ready" in shown.stdout and shown.stdout.count("running") == 6
    stopped = cli("down", env=elsewhere)
    assert stopped.returncode == 0 and "Nothing to stop" in stopped.stdout and "never stops" in stopped.stdout
    assert helpers.status()["ready"]  # still running
    monkeypatch.setenv("WORKSHOP_HOME", elsewhere["WORKSHOP_HOME"])
    monkeypatch.setenv("REDIS_CLUSTER_URL", url)
    rc = helpers.connect()
    try:
        assert data.bulk_load(rc, data.numbered_items(1_000, prefix="url:"), progress=False).keys == 1_000
        assert len(topology.node_table()) == 6
        assert console.run_line(console.Session("127.0.0.1", port + 1, credentials_of(rc)),
                                "get url:999").reply == "00000999xxxxxxxx"
    finally:
        rc.close()


@pytest.mark.parametrize("language, words", [("en", "speaks TLS"), ("fr", "parle TLS")])
def test_a_plain_client_on_the_tls_port_is_told_to_use_tls(on_tls, tmp_path, monkeypatch, language, words) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    port = base_port(on_tls)
    with pytest.raises(TlsError) as caught:
        Connection("127.0.0.1", port, PASSWORD).ask(("PING",))
    told = caught.value.args[0]
    assert said(told, "{where} speaks TLS, and this client spoke plain TCP", where=f"127.0.0.1:{port}")
    assert words in told and "rediss://" in told
    session = console.Session("127.0.0.1", port, PASSWORD)
    assert console.run_line(session, "ping").problem == told  # not "is the node stopped?"
    url = f"redis://default:{PASSWORD}@127.0.0.1:{port}"
    result = cli("up", env={**on_tls, "WORKSHOP_HOME": str(tmp_path / "h"), "REDIS_CLUSTER_URL": url,
                            "WORKSHOP_LANG": language})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert told in result.stderr
    assert not (tmp_path / "h" / "state.json").exists()  # nothing half-started


def test_a_tls_client_on_a_plain_port_is_told_to_drop_tls(on_tls, tmp_path) -> None:
    plain = find_free_base_port(1, start=base_port(on_tls) + 200)
    server = subprocess.Popen(["redis-server", "--port", str(plain), "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: _answers(plain))
        tls = Credentials(tls=Tls(ca_of(on_tls)))
        with pytest.raises(TlsError) as caught:
            Connection("127.0.0.1", plain, tls, timeout=1.0).ask(("PING",))
        told = caught.value.args[0]
        assert said(told, "{where} speaks plain TCP, not TLS", where=f"127.0.0.1:{plain}")
        url = f"rediss://127.0.0.1:{plain}?ssl_ca_certs={ca_of(on_tls)}"
        result = cli("up", env={**on_tls, "WORKSHOP_HOME": str(tmp_path / "h"), "REDIS_CLUSTER_URL": url})
        assert result.returncode == 1 and told in result.stderr  # the same paragraph through redis-py
    finally:
        server.terminate()
        server.wait()


@pytest.mark.parametrize("case, expected, params", [
    ("another CA", "The certificate of {where} is not signed by the CA you gave", {}),
    ("expired", "The certificate of {where} has expired", {}),
    ("another host's name", "The certificate of {where} is not valid for the name {host!r}", {"host": "127.0.0.1"}),
])
def test_a_certificate_that_does_not_verify_is_named(case, expected, params, on_tls, tmp_path) -> None:
    if case == "expired":
        served = make_certificates(tmp_path / "served", days=1, not_before=datetime.datetime(
            2020, 1, 1, tzinfo=datetime.timezone.utc))
    elif case == "another host's name":
        served = make_certificates(tmp_path / "served", names=("elsewhere.example",))
    else:
        served = make_certificates(tmp_path / "served")
    trusted = ca_of(on_tls) if case == "another CA" else str(served / "ca.crt")
    port = find_free_base_port(1, start=base_port(on_tls) + 300)
    server = subprocess.Popen(["redis-server", "--port", "0", "--tls-port", str(port),
                               "--tls-cert-file", str(served / "node.crt"), "--tls-key-file", str(served / "node.key"),
                               "--tls-ca-cert-file", str(served / "ca.crt"), "--tls-auth-clients", "no",
                               "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        insecure = Credentials(tls=Tls(cert_reqs="none"))  # only to know it listens
        assert wait_until(lambda: _answers(port, insecure))
        with pytest.raises(TlsError) as caught:
            Connection("127.0.0.1", port, Credentials(tls=Tls(trusted)), timeout=1.0).ask(("PING",))
        told = caught.value.args[0]
        assert said(told, expected, where=f"127.0.0.1:{port}", **params)
        if case == "another CA":
            assert said(told, expected, ca=trusted)
        url = f"rediss://127.0.0.1:{port}?ssl_ca_certs={trusted}"
        result = cli("up", env={**on_tls, "WORKSHOP_HOME": str(tmp_path / "h"), "REDIS_CLUSTER_URL": url})
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert told in result.stderr  # the same paragraph through redis-py
    finally:
        server.terminate()
        server.wait()


def test_the_tap_shows_a_secret_in_clear_on_plain_tcp_and_not_over_tls(on_tls) -> None:
    from helpers import wire
    plain = find_free_base_port(1, start=base_port(on_tls) + 250)
    server = subprocess.Popen(["redis-server", "--port", str(plain), "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: _answers(plain))
        with wire.Tap(plain) as tap:
            Connection("127.0.0.1", tap.port).ask(("SET", "card", "4111 1111 1111 1111"))
        assert b"4111 1111 1111 1111" in tap.sent and b"+OK" in tap.received
        assert "SET" in wire.dump(bytes(tap.sent))
    finally:
        server.terminate()
        server.wait()
    rc = helpers.connect()
    owner = rc.get_node_from_key("card")
    login = credentials_of(rc)
    rc.close()
    with wire.Tap(owner.port) as tap:
        assert Connection("127.0.0.1", tap.port, login).ask(("SET", "card", "4111 1111 1111 1111")) == ["OK"]
    assert tap.sent[:3] == b"\x16\x03\x01"  # a TLS handshake opens it
    assert b"4111" not in tap.sent and PASSWORD.encode() not in tap.sent and len(tap.received) > 100


def test_a_ca_file_that_is_not_there_is_named(on_tls, tmp_path) -> None:
    missing = tmp_path / "no-such-ca.crt"
    with pytest.raises(TlsError) as caught:
        Connection("127.0.0.1", base_port(on_tls), Credentials(tls=Tls(str(missing)))).ask(("PING",))
    told = caught.value.args[0]
    assert said(told, "The file given as {option}, {path}, does not exist", option="ssl_ca_certs", path=str(missing))
    url = f"rediss://127.0.0.1:{base_port(on_tls)}?ssl_ca_certs={missing}"
    result = cli("status", env={**on_tls, "WORKSHOP_HOME": str(tmp_path / "h"), "REDIS_CLUSTER_URL": url})
    assert result.returncode == 1 and told in result.stderr  # named before redis-py tries, not "check the host"
    with environment({"REDIS_CLUSTER_URL": url}):
        assert said(helpers.status()["error"], "The file given as {option}", path=str(missing))


def test_a_partition_is_refused_on_a_tls_cluster(on_tls) -> None:
    result = cli("partition", str(base_port(on_tls)), env=on_tls)
    assert result.returncode == 1 and "tls-cluster yes" in result.stderr
    assert "without --tls" in result.stderr and helpers.status()["ready"]


def test_faults_work_on_a_tls_cluster(on_tls) -> None:
    """Last in this file: it changes which nodes are masters."""
    master = base_port(on_tls)
    replica = faults.replica_of(master)
    faults.kill(master)
    faults.wait_for_failover(master)
    faults.restart(master)
    assert faults.wait_for_role(master, "slave") >= 0
    assert wait_until(lambda: helpers.status()["ready"], limit=60)  # the old master in sync again
    assert faults.replica_of(replica) == master


def _answers(port: int, login: Credentials | None = None) -> bool:
    try:
        Connection("127.0.0.1", port, login, timeout=0.5).ask(("PING",))
        return True
    except (OSError, WorkshopError):
        return False
    except Exception:  # an error reply: it listens
        return True


def test_the_tls_cluster_beside_the_workshops_goes_with_down(workshop, redis_server) -> None:
    """Notebook 07's TLS cluster: same shape and password as the workshop's, TLS only; `down`
    stops it too, even if the notebook's last cells never ran."""
    from helpers.cluster import start_tls_cluster, tls_cluster
    from helpers.cluster.local import is_node_process
    state = helpers.up(password=PASSWORD)
    twin = start_tls_cluster()
    assert (twin.spec.masters, twin.spec.replicas, twin.spec.password) == (3, 1, PASSWORD)
    assert twin.spec.tls and not state.spec.tls and twin.spec.base_port > state.spec.ports[-1]
    grid = measure.redis_benchmark_grid(clients=(5,), pipelines=(1,), requests=1_000, cluster=tls_cluster())
    assert grid["requests/s"].iloc[0] > 0
    assert "ready" in helpers.cluster.format_status(helpers.status())  # the workshop's own, untouched
    helpers.down(purge=True)
    assert not any(is_node_process(pid, port) for port, pid in twin.pids.items())
    assert not (Path(workshop["WORKSHOP_HOME"]) / "tls-cluster").exists()
