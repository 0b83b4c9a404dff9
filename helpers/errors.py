"""The workshop's error type, and the one explanation of connection errors.

Every layer imports this module; it imports no other module of the workshop (and redis-py
only inside `explain_connection_error`, so that `python -m helpers up` starts fast).
Used by every notebook: a WorkshopError shows as one red paragraph, never a traceback.
"""
from __future__ import annotations


class WorkshopError(Exception):
    """A problem the user can fix; the message says how. Shown without a traceback."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: a student sees one red paragraph.
        return [f"\x1b[31m{self}\x1b[0m"]


def explain_connection_error(error: BaseException, where: str,
                             fix: str = "Check the credentials in REDIS_CLUSTER_URL "
                                        "(redis://user:password@host:port); a password with "
                                        "special characters must be URL-encoded.") -> str:
    """One paragraph naming the real cause, which redis-py often hides in the exception chain.

    (A node that refuses the connection is reported as 'Cluster mode is not enabled on this
    node'; the refusal itself is further down the chain.) `fix` says what to do about a
    refused login. Used by `helpers.connect` (every notebook) and the external backend.
    """
    import redis

    chain, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or error.__context__
    text = " | ".join(str(item) for item in chain).lower()
    if any(isinstance(item, redis.AuthenticationError) for item in chain) or any(
            word in text for word in ("wrongpass", "invalid password", "invalid username-password",
                                      "noauth", "authentication required", "without any password",
                                      "hello must be called with the client already authenticated")):
        return f"The cluster at {where} refused the user or password. {fix}"
    if any(isinstance(item, (redis.TimeoutError, TimeoutError)) for item in chain) or "timed out" in text:
        return (f"Nothing answered at {where} in time. Check the host and port, and that a "
                "firewall lets you through.")
    if any(isinstance(item, (redis.ConnectionError, ConnectionError, OSError)) for item in chain):
        return (f"Could not connect to {where}: {chain[-1]}. Check the host and port in "
                "REDIS_CLUSTER_URL and that the cluster is running and reachable from here.")
    return f"Could not use the cluster at {where}: {chain[0]}"
