"""The repository's docker-compose.yml on a real Docker engine.

With no registry reachable, the image is built from this machine's own redis-server
(docker/build-local-image.sh) unless REDIS_IMAGE names one already.

Two Compose projects serve the whole module (a compose up costs seconds), one without a
password and one with. A test may pause, stop or kill their containers, and restarts what it
killed; the next begins with `up()`, which returns once the cluster is ready again.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

import helpers
from helpers.cluster.base import ClusterState
from helpers.cluster.docker import COMPOSE_SHAPE, PUBLISHED, DockerBackend, compose_command, docker_client
from helpers.config import Settings
from tests.conftest import REPO, environment, private_settings, require
from tests.messages import message_of, said

PASSWORD = "s3cret-docker"


@pytest.fixture(scope="module")
def docker_ready():
    """Docker, its engine and Compose answer, and REDIS_IMAGE names a usable image (built if unset)."""
    require(shutil.which("docker") is not None, "the docker client is not installed")
    require(helpers.cluster.docker_engine_answers(), "no Docker engine answers")
    require(shutil.which("docker-compose") is not None or subprocess.run(
        ["docker", "compose", "version"], capture_output=True).returncode == 0,
        "Docker Compose is not installed")
    if os.environ.get("REDIS_IMAGE"):
        return os.environ["REDIS_IMAGE"]
    built = subprocess.run([str(REPO / "docker" / "build-local-image.sh")], capture_output=True,
                           text=True, check=True)
    return built.stdout.strip()


@contextmanager
def compose_project(docker_ready: str, home) -> Iterator[dict[str, str]]:
    """Settings for a Compose project of its own (home, ports, name); removed afterwards."""
    project = f"workshop-test-{uuid.uuid4().hex[:8]}"
    settings = dict(private_settings(home, 10000 + os.getpid() % 40 * 50 + 25),
                    REDIS_IMAGE=docker_ready, COMPOSE_PROJECT_NAME=project)
    try:
        yield settings
    finally:
        with environment(settings):
            helpers.down(purge=True)
        leftovers = docker_client().containers.list(
            all=True, filters={"label": f"com.docker.compose.project={project}"})
        assert not leftovers, f"containers left behind: {[c.name for c in leftovers]}"


@pytest.fixture(scope="module")
def _plain_project(docker_ready, tmp_path_factory):
    with compose_project(docker_ready, tmp_path_factory.mktemp("docker") / "home") as settings:
        yield settings


@pytest.fixture(scope="module")
def _password_project(docker_ready, tmp_path_factory):
    with compose_project(docker_ready, tmp_path_factory.mktemp("docker-password") / "home") as settings:
        yield settings


def _use(settings: dict[str, str], monkeypatch) -> None:
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REDIS_CLUSTER_URL", raising=False)


@pytest.fixture
def docker_workshop(_plain_project, monkeypatch):
    """The module's docker-backend cluster without a password (node timeout 2 s), ready."""
    _use(_plain_project, monkeypatch)
    return helpers.up(backend="docker", node_timeout=2000)


@pytest.fixture
def docker_project(_password_project, monkeypatch):
    """The module's Compose project for a cluster with the password PASSWORD; the test calls up()."""
    _use(_password_project, monkeypatch)
    return _password_project["COMPOSE_PROJECT_NAME"]


def test_every_client_follows_redirects_without_remapping(docker_workshop) -> None:
    ports = docker_workshop.spec.ports
    rc = helpers.connect()
    rc.mset_nonatomic({f"host-py:{i}": str(i) for i in range(1000)})
    assert rc.mget_nonatomic([f"host-py:{i}" for i in range(1000)]) == [str(i) for i in range(1000)]
    masters = [node for node in rc.get_nodes() if node.server_type == "primary"]
    assert len(masters) == 3 and all(rc.dbsize(target_nodes=node) > 200 for node in masters)

    # The host's redis-cli -c, pointed at the first node, reaches keys on every master.
    for i in (0, 1, 2, 500, 999):
        got = subprocess.run(["redis-cli", "-c", "-p", str(ports[0]), "GET", f"host-py:{i}"],
                             capture_output=True, text=True, check=True).stdout.strip()
        assert got == str(i)
    # redis-cli -c inside a container, as the course runs it.
    backend = DockerBackend(Settings.from_env())
    inside = [*compose_command(), "-f", str(REPO / "docker-compose.yml"), "-p",
              docker_workshop.project, "exec", "-T", "redis-2", "redis-cli", "-c", "-p", str(ports[1])]
    environment = dict(os.environ, **{f"WORKSHOP_PORT_{n}": str(p) for n, p in enumerate(ports, 1)})
    for i in (3, 4, 5):
        done = subprocess.run([*inside, "SET", f"inside:{i}", f"v{i}"], capture_output=True,
                              text=True, env=environment, check=True)
        assert done.stdout.strip() == "OK"
        assert rc.get(f"inside:{i}") == f"v{i}"
    assert len(backend.running_ports(docker_workshop)) == 6
    rc.close()


