"""Exercises of notebook 06: the partition lab's predictions (p1, p2), compared with what the lab
measured, and a check of the defence that refuses writes (q1)."""
from __future__ import annotations

from helpers.exercises import ____, Exercise, Prediction
from helpers.i18n import N_, _

__all__ = ["p1", "p2", "q1", "____"]

p1 = Prediction(
    question=N_("For how many seconds after the cut will the isolated master go on acknowledging writes?"),
    why=N_("It cannot tell a cut from silence: it flags each other node as failing (PFAIL) once it has "
           "had no answer for cluster-node-timeout, and as soon as it cannot reach a majority of masters "
           "it says cluster_state:fail and refuses writes (CLUSTERDOWN). Until then every write is "
           "acknowledged, and none reaches its replica."),
    tolerance=0.3)
p2 = Prediction(
    question=N_("With WAIT 1 after each write, how many writes that WAIT confirmed (a replica had them) "
                "will be lost?"),
    why=N_("No confirmed write is lost: a write WAIT confirmed is on the replica, and with one replica "
           "per master that replica is the one the majority promotes. What WAIT cannot do is undo a "
           "write: the unconfirmed ones are acknowledged by the master all the same, and they are the "
           "ones lost. The client knows which they are."))


def _refusing_setting(answer: object) -> str | None:
    words = answer.strip().lower().split() if isinstance(answer, str) else []
    if words and words[0] in ("min-replicas-to-write", "min-slaves-to-write"):
        return None
    if isinstance(answer, str) and answer.strip().lower() == "min-replicas-max-lag":
        return _("that one says how old a replica's last acknowledgment may be; the other says how many replicas")
    return _("it is the setting the last run of the lab turned on, then off")


q1 = Exercise(
    question=N_("Which setting makes a master refuse writes (NOREPLICAS) while none of its replicas is in reach?"),
    verdict=_refusing_setting,
    hint_text=N_("It counts replicas, and its companion setting ends in -max-lag."),
    solution_text=N_('answer = "min-replicas-to-write"'))
