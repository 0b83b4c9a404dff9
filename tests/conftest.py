"""Fixtures shared by every test layer: a private WORKSHOP_HOME on free ports, the CLI, and clusters.

No test touches the user's own workshop (.workshop/, ports 7000–7005): each gets a
temporary home and ports found free, and stops and removes what it started.

Two kinds of cluster, so that a test says which it needs:
- `shared_cluster` (and `shared_password_cluster`): one 3x1 cluster for the whole session, for the
  tests that break nothing. Each such test starts on it empty, as if fresh (see `SharedCluster`),
  and after each the cluster must still be whole, or that test fails, named.
- `own_cluster`: a fresh 3x1 cluster for one test, for the tests that kill, pause, restart,
  reshard or otherwise change the topology.
A cold start costs at least 2 s (a master waits 2 s before it reports cluster_state:ok).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers.cluster.base import find_free_base_port
from helpers.cluster.docker import PUBLISHED

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"
# The helpers speak English in the tests unless a test (or the French notebooks' pass) asks for
# French: a developer's French locale does not change what they check.
os.environ.setdefault("WORKSHOP_LANG", "en")
# Settings a test's cluster must not inherit from the shell that runs pytest.
FOREIGN_SETTINGS = ("REDIS_CLUSTER_URL", "WORKSHOP_MASTERS", "WORKSHOP_REPLICAS", "WORKSHOP_NODE_TIMEOUT")


def require(condition: bool, reason: str) -> None:
    """Skip when a tool is missing on a laptop; fail in CI, where no layer may skip."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: .ci/run must install it")
        pytest.skip(reason)


def private_settings(home: Path, start: int) -> dict[str, str]:
    """WORKSHOP_* settings for a cluster of the tests: its own home, a free base port (room for the
    ports the docker backend publishes)."""
    # Node ports 9000-13000: their bus ports (+10000, and +20000 behind the relay) stay below
    # Linux's ephemeral range (32768 and up).
    return {"WORKSHOP_HOME": str(home), "WORKSHOP_BASE_PORT": str(find_free_base_port(PUBLISHED, start=start)),
            "WORKSHOP_BACKEND": "auto"}


@contextmanager
def environment(settings: dict[str, str]) -> Iterator[None]:
    """os.environ with `settings` and without FOREIGN_SETTINGS, as it was again afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        for key in FOREIGN_SETTINGS:
            patch.delenv(key, raising=False)
        for key, value in settings.items():
            patch.setenv(key, value)
        yield


@pytest.fixture
def workshop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A temporary WORKSHOP_HOME and a free base port (room for 9 nodes), set in os.environ.

    Yields the environment for subprocesses; afterwards stops and purges whatever runs there.
    """
    for key in FOREIGN_SETTINGS:
        monkeypatch.delenv(key, raising=False)
    for key, value in private_settings(tmp_path / "home", 10000 + os.getpid() % 40 * 50).items():
        monkeypatch.setenv(key, value)
    yield dict(os.environ)
    from helpers import down
    monkeypatch.delenv("REDIS_CLUSTER_URL", raising=False)
    down(purge=True)


def wait_until(condition, limit: float = 20.0) -> bool:
    """Poll `condition` every 0.05 s for at most `limit` seconds; return its last answer (what a
    server does after a socket closes, or a dashboard after a node dies, shows a moment later)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m helpers ARGS` as a user would; never raises on a non-zero exit."""
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=REPO, env=env or dict(os.environ),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def redis_server() -> str:
    """Path of redis-server (skips on a laptop without one, fails in CI)."""
    found = shutil.which("redis-server")
    require(found is not None, "redis-server is not installed")
    return found


@pytest.fixture
def own_cluster(workshop, redis_server):
    """A fresh 3x1 cluster for this test alone (node timeout 2 s, so failovers are quick) and a
    client: (state, rc). For tests that kill, pause, restart, reshard or change the topology."""
    import helpers
    state = helpers.up(node_timeout=2000)
    rc = helpers.connect()
    yield state, rc
    rc.close()


