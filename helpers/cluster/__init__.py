"""Cluster lifecycle: `up`, `status`, `down` and `connect`, whatever the backend.

Every notebook's first cell calls `up()` then `connect()`; the command line
(`python -m helpers`) calls the same functions. What several processes share
lives in WORKSHOP_HOME/state.json, so each finds the cluster another started:
`workshop_cluster`, `clusters_of` and `seeds` are the one way the other modules find it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.cluster.base import (EMPTY_NODES, HOST, TLS_CLUSTER, Backend, ClusterSpec, ClusterState,
                                  UnreadableState, port_holder, port_is_free, readiness)
from helpers.config import BACKENDS, Settings
from helpers.errors import WorkshopError, explain_connection_error
from helpers.i18n import N_, _, _n, show_labels_in_language
from helpers.replies import parse_info
from helpers.resp import Connection, Credentials, ReplyError

if TYPE_CHECKING:  # redis-py is imported only where a client is made: `up` must start fast
    from redis.cluster import RedisCluster


def up(backend: str | None = None, masters: int | None = None, replicas: int | None = None,
       base_port: int | None = None, node_timeout: int | None = None,
       password: str | None = None, tls: bool | None = None) -> ClusterState:
    """Start the workshop's cluster, or find the one that runs; return when it is ready.

    Arguments left as None take the running cluster's values, else the settings
    (WORKSHOP_* variables). `tls=True` starts a cluster that speaks TLS only, with its own CA
    in WORKSHOP_HOME/tls (`python -m helpers up --tls`). Asking for a different shape than the running one is an
    error, never a silent restart. Used by the first cell of every notebook, whose tables then
    show their labels in the student's language.
    """
    show_labels_in_language()
    settings = Settings.from_env()
    asked = {"masters": masters, "replicas": replicas, "base_port": base_port,
             "node_timeout": node_timeout, "password": password, "tls": tls}
    asked = {key: value for key, value in asked.items() if value is not None}
    if settings.cluster_url or (backend or settings.backend) == "external":
        from helpers.cluster.external import check_url, refuse_local_options
        refuse_local_options(settings, backend, asked)
        return check_url(settings)
    with _locked(settings.home):
        state = ClusterState.load(settings.home)
        if state is None:
            name = choose_backend(backend or settings.backend)
            spec = ClusterSpec(**{"masters": settings.masters, "replicas": settings.replicas,
                                  "base_port": settings.base_port,
                                  "node_timeout": settings.node_timeout, **asked}).check()
            state = ClusterState(backend=name, spec=spec)
        else:
            _refuse_other_shape(state, backend, asked, settings)
        implementation = make_backend(state.backend, settings)
        if _is_ready(implementation, state):
            return state
        state = implementation.start(state)
        state.save(settings.home)
        return state


def down(purge: bool = False) -> str:
    """Stop every node of the workshop's cluster (and remove its data with purge); say what was done.

    Used by the clean-up cells and by `python -m helpers down`.
    """
    settings = Settings.from_env()
    if settings.cluster_url:  # the cluster meant is the URL's, as for up, status and connect
        from helpers.cluster.external import safe_url
        url = safe_url(settings.cluster_url)
        if (settings.home / "state.json").exists():  # a workshop cluster that the URL hides
            return _("Nothing to stop: the cluster at {url} is external, and the workshop never stops "
                     "a cluster it did not start. A workshop cluster is also set up in {home}; it is not "
                     "used while REDIS_CLUSTER_URL is set: unset REDIS_CLUSTER_URL to use or stop it.",
                     url=url, home=settings.home)
        return _("Nothing to stop: the cluster at {url} is external, and the workshop never stops "
                 "a cluster it did not start.", url=url)
    with _locked(settings.home):
        _stop_leftover_empty_nodes(settings, purge)
        try:
            state = ClusterState.load(settings.home)
        except UnreadableState as error:
            if not purge:
                raise
            return _set_aside(error)
        if state is None:
            return _("Nothing to stop: no workshop cluster in {home}.", home=settings.home)
        implementation = make_backend(state.backend, settings)
        running = implementation.running_ports(state)
        implementation.stop(state, purge=purge)
        which = {"backend": state.backend, "shape": state.spec.describe()}
        if purge:
            (settings.home / "state.json").unlink(missing_ok=True)
            return _("Stopped the {backend} cluster ({shape}) and removed its data.", **which)
        state.save(settings.home)
        if not running:
            return _("Nothing to stop: the {backend} cluster ({shape}) was not running. Its data is "
                     "kept; `up` brings it back.", **which)
        return _("Stopped the {backend} cluster ({shape}). Its data is kept: `up` brings it back, "
                 "`down --purge` removes it.", **which)


def _set_aside(error: UnreadableState) -> str:
    """`down --purge` over an unreadable state.json: keep the file aside, remove the nodes' data.

    The pids it held are lost, so a node still listening on a port of WORKSHOP_HOME/nodes
    keeps its data: we refuse and name it instead.
    """
    home = error.path.parent
    nodes = [path for path in sorted((home / "nodes").glob("*")) if path.name.isdigit()
             and (path / "redis.conf").exists()
             and (path / "redis.conf").read_text().startswith("# Written by the workshop")]
    running = [int(path.name) for path in nodes if not port_is_free(int(path.name))]
    if running:
        unknown = _("holder unknown")
        holders = ", ".join(f"{port} ({port_holder(port) or unknown})" for port in running)
        raise WorkshopError(_(
            "{path} cannot be read, and nodes of {home} still listen on ports {holders}. "
            "Stop them first (for example: kill PID), then run `python -m helpers down --purge` "
            "again.", path=error.path, home=home, holders=holders))
    aside, number = error.path.with_name("state.json.unreadable"), 1
    while aside.exists():  # an earlier one is kept too
        number += 1
        aside = error.path.with_name(f"state.json.unreadable-{number}")
    os.replace(error.path, aside)
    for path in nodes:
        shutil.rmtree(path, ignore_errors=True)
    return _n("Set the unreadable {name} aside as {aside} and removed the data of {count} node. "
              "`python -m helpers up` starts a new cluster.",
              "Set the unreadable {name} aside as {aside} and removed the data of {count} nodes. "
              "`python -m helpers up` starts a new cluster.", len(nodes), name=error.path.name, aside=aside)


def _stop_leftover_empty_nodes(settings: Settings, purge: bool) -> None:
    """Stop the empty nodes of notebooks 01 and 05, the local extra nodes of notebook 05's
    scaling lab and notebook 07's TLS cluster, if a student left the notebook before its clean-up."""
    try:
        leftover = ClusterState.load(settings.home / EMPTY_NODES)
    except UnreadableState as error:
        if not purge:
            raise
        _set_aside(error)
        leftover = None
    if leftover is not None:
        stop_empty_nodes(leftover)
    from helpers.cluster.local import EXTRA_NODES, stop_extra_nodes
    if (settings.home / EXTRA_NODES).exists():  # even with no readable state.json left
        stop_extra_nodes(settings.home)
    if (settings.home / TLS_CLUSTER).exists():  # notebook 07's TLS cluster, left running
        stop_tls_cluster()


