"""Order management (course Part 4.1.1, project 3): carts, checkout, order events, notifications.

Keys, a user's all in one slot thanks to the hash tag {user}:
    cart:{user}              hash    sku -> quantity
    order:{user}:counter     string  the user's last order number
    order:{user}:<n>         hash    the order: status, total_cents, and sku -> quantity
    user:{user}:orders       list    the user's order ids, oldest first
    orders:events            stream  one event per order, read by the "fulfilment" group
    channel notifications:{user}     sharded pub/sub: carried by the shard serving that slot
                                     (its master and its replicas), no other node

A checkout touches the user's slot and one slot per product, so it cannot be one
transaction in a cluster. It is consistent instead: each product is reserved atomically
in its own slot; if one runs out, the ones already reserved are released and the cart is
left as it was; only then is the order written and the cart emptied, in one script in the
user's slot, which refuses if the cart changed meanwhile (notebook 04).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import redis

from helpers.i18n import _
from helpers.usecases import EmptyCart, UseCaseError, check_quantity
from helpers.usecases.stock import Stock

if TYPE_CHECKING:
    from redis.cluster import ClusterPubSub, RedisCluster

PLACE = """
local items = cjson.decode(ARGV[2])
local current = redis.call('HGETALL', KEYS[1])
if #current ~= 2 * #items then return redis.error_reply('CART_CHANGED') end
for _, item in ipairs(items) do
  if redis.call('HGET', KEYS[1], item[1]) ~= tostring(item[2]) then
    return redis.error_reply('CART_CHANGED')
  end
