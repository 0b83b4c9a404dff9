"""One credentials object travels: a client made for an ACL user stays that user in every helper.

The cluster has a password for the default user and a `student` user with another
password, created on every node that CLUSTER NODES names (redis-py's node list can miss
replicas on a fresh cluster). Sending the student's password as the default user's, as the
helpers did before, is refused (WRONGPASS): each test below fails if a helper drops the user.
"""
from __future__ import annotations

import pytest

import helpers
from helpers.measure import latency_samples
from helpers.console import Console, execute, format_reply
from helpers.data import bulk_load, numbered_items
from helpers.resp import Connection, Credentials, credentials_of
from helpers.topology import doctor, node_table
from tests.conftest import SHARED_PASSWORD

ADMIN_PASSWORD, STUDENT_PASSWORD = SHARED_PASSWORD, "student-pw"
STUDENT_RULES = ("on", f">{STUDENT_PASSWORD}", "~*", "&*", "+@all")


@pytest.fixture
def student(shared_password_cluster):
    """(state, rc): a 3x1 cluster with a password, and a client logged in as `student`."""
    state, _ = shared_password_cluster
    admin = Connection("127.0.0.1", state.spec.ports[0], ADMIN_PASSWORD)
    lines = admin.ask(("CLUSTER", "NODES"))[0].splitlines()
    admin.close()
    addresses = [line.split()[1].split("@")[0] for line in lines]
    assert len(addresses) == 6
    for address in addresses:
        host, port = address.rsplit(":", 1)
        node = Connection(host, int(port), ADMIN_PASSWORD)
        assert node.ask(("ACL", "SETUSER", "student", *STUDENT_RULES)) == ["OK"]
        node.close()
    rc = helpers.connect(username="student", password=STUDENT_PASSWORD)
    yield state, rc
    rc.close()


def test_credentials_write_auth_for_a_user_or_for_the_default_user() -> None:
    assert Credentials("student", "pw").auth() == ("AUTH", "student", "pw")
    assert Credentials(password="pw").auth() == ("AUTH", "pw")
    assert Credentials().auth() is None
    assert "pw" not in repr(Credentials("student", "pw"))


def test_a_client_for_a_user_gives_its_user_and_password(student) -> None:
    state, rc = student
    assert credentials_of(rc) == Credentials("student", STUDENT_PASSWORD)
    # The student's password is not the default user's: AUTH without the user is refused.
    wrong = Connection("127.0.0.1", state.spec.ports[0], STUDENT_PASSWORD)
    with pytest.raises(Exception, match="WRONGPASS"):
        wrong.ask(("PING",))


def test_the_console_logs_in_as_the_clients_user_on_every_node_it_visits(student) -> None:
    _, rc = student
    console = Console(rc)
    assert format_reply(console.run("ACL WHOAMI").reply) == '"student"'
    # A key owned by another master: the console follows MOVED and logs in there too.
    moved = execute(console.session, ["SET", "user:42", "x"])
    assert str(moved.reply) == "OK"
    assert moved.hops  # slot 15880 is not on the first master: it followed MOVED
    assert execute(console.session, ["ACL", "WHOAMI"]).reply == "student"
    console.session.close()


def test_latency_is_measured_as_the_clients_user(student) -> None:
    _, rc = student
    samples = latency_samples(rc, count=300)
    assert len(samples) == 300 and (samples > 0).all()


def test_the_doctor_reaches_every_announced_node_as_the_clients_user(student) -> None:
    _, rc = student
    table = doctor(rc)
    assert len(table) == 6
    assert table["answer"].tolist() == ["ok"] * 6


def test_the_node_table_logs_in_with_the_user_of_redis_cluster_url(student, monkeypatch) -> None:
    state, _ = student
    monkeypatch.setenv("REDIS_CLUSTER_URL",
                       f"redis://student:{STUDENT_PASSWORD}@127.0.0.1:{state.spec.ports[0]}")
    table = node_table(timeout=2.0)
    assert len(table) == 6 and table["up"].all()
    assert sorted(table["role"]) == ["master"] * 3 + ["replica"] * 3


def test_bulk_load_writes_as_the_clients_user(student) -> None:
    _, rc = student
    report = bulk_load(rc, numbered_items(3_000, prefix="acl:"), progress=False)
    assert report.keys == 3_000
    assert rc.get("acl:2999") is not None
