"""Every exercise on a real cluster: its printed solution passes, in English and in French, ____
is 'not attempted', and a typical wrong answer fails with the reason a student needs."""
from __future__ import annotations

import importlib

import pytest

from helpers.exercises import ____
from tests.messages import said


def reason(template_start: str, **params: object) -> tuple[str, dict]:
    """The reason a wrong answer must get: its message's template start and the values that matter."""
    return template_start, params


# (notebook part, question, a typical wrong answer, or code that sets one up, and its reason)
WRONG = [
    ("part01", "q1", "answer = 16383", reason("slots are numbered 0 to 16383")),
    ("part01", "q2", "answer = (rc.get_default_node().port, rc.get_default_node().port)",
     reason("{port} is where clients connect")),
    ("part01", "q3", "answer = len(rc.cluster_nodes())", reason("{answer} counts every node", answer=6)),
    ("part02", "q1", "answer = -1", reason("{answer!r} is not the slot of 'user:1000'", answer=-1)),
    ("part02", "q2", "answer = ('user:42:cart', 'user:42:orders')",
     reason("{cart!r} is in slot {cart_slot} and {orders!r} in slot {orders_slot}: only the part inside",
            cart="user:42:cart", orders="user:42:orders")),
    ("part02", "q3", "rc.mset_nonatomic({'user:7:cart': 1, 'user:7:wishlist': 2, 'user:7:orders': 3})\n"
                     "answer = ('user:7:cart', 'user:7:wishlist', 'user:7:orders')",
     reason("they are in slots {slots}: one MSET can only touch one slot")),
    ("part03", "q1", "import redis\nanswer = redis.Redis",
     reason("{name} does not follow MOVED", name="Redis")),
    ("part03", "q2", "answer = 1", reason("one node serves only its own slots")),
    ("part03", "q3", "def write(rc):\n"
                     "    for n in range(1000):\n"
                     "        rc.set(f'ex:{n}', n)\n"
                     "answer = write", reason("the masters read {round_trips:,} requests", masters=3)),
    ("part03", "q3", "def write(rc):\n"
                     "    rc.mset_nonatomic({f'ex:{n}': n for n in range(999)})\n"
                     "answer = write", reason("{count} of the 1,000 keys", count=1, first=999)),
    ("part04", "q1", "answer = 'user:42:session'",
     reason("{answer!r} is in slot {slot}, the cart in slot {cart_slot}: give it the cart's hash tag",
            answer="user:42:session")),
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    pipe = rc.pipeline(transaction=True)\n"
                     "    pipe.rpush('orders:' + user, 'lamp', 'desk')\n"
                     "    pipe.delete(f'user:{{{user}}}:cart')\n"
                     "    pipe.execute()\n"
                     "answer = checkout", reason("on an empty cart, your function was refused")),
    # The course-style checkout: read, then write in MULTI; fails on an empty cart...
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    items = rc.lrange(cart, 0, -1)\n"
                     "    pipe = rc.pipeline(transaction=True)\n"
                     "    pipe.rpush(orders, *items)\n"
                     "    pipe.delete(cart)\n"
                     "    pipe.execute()\n"
                     "answer = checkout", reason("on an empty cart, your function raised")),
    # ... and, made to accept an empty cart, loses what a customer adds between read and write.
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    items = rc.lrange(cart, 0, -1)\n"
                     "    if items:\n"
                     "        pipe = rc.pipeline(transaction=True)\n"
                     "        pipe.rpush(orders, *items)\n"
                     "        pipe.delete(cart)\n"
                     "        pipe.execute()\n"
                     "answer = checkout", reason("customers added {added} to the cart")),
    # The read goes through a pipeline, the write is two plain commands: half moved in between.
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    items = rc.pipeline().lrange(cart, 0, -1).execute()[0]\n"
                     "    if items:\n"
                     "        rc.rpush(orders, *items)\n"
                     "        rc.delete(cart)\n"
                     "answer = checkout", reason("between two of your commands another client read")),
    # WATCH and read in a transaction pipeline, then reset() and write outside it.
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    pipe = rc.pipeline(transaction=True)\n"
                     "    pipe.watch(cart)\n"
                     "    items = pipe.lrange(cart, 0, -1)\n"
                     "    pipe.reset()\n"
                     "    if items:\n"
                     "        rc.rpush(orders, *items)\n"
                     "        rc.delete(cart)\n"
                     "answer = checkout", reason("between two of your commands another client read")),
    # One item per round trip loses nothing, but another client sees the cart half moved.
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    while rc.lmove(cart, orders, 'LEFT', 'RIGHT'):\n"
                     "        pass\n"
                     "answer = checkout", reason("between two of your commands another client read")),
    # WATCH/MULTI that gives up when the cart changed instead of trying again.
    ("part04", "q2", "import redis\n"
                     "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    with rc.pipeline(transaction=True) as pipe:\n"
                     "        try:\n"
                     "            pipe.watch(cart)\n"
                     "            items = pipe.lrange(cart, 0, -1)\n"
                     "            pipe.multi()\n"
                     "            if items:\n"
                     "                pipe.rpush(orders, *items)\n"
                     "                pipe.delete(cart)\n"
                     "            pipe.execute()\n"
                     "        except redis.WatchError:\n"
                     "            pass\n"
                     "answer = checkout", reason("the cart still holds {cart}: checkout must empty it")),
    ("part04", "q3", "answer = 'list'", reason("a list keeps the order of insertion")),
    ("part05", "q1", "answer = int(rc.config_get('cluster-node-timeout')['cluster-node-timeout']) / 1000",
     reason("that is the right value in seconds; give it in milliseconds")),
    ("part05", "q2", "answer = 'SYNC'", reason("SYNC is how a replica asks for a full copy")),
    ("part06", "q1", "answer = 'min-replicas-max-lag'", reason("that one says how old a replica's last")),
    ("part07", "q1", "rc.execute_command('ACL', 'SETUSER', 'lonely', 'on', '>pw', '~*', '+@read',\n"
                     "                   target_nodes=rc.get_default_node())\nanswer = 'lonely'",
     reason("{node} does not know {answer!r}: ACLs are per node", answer="lonely")),
    ("part07", "q2", "answer = 'read'", reason("ACL CAT {answer} does not hold FLUSHALL", answer="read")),
    ("part07", "q2", "answer = 'nosuch'", reason("your cluster knows no category {answer!r}", answer="nosuch")),
    ("part07", "q3", "answer = 'requirepass'", reason("requirepass is the password a node asks")),
]


