"""The three applications of the course's Part 4.1.1, built on the cluster (notebook 04).

stock.py (products and stock), users.py (profiles, roles, sessions, likes) and orders.py
(carts, checkout, order events, notifications). The central rule of a cluster shows in
every key name: keys that one command or script must touch together share a hash tag
({sku}, {user}), so they live in one slot on one node.
"""
from __future__ import annotations

from helpers.i18n import _


class UseCaseError(ValueError):
    """A request the application refuses; nothing was changed. The message says why, in the
    student's language (a `helpers.i18n` message)."""


class UnknownProduct(UseCaseError):
    """No product has that SKU."""


class OutOfStock(UseCaseError):
    """Fewer items are in stock than asked for."""


class InvalidQuantity(UseCaseError):
    """A quantity that is not a whole number above zero."""


class SessionExpired(UseCaseError):
    """The session's token is unknown or has expired."""


class EmptyCart(UseCaseError):
    """A checkout of a cart with nothing in it."""


def check_quantity(quantity: int) -> int:
    """Return `quantity` if it is a whole number above zero, else raise InvalidQuantity."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidQuantity(_("quantity must be a whole number above zero, not {quantity!r}", quantity=quantity))
    return quantity
