"""Slots and nodes as pandas tables: CLUSTER INFO, CLUSTER NODES, the slot map, the doctor,
and every node's health in one table.

Notebook 01 reads its cluster with these; notebook 02 maps keys to slots and nodes;
the instructors' dashboard (helpers/live.py) shows `node_table()`.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import redis
from redis.cluster import RedisCluster

from helpers.cluster import seeds
from helpers.cluster.base import node_client
from helpers.errors import tls_problem
from helpers.i18n import N_, _
from helpers.replies import parse_cluster_nodes, parse_info, read_cluster_nodes
from helpers.resp import Connection, Credentials, ReplyError, credentials_of
from helpers.slots import format_slot_range, key_slot


def where_keys_live(rc: RedisCluster, keys: Iterable[str]) -> pd.DataFrame:
    """One row per key: its slot, computed here and by the server, and the master serving it (notebook 02)."""
    rows = []
    for key in keys:
        node = rc.get_node_from_key(key)
        rows.append({N_("key"): key, N_("slot"): key_slot(key), "CLUSTER KEYSLOT": rc.cluster_keyslot(key),
                     N_("master"): node.name})
    return pd.DataFrame(rows)


def keys_per_master(rc: RedisCluster) -> pd.DataFrame:
    """How many keys each master holds (DBSIZE on every master: one node answers for itself only)."""
    counts = {node.name: rc.execute_command("DBSIZE", target_nodes=node)
              for node in rc.get_primaries()}
    table = pd.DataFrame({N_("master"): list(counts), N_("keys"): list(counts.values())})
    return table.sort_values("master", key=lambda column: column.str.rsplit(":", n=1).str[1].astype(int),
                             ignore_index=True)


def cluster_info(rc: RedisCluster) -> pd.DataFrame:
    """CLUSTER INFO of one node as a two-column table (notebook 01)."""
    info = rc.cluster_info(target_nodes=rc.get_default_node())
    return pd.DataFrame({N_("field"): list(info), N_("value"): [str(v) for v in info.values()]})


def cluster_nodes(rc: RedisCluster) -> pd.DataFrame:
    """CLUSTER NODES as a table: one row per node, masters first, each with its slot ranges (notebook 01).

    Columns: address, role, id (first 8 characters), master (its address, for a replica),
    slots (ranges as CLUSTER NODES prints them), slot_count, link, flags.
    """
    nodes = read_cluster_nodes(rc, rc.RANDOM)
    by_id = {node.id: node.address for node in nodes}
    rows = []
    for node in nodes:
        rows.append({
            N_("address"): node.address,
            N_("role"): "master" if node.is_master else "replica",
            N_("id"): node.id[:8],
            N_("master"): by_id.get(node.master_id, "") if node.master_id else "",
            N_("slots"): " ".join(format_slot_range(first, last) for first, last in node.slots),
            N_("slot_count"): node.slot_count,
            N_("link"): "connected" if node.connected else "disconnected",
            N_("flags"): ",".join(sorted(set(node.flags) - {"myself"})),
        })
    table = pd.DataFrame(rows)
    table["port"] = table["address"].str.rsplit(":", n=1).str[1].astype(int)
    table = table.sort_values(["role", "port"]).drop(columns="port").reset_index(drop=True)
    return table


def slot_map(rc: RedisCluster) -> pd.DataFrame:
    """One row per contiguous slot range: first, last, count, master, replicas (notebook 01)."""
    rows = []
    for (first, last), owners in sorted(rc.cluster_slots(target_nodes=rc.get_random_node()).items()):
        rows.append({N_("first"): first, N_("last"): last, N_("count"): last - first + 1,
                     N_("master"): "{}:{}".format(*owners["primary"][:2])})
    table = pd.DataFrame(rows)
    replicas = cluster_nodes(rc).query("role == 'replica'").groupby("master")["address"].agg(", ".join)
    table[N_("replicas")] = table["master"].map(replicas).fillna("")
    return table


def doctor(rc: RedisCluster) -> pd.DataFrame:
    """Check that every address the cluster announces is reachable from here, and say what to fix.

    A cluster answers "MOVED <slot> <address>" with the addresses its nodes announce; a
    client can only follow the redirect if it can reach that address. Every node's own view
    is read, so a node that announces a wrong address is caught at once (notebook 01).
    """
    announced: dict[str, set[str]] = {}
    # The addresses redis-py reaches, plus every node CLUSTER NODES names (replicas too): a node
    # that announces a wrong address is still read where it really listens.
    nodes = {node.name: node for node in [*every_node(rc), *rc.get_nodes()]}
    for node in nodes.values():
        try:
            view = read_cluster_nodes(rc, node)  # as that node sees it
        except (redis.RedisError, OSError):  # a dead node: the others' views still name it
            continue
        for entry in view:
            if "noaddr" not in entry.flags:
                announced.setdefault(entry.address, set()).add(node.name)
    credentials = credentials_of(rc)
    rows = []
    for address in sorted(announced, key=lambda a: (a.rsplit(":", 1)[0], int(a.rsplit(":", 1)[1]))):
        host, port = address.rsplit(":", 1)
        reachable, answer, fix = _check_address(host, int(port), credentials)
        rows.append({N_("address"): address, N_("reachable"): reachable,
                     N_("answer"): answer, N_("what to do"): fix})
    return pd.DataFrame(rows)


def _check_address(host: str, port: int, credentials: Credentials) -> tuple[bool, str, str]:
    """(True, 'ok', '') or (False, what happened, what to fix) for one announced address: the
    doctor's finding and advice, in the student's language."""
    client = node_client(host, port, credentials)
    try:
        client.ping()
        return True, _("ok"), ""
    except redis.AuthenticationError:
        return False, _("wrong password"), _("Pass the cluster's user and password to helpers.connect "
                                             "(or in REDIS_CLUSTER_URL).")
    except redis.TimeoutError:
        return False, _("no answer (timeout)"), _(
            "Nothing answers at this address from here: it is probably a container or private "
            "IP. Run the nodes in one network namespace with their ports published on "
            "127.0.0.1 (see docker-compose.yml), or set cluster-announce-ip/-port on each "
            "node to an address this machine can reach.")
    except redis.ConnectionError as error:
        problem = tls_problem(error, host, port, credentials.tls is not None,
                              credentials.tls and credentials.tls.ca_certs)
        if problem:
            return False, _("TLS refused"), problem
        if "protected mode" in str(error).lower() or "DENIED" in str(error):
            return False, _("refused by protected mode"), _(
                "The node only accepts loopback clients. Give it a password (requirepass), or "
                "run it with protected-mode no behind ports published on 127.0.0.1 only.")
        return False, _("connection refused"), _(
            "Nothing listens on port {port} of {host}: the node announces a port it is not "
            "reachable on. Make the published port equal the port the node listens on, or set "
            "cluster-announce-port to the published one.", port=port, host=host)
    finally:
        client.close()


NODE_COLUMNS = [N_("node"), N_("up"), N_("role"), N_("master"), N_("slots"), N_("keys"), N_("ops/s"), N_("memory"),
                N_("clients"), N_("link")]
# The roles node_table shows: data, translated where the dashboard shows them (helpers.live).
MASTER, REPLICA, DOWN = N_("master"), N_("replica"), N_("down")


def node_table(timeout: float = 0.3) -> pd.DataFrame:
    """One row per node of the running cluster: up, role, its master, slots, keys, ops/s,
    memory, connected clients, replication link (instructors' dashboard; notebook 05's labs).

    Nodes are those the workshop started plus any that CLUSTER NODES names (an extra
    master of the scaling lab). A node that does not answer is listed with up=False.
    """
    addresses, credentials = seeds()
    views: dict[str, dict] = {}
    for address in addresses:
        views[address] = _ask(address, credentials, timeout)
    for view in list(views.values()):  # nodes the cluster knows that the workshop did not start
        for address in view.get("known", []):
            if address not in views:
                views[address] = _ask(address, credentials, timeout)
    rows = []
    for address, view in sorted(views.items(), key=lambda item: int(item[0].rsplit(":", 1)[1])):
        if not view.get("up"):
            rows.append({"node": address, "up": False, "role": DOWN, "master": "", "slots": 0,
                         "keys": 0, "ops/s": 0, "memory": "", "clients": 0, "link": ""})
            continue
        info = view["info"]
        replica = info.get("role") == "slave"
        rows.append({
            "node": address, "up": True, "role": REPLICA if replica else MASTER,
            "master": f"{info.get('master_host')}:{info.get('master_port')}" if replica else "",
            "slots": view["slots"], "keys": view["keys"],
            "ops/s": int(info.get("instantaneous_ops_per_sec", 0)),
            "memory": info.get("used_memory_human", ""),
            "clients": int(info.get("connected_clients", 0)),
            "link": info.get("master_link_status", "") if replica else ""})
    return pd.DataFrame(rows, columns=NODE_COLUMNS)


def _ask(address: str, credentials: Credentials, timeout: float) -> dict:
    """What one node says of itself: INFO, its slot count and keys, and the nodes it knows."""
    host, port = address.rsplit(":", 1)
    node = Connection(host, int(port), credentials, timeout=timeout)
    try:
        info, nodes, keys = node.ask(("INFO",), ("CLUSTER", "NODES"), ("DBSIZE",))
    except (OSError, ReplyError):
        return {"up": False}
    finally:
        node.close()
    slots, known = 0, []
    for entry in parse_cluster_nodes(nodes):
        if entry.is_myself:
            slots = entry.slot_count
        elif "noaddr" not in entry.flags:
            known.append(entry.address)
    return {"up": True, "info": parse_info(info), "slots": slots, "keys": keys, "known": known}


def every_node(rc: RedisCluster) -> list[redis.cluster.ClusterNode]:
    """Every node that CLUSTER NODES names, masters and replicas, sorted by address: the nodes to
    send a per-node command to, such as ACL SETUSER (notebook 05, exercise 05 q3).

    redis-py's own list (`rc.get_nodes()`, `rc.ALL_NODES`) comes from CLUSTER SLOTS, which
    Redis 7.0 answers without the replicas whose replication offset is still 0: on a fresh
    cluster it holds the masters only. A failing node is kept, so a command it misses fails
    loudly rather than being skipped.
    """
    nodes = []
    for entry in read_cluster_nodes(rc, rc.RANDOM):
        host, port = entry.address.rsplit(":", 1)
        if "noaddr" in entry.flags or port == "0":  # a node whose address nobody knows yet
            continue
        node = rc.get_node(node_name=entry.address)
        if node is None:  # not in redis-py's list (a replica, or a master without slots)
            role = redis.cluster.PRIMARY if entry.is_master else redis.cluster.REPLICA
            node = redis.cluster.ClusterNode(host, int(port), server_type=role)
        nodes.append(node)
    return sorted(nodes, key=lambda node: (node.host, node.port))