# ---- the session's shared clusters ------------------------------------------------------------

SHARED_PASSWORD = "s3cret"  # the default user's, on shared_password_cluster


class SharedCluster:
    """A 3x1 cluster (node timeout 2 s) that lives for the whole session, in its own home.

    Before each test that uses it, it is as a fresh one: `reset` empties it and puts back what
    tests may change on a node (ACL users and the ACL file, CONFIG SET, scripts and functions,
    client pauses, clients and their names, slow log, statistics). After each test, `damage` must
    find it whole: the same six processes, the same roles and slots, ready.
    """

    def __init__(self, home: Path, password: str | None) -> None:
        self.password = password
        self.settings = private_settings(home, 12500 + os.getpid() % 10 * 50)
        self.state = None
        self.baseline: dict = {}

    def start(self) -> None:
        """Start it (the first test that needs it, or the next after one that broke it)."""
        import helpers
        with environment(self.settings):
            self.state = helpers.up(node_timeout=2000, password=self.password)
        self.baseline = {"nodes": self._topology(), "pids": dict(self.state.pids),
                         **{port: self._node_facts(port) for port in self.state.spec.ports}}

    def stop(self) -> None:
        from helpers import down
        with environment(self.settings):
            down(purge=True)
        self.state = None

    def _client(self, port: int):
        import redis
        return redis.Redis(port=port, password=self.password, socket_timeout=10.0, decode_responses=True)

    def _node_facts(self, port: int) -> dict:
        """What a test may change on one node and `reset` puts back."""
        node = self._client(port)
        try:
            acl_file = Path(node.config_get("aclfile")["aclfile"])
            return {"acl": node.acl_list(), "acl file": acl_file.read_bytes(), "acl path": acl_file,
                    "config": node.config_get("*")}
        finally:
            node.close()

    def _topology(self) -> list[tuple]:
        """Each node's id, address, role, master and slots, as the first node sees them."""
        node = self._client(self.state.spec.ports[0])
        try:
            lines = node.execute_command("CLUSTER", "NODES").splitlines()
        finally:
            node.close()
        shape = []
        for fields in (line.split() for line in lines):
            role = "master" if "master" in fields[2] else "replica" if "slave" in fields[2] else fields[2]
            shape.append((fields[0], fields[1].split("@")[0], role, fields[3], tuple(fields[8:])))
        return sorted(shape)

    def damage(self) -> list[str]:
        """What is no longer as it was at start: empty when the cluster is whole."""
        import helpers
        from helpers.cluster.local import is_node_process
        dead = [port for port, pid in self.baseline["pids"].items() if not is_node_process(pid, port)]
        if dead:
            return [f"node(s) {dead} no longer run as the processes started"]
        with environment(self.settings):
            report = helpers.status()
        problems = list(report.get("problems") or ([] if report.get("ready") else ["not ready"]))
        roles = [node["role"] for node in report["nodes"]]
        if roles != ["master"] * 3 + ["slave"] * 3:
            problems.append(f"roles by port are {roles}, not 3 masters then 3 replicas")
        if not problems and self._topology() != self.baseline["nodes"]:
            problems.append("CLUSTER NODES differs from the start (nodes, roles or slots)")
        return problems

    def reset(self) -> list[str]:
        """Make it as fresh again (see the class docstring); what could not be put back."""
        ports, masters = self.state.spec.ports, self.state.spec.ports[:3]
        problems = []
        for port in ports:
            node, facts = self._client(port), self.baseline[port]
            try:
                node.execute_command("CLIENT", "UNPAUSE")
                node.client_kill_filter(_type="normal", skipme=True)  # MONITOR, names, subscribers
                node.client_kill_filter(_type="pubsub", skipme=True)
                node.script_flush()
                node.slowlog_reset()
                node.config_resetstat()
                if port in masters:
                    node.function_flush()  # replicated, as FLUSHALL
                    node.flushall()
                    if node.execute_command("WAIT", 1, 10000) != 1:
                        problems.append(f"the replica of {port} did not confirm the FLUSHALL")
                for user in set(node.acl_users()) - {line.split()[1] for line in facts["acl"]}:
                    node.acl_deluser(user)
                if node.acl_list() != facts["acl"]:
                    for line in facts["acl"]:
                        _, name, *rules = line.split()
                        node.execute_command("ACL", "SETUSER", name, "reset", *rules)
                if facts["acl path"].read_bytes() != facts["acl file"]:
                    facts["acl path"].write_bytes(facts["acl file"])
                config = node.config_get("*")
                for key, value in facts["config"].items():
                    if config.get(key) != value:
                        node.config_set(key, value)
                if (node.acl_list(), node.config_get("*")) != (facts["acl"], facts["config"]):
                    problems.append(f"ACL users or CONFIG of {port} could not be put back")
                if node.dbsize():
                    problems.append(f"{port} still holds keys after FLUSHALL")
            finally:
                node.close()
        return problems


