"""The backend contract and what every backend shares.

A backend starts, finds and stops the nodes of one cluster, and breaks them on purpose
(kill, pause, resume, restart: notebook 05's faults), starts nodes beside it and runs Redis's
own programs where its nodes run; this module holds its records
(`ClusterSpec`, `ClusterState`), the shared state file, the port checks and the readiness
wait. Used by every notebook through `helpers.up`.
"""
from __future__ import annotations

import json
import os
import re
import socket
import time
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, closing
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.config import Settings
from helpers.errors import WorkshopError
from helpers.i18n import N_, Message, _, _n
from helpers.replies import parse_cluster_nodes, parse_info
from helpers.resp import Connection, Credentials, ReplyError, Tls, TlsError, as_credentials

if TYPE_CHECKING:
    import redis

HOST = "127.0.0.1"
# A node's bus port is its port + 10000; on the local backend on Linux a relay listens there and
# the node itself on + 20000 (helpers/cluster/relay.py): every cluster keeps both free.
BUS_OFFSETS = (10000, 20000)
EXTRA_NODE_COUNT = 2  # notebook 05's scaling lab: a new master and its replica
# More nodes in the cluster than it was started with, for a few seconds: someone added nodes
# (notebook 05's scaling lab, left before its last cells); waiting will not remove them.
EXTRA_NODES_PATIENCE = 5.0
EMPTY_NODES = "empty-nodes"  # the course's empty nodes (notebooks 01 and 05): their state.json
TLS_CLUSTER = "tls-cluster"  # notebook 07's TLS cluster beside the workshop's: its home
# What a workshop password may be: it goes into config files and command lines unquoted.
VALID_PASSWORD = re.compile(r"[A-Za-z0-9._~+=@%^*!-]{1,128}")


@dataclass(frozen=True)
class ClusterSpec:
    """The shape of a cluster: masters, replicas per master, ports, timeout, password."""

    masters: int = 3
    replicas: int = 1
    base_port: int = 7000
    node_timeout: int = 5000
    password: str | None = None
    tls: bool = False  # TLS ports only: tls-port, tls-cluster, tls-replication (`up --tls`)

    def check(self) -> "ClusterSpec":
        """Return self, or raise a WorkshopError saying which value to change and to what."""
        if self.masters < 3:
            raise WorkshopError(_(
                "A Redis Cluster needs at least 3 masters (asked for {masters}): a failover "
                "needs a majority of masters to agree, and when one of 2 masters fails, the one left "
                "(1 of 2) is not a majority. "
                "Use --masters 3 or more.", masters=self.masters))
        if self.replicas < 0:
            raise WorkshopError(_("--replicas must be 0 or more (asked for {replicas}).",
                                  replicas=self.replicas))
        last = self.base_port + self.size - 1
        if self.base_port < 1024 or last + BUS_OFFSETS[-1] > 65535:
            raise WorkshopError(_(
                "Ports {first}–{last} do not fit: each node also uses its port + 10000 "
                "for the cluster bus, and + 20000 behind the local backend's relay. Choose "
                "--base-port between 1024 and {highest}.", first=self.base_port, last=last,
                highest=65535 - BUS_OFFSETS[-1] - self.size + 1))
        if self.node_timeout < 100:
            raise WorkshopError(_("--node-timeout is in milliseconds; {node_timeout} is too "
                                  "small for a cluster to agree on anything. Use 1000 or more.",
                                  node_timeout=self.node_timeout))
        if self.password is not None and not VALID_PASSWORD.fullmatch(self.password):
            raise WorkshopError(_(
                "A workshop password is 1 to 128 letters, digits or any of . _ ~ + = @ % ^ * ! - "
                "(no spaces or quotes: it goes into config files and command lines). "
                "Choose another, for example: --password s3cret-workshop"))
        return self

    @property
    def size(self) -> int:
        """How many nodes: masters and their replicas."""
        return self.masters * (1 + self.replicas)

    @property
    def ports(self) -> list[int]:
        """Node ports: masters first, then replicas (as `redis-cli --cluster create` orders them)."""
        return list(range(self.base_port, self.base_port + self.size))

    def describe(self) -> str:
        """'3 masters × 1 replica' for messages ('..., TLS' for a TLS cluster), in the student's language."""
        if self.tls:
            return _n("{masters} masters × {count} replica, TLS", "{masters} masters × {count} replicas, TLS",
                      self.replicas, masters=self.masters)
        return _n("{masters} masters × {count} replica", "{masters} masters × {count} replicas",
                  self.replicas, masters=self.masters)


