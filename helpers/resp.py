"""A minimal RESP2 connection to one Redis node: what redis-cli speaks, with typed replies.

Two users: the health checks behind `up` and `status` (importing redis-py alone takes
about 0.2 s, too slow for a command line that must answer in well under 0.3 s), and the
command console of notebook 02, which must print replies exactly as redis-cli does and so
must know a status reply (`OK`) from a bulk string (`"OK"`), which redis-py does not keep.
Everything else goes through redis-py.
"""
from __future__ import annotations

import functools
import os
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpers.errors import tls_problem
from helpers.i18n import _

if TYPE_CHECKING:
    import redis
    from redis.cluster import RedisCluster


class Status(str):
    """A simple-string reply such as +OK or +PONG: redis-cli prints it without quotes."""


class ReplyError(Exception):
    """An error reply (-ERR, -MOVED, -WRONGPASS ...): raised at top level, kept as a value in arrays."""

    @property
    def code(self) -> str:
        """The first word: ERR, MOVED, ASK, CROSSSLOT, WRONGTYPE, NOAUTH, WRONGPASS ..."""
        return str(self).split(" ", 1)[0]


class TlsError(ConnectionError):
    """TLS stood between us and the node: a certificate that does not verify, or one side speaking
    TLS to the other's plain TCP. The message names the cause and the fix (helpers.errors.tls_problem)."""


class ProtocolError(ConnectionError):
    """The node sent bytes that are not a RESP2 reply (e.g. RESP3 after HELLO 3): the connection is dropped."""


Reply = Status | bytes | str | int | None | list | ReplyError


@dataclass(frozen=True)
class Tls:
    """How a connection speaks TLS, named as redis-py's `ssl_*` options and URL parameters name them.

    `ca_certs`: the CA that signed the nodes' certificates (None: the system's CAs);
    `certfile` and `keyfile`: the client's own certificate, for nodes that ask for one;
    `cert_reqs`: 'required' (the default), 'optional' or 'none', which turns verification off
    and is only ever used when asked for; `check_hostname`: the certificate must name the
    host connected to. A workshop cluster started with `up --tls` (notebook 07) and a
    `rediss://` REDIS_CLUSTER_URL both give one.
    """

    ca_certs: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    cert_reqs: str = "required"
    check_hostname: bool = True

    def context(self) -> ssl.SSLContext:
        """An SSLContext that checks what these settings ask, as redis-py's SSLConnection does;
        made once per settings and files (loading CAs takes milliseconds, a connection should not;
        certificates written anew, by `down --purge` then `up --tls`, are read anew)."""
        self.check_files()
        files = (self.ca_certs, self.certfile, self.keyfile)
        return _context(self, tuple(os.stat(name).st_mtime_ns if name and os.path.exists(name) else 0
                                    for name in files))

    @classmethod
    def workshop(cls, folder: str) -> "Tls":
        """The settings of a cluster started with `up --tls`, whose certificates are in `folder`
        (WORKSHOP_HOME/tls, or where Redis's programs see it): its CA and the client certificate."""
        return cls(f"{folder}/ca.crt", f"{folder}/client.crt", f"{folder}/client.key")

    def check_files(self) -> None:
        """Raise a TlsError naming the first certificate or key file given that does not exist."""
        for option, path in (("ssl_ca_certs", self.ca_certs), ("ssl_certfile", self.certfile),
                             ("ssl_keyfile", self.keyfile)):
            if path and not os.path.isfile(path):
                raise TlsError(_("The file given as {option}, {path}, does not exist here. Check the path "
                                 "(in REDIS_CLUSTER_URL: ?ssl_ca_certs=/full/path/to/ca.crt); a cluster "
                                 "started with `python -m helpers up --tls` keeps its CA in WORKSHOP_HOME/tls/ca.crt.",
                                 option=option, path=path))

    def redis_options(self) -> dict:
        """These settings as redis-py's keyword arguments (`RedisCluster(..., **options)`)."""
        options = {"ssl": True, "ssl_ca_certs": self.ca_certs, "ssl_certfile": self.certfile,
                   "ssl_keyfile": self.keyfile, "ssl_cert_reqs": self.cert_reqs,
                   "ssl_check_hostname": self.check_hostname}
        return {key: value for key, value in options.items() if value is not None}

    def cli_options(self) -> list[str]:
        """These settings as redis-cli's and redis-benchmark's options (`--tls --cacert ...`)."""
        options = ["--tls"]
        if self.ca_certs:
            options += ["--cacert", self.ca_certs]
        if self.certfile:
            options += ["--cert", self.certfile, "--key", self.keyfile or self.certfile]
        if self.cert_reqs == "none":
            options.append("--insecure")
        return options

    @classmethod
    def of(cls, options: dict) -> "Tls | None":
        """The TLS settings in redis-py's connection keyword arguments, or None for plain TCP."""
        from redis.connection import SSLConnection

        connection_class = options.get("connection_class")
        if not (options.get("ssl") or (isinstance(connection_class, type)
                                       and issubclass(connection_class, SSLConnection))):
            return None
        reqs = options.get("ssl_cert_reqs", "required")
        if reqs is None or isinstance(reqs, ssl.VerifyMode):  # redis-py reads None as no verification
            reqs = {None: "none", ssl.CERT_NONE: "none", ssl.CERT_OPTIONAL: "optional"}.get(reqs, "required")
        check = options.get("ssl_check_hostname", True)
        return cls(options.get("ssl_ca_certs"), options.get("ssl_certfile"), options.get("ssl_keyfile"),
                   str(reqs), True if check is None else bool(check))