def node_file(port: int, name: str = "nodes.conf") -> str:
    """The text of a file in the data directory of the workshop's node on `port` (notebook 01:
    the nodes.conf Redis writes), from a local node's folder or a container's volume."""
    backend, state = workshop_cluster()
    return backend.node_file(state, port, name)


def start_empty_nodes() -> ClusterState:
    """Start the course's three empty nodes beside the workshop's cluster (notebooks 01 and 05).

    They are what the course's `docker-compose up` gives: cluster-enabled nodes that do not
    form a cluster yet, with no password; `stop_empty_nodes` removes them, and so does
    `down`. Local processes on free ports, or three more containers of docker-compose.yml.
    Empty nodes left from an earlier call are replaced.
    """
    settings = Settings.from_env()
    backend, state = workshop_cluster(settings)
    leftover = ClusterState.load(settings.home / EMPTY_NODES)
    if leftover is not None:  # the cell run again, or after a kernel restart: start afresh
        stop_empty_nodes(leftover)
    course = backend.start_empty_nodes(state)
    course.save(settings.home / EMPTY_NODES)
    return course


def stop_empty_nodes(course: ClusterState) -> None:
    """Stop what `start_empty_nodes` started and remove its data (notebooks 01 and 05)."""
    settings = Settings.from_env()
    make_backend(course.backend, settings).stop_empty_nodes(course)
    shutil.rmtree(settings.home / EMPTY_NODES, ignore_errors=True)


