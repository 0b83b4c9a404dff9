"""redis-cli in a cell: a command console for notebook 02 and for live demonstrations.

Plain functions do the work and are tested without a browser: `parse` splits a line as
redis-cli does, `refusal` says why a command is not sent, `execute` runs it on the cluster
(following MOVED/ASK like `redis-cli -c`, or not), `run_line` does both as typing does, and
`format_reply` prints the reply as redis-cli would on a terminal (tests/cluster/
test_console_vs_redis_cli.py compares it with redis-cli itself). `Console` is the widget
around them: a text box, a Run button, a "-c" toggle and a history; `close()` (or a `with`
block) closes its connections and its widget.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from helpers.errors import WorkshopError
from helpers.i18n import N_, Message, _
from helpers.resp import (Connection, Credentials, ProtocolError, Reply, ReplyError, Status, TlsError,
                          credentials_of)
from helpers.slots import key_slot

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

# Commands that destroy data or change the cluster under everyone's feet, and why.
DANGEROUS = {
    "FLUSHALL": N_("{command} deletes every key of a node."),
    "FLUSHDB": N_("{command} deletes every key of a node."),
    "SHUTDOWN": N_("{command} stops a node."), "DEBUG": N_("{command} can crash or freeze a node."),
    "CONFIG SET": N_("{command} changes a node's configuration."),
    "CONFIG RESETSTAT": N_("{command} resets statistics."),
    "CONFIG REWRITE": N_("{command} rewrites a node's config file."),
    "CLUSTER RESET": N_("{command} makes a node forget the cluster."),
    "CLUSTER FORGET": N_("{command} removes a node from a node's view."),
    "CLUSTER FAILOVER": N_("{command} swaps master and replica."),
    "CLUSTER ADDSLOTS": N_("{command} changes who serves which slots."),
    "CLUSTER DELSLOTS": N_("{command} changes who serves which slots."),
    "CLUSTER ADDSLOTSRANGE": N_("{command} changes who serves which slots."),
    "CLUSTER DELSLOTSRANGE": N_("{command} changes who serves which slots."),
    "CLUSTER SETSLOT": N_("{command} changes who serves which slots."),
    "CLUSTER MEET": N_("{command} adds a node to the cluster."),
    "CLUSTER REPLICATE": N_("{command} makes a node a replica."),
    "REPLICAOF": N_("{command} makes a node a replica."), "SLAVEOF": N_("{command} makes a node a replica."),
    "SWAPDB": N_("{command} swaps databases."), "MIGRATE": N_("{command} moves keys away."),
    "ACL SETUSER": N_("{command} changes users."), "ACL DELUSER": N_("{command} deletes users."),
    "SCRIPT FLUSH": N_("{command} deletes scripts."),
    "FUNCTION FLUSH": N_("{command} deletes functions."), "FUNCTION DELETE": N_("{command} deletes functions."),
    "BGREWRITEAOF": N_("{command} rewrites the append-only file."),
    "SAVE": N_("{command} blocks a node while it saves."),
}
# Commands that never return in a console cell: refused whatever allow_dangerous says.
BLOCKING = {"MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "SYNC", "PSYNC"}
# A blocking command may wait this long at most (its timeout): a cell can wait a few seconds,
# not forever. The console's socket waits a little longer, so such a reply still arrives.
MAX_WAIT = 3.0
REPLY_TIMEOUT = MAX_WAIT + 2.0
MAX_HOPS = 5
# Blocking pops and where their timeout (in seconds) is: the last argument, or the first.
TIMEOUT_LAST = {"BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX"}
TIMEOUT_FIRST = {"BLMPOP", "BZMPOP"}
# redis-cli prints these replies as they are, even on a terminal (cliSendCommand's output_raw,
# redis-cli.c 7.0): the first words, and the exact number of words when redis-cli checks it.
RAW_OUTPUT = [(("INFO",), None), (("LOLWUT",), None), (("DEBUG", "HTSTATS"), None),
              (("DEBUG", "HTSTATS-KEY"), None), (("DEBUG", "CLIENT-EVICTION"), None),
              (("MEMORY", "MALLOC-STATS"), None), (("MEMORY", "DOCTOR"), None),
              (("CLUSTER", "NODES"), 2), (("CLUSTER", "INFO"), 2), (("CLIENT", "LIST"), None),
              (("CLIENT", "INFO"), None), (("LATENCY", "GRAPH"), 3), (("LATENCY", "DOCTOR"), 2),
              (("PROXY", "INFO"), None)]
INVALID = "Invalid argument(s)"  # what redis-cli prints for a line it cannot split


def parse(line: str) -> list[str]:
    """Split a command line as redis-cli does (sdssplitargs in Redis 7.0's sds.c).

    Words are separated by blanks; a quote opens anywhere in a word. "Double quotes" allow
    \\n \\r \\t \\b \\a, \\x followed by two hex digits (one byte), and \\ before any other
    character; 'single quotes' allow only \\'. A closing quote must end the word.
    A byte from \\x80 to \\xff is kept as a surrogate escape (see helpers.resp), so it is
    sent as that one byte. Raises ValueError on an unbalanced quote.
    """
    words, i, n = [], 0, len(line)
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}
    while True:
        while i < n and line[i] in " \t\n\v\f\r":  # C's isspace()
            i += 1
        if i >= n:
            return words
        word, quote = [], None
        while True:
            if i >= n:
                if quote:
                    raise ValueError(f"unbalanced {quote} quote")
                break
            char = line[i]
            if quote == '"':
                if char == "\\" and i + 3 < n and line[i + 1] == "x" and _is_hex(line[i + 2:i + 4]):
                    word.append(bytes([int(line[i + 2:i + 4], 16)]).decode(errors="surrogateescape"))
                    i += 3
                elif char == "\\" and i + 1 < n:
                    word.append(escapes.get(line[i + 1], line[i + 1]))
                    i += 1
                elif char == '"':
                    if i + 1 < n and line[i + 1] not in " \t\n\v\f\r":
                        raise ValueError('a closing " must be followed by a space')
                    i += 1
                    break
                else:
                    word.append(char)
            elif quote == "'":
                if char == "\\" and i + 1 < n and line[i + 1] == "'":
                    word.append("'")
                    i += 1
                elif char == "'":
                    if i + 1 < n and line[i + 1] not in " \t\n\v\f\r":
                        raise ValueError("a closing ' must be followed by a space")
                    i += 1
                    break
                else:
                    word.append(char)
            elif char in " \n\r\t":  # what ends an unquoted word (not \v or \f, as in sds.c)
                break
            elif char in "\"'":
                quote = char
            else:
                word.append(char)
            i += 1
        words.append("".join(word))


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in "0123456789abcdefABCDEF" for c in text)


@dataclass
class Outcome:
    """What one command gave: the reply, its slot, the node that answered, the hops.

    When there is no reply, `refused` says why the console did not send it, or `problem`
    what went wrong (a line that does not split, a node that refuses connections or does
    not reply): printed as it is, as redis-cli prints its own messages.
    """

    command: list[str]
    reply: Reply = None
    slot: int | None = None
    node: str | None = None
    hops: list[str] = field(default_factory=list)
    refused: Message | None = None  # why the console did not send it
    problem: str | None = None  # why there is no reply (a message, or redis-cli's own words)

    @property
    def where(self) -> str:
        """'slot S · served by HOST:PORT' (no slot for a keyless command), '' when no node replied.

        Kept out of str(): that is exactly what redis-cli prints. Notebook 02 prints both.
        """
        if self.refused or self.problem:
            return ""
        if self.slot is None:
            return _("served by {node}", node=self.node)
        return _("slot {slot} · served by {node}", slot=self.slot, node=self.node)

    @property
    def failed(self) -> bool:
        """True for an error reply, a refusal, or no reply at all."""
        return (self.refused is not None or self.problem is not None
                or isinstance(self.reply, ReplyError))

    def __str__(self) -> str:
        lines = list(self.hops)
        if self.refused:
            lines.append(_("(refused) {reason}", reason=self.refused))
        elif self.problem:
            lines.append(self.problem)
        else:
            lines.append(format_reply(self.reply, self.command))
        return "\n".join(lines)


class Session:
    """Connections to the nodes a console has talked to, and the node it is 'on' (as redis-cli).

    Every connection logs in with `credentials`: a Credentials (user and password), or the
    default user's password alone. What the console asks for itself (a command's keys, for the
    slot note) goes over a connection of its own, so the student's connection carries exactly
    the commands typed: `ASKING` then `GET` works as in redis-cli.
    """

    def __init__(self, host: str, port: int, credentials: Credentials | str | None = None) -> None:
        self.credentials = credentials
        self.current = f"{host}:{port}"
        self._connections: dict[tuple[str, bool], Connection] = {}

    def connection(self, address: str, lookup: bool = False) -> Connection:
        """The connection to `address` that carries the typed commands (or, with lookup=True,
        the console's own questions)."""
        if (address, lookup) not in self._connections:
            host, port = address.rsplit(":", 1)
            self._connections[address, lookup] = Connection(host, int(port), self.credentials,
                                                            timeout=REPLY_TIMEOUT)
        return self._connections[address, lookup]

    def close(self) -> None:
        """Close every connection; the next command opens a new one."""
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()


def refusal(args: list[str], allow_dangerous: bool = False) -> Message | None:
    """Why the console will not send this command (it would hang the cell, freeze a node for
    everyone, break the connection, or destroy data), or None when it may go."""
    name = args[0].upper()
    sub = args[1].upper() if len(args) > 1 else ""
    if name in BLOCKING:
        return _("{command} waits for messages forever, which would freeze this cell.", command=name)
    if name in TIMEOUT_LAST | TIMEOUT_FIRST and len(args) > 2:
        timeout = args[-1] if name in TIMEOUT_LAST else args[1]
        wait = _seconds(timeout)
        if wait == 0:
            return _("{command} with timeout {timeout} would wait forever for an element: a console cell "
                     "waits {limit:g} s at most, so give it a timeout of {limit:g} seconds or less.",
                     command=name, timeout=timeout, limit=MAX_WAIT)
        if _too_long(wait):
            return _("{command} with timeout {timeout} may wait {wait:g} s for an element: a console cell "
                     "waits {limit:g} s at most, so give it a timeout of {limit:g} seconds or less.",
                     command=name, timeout=timeout, wait=wait, limit=MAX_WAIT)
    if name in ("XREAD", "XREADGROUP"):
        block = _block_option(args)
        wait = _seconds(block, scale=1000) if block is not None else None
        if wait == 0:
            return _("{command} BLOCK {block} would wait forever for new entries: a console cell waits "
                     "{limit:g} s at most, so use BLOCK {most:g} (milliseconds) or less, or leave BLOCK out.",
                     command=name, block=block, limit=MAX_WAIT, most=MAX_WAIT * 1000)
        if _too_long(wait):
            return _("{command} BLOCK {block} may wait {wait:g} s for new entries: a console cell waits "
                     "{limit:g} s at most, so use BLOCK {most:g} (milliseconds) or less, or leave BLOCK out.",
                     command=name, block=block, wait=wait, limit=MAX_WAIT, most=MAX_WAIT * 1000)
    if name == "WAIT" and len(args) == 3:
        wait = _seconds(args[2], scale=1000)
        if wait == 0:
            return _("WAIT with timeout {timeout} (milliseconds) would wait forever for replicas that do "
                     "not acknowledge: a console cell waits {limit:g} s at most, so give it {most:g} or less.",
                     timeout=args[2], limit=MAX_WAIT, most=MAX_WAIT * 1000)
        if _too_long(wait):
            return _("WAIT with timeout {timeout} (milliseconds) may wait {wait:g} s for replicas that do "
                     "not acknowledge: a console cell waits {limit:g} s at most, so give it {most:g} or less.",
                     timeout=args[2], wait=wait, limit=MAX_WAIT, most=MAX_WAIT * 1000)
    if name == "CLIENT" and sub == "PAUSE":
        return _("CLIENT PAUSE stops the node answering every client, the whole class included.")
    if name == "CLIENT" and sub == "REPLY" and len(args) > 2 and args[2].upper() in ("OFF", "SKIP"):
        return _("CLIENT REPLY {mode} stops the replies this console waits for.", mode=args[2].upper())
    if name == "HELLO" and len(args) > 1 and args[1] == "3":
        return _("HELLO 3 switches the connection to RESP3, which this console (like redis-cli "
                 "without -3) does not read. HELLO 2 or HELLO alone answer in RESP2.")
    long_name = f"{name} {sub}"
    command = long_name if long_name in DANGEROUS else name
    if command in DANGEROUS and not allow_dangerous:
        return _("{reason} This console refuses it; create it with allow_dangerous=True to allow it.",
                 reason=_(DANGEROUS[command], command=command))
    return None


def _seconds(text: str, scale: float = 1.0) -> float | None:
    """A timeout argument in seconds, or None when it is no number (the server will say so)."""
    try:
        value = float(text) / scale
    except ValueError:
        return None
    return value if value >= 0 else None  # negative: the server refuses it at once


def _too_long(wait: float | None) -> bool:
    """A timeout of 0 (forever) or longer than a cell can wait; None (no number) may go."""
    return wait is not None and (wait == 0 or wait > MAX_WAIT)


def _block_option(args: list[str]) -> str | None:
    """The value of XREAD/XREADGROUP's BLOCK option (options come before STREAMS)."""
    i = 1
    while i < len(args) and args[i].upper() != "STREAMS":
        word = args[i].upper()
        if word == "BLOCK" and i + 1 < len(args):
            return args[i + 1]
        i += {"GROUP": 3, "COUNT": 2}.get(word, 1)
    return None


def execute(session: Session, args: list[str], follow: bool = True,
            allow_dangerous: bool = False) -> Outcome:
    """Run one parsed command on the node the session is on, following redirects like `redis-cli -c`.

    With follow=False the raw MOVED error is returned, as plain `redis-cli` shows it.
    Never raises for a Redis error or a node that does not answer: the Outcome says it.
    """
    outcome = Outcome(command=args)
    if not args:
        outcome.refused = _("empty command")
        return outcome
    outcome.refused = refusal(args, allow_dangerous)
    if outcome.refused:
        return outcome
    keys = _keys(session, args)
    outcome.slot = key_slot(keys[0]) if keys else None
    address, asking = session.current, False
    for _hop in range(MAX_HOPS):
        outcome.node = address
        try:
            commands = (("ASKING",), tuple(args)) if asking else (tuple(args),)
            reply = session.connection(address).ask_raw(*commands)[-1]
        except ReplyError as error:  # the login was refused (WRONGPASS ...): redis-cli says so too
            outcome.reply = error
            return outcome
        except OSError as error:
            outcome.problem = _no_reply(session, address, error)
            return outcome
        if follow and isinstance(reply, ReplyError) and reply.code in ("MOVED", "ASK"):
            _code, slot, target = str(reply).split()
            outcome.hops.append(f"-> Redirected to slot [{slot}] located at {target}")
            address, asking = target, reply.code == "ASK"
            if reply.code == "MOVED":
                session.current = target  # redis-cli -c stays on the node it was sent to
            continue
        outcome.reply = reply
        return outcome
    outcome.reply = ReplyError(_("ERR more than {hops} redirections", hops=MAX_HOPS))
    return outcome


def run_line(session: Session, line: str, follow: bool = True,
             allow_dangerous: bool = False) -> Outcome:
    """Split `line` as redis-cli does and `execute` it: what typing it in the console does.

    A line redis-cli cannot split (an unbalanced quote) gives its `Invalid argument(s)`.
    """
    try:
        args = parse(line)
    except ValueError:
        return Outcome(command=[], problem=INVALID)
    return execute(session, args, follow=follow, allow_dangerous=allow_dangerous)


def _no_reply(session: Session, address: str, error: OSError) -> str:
    """What to print when `address` gave no reply: only a refused connection means a dead node."""
    if isinstance(error, ConnectionRefusedError):  # redis-cli's own words, then what it means
        return _("Could not connect to Redis at {address}: Connection refused "
                 "(nothing listens there: is the node stopped?)", address=address)
    if isinstance(error, TlsError):  # a certificate, or TLS on one side only: it says which
        return _said(error)
    if isinstance(error, ProtocolError):
        what = _("{error}; the console dropped that connection", error=_said(error))
    elif isinstance(error, TimeoutError):
        what = _("{address} sent no reply within {seconds:g} s", address=address, seconds=REPLY_TIMEOUT)
    else:  # the connection broke, say the node died after the last command
        text = str(error) or error.__class__.__name__
        what = text if address in text else f"{address}: {text}"
    host, port = address.rsplit(":", 1)
    probe = Connection(host, int(port), session.credentials, timeout=1.0)
    try:
        probe.ask(("PING",))
        return _("{problem}. The node is up: it answers PING.", problem=what)
    except ConnectionRefusedError:
        return _("{problem}; now nothing listens there (Connection refused): is the node stopped?", problem=what)
    except (OSError, ReplyError) as ping_error:
        return _("{problem}, and it does not answer PING either ({error}).", problem=what,
                 error=ping_error.__class__.__name__)
    finally:
        probe.close()


def _said(error: BaseException) -> str:
    """What an error says: its message as it was raised (a catalogue message keeps its identity)."""
    return error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else str(error)


def _keys(session: Session, args: list[str]) -> list[str]:
    """The command's key arguments, as the server itself finds them (COMMAND GETKEYS)."""
    try:
        keys = session.connection(session.current, lookup=True).ask(("COMMAND", "GETKEYS", *args))[0]
    except (ReplyError, OSError):  # no keys, an unknown command or wrong arity: the server will say
        return []
    return [key for key in keys if isinstance(key, str)]


def prints_raw(command: Sequence[str]) -> bool:
    """True when redis-cli prints this command's reply as it is, even on a terminal: INFO,
    CLUSTER INFO, CLUSTER NODES, CLIENT LIST ... (the output_raw list of redis-cli.c, 7.0)."""
    words = tuple(word.upper() for word in command[:2])
    return any(words[:len(first)] == first and count in (None, len(command))
               for first, count in RAW_OUTPUT)


def format_reply(reply: Reply, command: Sequence[str] = ()) -> str:
    """A reply as redis-cli prints it on a terminal for `command` (notebook 02's console).

    INFO, CLUSTER NODES and the other commands of `prints_raw` print their text as it is,
    line by line; every other reply is formatted: OK, (integer) 2, (nil), "text", 1) ... lists.
    The final newline redis-cli writes is left out (a terminal shows \\r\\n and \\n alike).
    """
    if prints_raw(command):
        text = _raw(reply).replace("\r\n", "\n")
        return text[:-1] if text.endswith("\n") else text
    return _tty(reply)


def _raw(reply: Reply) -> str:
    """redis-cli's cliFormatReplyRaw: the bytes as they are, an array's items one per line."""
    if reply is None:
        return ""
    if isinstance(reply, ReplyError):
        return f"{reply}\n"
    if isinstance(reply, list):
        return "\n".join(_raw(item) for item in reply)
    if isinstance(reply, bytes):
        return reply.decode(errors="replace")
    return str(reply).encode(errors="surrogateescape").decode(errors="replace")


def _tty(reply: Reply, indent: int = 0) -> str:
    """redis-cli's cliFormatReplyTTY for RESP2 replies."""
    if isinstance(reply, ReplyError):
        return f"(error) {reply}"
    if isinstance(reply, Status):
        return str(reply)
    if reply is None:
        return "(nil)"
    if isinstance(reply, bool) or not isinstance(reply, (int, list, str, bytes)):
        return str(reply)
    if isinstance(reply, int):
        return f"(integer) {reply}"
    if isinstance(reply, (str, bytes)):
        return _quote(reply)
    if not reply:
        return "(empty array)"
    width = len(str(len(reply)))
    lines = []
    for number, item in enumerate(reply, start=1):
        prefix = f"{number:>{width}}) "
        body = _tty(item, indent + len(prefix))
        lines.append(("" if number == 1 else " " * indent) + prefix + body)
    return "\n".join(lines)


def _quote(text: str | bytes) -> str:
    """A bulk string in double quotes with redis-cli's escapes (\\n, \\", \\xHH for other bytes)."""
    data = text.encode(errors="surrogateescape") if isinstance(text, str) else text
    out = []
    for byte in data:
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\n\r\t\a\b":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\a": "\\a", "\b": "\\b"}[char])
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return '"' + "".join(out) + '"'