@contextmanager
def serving(shared: SharedCluster, request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch | None = None) -> Iterator[tuple]:
    """A shared cluster for one test, and a client: (state, rc); checked and reset afterwards.

    With `monkeypatch`, its settings are in os.environ during the test, so helpers.up() and
    connect() find it; without, the test reaches it only by its address (REDIS_CLUSTER_URL).
    """
    import helpers
    if shared.state is None:
        shared.start()
    if monkeypatch is not None:
        for key in FOREIGN_SETTINGS:
            monkeypatch.delenv(key, raising=False)
        for key, value in shared.settings.items():
            monkeypatch.setenv(key, value)
    with environment(shared.settings):
        rc = helpers.connect()
    yield shared.state, rc
    rc.close()
    damage = shared.damage()
    if damage:
        shared.stop()  # the next test gets a fresh one: one broken test, one failure
        pytest.fail(f"{request.node.nodeid} broke the shared cluster: {'; '.join(damage)}. A test that "
                    "kills, pauses, restarts, reshards or changes the topology must use own_cluster.",
                    pytrace=False)
    leftovers = shared.reset()
    if leftovers:
        shared.stop()
        pytest.fail(f"{request.node.nodeid} left the shared cluster in a state the reset cannot undo: "
                    f"{'; '.join(leftovers)}. Use own_cluster, or undo it in the test.", pytrace=False)


@pytest.fixture(scope="session")
def _shared_cluster(tmp_path_factory) -> Iterator[SharedCluster]:
    shared = SharedCluster(tmp_path_factory.mktemp("shared-cluster") / "home", password=None)
    yield shared
    if shared.state is not None:
        shared.stop()


@pytest.fixture(scope="session")
def _shared_password_cluster(tmp_path_factory) -> Iterator[SharedCluster]:
    shared = SharedCluster(tmp_path_factory.mktemp("shared-password-cluster") / "home",
                           password=SHARED_PASSWORD)
    yield shared
    if shared.state is not None:
        shared.stop()


@pytest.fixture
def shared_cluster(_shared_cluster, redis_server, request, monkeypatch):
    """The session's 3x1 cluster without a password, empty, and a client: (state, rc).

    Only for tests that break nothing: after the test it must still be whole (see SharedCluster).
    Its settings are in os.environ during the test, so helpers.up() and connect() find it.
    """
    with serving(_shared_cluster, request, monkeypatch) as served:
        yield served


@pytest.fixture
def shared_password_cluster(_shared_password_cluster, redis_server, request, monkeypatch):
    """As shared_cluster, with the password SHARED_PASSWORD for the default user: (state, rc)."""
    with serving(_shared_password_cluster, request, monkeypatch) as served:
        yield served