def start_tls_cluster() -> ClusterState:
    """A second cluster beside the workshop's, of the same shape and password, that speaks TLS only
    (`up --tls`), on the same backend: notebook 07 compares the two. Its state lives in
    WORKSHOP_HOME/tls-cluster; `stop_tls_cluster` or `down` removes it. One left from an
    earlier call is replaced."""
    settings = Settings.from_env()
    _, state = workshop_cluster(settings)
    stop_tls_cluster()
    from helpers.cluster.base import find_free_base_port
    from helpers.cluster.docker import PUBLISHED
    size = PUBLISHED if state.backend == "docker" else state.spec.size
    spec = dataclasses.replace(state.spec, tls=True,
                               base_port=find_free_base_port(size, start=state.spec.base_port + 200))
    twin = ClusterState(backend=state.backend, spec=spec,
                        project=f"{state.project}-tls" if state.project else None)
    home = settings.home / TLS_CLUSTER
    try:
        twin = make_backend(twin.backend, settings, home).start(twin)
    finally:
        twin.save(home)  # even half-started: `stop_tls_cluster` and `down` find it
    return twin


def tls_cluster() -> tuple[Backend, ClusterState]:
    """The TLS cluster `start_tls_cluster` started, with its backend (notebook 07, for Redis's own
    programs: helpers.tools and helpers.measure take it as `cluster=`)."""
    settings = Settings.from_env()
    home = settings.home / TLS_CLUSTER
    twin = ClusterState.load(home)
    if twin is None:
        raise WorkshopError(_("No TLS cluster runs beside the workshop's: start it with "
                              "helpers.cluster.start_tls_cluster() (notebook 07, §1.4)."))
    return make_backend(twin.backend, settings, home), twin


def stop_tls_cluster() -> None:
    """Stop what `start_tls_cluster` started and remove its data and certificates (notebook 07)."""
    settings = Settings.from_env()
    home = settings.home / TLS_CLUSTER
    twin = ClusterState.load(home)
    if twin is not None:
        make_backend(twin.backend, settings, home).stop(twin, purge=True)
    shutil.rmtree(home, ignore_errors=True)


def status() -> dict:
    """Backend, shape, and each node's role and health, as a dict (`python -m helpers status --json`).

    With REDIS_CLUSTER_URL set, the report is of that cluster, or says why it cannot be
    reached (key "error").
    """
    settings = Settings.from_env()
    if settings.cluster_url:
        from helpers.cluster.external import external_status
        return external_status(settings.cluster_url)
    state = ClusterState.load(settings.home)
    if state is None:
        return {"running": False, "home": str(settings.home), "nodes": [],
                "message": _("No workshop cluster. Start one: python -m helpers up")}
    implementation = make_backend(state.backend, settings)
    running = set(implementation.running_ports(state))
    probes = {(HOST, port): Connection(HOST, port, state.login, timeout=1.0)
              for port in sorted(running)}
    nodes = []
    try:
        for port in state.spec.ports:
            node = {"address": f"{HOST}:{port}", "running": port in running, "role": None}
            if state.backend == "local":
                node["pid"] = state.pids.get(port)
            if port in running:
                try:
                    replication = probes[(HOST, port)].ask(("INFO", "replication"))[0]
                    node["role"] = parse_info(replication).get("role")
                except (OSError, ReplyError):  # running but not answering: the role stays unknown
                    pass
            nodes.append(node)
        problems = readiness(probes, state.spec) if running else [_("no node is running")]
    finally:
        for probe in probes.values():
            probe.close()
    isolated = implementation.isolated(state) if running else []
    return {"running": bool(running), "ready": not problems and len(running) == state.spec.size,
            "isolated": isolated,
            "backend": state.backend, "home": str(settings.home), "tls": state.spec.tls,
            "masters": state.spec.masters,
            "replicas": state.spec.replicas, "base_port": state.spec.base_port,
            "node_timeout": state.spec.node_timeout, "project": state.project,
            "problems": problems, "nodes": nodes}