class Console:
    """The widget: type a command, press Enter or Run; see each reply (newest first) with its slot and node.

    `Console(rc)` starts on the master with the lowest port, `Console(rc, port=P)` on the node
    of port P (as `redis-cli -p P`); `console.run("get nom")` does what typing does and returns
    the Outcome (notebook 02 shows both; notebook 05 moves a slot by hand with two consoles).
    `console.close()`, or the end of a `with Console(rc) as console:` block, closes its
    connections and its widget.
    """

    def __init__(self, rc: "RedisCluster", follow: bool = True, allow_dangerous: bool = False,
                 port: int | None = None):
        import ipywidgets as widgets

        if port is None:
            node = min(rc.get_primaries(), key=lambda primary: primary.port)  # the same start every run
        else:
            node = next((node for node in rc.get_nodes() if node.port == port), None)
            if node is None:
                raise WorkshopError(_("No node of this cluster listens on port {port}.", port=port))
        self.session = Session(node.host, node.port, credentials_of(rc))
        self.allow_dangerous = allow_dangerous
        self.entry = widgets.Text(placeholder=_('a redis-cli command, e.g. set nom "kheir"'),
                                  continuous_update=False, layout=widgets.Layout(width="60%"))
        self.button = widgets.Button(description=_("Run"), button_style="primary")
        self.follow = widgets.Checkbox(value=follow, description=_("-c (follow redirects)"),
                                       indent=False)
        self.history = widgets.HTML()
        self._lines: list[str] = []
        # Enter (or leaving the box, as a click on Run does) commits the value: run it once.
        self.entry.observe(self._on_value, names="value")
        self.button.on_click(lambda button: self._submit())
        self.widget = widgets.VBox([widgets.HBox([self.entry, self.button, self.follow]),
                                    self.history])

    def run(self, line: str) -> Outcome:
        """Run one command line as if typed (see `run_line`); record it in the history; return its Outcome."""
        prompt = f"{self.session.current}> {line}"
        outcome = run_line(self.session, line, follow=self.follow.value,
                           allow_dangerous=self.allow_dangerous)
        self._record(prompt, str(outcome), failed=outcome.failed, where=outcome.where)
        return outcome

    def close(self) -> None:
        """Close the connections to the nodes and the widget; the console answers no more."""
        self.session.close()
        # A box does not close what it holds: each widget is closed, innermost first.
        for part in (self.entry, self.button, self.follow, self.history, *self.widget.children,
                     self.widget):
            part.close()

    def __enter__(self) -> "Console":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _on_value(self, change: dict) -> None:
        if change["new"].strip():
            self._submit()

    def _submit(self) -> None:
        line = self.entry.value.strip()
        if line:
            self.entry.value = ""
            self.run(line)

    def _record(self, prompt: str, text: str, failed: bool, where: str = "") -> None:
        colour = "#c62828" if failed else "inherit"
        note = f'<span style="color:#777"> ({html.escape(where)})</span>' if where else ""
        self._lines.append(f"<b>{html.escape(prompt)}</b>{note}\n"
                           f'<span style="color:{colour}">{html.escape(text)}</span>')
        # Newest first, right under the box the student types in; older replies scroll below.
        self.history.value = ('<pre style="font-size:14px;line-height:1.35;max-height:26em;'
                              'overflow-y:auto">' + "\n".join(reversed(self._lines[-200:]))
                              + "</pre>")

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # Where widgets do not render (GitHub, a saved notebook), say what this is instead.
        if self.follow.value:
            bundle["text/plain"] = _("Redis console on {address} (-c on): run the notebook to type "
                                     "commands here.", address=self.session.current)
        else:
            bundle["text/plain"] = _("Redis console on {address} (-c off): run the notebook to type "
                                     "commands here.", address=self.session.current)
        return bundle
