"""The command console against a real cluster: redirects, refusals, bad input, a slow or dead node."""
from __future__ import annotations

import html
import os
import random
import signal
import string

import pytest

import helpers
from helpers.cluster.base import ClusterState
from helpers.console import REPLY_TIMEOUT, Console, Session, execute, parse
from helpers.i18n import _
from helpers.resp import Connection
from helpers.slots import key_slot
from helpers.topology import where_keys_live
from tests.messages import said


def key_on(port_index: int, state: ClusterState) -> str:
    """A key whose slot the master at state.spec.ports[port_index] serves."""
    first, last = [(0, 5460), (5461, 10922), (10923, 16383)][port_index]
    return next(f"k{i}" for i in range(10**6) if first <= key_slot(f"k{i}") <= last)


def test_with_c_the_console_follows_moved_and_shows_each_hop(shared_cluster) -> None:
    state, rc = shared_cluster
    session = Session("127.0.0.1", state.spec.base_port)
    key = key_on(2, state)
    outcome = execute(session, parse(f'set {key} "kheir"'))
    third = f"127.0.0.1:{state.spec.ports[2]}"
    assert outcome.hops == [f"-> Redirected to slot [{key_slot(key)}] located at {third}"]
    assert str(outcome).endswith("OK") and outcome.node == third and outcome.slot == key_slot(key)
    assert session.current == third  # like redis-cli -c, the console moved to that node
    assert rc.get(key) == "kheir"
    session.close()


def test_without_c_the_console_shows_the_raw_moved(shared_cluster) -> None:
    state, _ = shared_cluster
    session = Session("127.0.0.1", state.spec.base_port)
    key = key_on(1, state)
    outcome = execute(session, ["get", key], follow=False)
    assert str(outcome) == f"(error) MOVED {key_slot(key)} 127.0.0.1:{state.spec.ports[1]}"
    assert outcome.failed and not outcome.hops
    session.close()


def test_the_five_data_types_print_as_redis_cli(shared_cluster) -> None:
    state, rc = shared_cluster
    console = Console(rc)
    for line in ('set nom "kheir"', 'lpush lists:shopping "milk" "bread"',
                 'sadd tags:post "redis" "cluster"', 'hset user:profile name "Kheir" age 23',
                 'zadd users:age 23 "kheir"'):
        assert not console.run(line).failed
    read = console.run("get nom")
    assert str(read).endswith('"kheir"')
    assert said(read.where, "slot {slot} · served by {node}", slot=key_slot("nom"), node=read.node)
    assert str(console.run("lrange lists:shopping 0 -1")).endswith('1) "bread"\n2) "milk"')
    assert str(console.run("smembers tags:posts")).endswith("(empty array)")  # the course's typo
    assert str(console.run("hgetall user:profile")).endswith(
        '1) "name"\n2) "Kheir"\n3) "age"\n4) "23"')
    assert str(console.run("zrange users:age 0 -1")).endswith('1) "kheir"')
    assert str(console.run("incr counter")).endswith("(integer) 1")
    assert "cluster_state:ok" in str(console.run("cluster info"))
    assert f"({html.escape(read.where)})" in console.history.value  # the note beside the command


def test_destructive_commands_are_refused_unless_allowed(shared_cluster) -> None:
    _, rc = shared_cluster
    rc.set("precious", "1")
    console = Console(rc)
    for line in ("flushall", "FLUSHDB", "shutdown nosave", "config set maxmemory 1",
                 "cluster reset hard", "debug sleep 0"):
        outcome = console.run(line)
        assert said(outcome.refused, "{reason} This console refuses it; create it with allow_dangerous=True")
    assert said(console.run("subscribe news").refused, "{command} waits for messages forever", command="SUBSCRIBE")
    assert rc.get("precious") == "1"
    permissive = Console(rc, allow_dangerous=True)
    assert str(permissive.run("config set slowlog-log-slower-than 10000")) == "OK"


