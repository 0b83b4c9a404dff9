"""A live view of every node, for an instructor's screen: `helpers.dashboard()`.

The widget shows `topology.node_table()` and refreshes it every couple of seconds from a
background thread. A node that does not answer turns red; a failover shows as a role
change. Running the cell again (or closing the widget) stops the previous dashboard's
thread; the kernel stopping ends it.
"""
from __future__ import annotations

import html
import threading

import pandas as pd

from helpers.i18n import _
from helpers.topology import REPLICA, node_table

_running: dict[str, threading.Event] = {}  # the refresh of the dashboard on screen, if any


def dashboard(interval: float = 2.0):  # -> ipywidgets.HTML
    """The node table as a widget that refreshes every `interval` seconds (README, "For
    instructors"; handy beside notebook 05's labs).

    Only one dashboard refreshes at a time: calling this again stops the previous one.
    """
    import ipywidgets as widgets
    stop_dashboard()
    view = widgets.HTML(_render(node_table()))
    stop = threading.Event()
    _running["current"] = stop

    def refresh() -> None:
        while not stop.wait(interval):
            if view.comm is None:  # the widget was closed
                return
            try:
                view.value = _render(node_table())
            except Exception as error:  # keep refreshing; say what went wrong meanwhile
                view.value = f"<b style='color:#c00'>{html.escape(str(error))}</b>"

    threading.Thread(target=refresh, name="workshop-dashboard", daemon=True).start()
    return view


def stop_dashboard() -> None:
    """Stop the refreshing dashboard, if one runs."""
    stop = _running.pop("current", None)
    if stop is not None:
        stop.set()


def _render(table: pd.DataFrame) -> str:
    """The table as HTML in the student's language: down nodes in red, replicas with a broken
    link in orange. Its headers and roles are translated here, where they are shown; the table
    keeps its names."""
    def colour(row: pd.Series) -> list[str]:
        if not row["up"]:
            style = "background-color:#f8d0d0;color:#900;font-weight:bold"
        elif row["role"] == REPLICA and row["link"] != "up":
            style = "background-color:#fde6c8"
        else:
            style = ""
        return [style] * len(row)
    styled = (table.style.apply(colour, axis=1).format(_, subset=["role"]).format_index(_, axis="columns")
              .hide(axis="index").hide(["up"], axis="columns"))
    return styled.set_table_attributes("style='font-size:15px'").to_html()