def test_faults_on_containers_kill_restart_pause_resume(docker_workshop) -> None:
    from helpers import faults

    rc = helpers.connect()
    rc.set("survivor", "yes")
    owner = rc.get_node_from_key("survivor").port
    rc.close()
    faults.kill(owner)
    promoted = faults.wait_for_failover(owner, timeout=60)
    assert promoted != owner
    assert redis.Redis(port=promoted, decode_responses=True).get("survivor") == "yes"
    faults.restart(owner)
    faults.wait_for_role(owner, "slave")
    assert faults.role(owner) == "slave"  # the old master came back as a replica
    faults.pause(owner)
    try:
        assert faults.role(owner) is None
    finally:
        faults.resume(owner)
    assert faults.role(owner) == "slave"


def test_up_brings_back_a_killed_container_whose_port_docker_still_holds(docker_workshop) -> None:
    from helpers import faults

    # A replica now (earlier tests of the module may have swapped roles by failovers).
    replica = next(port for port in docker_workshop.spec.ports if faults.role(port) == "slave")
    faults.kill(replica)  # Docker's proxy may keep listening on its port for seconds
    helpers.up()  # its own container's port: not refused as "in use"
    assert faults.role(replica) == "slave"


def test_down_keeps_volumes_and_up_brings_the_data_back(docker_workshop) -> None:
    rc = helpers.connect()
    rc.set("persisted", "aof")
    rc.close()
    helpers.down()
    assert not DockerBackend(Settings.from_env()).running_ports(
        ClusterState.load(Settings.from_env().home))
    helpers.up()
    rc = helpers.connect()
    assert rc.get("persisted") == "aof"
    rc.close()


def test_redis_programs_run_in_the_nodes_namespace_and_print_what_the_hosts_print(docker_workshop) -> None:
    from helpers import tools

    port = str(docker_workshop.spec.base_port)
    assert tools.command("redis-cli")[:2] == ["docker", "exec"]  # not the host's
    for arguments in (["-c", "-p", port, "SET", "both", "ways"], ["-c", "-p", port, "GET", "both"],
                      ["-p", port, "CLUSTER", "KEYSLOT", "nom"], ["-p", port, "CLUSTER", "COUNTKEYSINSLOT", "0"]):
        on_host = subprocess.run(["redis-cli", *arguments], capture_output=True, text=True, check=True)
        assert tools.run("redis-cli", *arguments).stdout == on_host.stdout
    assert tools.run("redis-cli", "-c", "-p", port, "GET", "both").stdout == "ways\n"


def test_a_nodes_own_nodes_conf_is_read_from_its_volume(docker_workshop) -> None:
    from helpers.cluster import node_file

    port = docker_workshop.spec.ports[1]
    lines = node_file(port).splitlines()
    mine = next(line for line in lines if "myself" in line)
    assert f"127.0.0.1:{port}@{port + 10000}" in mine
    assert len(lines) == 7 and lines[-1].startswith("vars currentEpoch ")


def test_a_partition_on_docker_says_why_not_and_which_backend_can(docker_workshop) -> None:
    from helpers import partition

    with pytest.raises(helpers.WorkshopError) as caught:
        partition.partition([docker_workshop.spec.ports[0]])
    assert said(caught.value, "A partition needs the local backend")
    assert helpers.status()["isolated"] == []


