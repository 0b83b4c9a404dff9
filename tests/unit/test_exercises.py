"""Exercises never raise, and say not attempted, right, or why not."""
from __future__ import annotations

from redis import Redis
from redis.cluster import RedisCluster

from helpers.exercises import part02, part03
from helpers.topology import key_slot


def test_each_verdict(capsys) -> None:
    part02.q1.check(part02.____)
    part02.q1.check(key_slot("user:1000"))
    part02.q1.check(-1)
    part02.q2.check(("user:{42}:cart", "user:{42}:orders"))
    part02.q2.check(("user:42:cart", "user:42:orders"))
    part02.q2.check("not a tuple")
    part03.q1.check(RedisCluster)
    part03.q1.check(Redis)
    part03.q2.check("helpers.data.bulk_load")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Not attempted yet")
    assert [line[0] for line in lines[1:]] == ["✅", "❌", "✅", "❌", "❌", "✅", "❌", "✅"]
    assert "only the part inside {...} is hashed" in lines[4]
    assert "Redis does not follow MOVED" in lines[7]


def test_hints_and_solutions_print(capsys) -> None:
    part02.q2.hint()
    part02.q2.solution()
    out = capsys.readouterr().out
    assert out.startswith("Hint: ") and "user:{42}:cart" in out
