"""Authentication on a real cluster: each refusal is a clear error, and nothing is lost."""
from __future__ import annotations

import subprocess

import pytest
import redis

import helpers
from helpers import topology
from tests.messages import message_of, said

STUDENT_RULES = ("on", ">student-pw", "~*", "&*", "+@all", "-@dangerous")


def test_without_a_password_anyone_who_reaches_a_port_can_flushall(shared_cluster) -> None:
    state, rc = shared_cluster
    rc.set("precious", "data")
    # `--cluster call` runs the command on every node: no password, no question asked.
    stranger = subprocess.run(["redis-cli", "--cluster", "call", f"127.0.0.1:{state.spec.ports[0]}",
                               "FLUSHALL"], capture_output=True, text=True)
    assert stranger.stdout.count(": OK") >= 3
    assert rc.get("precious") is None


def test_a_cluster_with_a_password_refuses_whoever_lacks_it(shared_password_cluster) -> None:
    state, rc = shared_password_cluster
    rc.set("precious", "data")
    no_password = subprocess.run(["redis-cli", "-p", str(state.spec.ports[0]), "FLUSHALL"],
                                 capture_output=True, text=True)
    assert no_password.stdout.strip().startswith("NOAUTH Authentication required")
    for credentials in ({"username": "default", "password": ""}, {"password": "wrong"}):
        with pytest.raises(helpers.WorkshopError) as caught:
            helpers.connect(**credentials)
        assert said(caught.value, "The cluster at {where} refused the user or password",
                    where=f"127.0.0.1:{state.spec.ports[0]}")
        fix = message_of(caught.value).params["fix"]  # the workshop cluster's own advice, naming the user
        assert "helpers.connect(username=..., password=...)" in fix and "default" in fix
    assert rc.get("precious") == "data"


def test_an_acl_student_is_refused_dangerous_commands_by_name(shared_password_cluster) -> None:
    _, admin = shared_password_cluster
    nodes = topology.every_node(admin)  # ACLs live on each node: replicas too
    admin.execute_command("ACL", "SETUSER", "student", *STUDENT_RULES, target_nodes=nodes)
    student = helpers.connect(username="student", password="student-pw")
    student.set("homework", "done")
    with pytest.raises(redis.exceptions.NoPermissionError,
                       match="no permissions to run the 'flushall' command"):
        student.flushall()
    with pytest.raises(redis.exceptions.NoPermissionError, match="'config|set' command"):
        student.config_set("appendonly", "no")
    assert admin.get("homework") == "done"
    student.close()


def test_a_bad_password_is_refused_before_anything_starts(workshop, redis_server) -> None:
    with pytest.raises(helpers.WorkshopError) as caught:
        helpers.up(password="two words")
    assert said(caught.value, "A workshop password is 1 to 128 letters")
    assert helpers.status()["running"] is False