def test_bad_input_gives_one_red_line_and_the_console_keeps_working(shared_cluster) -> None:
    _, rc = shared_cluster
    console = Console(rc)
    assert str(console.run("nosuchcommand x")).startswith("(error) ERR unknown command")
    assert "wrong number of arguments" in str(console.run("get"))
    unbalanced = console.run('set nom "kheir')  # recorded, not sent, in redis-cli's words
    assert str(unbalanced) == "Invalid argument(s)" and unbalanced.failed
    assert "Invalid argument(s)</span>" in console.history.value
    crossslot = console.run("mset a 1 b 2")
    assert str(crossslot).startswith("(error) CROSSSLOT")
    assert str(console.run("mset {user}:a 1 {user}:b 2")).endswith("OK")  # hash tags fix it
    assert console.history.value.count("color:#c62828") == 4
    assert str(console.run("ping")) == "PONG"


def test_a_node_that_died_is_reported_and_other_nodes_still_answer(own_cluster) -> None:
    state, rc = own_cluster
    console = Console(rc)
    victim = state.spec.ports[1]
    pid = state.pids[victim]
    assert not console.run(f"set {key_on(1, state)} before").failed  # the console now knows it
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    outcome = console.run(f"get {key_on(1, state)}")  # the console is still on that node
    assert outcome.failed and said(outcome.problem, "{problem}; now nothing listens there (Connection refused)",
                                   problem=f"127.0.0.1:{victim} closed the connection")
    outcome = console.run(f"get {key_on(1, state)}")  # once more: redis-cli's own words, then what they mean
    assert outcome.failed and said(outcome.problem, "Could not connect to Redis at {address}: Connection refused "
                                   "(nothing listens there", address=f"127.0.0.1:{victim}")
    assert outcome.problem.startswith(f"Could not connect to Redis at 127.0.0.1:{victim}: Connection refused (")
    assert outcome.where == ""  # no reply, no server
    assert '<span style="color:#777">' not in console.history.value.split("\n")[0]  # the newest entry: no note
    console.session.current = f"127.0.0.1:{state.spec.ports[0]}"
    assert str(console.run(f"set {key_on(0, state)} alive")).endswith("OK")


def test_a_live_node_that_is_slow_to_reply_is_never_called_stopped(shared_cluster, monkeypatch) -> None:
    state, rc = shared_cluster
    monkeypatch.setenv("WORKSHOP_LANG", "fr")  # what the console explains, in French
    console = Console(rc)
    first = state.spec.ports[0]
    admin = Connection("127.0.0.1", first)
    admin.ask(("CLIENT", "PAUSE", int(REPLY_TIMEOUT * 1000 + 3000), "WRITE"))  # writes wait, PING not
    try:
        outcome = console.run(f"set {key_on(0, state)} late")
    finally:
        admin.ask(("CLIENT", "UNPAUSE",))
        admin.close()
    late = outcome.problem.params["problem"]
    assert said(outcome.problem, "{problem}. The node is up: it answers PING.", problem=late)
    assert said(late, "{address} sent no reply within {seconds:g} s", address=f"127.0.0.1:{first}",
                seconds=REPLY_TIMEOUT)
    assert outcome.problem == (f"127.0.0.1:{first} n’a envoyé aucune réponse en {REPLY_TIMEOUT:g} s. "
                               "Le nœud est en marche\u00a0: il répond à PING.")
    assert str(console.run("ping")) == "PONG"


def test_refused_commands_leave_the_connection_working_and_short_blocking_ones_run(shared_cluster) -> None:
    state, rc = shared_cluster
    console = Console(rc)
    queue = key_on(0, state)
    for line in ("hello 3", f"blpop {queue} 0", "client pause 10", "wait 1 0",
                 f"xread block 0 streams {queue} $"):
        assert console.run(line).refused
    assert str(console.run("ping")) == "PONG"  # HELLO 3 was not sent: the connection still speaks RESP2
    assert str(console.run(f"blpop {queue} 1")) == "(nil)"  # waited one second, then gave up
    rc.rpush(queue, "job")
    assert str(console.run(f"blpop {queue} 1")) == f'1) "{queue}"\n2) "job"'
    assert str(console.run("hello 2")).startswith(' 1) "server"\n 2) "redis"')


def test_a_user_the_node_refuses_is_told_why(shared_cluster) -> None:
    state, _ = shared_cluster
    session = Session("127.0.0.1", state.spec.ports[0], "no-such-password")
    outcome = execute(session, ["get", "x"])
    assert str(outcome).startswith("(error) ERR AUTH <password> called without any password")


