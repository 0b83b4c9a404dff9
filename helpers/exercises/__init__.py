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
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpers.replies import NodeLine, read_cluster_nodes

if TYPE_CHECKING:
    from redis.cluster import RedisCluster


class Blank:
    """The placeholder a student replaces: checking it says 'not attempted'."""

    def __repr__(self) -> str:
        return "____"


____ = Blank()


@dataclass(frozen=True)
class Exercise:
    """One question as data: a check returning None when right (else the reason), a hint, a solution."""

    question: str
    verdict: Callable[[object], str | None]
    hint_text: str
    solution_text: str

    def check(self, answer: object) -> None:
        """Print ✅, ❌ with the reason, or 'not attempted'."""
        if isinstance(answer, Blank):
            print(f"Not attempted yet: replace ____ with your answer. ({self.question})")
            return
        try:
            reason = self.verdict(answer)
        except Exception as error:  # a wrong type of answer must not crash the student's cell
            reason = f"that answer could not be checked ({error.__class__.__name__}: {error})"
        print("✅ Correct!" if reason is None else f"❌ Not yet: {reason}")

    def hint(self) -> None:
        """Print the hint."""
        print(f"Hint: {self.hint_text}")

    def solution(self) -> None:
        """Print the solution."""
        print(f"Solution:\n{self.solution_text}")


@dataclass(frozen=True)
class Prediction:
    """A predict-then-observe question of a lab (notebooks 04 and 05): the guess is written
    before the lab runs, and compared with what the lab measured.

    A number is right within `tolerance` (relative: 0.2 is ±20 %), anything else when equal
    (sets compare as sets, text without case). `why` explains the measured answer.
    """

    question: str
    why: str
    tolerance: float = 0.0

    def compare(self, guess: object, measured: object) -> None:
        """Print the guess beside the measured value: ✅ when close enough, ❌ otherwise; never raises."""
        if isinstance(guess, Blank):
            print(f"No guess yet: replace ____ with your prediction, run it, then the lab and this cell "
                  f"again. ({self.question})")
            return
        print(f"{'✅ Well predicted' if self._close(guess, measured) else '❌ Not this time'}: "
              f"you said {_shown(guess)}, the run measured {_shown(measured)}.\n{self.why}")

    def _close(self, guess: object, measured: object) -> bool:
        numbers = (int, float)
        if isinstance(guess, numbers) and isinstance(measured, numbers) and not isinstance(guess, bool):
            return abs(guess - measured) <= self.tolerance * abs(measured)
        if isinstance(guess, str) and isinstance(measured, str):
            return guess.strip().lower() == measured.strip().lower()
        if isinstance(guess, (set, frozenset, list, tuple)) and isinstance(measured, (set, frozenset, list, tuple)):
            return set(guess) == set(measured)
        return guess == measured


def _shown(value: object) -> str:
    """A value as a prediction's comparison prints it: 1,234 / 2.5 / {7000, 7001} / 'text'."""
    if isinstance(value, bool) or not isinstance(value, (int, float, set, frozenset, list, tuple)):
        return repr(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3g}"
    return "{" + ", ".join(str(item) for item in sorted(value)) + "}" if value else "none"  # ports: no comma


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
