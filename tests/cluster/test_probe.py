"""The minimal RESP probe behind `up` and `status`, against a real node."""
from __future__ import annotations

import pytest

import helpers
from helpers.cluster.base import NodeProbe, ProbeError, find_free_base_port


def test_the_probe_pipelines_commands_and_reads_every_reply_kind(workshop, redis_server) -> None:
    port = helpers.up(password="pw").spec.base_port
    probe = NodeProbe("127.0.0.1", port, password="pw")
    pong, info, missing, count = probe.ask(("PING",), ("CLUSTER", "INFO"), ("GET", "nothing{b}"),
                                           ("DBSIZE",))
    assert (pong, missing, count) == ("PONG", None, "0")
    assert "cluster_state:ok" in info
    with pytest.raises(ProbeError, match="unknown command"):
        probe.ask(("NOSUCHCOMMAND",))
    assert probe.ask(("PING",)) == ["PONG"]  # reconnected (and logged in) after the error
    probe.close()
    with pytest.raises(ProbeError, match="WRONGPASS"):
        NodeProbe("127.0.0.1", port, password="wrong").ask(("PING",))


def test_the_probe_raises_oserror_when_nothing_listens() -> None:
    with pytest.raises(OSError):
        NodeProbe("127.0.0.1", find_free_base_port(1, start=42000)).ask(("PING",))