def test_the_widget_runs_what_is_typed_once(shared_cluster) -> None:
    _, rc = shared_cluster
    console = Console(rc)
    console.entry.value = "incr typed"  # what Enter (or leaving the box) commits
    console.button.click()  # the click that follows finds the box already empty
    assert rc.get("typed") == "1" and console.entry.value == ""
    console.entry.value = "incr typed"
    assert rc.get("typed") == "2"
    bundle = console._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert said(bundle["text/plain"], "Redis console on {address} (-c on)", address=console.session.current)


def test_the_widget_speaks_the_students_language(shared_cluster, monkeypatch) -> None:
    _state, rc = shared_cluster
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    with Console(rc, follow=False) as console:
        assert console.button.description == _("Run") == "Exécuter"
        assert console.follow.description == "-c (suivre les redirections)"
        assert said(console.entry.placeholder, "a redis-cli command") and "par exemple" in console.entry.placeholder
        shown = console._repr_mimebundle_()["text/plain"]
        assert said(shown, "Redis console on {address} (-c off)", address=console.session.current)
        assert shown.startswith(f"Console Redis sur {console.session.current} (-c désactivé)")


def test_slots_match_cluster_keyslot_and_keys_live_where_computed(shared_cluster) -> None:
    _, rc = shared_cluster
    chooser = random.Random(7)
    keys = ["".join(chooser.choices(string.printable[:94], k=chooser.randint(1, 24)))
            for _ in range(1000)]
    keys += [f"user:{{{i}}}:cart" for i in range(50)] + [f"{{}}{i}" for i in range(20)]
    table = where_keys_live(rc, keys)
    assert (table["slot"] == table["CLUSTER KEYSLOT"]).all()
    for row in table.sample(60, random_state=3).itertuples():
        rc.set(row.key, "x")
        host, port = row.master.rsplit(":", 1)
        node = rc.get_node(host=host, port=int(port))
        assert rc.execute_command("EXISTS", row.key, target_nodes=node) == 1


def test_a_slot_moved_by_hand_shows_ask_and_asking_lets_the_target_answer(own_cluster) -> None:
    state, rc = own_cluster
    rc.set("by-hand", "moving")
    slot, source = rc.keyslot("by-hand"), rc.get_node_from_key("by-hand").port
    target = next(node.port for node in rc.get_primaries() if node.port != source)
    ids = {node.port: rc.cluster_myid(node) for node in rc.get_primaries()}
    on_source = Console(rc, follow=False, allow_dangerous=True, port=source)  # redis-cli -p SOURCE
    on_target = Console(rc, follow=False, allow_dangerous=True, port=target)
    assert str(on_target.run(f"cluster setslot {slot} importing {ids[source]}")) == "OK"
    assert str(on_source.run(f"cluster setslot {slot} migrating {ids[target]}")) == "OK"
    assert str(on_source.run(f'migrate 127.0.0.1 {target} "" 0 5000 keys by-hand')) == "OK"
    assert str(on_source.run("get by-hand")) == f"(error) ASK {slot} 127.0.0.1:{target}"
    assert str(on_target.run("get by-hand")) == f"(error) MOVED {slot} 127.0.0.1:{source}"
    assert str(on_target.run("asking")) == "OK"
    assert str(on_target.run("get by-hand")) == '"moving"'  # ASKING holds for the next command
    assert str(on_target.run("get by-hand")).startswith("(error) MOVED")  # and that one only
    for port in ids:
        with Console(rc, follow=False, allow_dangerous=True, port=port) as console:
            assert str(console.run(f"cluster setslot {slot} node {ids[target]}")) == "OK"
    assert str(on_source.run("get by-hand")) == f"(error) MOVED {slot} 127.0.0.1:{target}"
    on_source.session.close()
    on_target.session.close()
    with pytest.raises(helpers.WorkshopError) as caught:
        Console(rc, port=state.spec.ports[-1] + 1)
    assert said(caught.value, "No node of this cluster listens on port {port}.", port=state.spec.ports[-1] + 1)
