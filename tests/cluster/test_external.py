"""The external backend: any cluster given by REDIS_CLUSTER_URL, checked, never started or stopped.

The "external" cluster here is a password-protected local one, reached only through its URL.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import redis

import helpers
from helpers.cluster.base import find_free_base_port
from helpers.cluster.external import external_status
from tests.conftest import cli, serving
from tests.messages import message_of, said


@pytest.fixture
def protected(shared_password_cluster) -> int:
    """A running cluster with the password s3cret, set up in WORKSHOP_HOME; returns its first port."""
    state, _ = shared_password_cluster
    assert state.spec.password == "s3cret"
    return state.spec.base_port


def refusal_of_up(monkeypatch, url: str, **arguments) -> helpers.WorkshopError:
    """The error `up(**arguments)` raises in this process for REDIS_CLUSTER_URL=url: the message
    the command line prints, with its identity."""
    monkeypatch.setenv("REDIS_CLUSTER_URL", url)
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.up(**arguments)
    return caught.value


def test_a_url_with_the_right_password_connects(protected, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_CLUSTER_URL", f"redis://default:s3cret@127.0.0.1:{protected}")
    state = helpers.up()
    assert repr(state) == (f"external cluster at redis://default:***@127.0.0.1:{protected}: "
                           "3 masters × 1 replica")
    rc = helpers.connect()
    rc.set("via", "url")
    assert rc.get("via") == "url"
    rc.close()


def test_a_wrong_password_is_a_clear_error(protected, monkeypatch) -> None:
    url = f"redis://default:wrong@127.0.0.1:{protected}"
    result = cli("up", env=dict(os.environ, REDIS_CLUSTER_URL=url))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    error = refusal_of_up(monkeypatch, url)
    assert said(error, "The cluster at {where} refused the user or password",
                where=f"redis://default:***@127.0.0.1:{protected}")
    assert str(error) in result.stderr and "wrong" not in result.stderr


def test_a_missing_password_is_a_clear_error(protected, monkeypatch) -> None:
    url = f"redis://127.0.0.1:{protected}"
    result = cli("up", env=dict(os.environ, REDIS_CLUSTER_URL=url))
    error = refusal_of_up(monkeypatch, url)
    assert said(error, "The cluster at {where} refused the user or password", where=url)
    assert result.returncode == 1 and str(error) in result.stderr


def test_an_unreachable_url_is_a_clear_error(workshop, monkeypatch) -> None:
    port = find_free_base_port(1, start=41000)  # nothing listens there
    url = f"redis://127.0.0.1:{port}"
    result = cli("up", env=dict(workshop, REDIS_CLUSTER_URL=url))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    error = refusal_of_up(monkeypatch, url)
    assert said(error, "Could not connect to {where}", where=url, cause="[Errno 111] Connection refused")
    assert str(error) in result.stderr


def test_a_url_that_is_not_redis_is_a_clear_error(workshop, monkeypatch) -> None:
    result = cli("up", env=dict(workshop, REDIS_CLUSTER_URL="http://127.0.0.1:7000"))
    error = refusal_of_up(monkeypatch, "http://127.0.0.1:7000")
    assert said(error, "REDIS_CLUSTER_URL={url!r} is not a Redis URL", url="http://127.0.0.1:7000")
    assert result.returncode == 1 and str(error) in result.stderr


def test_down_never_stops_an_external_cluster(protected, tmp_path) -> None:
    env = dict(os.environ, WORKSHOP_HOME=str(tmp_path / "other-home"),
               REDIS_CLUSTER_URL=f"redis://default:s3cret@127.0.0.1:{protected}")
    result = cli("down", env=env)
    assert result.returncode == 0 and "never stops" in result.stdout
    assert helpers.status()["ready"]


@pytest.fixture
def elsewhere(workshop, _shared_password_cluster, request):
    """A cluster the workshop started in another WORKSHOP_HOME than the test's, with the password
    s3cret: yields its URL. The session's shared one: the tests below only read it, or add users."""
    with serving(_shared_password_cluster, request) as (state, _):
        assert state.spec.password == "s3cret"
        yield f"redis://default:s3cret@127.0.0.1:{state.spec.base_port}"


