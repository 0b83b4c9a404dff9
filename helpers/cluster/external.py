"""The external backend: a cluster that runs elsewhere, given by REDIS_CLUSTER_URL.

The workshop never starts or stops it; `up` checks that it answers and is healthy,
`connect` returns a client. Where students go when they outgrow one machine (notebook 05).
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import redis
from redis.cluster import RedisCluster

from helpers.cluster.base import ClusterSpec, ClusterState
from helpers.config import Settings
from helpers.errors import WorkshopError, explain_connection_error
from helpers.i18n import _, _n
from helpers.replies import read_cluster_nodes
from helpers.resp import Credentials, Tls, TlsError


def connect_url(url: str, decode_responses: bool = True, username: str | None = None,
                password: str | None = None, **options: object) -> RedisCluster:
    """A RedisCluster for `url` (redis:// or rediss://, user and password allowed), or a clear error.

    `username` or `password`, when given, log in instead of the URL's own user (notebook 05's
    ACL users, through `helpers.connect`).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise WorkshopError(_("REDIS_CLUSTER_URL={url!r} is not a Redis URL. Write it as "
                              "redis://[user:password@]host:port (or rediss:// for TLS).", url=safe_url(url)))
    fix = {}
    if username is not None or password is not None:
        # redis-py lets the URL's user win over arguments: the URL must lose it.
        url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        options.update(username=username, password=password)
        fix = {"fix": _("Check the password of user {user!r}: helpers.connect(username=..., password=...).",
                        user=username) if username else
               _("Check the password of the default user: helpers.connect(username=..., password=...).")}
    options.setdefault("socket_connect_timeout", 5)
    tls = url_seed(url)[1].tls
    try:
        if tls:
            tls.check_files()  # before redis-py, which would say only "No such file or directory"
    except TlsError as error:
        raise WorkshopError(error.args[0]) from None  # the message itself, which tests know by its identity
    try:
        client = RedisCluster.from_url(url, decode_responses=decode_responses, **options)
    except (redis.RedisError, redis.RedisClusterException, OSError) as error:
        # RedisClusterException is not a RedisError: both are caught
        raise WorkshopError(explain_connection_error(error, safe_url(url), **fix)) from None
    return client


