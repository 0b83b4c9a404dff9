"""The Redis Cluster Workshop's helpers: what the notebooks call.

    import helpers
    helpers.up()            # start the cluster, or find the running one
    rc = helpers.connect()  # a redis.cluster.RedisCluster

Importing starts, prints and draws nothing.
"""
from helpers.cluster import connect, down, status, up
from helpers.cluster.base import WorkshopError

__all__ = ["up", "down", "status", "connect", "WorkshopError"]
