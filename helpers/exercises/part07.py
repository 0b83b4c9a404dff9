"""Exercises of notebook 07: the partition lab's predictions (p1, p2), compared with what the lab
measured."""
from __future__ import annotations

from helpers.exercises import ____, Prediction

__all__ = ["p1", "p2", "____"]

p1 = Prediction(
    question="For how many seconds after the cut will the isolated master go on acknowledging writes?",
    why="It cannot tell a cut from silence: it flags each other node as failing (PFAIL) once it has "
        "had no answer for cluster-node-timeout, and as soon as it cannot reach a majority of masters "
        "it says cluster_state:fail and refuses writes (CLUSTERDOWN). Until then every write is "
        "acknowledged, and none reaches its replica.",
    tolerance=0.3)
p2 = Prediction(
    question="With WAIT 1 after each write, how many writes that WAIT confirmed (a replica had them) "
             "will be lost?",
    why="None: a write WAIT confirmed is on the replica, and the replica is the one the majority "
        "promotes. What WAIT cannot do is undo a write: the unconfirmed ones are acknowledged by the "
        "master all the same, and they are the ones lost. The client knows which they are.")
