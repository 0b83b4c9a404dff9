"""Every exercise on a real cluster: its printed solution passes, ____ is 'not attempted',
and a typical wrong answer fails with the reason a student needs."""
from __future__ import annotations

import importlib

import pytest

from helpers.exercises import ____

# (notebook part, question, a typical wrong answer, or code that sets one up, and a piece of its reason)
WRONG = [
    ("part01", "q1", "answer = 16383", "numbered 0 to 16383"),
    ("part01", "q2", "answer = (rc.get_default_node().port, rc.get_default_node().port)",
     "where clients connect"),
    ("part01", "q3", "answer = len(rc.cluster_nodes())", "counts every node"),
    ("part02", "q1", "answer = -1", "rc.cluster_keyslot"),
    ("part02", "q2", "answer = ('user:42:cart', 'user:42:orders')", "only the part inside {...}"),
    ("part02", "q3", "rc.mset_nonatomic({'user:7:cart': 1, 'user:7:wishlist': 2, 'user:7:orders': 3})\n"
                     "answer = ('user:7:cart', 'user:7:wishlist', 'user:7:orders')", "Share a hash tag"),
    ("part03", "q1", "import redis\nanswer = redis.Redis", "does not follow MOVED"),
    ("part03", "q2", "answer = 1", "its own slots"),
    ("part03", "q3", "def write(rc):\n"
                     "    for n in range(1000):\n"
                     "        rc.set(f'ex:{n}', n)\n"
                     "answer = write", "total_reads_processed"),
    ("part03", "q3", "def write(rc):\n"
                     "    rc.mset_nonatomic({f'ex:{n}': n for n in range(999)})\n"
                     "answer = write", "1 of the 1,000 keys are missing, ex:999"),
    ("part04", "q1", "answer = 'user:42:session'", "give it the cart's hash tag"),
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    pipe = rc.pipeline(transaction=True)\n"
                     "    pipe.rpush('orders:' + user, 'lamp', 'desk')\n"
                     "    pipe.delete(f'user:{{{user}}}:cart')\n"
                     "    pipe.execute()\n"
                     "answer = checkout", "must share a slot"),
    # The course-style checkout: read, then write in MULTI; fails on an empty cart...
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    items = rc.lrange(cart, 0, -1)\n"
                     "    pipe = rc.pipeline(transaction=True)\n"
                     "    pipe.rpush(orders, *items)\n"
                     "    pipe.delete(cart)\n"
                     "    pipe.execute()\n"
                     "answer = checkout", "on an empty cart, your function raised"),
    # ... and, made to accept an empty cart, loses what a customer adds between read and write.
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    items = rc.lrange(cart, 0, -1)\n"
                     "    if items:\n"
                     "        pipe = rc.pipeline(transaction=True)\n"
                     "        pipe.rpush(orders, *items)\n"
                     "        pipe.delete(cart)\n"
                     "        pipe.execute()\n"
                     "answer = checkout", "neither list: lost"),
    # The read goes through a pipeline, the write is two plain commands: half moved in between.
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    items = rc.pipeline().lrange(cart, 0, -1).execute()[0]\n"
                     "    if items:\n"
                     "        rc.rpush(orders, *items)\n"
                     "        rc.delete(cart)\n"
                     "answer = checkout", "never split, in both or in neither"),
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
                     "answer = checkout", "never split, in both or in neither"),
    # One item per round trip loses nothing, but another client sees the cart half moved.
    ("part04", "q2", "def checkout(rc, user):\n"
                     "    cart, orders = f'user:{{{user}}}:cart', f'user:{{{user}}}:orders'\n"
                     "    while rc.lmove(cart, orders, 'LEFT', 'RIGHT'):\n"
                     "        pass\n"
                     "answer = checkout", "never split, in both or in neither"),
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
                     "answer = checkout", "WatchError, read it again and retry"),
    ("part04", "q3", "answer = 'list'", "order of insertion"),
    ("part05", "q1", "answer = int(rc.config_get('cluster-node-timeout')['cluster-node-timeout']) / 1000",
     "in milliseconds"),
    ("part05", "q2", "answer = 'SYNC'", "full copy"),
    ("part07", "q1", "rc.execute_command('ACL', 'SETUSER', 'lonely', 'on', '>pw', '~*', '+@read',\n"
                     "                   target_nodes=rc.get_default_node())\nanswer = 'lonely'",
     "ACLs are per node"),
    ("part07", "q2", "answer = 'read'", "does not hold FLUSHALL"),
    ("part07", "q2", "answer = 'nosuch'", "no category"),
    ("part07", "q3", "answer = 'requirepass'", "the replica is the client"),
]


def exercise(part: str, name: str):
    return getattr(importlib.import_module(f"helpers.exercises.{part}"), name)


@pytest.mark.parametrize("part, name, wrong, reason", WRONG, ids=[f"{p}.{q}" for p, q, *_ in WRONG])
def test_solution_blank_and_a_wrong_answer(shared_cluster, capsys, part, name, wrong, reason) -> None:
    _, rc = shared_cluster
    question = exercise(part, name)
    question.check(____)
    assert capsys.readouterr().out.startswith("Not attempted yet")

    attempt: dict = {"rc": rc}
    exec(wrong, attempt)
    question.check(attempt["answer"])
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:") and reason in out, out

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
    ("part07", "q2", "answer = '@dangerous'"),
    ("part07", "q3", "answer = ' MasterAuth '"),
]


@pytest.mark.parametrize("part, name, right", RIGHT, ids=[f"{p}.{q}" for p, q, _ in RIGHT])
def test_other_right_answers_pass(shared_cluster, capsys, part, name, right) -> None:
    _, rc = shared_cluster
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

    _, rc = shared_cluster
    console = Console(rc)  # what the student types into, the notebook's widget
    verdicts = []

    def check(answer) -> None:
        q4.check(answer)
        verdicts.append(capsys.readouterr().out)

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
    assert verdicts[0].startswith("Not attempted yet")
    assert "['bread', 'milk'] on the cluster: no 'eggs' yet" in verdicts[1]
    assert "['eggs', 'bread', 'milk']: 'eggs' is not at the end. LPUSH adds at the head" in verdicts[2]
    assert "is not a command that puts it there" in verdicts[3]
    assert verdicts[4] == "✅ Correct!\n"
    assert "cannot be split as redis-cli splits a line" in verdicts[5]
