"""The repository's docker-compose.yml on a real Docker engine.

With no registry reachable, the image is built from this machine's own redis-server
(docker/build-local-image.sh) unless REDIS_IMAGE names one already.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import pytest
import redis

import helpers
from helpers.cluster.base import ClusterState
from helpers.cluster.docker import DockerBackend, compose_command, docker_client
from helpers.config import Settings
from tests.conftest import REPO, require


@pytest.fixture
def docker_project(workshop, monkeypatch):
    """An own Compose project and a usable image for a docker-backend cluster; removed afterwards."""
    require(shutil.which("docker") is not None, "the docker client is not installed")
    require(helpers.cluster.docker_engine_answers(), "no Docker engine answers")
    require(shutil.which("docker-compose") is not None or subprocess.run(
        ["docker", "compose", "version"], capture_output=True).returncode == 0,
        "Docker Compose is not installed")
    if not os.environ.get("REDIS_IMAGE"):
        built = subprocess.run([str(REPO / "docker" / "build-local-image.sh")], capture_output=True,
                               text=True, check=True)
        monkeypatch.setenv("REDIS_IMAGE", built.stdout.strip())
    project = f"workshop-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", project)
    yield project
    helpers.down(purge=True)
    leftovers = docker_client().containers.list(
        all=True, filters={"label": f"com.docker.compose.project={project}"})
    assert not leftovers, f"containers left behind: {[c.name for c in leftovers]}"


@pytest.fixture
def docker_workshop(docker_project):
    """A docker-backend cluster (node timeout 2 s) in its own Compose project."""
    return helpers.up(backend="docker", node_timeout=2000)


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


def test_a_password_and_acl_users_on_docker_and_a_kill_that_loses_no_confirmed_write(
        docker_project) -> None:
    from helpers import faults, labs, topology

    state = helpers.up(backend="docker", node_timeout=2000, password="s3cret-docker")
    with pytest.raises(helpers.WorkshopError, match="refused the user or password"):
        helpers.connect(username="default", password="")
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
    report = labs.lost_writes(writes).set_index("outcome")
    admin.close()
    # The promoted replica got the user from ACL SETUSER too: the student logs in there.
    on_promoted = redis.Redis(port=promoted, username="student", password="student-pw")
    assert on_promoted.acl_whoami() == "student" and on_promoted.set("after-failover", "1")
    on_promoted.close()
    assert report.loc[["refused", "no answer"], "writes"].sum() > 0  # the kill did hit the writer
    assert report.loc["replicated", "writes"] > 100
    assert report.loc["replicated", "lost"] == 0, report
    assert state.spec.password == "s3cret-docker"


def test_acl_users_saved_on_every_node_survive_down_and_up(docker_project) -> None:
    from helpers import topology

    state = helpers.up(backend="docker", node_timeout=2000, password="s3cret-acl")
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
            redis.Redis(port=port).ping()
        assert redis.Redis(port=port, password="s3cret-acl").ping()


def test_other_shapes_are_refused_on_docker(workshop, monkeypatch) -> None:
    require(helpers.cluster.docker_engine_answers(), "no Docker engine answers")
    with pytest.raises(helpers.WorkshopError, match="Use the local backend for other shapes"):
        helpers.up(backend="docker", masters=4)
