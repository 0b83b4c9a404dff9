"""Traffic for notebook 04: customers browsing, liking, filling carts and buying, reproducibly.

`simulate` plays seeded random customers against the three applications and returns a
log (one row per action: who, what, which master served it, every stock level after);
`rush` sends many concurrent buyers at one product.
"""
from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING

import pandas as pd

from helpers.usecases import UseCaseError
from helpers.usecases.orders import Orders
from helpers.usecases.stock import Stock, product_key
from helpers.usecases.users import Users

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

ACTIONS = ("browse", "like", "add to cart", "checkout")
WEIGHTS = (50, 20, 20, 10)


def simulate(rc: "RedisCluster", stock: Stock, users: Users, orders: Orders, skus: list[str],
             customers: int = 20, steps: int = 600, seed: int = 7, progress: bool = True) -> pd.DataFrame:
    """Play `steps` random actions of `customers` customers; return the log (notebook 04).

    Refused actions (out of stock, empty cart) are logged as such, not raised.
    """
    from tqdm.auto import tqdm

    chooser = random.Random(seed)
    rows = []
    for step in tqdm(range(steps), disable=not progress, desc="customers at work"):
        customer = f"customer-{chooser.randrange(customers)}"
        action = chooser.choices(ACTIONS, WEIGHTS)[0]
        sku = chooser.choice(skus)
        key, outcome = product_key(sku), "ok"
        try:
            if action == "browse":
                stock.product(sku)
            elif action == "like":
                key = f"item:{{{sku}}}:likes"
                outcome = "ok" if users.like(customer, sku) else "already liked"
            elif action == "add to cart":
                key = f"cart:{{{customer}}}"
                orders.add_to_cart(customer, sku, chooser.randint(1, 3))
            else:
                key = f"cart:{{{customer}}}"
                orders.checkout(customer)
        except UseCaseError as error:
            outcome = f"refused: {error.__class__.__name__}"
        rows.append({"step": step, "customer": customer, "action": action, "outcome": outcome,
                     "master": rc.get_node_from_key(key).name,
                     **{f"stock:{name}": stock.level(name) for name in skus}})
    return pd.DataFrame(rows)


def rush(rc: "RedisCluster", sku: str, buyers: int = 50) -> dict[str, int]:
    """`buyers` threads, each with its own connections, try to buy one item of `sku` at once."""
    from helpers import connect

    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(buyers)

    def buy(number: int) -> None:
        client = connect()
        try:
            start.wait(timeout=30)
            Stock(client).reserve(sku, 1, f"rush-{number}")
            outcome = "bought"
        except UseCaseError:
            outcome = "refused"
        finally:
            client.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=buy, args=(number,)) for number in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return {"bought": results.count("bought"), "refused": results.count("refused")}
