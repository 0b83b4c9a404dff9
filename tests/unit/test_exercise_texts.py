"""Exercises never raise, whatever the answer, and print their hint and solution, in the
student's language; an answer that is a word is taken in either language."""
from __future__ import annotations

import importlib
import io
import tokenize

import pytest

from helpers.exercises import Exercise, Prediction, part02, part03, part04
from helpers.i18n import N_, _
from tests.messages import said

PARTS = [importlib.import_module(f"helpers.exercises.part0{number}") for number in range(1, 8)]
EXERCISES = [getattr(part, name) for part in PARTS for name in part.__all__ if name.startswith("q")]
PREDICTIONS = [getattr(part, name) for part in PARTS for name in part.__all__ if name.startswith("p")]


def test_odd_answers_give_a_reason_not_a_traceback(capsys) -> None:
    odd = [(part02.q2, "not a tuple", "give a tuple of two key names"),
           (part04.q2, 42, "give the function itself: answer = checkout (no parentheses)"),
           (part04.q1, None, "give the key's name, a string"),
           (part03.q2, object(), "give a whole number of batches"),
           (part03.q1, "RedisCluster", "that is its name, in quotes: give the class itself")]
    for question, answer, reason in odd:
        feedback = question.feedback(answer)
        said(feedback, "❌ Not yet: {reason}")
        said(feedback.params["reason"], reason)
        question.check(answer)
        assert capsys.readouterr().out == feedback + "\n"


def test_a_check_that_fails_is_a_reason_not_a_traceback() -> None:
    crashing = Exercise(N_("How many hash slots does every Redis Cluster have?"), lambda answer: 1 / 0,
                        N_("Only the part inside {...} is hashed."), N_("answer = 16384"))
    feedback = crashing.feedback(3)
    said(feedback, "❌ Not yet: {reason}")
    said(feedback.params["reason"], "that answer could not be checked", kind="ZeroDivisionError")


@pytest.mark.parametrize("language, start", [("en", "Hint: "), ("fr", "Indice\u00a0: ")])
def test_hints_and_solutions_print_in_the_students_language(capsys, monkeypatch, language, start) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    part02.q2.hint()
    part02.q2.solution()
    out = capsys.readouterr().out
    assert out == (_("Hint: {hint}", hint=_(part02.q2.hint_text)) + "\n"
                   + _("Solution:\n{solution}", solution=_(part02.q2.solution_text)) + "\n")
    assert out.startswith(start) and "user:{42}:cart" in out
    assert ("Mettez entre accolades" in out) == (language == "fr")


@pytest.mark.parametrize("language, start", [("en", "Not attempted yet: replace ____"),
                                             ("fr", "Pas encore tenté\u00a0: remplacez ____")])
def test_a_blank_answer_is_not_attempted_and_shows_the_question(capsys, monkeypatch, language, start) -> None:
    from helpers.exercises import ____
    monkeypatch.setenv("WORKSHOP_LANG", language)
    feedback = part04.q3.feedback(____)
    said(feedback, "Not attempted yet: replace ____")
    said(feedback.params["question"], "Which Redis type holds")
    part04.q3.check(____)
    out = capsys.readouterr().out
    assert out == feedback + "\n" and out.startswith(start)
    assert ("classement" in out) == (language == "fr")


def without_comments(code: str) -> list[tuple[int, str]]:
    return [(token.type, token.string) for token in tokenize.generate_tokens(io.StringIO(code).readline)
            if token.type not in (tokenize.COMMENT, tokenize.NL)]


