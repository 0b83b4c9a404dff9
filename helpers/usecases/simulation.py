"""Traffic for notebook 04: customers browsing, liking, filling carts and buying, reproducibly.

`simulate` plays seeded random customers against the three applications and returns a
log (one row per action: who, what, which master served it, every stock level after);
`rush` sends many concurrent buyers at one product.
"""
from __future__ import annotations

import random
import threading
import time
from typing import TYPE_CHECKING

import pandas as pd

from helpers.i18n import N_, _
from helpers.usecases import UseCaseError
from helpers.usecases.orders import Orders
from helpers.usecases.stock import Stock, product_key
from helpers.usecases.users import Users

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

ACTIONS = (N_("browse"), N_("like"), N_("add to cart"), N_("checkout"))  # data, shown translated
WEIGHTS = (50, 20, 20, 10)


def simulate(rc: "RedisCluster", stock: Stock, users: Users, orders: Orders, skus: list[str],
             customers: int = 20, steps: int = 600, seed: int = 7, progress: bool = True) -> pd.DataFrame:
    """Play `steps` random actions of `customers` customers; return the log (notebook 04).

    Refused actions (out of stock, empty cart) are logged as such, not raised.
    """
    from tqdm.auto import tqdm

    chooser = random.Random(seed)
    rows = []
    for step in tqdm(range(steps), disable=not progress, desc=_("customers at work")):
        customer = f"customer-{chooser.randrange(customers)}"
        action = chooser.choices(ACTIONS, WEIGHTS)[0]
        sku = chooser.choice(skus)
        key, outcome = product_key(sku), _("ok")
        try:
            if action == "browse":
                stock.product(sku)
            elif action == "like":
                key = f"item:{{{sku}}}:likes"
                outcome = _("ok") if users.like(customer, sku) else _("already liked")
            elif action == "add to cart":
                key = f"cart:{{{customer}}}"
                orders.add_to_cart(customer, sku, chooser.randint(1, 3))
            else:
                key = f"cart:{{{customer}}}"
                orders.checkout(customer)
        except UseCaseError as error:
            outcome = _("refused: {error}", error=error.__class__.__name__)
        rows.append({N_("step"): step, N_("customer"): customer, N_("action"): action, N_("outcome"): outcome,
                     N_("master"): rc.get_node_from_key(key).name,
                     **{f"stock:{name}": stock.level(name) for name in skus}})
    return pd.DataFrame(rows)


def rush(rc: "RedisCluster", sku: str, buyers: int = 50, limit: float = 60.0) -> dict[str, int]:
    """`buyers` threads, each with its own connections, try to buy one item of `sku` at once (notebook 04).

    Every buyer is accounted for: it bought, or was refused (a UseCaseError such as
    OutOfStock). Any other error (a lost connection, a key of the wrong type) is raised
    here once every buyer has finished, with the count of each outcome; so is a buyer
    still running after `limit` seconds.
    """
    from helpers.cluster import connect

    outcomes: list[str | None] = [None] * buyers  # each thread writes only its own slot
    errors: list[BaseException | None] = [None] * buyers
    start = threading.Barrier(buyers)

    def buy(number: int) -> None:
        try:
            client = connect()
        except BaseException as error:
            errors[number] = error
            start.abort()  # the others would wait for this buyer in vain
            return
        try:
            start.wait(timeout=30)
            Stock(client).reserve(sku, 1, f"rush-{number}")
            outcomes[number] = "bought"
        except UseCaseError:
            outcomes[number] = "refused"
        except BaseException as error:  # kept, and raised by rush() below: never dropped
            errors[number] = error
        finally:
            client.close()

    threads = [threading.Thread(target=buy, args=(number,), daemon=True) for number in range(buyers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    counts = {"bought": outcomes.count("bought"), "refused": outcomes.count("refused")}
    failed = [error for error in errors if error is not None]
    unfinished = sum(thread.is_alive() for thread in threads)
    summary = _("rush: of {buyers} buyers, {bought} bought, {refused} were refused, {failed} failed with an "
                "error, {unfinished} had not finished after {limit:.0f} s", buyers=buyers, bought=counts["bought"],
                refused=counts["refused"], failed=len(failed), unfinished=unfinished, limit=limit)
    if failed:
        # A broken barrier only echoes another buyer's failure: raise the cause itself.
        first = next((error for error in failed if not isinstance(error, threading.BrokenBarrierError)),
                     failed[0])
        if hasattr(first, "add_note"):  # Python 3.11+
            first.add_note(summary)
        raise first
    if unfinished:
        raise TimeoutError(summary)
    return counts
