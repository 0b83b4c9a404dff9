"""helpers.resp against a real node: every reply type, errors as exceptions or values, AUTH."""
from __future__ import annotations

import pytest

import helpers
from helpers.cluster.base import find_free_base_port
from helpers.resp import Connection, ProtocolError, ReplyError, Status
from tests.conftest import SHARED_PASSWORD
from tests.messages import message_of, said


def test_every_reply_kind_comes_back_typed(shared_password_cluster) -> None:
    port = helpers.up().spec.base_port
    node = Connection("127.0.0.1", port, password=SHARED_PASSWORD)  # slots 0-5460; {b} is slot 3300
    node.ask(("DEL", "l{b}"))
    pong, pushed, items, missing, info = node.ask(
        ("PING",), ("RPUSH", "l{b}", "milk", "bread"), ("LRANGE", "l{b}", 0, -1),
        ("GET", "nothing{b}"), ("CLUSTER", "INFO"))
    assert isinstance(pong, Status) and pong == "PONG"
    assert (pushed, items, missing) == (2, ["milk", "bread"], None)
    assert "cluster_state:ok" in info
    node.close()


def test_errors_raise_or_stay_values_and_the_connection_recovers(shared_password_cluster) -> None:
    port = helpers.up().spec.base_port
    node = Connection("127.0.0.1", port, password=SHARED_PASSWORD)
    with pytest.raises(ReplyError, match="unknown command") as caught:
        node.ask(("NOSUCHCOMMAND",))
    assert caught.value.code == "ERR"
    moved, pong = node.ask_raw(("GET", "a"), ("PING",))  # slot 15495 lives on another master
    assert isinstance(moved, ReplyError) and moved.code == "MOVED" and pong == "PONG"
    with pytest.raises(ReplyError, match="WRONGPASS"):
        Connection("127.0.0.1", port, password="wrong").ask(("PING",))
    node.close()


def test_nothing_listening_is_an_oserror() -> None:
    with pytest.raises(OSError):
        Connection("127.0.0.1", find_free_base_port(1, start=42000)).ask(("PING",))


def test_binary_values_come_back_byte_for_byte(shared_cluster) -> None:
    port = helpers.up().spec.base_port
    node = Connection("127.0.0.1", port)
    value = b"\x00\xff\xfe\r\n caf\xc3\xa9"  # NUL, bytes that are not UTF-8, CRLF, UTF-8
    node.ask(("SET", "bin{b}", value))
    text = node.ask(("GET", "bin{b}"))[0]
    assert isinstance(text, str) and text.encode(errors="surrogateescape") == value
    assert node.ask(("SET", "copy{b}", text), ("GET", "copy{b}")) == ["OK", text]  # sent back intact
    assert Connection("127.0.0.1", port, decode=False).ask(("GET", "copy{b}")) == [value]
    node.close()


def test_a_reply_that_is_not_resp2_is_a_protocol_error_and_the_next_call_reconnects(
        shared_cluster) -> None:
    port = helpers.up().spec.base_port
    node = Connection("127.0.0.1", port)
    with pytest.raises(ProtocolError) as caught:  # HELLO 3 answers with a RESP3 map
        node.ask(("HELLO", "3"))
    assert said(caught.value, "{address} sent something that is not RESP2", address=f"127.0.0.1:{port}")
    assert message_of(caught.value).params["start"] == b"%7"
    assert node.ask(("PING",)) == ["PONG"]  # a new connection, in RESP2 again
    node.close()


@pytest.mark.parametrize("language, words", [("en", "closed the connection"), ("fr", "a fermé la connexion")])
def test_a_node_that_closes_the_connection_is_named_in_the_students_language(
        shared_cluster, monkeypatch, language, words) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    port = helpers.up().spec.base_port
    node = Connection("127.0.0.1", port)
    with pytest.raises(ConnectionError) as caught:  # QUIT: +OK, then the node closes; PING is never answered
        node.ask(("QUIT",), ("PING",))
    assert said(caught.value, "{address} closed the connection", address=f"127.0.0.1:{port}")
    assert words in str(caught.value)
    assert node.ask(("PING",)) == ["PONG"]  # a new connection
    node.close()