def exercise(part: str, name: str):
    return getattr(importlib.import_module(f"helpers.exercises.{part}"), name)


@pytest.mark.parametrize("part, name, wrong, expected", WRONG, ids=[f"{p}.{q}" for p, q, *_ in WRONG])
def test_solution_blank_and_a_wrong_answer(shared_cluster, capsys, part, name, wrong, expected) -> None:
    _cluster, rc = shared_cluster
    question = exercise(part, name)
    question.check(____)
    said(question.feedback(____), "Not attempted yet", question=question.question)
    assert capsys.readouterr().out == question.feedback(____) + "\n"

    attempt: dict = {"rc": rc}
    exec(wrong, attempt)
    feedback = question.feedback(attempt["answer"])
    said(feedback, "❌ Not yet: {reason}")
    template_start, params = expected
    said(feedback.params["reason"], template_start, **params)

    solution = question.solution_text
    assert "answer =" in solution
    attempt = {"rc": rc}
    exec(solution, attempt)
    question.check(attempt["answer"])
    assert capsys.readouterr().out == "✅ Correct!\n"


# Other right answers than the printed solution, each of which must pass.
RIGHT = [
    ("part03", "q2", "answer = float(len(rc.get_primaries()))"),
    ("part04", "q2", "SCRIPT = \"\"\"\n"
                     "local items = redis.call('LRANGE', KEYS[1], 0, -1)\n"
                     "if #items > 0 then\n"
                     "    redis.call('RPUSH', KEYS[2], unpack(items))\n"
                     "    redis.call('DEL', KEYS[1])\n"
                     "end\n"
                     "\"\"\"\n"
                     "def checkout(rc, user):\n"
                     "    move = rc.register_script(SCRIPT)  # EVALSHA, then SCRIPT LOAD on NOSCRIPT\n"
                     "    move(keys=[f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'])\n"
                     "answer = checkout"),
    ("part04", "q2", "import redis\n"
                     "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    with rc.pipeline(transaction=True) as pipe:\n"
                     "        while True:\n"
                     "            try:\n"
                     "                pipe.watch(cart)\n"
                     "                items = pipe.lrange(cart, 0, -1)\n"
                     "                pipe.multi()\n"
                     "                if items:\n"
                     "                    pipe.rpush(orders, *items)\n"
                     "                    pipe.delete(cart)\n"
                     "                pipe.execute()\n"
                     "                return\n"
                     "            except redis.WatchError:  # the cart changed after WATCH: again\n"
                     "                continue\n"
                     "answer = checkout"),
    ("part04", "q3", "answer = 'sorted_set'"),
    ("part04", "q3", "answer = 'Sorted-Set'"),
    ("part04", "q3", "answer = 'ensemble trié'"),  # the word in French
    ("part04", "q3", "answer = 'Ensemble-Trie'"),
    ("part07", "q2", "answer = '@dangerous'"),
    ("part07", "q3", "answer = ' MasterAuth '"),
]


