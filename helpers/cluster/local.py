"""The local backend: real `redis-server` processes on 127.0.0.1, data under WORKSHOP_HOME.

Notebook 01 starts its cluster here by default. Notebooks 01 and 05 start the course's empty
nodes beside it (under WORKSHOP_HOME/empty-nodes), notebook 05 breaks nodes with signals
(kill, pause, resume, restart), adds two extra nodes for its scaling lab (under
WORKSHOP_HOME/extra-nodes) and benchmarks one plain redis-server. Redis's own programs
(redis-cli, redis-benchmark) run on this machine.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.cluster import relay
from helpers.cluster.base import (EMPTY_NODES, EXTRA_NODE_COUNT, HOST, Backend, ClusterSpec, ClusterState,
                                  check_ports_free, find_free_base_port, node_client,
                                  wait_until_ready)
from helpers.errors import WorkshopError
from helpers.i18n import _, _n
from helpers.replies import read_cluster_nodes
from helpers.cluster.certificates import make_certificates
from helpers.resp import Connection, Credentials, ReplyError, TlsError
from helpers.slots import master_slot_ranges

if TYPE_CHECKING:
    import redis

NODE_CONFIG = """\
# Written by the workshop's helpers each time this node starts; change settings with
# `python -m helpers up` options, not here.
port {port}
bind 127.0.0.1
dir {dir}
logfile redis.log
daemonize no
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout {node_timeout}
# The course's persistence: every write goes to the append-only file.
appendonly yes
save ""
# Replicas sync at once instead of waiting 5 s for more replicas to share one transfer.
repl-diskless-sync-delay 0
# ACL users live in memory, per node: ACL SAVE writes them here so a restart keeps them.
aclfile {dir}/users.acl
# A stop (SIGTERM: `down`, `docker stop`) ends the node even while it writes its first AOF after
# a full resync; by default Redis logs "Writing initial AOF, can't exit", stays up, and is killed.
shutdown-on-sigterm force
"""
# The cluster's own nodes: their bus goes through the relay (helpers/cluster/relay.py), which
# listens where the bus usually is, so notebook 06 can cut the network between nodes.
RELAY_CONFIG = """\
# The cluster bus: this node listens on port + 20000; the workshop's relay listens on the usual
# port + 10000, which the node announces, and passes the other nodes' messages on.
cluster-port {own_bus}
cluster-announce-bus-port {announced_bus}
"""
# `up --tls`: the port speaks TLS only; the cluster bus and replication too.
TLS_CONFIG = """\
# TLS only (up --tls): no plain port; clients, the cluster bus and replication speak TLS.
port 0
tls-port {port}
tls-cert-file {certificates}/node.crt
tls-key-file {certificates}/node.key
tls-ca-cert-file {certificates}/ca.crt
tls-cluster yes
tls-replication yes
# A client may show a certificate, which is then checked against the CA; the password decides.
tls-auth-clients optional
"""
AUTH_CONFIG = 'requirepass "{password}"\nmasterauth "{password}"\n'
ACL_FILE = "users.acl"
EXTRA_NODES = "extra-nodes"  # notebook 05's scaling lab: the extra nodes, under WORKSHOP_HOME


MINIMUM_VERSION = (7, 0)  # the course is about Redis 7.0: ADDSLOTSRANGE, sharded pub/sub, ACL selectors


@functools.cache
def redis_server_binary() -> str:
    """Path of `redis-server` 7.0 or newer, or a WorkshopError that says how to get one (or Docker)."""
    found = shutil.which("redis-server")
    if not found:
        raise WorkshopError(_(
            "No redis-server found on this machine. Install it (Debian/Ubuntu: "
            "sudo apt-get install redis-server; macOS: brew install redis), or run `make lab`, "
            "which does; or use Docker instead: python -m helpers up --backend docker"))
    said = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    version = re.search(r"v=(\d+)\.(\d+)\.(\d+)", said)
    if version and tuple(map(int, version.groups()[:2])) < MINIMUM_VERSION:
        raise WorkshopError(_(
            "{binary} is Redis {version}; the workshop needs Redis 7.0 or newer. "
            "Install a newer one (Debian 12, Ubuntu 24.04 and Homebrew have it), or use Docker "
            "instead: python -m helpers up --backend docker", binary=found, version=".".join(version.groups())))
    return found


def node_dir(home: Path, port: int) -> Path:
    """Where node `port` keeps its config, AOF, nodes.conf and log."""
    return home / "nodes" / str(port)


class LocalBackend(Backend):
    """Real redis-server processes supervised by pid (see the module docstring)."""

    name = "local"

    def start(self, state: ClusterState) -> ClusterState:
        """Start missing nodes; build the cluster if no node has a nodes.conf yet; wait for ready."""
        home, spec = self.home, state.spec
        with_config = [port for port in spec.ports if (node_dir(home, port) / "nodes.conf").exists()]
        if with_config and len(with_config) != spec.size:
            raise WorkshopError(_n(
                "Only {count} of {size} nodes has cluster data in {home}: the cluster cannot be "
                "rebuilt from that. Start afresh with: python -m helpers down --purge",
                "Only {count} of {size} nodes have cluster data in {home}: the cluster cannot be "
                "rebuilt from that. Start afresh with: python -m helpers down --purge",
                len(with_config), size=spec.size, home=home))
        fresh, started = not with_config, []
        try:
            if spec.tls and not state.certificates:
                state.certificates = str(make_certificates(home / "tls"))
            relayed = uses_relay(state, home)
            if relayed:
                start_relay(home, spec.ports)
            started = start_nodes(state, home, relayed=relayed)
            if fresh:
                build_cluster(state)
            wait_until_ready(state)
        except BaseException:
            stop_nodes(state, home, only=started)
            if not self.running_ports(state):
                stop_relay(home)
            raise
        return state

    def stop(self, state: ClusterState, purge: bool) -> None:
        stop_nodes(state, self.home)
        stop_relay(self.home)
        if purge:
            shutil.rmtree(self.home / "nodes", ignore_errors=True)
            shutil.rmtree(self.home / "tls", ignore_errors=True)
            (self.home / "relay.log").unlink(missing_ok=True)

    def running_ports(self, state: ClusterState) -> list[int]:
        return [port for port, pid in state.pids.items() if is_node_process(pid, port)]

    def kill(self, state: ClusterState, ports: list[int]) -> None:
        """SIGKILL each node's redis-server, then wait until every one has left the process table."""
        for port in ports:
            self.check_node(state, port)
            if not is_node_process(state.pids.get(port), port):
                raise WorkshopError(_("The node on port {port} is not running.", port=port))
        for port in ports:
            os.kill(state.pids[port], signal.SIGKILL)
        for port in ports:
            wait_gone(state.pids[port])

    def pause(self, state: ClusterState, port: int) -> None:
        """SIGSTOP: the process stays, frozen."""
        os.kill(self._pid(state, port), signal.SIGSTOP)

    def resume(self, state: ClusterState, port: int) -> None:
        """SIGCONT."""
        os.kill(self._pid(state, port), signal.SIGCONT)

    def restart(self, state: ClusterState, port: int, timeout: float = 30.0) -> None:
        """Start the node's redis-server again on its data; `start_nodes` returns once it answers
        PING (within its own 10 s)."""
        self.check_node(state, port)
        start_nodes(state, self.home, only=[port], relayed=uses_relay(state, self.home))

    def _pid(self, state: ClusterState, port: int) -> int:
        self.check_node(state, port)
        pid = state.pids.get(port)
        if not is_node_process(pid, port):
            raise WorkshopError(_("The node on port {port} is not running.", port=port))
        return pid

    def node_file(self, state: ClusterState, port: int, name: str) -> str:
        """Read it from the node's folder, WORKSHOP_HOME/nodes/PORT (notebook 01)."""
        self.check_node(state, port)
        return (node_dir(self.home, port) / name).read_text()

    def start_empty_nodes(self, state: ClusterState) -> ClusterState:
        """Three empty nodes on free ports above the cluster's, data under WORKSHOP_HOME/empty-nodes."""
        spec = ClusterSpec(3, 0, find_free_base_port(3, start=state.spec.base_port + 100))
        course = ClusterState(backend="local", spec=spec.check())
        start_nodes(course, self.home / EMPTY_NODES)
        return course

    def stop_empty_nodes(self, course: ClusterState) -> None:
        stop_nodes(course, self.home / EMPTY_NODES)
        shutil.rmtree(self.home / EMPTY_NODES, ignore_errors=True)

    def start_extra_nodes(self, state: ClusterState) -> list[int]:
        """Empty nodes on the first free ports after the cluster's, with its timeout, password and TLS."""
        home = self.home / EXTRA_NODES
        spec = ClusterSpec(masters=EXTRA_NODE_COUNT, replicas=0, node_timeout=state.spec.node_timeout,
                           password=state.spec.password, tls=state.spec.tls,
                           base_port=find_free_base_port(EXTRA_NODE_COUNT, start=state.spec.ports[-1] + 1))
        stop_extra_nodes(self.home)  # fresh ones: any left from an earlier run go, with their data
        start_nodes(ClusterState(backend="local", spec=spec, certificates=state.certificates), home)
        return spec.ports

    def extra_nodes(self, state: ClusterState) -> list[int]:
        extra = ClusterState.load(self.home / EXTRA_NODES)
        return [port for port, pid in extra.pids.items() if is_node_process(pid, port)] if extra else []

    def stop_extra_nodes(self, state: ClusterState) -> None:
        stop_extra_nodes(self.home)

    @contextmanager
    def plain_server(self, state: ClusterState) -> Iterator[int]:
        """`redis-server --port P --save "" --appendonly no` on a free port, stopped afterwards."""
        port = find_free_base_port(1, start=state.spec.base_port + 90)
        server = subprocess.Popen([redis_server_binary(), "--port", str(port), "--bind", HOST,
                                   "--save", "", "--appendonly", "no"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_answering(port, server, None, Path(os.devnull))
            yield port
        finally:
            server.terminate()
            server.wait(timeout=10)

    def isolate(self, state: ClusterState, ports: list[int]) -> None:
        """Tell the relay (helpers/cluster/relay.py) which nodes to cut off; [] heals."""
        if state.spec.tls:
            raise WorkshopError(_(
                "This cluster speaks TLS on its cluster bus (tls-cluster yes), so the relay cannot "
                "read which node sends what, and cannot cut the network between them. The "
                "partition lab (notebook 06) needs a plain cluster: python -m helpers down --purge, "
                "then python -m helpers up (without --tls)."))
        if not uses_relay(state, self.home):
            raise WorkshopError(_(
                "This cluster was started before the workshop had its cluster bus relay, so its "
                "nodes cannot be cut off from each other. Restart it, which keeps its data: python "
                "-m helpers down, then python -m helpers up."))
        ask_relay(self.home, {"isolate": ports})

    def isolated(self, state: ClusterState) -> list[int]:
        return ask_relay(self.home, {})["isolated"] if relay_record(self.home) else []

    def tool_prefix(self, state: ClusterState, program: str, terminal: bool = False,
                    environment: dict[str, str] | None = None) -> list[str]:
        """Nothing: the program runs on this machine, where the nodes are, with the caller's
        terminal and environment."""
        if not shutil.which(program):
            raise WorkshopError(_(
                "{program} is not installed on this machine; it comes with Redis (Debian/Ubuntu: "
                "sudo apt-get install redis-tools; macOS: brew install redis). Or use the docker "
                "backend, whose image has it: python -m helpers up --backend docker", program=program))
        return []


def stop_extra_nodes(home: Path) -> None:
    """Stop the extra nodes of notebook 05's scaling lab, if any, and remove their data
    (`LocalBackend.stop_extra_nodes`, and `helpers.down` for nodes a student left behind)."""
    extra = ClusterState.load(home / EXTRA_NODES)
    if extra is not None:
        stop_nodes(extra, home / EXTRA_NODES)
        shutil.rmtree(home / EXTRA_NODES, ignore_errors=True)


def start_nodes(state: ClusterState, home: Path, only: list[int] | None = None,
                relayed: bool = False) -> list[int]:
    """Spawn a redis-server for each port of `state` (or of `only`) that is not running; return
    their ports.

    The processes run in their own session, so they outlive the Python process that
    started them (the command line, or a notebook kernel that restarts). Their pids go
    into state.json at once, so `down` finds them even if this call fails half-way.
    """
    binary = redis_server_binary()
    spec = state.spec
    missing = [port for port in (spec.ports if only is None else only)
               if not is_node_process(state.pids.get(port), port)]
    check_ports_free(missing, (0, relay.OWN_BUS_OFFSET) if relayed else (0, 10000))
    processes: dict[int, subprocess.Popen] = {}
    for port in missing:
        directory = node_dir(home, port)
        directory.mkdir(parents=True, exist_ok=True)
        config = NODE_CONFIG.format(port=port, dir=directory, node_timeout=spec.node_timeout)
        if relayed:
            config += RELAY_CONFIG.format(own_bus=port + relay.OWN_BUS_OFFSET,
                                          announced_bus=port + relay.ANNOUNCED_BUS_OFFSET)
        if spec.tls:
            config += TLS_CONFIG.format(port=port, certificates=state.certificates)
        if spec.password:
            config += AUTH_CONFIG.format(password=spec.password)
        (directory / "redis.conf").write_text(config)
        write_acl_file(directory / ACL_FILE, spec.password)
        process = subprocess.Popen([binary, str(directory / "redis.conf")], cwd=directory,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        state.pids[port], processes[port] = process.pid, process
    state.save(home)
    for port in missing:
        _wait_answering(port, processes[port], state.login, node_dir(home, port) / "redis.log")
    return missing


def write_acl_file(path: Path, password: str | None) -> None:
    """Create a node's ACL file unless it exists (ACL SAVE keeps it up to date afterwards).

    redis-server refuses to start when its `aclfile` is missing. And once an ACL file is
    loaded, Redis ignores `requirepass`: the default user is whatever the file says, a user
    with no password when the file does not name it. So the file names the default user
    with the cluster's password from the start.
    """
    if not path.exists():
        path.write_text(f"user default on >{password} ~* &* +@all\n" if password else "")


def _wait_answering(port: int, process: subprocess.Popen, login: Credentials | None, log: Path,
                    timeout: float = 10.0) -> None:
    """Wait until the node on `port` answers PING; explain from its log if it died instead."""
    probe = Connection(HOST, port, login, timeout=1.0)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                probe.ask(("PING",))
                return
            except TlsError as error:  # a certificate refused: waiting will not change it
                raise WorkshopError(*error.args) from None
            except (OSError, ReplyError):  # not listening yet, or still loading its AOF
                pass
            # Death is asked of the child itself: its /proc cmdline can read half-written
            # while redis-server renames itself at start-up, and looked dead once in 40 starts.
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text().splitlines()[-3:] if log.exists() else []
                raise WorkshopError(_("redis-server on port {port} did not start. Its log ({log}) "
                                      "ends with:\n{tail}", port=port, log=log, tail="\n".join(tail)))
            time.sleep(0.005)
    finally:
        probe.close()


def build_cluster(state: ClusterState) -> None:
    """Make a cluster of fresh nodes directly: what `redis-cli --cluster create` does, without its sleeps.

    Each node gets its own config epoch, each master a contiguous range of slots, one node
    MEETs all others, and each replica REPLICATEs its master once it has heard of it.
    Last, each replica MEETs every node: a bus message carries its sender's role, so every
    node learns at once that the replica is one, instead of a second later through gossip.
    """
    spec = state.spec
    clients = [node_client(HOST, port, state.login) for port in spec.ports]
    try:
        masters, replicas = clients[:spec.masters], clients[spec.masters:]
        for epoch, client in enumerate(clients, start=1):
            client.execute_command("CLUSTER SET-CONFIG-EPOCH", epoch)
        for client, (first, last) in zip(masters, master_slot_ranges(spec.masters)):
            client.execute_command("CLUSTER ADDSLOTSRANGE", first, last)
        for port in spec.ports[1:]:
            clients[0].execute_command("CLUSTER MEET", HOST, port)
        master_ids = [client.execute_command("CLUSTER MYID") for client in masters]
        for index, replica in enumerate(replicas):
            master_id = master_ids[index % spec.masters]
            _wait_knows(replica, master_id)
            replica.execute_command("CLUSTER REPLICATE", master_id)
        for replica in replicas:  # see the docstring: roles known everywhere without gossip lag
            for port in spec.ports:
                replica.execute_command("CLUSTER MEET", HOST, port)
    finally:
        for client in clients:
            client.close()


def _wait_knows(client: "redis.Redis", node_id: str, timeout: float = 10.0) -> None:
    """Wait until `client`'s node has learnt of node_id through gossip."""
    deadline = time.monotonic() + timeout
    while not any(node.id == node_id for node in read_cluster_nodes(client)):
        if time.monotonic() > deadline:
            raise WorkshopError(_("A node did not hear of master {node_id} within {timeout:.0f} s.",
                                  node_id=node_id, timeout=timeout))
        time.sleep(0.005)


def stop_nodes(state: ClusterState, home: Path, only: list[int] | None = None,
               timeout: float = 15.0) -> None:
    """Stop nodes with SIGTERM (Redis flushes its AOF and exits), SIGKILL after `timeout`.

    A pid is signalled only while it is still a redis-server on that port, so a pid the
    system reused for another program is never touched.
    """
    ports = [port for port in (only if only is not None else list(state.pids))
             if is_node_process(state.pids.get(port), port)]
    for port in ports:
        _signal(state.pids[port], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while ports and time.monotonic() < deadline:
        ports = [port for port in ports if is_node_process(state.pids[port], port)]
        time.sleep(0.01)
    for port in ports:
        _signal(state.pids[port], signal.SIGKILL)
    for port in (only if only is not None else list(state.pids)):
        wait_gone(state.pids.pop(port, None))
    state.save(home)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def wait_gone(pid: int | None, timeout: float = 5.0) -> None:
    """Reap `pid` if it is our child, or wait until it has left the process table."""
    if pid is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reaped, _ = os.waitpid(pid, os.WNOHANG)
            if reaped:
                return
        except ChildProcessError:  # not our child: its own parent reaps it
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            # A zombie has exited and freed its ports; only its parent (say, notebook 01's
            # kernel, still open) can reap it, so waiting for it to leave would be in vain.
            if _is_zombie(pid):
                return
        time.sleep(0.01)


def _is_zombie(pid: int) -> bool:
    """True when `pid` has exited but its parent has not reaped it yet (Linux; False elsewhere)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def command_line(pid: int | None) -> str:
    """The command line of the live process `pid`, its words joined by spaces ("" if none)."""
    if not pid:
        return ""
    if sys.platform.startswith("linux"):
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return ""
    return subprocess.run(["ps", "-p", str(pid), "-o", "command="], capture_output=True, text=True).stdout


def is_node_process(pid: int | None, port: int) -> bool:
    """True when `pid` is alive and is the redis-server of `port` (not a zombie, not a reused pid)."""
    command = command_line(pid)
    # redis-server names itself "redis-server 127.0.0.1:7000 [cluster]" once started.
    return "redis-server" in command and (f":{port}" in command or f"/{port}/" in command)


# ---- the cluster bus relay (helpers/cluster/relay.py) ----------------------------------------


def uses_relay(state: ClusterState, home: Path) -> bool:
    """Whether the cluster's bus goes through the relay: yes, unless its running nodes were started
    without it, by a workshop older than the relay (their redis.conf has no cluster-port); `down`
    then `up` gives them one. A node restarted joins its cluster as the others run."""
    if state.spec.tls:  # the relay reads the bus's headers, which TLS hides: see LocalBackend.isolate
        return False
    running = [port for port in state.spec.ports if is_node_process(state.pids.get(port), port)]
    return not running or "cluster-port" in (node_dir(home, running[0]) / "redis.conf").read_text()


def start_relay(home: Path, ports: list[int]) -> None:
    """Start the relay for the nodes on `ports` unless it runs; return once it listens
    (LocalBackend.start, before the nodes)."""
    if relay_record(home):
        return
    check_ports_free(ports, (relay.ANNOUNCED_BUS_OFFSET,))
    home.mkdir(parents=True, exist_ok=True)
    (home / relay.RELAY_FILE).unlink(missing_ok=True)
    with open(home / "relay.log", "ab") as log:
        process = subprocess.Popen([sys.executable, relay.__file__, str(home), *map(str, ports)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=log, start_new_session=True)
    deadline = time.monotonic() + 15
    while not relay_record(home):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise WorkshopError(_("The cluster bus relay did not start; its log, {log}, says why. "
                                  "Then: python -m helpers up", log=home / "relay.log"))
        time.sleep(0.02)


def stop_relay(home: Path) -> None:
    """Stop the relay, if it runs, and wait until it has gone (LocalBackend.stop, after the nodes)."""
    record = relay_record(home)
    if record:
        os.kill(record["pid"], signal.SIGTERM)
        wait_gone(record["pid"])
    (home / relay.RELAY_FILE).unlink(missing_ok=True)


def relay_record(home: Path) -> dict | None:
    """HOME/relay.json ({"pid", "control", "nodes"}) if that relay process is alive, else None."""
    try:
        record = json.loads((home / relay.RELAY_FILE).read_text())
    except (OSError, ValueError):
        return None
    command = command_line(record.get("pid"))
    return record if "relay.py" in command and str(home) in command else None


def ask_relay(home: Path, request: dict) -> dict:
    """Send one request to the running relay's control port; its answer."""
    record = relay_record(home)
    if record is None:
        raise WorkshopError(_("The cluster bus relay is not running: python -m helpers up starts it "
                              "again."))
    with socket.create_connection((HOST, record["control"]), timeout=5) as control:
        control.sendall(json.dumps(request).encode() + b"\n")
        answer = json.loads(control.makefile().readline())
    if "error" in answer:
        raise WorkshopError(_("The cluster bus relay refused {request}: {error}",  # the relay's own words
                              request=json.dumps(request), error=answer["error"]))
    return answer
