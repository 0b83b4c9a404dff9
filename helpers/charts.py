"""Matplotlib figures for the notebooks; every function takes `ax=None` and returns the Axes.

Drawn for the back of a classroom: large labels, one colour per master.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

COLOURS = plt.get_cmap("tab10").colors


def plot_slot_map(nodes: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Which master owns which of the 16384 slots, each replica beside its master (notebook 01).

    `nodes` is `helpers.topology.cluster_nodes(rc)`.
    """
    masters = nodes[nodes["role"] == "master"].reset_index(drop=True)
    rows = []  # (label, ranges, colour, is_replica)
    for index, master in masters.iterrows():
        ranges = [tuple(int(x) for x in (part.split("-") * 2)[:2]) for part in master["slots"].split()]
        colour = COLOURS[index % len(COLOURS)]
        rows.append((f"master {master['address']}", ranges, colour, False))
        for _, replica in nodes[nodes["master"] == master["address"]].iterrows():
            rows.append((f"replica {replica['address']}", ranges, colour, True))
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.55 * len(rows) + 1.2))
    for y, (label, ranges, colour, is_replica) in enumerate(reversed(rows)):
        bars = [(first, last - first + 1) for first, last in ranges]
        ax.broken_barh(bars, (y - 0.35, 0.7), facecolors=colour, alpha=0.35 if is_replica else 0.9,
                       hatch="//" if is_replica else None, edgecolor="white")
        if not is_replica:
            for first, width in bars:
                ax.text(first + width / 2, y, f"{first}–{first + width - 1}", ha="center",
                        va="center", fontsize=10, color="white", fontweight="bold")
    ax.set_yticks(range(len(rows)), [label for label, *_ in reversed(rows)], fontsize=11)
    ax.set_xlim(0, 16384)
    ax.set_xticks([0, 4096, 8192, 12288, 16383])
    ax.set_xlabel("hash slot (0–16383)", fontsize=11)
    ax.set_title("Who serves which hash slots (hatched: a replica's copy)", fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
