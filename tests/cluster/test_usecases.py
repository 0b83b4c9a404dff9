"""The three applications of Part 4.1.1 against a real cluster."""
from __future__ import annotations

import threading
import time

import pytest

import helpers
from helpers.slots import key_slot
from helpers.usecases import EmptyCart, InvalidQuantity, OutOfStock, SessionExpired, UnknownProduct
from helpers.usecases.orders import Orders
from helpers.usecases.stock import Stock
from helpers.usecases.users import Users


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
    stock, _ = shop
    with pytest.raises(UnknownProduct, match="'kiwi'"):
        stock.reserve("kiwi", 1)
    for quantity in (0, -3, 1.5, True):
        with pytest.raises(InvalidQuantity):
            stock.reserve("apple", quantity)
    with pytest.raises(OutOfStock, match="3 × pear asked, 2 in stock"):
        stock.reserve("pear", 3)
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
    with pytest.raises(SessionExpired):
        users.user_of(token)
    assert users.active_sessions() == 0
    with pytest.raises(helpers.usecases.users.UnknownUser):
        users.log_in("nobody")


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
    _, orders = shop
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
    with pytest.raises(EmptyCart):
        orders.checkout("bob")
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
    with pytest.raises(OutOfStock):
        orders.checkout("carol")
    assert stock.level("apple") == 96 and stock.orders_holding("apple") == {placed}
    assert orders.steps == ["reserve 10 × apple: done, 86 left",
                            "reserve 1 × pear: refused, 1 × pear asked, 0 in stock",
                            "release 10 × apple: done, 96 left"]
    assert orders.cart("carol") == {"apple": 10, "pear": 1} and orders.orders_of("carol") == []


def test_an_event_whose_consumer_died_is_claimed_by_another(shop) -> None:
    _, orders = shop
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
    _, orders = shop
    subscription = orders.subscribe("erin")
    try:
        deadline = time.monotonic() + 10
        message = None
        orders.add_to_cart("erin", "apple")
        orders.checkout("erin")
        while message is None and time.monotonic() < deadline:
            message = subscription.get_sharded_message(ignore_subscribe_messages=True, timeout=0.5)
        assert message is not None and message["data"] == "Your order 1 is placed."
        assert message["channel"] == "notifications:{erin}"
    finally:
        subscription.close()


def test_a_shard_channel_reaches_the_replicas_of_its_master_and_no_other_shard(shop, rc) -> None:
    """Notebook 04's claim: a shard carries its channels, master and replicas; others redirect."""
    import redis

    from helpers.topology import cluster_nodes
    _, orders = shop
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
        assert caught.value.__notes__ == ["rush: of 5 buyers, 0 bought, 0 were refused, 5 failed "
                                          "with an error, 0 had not finished after 60 s"]


def test_the_charts_of_notebook_04_claim_only_what_their_figures_show() -> None:
    """The stock chart's title is read from the log; keys per master draws chance, claims nothing."""
    import matplotlib
    matplotlib.use("Agg")
    import pandas as pd

    from helpers import charts
    kept = pd.DataFrame({"step": [0, 1, 2], "stock:lamp": [2, 1, 0], "stock:pen": [5, 5, 4]})
    assert charts.plot_stock_over_time(kept).get_title().endswith("never below zero")
    oversold = kept.assign(**{"stock:lamp": [2, 0, -1]})
    ax = charts.plot_stock_over_time(oversold)
    assert "below zero" in ax.get_title() and "-1" in ax.get_title() and ax.get_ylim()[0] <= -1
    counts = pd.DataFrame({"master": ["a:1", "b:2", "c:3"], "keys": [42, 37, 50],
                           "expected": [43.0] * 3, "σ": [5.4] * 3})
    ax = charts.plot_keys_per_master(counts)
    assert ax.get_title() == "Keys per master" and ax.get_ylim()[0] == 0
    assert ax.get_legend().get_texts()[0].get_text().startswith("expected ± 2σ")
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