@dataclass(repr=False)
class ClusterState:
    """What several processes share about the running cluster: saved in WORKSHOP_HOME/state.json."""

    backend: str
    spec: ClusterSpec
    pids: dict[int, int] = field(default_factory=dict)  # port -> pid (local backend)
    project: str | None = None  # Compose project (docker backend)
    url: str | None = None  # REDIS_CLUSTER_URL without its password (external backend)
    certificates: str | None = None  # the folder of ca.crt, node.crt, client.crt (a TLS cluster)

    @property
    def login(self) -> Credentials:
        """How every connection to this cluster's nodes logs in: its password and, for a TLS
        cluster, its CA and client certificate."""
        tls = Tls.workshop(self.certificates) if self.certificates else None
        return Credentials(password=self.spec.password, tls=tls)

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """(host, port) of every node."""
        return [(HOST, port) for port in self.spec.ports]

    def __repr__(self) -> str:
        # What a notebook's first cell shows for `helpers.up()`: in the student's language.
        if self.url:
            return _("external cluster at {url}: {shape}", url=self.url, shape=self.spec.describe())
        ports = self.spec.ports
        template = (N_("{backend} cluster: {shape} on {host}:{first}–{last}, with a password")
                    if self.spec.password else N_("{backend} cluster: {shape} on {host}:{first}–{last}"))
        return _(template, backend=self.backend, shape=self.spec.describe(), host=HOST,
                 first=ports[0], last=ports[-1])

    def save(self, home: Path) -> None:
        """Write state.json atomically, so a reader never sees half a file."""
        home.mkdir(parents=True, exist_ok=True)
        tmp = home / "state.json.tmp"
        tmp.write_text(json.dumps(asdict(self), indent=2))
        os.replace(tmp, home / "state.json")

    @classmethod
    def load(cls, home: Path) -> "ClusterState | None":
        """Read state.json, or None when there is none.

        A file that is not the workshop's state (not JSON, another program's, keys missing
        or of the wrong type) raises UnreadableState, which says what to do.
        """
        path = home / "state.json"
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:  # a folder, no permission, not JSON, not UTF-8
            raise UnreadableState(path, f"{error.__class__.__name__}: {error}") from None
        try:
            return cls._from_json(raw)
        except (KeyError, TypeError, ValueError) as error:
            reason = (_("key {key} is missing", key=str(error)) if isinstance(error, KeyError)
                      else error.args[0] if error.args else str(error))
            raise UnreadableState(path, reason) from None

    @classmethod
    def _from_json(cls, raw: object) -> "ClusterState":
        """The state a `save` wrote, checked field by field (ValueError, TypeError or KeyError)."""
        def expect(value: object, kind: type | tuple, what: str) -> object:
            if isinstance(value, bool) or not isinstance(value, kind):
                raise TypeError(_(_EXPECTED[kind], what=what, value=json.dumps(value)[:40]))
            return value

        expect(raw, dict, _("the file"))
        if raw["backend"] not in ("local", "docker"):  # an external cluster is never saved
            raise ValueError(_("backend {value} is none of the workshop's (local, docker)",
                               value=json.dumps(raw["backend"])[:40]))
        spec = expect(raw["spec"], dict, "spec")
        fields = {name: expect(spec[name], int, f"spec.{name}")
                  for name in ("masters", "replicas", "base_port", "node_timeout")}
        fields["password"] = expect(spec.get("password"), (str, type(None)), "spec.password")
        fields["tls"] = spec.get("tls", False)
        if not isinstance(fields["tls"], bool):
            raise TypeError(_("{what} is {value}, not true or false", what="spec.tls",
                              value=json.dumps(fields["tls"])[:40]))
        pids = {}
        for port, pid in expect(raw.get("pids", {}), dict, "pids").items():
            if not port.isdigit():
                raise ValueError(_("pids key {value} is not a port number", value=json.dumps(port)[:40]))
            pids[int(port)] = expect(pid, int, f"pids.{port}")
        spec = ClusterSpec(**fields)
        # Not spec.check(): notebook 05's extra master is saved as a one-master spec.
        if spec.masters < 1 or spec.replicas < 0 or not 0 < spec.base_port <= 65536 - spec.size:
            raise ValueError(_("spec {value} is not a cluster's shape", value=json.dumps(raw["spec"])[:120]))
        return cls(backend=raw["backend"], spec=spec, pids=pids,
                   project=expect(raw.get("project"), (str, type(None)), "project"),
                   url=expect(raw.get("url"), (str, type(None)), "url"),
                   certificates=expect(raw.get("certificates"), (str, type(None)), "certificates"))