end
for _, item in ipairs(items) do redis.call('HSET', KEYS[2], 'sku:' .. item[1], item[2]) end
redis.call('HSET', KEYS[2], 'status', 'placed', 'total_cents', ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('RPUSH', KEYS[3], ARGV[1])
return 1
"""


class CartChanged(UseCaseError):
    """The cart changed during the checkout: nothing was ordered, reservations were released."""


class Orders:
    """Carts, checkout, order events and notifications (notebook 04)."""

    EVENTS = "orders:events"
    GROUP = "fulfilment"

    def __init__(self, rc: "RedisCluster", stock: Stock) -> None:
        self.rc = rc
        self.stock = stock
        self._place = rc.register_script(PLACE)
        self.steps: list[str] = []  # what the last checkout did to the stock, in order (notebook 04)

    # ---- the cart -----------------------------------------------------------------------------
    def add_to_cart(self, user_id: str, sku: str, quantity: int = 1) -> int:
        """Add items of a known product; return the quantity now in the cart."""
        check_quantity(quantity)
        self.stock.product(sku)  # UnknownProduct before anything is written
        return self.rc.hincrby(f"cart:{{{user_id}}}", sku, quantity)

    def set_quantity(self, user_id: str, sku: str, quantity: int) -> None:
        """Change a line of the cart; 0 removes it."""
        if quantity == 0:
            self.rc.hdel(f"cart:{{{user_id}}}", sku)
            return
        check_quantity(quantity)
        self.stock.product(sku)
        self.rc.hset(f"cart:{{{user_id}}}", sku, quantity)

    def cart(self, user_id: str) -> dict[str, int]:
        """sku -> quantity."""
        return {sku: int(quantity) for sku, quantity in self.rc.hgetall(f"cart:{{{user_id}}}").items()}

    def total_cents(self, user_id: str) -> int:
        """What the cart costs at today's prices."""
        return sum(self.stock.product(sku)["price_cents"] * quantity
                   for sku, quantity in self.cart(user_id).items())

    # ---- checkout -----------------------------------------------------------------------------
    def checkout(self, user_id: str) -> str:
        """Turn the cart into an order, reserving stock; return the order id.

        Raises EmptyCart, OutOfStock, UnknownProduct or CartChanged; after any of them the
        cart, the stock and the orders are as they were.
        """
        items = sorted(self.cart(user_id).items())
        if not items:
            raise EmptyCart(_("the cart of {user!r} is empty: nothing to order", user=user_id))
        number = self.rc.incr(f"order:{{{user_id}}}:counter")
        order_id = f"order:{{{user_id}}}:{number}"
        reserved: list[tuple[str, int]] = []
        self.steps = []
        try:
            total = sum(self.stock.product(sku)["price_cents"] * quantity for sku, quantity in items)
            for sku, quantity in items:
                try:
                    left = self.stock.reserve(sku, quantity, order_id)
                except UseCaseError as error:
                    self.steps.append(_("reserve {quantity} × {sku}: refused, {error}", quantity=quantity, sku=sku,
                                        error=error))
                    raise
                reserved.append((sku, quantity))
                self.steps.append(_("reserve {quantity} × {sku}: done, {left} left", quantity=quantity, sku=sku,
                                    left=left))
            self._place_order(user_id, order_id, items, total)
        except BaseException:
            for sku, quantity in reserved:
                left = self.stock.release(sku, quantity, order_id)
                self.steps.append(_("release {quantity} × {sku}: done, {left} left", quantity=quantity, sku=sku,
                                    left=left))
            raise
        self.rc.xadd(self.EVENTS, {"order": order_id, "user": user_id, "total_cents": total,
                                   "type": "placed"})
        self.notify(user_id, _("Your order {number} is placed.", number=number))
        return order_id

    def _place_order(self, user_id: str, order_id: str, items: list, total: int) -> None:
        import json

        try:
            self._place(keys=[f"cart:{{{user_id}}}", order_id, f"user:{{{user_id}}}:orders"],
                        args=[order_id, json.dumps(items), total])
        except redis.ResponseError as error:
            if "CART_CHANGED" in str(error):
                raise CartChanged(_("the cart changed during the checkout: check it and try again")) from None
            raise

    def order(self, order_id: str) -> dict:
        """The order's status, total and items."""
        fields = self.rc.hgetall(order_id)
        return {"status": fields.get("status"), "total_cents": int(fields.get("total_cents", 0)),
                "items": {key[4:]: int(value) for key, value in fields.items() if key.startswith("sku:")}}

    def orders_of(self, user_id: str) -> list[str]:
        """The user's order ids, oldest first."""
        return self.rc.lrange(f"user:{{{user_id}}}:orders", 0, -1)

    # ---- order events: a stream read by a consumer group --------------------------------------
    def create_group(self) -> None:
        """Create the fulfilment group (reading new events from now), once."""
        try:
            self.rc.xgroup_create(self.EVENTS, self.GROUP, id="$", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def read_events(self, consumer: str, count: int = 10) -> list[tuple[str, dict]]:
        """New events for `consumer`; each stays pending until `ack`."""
        reply = self.rc.xreadgroup(self.GROUP, consumer, {self.EVENTS: ">"}, count=count)
        return [(event_id, fields) for stream, events in reply for event_id, fields in events]

    def ack(self, *event_ids: str) -> int:
        """Mark events as processed."""
        return self.rc.xack(self.EVENTS, self.GROUP, *event_ids)

    def claim_stalled(self, consumer: str, idle_ms: int, count: int = 10) -> list[tuple[str, dict]]:
        """Take over events another consumer read but did not ack for `idle_ms` (it crashed)."""
        cursor, events, deleted = self.rc.xautoclaim(self.EVENTS, self.GROUP, consumer, idle_ms,
                                          start_id="0-0", count=count)
        return events

    # ---- notifications: sharded pub/sub --------------------------------------------------------
    def notify(self, user_id: str, message: str) -> int:
        """Publish to the user's channel; return how many subscribers received it on the
        publishing node (SPUBLISH does not count those on the shard's replicas)."""
        return self.rc.spublish(f"notifications:{{{user_id}}}", message)

    def subscribe(self, user_id: str) -> "ClusterPubSub":
        """A subscription to the user's notifications (read with get_sharded_message)."""
        pubsub = self.rc.pubsub()
        pubsub.ssubscribe(f"notifications:{{{user_id}}}")
        return pubsub