def check_url(settings: Settings) -> ClusterState:
    """`up` for an external cluster: connect, check cluster_state:ok, describe what answers."""
    if not settings.cluster_url:
        raise WorkshopError(_("The external backend needs REDIS_CLUSTER_URL, for example "
                              "REDIS_CLUSTER_URL=redis://default:secret@redis.example.com:6379"))
    client = connect_url(settings.cluster_url)
    try:
        nodes = read_cluster_nodes(client, RedisCluster.RANDOM)
        info = client.cluster_info(target_nodes=RedisCluster.RANDOM)
    finally:
        client.close()
    if info.get("cluster_state") != "ok":
        raise WorkshopError(_("The cluster at {where} answers but reports "
                              "cluster_state:{state}: some slots have no "
                              "working master. Ask its administrator, or check CLUSTER NODES.",
                              where=safe_url(settings.cluster_url), state=info.get("cluster_state")))
    masters = sum(node.is_master for node in nodes)
    replicas = len(nodes) - masters
    port = urlsplit(settings.cluster_url).port or 6379
    spec = ClusterSpec(masters=masters, replicas=replicas // max(masters, 1), base_port=port)
    return ClusterState(backend="external", spec=spec, url=safe_url(settings.cluster_url))


def refuse_local_options(settings: Settings, backend: str | None, asked: dict) -> None:
    """Raise when `up` is asked to start or shape a cluster while REDIS_CLUSTER_URL names one.

    The URL wins for `up`, `connect`, `status` and `down` alike: a --backend or a shape
    that contradicts it is an error, never silently ignored or obeyed.
    """
    if not settings.cluster_url:
        return  # --backend external without a URL: check_url says what to set
    where = safe_url(settings.cluster_url)
    if backend not in (None, "auto", "external"):
        raise WorkshopError(_("REDIS_CLUSTER_URL is set ({where}), so the workshop uses that cluster "
                              "and starts none; --backend {backend} contradicts it. Unset "
                              "REDIS_CLUSTER_URL to start a {backend} cluster.", where=where, backend=backend))
    if asked:
        options = ", ".join("--" + key.replace("_", "-") for key in asked)
        raise WorkshopError(_n("The cluster at {where} (REDIS_CLUSTER_URL) is external: its shape "
                               "and password are its own, so {options} cannot apply. Run `up` "
                               "without it, or unset REDIS_CLUSTER_URL to start a workshop cluster.",
                               "The cluster at {where} (REDIS_CLUSTER_URL) is external: its shape "
                               "and password are its own, so {options} cannot apply. Run `up` "
                               "without them, or unset REDIS_CLUSTER_URL to start a workshop cluster.",
                               len(asked), where=where, options=options))


def external_status(url: str) -> dict:
    """`status()` for REDIS_CLUSTER_URL: every node CLUSTER NODES lists (replicas too), its role
    and health; or, under "error", the real reason the cluster cannot be reached."""
    where = safe_url(url)
    report: dict = {"backend": "external", "url": where, "running": False, "ready": False,
                    "nodes": [], "problems": []}
    try:
        client = connect_url(url)
        try:
            known = read_cluster_nodes(client, RedisCluster.RANDOM)  # every node, replicas too
        finally:
            client.close()
    except WorkshopError as error:
        report["error"] = error.args[0]  # the message itself: a str, in the student's language
        return report
    except (redis.RedisError, redis.RedisClusterException, OSError) as error:
        report["error"] = explain_connection_error(error, where)
        return report
    for entry in sorted(known, key=lambda entry: (entry.address.rpartition(":")[0], entry.port)):
        address = entry.address
        flags = set(entry.flags) - {"myself"}
        node = {"address": address, "running": False, "flags": sorted(flags),
                "role": "master" if entry.is_master else "slave" if entry.is_replica else None}
        if entry.unsettled:
            report["problems"].append(_("{address} is flagged {flags} in CLUSTER NODES",
                                        address=address, flags=",".join(entry.flags)))
        report["problems"].extend(_probe(url, address, node))
        report["nodes"].append(node)
    masters = sum(node["role"] == "master" for node in report["nodes"])
    report.update(running=any(node["running"] for node in report["nodes"]),
                  ready=not report["problems"], masters=masters,
                  replicas=(len(report["nodes"]) - masters) // max(masters, 1))
    return report


def _probe(url: str, address: str, node: dict) -> list[str]:
    """Ask one node of an external cluster for its role and cluster_state; fill `node`, return problems."""
    parts = urlsplit(url)
    login = parts.netloc.rpartition("@")[0]
    host, port = address.rsplit(":", 1)
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    node_url = urlunsplit(parts._replace(netloc=f"{login}@{host}:{port}" if login else f"{host}:{port}"))
    client = redis.Redis.from_url(node_url, socket_timeout=2, socket_connect_timeout=2,
                                  decode_responses=True)
    try:
        replication, cluster = client.info("replication"), client.cluster("INFO")
    except redis.AuthenticationError as error:  # ACL users are per node: one may lack the user
        return [_("{address} refuses the URL's user or password: {error}", address=address, error=str(error))]
    except (redis.RedisError, OSError) as error:
        return [_("{address} does not answer: {error}", address=address, error=str(error))]
    finally:
        client.close()
    node.update(running=True, role=replication.get("role"))
    problems = []
    if cluster.get("cluster_state") != "ok":
        problems.append(_("{address} reports cluster_state:{state}", address=address,
                          state=cluster.get("cluster_state")))
    if replication.get("role") == "slave" and replication.get("master_link_status") != "up":
        problems.append(_("{address} (replica) has its link to its master down", address=address))
    return problems


def url_seed(url: str) -> tuple[list[str], Credentials]:
    """The URL's node as 'host:port', and its user, password and TLS settings, as redis-py reads
    them: redis-py's own parser, so that the bare connections check exactly what redis-py checks
    (helpers.cluster.seeds, for the dashboard and Redis's own programs)."""
    from redis.connection import parse_url
    options = parse_url(url)
    login = Credentials(options.get("username"), options.get("password"), Tls.of(options))
    parts = urlsplit(url)
    return [f"{parts.hostname}:{parts.port or 6379}"], login


def safe_url(url: str) -> str:
    """The URL with its password replaced by ***, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    netloc = f"{user}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
