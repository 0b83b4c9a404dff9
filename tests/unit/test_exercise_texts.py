"""Exercises never raise, whatever the answer, and print their hint and solution."""
from __future__ import annotations

from helpers.exercises import part02, part03, part04


def test_odd_answers_give_a_reason_not_a_traceback(capsys) -> None:
    part02.q2.check("not a tuple")
    part04.q2.check(42)
    part04.q1.check(None)
    part03.q2.check(object())
    lines = capsys.readouterr().out.splitlines()
    assert [line[:10] for line in lines] == ["❌ Not yet:"] * 4
    assert "answer = checkout (no parentheses)" in lines[1]


def test_hints_and_solutions_print(capsys) -> None:
    part02.q2.hint()
    part02.q2.solution()
    out = capsys.readouterr().out
    assert out.startswith("Hint: ") and "user:{42}:cart" in out