def format_status(report: dict) -> str:
    """`status()` as a short table for a terminal (`python -m helpers status`)."""
    if "backend" not in report:
        return report["message"]
    external = report["backend"] == "external"
    health = _("ready") if report["ready"] else (_("running, not ready") if report["running"] else _("stopped"))
    shape = _(N_("{masters} masters × {replicas} replica(s), TLS") if report.get("tls")
              else N_("{masters} masters × {replicas} replica(s)"),
              masters=report["masters"], replicas=report["replicas"])
    if external:
        lines = [_("external cluster at {url}, {shape}, {health}", url=report["url"], shape=shape, health=health)]
    else:
        lines = [_("{backend} cluster (data in {home}), {shape}, {health}", backend=report["backend"],
                   home=report["home"], shape=shape, health=health)]
    running, stopped = _("running"), (_("not answering") if external else _("stopped"))
    for node in report["nodes"]:  # the role is Redis's own word (INFO replication)
        lines.append(f"  {node['address']:<16} {node['role'] or '-':<8} {running if node['running'] else stopped}")
    lines += [f"  ! {problem}" for problem in report["problems"]]
    if report.get("isolated"):
        lines.append("  " + _("partition: {ports} cut off from the other nodes (python -m helpers heal ends it)",
                              ports=", ".join(map(str, report["isolated"]))))
    return "\n".join(lines)


def connect(decode_responses: bool = True, username: str | None = None,
            password: str | None = None, **options: object) -> "RedisCluster":
    """A `RedisCluster` client for whichever cluster runs (local, docker, or REDIS_CLUSTER_URL).

    It logs in with the cluster's own password (`up --password`) unless `username` or
    `password` say otherwise, as notebook 05 does for its ACL users. Used by every
    notebook right after `up()`.
    """
    settings = Settings.from_env()
    if settings.cluster_url:
        from helpers.cluster.external import connect_url
        return connect_url(settings.cluster_url, decode_responses=decode_responses,
                           username=username, password=password, **options)
    state = ClusterState.load(settings.home)
    running = make_backend(state.backend, settings).running_ports(state) if state else []
    if not running:
        raise WorkshopError(_("No workshop cluster is running. Start one with `python -m helpers up` "
                              "or run the notebook's first cell (helpers.up())."))
    import redis
    from redis.cluster import ClusterNode, RedisCluster

    if username is None and password is None:
        password = state.spec.password
    nodes = [ClusterNode(HOST, port) for port in running]
    tls = state.login.tls.redis_options() if state.login.tls else {}
    try:
        return RedisCluster(startup_nodes=nodes, username=username, password=password,
                            decode_responses=decode_responses, **{**tls, **options})
    except (redis.RedisError, redis.RedisClusterException, OSError) as error:
        if username:
            fix = _("Check the password of user {user!r}: helpers.connect(username=..., password=...); "
                    "the cluster's own password is the one given to `up --password`.", user=username)
        else:
            fix = _("Check the password of the default user: helpers.connect(username=..., "
                    "password=...); the cluster's own password is the one given to `up --password`.")
        raise WorkshopError(explain_connection_error(
            error, f"{'rediss://' if tls else ''}{HOST}:{running[0]}", fix=fix)) from None


def choose_backend(requested: str) -> str:
    """'local' when redis-server is installed, else 'docker' when an engine answers (for 'auto')."""
    if requested not in BACKENDS:
        raise WorkshopError(_("Unknown backend {backend!r}: choose one of {backends}.",
                              backend=requested, backends=", ".join(BACKENDS)))
    if requested != "auto":
        return requested
    if shutil.which("redis-server"):
        return "local"
    if docker_engine_answers():
        return "docker"
    raise WorkshopError(_(
        "Neither redis-server nor a running Docker engine was found, so no cluster can start. "
        "Either install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew "
        "install redis; or run `make lab`, which does), or install and start Docker "
        "(https://docs.docker.com/get-docker/) and run: python -m helpers up --backend docker. "
        "To use a cluster you already have, set REDIS_CLUSTER_URL=redis://user:password@host:port."))


