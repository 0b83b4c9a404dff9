"""Matplotlib figures for the notebooks; every function takes `ax=None` and returns the Axes.

Drawn for the back of a classroom: large labels, one colour per master.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from helpers.i18n import N_, _, number
from helpers.slots import HASH_SLOTS, parse_slot_range

COLOURS = plt.get_cmap("tab10").colors


def _mark_events(ax: Axes, marks: dict[str, float]) -> None:
    """A dotted vertical line and a label at each event's time, labels on two alternating rows.
    An event's name is data (`marks["kill"]`), shown translated when the catalogue has it."""
    for index, (event, seconds) in enumerate(marks.items()):
        ax.axvline(seconds, color="black", linestyle=":", linewidth=1)
        ax.annotate(_(event), (seconds, 0.97 - 0.07 * (index % 2)), xycoords=ax.get_xaxis_transform(),
                    fontsize=10, xytext=(3, 0), textcoords="offset points", va="top")


def _tidy(ax: Axes) -> None:
    """No top and right frame lines: less ink, easier to read from the back of a room."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def plot_slot_map(nodes: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Which master owns which of the 16384 slots, each replica beside its master (notebook 01).

    `nodes` is `helpers.topology.cluster_nodes(rc)`.
    """
    masters = nodes[nodes["role"] == "master"].reset_index(drop=True)
    rows = []  # (label, ranges, colour, is_replica)
    for index, master in masters.iterrows():
        ranges = [parse_slot_range(part) for part in master["slots"].split()]
        colour = COLOURS[index % len(COLOURS)]
        rows.append((_("master {address}", address=master["address"]), ranges, colour, False))
        for number, replica in nodes[nodes["master"] == master["address"]].iterrows():
            rows.append((_("replica {address}", address=replica["address"]), ranges, colour, True))
    if ax is None:
        figure, ax = plt.subplots(figsize=(10, 0.55 * len(rows) + 1.2))
    for y, (label, ranges, colour, is_replica) in enumerate(reversed(rows)):
        bars = [(first, last - first + 1) for first, last in ranges]
        ax.broken_barh(bars, (y - 0.35, 0.7), facecolors=colour, alpha=0.35 if is_replica else 0.9,
                       hatch="//" if is_replica else None, edgecolor="white")
        if not is_replica:
            for first, width in bars:
                ax.text(first + width / 2, y, f"{first}–{first + width - 1}", ha="center",
                        va="center", fontsize=10, color="white", fontweight="bold")
    ax.set_yticks(range(len(rows)), [row[0] for row in reversed(rows)], fontsize=11)
    ax.set_xlim(0, HASH_SLOTS)
    ax.set_xticks([0, 4096, 8192, 12288, 16383])
    ax.set_xlabel(_("hash slot (0–16383)"), fontsize=11)
    # A replica serves its copy only to READONLY clients, and only reads: the title says so.
    ax.set_title(_("Who serves which hash slots (hatched: a replica's copy, read only after READONLY)"),
                 fontsize=13)
    _tidy(ax)
    return ax


# The columns notebooks 03 and 04 add to topology.keys_per_master's table (the expected count, its
# binomial σ, the gap in σ): names the code indexes by, shown translated like every table label.
CHANCE_COLUMNS = (N_("expected"), N_("σ"), N_("off by (σ)"))