@pytest.fixture
def own_elsewhere(workshop, redis_server, tmp_path):
    """As `elsewhere`, a cluster of this test alone (which kills one of its nodes): yields its URL."""
    base = find_free_base_port(6, start=int(workshop["WORKSHOP_BASE_PORT"]) + 20)
    env = dict(workshop, WORKSHOP_HOME=str(tmp_path / "elsewhere"), WORKSHOP_BASE_PORT=str(base))
    started = cli("up", "--password", "s3cret", env=env)
    assert started.returncode == 0, started.stderr
    yield f"redis://default:s3cret@127.0.0.1:{base}"
    assert cli("down", "--purge", env=env).returncode == 0


def test_with_a_url_up_connect_status_and_down_all_mean_its_cluster(elsewhere, workshop,
                                                                     monkeypatch) -> None:
    local = helpers.up()  # a workshop cluster in WORKSHOP_HOME too: the URL must win over it
    external_base = int(elsewhere.rsplit(":", 1)[1])
    env = dict(workshop, REDIS_CLUSTER_URL=elsewhere)
    monkeypatch.setenv("REDIS_CLUSTER_URL", elsewhere)

    started = cli("up", env=env)
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith(f"Ready: external cluster at redis://default:***@127.0.0.1:"
                                     f"{external_base}: 3 masters × 1 replica")
    rc = helpers.connect()
    rc.set("meant", "external")
    owner = int(rc.get_node_from_key("meant").port)
    rc.close()
    assert owner in range(external_base, external_base + 6)

    report = json.loads(cli("status", "--json", env=env).stdout)
    assert report["url"] == f"redis://default:***@127.0.0.1:{external_base}" and report["ready"]
    assert sorted(node["address"] for node in report["nodes"]) == [
        f"127.0.0.1:{port}" for port in range(external_base, external_base + 6)]
    assert sorted(node["role"] for node in report["nodes"]) == ["master"] * 3 + ["slave"] * 3
    text = cli("status", env=env)
    assert text.returncode == 0 and "s3cret" not in text.stdout
    assert text.stdout.splitlines()[0] == (f"external cluster at redis://default:***@127.0.0.1:"
                                           f"{external_base}, 3 masters × 1 replica(s), ready")

    stopped = cli("down", "--purge", env=env)
    assert stopped.returncode == 0
    assert stopped.stdout.startswith("Nothing to stop: the cluster at redis://default:***@")
    assert f"A workshop cluster is also set up in {workshop['WORKSHOP_HOME']}" in stopped.stdout
    assert helpers.status()["ready"]  # the external one still runs...
    monkeypatch.delenv("REDIS_CLUSTER_URL")
    assert helpers.status()["ready"] and helpers.status()["base_port"] == local.spec.base_port
    rc = helpers.connect()  # ...and so does the local one, which never saw the key
    assert rc.get("meant") is None
    rc.close()


EXTERNAL = "The cluster at {where} (REDIS_CLUSTER_URL) is external"


@pytest.mark.parametrize("argv, arguments, template, params", [
    (["up", "--backend", "local"], {"backend": "local"}, "REDIS_CLUSTER_URL is set ({where})", {"backend": "local"}),
    (["up", "--masters", "4"], {"masters": 4}, EXTERNAL, {"options": "--masters", "count": 1}),
    (["up", "--password", "other"], {"password": "other"}, EXTERNAL, {"options": "--password"}),
    (["up", "--masters", "4", "--replicas", "2"], {"masters": 4, "replicas": 2}, EXTERNAL,
     {"options": "--masters, --replicas", "count": 2}),
])
def test_up_refuses_options_that_contradict_the_url(elsewhere, workshop, monkeypatch, argv, arguments,
                                                    template, params) -> None:
    result = cli(*argv, env=dict(workshop, REDIS_CLUSTER_URL=elsewhere))
    error = refusal_of_up(monkeypatch, elsewhere, **arguments)
    assert said(error, template, where=elsewhere.replace("s3cret", "***"), **params)
    assert result.returncode == 1 and str(error) in result.stderr and "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr
    assert not (Path(workshop["WORKSHOP_HOME"]) / "state.json").exists()  # nothing started