def test_every_text_is_translated_and_every_french_solution_is_the_same_code(monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    for text in [exercise.question for exercise in EXERCISES] + [exercise.hint_text for exercise in EXERCISES] \
            + [prediction.question for prediction in PREDICTIONS] + [prediction.why for prediction in PREDICTIONS]:
        assert _(text) != text, f"not in French: {text!r}"
    for exercise in EXERCISES:
        english, french = exercise.solution_text, _(exercise.solution_text)
        try:
            compile(english, "<solution>", "exec")
        except SyntaxError:  # words around the code (02's q4, typed in the console): the same code line
            assert english.splitlines()[-1] == french.splitlines()[-1] and english != french
            continue
        assert without_comments(french) == without_comments(english), english  # the cluster test runs it


@pytest.mark.parametrize("language, answer", [
    ("en", "sorted set"), ("en", "Sorted-Set"), ("en", "zset"),
    ("fr", "ensemble trié"), ("fr", "Ensemble_Trie"), ("fr", " ENSEMBLE TRIÉ ")])
def test_the_leaderboard_type_is_a_sorted_set_in_either_language(capsys, monkeypatch, language, answer) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    feedback = part04.q3.feedback(answer)
    said(feedback, "✅ Correct!")
    part04.q3.check(answer)
    assert capsys.readouterr().out == {"en": "✅ Correct!\n", "fr": "✅ Bonne réponse\u00a0!\n"}[language]


@pytest.mark.parametrize("language, answer, reason, french_word", [
    ("en", "list", "a list keeps the order of insertion", None),
    ("fr", "liste", "a list keeps the order of insertion", "l’ordre d’insertion"),
    ("en", "Set", "a set has no order and no score", None),
    ("fr", "ensemble", "a set has no order and no score", "ni ordre ni score"),
    ("fr", "hash", "a hash can count likes per product", "compter les likes"),
    ("fr", "arbre", "{answer!r} is not a Redis type that ranks by score", "n’est pas un type Redis")])
def test_a_wrong_type_in_either_language_says_why(monkeypatch, language, answer, reason, french_word) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    feedback = part04.q3.feedback(answer)
    said(feedback, "❌ Not yet: {reason}")
    said(feedback.params["reason"], reason)
    assert (french_word or "Not yet") in feedback


def test_the_hot_key_prediction_compares_a_guess_with_what_was_measured(capsys) -> None:
    from helpers.exercises.part04 import ____, p1
    assert "p1" in part04.__all__
    blank = p1.comparison(____, 100.0)  # the notebook's committed output: a fixed text
    said(blank, "No guess yet: replace ____")
    said(blank.params["question"], "3,000 INCRBYs of one key")
    compared = [(100, "✅ Well predicted", "100"), (97, "✅ Well predicted", "97"), (33, "❌ Not this time", "33"),
                ("all", "❌ Not this time", "'all'")]  # not a number: a wrong guess, not a traceback
    for guess, verdict, shown in compared:
        said(p1.comparison(guess, 100.0), verdict, guess=shown, measured="100")
    p1.compare(97, 100.0)
    assert capsys.readouterr().out == p1.comparison(97, 100.0) + "\n"


def test_a_prediction_compares_sets_text_and_booleans_exactly_and_numbers_within_tolerance() -> None:
    from helpers.exercises.part05 import p3, p5
    ports = Prediction(N_("Which masters?"), N_("Because."))
    said(ports.comparison({7001, 7000}, [7000, 7001]), "✅ Well predicted",  # order does not matter;
         guess="{7000, 7001}", measured="{7000, 7001}")  # ports print without commas
    said(ports.comparison(set(), {7000}), "❌ Not this time", guess="none")
    said(ports.comparison("ASK", "ask"), "✅ Well predicted", guess="'ASK'", measured="'ask'")
    said(p5.comparison(True, False), "❌ Not this time", guess="True", measured="False")
    said(p3.comparison(8, 12.2), "❌ Not this time", guess="8", measured="12.2")  # 30 % of 12.2 is 3.66
    said(p3.comparison(10, 12.2), "✅ Well predicted", guess="10", measured="12.2")
    said(p3.comparison(8_000, 12_345.0), "❌ Not this time", guess="8,000", measured="1.23e+04")


@pytest.mark.parametrize("language, guess, right", [
    ("en", False, True), ("en", "no", True), ("en", "False", True), ("en", "yes", False),
    ("fr", "non", True), ("fr", "Faux", True), ("fr", "vrai", False), ("fr", "oui", False)])
def test_a_true_or_false_prediction_takes_the_word_in_either_language(monkeypatch, language, guess, right) -> None:
    from helpers.exercises.part05 import p5
    monkeypatch.setenv("WORKSHOP_LANG", language)
    said(p5.comparison(guess, False), "✅ Well predicted" if right else "❌ Not this time")


@pytest.mark.parametrize("language, guess, measured, right", [
    ("en", "replica", "replica", True), ("en", "Master", "master", True), ("en", "master", "replica", False),
    ("en", "fail?", "fail", False),  # Redis's flags differ by their '?'; only case, spaces, '_' and '-' do not count
    ("fr", "réplique", "replica", True), ("fr", "Maître", "master", True), ("fr", "maitre", "master", True),
    ("fr", "maître", "replica", False)])
def test_a_word_prediction_takes_the_word_in_either_language(monkeypatch, language, guess, measured, right) -> None:
    role = Prediction(N_("Which masters?"), N_("Because."))
    monkeypatch.setenv("WORKSHOP_LANG", language)
    said(role.comparison(guess, measured), "✅ Well predicted" if right else "❌ Not this time")


def test_a_prediction_is_compared_in_french_with_numbers_written_in_french(capsys, monkeypatch) -> None:
    from helpers.exercises.part05 import p2, p3
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    p3.compare(10, 12.2)
    out = capsys.readouterr().out
    said(p3.comparison(10, 12.2), "✅ Well predicted", guess="10", measured="12,2")
    assert out == f"✅ Bien vu\u00a0: vous aviez dit 10, la mesure a donné 12,2.\n{_(p3.why)}\n"
    assert "la réplique" in out
    said(p2.comparison(3000, 6.2), "❌ Not this time", guess="3\u202f000", measured="6,2")
