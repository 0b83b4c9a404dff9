"""Exercises of notebook 04: key design for the use cases, checked on your cluster, and the
hot key's predict-then-observe question."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, Prediction, answer_word, cluster
from helpers.i18n import N_, _, _n
from helpers.slots import key_slot

__all__ = ["p1", "q1", "q2", "q3", "____"]


def _session_key(answer: object) -> str | None:
    if not isinstance(answer, str):
        return _("give the key's name, a string")
    if "42" not in answer or "session" not in answer:
        return _("the key should name user 42 and say it is a session")
    if key_slot(answer) != key_slot("user:{42}:cart"):
        return _("{answer!r} is in slot {slot}, the cart in slot {cart_slot}: give it the cart's hash tag",
                 answer=answer, slot=key_slot(answer), cart_slot=key_slot("user:{42}:cart"))
    return None


CART, ORDERS = "user:{ex}:cart", "user:{ex}:orders"  # the keys q2's check fills and reads
ITEMS = ["lamp", "desk"]  # the cart q2's check fills
CUSTOMERS = 3  # how many items other customers add, one after each of your first replies


def _refusal(checkout, client, empty_cart: bool) -> str | None:
    """Run checkout(client, "ex"); the reason it failed, or None."""
    try:
        checkout(client, "ex")
    except Exception as error:
        said = {"kind": error.__class__.__name__, "error": error}
        if "CROSSSLOT" in str(error) or "slot" in str(error).lower():
            if empty_cart:
                return _("on an empty cart, your function was refused ({kind}: {error}): every key it "
                         "touches must share a slot: use {cart} and {orders}", cart=CART, orders=ORDERS, **said)
            return _("your function was refused ({kind}: {error}): every key it touches must share a "
                     "slot: use {cart} and {orders}", cart=CART, orders=ORDERS, **said)
        if empty_cart:
            return _("on an empty cart, your function raised {kind}: {error}", **said)
        return _("your function raised {kind}: {error}", **said)
    return None


def _half_moved(cart: list[str], orders: list[str]) -> str | None:
    """Why another client must not see this state of the two lists, or None."""
    in_cart, in_orders = (sum(item in ITEMS for item in side) for side in (cart, orders))
    if (in_cart, in_orders) in ((len(ITEMS), 0), (0, len(ITEMS))):
        return None
    return _("between two of your commands another client read {cart_key} = {cart} and {orders_key} = "
             "{orders}: lamp and desk must be all in the cart or all in the orders, never split, "
             "in both or in neither. Read and write in one atomic step",
             cart_key=CART, cart=cart, orders_key=ORDERS, orders=orders)


def _atomic_checkout(answer: object) -> str | None:
    """Runs the student's checkout(rc, "ex") on an empty cart, then on the cart lamp, desk while
    other customers add items: after each of the first replies the student's client reads,
    whatever command or pipeline it belongs to, another client adds an item and reads both lists."""
    if not callable(answer):
        return _("give the function itself: answer = checkout (no parentheses)")
    from redis.connection import AbstractConnection

    client, other = cluster(), cluster()
    read_response, busy, late, seen = AbstractConnection.read_response, [], [], []

    def crowded(connection, *args, **options):
        reply = read_response(connection, *args, **options)
        if not busy:  # not for the replies of this hook's own commands
            busy.append(True)
            try:
                if len(late) < CUSTOMERS:
                    late.append(f"late-{len(late) + 1}")
                    other.rpush(CART, late[-1])  # a customer adds an item at that moment
                seen.append(_half_moved(other.lrange(CART, 0, -1), other.lrange(ORDERS, 0, -1)))
            finally:
                busy.clear()
        return reply

    try:
        client.delete(CART, ORDERS)
        refused = _refusal(answer, client, empty_cart=True)
        if refused:
            return refused
        if client.exists(CART, ORDERS):
            return _("on an empty cart, {orders_key} now holds {orders}",
                     orders_key=ORDERS, orders=client.lrange(ORDERS, 0, -1))
        client.rpush(CART, *ITEMS)
        AbstractConnection.read_response = crowded  # every connection: pipelines and scripts too
        try:
            refused = _refusal(answer, client, empty_cart=False)
        finally:
            AbstractConnection.read_response = read_response
        if refused:
            return refused
        left, placed = client.lrange(CART, 0, -1), client.lrange(ORDERS, 0, -1)
    finally:
        client.close()
        other.close()
    half = next((reason for reason in seen if reason), None)
    if half:
        return half
    lost = [item for item in late if item not in left + placed]
    if lost:
        return _n("customers added {added} to the cart while your function ran; {lost} is now in "
                  "neither list: lost. Read and write in one atomic step: a Lua script, or WATCH and "
                  "MULTI (retrying when the cart changed)",
                  "customers added {added} to the cart while your function ran; {lost} are now in "
                  "neither list: lost. Read and write in one atomic step: a Lua script, or WATCH and "
                  "MULTI (retrying when the cart changed)",
                  len(lost), added=", ".join(late), lost=", ".join(lost))
    if sorted(left + placed) != sorted(ITEMS + late):
        return _("{cart_key} holds {cart} and {orders_key} holds {orders}: every item must be in one of them, once",
                 cart_key=CART, cart=left, orders_key=ORDERS, orders=placed)
    if any(item in left for item in ITEMS):
        return _("the cart still holds {cart}: checkout must empty it (if EXEC was refused "
                 "because the cart changed, WatchError, read it again and retry)", cart=left)
    if placed[:len(ITEMS)] != ITEMS:
        return _("{orders_key} holds {orders}: keep the cart's order, lamp then desk", orders_key=ORDERS, orders=placed)
    return None


# Why a type is not the leaderboard's, by the English word `answer_word` gives for it.
NOT_A_LEADERBOARD = {
    "list": N_("a list keeps the order of insertion; ranking by likes would mean sorting it on every read"),
    "hash": N_("a hash can count likes per product but cannot rank them"),
    "set": N_("a set has no order and no score"),
}


def _leaderboard_type(answer: object) -> str | None:
    word = answer_word(answer)  # "Sorted-Set", "ensemble trié": either language, any spelling
    if isinstance(answer, str) and word in ("zset", "sortedset"):
        return None
    if word in NOT_A_LEADERBOARD:
        return _(NOT_A_LEADERBOARD[word])
    return _("{answer!r} is not a Redis type that ranks by score", answer=answer)


q1 = Exercise(
    question=N_("Name the key of user 42's session so that it lives in the same slot as "
                "'user:{42}:cart'."),
    verdict=_session_key,
    hint_text=N_("Only the part inside {...} is hashed."),
    solution_text=N_('answer = "user:{42}:session"'))
q2 = Exercise(
    question=N_("A user's cart is the list user:{<user>}:cart, their orders the list "
                "user:{<user>}:orders. Write checkout(rc, user) that moves every item of the cart, in "
                "order, to the end of the orders list and empties the cart, atomically: no other "
                "client may see the cart half moved, nothing added to the cart meanwhile may be lost, "
                "and an empty cart changes nothing. The check runs checkout(rc, 'ex') while other "
                "customers add items to user:{ex}:cart, and reads user:{ex}:cart and "
                "user:{ex}:orders after each reply your client gets."),
    verdict=_atomic_checkout,
    hint_text=N_("Both keys share the tag {user}, so they are in one slot: one Lua script, "
                 "rc.eval(script, 2, cart, orders), can read the cart and write both lists with "
                 "nothing in between (§0 shows one). The other way: rc.pipeline(transaction=True), "
                 "WATCH the cart, read it, then MULTI/EXEC, and start again on WatchError."),
    solution_text=N_('MOVE_CART = """\n'
                     "local items = redis.call('LRANGE', KEYS[1], 0, -1)\n"
                     "if #items > 0 then\n"
                     "    redis.call('RPUSH', KEYS[2], unpack(items))\n"
                     "    redis.call('DEL', KEYS[1])\n"
                     "end\n"
                     'return #items\n"""\n'
                     '\n'
                     'def checkout(rc, user):\n'
                     '    return rc.eval(MOVE_CART, 2, f"user:{{{user}}}:cart", f"user:{{{user}}}:orders")\n'
                     '\n'
                     'answer = checkout'))
q3 = Exercise(
    question=N_("Which Redis type holds the 'most liked products' leaderboard?"),
    verdict=_leaderboard_type,
    hint_text=N_("It keeps members ordered by a number, and ZINCRBY adds to it."),
    solution_text=N_('answer = "zset"'))

p1 = Prediction(
    question=N_("3,000 INCRBYs of one key, views:{lamp}: what share of them, in %, will the busiest "
                "master of your cluster run?"),
    why=N_("A key hashes to one slot, and one master serves each slot: every command on the key goes "
           "to that master, however many masters the cluster has. More masters do not spread a hot "
           "key; keys of different slots do, as the next cells measure."),
    tolerance=0.05)