@pytest.mark.parametrize("part, name, right", RIGHT, ids=[f"{p}.{q}" for p, q, _ in RIGHT])
def test_other_right_answers_pass(shared_cluster, capsys, part, name, right) -> None:
    _cluster, rc = shared_cluster
    attempt: dict = {"rc": rc}
    exec(right, attempt)
    exercise(part, name).check(attempt["answer"])
    assert capsys.readouterr().out == "✅ Correct!\n"


def test_every_notebook_has_three_exercises_or_more() -> None:
    for part in ("part01", "part02", "part03", "part04", "part05", "part06", "part07"):
        module = importlib.import_module(f"helpers.exercises.{part}")  # checks (q) and predictions (p)
        assert len([name for name in module.__all__ if name[0] in "qp"]) >= 3, part


def test_the_typed_task_reads_the_list_on_the_cluster(shared_cluster, capsys) -> None:
    from helpers.console import Console
    from helpers.exercises.part02 import q4

    _cluster, rc = shared_cluster
    console = Console(rc)  # what the student types into, the notebook's widget
    verdicts = []

    def check(answer) -> None:
        feedback = q4.feedback(answer)
        q4.check(answer)  # prints the same
        assert capsys.readouterr().out == feedback + "\n"
        verdicts.append(feedback)

    check(____)
    console.run('lpush lists:shopping "milk" "bread"')  # the course's write
    check("rpush lists:shopping eggs")  # typed nothing yet
    console.run("lpush lists:shopping eggs")
    check("lpush lists:shopping eggs")
    console.run("lrem lists:shopping 0 eggs")
    console.run("rpush lists:shopping eggs")
    check("lpush lists:shopping eggs")  # right list, wrong command named
    check("rpush lists:shopping eggs")
    check('rpush lists:shopping "eggs')  # an unbalanced quote: a verdict, not a traceback
    console.session.close()
    said(verdicts[0], "Not attempted yet")
    reasons = [verdict.params.get("reason") for verdict in verdicts]
    said(reasons[1], "lists:shopping holds {items} on the cluster: no 'eggs' yet", items=["bread", "milk"])
    said(reasons[2], "lists:shopping holds {items}: 'eggs' is not at the end. LPUSH adds at the head",
         items=["eggs", "bread", "milk"])
    said(reasons[3], "the list ends with 'eggs', but {answer!r} is not a command that puts it there",
         answer="lpush lists:shopping eggs")
    said(verdicts[4], "✅ Correct!")
    said(reasons[5], "{answer!r} cannot be split as redis-cli splits a line", answer='rpush lists:shopping "eggs')


# The exercises whose solution is code to run (02's q4 is typed into the console).
SOLVED = [(part, name) for part in ("part01", "part02", "part03", "part04", "part05", "part06", "part07")
          for name in importlib.import_module(f"helpers.exercises.{part}").__all__
          if name.startswith("q") and (part, name) != ("part02", "q4")]


def test_every_solution_printed_in_french_passes_and_says_so_in_french(shared_cluster, capsys, monkeypatch) -> None:
    _cluster, rc = shared_cluster
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    for part, name in SOLVED:
        question = exercise(part, name)
        question.solution()
        printed = capsys.readouterr().out
        assert printed.startswith("Solution\u00a0:\n"), printed
        attempt: dict = {"rc": rc}
        exec(printed.removeprefix("Solution\u00a0:\n"), attempt)  # the code a French student copies
        feedback = question.feedback(attempt["answer"])
        said(feedback, "✅ Correct!")
        assert feedback == "✅ Bonne réponse\u00a0!", (part, name, feedback)


def test_a_wrong_answer_is_explained_in_french(shared_cluster, monkeypatch) -> None:
    from helpers.exercises.part01 import q3

    _cluster, rc = shared_cluster
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    feedback = q3.feedback(len(rc.cluster_nodes()))  # every node, not the replicas
    said(feedback, "❌ Not yet: {reason}")
    said(feedback.params["reason"], "{answer} counts every node", answer=6)
    assert feedback == "❌ Pas encore\u00a0: 6 compte tous les nœuds\u00a0; les répliques sont les lignes marquées 'slave'"