def docker_engine_answers() -> bool:
    """True when a `docker` client is installed and its engine answers."""
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def make_backend(name: str, settings: Settings, home: Path | None = None) -> Backend:
    """The backend object for a name from state.json or the settings; `home` is where that
    state.json lives (WORKSHOP_HOME by default)."""
    if name == "local":
        from helpers.cluster.local import LocalBackend
        return LocalBackend(settings, home)
    if name == "docker":
        from helpers.cluster.docker import DockerBackend
        return DockerBackend(settings, home)
    raise WorkshopError(_("Unknown backend {backend!r} in {path}.", backend=name,
                          path=(home or settings.home) / "state.json"))


def workshop_cluster(settings: Settings | None = None) -> tuple[Backend, ClusterState]:
    """The cluster the workshop started (local or docker) and its backend, from state.json read
    once; a WorkshopError when there is none. How notebook 05's faults, scaling lab, failover
    writer and benchmarks find the cluster."""
    settings = settings or Settings.from_env()
    state = ClusterState.load(settings.home)
    if state is None:
        raise WorkshopError(_("This needs the cluster the workshop starts (local or docker backend), "
                              "and there is none in {home}: start it with helpers.up() or "
                              "`python -m helpers up`.", home=settings.home))
    return make_backend(state.backend, settings), state


def clusters_of(*ports: int) -> list[tuple[Backend, ClusterState, list[int]]]:
    """Which cluster each node belongs to, with its backend: the course-shaped empty nodes of
    `start_empty_nodes` (notebooks 01 and 05) or else the workshop's cluster. Each state.json
    is read once; ports come back grouped by cluster (notebook 05's faults)."""
    settings = Settings.from_env()
    course_home = settings.home / EMPTY_NODES
    course = ClusterState.load(course_home)
    in_course = [port for port in ports if course is not None and port in course.spec.ports]
    others = [port for port in ports if port not in in_course]
    groups = []
    if in_course:
        groups.append((make_backend(course.backend, settings, course_home), course, in_course))
    if others:
        backend, state = workshop_cluster(settings)
        groups.append((backend, state, others))
    return groups


def seeds() -> tuple[list[str], Credentials]:
    """Addresses to ask first, and who logs in: the workshop's nodes, or REDIS_CLUSTER_URL's
    (the instructors' dashboard, helpers.topology.node_table)."""
    settings = Settings.from_env()
    if settings.cluster_url:
        from helpers.cluster.external import url_seed
        return url_seed(settings.cluster_url)
    _, state = workshop_cluster(settings)
    return [f"{HOST}:{port}" for port in state.spec.ports], state.login


def _is_ready(implementation: Backend, state: ClusterState) -> bool:
    """The quick check behind an idempotent `up`: every node runs and the cluster is ready."""
    if len(implementation.running_ports(state)) != state.spec.size:
        return False
    probes = {address: Connection(*address, state.login, timeout=1.0)
              for address in state.addresses}
    try:
        return not readiness(probes, state.spec)
    finally:
        for probe in probes.values():
            probe.close()


def _refuse_other_shape(state: ClusterState, backend: str | None, asked: dict,
                        settings: Settings) -> None:
    """Raise when `up` asks for another backend or shape than the cluster in WORKSHOP_HOME."""
    other = {key: value for key, value in asked.items() if getattr(state.spec, key) != value}
    if backend not in (None, "auto", state.backend):
        other["backend"] = backend
    if other:
        wanted = ", ".join(f"{key}={value}" for key, value in other.items() if key != "password")
        which = {"backend": state.backend, "shape": state.spec.describe(), "base_port": state.spec.base_port,
                 "home": settings.home}
        if not wanted:
            raise WorkshopError(_(
                "A {backend} cluster ({shape}, ports from {base_port}) is already set up in {home}, and "
                "you asked for another password. Use it as it is (run `up` without options), or remove "
                "it first: python -m helpers down --purge", **which))
        raise WorkshopError(_(
            "A {backend} cluster ({shape}, ports from {base_port}) is already set up in {home}, and "
            "you asked for {wanted}. Use it as it is (run `up` without options), or remove it first: "
            "python -m helpers down --purge", wanted=wanted, **which))


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One `up` or `down` at a time per WORKSHOP_HOME, across processes (where fcntl exists)."""
    home.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: students there use the docker backend, one terminal at a time
        yield
        return
    with open(home / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = ["up", "down", "status", "connect", "workshop_cluster", "clusters_of", "seeds",
           "ClusterSpec", "ClusterState", "WorkshopError"]