def test_the_nodes_beside_the_cluster_on_docker_and_down_removes_them(docker_workshop) -> None:
    from helpers import faults, measure, scaling, tools
    from helpers.cluster import start_empty_nodes, stop_empty_nodes

    # Notebook 01: the course's empty nodes, made a cluster by redis-cli in their namespace.
    course = start_empty_nodes()
    assert course.spec.ports == [docker_workshop.spec.base_port + n for n in (8, 9, 10)]
    created = tools.create_with_redis_cli(course.spec)
    assert "[OK] All 16384 slots covered." in created.stdout
    first, second, _ = course.spec.ports
    faults.wait_for_cluster_state(second, "ok")
    # Notebook 05: no replica, so one dead master takes the whole cluster down.
    faults.kill(first)
    faults.wait_for_cluster_state(second, "fail", timeout=60)
    stop_empty_nodes(course)
    assert not DockerBackend(Settings.from_env()).containers(docker_workshop, course.spec.ports)

    # Notebook 05's scaling lab: redis-cli in the namespace adds a master, gives it slots with
    # their keys, empties it and removes it.
    rc = helpers.connect()
    rc.mset_nonatomic({f"scale:{i}": str(i) for i in range(500)})
    extra, second = scaling.start_extra_nodes()
    assert [extra, second] == [docker_workshop.spec.base_port + 6, docker_workshop.spec.base_port + 7]
    entry = f"127.0.0.1:{docker_workshop.spec.base_port}"
    tools.redis_cli(f"--cluster add-node 127.0.0.1:{extra} {entry}")
    scaling.wait_agreement()
    extra_id = tools.redis_cli(f"-p {extra} cluster myid")
    tools.redis_cli(f"--cluster reshard {entry} --cluster-from all --cluster-to {extra_id} "
                    "--cluster-slots 300 --cluster-yes")
    scaling.wait_agreement()
    assert int(tools.redis_cli(f"-p {extra} dbsize")) > 0
    tools.redis_cli(f"--cluster rebalance {entry} --cluster-weight {extra_id}=0")
    scaling.wait_agreement()
    tools.redis_cli(f"--cluster del-node {entry} {extra_id}")
    scaling.stop_extra_nodes()
    assert rc.mget_nonatomic([f"scale:{i}" for i in range(500)]) == [str(i) for i in range(500)]
    rc.close()

    # Notebook 05's benchmarks: redis-benchmark in the namespace, one plain Redis beside.
    plain = measure.one_process_benchmark(pipeline=16, threads=1, requests=50_000)
    assert plain["nodes that ran it"] == 1 and plain["requests/s"] > 0 and plain["redis-benchmark CPU"] > 0

    # Left behind by a student who skipped the clean-up cells: `down` removes them all.
    backend = DockerBackend(Settings.from_env())
    start_empty_nodes()
    backend.start_extra_nodes(docker_workshop)  # started, not yet met: the cluster stays as it was
    helpers.down()
    beside = range(docker_workshop.spec.base_port + 6, docker_workshop.spec.base_port + PUBLISHED)
    assert not backend.containers(docker_workshop, list(beside))
    helpers.up()


def test_a_password_and_acl_users_on_docker_and_a_kill_that_loses_no_confirmed_write(
        docker_project) -> None:
    from helpers import faults, labs, topology

    state = helpers.up(backend="docker", node_timeout=2000, password=PASSWORD)
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.connect(username="default", password="")
    assert said(caught.value, "The cluster at {where} refused the user or password")
    admin = helpers.connect()
    admin.execute_command("ACL", "SETUSER", "student", "on", ">student-pw", "~*", "&*", "+@all",
                          "-@dangerous", target_nodes=topology.every_node(admin))
    student = helpers.connect(username="student", password="student-pw")
    with pytest.raises(redis.exceptions.NoPermissionError, match="'flushall' command"):
        student.flushall()
    student.close()

    writer = labs.FailoverWriter().start()
    try:
        time.sleep(0.5)
        victim = faults.master_of("a")
        faults.kill(victim)
        promoted = faults.wait_for_failover(victim, timeout=60)
        time.sleep(0.5)
    finally:
        writes = writer.stop()
    report = labs.lost_writes(writes)
    admin.close()
    # The promoted replica got the user from ACL SETUSER too: the student logs in there.
    on_promoted = redis.Redis(port=promoted, username="student", password="student-pw")
    assert on_promoted.acl_whoami() == "student" and on_promoted.set("after-failover", "1")
    on_promoted.close()
    assert report.loc[["refused", "no answer"], "writes"].sum() > 0  # the kill did hit the writer
    assert report.loc["replicated", "writes"] > 100
    assert report.loc["replicated", "lost"] == 0, report
    assert state.spec.password == "s3cret-docker"
    # Put the victim back for the module's next test: up() cannot, while Docker's port proxy
    # of a killed container still holds its port.
    faults.restart(victim)


