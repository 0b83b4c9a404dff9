"""Exercises of notebook 04: key design for the use cases, checked on your cluster."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, cluster
from helpers.topology import key_slot

__all__ = ["q1", "q2", "q3", "____"]


def _session_key(answer: object) -> str | None:
    if not isinstance(answer, str):
        return "give the key's name, a string"
    if "42" not in answer or "session" not in answer:
        return "the key should name user 42 and say it is a session"
    if key_slot(answer) != key_slot("user:{42}:cart"):
        return (f"{answer!r} is in slot {key_slot(answer)}, the cart in slot "
                f"{key_slot('user:{42}:cart')}: give it the cart's hash tag")
    return None


CART, ORDERS = "user:{ex}:cart", "user:{ex}:orders"  # the keys q2's check fills and reads


def _refusal(checkout, client, when: str) -> str | None:
    """Run checkout(client, "ex"); the reason it failed, or None."""
    try:
        checkout(client, "ex")
    except Exception as error:
        if "CROSSSLOT" in str(error) or "slot" in str(error).lower():
            return (f"{when}the transaction was refused ({error.__class__.__name__}): every key it "
                    f"touches must share a slot: use {CART} and {ORDERS}")
        return f"{when}your function raised {error.__class__.__name__}: {error}"
    return None


def _atomic_checkout(answer: object) -> str | None:
    """Runs the student's checkout(rc, "ex") on an empty cart, then on a cart of two items
    while another customer adds an item right after any LRANGE the function sends itself."""
    if not callable(answer):
        return "give the function itself: answer = checkout (no parentheses)"
    client, other = cluster(), cluster()
    try:
        client.delete(CART, ORDERS)
        refused = _refusal(answer, client, "on an empty cart, ")
        if refused:
            return refused
        if client.exists(CART, ORDERS):
            return f"on an empty cart, {ORDERS} now holds {client.lrange(ORDERS, 0, -1)}"
        client.rpush(CART, "lamp", "desk")
        send, late = client.execute_command, []

        def customer_adds_after_a_read(*args, **options):
            reply = send(*args, **options)
            if str(args[0]).upper() == "LRANGE" and not late:
                late.append(other.rpush(CART, "late"))  # a customer adds an item at that moment
            return reply

        client.execute_command = customer_adds_after_a_read
        try:
            refused = _refusal(answer, client, "")
        finally:
            del client.execute_command
        if refused:
            return refused
        left, placed = client.lrange(CART, 0, -1), client.lrange(ORDERS, 0, -1)
    finally:
        client.close()
        other.close()
    if late and "late" not in left + placed:
        return ("a customer added an item to the cart just after your LRANGE, and it is now in "
                "neither list: lost. Read and write in one atomic step: a Lua script, or WATCH "
                "and MULTI")
    if sorted(left + placed) != sorted(["lamp", "desk"] + ["late"] * len(late)):
        return f"{CART} holds {left} and {ORDERS} holds {placed}: every item must be in one of them"
    if "lamp" in left or "desk" in left:
        return f"the cart still holds {left}: checkout must empty it"
    if placed[:2] != ["lamp", "desk"]:
        return f"{ORDERS} holds {placed}: keep the cart's order, lamp then desk"
    return None


def _leaderboard_type(answer: object) -> str | None:
    if isinstance(answer, str) and answer.strip().lower() in ("zset", "sorted set", "sortedset"):
        return None
    reasons = {"list": "a list keeps the order of insertion; ranking by likes would mean sorting it "
                       "on every read",
               "hash": "a hash can count likes per product but cannot rank them",
               "set": "a set has no order and no score"}
    return reasons.get(str(answer).strip().lower(), f"{answer!r} is not a Redis type that ranks by score")


q1 = Exercise(
    question="Name the key of user 42's session so that it lives in the same slot as "
             "'user:{42}:cart'.",
    verdict=_session_key,
    hint_text="Only the part between { and } is hashed.",
    solution_text='answer = "user:{42}:session"')
q2 = Exercise(
    question="A user's cart is the list user:{<user>}:cart, their orders the list "
             "user:{<user>}:orders. Write checkout(rc, user) that moves every item of the cart, in "
             "order, to the end of the orders list and empties the cart, atomically: nothing added "
             "to the cart meanwhile may be lost, and an empty cart changes nothing. The check runs "
             "checkout(rc, 'ex') on user:{ex}:cart and reads user:{ex}:cart and user:{ex}:orders.",
    verdict=_atomic_checkout,
    hint_text="Both keys share the tag {user}, so one Lua script (rc.eval) can read the cart and "
              "write both lists with nothing in between; WATCH + MULTI is the other way.",
    solution_text='MOVE_CART = """\n'
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
                  'answer = checkout')
q3 = Exercise(
    question="Which Redis type holds the 'most liked products' leaderboard?",
    verdict=_leaderboard_type,
    hint_text="It keeps members ordered by a number, and ZINCRBY adds to it.",
    solution_text='answer = "zset"')
