"""Self-check exercises, one module per notebook (part02.py for notebook 02, ...).

    from helpers.exercises.part02 import q1, ____
    answer = ____           # the student replaces ____
    q1.check(answer)        # ✅, ❌ with a reason, or "not attempted"; never raises
    # q1.hint()
    # q1.solution()
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
