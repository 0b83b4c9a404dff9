"""ACL users on a real local cluster: on every node (replicas too), through a failover, across
a restart of the whole cluster, beside the cluster's own password (notebook 07, §1.3)."""
from __future__ import annotations

import pytest
import redis

import helpers
from helpers import faults, topology
from helpers.exercises.part07 import q1 as q3
from tests.messages import said

STUDENT_RULES = ("on", ">student-pw", "~*", "&*", "+@all", "-@dangerous")


def create_student(rc) -> list[str]:
    """ACL SETUSER then ACL SAVE on every node of CLUSTER NODES, as notebook 05 does; their names."""
    nodes = topology.every_node(rc)
    assert set(rc.execute_command("ACL", "SETUSER", "student", *STUDENT_RULES,
                                  target_nodes=nodes).values()) == {"OK"}
    assert set(rc.execute_command("ACL", "SAVE", target_nodes=nodes).values()) == {"OK"}
    return [node.name for node in nodes]


def whoami(port: int, username: str, password: str) -> str:
    """Log in on one node as `username` and ask it who we are."""
    client = redis.Redis(port=port, username=username, password=password, decode_responses=True)
    try:
        return client.acl_whoami()
    finally:
        client.close()


def test_every_node_lists_the_replicas_and_the_user_reaches_them(shared_cluster) -> None:
    state, rc = shared_cluster
    reached = create_student(rc)
    assert reached == [f"127.0.0.1:{port}" for port in state.spec.ports]  # all six, replicas too
    for port in state.spec.ports:
        assert whoami(port, "student", "student-pw") == "student"
        acl_file = redis.Redis(port=port, decode_responses=True).config_get("aclfile")["aclfile"]
        assert "user student on #" in open(acl_file).read()  # saved as a hash, not the password


def test_exercise_q3_names_a_replica_that_lacks_the_user(shared_cluster, capsys) -> None:
    state, rc = shared_cluster
    masters = [node for node in topology.every_node(rc) if node.server_type == "primary"]
    rc.execute_command("ACL", "SETUSER", "reader", "on", ">pw", "~*", "+@read", target_nodes=masters)
    q3.check("reader")
    feedback = q3.feedback("reader")
    assert capsys.readouterr().out == feedback + "\n" and said(feedback, "❌ Not yet: {reason}")
    replicas = [f"127.0.0.1:{port}" for port in state.spec.ports[state.spec.masters:]]
    reason = feedback.params["reason"]
    assert said(reason, "{node} does not know {answer!r}", answer="reader") and reason.params["node"] in replicas
    rc.execute_command("ACL", "SETUSER", "reader", "on", ">pw", "~*", "+@read",
                       target_nodes=topology.every_node(rc))
    q3.check("reader")
    assert said(q3.feedback("reader"), "✅ Correct!") and capsys.readouterr().out == q3.feedback("reader") + "\n"


def test_the_student_logs_in_on_the_promoted_replica_and_on_the_old_master_back(own_cluster) -> None:
    state, rc = own_cluster
    create_student(rc)
    rc.set("homework", "done")
    victim = rc.get_node_from_key("homework").port
    faults.kill(victim)
    promoted = faults.wait_for_failover(victim, timeout=60)
    student = redis.Redis(port=promoted, username="student", password="student-pw",
                          decode_responses=True)
    assert student.get("homework") == "done"
    assert student.set("homework", "graded") is True  # the promoted node is a master: it writes
    with pytest.raises(redis.exceptions.NoPermissionError, match="'flushall' command"):
        student.flushall()
    student.close()
    faults.restart(victim)  # its users come back from its ACL file, not from the cluster
    faults.wait_for_role(victim, "slave")
    assert whoami(victim, "student", "student-pw") == "student"


def test_users_and_the_password_survive_a_full_restart(workshop, redis_server) -> None:
    state = helpers.up(password="s3cret-acl", node_timeout=2000)
    rc = helpers.connect()
    create_student(rc)
    rc.close()
    helpers.down()
    helpers.up()
    for port in state.spec.ports:
        assert whoami(port, "student", "student-pw") == "student"
        assert whoami(port, "default", "s3cret-acl") == "default"
        # Redis ignores requirepass once an ACL file is loaded: the file must keep the password.
        with pytest.raises(redis.exceptions.AuthenticationError):  # at once: retry=None
            # A refused AUTH is final; redis-py's default retries repeat it for seconds.
            redis.Redis(port=port, retry=None).ping()
    student = helpers.connect(username="student", password="student-pw")
    student.set("after-restart", "yes")
    assert student.get("after-restart") == "yes"
    student.close()


def test_a_password_cluster_refuses_the_passwordless_default_user_from_its_first_start(
        shared_password_cluster) -> None:
    state, _ = shared_password_cluster  # never restarted: the shared cluster's guard checks its pids
    for port in state.spec.ports:
        with pytest.raises(redis.exceptions.AuthenticationError):
            redis.Redis(port=port, retry=None).ping()
        assert whoami(port, "default", state.spec.password) == "default"
