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


def test_the_hot_key_prediction_compares_a_guess_with_what_was_measured(capsys) -> None:
    from helpers.exercises.part04 import ____, p1
    assert "p1" in part04.__all__
    p1.compare(____, 100.0)  # the notebook's committed output: a fixed text
    p1.compare(100, 100.0)
    p1.compare(97, 100.0)
    p1.compare(33, 100.0)
    p1.compare("all", 100.0)  # not a number: a wrong guess, not a traceback
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("No guess yet: replace ____") and "INCRBY" in lines[0]
    verdicts = [line for line in lines if line.startswith(("✅", "❌"))]
    assert verdicts == ["✅ Well predicted: you said 100, the run measured 100.",
                        "✅ Well predicted: you said 97, the run measured 100.",
                        "❌ Not this time: you said 33, the run measured 100.",
                        "❌ Not this time: you said 'all', the run measured 100."]


def test_a_prediction_compares_sets_text_and_booleans_exactly_and_numbers_within_tolerance(capsys) -> None:
    from helpers.exercises import Prediction
    from helpers.exercises.part05 import p3, p5
    ports = Prediction("Which masters?", "Because.")
    ports.compare({7001, 7000}, [7000, 7001])  # order does not matter; ports print without commas
    ports.compare("ASK", "ask")
    p5.compare(True, False)
    p3.compare(8, 12.2)  # 30 % of 12.2 is 3.66: 8 is too far
    p3.compare(10, 12.2)
    verdicts = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert verdicts == ["✅ Well predicted: you said {7000, 7001}, the run measured {7000, 7001}.",
                        "✅ Well predicted: you said 'ASK', the run measured 'ask'.",
                        "❌ Not this time: you said True, the run measured False.",
                        "❌ Not this time: you said 8, the run measured 12.2.",
                        "✅ Well predicted: you said 10, the run measured 12.2."]
