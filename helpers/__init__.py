"""The Redis Cluster Workshop's helpers: what the notebooks call.

    import helpers
    helpers.up()            # start the cluster, or find the running one
    rc = helpers.connect()  # a redis.cluster.RedisCluster
    helpers.dashboard()     # a live view of every node, for instructors
    helpers.tr("…")         # a sentence a cell prints, in the student's language (helpers.i18n)

Importing starts, prints and draws nothing.
"""
from helpers.cluster import connect, down, status, up
from helpers.errors import WorkshopError
from helpers.i18n import tr, tr_n


def dashboard(interval: float = 2.0):  # -> ipywidgets.HTML
    """Every node's role, slots, keys, ops/s, memory, clients and replication link, refreshed
    every `interval` seconds; a dead node turns red (README, "For instructors")."""
    from helpers.live import dashboard as live_dashboard  # pandas and widgets load only here
    return live_dashboard(interval)


__all__ = ["up", "down", "status", "connect", "dashboard", "WorkshopError", "tr", "tr_n"]
