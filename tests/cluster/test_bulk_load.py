"""The bulk loader against a real cluster: every key lands; a node that fails is named, not waited on."""
from __future__ import annotations

import os
import signal

import pytest

import helpers
from helpers.data import LoadReport, bulk_load, numbered_items
from helpers.i18n import _
from helpers.topology import keys_per_master
from tests.messages import said

CONFIRMED = "{failure} {count:,} key was confirmed written before; others may be partly written"


def failure_of(error: helpers.WorkshopError):  # noqa: ANN201
    """The master's failure that a load's error names, after checking that it is that error."""
    assert said(error, CONFIRMED)
    return error.args[0].params["failure"]


def test_200_000_keys_all_land_with_their_values(shared_cluster) -> None:
    _, rc = shared_cluster
    report = bulk_load(rc, numbered_items(200_000, prefix="load:"), total=200_000, progress=False)
    assert report.keys == 200_000 and report.keys_per_second > 0
    counts = keys_per_master(rc)
    assert counts["keys"].sum() == 200_000 and (counts["keys"] > 60_000).all()
    expected = dict(numbered_items(200_000, prefix="load:"))
    keys = list(expected)
    for start in range(0, len(keys), 20_000):
        batch = keys[start:start + 20_000]
        assert rc.mget_nonatomic(batch) == [expected[key] for key in batch]


def test_binary_values_and_a_password_protected_cluster(shared_password_cluster) -> None:
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


def test_a_master_killed_mid_load_is_a_clear_error(own_cluster) -> None:
    state, rc = own_cluster
    pid = state.pids[state.spec.ports[1]]
    kill = lambda: os.kill(pid, signal.SIGKILL)  # noqa: E731
    with pytest.raises(helpers.WorkshopError) as caught:
        bulk_load(rc, _failing_after(120_000, kill), chunk=50_000, progress=False, timeout=5)
    assert said(failure_of(caught.value), "Master {address} went away during the load",
                address=f"127.0.0.1:{state.spec.ports[1]}")
    # At most two chunks are out: the first was confirmed before the third was read, which
    # killed the master; the third was never sent.
    confirmed = caught.value.args[0].params["count"]
    assert 50_000 <= confirmed <= 100_000
    os.waitpid(pid, 0)


def test_a_paused_master_times_out_instead_of_hanging(own_cluster) -> None:
    state, rc = own_cluster
    pid = state.pids[state.spec.ports[2]]
    pause = lambda: os.kill(pid, signal.SIGSTOP)  # noqa: E731
    try:  # only the loader's own timeout says "stopped answering": it did not wait on the node
        with pytest.raises(helpers.WorkshopError) as caught:
            bulk_load(rc, _failing_after(60_000, pause), chunk=50_000, progress=False, timeout=2)
    finally:
        os.kill(pid, signal.SIGCONT)
    failure = failure_of(caught.value)
    assert said(failure, "Master {addresses} stopped answering during the load", timeout=2)
    assert f"127.0.0.1:{state.spec.ports[2]}" in failure.params["addresses"]


def test_slots_of_a_list_agree_with_key_slot_and_redis_py() -> None:
    from redis.crc import key_slot as redis_py_key_slot

    from helpers.data import _slots
    from helpers.slots import key_slot
    keys = [b"123456789", b"", b"{user1000}.following", b"foo{}{bar}", b"foo{{bar}}zap", b"{",
            b"}{", b"a{b", "é€".encode(), bytes(range(256))] + [b"k:%d" % n for n in range(2_000)]
    assert _slots([b"123456789"]).tolist() == [12739]  # the cluster specification's vector
    assert _slots(keys).tolist() == [key_slot(key) for key in keys] == list(map(redis_py_key_slot, keys))
    untagged = keys[-2_000:]  # the CRC16 path over a whole list, no key_slot call
    assert _slots(untagged).tolist() == list(map(redis_py_key_slot, untagged))


def test_values_are_stored_byte_for_byte_and_the_last_of_a_repeated_key_wins(shared_cluster) -> None:
    _, rc = shared_cluster
    items = [("crlf", b"a\r\nb\r\n"), ("error-like", "-ERR not an error\r\n+OK"), ("empty", b""),
             (b"bytes-key", bytes(range(256))), ("unicode", "é€ 中"), ("int", 42), ("float", 1.5),
             ("twice", "first"), ("big", b"x" * 1_000_000), ("twice", "last")]
    assert bulk_load(rc, items, progress=False).keys == len(items)
    raw = helpers.connect(decode_responses=False)
    assert raw.mget_nonatomic(["crlf", "error-like", "empty", "bytes-key", "unicode", "int", "float",
                               "twice", "big"]) == [
        b"a\r\nb\r\n", b"-ERR not an error\r\n+OK", b"", bytes(range(256)), "é€ 中".encode(),
        b"42", b"1.5", b"last", b"x" * 1_000_000]
    raw.close()


