"""The course's app.py, fixed for a Redis Cluster (notebook 03 runs it: python app.py).

The course used redis.Redis, a client for ONE server: on a cluster, a node answers
"MOVED" for every key whose slot it does not serve, and redis.Redis gives up. RedisCluster
reads the slot map, sends each command to the right node, and follows MOVED when the map
changes. Give it any node's address; it finds the others.
"""
import os

from redis.cluster import RedisCluster

# Any node of the cluster will do; the workshop's first node by default.
url = os.environ.get("REDIS_CLUSTER_URL", "redis://127.0.0.1:7000")
rc = RedisCluster.from_url(url, decode_responses=True)

rc.set("name", "kheir")

print(rc.get("name"))
