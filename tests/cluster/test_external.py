"""The external backend: any cluster given by REDIS_CLUSTER_URL, checked, never started or stopped.

The "external" cluster here is a password-protected local one, reached only through its URL.
"""
from __future__ import annotations

import pytest

import helpers
from helpers.cluster.base import find_free_base_port
from tests.conftest import cli


@pytest.fixture
def protected(workshop, redis_server) -> int:
    """A running cluster with a password; returns its first port."""
    state = helpers.up(password="s3cret")
    return state.spec.base_port


def test_a_url_with_the_right_password_connects(protected, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_CLUSTER_URL", f"redis://default:s3cret@127.0.0.1:{protected}")
    state = helpers.up()
    assert repr(state) == (f"external cluster at redis://default:***@127.0.0.1:{protected}: "
                           "3 masters × 1 replica")
    rc = helpers.connect()
    rc.set("via", "url")
    assert rc.get("via") == "url"
    rc.close()


def test_a_wrong_password_is_a_clear_error(protected, workshop) -> None:
    env = dict(workshop, REDIS_CLUSTER_URL=f"redis://default:wrong@127.0.0.1:{protected}")
    result = cli("up", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "refused the user or password" in result.stderr and "wrong" not in result.stderr


def test_a_missing_password_is_a_clear_error(protected, workshop) -> None:
    env = dict(workshop, REDIS_CLUSTER_URL=f"redis://127.0.0.1:{protected}")
    result = cli("up", env=env)
    assert result.returncode == 1 and "refused the user or password" in result.stderr


def test_an_unreachable_url_is_a_clear_error(workshop) -> None:
    port = find_free_base_port(1, start=41000)  # nothing listens there
    result = cli("up", env=dict(workshop, REDIS_CLUSTER_URL=f"redis://127.0.0.1:{port}"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"Could not connect to redis://127.0.0.1:{port}" in result.stderr


def test_a_url_that_is_not_redis_is_a_clear_error(workshop) -> None:
    result = cli("up", env=dict(workshop, REDIS_CLUSTER_URL="http://127.0.0.1:7000"))
    assert result.returncode == 1 and "is not a Redis URL" in result.stderr


def test_down_never_stops_an_external_cluster(protected, workshop, tmp_path) -> None:
    env = dict(workshop, WORKSHOP_HOME=str(tmp_path / "other-home"),
               REDIS_CLUSTER_URL=f"redis://default:s3cret@127.0.0.1:{protected}")
    result = cli("down", env=env)
    assert result.returncode == 0 and "never stops" in result.stdout
    assert helpers.status()["ready"]