def test_acl_users_saved_on_every_node_survive_down_and_up(docker_project) -> None:
    from helpers import topology

    state = helpers.up(backend="docker", node_timeout=2000, password=PASSWORD)
    admin = helpers.connect()
    nodes = topology.every_node(admin)
    assert [node.port for node in nodes] == state.spec.ports  # replicas too
    admin.execute_command("ACL", "SETUSER", "student", "on", ">student-pw", "~*", "&*", "+@all",
                          "-@dangerous", target_nodes=nodes)
    assert set(admin.execute_command("ACL", "SAVE", target_nodes=nodes).values()) == {"OK"}
    # In the node's writable volume, not beside the read-only node.conf.
    files = admin.execute_command("CONFIG", "GET", "aclfile", target_nodes=nodes)
    assert list(files.values()) == [{"aclfile": "/data/users.acl"}] * 6
    admin.close()
    helpers.down()
    helpers.up()
    for port in state.spec.ports:
        student = redis.Redis(port=port, username="student", password="student-pw")
        assert student.acl_whoami() == "student"
        student.close()
        # Redis ignores requirepass once an ACL file loads: the file keeps the default user's password.
        with pytest.raises(redis.exceptions.AuthenticationError):
            redis.Redis(port=port, retry=None).ping()  # refused at once; retries only back off
        assert redis.Redis(port=port, password=PASSWORD).ping()


@pytest.mark.parametrize("language, words", [("en", "Use the local backend"), ("fr", "utilisez le backend local")])
def test_other_shapes_are_refused_on_docker(workshop, monkeypatch, language, words) -> None:
    require(helpers.cluster.docker_engine_answers(), "no Docker engine answers")
    monkeypatch.setenv("WORKSHOP_LANG", language)
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.up(backend="docker", masters=4)
    assert said(caught.value, "The docker backend runs docker-compose.yml", compose_shape=COMPOSE_SHAPE.describe())
    assert message_of(caught.value).params["asked"].split()[0] == "4" and words in str(caught.value)


def test_an_image_that_cannot_be_pulled_says_what_to_do_and_leaves_nothing(docker_ready, tmp_path) -> None:
    # A registry on loopback where nothing listens: the pull fails as with no network, and no
    # request leaves this machine.
    with compose_project("127.0.0.1:1/no-such-redis:7.0.15", tmp_path / "home") as settings:
        with environment(settings):
            with pytest.raises(helpers.WorkshopError) as caught:
                helpers.up(backend="docker")
            assert said(caught.value, "Docker cannot pull the image {image}", image="127.0.0.1:1/no-such-redis:7.0.15")
            project = settings["COMPOSE_PROJECT_NAME"]
            assert not docker_client().volumes.list(filters={"label": f"com.docker.compose.project={project}"})
            assert not docker_client().containers.list(
                all=True, filters={"label": f"com.docker.compose.project={project}"})


def test_a_port_published_by_another_container_is_named_with_the_way_out(docker_ready, tmp_path) -> None:
    with compose_project(docker_ready, tmp_path / "home") as settings:
        taken = int(settings["WORKSHOP_BASE_PORT"]) + 1
        stranger = docker_client().containers.run(
            docker_ready, ["redis-server"], name=f"stranger-{uuid.uuid4().hex[:6]}", detach=True,
            ports={"6379/tcp": ("127.0.0.1", taken)})
        try:
            with environment(settings):
                with pytest.raises(helpers.WorkshopError) as caught:
                    helpers.up(backend="docker")
                assert said(caught.value, "{problem} Port {port} is published by the Docker container {container}",
                            port=taken, container=stranger.name)
        finally:
            stranger.remove(force=True)


