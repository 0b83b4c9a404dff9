"""The three applications of Part 4.1.1 against a real cluster."""
from __future__ import annotations

import threading
import time

import pytest

import helpers
from helpers.i18n import _
from helpers.slots import key_slot
from helpers.usecases import EmptyCart, InvalidQuantity, OutOfStock, SessionExpired, UnknownProduct
from helpers.usecases.orders import Orders
from helpers.usecases.stock import Stock
from helpers.usecases.users import Users
from tests.messages import said


# Commands whose every argument is a key: each must keep them in one slot.
MULTI_KEY = {"DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "SINTER", "SUNION", "SDIFF", "WATCH",
             "PFCOUNT", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE", "RENAME", "RENAMENX"}


@pytest.fixture
def rc(shared_cluster):
    return shared_cluster[1]


@pytest.fixture
def shop(rc):
    stock = Stock(rc, low_stock_threshold=3)
    stock.add_product("apple", "Apple", 50, 100, "fruit")
    stock.add_product("pear", "Pear", 80, 2, "fruit")
    return stock, Orders(rc, stock)


def test_fifty_concurrent_buyers_never_oversell_the_last_ten(rc) -> None:
    stock = Stock(rc)
    stock.add_product("lamp", "Lamp", 2_500, 10)
    wins, losses, lock = [], [], threading.Lock()

    def buy(buyer: int) -> None:
        client = helpers.connect()  # each buyer has its own connections
        try:
            Stock(client).reserve("lamp", 1, f"order-{buyer}")
            outcome = wins
        except OutOfStock:
            outcome = losses
        finally:
            client.close()
        with lock:
            outcome.append(buyer)

    threads = [threading.Thread(target=buy, args=(buyer,)) for buyer in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (len(wins), len(losses)) == (10, 40)
    assert stock.level("lamp") == 0 and len(stock.orders_holding("lamp")) == 10
    assert ("lamp", 0) in stock.low_stock()


def test_bad_stock_requests_change_nothing(shop) -> None:
    stock, orders = shop
    with pytest.raises(UnknownProduct) as caught:
        stock.reserve("kiwi", 1)
    assert said(caught.value, "no product with SKU {sku!r}", sku="kiwi") and "'kiwi'" in str(caught.value)
    for quantity in (0, -3, 1.5, True):
        with pytest.raises(InvalidQuantity) as caught:
            stock.reserve("apple", quantity)
        assert said(caught.value, "quantity must be a whole number above zero", quantity=quantity)
    with pytest.raises(OutOfStock) as caught:
        stock.reserve("pear", 3)
    assert said(caught.value, "{quantity} × {sku} asked, {stock} in stock", quantity=3, sku="pear", stock=2)
    assert stock.level("apple") == 100 and stock.level("pear") == 2
    assert stock.release("pear", 1) == 3 and stock.low_stock() == [("pear", 3)]


def test_sessions_expire_slide_and_count(rc) -> None:
    users = Users(rc, session_ttl=2)
    users.add_user("u1", "Kheir", "kheir@example.org", roles=("editor",))
    users.grant("editor", "post:write")
    assert users.can("u1", "post:write") and not users.can("u1", "user:delete")
    token = users.log_in("u1")
    other = users.log_in("u1")
    assert users.active_sessions() == 2
    for _ in range(3):  # each use extends the session: 3 s of use outlive a 2 s TTL
        time.sleep(1)
        assert users.user_of(token) == "u1"
    users.log_out(other)
    assert users.active_sessions() == 1
    time.sleep(2.5)
    with pytest.raises(SessionExpired) as caught:
        users.user_of(token)
    assert said(caught.value, "this session has expired or never existed")
    assert users.active_sessions() == 0
    with pytest.raises(helpers.usecases.users.UnknownUser) as caught:
        users.log_in("nobody")
    assert said(caught.value, "no user with id {user!r}", user="nobody")


def test_no_double_like_and_the_leaderboard_order(rc) -> None:
    users = Users(rc)
    likes = {"post:1": ["a", "b", "c"], "post:2": ["a"], "post:3": ["a", "b"]}
    for item, fans in likes.items():
        for fan in fans:
            assert users.like(fan, item)
    assert not users.like("a", "post:1")  # a double like changes nothing
    assert users.likes_of("post:1") == {"a", "b", "c"}
    assert users.most_liked() == [("post:1", 3), ("post:3", 2), ("post:2", 1)]
    assert users.share("b", "post:2") and not users.share("b", "post:2")


def test_cart_lines_and_totals(shop) -> None:
    stock, orders = shop
    orders.add_to_cart("alice", "apple", 3)
    orders.add_to_cart("alice", "apple", 2)
    orders.add_to_cart("alice", "pear")
    assert orders.cart("alice") == {"apple": 5, "pear": 1}
    assert orders.total_cents("alice") == 5 * 50 + 80
    orders.set_quantity("alice", "apple", 1)
    orders.set_quantity("alice", "pear", 0)
    assert orders.cart("alice") == {"apple": 1}
    with pytest.raises(UnknownProduct):
        orders.add_to_cart("alice", "kiwi")
    with pytest.raises(InvalidQuantity):
        orders.set_quantity("alice", "apple", -2)
    assert orders.cart("alice") == {"apple": 1}


def test_checkout_places_the_order_and_a_failed_one_changes_nothing(shop) -> None:
    stock, orders = shop
    with pytest.raises(EmptyCart) as caught:
        orders.checkout("bob")
    assert said(caught.value, "the cart of {user!r} is empty", user="bob")
    orders.add_to_cart("bob", "apple", 4)
    orders.add_to_cart("bob", "pear", 2)
    placed = orders.checkout("bob")
    assert orders.order(placed) == {"status": "placed", "total_cents": 4 * 50 + 2 * 80,
                                    "items": {"apple": 4, "pear": 2}}
    assert orders.cart("bob") == {} and orders.orders_of("bob") == [placed]
    assert (stock.level("apple"), stock.level("pear")) == (96, 0)
    # Stock runs out midway: apple is reserved first, then pear fails; apple comes back.
    orders.add_to_cart("carol", "apple", 10)
    orders.add_to_cart("carol", "pear", 1)
    with pytest.raises(OutOfStock) as caught:
        orders.checkout("carol")
    assert said(caught.value, "{quantity} × {sku} asked, {stock} in stock", quantity=1, sku="pear", stock=0)
    assert stock.level("apple") == 96 and stock.orders_holding("apple") == {placed}
    reserved, refused, released = orders.steps
    assert said(reserved, "reserve {quantity} × {sku}: done, {left} left", quantity=10, sku="apple", left=86)
    assert said(refused, "reserve {quantity} × {sku}: refused, {error}", quantity=1, sku="pear")
    assert said(refused.params["error"], "{quantity} × {sku} asked", quantity=1, sku="pear", stock=0)
    assert said(released, "release {quantity} × {sku}: done, {left} left", quantity=10, sku="apple", left=96)
    assert orders.cart("carol") == {"apple": 10, "pear": 1} and orders.orders_of("carol") == []


def test_an_event_whose_consumer_died_is_claimed_by_another(shop) -> None:
    stock, orders = shop
    orders.create_group()
    orders.create_group()  # twice is fine
    orders.add_to_cart("dave", "apple")
    placed = orders.checkout("dave")
    first = orders.read_events("worker-1")
    assert [fields["order"] for _, fields in first] == [placed]
    # worker-1 "crashes" before acking; worker-2 sees nothing new ...
    assert orders.read_events("worker-2") == []
    time.sleep(0.2)
    claimed = orders.claim_stalled("worker-2", idle_ms=100)
    assert [event_id for event_id, _ in claimed] == [first[0][0]]
    assert orders.ack(claimed[0][0]) == 1
    assert orders.claim_stalled("worker-3", idle_ms=0) == []


def test_notifications_reach_a_subscriber_through_sharded_pubsub(shop) -> None:
    stock, orders = shop
    subscription = orders.subscribe("erin")
    try:
        deadline = time.monotonic() + 10
        message = None
        orders.add_to_cart("erin", "apple")
        orders.checkout("erin")
        while message is None and time.monotonic() < deadline:
            message = subscription.get_sharded_message(ignore_subscribe_messages=True, timeout=0.5)
        assert message is not None and message["data"] == _("Your order {number} is placed.", number=1)
        assert message["channel"] == "notifications:{erin}"
    finally:
        subscription.close()


def test_a_shard_channel_reaches_the_replicas_of_its_master_and_no_other_shard(shop, rc) -> None:
    """Notebook 04's claim: a shard carries its channels, master and replicas; others redirect."""
    import redis

    from helpers.topology import cluster_nodes
    stock, orders = shop
    channel = "notifications:{erin}"
    nodes = cluster_nodes(rc)
    master = rc.get_node_from_key(channel).name
    replica = nodes.loc[nodes["master"] == master, "address"].iloc[0]
    elsewhere = nodes.loc[(nodes["role"] == "master") & (nodes["address"] != master), "address"]

    def node(address: str) -> redis.Redis:
        host, port = address.rsplit(":", 1)
        return redis.Redis(host=host, port=int(port), decode_responses=True)

    listener = node(replica).pubsub()
    try:
        listener.ssubscribe(channel)
        assert listener.get_message(timeout=5)["type"] == "ssubscribe"
        # The master forwards SPUBLISH to its replicas over the cluster bus, best effort: a
        # message sent while a bus link is being (re)made is dropped, as Pub/Sub always may.
        # So publish again, at most 20 times, until the replica's subscriber hears one.
        message = None
        for _ in range(20):
            assert orders.notify("erin", "hello") == 0  # SPUBLISH counts its own node's subscribers only
            message = listener.get_message(timeout=0.5)
            if message is not None:
                break
        assert message is not None and (message["type"], message["data"]) == ("smessage", "hello")
    finally:
        listener.close()
    for address in elsewhere:
        with pytest.raises(redis.exceptions.MovedError, match=master.rsplit(":", 1)[1]):
            node(address).spublish(channel, "lost?")


def test_no_multi_key_command_of_the_library_spans_two_slots(shop, rc) -> None:
    """MONITOR every master while the library works, then check each command's keys."""
    stock, orders = shop
    users = Users(rc)
    monitors = [rc.get_redis_connection(node).monitor() for node in rc.get_primaries()]
    seen: list[list[str]] = []
    stop = threading.Event()

    def record(monitor) -> None:
        with monitor as feed:
            for entry in feed.listen():
                seen.append(entry["command"].split())
                if stop.is_set():
                    return

    threads = [threading.Thread(target=record, args=(monitor,), daemon=True) for monitor in monitors]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    users.add_user("frank", "Frank", "f@example.org", roles=("buyer",))
    users.like("frank", "post:9")
    orders.add_to_cart("frank", "apple", 2)
    orders.checkout("frank")
    stop.set()
    for node in rc.get_primaries():  # one more command per node wakes each monitor up
        rc.execute_command("PING", target_nodes=node)
    for thread in threads:
        thread.join(timeout=10)
    words = [[word.strip('"') for word in command] for command in seen]
    scripts = [command for command in words if command[0].upper() in ("EVALSHA", "EVAL")]
    assert len(scripts) >= 2  # reserve and place, at least
    for command in scripts:
        keys = command[3:3 + int(command[2])]
        assert len({key_slot(key) for key in keys}) == 1, command
    for command in words:  # and every command whose arguments are all keys
        if command[0].upper() in MULTI_KEY and len(command) > 2:
            assert len({key_slot(key) for key in command[1:]}) == 1, command


def test_rush_accounts_for_every_buyer(rc) -> None:
    from helpers.usecases.simulation import rush
    stock = Stock(rc)
    stock.add_product("last-lamps", "Lamp", 2_500, 10)
    assert rush(rc, "last-lamps", buyers=30) == {"bought": 10, "refused": 20}
    assert stock.level("last-lamps") == 0 and len(stock.orders_holding("last-lamps")) == 10


def test_rush_raises_an_error_that_is_not_a_refusal_instead_of_losing_the_buyer(rc) -> None:
    # A product key holding a string, not a hash: every buyer's script fails with WRONGTYPE,
    # which is no UseCaseError. (rush once dropped such buyers and returned 0 bought, 0 refused.)
    import redis
    from helpers.usecases.simulation import rush
    from helpers.usecases.stock import product_key
    rc.set(product_key("broken"), "not a hash")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE") as caught:
        rush(rc, "broken", buyers=5)
    if hasattr(caught.value, "__notes__"):
        [note] = caught.value.__notes__
        assert said(note, "rush: of {buyers} buyers", buyers=5, bought=0, refused=0, failed=5, unfinished=0,
                    limit=60.0)


def test_the_charts_of_notebook_04_claim_only_what_their_figures_show() -> None:
    """The stock chart's title is read from the log; keys per master draws chance, claims nothing."""
    import matplotlib
    matplotlib.use("Agg")
    import pandas as pd

    from helpers import charts
    kept = pd.DataFrame({"step": [0, 1, 2], "stock:lamp": [2, 1, 0], "stock:pen": [5, 5, 4]})
    assert charts.plot_stock_over_time(kept).get_title() == _("Stock over time: never below zero")
    oversold = kept.assign(**{"stock:lamp": [2, 0, -1]})
    ax = charts.plot_stock_over_time(oversold)
    assert ax.get_title() == _("Stock over time: it went down to {lowest}, below zero", lowest=-1)
    assert "-1" in ax.get_title() and ax.get_ylim()[0] <= -1
    counts = pd.DataFrame({"master": ["a:1", "b:2", "c:3"], "keys": [42, 37, 50],
                           "expected": [43.0] * 3, "σ": [5.4] * 3})
    ax = charts.plot_keys_per_master(counts)
    assert ax.get_title() == _("Keys per master") and ax.get_ylim()[0] == 0
    assert ax.get_legend().get_texts()[0].get_text() == _("expected ± 2σ (chance alone)")
    log = pd.DataFrame({"master": ["a:1", "a:1", "b:2", "c:3"],
                        "action": ["browse", "like", "browse", "checkout"]})
    ax = charts.plot_operations_per_master(log)
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1  # beside, not over


def _key_on(rc, master: str, prefix: str) -> str:
    """A key whose slot `master` serves."""
    return next(key for key in (f"{prefix}{n}" for n in range(10_000))
                if rc.get_node_from_key(key).name == master)


@pytest.mark.parametrize("cluster", ["shared_cluster", "shared_password_cluster"])
def test_each_master_counts_the_calls_it_ran_and_a_hot_key_lands_on_one(cluster, request) -> None:
    """Notebook 04's hot key: INFO commandstats of every master, read before and after."""
    from helpers import measure
    _, rc = request.getfixturevalue(cluster)
    masters = sorted((node.name for node in rc.get_primaries()), key=lambda name: int(name.rsplit(":", 1)[1]))
    hot = "views:{lamp}"
    owner = rc.get_node_from_key(hot).name
    before = measure.calls_per_master(rc, "incrby")
    assert list(before.index) == masters
    for _ in range(200):
        rc.incrby(hot, 1)
    rc.incr(hot)  # redis-py sends INCRBY for incr too
    rc.get(hot)  # another command: not counted
    hot_run = measure.traffic_per_master(before, measure.calls_per_master(rc, "INCRBY"))
    assert list(hot_run["master"]) == masters
    assert dict(zip(hot_run["master"], hot_run["calls"])) == {name: 201 if name == owner else 0 for name in masters}
    assert dict(zip(hot_run["master"], hot_run["share (%)"])) == {name: 100.0 if name == owner else 0.0
                                                                  for name in masters}
    # A different number of calls on a key of each master: each is counted where it ran.
    runs = {name: 10 * (number + 1) for number, name in enumerate(masters)}
    before = measure.calls_per_master(rc, "incrby")
    for name, times in runs.items():
        key = _key_on(rc, name, "spread:")
        for _ in range(times):
            rc.incrby(key, 1)
    spread = measure.traffic_per_master(before, measure.calls_per_master(rc, "incrby"))
    assert dict(zip(spread["master"], spread["calls"])) == runs
    assert list(spread["share (%)"]) == [round(100 * times / sum(runs.values()), 1) for times in runs.values()]
    # A command never run: every master counts 0, and nothing is shared.
    idle = measure.traffic_per_master(measure.calls_per_master(rc, "lastsave"),
                                      measure.calls_per_master(rc, "lastsave"))
    assert list(idle["calls"]) == [0] * len(masters) and list(idle["share (%)"]) == [0.0] * len(masters)


def test_refusals_and_checkout_steps_speak_french_to_a_french_student(shop, monkeypatch) -> None:
    stock, orders = shop
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    with pytest.raises(OutOfStock) as caught:
        stock.reserve("pear", 3)
    assert said(caught.value, "{quantity} × {sku} asked, {stock} in stock", quantity=3, sku="pear", stock=2)
    assert str(caught.value) == "3 × pear demandés, 2 en stock"
    orders.add_to_cart("zoe", "apple", 1)
    orders.add_to_cart("zoe", "pear", 5)
    with pytest.raises(OutOfStock):
        orders.checkout("zoe")
    assert orders.steps == ["réserver 1 × apple\u00a0: fait, il en reste 99",
                            "réserver 5 × pear\u00a0: refusé, 5 × pear demandés, 2 en stock",
                            "libérer 1 × apple\u00a0: fait, 100 en stock"]
    assert said(orders.steps[1], "reserve {quantity} × {sku}: refused", quantity=5, sku="pear")


def test_the_simulation_labels_its_progress_and_outcomes_in_the_students_language(shop, rc, capsys,
                                                                                  monkeypatch) -> None:
    from helpers.usecases.simulation import ACTIONS, simulate
    stock, orders = shop
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    log = simulate(rc, stock, Users(rc), orders, ["apple", "pear"], customers=3, steps=80, seed=7)
    progress = capsys.readouterr().err
    assert _("customers at work") in progress and "clients à l’œuvre" in progress
    assert set(log["action"]) == set(ACTIONS)  # data: the names the code compares, in any language
    outcomes = {outcome.id: outcome for outcome in log["outcome"]}
    assert set(outcomes) == {"ok", "already liked", "refused: {error}"}, outcomes
    assert outcomes["already liked"] == "déjà aimé"
    assert said(outcomes["refused: {error}"], "refused: {error}") and outcomes["refused: {error}"].startswith("refusé\u00a0: ")


def test_the_charts_speak_the_students_language(monkeypatch) -> None:
    """Titles, axis labels, legends, annotations; the lab's outcomes and events are data, shown translated."""
    import matplotlib
    matplotlib.use("Agg")
    import pandas as pd

    from helpers import charts, labs
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    counts = pd.DataFrame({"master": ["a:1", "b:2"], "keys": [12_345, 37]})
    ax = charts.plot_keys_per_master(counts)
    assert ax.get_title() == _("Keys per master") == "Clés par maître" and ax.get_ylabel() == "clés"
    assert [text.get_text() for text in ax.texts] == ["12\u202f345", "37"]  # as French writes numbers
    writes = pd.DataFrame({"seconds": [0.1, 0.2, 1.5, 1.6], "key": ["k:0", "k:1", "k:2", "k:3"],
                           "port": [7000, 7000, 7001, 7001],
                           "outcome": [labs.REPLICATED, labs.ACKNOWLEDGED, labs.REFUSED, labs.LOST],
                           "error": ["", "", "CLUSTERDOWN", ""]})
    ax = charts.plot_failover_timeline(writes, {"partition": 1.0, "replica promoted": 1.4}, 2000)
    assert ax.get_title() == _("Each write, by the node that got it") == "Chaque écriture, sur le nœud qui l’a reçue"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["répliquées (1)", "acquittées (1)", "refusées (1)", "perdues (1)", "cluster-node-timeout"]
    assert legend[0] == _("{outcome} ({count:,})", outcome=_(labs.REPLICATED), count=1)
    assert [text.get_text() for text in ax.texts] == ["partition", "réplique promue"]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["nœud 7000", "nœud 7001"]
    assert ax.get_xlabel() == _("seconds since the writer started") != "seconds since the writer started"
