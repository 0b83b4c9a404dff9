"""The docker backend: the repository's docker-compose.yml, driven by the Compose command line.

Compose starts and stops the cluster (`docker compose`, or `docker-compose` where only v1
exists); the Docker SDK for Python finds and inspects the node containers, and breaks them
for notebook 05 (`docker kill`, `pause`, `unpause`, `start`). Notebook 01 shows the course's
manual steps (`docker ps`, `docker inspect`) on these containers.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

from helpers.cluster.base import (HOST, Backend, ClusterSpec, ClusterState, check_ports_free,
                                  wait_until_ready)
from helpers.config import REPO_ROOT
from helpers.errors import WorkshopError
from helpers.resp import Connection, ReplyError

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
COMPOSE_SHAPE = ClusterSpec(masters=3, replicas=1)
DEFAULT_PROJECT = "redis-workshop"


# What Compose v1 and v2 print when an image cannot be pulled (no registry, or no such image).
CANNOT_PULL = ("pull access denied", "manifest unknown", "not found: manifest", "no such host",
               "/v2/\": ", "failed to resolve reference", "error pulling image")


def _image(environment: dict[str, str]) -> str:
    """The image Compose runs: REDIS_IMAGE, else the default docker-compose.yml pins."""
    pinned = re.search(r"\$\{REDIS_IMAGE:-([^}]+)\}", COMPOSE_FILE.read_text())
    return environment.get("REDIS_IMAGE") or (pinned[1] if pinned else "the pinned image")


def _publisher_of(ports: list[int]) -> str:
    """' Port P is published by the Docker container NAME: ...' for a container publishing one
    of `ports`, else '' (one question to the engine)."""
    wanted = {str(port) for port in ports}
    for container in docker_client().containers.list():
        for bindings in container.ports.values():
            for binding in bindings or []:
                if binding.get("HostPort") in wanted:
                    return (f" Port {binding['HostPort']} is published by the Docker container "
                            f"{container.name}: `docker stop {container.name}` frees it.")
    return ""


def compose_command() -> list[str]:
    """`docker compose` (v2) when the plugin answers, else `docker-compose` (v1), else an error."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise WorkshopError("Docker Compose is not installed. Install Docker Desktop (it includes "
                        "Compose) or your system's docker-compose package, or use the local "
                        "backend: python -m helpers up --backend local")


def docker_client():  # -> docker.DockerClient; the SDK is imported only when Docker is used
    """The Docker SDK's client, or a WorkshopError when no engine answers."""
    import docker
    try:
        client = docker.from_env()
        client.ping()
    except Exception as error:  # the SDK raises several unrelated types when no engine runs
        raise WorkshopError(f"No Docker engine answers ({error.__class__.__name__}). Start Docker "
                            "(Docker Desktop, or `sudo systemctl start docker`), or use the local "
                            "backend: python -m helpers up --backend local") from None
    return client


class DockerBackend(Backend):
    """The cluster of docker-compose.yml (see the module docstring)."""

    name = "docker"

    def start(self, state: ClusterState) -> ClusterState:
        """`compose up -d` the six nodes and the init service, then wait until the cluster is ready."""
        spec = state.spec
        if (spec.masters, spec.replicas) != (COMPOSE_SHAPE.masters, COMPOSE_SHAPE.replicas):
            raise WorkshopError(
                f"The docker backend runs docker-compose.yml, which is {COMPOSE_SHAPE.describe()}; "
                f"you asked for {spec.describe()}. Use the local backend for other shapes: "
                "python -m helpers up --backend local")
        state.project = state.project or os.environ.get("COMPOSE_PROJECT_NAME") or DEFAULT_PROJECT
        ours = self.containers(state)  # running, stopped or killed: compose up brings them back
        running = [port for port, container in ours.items() if container.status == "running"]
        # A killed container's port may still be held by Docker's proxy for a while: not a
        # stranger's, so only the ports of containers not yet created must be free.
        try:
            check_ports_free([port for port in spec.ports if port not in ours])
        except WorkshopError as error:
            raise WorkshopError(f"{error}{_publisher_of(spec.ports + [p + 10000 for p in spec.ports])}") from None
        fresh = not running and not self.has_data(state)
        try:  # a failed `compose up` (a port taken meanwhile) must not leave half a cluster either
            self.compose(state, "up", "-d")
            wait_until_ready(state.addresses, spec, timeout=120)
        except BaseException:
            if fresh:
                self.compose(state, "down", "--volumes", "--timeout", "5")
            raise
        return state

    def stop(self, state: ClusterState, purge: bool) -> None:
        """`compose down`: containers and network go; volumes too with purge."""
        self.compose(state, "down", "--timeout", "10", *(["--volumes"] if purge else []))

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
        probe = Connection(HOST, port, state.spec.password, timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    probe.ask(("INFO", "replication"))  # answered while loading, unlike PING
                    return
                except (OSError, ReplyError):
                    if time.monotonic() > deadline:
                        raise WorkshopError(f"The node on port {port} did not answer within "
                                            f"{timeout:.0f} s of its restart.") from None
                time.sleep(0.05)
        finally:
            probe.close()

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

    def containers(self, state: ClusterState) -> dict:
        """Node containers by port (redis-1 serves the first port, redis-6 the last)."""
        client = docker_client()
        found = client.containers.list(
            all=True, filters={"label": f"com.docker.compose.project={state.project}"})
        by_port = {}
        for container in found:
            service = container.labels.get("com.docker.compose.service", "")
            if service.startswith("redis-"):
                by_port[state.spec.ports[int(service.split("-")[1]) - 1]] = container
        return by_port

    def compose(self, state: ClusterState, *arguments: str) -> str:
        """Run one Compose command on this project with the ports of `state`; return its output."""
        environment = dict(os.environ, WORKSHOP_NODE_TIMEOUT=str(state.spec.node_timeout),
                           WORKSHOP_PASSWORD=state.spec.password or "")
        for index, port in enumerate(state.spec.ports, start=1):
            environment[f"WORKSHOP_PORT_{index}"] = str(port)
        compose = compose_command()
        command = [*compose, "-f", str(COMPOSE_FILE), "-p", state.project, *arguments]
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
        if result.returncode != 0:
            if any(sign in result.stderr for sign in CANNOT_PULL):
                raise WorkshopError(
                    f"Docker cannot pull the image {_image(environment)}: no network, or no such image. Build one "
                    "from this machine's redis-server with docker/build-local-image.sh and set "
                    "REDIS_IMAGE to the name it prints, or use the local backend: "
                    "python -m helpers up --backend local")
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            raise WorkshopError(f"`{' '.join([*compose, *arguments])}` failed:\n{tail}")
        return result.stdout