@functools.lru_cache(maxsize=32)
def _context(tls: Tls, stamp: tuple[int, ...]) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=tls.ca_certs)
    verify = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}
    if tls.cert_reqs not in verify:
        raise ValueError(_("ssl_cert_reqs={value!r}: choose none, optional or required.", value=tls.cert_reqs))
    context.check_hostname = tls.check_hostname and tls.cert_reqs != "none"
    context.verify_mode = verify[tls.cert_reqs]
    if tls.certfile:
        context.load_cert_chain(tls.certfile, tls.keyfile)
    return context


@dataclass(frozen=True)
class Credentials:
    """Who a connection logs in as: an ACL user and its password, or only the default user's password.

    The one object every bare connection of the workshop takes (console of notebook 02,
    latency of notebook 03, bulk loading, topology), so that a client made with
    `helpers.connect(username="student", password=...)` stays that user everywhere.
    """

    username: str | None = None
    password: str | None = None
    tls: Tls | None = None  # None: plain TCP

    def auth(self) -> tuple[str, ...] | None:
        """The AUTH command that logs in as this user, or None when there is nothing to send.

        `AUTH user password` for a named user, `AUTH password` for the default user: the
        only place the workshop writes AUTH (redis-py sends the same).
        """
        if self.username:
            return ("AUTH", self.username, self.password or "")
        if self.password:
            return ("AUTH", self.password)
        return None

    def redis_options(self) -> dict:
        """These credentials as redis-py's keyword arguments: user, password and TLS settings
        (notebook 03: `redis.Redis(host=..., port=..., **login.redis_options())`)."""
        return {"username": self.username, "password": self.password,
                **(self.tls.redis_options() if self.tls else {})}

    def url(self, host: str, port: int) -> str:
        """A URL to `host:port` that logs in as these credentials: redis://, or rediss:// with the
        TLS settings as its `ssl_*` parameters, as redis-py's from_url reads them (notebook 03's app.py)."""
        from urllib.parse import quote, urlencode
        user = quote(self.username or "", safe="")
        login = f"{user}:{quote(self.password, safe='')}@" if self.password else (f"{user}@" if user else "")
        if self.tls is None:
            return f"redis://{login}{host}:{port}"
        defaults = {"ssl": True, "ssl_cert_reqs": "required", "ssl_check_hostname": True}
        query = {key: value for key, value in self.tls.redis_options().items() if defaults.get(key) != value}
        return f"rediss://{login}{host}:{port}" + (f"?{urlencode(query, safe='/')}" if query else "")

    def __repr__(self) -> str:  # never print a password in a notebook's output
        return (f"Credentials(username={self.username!r}, password={'***' if self.password else None}"
                + (f", tls={self.tls!r})" if self.tls else ")"))


def credentials_of(client: "RedisCluster | redis.Redis") -> Credentials:
    """The user, password and TLS settings a redis-py client connects with (cluster or single node)."""
    kwargs = client.get_connection_kwargs()
    return Credentials(kwargs.get("username"), kwargs.get("password"), Tls.of(kwargs))


def as_credentials(login: "Credentials | str | None") -> Credentials:
    """A Credentials from what callers hold: one already, a bare password (the default user), or None."""
    return login if isinstance(login, Credentials) else Credentials(password=login)


