"""The workshop's error type, and the one explanation of connection errors.

Every layer imports this module; it imports no other module of the workshop but `helpers.i18n`
(and redis-py only inside `explain_connection_error`, so that `python -m helpers up` starts fast).
`tls_problem` is the one explanation of what TLS refused, for the bare connections and redis-py alike.
Used by every notebook: a WorkshopError shows as one red paragraph, never a traceback.
"""
from __future__ import annotations

import socket
import ssl
from urllib.parse import parse_qs, urlsplit

from helpers.i18n import _

# Where the CA of a cluster started with `python -m helpers up --tls` is kept.
WORKSHOP_CA = "WORKSHOP_HOME/tls/ca.crt"


class WorkshopError(Exception):
    """A problem the user can fix; the message says how. Shown without a traceback."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: a student sees one red paragraph.
        return [f"\x1b[31m{self}\x1b[0m"]


def explain_connection_error(error: BaseException, where: str, fix: str | None = None) -> str:
    """One paragraph naming the real cause, which redis-py often hides in the exception chain.

    (A node that refuses the connection is reported as 'Cluster mode is not enabled on this
    node'; the refusal itself is further down the chain.) `fix`, a message already in the
    student's language, says what to do about a refused login (by default: check the
    credentials in REDIS_CLUSTER_URL). Used by `helpers.connect` (every notebook) and the
    external backend.
    """
    import redis

    if fix is None:
        fix = _("Check the credentials in REDIS_CLUSTER_URL (redis://user:password@host:port); "
                "a password with special characters must be URL-encoded.")

    error_given, chain = error, causes(error)
    parts = urlsplit(where if "://" in where else f"redis://{where}")
    tls = parts.scheme == "rediss" or any(isinstance(item, ssl.SSLError) for item in chain)
    ca = parse_qs(parts.query).get("ssl_ca_certs", [None])[-1]
    problem = tls_problem(error_given, parts.hostname or "", parts.port or 6379, tls, ca) if parts.hostname else None
    if problem:
        return problem
    text = " | ".join(str(item) for item in chain).lower()
    if any(isinstance(item, redis.AuthenticationError) for item in chain) or any(
            word in text for word in ("wrongpass", "invalid password", "invalid username-password",
                                      "noauth", "authentication required", "without any password",
                                      "hello must be called with the client already authenticated")):
        return _("The cluster at {where} refused the user or password. {fix}", where=where, fix=fix)
    if any(isinstance(item, (redis.TimeoutError, TimeoutError)) for item in chain) or "timed out" in text:
        return _("Nothing answered at {where} in time. Check the host and port, and that a "
                 "firewall lets you through.", where=where)
    if any(isinstance(item, (redis.ConnectionError, ConnectionError, OSError)) for item in chain):
        return _("Could not connect to {where}: {cause}. Check the host and port in "
                 "REDIS_CLUSTER_URL and that the cluster is running and reachable from here.",
                 where=where, cause=str(chain[-1]))
    return _("Could not use the cluster at {where}: {cause}", where=where, cause=str(chain[0]))


def causes(error: BaseException) -> list[BaseException]:
    """`error` and the exceptions it was raised from or during, outermost first."""
    chain, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def tls_problem(error: BaseException, host: str, port: int, tls: bool, ca: str | None = None) -> str | None:
    """One paragraph naming what TLS refused and the fix, or None when TLS is not the cause.

    `error` or any exception in its chain is looked at (redis-py wraps the ssl module's).
    `tls` says whether the client spoke TLS, `ca` which CA file it trusted, if one was given. A certificate that does not verify (unknown CA,
    expired, another host's name), a TLS client on a plain port, a plain client on a TLS port
    (which shows only as a closed connection: the port is then asked for a TLS handshake).
    Used by the bare connections (`helpers.resp.Connection`: console, loader, measures) and by
    `explain_connection_error` (redis-py's clients).
    """
    where, chain = f"{host}:{port}", causes(error)
    error = next((item for item in chain if isinstance(item, ssl.SSLError)), error)
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or str(error)
        if error.verify_code == 10 or "expired" in reason:
            return _("The certificate of {where} has expired ({reason}), so the connection was refused. "
                     "The cluster's administrator must renew it; for a cluster started with `python -m "
                     "helpers up --tls`, `python -m helpers down --purge` then `up --tls` makes new ones.",
                     where=where, reason=reason)
        if error.verify_code in (62, 64) or "mismatch" in reason:
            return _("The certificate of {where} is not valid for the name {host!r} ({reason}). Connect "
                     "with a name the certificate gives (see its subject alternative names), or ask "
                     "for a certificate that names {host!r}. Turning the check off "
                     "(ssl_check_hostname=false) would let anyone with a certificate of this CA pose as the node.",
                     where=where, host=host, reason=reason)
        if ca and (error.verify_code in (2, 7, 18, 19, 20, 21) or "issuer" in reason or "self" in reason):
            return _("The certificate of {where} is not signed by the CA you gave, {ca} ({reason}). "
                     "Give the CA that signed the nodes' certificates instead (a cluster started with "
                     "`python -m helpers up --tls` keeps it in {workshop_ca}).",
                     where=where, ca=ca, reason=reason, workshop_ca=WORKSHOP_CA)
        if error.verify_code in (2, 7, 18, 19, 20, 21) or "issuer" in reason or "self" in reason:
            return _("The certificate of {where} is not signed by a CA this client trusts ({reason}). "
                     "Give the CA that signed the nodes' certificates: "
                     "rediss://host:port?ssl_ca_certs=/path/to/ca.crt in REDIS_CLUSTER_URL (a cluster "
                     "started with `python -m helpers up --tls` keeps it in {workshop_ca}).",
                     where=where, reason=reason, workshop_ca=WORKSHOP_CA)
        return _("The certificate of {where} did not verify: {reason}.", where=where, reason=reason)
    closed, timeout = _failures()
    if (tls and any(isinstance(item, (ssl.SSLError, *timeout)) for item in chain)
            and speaks_plain(host, port)):
        return _("{where} speaks plain TCP, not TLS: it does not answer a TLS handshake. Use "
                 "redis:// instead of rediss:// for this port, or the node's TLS port (tls-port).", where=where)
    if isinstance(error, ssl.SSLEOFError) or "EOF" in str(getattr(error, "reason", "")):
        return None  # closed during the handshake: a node not listening yet (Docker's proxy accepts)
    if isinstance(error, ssl.SSLError):
        reason = getattr(error, "reason", None) or str(error)
        if "CERTIFICATE_REQUIRED" in str(reason).upper():
            return _("{where} asks every client for a certificate (tls-auth-clients yes), and this "
                     "one sent none. Give yours: ?ssl_certfile=client.crt&ssl_keyfile=client.key.", where=where)
        return _("The TLS handshake with {where} failed: {reason}.", where=where, reason=str(reason))
    refused = any(isinstance(item, ConnectionRefusedError) or "refused" in str(item).lower() for item in chain)
    if not tls and not refused and any(isinstance(item, closed) for item in chain) and speaks_tls(host, port):
        return _("{where} speaks TLS, and this client spoke plain TCP, so the node closed the "
                 "connection. Use rediss:// with the CA that signed its certificate, for example "
                 "REDIS_CLUSTER_URL=rediss://{where}?ssl_ca_certs=/path/to/ca.crt (a cluster started "
                 "with `python -m helpers up --tls` keeps it in {workshop_ca}).",
                 where=where, workshop_ca=WORKSHOP_CA)
    return None


def _failures() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """What a closed connection raises, and what a silence raises: the built-in errors and redis-py's
    own (imported only now, after an error: `python -m helpers up` must start fast)."""
    try:
        import redis
    except ImportError:
        return (ConnectionError,), (TimeoutError,)
    return (ConnectionError, redis.ConnectionError), (TimeoutError, redis.TimeoutError)


def speaks_tls(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when `host:port` completes a TLS handshake. Diagnosis only: nothing is verified and
    nothing is sent over it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # not create_default_context: no CA to load
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as plain:
            with context.wrap_socket(plain, server_hostname=host):
                return True
    except OSError:  # ssl.SSLError is an OSError
        return False


def speaks_plain(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when `host:port` answers an inline PING in RESP (+PONG, or an error such as -NOAUTH)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as plain:
            plain.sendall(b"PING\r\n")
            return plain.recv(1)[:1] in (b"+", b"-")
    except OSError:
        return False
