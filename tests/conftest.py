"""Fixtures shared by every test layer: a private WORKSHOP_HOME on free ports, and the CLI.

No test touches the user's own workshop (.workshop/, ports 7000–7005): each gets a
temporary home and ports found free, and stops and removes what it started.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.cluster.base import find_free_base_port

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when a tool is missing on a laptop; fail in CI, where no layer may skip."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: .ci/run must install it")
        pytest.skip(reason)


@pytest.fixture
def workshop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A temporary WORKSHOP_HOME and a free base port (room for 9 nodes), set in os.environ.

    Yields the environment for subprocesses; afterwards stops and purges whatever runs there.
    """
    env = {"WORKSHOP_HOME": str(tmp_path / "home"),
           # Node ports 20000-22000: their bus ports (+10000) stay below Linux's ephemeral range.
           "WORKSHOP_BASE_PORT": str(find_free_base_port(9, start=20000 + os.getpid() % 40 * 50)),
           "WORKSHOP_BACKEND": "auto"}
    for key in ("REDIS_CLUSTER_URL", "WORKSHOP_MASTERS", "WORKSHOP_REPLICAS", "WORKSHOP_NODE_TIMEOUT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield dict(os.environ)
    from helpers import down
    monkeypatch.delenv("REDIS_CLUSTER_URL", raising=False)
    down(purge=True)


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
def cluster(workshop, redis_server):
    """A running 3x1 cluster (node timeout 2 s, so failovers are quick) and a client: (state, rc)."""
    import helpers
    state = helpers.up(node_timeout=2000)
    rc = helpers.connect()
    yield state, rc
    rc.close()
