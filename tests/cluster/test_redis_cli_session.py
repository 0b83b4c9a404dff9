"""The real `redis-cli -c` typed at in a pseudo-terminal (notebook 02's session): prompts, its own
redirect lines and its replies as a terminal shows them, a password never shown, and no
redis-cli left running, not even after a command that blocks."""
from __future__ import annotations

import os

import pytest

import helpers
from helpers import tools
from helpers.resp import Connection
from helpers.slots import key_slot
from tests.conftest import SHARED_PASSWORD, wait_until
from tests.messages import said


def write_course_keys(rc) -> None:
    rc.set("nom", "kheir")
    rc.zadd("users:age", {"kheir": 23})
    rc.hset("user:profile", mapping={"name": "Kheir", "age": "23"})


def test_the_session_shows_each_prompt_redirect_and_reply_as_a_terminal_does(shared_cluster) -> None:
    state, rc = shared_cluster
    first, second, _ = state.spec.ports[:3]  # masters of 0-5460 and 5461-10922
    write_course_keys(rc)
    session = tools.redis_cli_session(["get nom", "zrange users:age 0 -1", "hgetall user:profile"])
    assert session.split("\n") == [
        f"127.0.0.1:{first}> get nom",
        f"-> Redirected to slot [{key_slot('nom')}] located at 127.0.0.1:{second}",
        '"kheir"',
        f"127.0.0.1:{second}> zrange users:age 0 -1",  # the same node: no redirect
        '1) "kheir"',
        f"127.0.0.1:{second}> hgetall user:profile",
        f"-> Redirected to slot [{key_slot('user:profile')}] located at 127.0.0.1:{first}",
        '1) "name"', '2) "Kheir"', '3) "age"', '4) "23"',
        f"127.0.0.1:{first}>",
    ]
    assert "\r" not in session and "\x1b" not in session


def test_a_password_cluster_logs_in_and_never_shows_the_password(shared_password_cluster, monkeypatch) -> None:
    state, rc = shared_password_cluster
    write_course_keys(rc)
    session = tools.redis_cli_session(["get nom"], port=state.spec.ports[2])
    assert session.split("\n")[1:] == [
        f"-> Redirected to slot [{key_slot('nom')}] located at 127.0.0.1:{state.spec.ports[1]}",
        '"kheir"', f"127.0.0.1:{state.spec.ports[1]}>"]
    assert SHARED_PASSWORD not in session
    # Windows has no pseudo-terminal: the student is told what to type instead.
    monkeypatch.delattr(os, "openpty")
    with pytest.raises(helpers.WorkshopError) as refused:
        tools.redis_cli_session(["get nom"])
    assert said(refused.value, "This machine gives programs no pseudo-terminal (Windows), so the notebook cannot "
                "type at redis-cli: type the same lines yourself in a terminal, at `{command} -a <password>`.",
                command=f"redis-cli -c -p {state.spec.ports[0]}")
    assert SHARED_PASSWORD not in str(refused.value)


def test_a_command_that_blocks_ends_in_an_error_and_leaves_no_redis_cli(shared_cluster, monkeypatch) -> None:
    state, _ = shared_cluster
    first = state.spec.ports[0]
    monkeypatch.setenv("WORKSHOP_LANG", "fr")  # the error in French; what redis-cli printed as it printed it
    with pytest.raises(helpers.WorkshopError) as caught:
        tools.redis_cli_session(["blpop b 0"], timeout=1)  # b: slot 3300, on the first master
    assert said(caught.value, "redis-cli showed no prompt within {timeout:g} s after `{line}`", timeout=1,
                line="blpop b 0")
    assert str(caught.value).startswith("redis-cli n’a affiché aucune invite en 1 s après `blpop b 0`")
    assert caught.value.args[0].params["output"].endswith("blpop b 0")  # the line echoed, and no reply
    node = Connection("127.0.0.1", first)
    try:  # its connection closed: redis-cli no longer runs
        assert wait_until(lambda: "cmd=blpop" not in node.ask(("CLIENT", "LIST"))[0])
    finally:
        node.close()
    with pytest.raises(helpers.WorkshopError) as caught:
        tools.redis_cli_session(["ping"], port=1)
    assert said(caught.value, "No node of this cluster listens on port {port}", port=1)
