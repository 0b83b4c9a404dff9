"""Exercises of notebook 02: slots and hash tags, then a command typed in the console; the last
two are checked on your cluster."""
from __future__ import annotations

from helpers.exercises import ____, Exercise
from helpers.i18n import N_, _
from helpers.slots import key_slot

__all__ = ["q1", "q2", "q3", "q4", "____"]


def _slot_of_user_1000(answer: object) -> str | None:
    if answer == key_slot("user:1000"):
        return None
    return _("{answer!r} is not the slot of 'user:1000'. The server can tell you: rc.cluster_keyslot(...)",
             answer=answer)


def _same_slot_pair(answer: object) -> str | None:
    if not (isinstance(answer, tuple) and len(answer) == 2 and all(isinstance(k, str) for k in answer)):
        return _("give a tuple of two key names, like ('a', 'b')")
    cart, orders = answer
    if cart == orders:
        return _("the two keys must be different keys")
    if "42" not in cart or "42" not in orders:
        return _("both keys should name user 42")
    if key_slot(cart) != key_slot(orders):
        return _("{cart!r} is in slot {cart_slot} and {orders!r} in slot {orders_slot}: "
                 "only the part inside {{...}} is hashed when there is one",
                 cart=cart, cart_slot=key_slot(cart), orders=orders, orders_slot=key_slot(orders))
    return None


q1 = Exercise(
    question=N_("In which hash slot does the key 'user:1000' live?"),
    verdict=_slot_of_user_1000,
    hint_text=N_("CRC16 of the key modulo 16384; CLUSTER KEYSLOT asks the server."),
    solution_text=N_("answer = rc.cluster_keyslot('user:1000')"))
q2 = Exercise(
    question=N_("Name the cart and the orders of user 42 so that they always share a slot."),
    verdict=_same_slot_pair,
    hint_text=N_("Put the part both keys must share inside braces: a hash tag."),
    solution_text=N_("answer = ('user:{42}:cart', 'user:{42}:orders')"))


def _three_keys_one_node(answer: object) -> str | None:
    from helpers.exercises import cluster
    if not (isinstance(answer, (tuple, list)) and len(answer) == 3
            and all(isinstance(key, str) for key in answer)):
        return _("give the three key names, like ('a', 'b', 'c')")
    if not all("7" in key for key in answer):
        return _("all three keys should name user 7")
    client = cluster()
    try:
        missing = [key for key in answer if not client.exists(key)]
    finally:
        client.close()
    if missing:
        return _("{key!r} is not in the cluster: write the three keys with one rc.mset({{...}})", key=missing[0])
    slots = sorted({key_slot(key) for key in answer})
    if len(slots) > 1:
        return _("they are in slots {slots}: one MSET can only touch one slot. Share a hash tag",
                 slots=", ".join(map(str, slots)))
    return None


q3 = Exercise(
    question=N_("Write user 7's cart, wishlist and orders with ONE rc.mset(...), then give their names."),
    verdict=_three_keys_one_node,
    hint_text=N_("An MSET on a cluster must stay in one slot: put {7} in each name."),
    solution_text=N_('rc.mset({"user:{7}:cart": "lamp", "user:{7}:wishlist": "desk", "user:{7}:orders": "0"})\n'
                     'answer = ("user:{7}:cart", "user:{7}:wishlist", "user:{7}:orders")'))


def _eggs_at_the_tail(answer: object) -> str | None:
    from helpers.console import parse
    from helpers.exercises import cluster
    if not isinstance(answer, str):
        return _("give the command you typed, as text, like answer = 'lpush ...'")
    client = cluster()
    try:
        items = client.lrange("lists:shopping", 0, -1)
    finally:
        client.close()
    if "eggs" not in items:
        return _("lists:shopping holds {items} on the cluster: no 'eggs' yet. Type your command in "
                 "the console above and press Enter, then check again", items=items)
    if items[-1] != "eggs":
        return _("lists:shopping holds {items}: 'eggs' is not at the end. LPUSH adds at the head; "
                 "which command adds at the tail? (lrem lists:shopping 0 eggs takes it out again)", items=items)
    try:
        words = parse(answer)
    except ValueError:
        return _("{answer!r} cannot be split as redis-cli splits a line: check its quotes", answer=answer)
    if not words or words[0].lower() not in ("rpush", "rpushx") or words[1:2] != ["lists:shopping"]:
        return _("the list ends with 'eggs', but {answer!r} is not a command that puts it there", answer=answer)
    return None


q4 = Exercise(
    question=N_("In the console, add 'eggs' at the end of lists:shopping with one command; give that command."),
    verdict=_eggs_at_the_tail,
    hint_text=N_("LPUSH adds at the head of a list (that is why bread came first); its twin adds at the tail."),
    solution_text=N_("Type  rpush lists:shopping eggs  in the console and press Enter, then:\n"
                     "answer = 'rpush lists:shopping eggs'"))
