"""Self-check exercises, one module per notebook (part02.py for notebook 02, ...).

    from helpers.exercises.part02 import q1, ____
    answer = ____           # the student replaces ____
    q1.check(answer)        # ✅, ❌ with a reason, or "not attempted"; never raises
    # q1.hint()
    # q1.solution()

A lab's predict-then-observe question is a `Prediction`: the student writes a guess before
the lab runs, and afterwards `compare` sets it beside what the run measured:

    guess = ____                      # before the lab: how many keys will move?
    ...                               # the lab runs, and measures keys_moved
    p1.compare(guess, keys_moved)

Questions, hints, solutions and reasons are messages (helpers.i18n): a question's text is a
template marked `N_` in its part, shown in the student's language. An answer that is a word
("sorted set", "master") may be given in either language of the workshop (`answer_word`).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpers.i18n import Message, _, number
from helpers.replies import NodeLine, read_cluster_nodes

if TYPE_CHECKING:
    from redis.cluster import RedisCluster


class Blank:
    """The placeholder a student replaces: checking it says 'not attempted'."""

    def __repr__(self) -> str:
        return "____"


____ = Blank()


# An answer's word in French, spelled as `answer_word` spells it, and the English word it stands
# for: the words the exercises and predictions take as answers, in the catalogue's vocabulary.
FRENCH_WORDS = {
    "chaine": "string", "chainedecaracteres": "string", "liste": "list", "ensemble": "set",
    "ensembletrie": "sortedset", "maitre": "master", "replique": "replica",
    "vrai": "true", "faux": "false", "oui": "yes", "non": "no",
}


def answer_word(answer: object) -> str:
    """The English word an answer names, in either language, for comparing: without case,
    accents, spaces, '_' or '-' ("Ensemble trié", "sorted_set" and "SortedSet" are "sortedset").
    Used by 04's leaderboard question and by every prediction whose answer is a word (04-06)."""
    letters = unicodedata.normalize("NFKD", str(answer).lower())
    spelled = "".join(char for char in letters
                      if not (char.isspace() or char in "_-" or unicodedata.combining(char)))
    return FRENCH_WORDS.get(spelled, spelled)


@dataclass(frozen=True)
class Exercise:
    """One question as data: a check returning None when right (else the reason, a message), a
    hint, a solution. `question`, `hint_text` and `solution_text` are templates marked `N_`."""

    question: str
    verdict: Callable[[object], str | None]
    hint_text: str
    solution_text: str

    def feedback(self, answer: object) -> Message:
        """✅, ❌ with the reason, or 'not attempted', in the student's language; never raises."""
        if isinstance(answer, Blank):
            return _("Not attempted yet: replace ____ with your answer. ({question})", question=_(self.question))
        try:
            reason = self.verdict(answer)
        except Exception as error:  # a wrong type of answer must not crash the student's cell
            reason = _("that answer could not be checked ({kind}: {error})",
                       kind=error.__class__.__name__, error=error)
        return _("✅ Correct!") if reason is None else _("❌ Not yet: {reason}", reason=reason)

    def check(self, answer: object) -> None:
        """Print ✅, ❌ with the reason, or 'not attempted'."""
        print(self.feedback(answer))

    def hint(self) -> None:
        """Print the hint."""
        print(_("Hint: {hint}", hint=_(self.hint_text)))

    def solution(self) -> None:
        """Print the solution."""
        print(_("Solution:\n{solution}", solution=_(self.solution_text)))


@dataclass(frozen=True)
class Prediction:
    """A predict-then-observe question of a lab (notebooks 04 and 05): the guess is written
    before the lab runs, and compared with what the lab measured.

    A number is right within `tolerance` (relative: 0.2 is ±20 %), anything else when equal
    (sets compare as sets, words in either language and without case, True as "yes" or "vrai").
    `why` explains the measured answer. `question` and `why` are templates marked `N_`.
    """

    question: str
    why: str
    tolerance: float = 0.0

    def comparison(self, guess: object, measured: object) -> Message:
        """The guess beside the measured value, in the student's language; never raises."""
        if isinstance(guess, Blank):
            return _("No guess yet: replace ____ with your prediction, run it, then the lab and this cell "
                     "again. ({question})", question=_(self.question))
        shown = {"guess": _shown(guess), "measured": _shown(measured), "why": _(self.why)}
        if self._close(guess, measured):
            return _("✅ Well predicted: you said {guess}, the run measured {measured}.\n{why}", **shown)
        return _("❌ Not this time: you said {guess}, the run measured {measured}.\n{why}", **shown)

    def compare(self, guess: object, measured: object) -> None:
        """Print the guess beside the measured value: ✅ when close enough, ❌ otherwise; never raises."""
        print(self.comparison(guess, measured))

    def _close(self, guess: object, measured: object) -> bool:
        numbers = (int, float)
        if isinstance(guess, numbers) and isinstance(measured, numbers) and not isinstance(guess, bool):
            return abs(guess - measured) <= self.tolerance * abs(measured)
        if isinstance(guess, str) and isinstance(measured, str):
            return answer_word(guess) == answer_word(measured)
        if isinstance(guess, str) and isinstance(measured, bool):  # "yes", "faux" for True, False
            return answer_word(guess) in (("true", "yes") if measured else ("false", "no"))
        if isinstance(guess, (set, frozenset, list, tuple)) and isinstance(measured, (set, frozenset, list, tuple)):
            return set(guess) == set(measured)
        return guess == measured


def _shown(value: object) -> str:
    """A value as a prediction's comparison prints it: 1,234 / 2.5 / {7000, 7001} / 'text', its
    numbers written as the student's language writes them."""
    if isinstance(value, bool) or not isinstance(value, (int, float, set, frozenset, list, tuple)):
        return repr(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return number(value, ",.3g")
    return "{" + ", ".join(str(item) for item in sorted(value)) + "}" if value else _("none")  # ports: no comma


def cluster() -> "RedisCluster":
    """A client for the running cluster, for checks that read its real state."""
    from helpers.cluster import connect
    return connect()


def cluster_nodes() -> list[NodeLine]:
    """CLUSTER NODES of one live node, one NodeLine per line in the order given (notebook 01's checks)."""
    client = cluster()
    try:
        return read_cluster_nodes(client, client.get_default_node())
    finally:
        client.close()