def test_without_compose_up_says_what_to_do_and_starts_nothing(docker_ready, tmp_path) -> None:
    only_docker = tmp_path / "bin"  # a PATH with the docker client and no Compose, v1 or v2
    only_docker.mkdir()
    (only_docker / "docker").symlink_to(shutil.which("docker"))
    with compose_project(docker_ready, tmp_path / "home") as settings:
        with environment(settings), pytest.MonkeyPatch.context() as patch:
            patch.setenv("PATH", str(only_docker))
            patch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))  # no user's cli-plugins
            with pytest.raises(helpers.WorkshopError) as caught:
                helpers.up(backend="docker")
            assert said(caught.value, "Docker Compose is not installed")
            project = settings["COMPOSE_PROJECT_NAME"]
            assert not docker_client().containers.list(
                all=True, filters={"label": f"com.docker.compose.project={project}"})


def test_a_real_redis_cli_session_in_a_containers_terminal_and_none_left_running(docker_workshop) -> None:
    from helpers import tools
    from helpers.slots import key_slot

    rc = helpers.connect()
    rc.set("nom", "kheir")
    rc.hset("user:profile", mapping={"name": "Kheir", "age": "23"})
    # Earlier tests may have swapped roles by failovers: the redirects expected are the cluster's.
    at = docker_workshop.spec.ports[0]
    expected = []
    for line, key, reply in (("get nom", "nom", ['"kheir"']),
                             ("hgetall user:profile", "user:profile", ['1) "name"', '2) "Kheir"', '3) "age"', '4) "23"'])):
        expected.append(f"127.0.0.1:{at}> {line}")
        owner = rc.get_node_from_key(key).port
        if owner != at:
            expected.append(f"-> Redirected to slot [{key_slot(key)}] located at 127.0.0.1:{owner}")
            at = owner
        expected += reply
    rc.close()
    session = tools.redis_cli_session(["get nom", "hgetall user:profile"])
    assert session.split("\n") == [*expected, f"127.0.0.1:{at}>"]
    assert "-> Redirected to slot" in session  # the two keys live on two masters
    # A command that blocks: the session fails in time, and docker exec's redis-cli is ended too.
    with pytest.raises(helpers.WorkshopError) as caught:
        tools.redis_cli_session(["blpop b 0"], timeout=1)
    assert said(caught.value, "redis-cli showed no prompt within {timeout:g} s after `{line}`", line="blpop b 0")
    container = tools.command("redis-cli")[2]
    processes = subprocess.run(["docker", "top", container], capture_output=True, text=True, check=True).stdout
    assert "sleep infinity" in processes and "redis-cli" not in processes  # docker top lists exec's too


def test_a_tls_cluster_on_docker_every_path_encrypted_and_purged_whole(docker_ready, tmp_path, monkeypatch) -> None:
    """`up --backend docker --tls`: the nodes speak TLS only, bus and replication too; the helpers,
    redis-cli in the nodes' namespace, a kill and a restart all work; `down --purge` leaves nothing."""
    from helpers import console, data, faults, tools, topology
    from helpers.resp import Connection, TlsError, credentials_of
    with compose_project(docker_ready, tmp_path / "home") as settings:
        _use(settings, monkeypatch)
        state = helpers.up(backend="docker", tls=True, password=PASSWORD)
        port = state.spec.base_port
        assert state.certificates and "TLS" in repr(state)
        rc = helpers.connect()
        try:
            assert rc.config_get("tls-cluster")["tls-cluster"] == "yes"
            assert rc.config_get("tls-replication")["tls-replication"] == "yes"
            assert data.bulk_load(rc, data.numbered_items(5_000, prefix="tls:"), progress=False).keys == 5_000
            session = console.Session("127.0.0.1", port, credentials_of(rc))
            assert console.run_line(session, "get tls:4999").reply == "00004999xxxxxxxx"
            session.close()
            assert "All 16384 slots covered" in tools.redis_cli(f"--cluster check 127.0.0.1:{port}")
            assert topology.node_table()["up"].all()
        finally:
            rc.close()
        with pytest.raises(TlsError) as caught:
            Connection("127.0.0.1", port, PASSWORD).ask(("PING",))
        assert said(caught.value, "{where} speaks TLS, and this client spoke plain TCP", where=f"127.0.0.1:{port}")
        master = faults.master_of("tls:1")
        faults.kill(master)
        faults.wait_for_failover(master)
        faults.restart(master)
        helpers.up()  # ready again: the old master back as a replica, in sync over TLS
        assert faults.role(master) == "slave"
    assert not (tmp_path / "home" / "tls").exists()  # down --purge took the certificates too