def plot_keys_per_master(counts: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bars of keys held by each master (notebooks 03, 04, 05); `counts` is topology.keys_per_master(rc).

    When `counts` also has the columns `expected` and `σ` (each master's share of the keys
    and the binomial standard deviation, computed in notebooks 03 and 04), a black mark and
    whisker show the expected count ± 2σ: the range chance alone covers 95% of the time. The
    title states no conclusion: the notebook computes it from the figures.
    """
    if ax is None:
        figure, ax = plt.subplots(figsize=(7, 3.2))
    bars = ax.bar(counts["master"], counts["keys"], color=COLOURS[:len(counts)])
    chance = set(CHANCE_COLUMNS[:2]) <= set(counts.columns)
    labels = [number(value) for value in counts["keys"]]
    if chance:  # inside the bars, clear of the whiskers
        ax.bar_label(bars, labels=labels, fontsize=11, label_type="center", color="white",
                     fontweight="bold")
    else:
        ax.bar_label(bars, labels=labels, fontsize=11)
    top = counts["keys"].max()
    if chance:
        ax.errorbar(counts["master"], counts["expected"], yerr=2 * counts["σ"], fmt="_",
                    color="black", markersize=30, capsize=8, label=_("expected ± 2σ (chance alone)"))
        ax.legend(fontsize=10, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        top = max(top, (counts["expected"] + 2 * counts["σ"]).max())
    ax.set_ylabel(_("keys"), fontsize=11)
    ax.set_title(_("Keys per master"), fontsize=13)
    ax.set_ylim(0, top * 1.15)
    _tidy(ax)
    return ax


def plot_latency_histograms(samples: dict, ax: Axes | None = None) -> Axes:
    """Overlaid histograms of timed round trips in microseconds, log scale (notebook 03).

    Each series keeps the name the notebook gave it, which says whether it is a latency or a
    pipeline's time per command (a round trip divided by the commands it carried); a name the
    catalogue has is shown translated."""
    import numpy as np

    if ax is None:
        figure, ax = plt.subplots(figsize=(9, 3.8))
    everything = np.concatenate(list(samples.values()))
    bins = np.geomspace(max(everything.min(), 0.1), everything.max(), 60)
    for index, (name, values) in enumerate(samples.items()):
        ax.hist(values, bins=bins, alpha=0.6, color=COLOURS[index], label=_(name))
        ax.axvline(np.percentile(values, 50), color=COLOURS[index], linestyle="--")
    ax.set_xscale("log")
    ax.set_xlabel(_("microseconds (dashed: median)"), fontsize=11)
    ax.set_ylabel(_("round trips timed"), fontsize=11)
    ax.set_title(_("Latencies, and a pipeline's time per command"), fontsize=13)
    ax.legend(fontsize=10, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _tidy(ax)
    return ax


def plot_throughput(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Horizontal bars of keys/s per method (notebook 03); `table` is measure.compare_writers(rc)."""
    if ax is None:
        figure, ax = plt.subplots(figsize=(9, 0.7 * len(table) + 1.2))
    bars = ax.barh([_(method) for method in table["method"]], table["keys/s"], color=COLOURS[:len(table)])
    ax.bar_label(bars, labels=[_("{rate:,.0f}/s", rate=float(value)) for value in table["keys/s"]], fontsize=11, padding=4)
    ax.invert_yaxis()
    ax.set_xlabel(_("keys written per second"), fontsize=11)
    ax.set_xlim(0, table["keys/s"].max() * 1.25)
    ax.set_title(_("The same SETs, three ways"), fontsize=13)
    _tidy(ax)
    return ax


def plot_key_placement(nodes: pd.DataFrame, placement: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each key as a dot at its slot, over the masters' slot ranges (notebook 02).

    `nodes` is topology.cluster_nodes(rc); `placement` is topology.where_keys_live(rc, keys).
    """
    masters = nodes[nodes["role"] == "master"].reset_index(drop=True)
    if ax is None:
        figure, ax = plt.subplots(figsize=(11, 0.42 * len(placement) + 1.6))
    colour_of = {}
    for index, master in masters.iterrows():
        colour_of[master["address"]] = COLOURS[index % len(COLOURS)]
        for part in master["slots"].split():
            first, last = parse_slot_range(part)
            ax.axvspan(first, last + 1, color=colour_of[master["address"]], alpha=0.12)
            ax.text((first + last) / 2, len(placement) - 0.4, master["address"], ha="center",
                    fontsize=10, color=colour_of[master["address"]], fontweight="bold")
    for y, row in enumerate(placement.itertuples()):
        ax.plot(row.slot, y, "o", markersize=9, color=colour_of.get(row.master, "black"))
        ax.text(row.slot + 150, y, _("{key}  (slot {slot})", key=row.key, slot=row.slot), va="center", fontsize=10)
    ax.set_xlim(0, HASH_SLOTS)
    ax.set_ylim(-0.8, len(placement))
    ax.invert_yaxis()
    ax.set_yticks([])
    ax.set_xlabel(_("hash slot (0–16383); the background shows which master serves it"), fontsize=11)
    ax.set_title(_("Where each key lives"), fontsize=13)
    return ax


def plot_operations_per_master(log: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Actions of a simulation per master that served them, stacked by action (notebook 04)."""
    if ax is None:
        figure, ax = plt.subplots(figsize=(8, 3.5))
    table = log.groupby(["master", "action"]).size().unstack(fill_value=0)
    table.plot.bar(stacked=True, ax=ax, color=COLOURS[:len(table.columns)], rot=0)
    ax.set_xlabel("")
    ax.set_ylabel(_("operations"), fontsize=11)
    ax.set_title(_("Which master served the customers' operations"), fontsize=13)
    handles, actions = ax.get_legend_handles_labels()  # the log's actions, data: shown translated
    ax.legend(handles, [_(action) for action in actions], fontsize=10, frameon=False, loc="upper left",
              bbox_to_anchor=(1.0, 1.0))  # beside the bars
    _tidy(ax)
    return ax


def plot_leaderboard(ranking: list[tuple[str, int]], ax: Axes | None = None) -> Axes:
    """Horizontal bars of (item, likes), the most liked on top (notebook 04)."""
    if ax is None:
        figure, ax = plt.subplots(figsize=(7, 0.45 * len(ranking) + 1.2))
    items, likes = zip(*ranking) if ranking else ((), ())
    bars = ax.barh(items, likes, color=COLOURS[1])
    ax.bar_label(bars, fontsize=11, padding=3)
    ax.invert_yaxis()
    ax.set_xlabel(_("likes"), fontsize=11)
    ax.set_title(_("Most liked products (leaderboard:likes)"), fontsize=13)
    _tidy(ax)
    return ax


def plot_stock_over_time(log: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each product's stock level after every step of a simulation (notebook 04).

    The title says whether any level went below zero, read from the log."""
    if ax is None:
        figure, ax = plt.subplots(figsize=(9, 3.8))
    columns = [c for c in log.columns if c.startswith("stock:")]
    for index, column in enumerate(columns):
        ax.step(log["step"], log[column], where="post", color=COLOURS[index % len(COLOURS)],
                label=column.split(":", 1)[1])
    lowest = log[columns].min().min() if columns else 0
    ax.set_xlabel(_("step of the simulation"), fontsize=11)
    ax.set_ylabel(_("items in stock"), fontsize=11)
    ax.set_ylim(bottom=min(0, lowest))
    ax.set_title(_("Stock over time: never below zero") if lowest >= 0 else
                 _("Stock over time: it went down to {lowest}, below zero", lowest=int(lowest)), fontsize=13)
    ax.legend(fontsize=10, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _tidy(ax)
    return ax


# One colour per outcome of helpers.labs.OUTCOMES (charts draws; it does not import the labs).
OUTCOME_COLOURS = {"replicated": "#2ca02c", "acknowledged": "#ff7f0e", "refused": "#d62728",
                   "no answer": "#7f7f7f", "lost": "#000000"}


def plot_failover_timeline(writes: pd.DataFrame, marks: dict[str, float], node_timeout_ms: int,
                           ax: Axes | None = None) -> Axes:
    """Every write of `labs.FailoverWriter` as a dot per master port over time, coloured by outcome,
    with the lab's marks (kill or partition, promotion…) and the node timeout after the kill or the
    cut (notebooks 05 and 06).

    The legend sits below the plot, so that it covers neither a write nor an event's label."""
    if ax is None:
        figure, ax = plt.subplots(figsize=(10, 3.8))
    ports = sorted(writes["port"].unique())
    rows = {port: index for index, port in enumerate(ports)}
    for outcome, colour in OUTCOME_COLOURS.items():
        chosen = writes[writes["outcome"] == outcome]
        if len(chosen):
            ax.scatter(chosen["seconds"], chosen["port"].map(rows), s=6, color=colour,
                       label=_("{outcome} ({count:,})", outcome=_(outcome), count=len(chosen)), linewidths=0)
    _mark_events(ax, marks)
    killed = [seconds for event, seconds in marks.items() if event.startswith(("kill", "partition"))]
    for seconds in killed:
        ax.axvspan(seconds, seconds + node_timeout_ms / 1000, color="grey", alpha=0.15,
                   label="cluster-node-timeout" if seconds == killed[0] else None)
    ax.set_yticks(range(len(ports)), [_("node :{port}", port=port) for port in ports])
    ax.set_ylim(-0.6, len(ports) + 0.4)
    ax.set_xlabel(_("seconds since the writer started"), fontsize=11)
    ax.set_title(_("Each write, by the node that got it"), fontsize=13)
    ax.legend(fontsize=9, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=6,
              markerscale=3)
    _tidy(ax)
    return ax


def plot_benchmark(table: pd.DataFrame, metric: str = "requests/s", ax: Axes | None = None) -> Axes:
    """`metric` of `measure.redis_benchmark_grid` against the number of clients, one line per
    pipeline depth (notebook 05)."""
    if ax is None:
        figure, ax = plt.subplots(figsize=(8, 3.8))
    for index, (depth, runs) in enumerate(table.groupby("pipeline")):
        ax.plot(runs["clients"], runs[metric], marker="o", color=COLOURS[index],
                label=_("pipeline {depth}", depth=depth))
        for clients, value in zip(runs["clients"], runs[metric]):  # the figure itself, not a guess
            # Right of the point when another depth's point sits just above it: labels never collide.
            others = table[(table["clients"] == clients) & (table["pipeline"] != depth)][metric]
            beside = ((others >= value) & (others - value < 0.08 * table[metric].max())).any()
            ax.annotate(_("{value:,.0f}", value=float(value)) if value >= 100 else _("{value:g}", value=float(value)), (clients, value),
                        xytext=(7, -3) if beside else (0, 6), textcoords="offset points",
                        ha="left" if beside else "center", va="top" if beside else "bottom", fontsize=9)
    ax.set_xscale("log")
    ax.set_xticks(sorted(table["clients"].unique()), [str(c) for c in sorted(table["clients"].unique())])
    ax.set_xlabel(_("clients connected at once"), fontsize=11)
    ax.set_ylabel(_(metric), fontsize=11)
    ax.set_ylim(0, table[metric].max() * 1.2)
    if metric == "requests/s":
        ax.yaxis.set_major_formatter(lambda value, position: _("{value:,.0f}", value=float(value)))
    ax.set_title(_("redis-benchmark SET on this cluster: {metric}", metric=_(metric)), fontsize=13)
    ax.legend(fontsize=10, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _tidy(ax)
    return ax


def plot_operations_over_time(table: pd.DataFrame, marks: dict[str, float],
                              ax: Axes | None = None) -> Axes:
    """A workload's operations per second (`labs.operations_per_second`) with the lab's
    marks as dotted lines (notebook 05)."""
    if ax is None:
        figure, ax = plt.subplots(figsize=(10, 3.5))
    ax.step(table["seconds"], table["operations/s"], where="post", color=COLOURS[0])
    top = table["operations/s"].max() * 1.15 if len(table) else 1
    _mark_events(ax, marks)
    ax.set_ylim(0, top)
    ax.set_xlabel(_("seconds since the workload started"), fontsize=11)
    ax.set_ylabel(_("SET+GET pairs per second"), fontsize=11)
    ax.set_title(_("The application's throughput while the cluster changes shape"), fontsize=13)
    _tidy(ax)
    return ax