# UnreadableState's reasons for a value of the wrong type, by the type `_from_json` expected.
_EXPECTED = {int: N_("{what} is {value}, not a whole number"),
             dict: N_("{what} is {value}, not an object"),
             (str, type(None)): N_("{what} is {value}, not text or null")}


class UnreadableState(WorkshopError):
    """state.json is there but is not the workshop's state: corrupt, another program's, or hand-edited."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(_(
            "{path} cannot be read as the workshop's cluster state ({reason}). Check that "
            "WORKSHOP_HOME names the workshop's folder. If it does, run "
            "`python -m helpers down --purge`: it sets the file aside as state.json.unreadable "
            "and removes the nodes' data (it refuses while a node of that folder still runs); "
            "then `python -m helpers up` starts a new cluster.", path=path, reason=reason))


class Backend(ABC):
    """Starts, finds and stops the nodes of one cluster, and breaks them on purpose.

    `home` is where the cluster's state.json lives: WORKSHOP_HOME for the workshop's
    cluster, a folder inside it for the course-shaped nodes of notebooks 01 and 05.
    The fault operations (notebook 05, through helpers.faults) name a node by its port;
    `state` is read once by the caller and passed in.
    """

    name: str

    def __init__(self, settings: Settings, home: Path | None = None) -> None:
        self.settings = settings
        self.home = home or settings.home

    def tool_certificates(self, state: ClusterState) -> str | None:
        """The folder of a TLS cluster's ca.crt and client.crt/.key as seen where Redis's own
        programs run (helpers.tools.login_options); None for a plain cluster."""
        return state.certificates

    @abstractmethod
    def start(self, state: ClusterState) -> ClusterState:
        """Start whatever nodes of `state` are not running, build the cluster if new, wait for ready."""

    @abstractmethod
    def stop(self, state: ClusterState, purge: bool) -> None:
        """Stop every node; with purge, remove their data too."""

    @abstractmethod
    def running_ports(self, state: ClusterState) -> list[int]:
        """Ports of the nodes that are running now."""

    @abstractmethod
    def kill(self, state: ClusterState, ports: list[int]) -> None:
        """Kill the nodes at once, as a crash would: no goodbye, no save. Every node gets its
        signal before this waits for any of them to be gone."""

    @abstractmethod
    def pause(self, state: ClusterState, port: int) -> None:
        """Freeze the node: it holds its connections but answers nothing."""

    @abstractmethod
    def resume(self, state: ClusterState, port: int) -> None:
        """Unfreeze a paused node."""

    @abstractmethod
    def restart(self, state: ClusterState, port: int, timeout: float = 30.0) -> None:
        """Start a killed node again with its data; return once it answers."""

    # Nodes beside the cluster: the course's empty nodes (notebooks 01 and 05), the two extra
    # nodes of notebook 05's scaling lab, and one plain Redis for its benchmark. `down` stops them all.
    @abstractmethod
    def start_empty_nodes(self, state: ClusterState) -> ClusterState:
        """Start the course's three empty cluster-enabled nodes beside `state`'s cluster, as the
        course's `docker-compose up` gives them: no cluster yet, no password. Their state goes
        to EMPTY_NODES under this backend's home."""

    @abstractmethod
    def stop_empty_nodes(self, course: ClusterState) -> None:
        """Stop what `start_empty_nodes` started and remove its data."""

    @abstractmethod
    def start_extra_nodes(self, state: ClusterState) -> list[int]:
        """Start two empty nodes with the cluster's settings (password, timeout), not yet in the
        cluster, beside `state`'s nodes; return their ports (EXTRA_NODE_COUNT of them)."""

    @abstractmethod
    def extra_nodes(self, state: ClusterState) -> list[int]:
        """Ports of the extra nodes `start_extra_nodes` started and that still run."""

    @abstractmethod
    def stop_extra_nodes(self, state: ClusterState) -> None:
        """Stop the extra nodes and remove their data (helpers.scaling.stop_extra_nodes; `down`
        removes them too, with the nodes beside the cluster)."""

    @abstractmethod
    def plain_server(self, state: ClusterState) -> AbstractContextManager[int]:
        """One plain redis-server beside the cluster (no cluster, no persistence), reachable from
        this machine, for as long as the `with` block lasts: its port."""

    @abstractmethod
    def node_file(self, state: ClusterState, port: int, name: str) -> str:
        """The text of a file in the node's own data directory (its `dir`), such as the
        nodes.conf notebook 01 prints."""

    # Redis's own programs (redis-cli, redis-benchmark) run where the nodes run.
    @abstractmethod
    def tool_prefix(self, state: ClusterState, program: str, terminal: bool = False,
                    environment: dict[str, str] | None = None) -> list[str]:
        """What goes before `program` on a command line so that it runs where the nodes run
        and reaches them at 127.0.0.1: nothing locally, `docker exec CONTAINER` on Docker.
        `terminal`: the program gets the caller's terminal (`docker exec -it`); `environment`:
        variables it must see where it runs (the caller's own environment, locally). A
        WorkshopError when the program cannot run there."""

    # Network partitions (notebook 06): the cluster bus between two sets of nodes, cut and healed.
    @abstractmethod
    def isolate(self, state: ClusterState, ports: list[int]) -> None:
        """Cut the cluster bus between the nodes on `ports` and the others, both ways, or heal
        it when `ports` is empty; a WorkshopError saying why where the backend cannot."""

    @abstractmethod
    def isolated(self, state: ClusterState) -> list[int]:
        """The ports of the nodes `isolate` cut off, [] when none is."""

    def check_node(self, state: ClusterState, port: int) -> None:
        """Raise a WorkshopError unless a node of `state` listens on `port`."""
        if port not in state.spec.ports:
            raise WorkshopError(_("No node of this cluster listens on port {port}; its ports are "
                                  "{first}–{last}.", port=port, first=state.spec.ports[0],
                                  last=state.spec.ports[-1]))


