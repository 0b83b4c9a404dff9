"""The docker backend: the repository's docker-compose.yml, driven by the Compose command line.

Compose starts and stops the cluster (`docker compose`, or `docker-compose` where only v1
exists); the Docker SDK for Python finds and inspects the node containers, and breaks them
for notebook 05 (`docker kill`, `pause`, `unpause`, `start`). Notebook 01 shows the course's
manual steps (`docker ps`, `docker inspect`) on these containers.

The nodes beside the cluster (the course's empty nodes, notebook 05's extra nodes and plain
Redis) are services of docker-compose.yml under a profile, in the same network namespace, on
the ports the `network` service publishes after the cluster's. Redis's own programs run in
that namespace too (`docker exec`): the image has them, the host may not.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager

from helpers.cluster.base import (Backend, ClusterSpec, ClusterState, check_ports_free,
                                  wait_answering, wait_until_ready)
from helpers.cluster.certificates import make_certificates
from helpers.config import REPO_ROOT
from helpers.errors import WorkshopError
from helpers.i18n import _
from helpers.resp import Credentials

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
COMPOSE_SHAPE = ClusterSpec(masters=3, replicas=1)
DEFAULT_PROJECT = "redis-workshop"
# The ports the `network` service publishes, from the base port: the cluster's six, then the
# nodes beside it (docker-compose.yml's WORKSHOP_PORT_7 … 11).
PUBLISHED = 12
EXTRA, COURSE, PLAIN = 6, 8, 11  # offsets from the base port
EXTRA_SERVICES = ("extra-1", "extra-2")
COURSE_SERVICES = ("course-1", "course-2", "course-3")


# What Compose v1 and v2 print when an image cannot be pulled (no registry, or no such image).
CANNOT_PULL = ("pull access denied", "manifest unknown", "not found: manifest", "no such host",
               "/v2/\": ", "failed to resolve reference", "error pulling image")


def _image(environment: dict[str, str]) -> str:
    """The image Compose runs: REDIS_IMAGE, else the default docker-compose.yml pins."""
    pinned = re.search(r"\$\{REDIS_IMAGE:-([^}]+)\}", COMPOSE_FILE.read_text())
    return environment.get("REDIS_IMAGE") or (pinned[1] if pinned else _("pinned by docker-compose.yml"))


def _publisher_of(ports: list[int]) -> tuple[int, str] | None:
    """The first of `ports` a Docker container publishes, and that container's name, else None
    (one question to the engine)."""
    wanted = {str(port) for port in ports}
    for container in docker_client().containers.list():
        for bindings in container.ports.values():
            for binding in bindings or []:
                if binding.get("HostPort") in wanted:
                    return int(binding["HostPort"]), container.name
    return None


def _extra_ports(state: ClusterState) -> list[int]:
    """The ports of docker-compose.yml's extra-1 and extra-2."""
    return [state.spec.base_port + EXTRA + index for index in range(len(EXTRA_SERVICES))]


def published_ports(spec: ClusterSpec) -> list[int]:
    """Every port the `network` service publishes: the cluster's, then those beside it (the
    nodes notebooks 01 and 05 start)."""
    return list(range(spec.base_port, spec.base_port + PUBLISHED))


def compose_command() -> list[str]:
    """`docker compose` (v2) when the plugin answers, else `docker-compose` (v1), else an error."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise WorkshopError(_("Docker Compose is not installed. Install Docker Desktop (it includes "
                          "Compose) or your system's docker-compose package, or use the local "
                          "backend: python -m helpers up --backend local"))


def docker_client():  # -> docker.DockerClient; the SDK is imported only when Docker is used
    """The Docker SDK's client, or a WorkshopError when no engine answers."""
    import docker
    try:
        client = docker.from_env()
        client.ping()
    except Exception as error:  # the SDK raises several unrelated types when no engine runs
        raise WorkshopError(_("No Docker engine answers ({error}). Start Docker "
                              "(Docker Desktop, or `sudo systemctl start docker`), or use the local "
                              "backend: python -m helpers up --backend local",
                              error=error.__class__.__name__)) from None
    return client


