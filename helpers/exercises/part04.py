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


def _atomic_checkout(answer: object) -> str | None:
    """Runs the student's function on a fresh cart of user 'ex' and looks at the result."""
    if not callable(answer):
        return "give the function itself: answer = checkout (no parentheses)"
    client = cluster()
    try:
        cart, orders = "user:{ex}:cart", "user:{ex}:orders"
        client.delete(cart, orders)
        client.rpush(cart, "lamp", "desk")
        try:
            answer(client, "ex")
        except Exception as error:
            if "CROSSSLOT" in str(error) or "slot" in str(error).lower():
                return (f"the transaction was refused ({error.__class__.__name__}): every key it "
                        "touches must share a slot, so name them user:{ex}:cart and user:{ex}:orders")
            raise
        left, placed = client.lrange(cart, 0, -1), client.lrange(orders, 0, -1)
    finally:
        client.close()
    if left:
        return f"the cart still holds {left}: checkout must empty it"
    if sorted(placed) != ["desk", "lamp"]:
        return f"user:{{ex}}:orders holds {placed}, not the cart's two items"
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
    question="Write checkout(rc, user): in ONE transaction, move every item of the user's cart "
             "list to their orders list and empty the cart.",
    verdict=_atomic_checkout,
    hint_text="rc.pipeline(transaction=True) gives MULTI/EXEC; both keys need the user's hash tag.",
    solution_text='def checkout(rc, user):\n'
                  '    cart, orders = f"user:{{{user}}}:cart", f"user:{{{user}}}:orders"\n'
                  '    items = rc.lrange(cart, 0, -1)\n'
                  '    pipe = rc.pipeline(transaction=True)\n'
                  '    pipe.rpush(orders, *items)\n'
                  '    pipe.delete(cart)\n'
                  '    pipe.execute()\n'
                  'answer = checkout')
q3 = Exercise(
    question="Which Redis type holds the 'most liked products' leaderboard?",
    verdict=_leaderboard_type,
    hint_text="It keeps members ordered by a number, and ZINCRBY adds to it.",
    solution_text='answer = "zset"')
