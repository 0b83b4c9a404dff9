"""The bulk loader against a real cluster: every key lands; a node that fails is named, not waited on."""
from __future__ import annotations

import os
import re
import signal

import pytest

import helpers
from helpers.data import bulk_load, numbered_items
from helpers.topology import keys_per_master


def test_200_000_keys_all_land_with_their_values(cluster) -> None:
    _, rc = cluster
    report = bulk_load(rc, numbered_items(200_000, prefix="load:"), total=200_000, progress=False)
    assert report.keys == 200_000 and report.keys_per_second > 0
    counts = keys_per_master(rc)
    assert counts["keys"].sum() == 200_000 and (counts["keys"] > 60_000).all()
    expected = dict(numbered_items(200_000, prefix="load:"))
    keys = list(expected)
    for start in range(0, len(keys), 20_000):
        batch = keys[start:start + 20_000]
        assert rc.mget_nonatomic(batch) == [expected[key] for key in batch]


def test_binary_values_and_a_password_protected_cluster(workshop, redis_server) -> None:
    helpers.up(password="pw")
    rc = helpers.connect(decode_responses=False)
    items = [(f"bin:{i}", bytes([i % 256, 0, 255, 10])) for i in range(5_000)]
    assert bulk_load(rc, items, progress=False).keys == 5_000
    assert rc.get("bin:300") == bytes([300 % 256, 0, 255, 10])
    rc.close()


def _failing_after(count: int, fault) -> object:
    """Items that call fault() once `count` of them have been handed out."""
    for number, item in enumerate(numbered_items(10**6, prefix="doomed:")):
        if number == count:
            fault()
        yield item


def test_a_master_killed_mid_load_is_a_clear_error(cluster) -> None:
    state, rc = cluster
    pid = state.pids[state.spec.ports[1]]
    kill = lambda: os.kill(pid, signal.SIGKILL)  # noqa: E731
    with pytest.raises(helpers.WorkshopError) as caught:
        bulk_load(rc, _failing_after(120_000, kill), chunk=50_000, progress=False, timeout=5)
    message = str(caught.value)
    assert f"127.0.0.1:{state.spec.ports[1]}" in message and "went away during the load" in message
    # At most two chunks are out: the first was confirmed before the third was read, which
    # killed the master; the third was never sent.
    confirmed = int(re.search(r"([\d,]+) keys were confirmed written before", message)[1].replace(",", ""))
    assert 50_000 <= confirmed <= 100_000
    os.waitpid(pid, 0)


def test_a_paused_master_times_out_instead_of_hanging(cluster) -> None:
    state, rc = cluster
    pid = state.pids[state.spec.ports[2]]
    pause = lambda: os.kill(pid, signal.SIGSTOP)  # noqa: E731
    try:  # only the loader's own timeout raises "stopped answering": it did not wait on the node
        with pytest.raises(helpers.WorkshopError, match="stopped answering during the load"):
            bulk_load(rc, _failing_after(60_000, pause), chunk=50_000, progress=False, timeout=2)
    finally:
        os.kill(pid, signal.SIGCONT)