class DockerBackend(Backend):
    """The cluster of docker-compose.yml (see the module docstring)."""

    name = "docker"

    def start(self, state: ClusterState) -> ClusterState:
        """`compose up -d` the six nodes and the init service, then wait until the cluster is ready."""
        spec = state.spec
        if (spec.masters, spec.replicas) != (COMPOSE_SHAPE.masters, COMPOSE_SHAPE.replicas):
            raise WorkshopError(_(
                "The docker backend runs docker-compose.yml, which is {compose_shape}; "
                "you asked for {asked}. Use the local backend for other shapes: "
                "python -m helpers up --backend local",
                compose_shape=COMPOSE_SHAPE.describe(), asked=spec.describe()))
        state.project = state.project or os.environ.get("COMPOSE_PROJECT_NAME") or DEFAULT_PROJECT
        ours = self.containers(state)  # running, stopped or killed: compose up brings them back
        running = [port for port, container in ours.items() if container.status == "running"]
        # The `network` container publishes every port; once it exists they are ours (a killed
        # node's port may still be held by Docker's proxy), else they must all be free.
        if self._network(state) is None:
            published = published_ports(spec)
            try:
                check_ports_free(published)
            except WorkshopError as error:
                publisher = _publisher_of(published)
                if publisher is None:
                    raise
                port, container = publisher
                raise WorkshopError(_("{problem} Port {port} is published by the Docker container "
                                      "{container}: `docker stop {container}` frees it.",
                                      problem=error.args[0], port=port, container=container)) from None
        fresh = not running and not self.has_data(state)
        if spec.tls and not state.certificates:
            state.certificates = str(make_certificates(self.home / "tls"))
        try:  # a failed `compose up` (a port taken meanwhile) must not leave half a cluster either
            self.compose(state, "up", "-d")
            wait_until_ready(state, timeout=120)
        except BaseException:
            if fresh:
                self.compose(state, "down", "--volumes", "--timeout", "5")
            raise
        return state

    def stop(self, state: ClusterState, purge: bool) -> None:
        """`compose down`: containers (the nodes beside the cluster too) and network go; volumes
        too with purge."""
        profiles = [argument for profile in ("course", "extra", "plain") for argument in ("--profile", profile)]
        self.compose(state, *profiles, "down", "--timeout", "10", *(["--volumes"] if purge else []))
        if purge:
            shutil.rmtree(self.home / "tls", ignore_errors=True)

    def running_ports(self, state: ClusterState) -> list[int]:
        return sorted(port for port, container in self.containers(state).items()
                      if container.status == "running")

    def kill(self, state: ClusterState, ports: list[int]) -> None:
        """`docker kill` each node's container (SIGKILL: Docker returns once it is gone)."""
        containers = self._containers_of(state, ports)
        for container in containers:
            container.kill()

    def pause(self, state: ClusterState, port: int) -> None:
        """`docker pause`: the container's processes are frozen (cgroup freezer)."""
        self._containers_of(state, [port])[0].pause()

    def resume(self, state: ClusterState, port: int) -> None:
        """`docker unpause`."""
        self._containers_of(state, [port])[0].unpause()

    def restart(self, state: ClusterState, port: int, timeout: float = 30.0) -> None:
        """`docker start` the container if it is not running; return once the node answers INFO."""
        container = self._containers_of(state, [port])[0]
        container.reload()
        if container.status != "running":
            container.start()
        wait_answering(port, state.login, timeout)

    def node_file(self, state: ClusterState, port: int, name: str) -> str:
        """Copy it out of the node's volume, /data, through the Docker API (what `docker cp`
        uses), with any image (notebook 01)."""
        [container] = self._containers_of(state, [port])
        stream, _stat = container.get_archive(f"/data/{name}")
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as archive:
            return archive.extractfile(archive.getmembers()[0]).read().decode()

    def _containers_of(self, state: ClusterState, ports: list[int]) -> list:
        for port in ports:
            self.check_node(state, port)
        by_port = self.containers(state)
        return [by_port[port] for port in ports]

    def has_data(self, state: ClusterState) -> bool:
        """True when this project's volumes exist: `compose up` would bring their data back."""
        volumes = docker_client().volumes.list(
            filters={"label": f"com.docker.compose.project={state.project}"})
        return bool(volumes)

    def containers(self, state: ClusterState, ports: list[int] | None = None) -> dict:
        """The containers of `state`'s nodes (or of the nodes beside them on `ports`) by port;
        each has its port in a `workshop.port` label."""
        found = docker_client().containers.list(
            all=True, filters={"label": f"com.docker.compose.project={state.project}"})
        by_port = {int(container.labels.get("workshop.port", 0)): container for container in found}
        return {port: by_port[port] for port in (state.spec.ports if ports is None else ports)
                if port in by_port}

    def _network(self, state: ClusterState):  # -> docker Container | None
        """The `network` service's container, which holds the namespace and the published ports."""
        found = docker_client().containers.list(all=True, filters={"label": [
            f"com.docker.compose.project={state.project}", "com.docker.compose.service=network"]})
        return found[0] if found else None

    def _running_network(self, state: ClusterState):  # -> docker Container
        network = self._network(state)
        if network is None or network.status != "running":
            raise WorkshopError(_("The docker cluster is not running: start it first with helpers.up()."))
        return network

    def _start_beside(self, state: ClusterState, services: tuple[str, ...], ports: list[int],
                      login: Credentials | None) -> None:
        """`compose up -d --no-deps` nodes beside the cluster; return once each answers."""
        network = self._running_network(state)
        unpublished = [port for port in ports if f"{port}/tcp" not in network.ports]
        if unpublished:  # a `network` container from before docker-compose.yml published them
            raise WorkshopError(_(
                "Your docker cluster does not publish port {port} for the nodes beside it: "
                "it was started from an older docker-compose.yml. Restart it, its data is kept: "
                "python -m helpers down, then python -m helpers up", port=unpublished[0]))
        self.compose(state, "up", "-d", "--no-deps", *services)
        for port in ports:
            wait_answering(port, login)

    def _remove(self, state: ClusterState, ports: list[int]) -> None:
        """Remove the containers of these nodes beside the cluster, with their anonymous volumes."""
        for container in self.containers(state, ports).values():
            container.remove(force=True, v=True)

    def start_empty_nodes(self, state: ClusterState) -> ClusterState:
        """docker-compose.yml's course-1 … course-3 (profile `course`)."""
        course = ClusterState(backend=self.name, project=state.project,
                              spec=ClusterSpec(3, 0, base_port=state.spec.base_port + COURSE))
        self._start_beside(state, COURSE_SERVICES, course.spec.ports, None)
        return course

    def stop_empty_nodes(self, course: ClusterState) -> None:
        self._remove(course, course.spec.ports)

    def start_extra_nodes(self, state: ClusterState) -> list[int]:
        """docker-compose.yml's `extra-1` and `extra-2` (profile `extra`), with the cluster's
        password and timeout; any left from an earlier run are replaced, with their data."""
        ports = _extra_ports(state)
        self._remove(state, ports)
        self._start_beside(state, EXTRA_SERVICES, ports, state.login)
        return ports

    def extra_nodes(self, state: ClusterState) -> list[int]:
        found = self.containers(state, _extra_ports(state))
        return [port for port, container in found.items() if container.status == "running"]

    def stop_extra_nodes(self, state: ClusterState) -> None:
        self._remove(state, _extra_ports(state))

    @contextmanager
    def plain_server(self, state: ClusterState) -> Iterator[int]:
        """docker-compose.yml's `plain` service (profile `plain`), removed afterwards."""
        port = state.spec.base_port + PLAIN
        try:
            self._start_beside(state, ("plain",), [port], None)
            yield port
        finally:
            self._remove(state, [port])

    def isolate(self, state: ClusterState, ports: list[int]) -> None:
        """Not on Docker: see the error."""
        raise WorkshopError(_(
            "A partition needs the local backend, where the workshop runs the relay that every "
            "node's cluster bus passes through (helpers/cluster/relay.py). On Docker that relay "
            "would have to run inside the nodes' network namespace, where the Redis image has no "
            "Python. Use a local cluster: python -m helpers down, then python -m helpers up "
            "--backend local (Binder has one)."))

    def isolated(self, state: ClusterState) -> list[int]:
        return []

    def tool_certificates(self, state: ClusterState) -> str | None:
        """/tls, where docker-compose.yml mounts the certificates in the `network` container."""
        return "/tls" if state.certificates else None

    def tool_prefix(self, state: ClusterState, program: str, terminal: bool = False,
                    environment: dict[str, str] | None = None) -> list[str]:
        """`docker exec [-it] [-e NAME=VALUE] <the network container>`: the program runs in the
        nodes' namespace."""
        options = ["-it"] if terminal else []
        options += [option for item in (environment or {}).items() for option in ("-e", "=".join(item))]
        return ["docker", "exec", *options, self._running_network(state).name]

    def compose(self, state: ClusterState, *arguments: str) -> str:
        """Run one Compose command on this project with the ports of `state`; return its output."""
        environment = dict(os.environ, WORKSHOP_NODE_TIMEOUT=str(state.spec.node_timeout),
                           WORKSHOP_PASSWORD=state.spec.password or "",
                           WORKSHOP_TLS="yes" if state.certificates else "")
        if state.certificates:
            environment["WORKSHOP_CERTIFICATES"] = state.certificates
        for index, port in enumerate(published_ports(state.spec), start=1):
            environment[f"WORKSHOP_PORT_{index}"] = str(port)
        compose = compose_command()
        command = [*compose, "-f", str(COMPOSE_FILE), "-p", state.project, *arguments]
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
        if result.returncode != 0:
            if any(sign in result.stderr for sign in CANNOT_PULL):
                raise WorkshopError(_(
                    "Docker cannot pull the image {image}: no network, or no such image. Build one "
                    "from this machine's redis-server with docker/build-local-image.sh and set "
                    "REDIS_IMAGE to the name it prints, or use the local backend: "
                    "python -m helpers up --backend local", image=_image(environment)))
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            raise WorkshopError(_("`{command}` failed:\n{output}",
                                  command=" ".join([*compose, *arguments]), output=tail))
        return result.stdout