def test_many_keys_in_one_slot_and_tagged_keys_mixed_with_others(shared_cluster) -> None:
    _, rc = shared_cluster
    items = [(f"{{cart:7}}:item:{n}" if n % 2 else f"plain:{n}", str(n)) for n in range(60_000)]
    assert bulk_load(rc, items, chunk=7_000, progress=False).keys == 60_000
    slot = rc.keyslot("{cart:7}")
    in_slot = sum(rc.keyslot(key) == slot for key, _ in items)  # 30,000 tagged, a few plain ones
    assert in_slot >= 30_000 and rc.execute_command("CLUSTER COUNTKEYSINSLOT", slot) == in_slot
    assert sum(rc.execute_command("DBSIZE", target_nodes=node) for node in rc.get_primaries()) == 60_000
    assert rc.get("{cart:7}:item:59999") == "59999" and rc.get("plain:59998") == "59998"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_bad_items_are_refused_with_what_to_do(shared_cluster, language: str, monkeypatch) -> None:
    _state, rc = shared_cluster
    monkeypatch.setenv("WORKSHOP_LANG", language)
    with pytest.raises(helpers.WorkshopError) as caught:
        bulk_load(rc, [("a", "1"), ("b",)], progress=False)
    assert said(caught.value, "bulk_load takes (key, value) pairs; this item is not one", item=("b",))
    assert str(caught.value).endswith(": ('b',)")
    with pytest.raises(helpers.WorkshopError) as wrong_type:
        bulk_load(rc, [("a", {"price": 3})], progress=False)
    assert said(wrong_type.value, "bulk_load writes str, bytes or numbers, not {type}", type="dict",
                value={"price": 3})
    if language == "fr":
        assert str(caught.value).startswith("bulk_load prend des paires (clé, valeur)\u00a0; cet élément")
        assert str(wrong_type.value).startswith("bulk_load écrit des str, des bytes ou des nombres, pas des dict")
    assert rc.get("a") is None  # refused before anything was sent


def test_a_master_refusing_writes_is_named_with_its_error(shared_cluster) -> None:
    state, rc = shared_cluster
    port = state.spec.ports[0]
    node = rc.get_node("127.0.0.1", port)
    rc.execute_command("CONFIG", "SET", "maxmemory", "1", target_nodes=node)
    try:
        with pytest.raises(helpers.WorkshopError) as caught:
            bulk_load(rc, numbered_items(30_000, prefix="full:"), progress=False)
    finally:
        rc.execute_command("CONFIG", "SET", "maxmemory", "0", target_nodes=node)
    failure = failure_of(caught.value)
    assert said(failure, "Master {address} refused a write: {error}.", address=f"127.0.0.1:{port}")
    assert failure.params["error"].startswith("OOM ")  # Redis's own words


def test_a_password_changed_since_the_client_logged_in_is_a_refused_login(shared_password_cluster) -> None:
    state, rc = shared_password_cluster
    rc.execute_command("CONFIG", "SET", "requirepass", "new-pw", target_nodes=rc.PRIMARIES)
    try:  # rc's own connections stay logged in; the loader's new ones send the old password
        with pytest.raises(helpers.WorkshopError) as caught:
            bulk_load(rc, numbered_items(1_000), progress=False)
    finally:
        rc.execute_command("CONFIG", "SET", "requirepass", state.spec.password, target_nodes=rc.PRIMARIES)
    failure = failure_of(caught.value)
    assert said(failure, "Master {address} refused the login: {error}.")
    assert failure.params["error"].startswith("WRONGPASS ")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_report_and_the_progress_bar_speak_the_students_language(shared_cluster, language: str, monkeypatch,
                                                                      capsys) -> None:
    _state, rc = shared_cluster
    monkeypatch.setenv("WORKSHOP_LANG", language)
    report = LoadReport(keys=12_345, seconds=2.5)
    assert said(repr(report), "{count:,} key in {seconds:.2f} s ({rate:,.0f} keys/s)", count=12_345, seconds=2.5)
    bulk_load(rc, numbered_items(3_000, prefix="bar:"), total=3_000)
    bar = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert bar.startswith(f"{_('loading')}: 100%") and "3.00k/3.00k" in bar and f"{_(' keys')}/s]" in bar
    if language == "fr":
        assert repr(report) == "12\u202f345 clés en 2,50 s (4\u202f938 clés/s)"
        assert repr(LoadReport(keys=1, seconds=2.0)) == "1 clé en 2,00 s (0 clés/s)"
        assert _("loading") == "chargement" and _(" keys") == " clés"
    else:
        assert repr(report) == "12,345 keys in 2.50 s (4,938 keys/s)"
