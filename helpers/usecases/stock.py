"""Stock management (course Part 4.1.1, project 1): a catalogue, stock levels, reservations.

Keys, all of one product in one slot thanks to the hash tag {sku}:
    product:{sku}          hash   name, price_cents, category, stock, version
    product:{sku}:orders   set    the orders holding a reservation of this product
    {stock}:low            zset   sku -> stock level, for products at or under the threshold
    {stock}:versions       hash   sku -> the product version the alert list last saw

Reserving is a Lua script on the product's slot: it checks and decrements in one step,
so concurrent buyers of the last items can never oversell (notebook 04). The alert list
lives in another slot, so its updates can arrive out of order; each change bumps the
product's version, and the list keeps a level only if it is newer than the one it has.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import redis

from helpers.i18n import _
from helpers.usecases import OutOfStock, UnknownProduct, check_quantity

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

RESERVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('UNKNOWN_PRODUCT') end
local stock = tonumber(redis.call('HGET', KEYS[1], 'stock'))
local quantity = tonumber(ARGV[1])
if stock < quantity then return redis.error_reply('OUT_OF_STOCK ' .. stock) end
if ARGV[2] ~= '' then redis.call('SADD', KEYS[2], ARGV[2]) end
return {redis.call('HINCRBY', KEYS[1], 'stock', -quantity), redis.call('HINCRBY', KEYS[1], 'version', 1)}
"""
RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('UNKNOWN_PRODUCT') end
if ARGV[2] ~= '' then redis.call('SREM', KEYS[2], ARGV[2]) end
return {redis.call('HINCRBY', KEYS[1], 'stock', ARGV[1]), redis.call('HINCRBY', KEYS[1], 'version', 1)}
"""
TRACK = """
if tonumber(ARGV[2]) <= tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1') then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if tonumber(ARGV[3]) <= tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return 1
"""


def product_key(sku: str) -> str:
    """The product's hash: every key of one product carries the tag {sku}."""
    return f"product:{{{sku}}}"


class Stock:
    """The catalogue and its stock levels (notebook 04)."""

    LOW, VERSIONS = "{stock}:low", "{stock}:versions"

    def __init__(self, rc: "RedisCluster", low_stock_threshold: int = 5) -> None:
        self.rc = rc
        self.threshold = low_stock_threshold
        self._reserve = rc.register_script(RESERVE)
        self._release = rc.register_script(RELEASE)
        self._track = rc.register_script(TRACK)

    def add_product(self, sku: str, name: str, price_cents: int, stock: int,
                    category: str = "") -> None:
        """Create or replace a product with its stock level."""
        if stock < 0:
            raise OutOfStock(_("a stock level cannot be negative ({stock})", stock=stock))
        version = self.rc.hincrby(product_key(sku), "version", 1)
        self.rc.hset(product_key(sku), mapping={"name": name, "price_cents": price_cents,
                                                "category": category, "stock": stock})
        self._track_low(sku, stock, version)

    def product(self, sku: str) -> dict:
        """The product's fields, prices and stock as integers; UnknownProduct if there is none."""
        fields = self.rc.hgetall(product_key(sku))
        if not fields:
            raise UnknownProduct(_("no product with SKU {sku!r}", sku=sku))
        return {**fields, "price_cents": int(fields["price_cents"]), "stock": int(fields["stock"]),
                "version": int(fields["version"])}

    def level(self, sku: str) -> int:
        """Items in stock now."""
        return self.product(sku)["stock"]

    def reserve(self, sku: str, quantity: int, order_id: str = "") -> int:
        """Take `quantity` items out of stock atomically; return what is left.

        Raises OutOfStock (nothing taken) or UnknownProduct.
        """
        return self._change(self._reserve, sku, quantity, order_id)

    def release(self, sku: str, quantity: int, order_id: str = "") -> int:
        """Put `quantity` items back (a cancelled or failed order); return the new level."""
        return self._change(self._release, sku, quantity, order_id)

    def orders_holding(self, sku: str) -> set[str]:
        """The orders that reserved this product."""
        return self.rc.smembers(f"{product_key(sku)}:orders")

    def low_stock(self) -> list[tuple[str, int]]:
        """(sku, level) of every product at or under the threshold, lowest first: the alert list."""
        return [(sku, int(level)) for sku, level in
                self.rc.zrange(self.LOW, 0, -1, withscores=True)]

    def _change(self, script, sku: str, quantity: int, order_id: str) -> int:
        """Run RESERVE or RELEASE on the product's slot, then update the alert list; return the level."""
        check_quantity(quantity)
        try:
            level, version = script(keys=[product_key(sku), f"{product_key(sku)}:orders"],
                                    args=[quantity, order_id])
        except redis.ResponseError as error:
            raise self._refusal(error, sku, quantity) from None
        self._track_low(sku, level, version)
        return level

    def _track_low(self, sku: str, level: int, version: int) -> None:
        # Another slot than the product's: a stale update (an older version) is ignored.
        self._track(keys=[self.LOW, self.VERSIONS], args=[sku, version, level, self.threshold])

    @staticmethod
    def _refusal(error: redis.ResponseError, sku: str, quantity: int) -> Exception:
        text = str(error)
        if text.startswith("UNKNOWN_PRODUCT"):
            return UnknownProduct(_("no product with SKU {sku!r}", sku=sku))
        if text.startswith("OUT_OF_STOCK"):
            return OutOfStock(_("{quantity} × {sku} asked, {stock} in stock", quantity=quantity, sku=sku,
                                stock=int(text.split()[1])))
        return error