def test_status_names_the_real_cause_when_nothing_listens(workshop) -> None:
    port = find_free_base_port(1, start=41000)
    url = f"redis://127.0.0.1:{port}"
    env = dict(workshop, REDIS_CLUSTER_URL=url)
    for argv in (["status"], ["status", "--json"]):
        result = cli(*argv, env=env)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "No workshop cluster" not in result.stdout + result.stderr
    cause = external_status(url)["error"]
    assert said(cause, "Could not connect to {where}", where=url, cause="[Errno 111] Connection refused")
    assert cli("status", env=env).stderr.rstrip("\n").endswith(f" {cause}")
    report = json.loads(result.stdout)
    assert (report["backend"], report["running"], report["nodes"]) == ("external", False, [])
    assert report["error"] == cause


def test_status_names_a_wrong_password(elsewhere, workshop) -> None:
    url = elsewhere.replace("s3cret", "wrong")
    env = dict(workshop, REDIS_CLUSTER_URL=url)
    result = cli("status", env=env)
    error = external_status(url)["error"]
    assert said(error, "The cluster at {where} refused the user or password", where=url.replace("wrong", "***"))
    assert result.returncode == 1 and str(error) in result.stderr
    assert "wrong" not in result.stderr and "No workshop cluster" not in result.stderr
    report = json.loads(cli("status", "--json", env=env).stdout)
    assert report["error"] == error and report["url"].count("***") == 1


def test_a_wrong_password_is_explained_in_french(elsewhere, workshop, monkeypatch) -> None:
    url = elsewhere.replace("s3cret", "wrong")
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    error = refusal_of_up(monkeypatch, url)
    assert said(error, "The cluster at {where} refused the user or password", where=url.replace("wrong", "***"))
    assert "a refusé l’utilisateur ou le mot de passe" in str(error) and "Vérifiez les identifiants" in str(error)
    result = cli("up", env=dict(workshop, REDIS_CLUSTER_URL=url, WORKSHOP_LANG="fr"))
    assert result.returncode == 1 and str(error) in result.stderr and "wrong" not in result.stderr
    english = cli("up", env=dict(workshop, REDIS_CLUSTER_URL=url, WORKSHOP_LANG="en"))
    assert str(error) not in english.stderr and "refused" in english.stderr


def test_status_shows_a_dead_node_of_the_external_cluster(own_elsewhere, workshop, tmp_path, monkeypatch) -> None:
    import signal
    home = tmp_path / "elsewhere"
    dead = int(own_elsewhere.rsplit(":", 1)[1]) + 5  # a replica
    os.kill(json.loads((home / "state.json").read_text())["pids"][str(dead)], signal.SIGKILL)
    result = cli("status", env=dict(workshop, REDIS_CLUSTER_URL=own_elsewhere))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith("3 masters × 1 replica(s), running, not ready")
    assert [f"127.0.0.1:{dead}", "slave", "not", "answering"] in [line.split() for line in lines]
    for language, words in (("en", "does not answer"), ("fr", "ne répond pas")):
        monkeypatch.setenv("WORKSHOP_LANG", language)
        problems = external_status(own_elsewhere)["problems"]
        [problem] = [problem for problem in problems if message_of(problem).id.startswith("{address} does not")]
        assert said(problem, "{address} does not answer", address=f"127.0.0.1:{dead}",
                    error=f"Error 111 connecting to 127.0.0.1:{dead}. Connection refused.")
        assert words in problem
        shown = cli("status", env=dict(workshop, REDIS_CLUSTER_URL=own_elsewhere, WORKSHOP_LANG=language))
        assert any(line.endswith(f" {problem}") for line in shown.stdout.splitlines()), shown.stdout


def test_connect_with_a_user_logs_in_as_that_user_not_the_urls(elsewhere, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_CLUSTER_URL", elsewhere)
    rc = helpers.connect()
    for node in rc.cluster_nodes():  # every node, replicas too: ACL users are per node
        host, port = node.rsplit(":", 1)
        single = redis.Redis(host=host, port=int(port), password="s3cret")
        single.execute_command("ACL", "SETUSER", "reader", "on", ">r3ad", "~*", "+@read",
                               "+@connection", "+cluster|slots", "+cluster|nodes", "+command")
        single.close()
    rc.set("book", "dune")
    rc.close()
    reader = helpers.connect(username="reader", password="r3ad")
    assert reader.get("book") == "dune"
    with pytest.raises(redis.exceptions.NoPermissionError):
        reader.set("book", "other")
    reader.close()
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.connect(username="reader", password="wrong")
    assert said(caught.value, "The cluster at {where} refused the user or password")
    assert said(message_of(caught.value).params["fix"], "Check the password of user {user!r}", user="reader")