# ---- ports -------------------------------------------------------------------------------------

def port_is_free(port: int, host: str = HOST) -> bool:
    """True when nothing listens on host:port (TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_holder(port: int) -> str | None:
    """'pid 123 (redis-server)' for the process listening on port, when Linux's /proc tells."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            return None
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(cols[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    name = (proc / "comm").read_text().strip()
                    return f"pid {proc.name} ({name})"
        except OSError:
            continue
    return None


def check_ports_free(ports: list[int], offsets: tuple[int, ...] = (0, 10000)) -> None:
    """Raise a WorkshopError naming the first busy port among `ports` + each of `offsets` (the
    nodes, their bus, the bus behind the relay), and who holds it."""
    roles = {0: N_("node"), 10000: N_("cluster bus of node {port}"),
             20000: N_("cluster bus of node {port}, behind the relay")}
    for port in ports:
        for offset in offsets:
            if not port_is_free(port + offset):
                holder = port_holder(port + offset)
                said = dict(port=port + offset, role=_(roles[offset], port=port), base_port=_suggest(ports))
                if holder:
                    raise WorkshopError(_(
                        "Port {port} ({role}) is already in use, held by {holder}. Stop what holds "
                        "it, or start the workshop on other ports: python -m helpers up --base-port "
                        "{base_port}", holder=holder, **said))
                raise WorkshopError(_(
                    "Port {port} ({role}) is already in use. Stop what holds it, or start the "
                    "workshop on other ports: python -m helpers up --base-port {base_port}", **said))


def _suggest(ports: list[int]) -> int:
    """A base port with len(ports) free node and bus ports, to put in an error message."""
    above = ports[-1] + 1  # with its bus ports below Linux's ephemeral ports (32768 and up)
    fits_above = above + len(ports) - 1 + BUS_OFFSETS[-1] < 32768
    return find_free_base_port(len(ports), start=above if fits_above else 7000)


def find_free_base_port(count: int, start: int = 20000) -> int:
    """The first base port from `start` where count node ports and their bus ports are free."""
    base = start
    while base + count - 1 + BUS_OFFSETS[-1] <= 65535:
        if all(port_is_free(p + offset) for p in range(base, base + count) for offset in (0, *BUS_OFFSETS)):
            return base
        base += count
    raise WorkshopError(_("No free ports found for a cluster on 127.0.0.1."))


# ---- readiness ---------------------------------------------------------------------------------

def node_client(host: str, port: int, login: Credentials | str | None = None,
                timeout: float = 2.0) -> "redis.Redis":
    """A redis-py client to one node (not the cluster), for administration commands; `login` is
    a cluster's `ClusterState.login` (password and TLS) or a bare password."""
    import redis
    return redis.Redis(host=host, port=port, socket_timeout=timeout, socket_connect_timeout=timeout,
                       decode_responses=True, **as_credentials(login).redis_options())


def readiness(probes: dict[tuple[str, int], Connection], spec: ClusterSpec) -> list[str]:
    """What still keeps the cluster from being ready: one line per problem, empty when ready.

    Ready means every node answers and reports cluster_state:ok; every node sees the same
    number of masters and replicas as the spec, none of them failing or still in handshake
    (the roles spread by gossip, so a node can lag behind the others); and every replica's
    link to its master is up.
    """
    problems, masters = [], 0
    for (host, port), probe in probes.items():
        address = f"{host}:{port}"
        try:
            info, nodes, replication = probe.ask(("CLUSTER", "INFO"), ("CLUSTER", "NODES"),
                                                 ("INFO", "replication"))
        except ReplyError as error:  # Redis's own words, after ours
            if error.code in ("WRONGPASS", "NOAUTH"):
                problems.append(_("{address} refuses our password: {error}", address=address, error=str(error)))
            else:
                problems.append(_("{address} answers with an error: {error}", address=address, error=str(error)))
            continue
        except TlsError as error:  # a certificate refused, or TLS on one side only: say so at once
            raise WorkshopError(*error.args) from None
        except OSError as error:
            problems.append(_("{address} does not answer: {error}", address=address, error=str(error)))
            continue
        info, replication = parse_info(info), parse_info(replication)
        if info.get("cluster_state") != "ok":
            problems.append(_("{address} reports cluster_state:{state}", address=address,
                              state=info.get("cluster_state")))
        view = parse_cluster_nodes(nodes)
        seen_masters = sum(node.is_master for node in view)
        seen_replicas = sum(node.is_replica for node in view)
        unsettled = sum(node.unsettled for node in view)
        if seen_masters + seen_replicas > spec.size:  # failing or not: not the cluster's own
            problems.append(extra_nodes_joined(address, seen_masters, seen_replicas))
        elif (seen_masters, seen_replicas, unsettled) != (spec.masters, spec.masters * spec.replicas, 0):
            problems.append(_n("{address} sees {masters} masters and {count} replica ({unsettled} failing or joining)",
                               "{address} sees {masters} masters and {count} replicas ({unsettled} failing or joining)",
                               seen_replicas, address=address, masters=seen_masters, unsettled=unsettled))
        if replication.get("role") == "master":
            masters += 1
        elif replication.get("master_link_status") != "up":
            problems.append(_("{address} (replica) has its link to its master down", address=address))
    if not problems and masters != spec.masters:
        problems.append(_("{masters} masters answer, {expected} expected", masters=masters, expected=spec.masters))
    return problems


def extra_nodes_joined(address: str, masters: int, replicas: int) -> Message:
    """`readiness`'s problem when a node sees more nodes than the cluster was started with (notebook
    05's scaling lab, left before its last cells): `wait_until_ready` then stops waiting."""
    return _n("{address} sees {masters} masters and {count} replica, more nodes than the cluster was "
              "started with",
              "{address} sees {masters} masters and {count} replicas, more nodes than the cluster was "
              "started with", replicas, address=address, masters=masters)


def wait_until_ready(state: ClusterState, timeout: float = 60.0, poll: float = 0.02) -> None:
    """Return when the cluster is ready (see `readiness`); raise a WorkshopError after timeout."""
    spec = state.spec
    probes = {address: Connection(*address, state.login) for address in state.addresses}
    began = time.monotonic()
    deadline, extra_since = began + timeout, None
    try:
        while True:
            problems = readiness(probes, spec)
            if not problems:
                return
            joined = extra_nodes_joined("", 0, 0).id  # recognised by its identity, in any language
            extra = next((problem for problem in problems if getattr(problem, "id", None) == joined), None)
            extra_since = (extra_since or time.monotonic()) if extra else None
            if extra_since and time.monotonic() - extra_since > EXTRA_NODES_PATIENCE:
                raise WorkshopError(_(
                    "{problem}. Notebook 05's scaling lab adds two; its last cells remove them "
                    "(redis-cli --cluster del-node). Or start afresh, which deletes the data: "
                    "python -m helpers down --purge, then python -m helpers up", problem=extra))
            if time.monotonic() > deadline:
                raise WorkshopError(_("The cluster was not ready after {timeout:.0f} s: {problems}",
                                      timeout=timeout, problems="; ".join(problems[:4])))
            time.sleep(poll)
    finally:
        for probe in probes.values():
            probe.close()


def admin(port: int, state: ClusterState) -> closing[Connection]:
    """`with admin(port, state) as node:` a short-lived connection to one node of `state`, with
    its password (notebook 05's scaling lab and 06's partitions ask each node in turn)."""
    return closing(Connection(HOST, port, state.login, timeout=5.0))


def wait_answering(port: int, password: Credentials | str | None, timeout: float = 30.0) -> None:
    """Return once the node on `port` answers PING, which it refuses with -LOADING until its data
    is in memory (as the local backend waits); a WorkshopError after `timeout` seconds. For the
    docker backend's restarted nodes and the nodes it starts beside the cluster (notebooks 01
    and 05): a node still loading would refuse the CLUSTER FORGET of redis-cli's del-node."""
    probe = Connection(HOST, port, password, timeout=0.5)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                probe.ask(("PING",))
                return
            except TlsError as error:
                raise WorkshopError(*error.args) from None
            except (OSError, ReplyError):
                if time.monotonic() > deadline:
                    raise WorkshopError(_("The node on port {port} did not answer within "
                                          "{timeout:.0f} s.", port=port, timeout=timeout)) from None
            time.sleep(0.05)
    finally:
        probe.close()


def slot_owners(ports: Iterable[int], password: Credentials | str | None = None,
                host: str = HOST) -> dict[int, int]:
    """slot -> port of the master serving it, from CLUSTER SLOTS of the first node that answers.

    Asked over a bare connection with a short timeout, so it works while nodes are dying
    (notebook 05's failover lab and resharding).
    """
    for port in ports:
        node = Connection(host, port, password, timeout=0.3)
        try:
            ranges = node.ask(("CLUSTER", "SLOTS"))[0]
        except (OSError, ReplyError):
            continue
        finally:
            node.close()
        return {slot: int(master[1]) for first, last, master, *_ in ranges
                for slot in range(first, last + 1)}
    return {}