class Connection:
    """One TCP connection to one node, in TLS when the credentials say so; commands are pipelined,
    replies typed (see `Reply`).

    Bulk strings come back as str or, with decode=False, as bytes. A str keeps every byte:
    those that are not UTF-8 become surrogate escapes (PEP 383), so
    `text.encode(errors="surrogateescape")` gives back exactly what the node sent. `password` is a Credentials, or a bare password for the
    default user (the workshop cluster's own `requirepass`). After any failure the
    connection is closed; the next call opens a new one and logs in first.
    """

    def __init__(self, host: str, port: int, password: "Credentials | str | None" = None,
                 timeout: float = 2.0, decode: bool = True) -> None:
        self.host, self.port, self.credentials = host, port, as_credentials(password)
        self.timeout, self.decode = timeout, decode
        self._socket: socket.socket | None = None
        self._reader = None

    @property
    def address(self) -> str:
        """'host:port', as CLUSTER NODES and MOVED write it."""
        return f"{self.host}:{self.port}"

    def ask(self, *commands: tuple) -> list[Reply]:
        """Send `commands` in one round trip and return one reply each.

        Raises ReplyError when a reply is an error, OSError when the node does not answer.
        """
        replies = self.ask_raw(*commands)
        for reply in replies:
            if isinstance(reply, ReplyError):
                raise reply
        return replies

    def ask_raw(self, *commands: tuple) -> list[Reply]:
        """Like `ask`, but error replies come back as ReplyError values instead of raising."""
        login: tuple[tuple, ...] = ()
        fresh = self._socket is None
        try:
            if fresh:
                self._socket = open_socket(self.host, self.port, self.credentials.tls, self.timeout)
                self._reader = self._socket.makefile("rb")
                auth = self.credentials.auth()
                login = (auth,) if auth else ()
            sent = (*login, *commands)
            self._socket.sendall(b"".join(encode(command) for command in sent))
            replies = [self._read() for _ in sent]
        except TlsError:  # open_socket named the cause already
            self.close()
            raise
        except (ssl.SSLError, ConnectionError, TimeoutError) as error:
            self.close()
            tls = self.credentials.tls
            problem = tls_problem(error, self.host, self.port, tls is not None, tls and tls.ca_certs) if fresh else None
            if problem:
                raise TlsError(problem) from error
            raise
        except BaseException:
            self.close()
            raise
        if login and isinstance(replies[0], ReplyError):
            self.close()
            raise replies[0]
        return replies[len(login):]

    def _read(self) -> Reply:
        line = self._reader.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError(_("{address} closed the connection", address=self.address))
        kind, text = line[:1], line[1:-2]
        try:
            return self._parse(kind, text)
        except ValueError:  # a length or an integer that is not a number
            raise ProtocolError(_("{address} sent something that is not RESP2: {start!r}",
                                  address=self.address, start=line[:40])) from None

    def _parse(self, kind: bytes, text: bytes) -> Reply:
        if kind == b"+":
            return Status(text.decode(errors="replace"))
        if kind == b"-":
            return ReplyError(text.decode(errors="replace"))
        if kind == b":":
            return int(text)
        if kind == b"$":
            size = int(text)
            if size < 0:
                return None
            data = self._reader.read(size + 2)
            if len(data) != size + 2:
                raise ConnectionError(_("{address} closed the connection", address=self.address))
            return data[:-2].decode(errors="surrogateescape") if self.decode else data[:-2]
        if kind == b"*":
            size = int(text)
            return None if size < 0 else [self._read() for _ in range(size)]
        raise ProtocolError(_("{address} sent something that is not RESP2: {start!r}",
                              address=self.address, start=kind + text[:40]))

    def close(self) -> None:
        """Close the connection; the next call opens a new one."""
        if self._socket is not None:
            self._reader.close()
            self._socket.close()
        self._socket = self._reader = None


def open_socket(host: str, port: int, tls: Tls | None, timeout: float) -> socket.socket:
    """A socket connected to `host:port`, in TLS with its handshake done when `tls` is given.

    The one way the workshop's own connections open (this module's Connection, the bulk
    loader of notebooks 03 and 05, the latency measurement of notebook 03). A handshake that
    fails raises a TlsError that names the cause and the fix.
    """
    plain = socket.create_connection((host, port), timeout=timeout)
    if tls is None:
        return plain
    try:
        return tls.context().wrap_socket(plain, server_hostname=host)
    except (ssl.SSLError, OSError) as error:
        plain.close()
        problem = tls_problem(error, host, port, tls=True, ca=tls.ca_certs)
        if problem:
            raise TlsError(problem) from error
        raise
    except BaseException:
        plain.close()
        raise


def encode(command: tuple) -> bytes:
    """One command as a RESP array of bulk strings (str in UTF-8, surrogate escapes as their bytes)."""
    parts = [part if isinstance(part, bytes) else str(part).encode(errors="surrogateescape")
             for part in command]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in parts)
