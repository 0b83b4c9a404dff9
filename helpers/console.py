"""redis-cli in a cell: a command console for notebook 02 and for live demonstrations.

Plain functions do the work and are tested without a browser: `parse` splits a line as
redis-cli does, `execute` runs it on the cluster (following MOVED/ASK like `redis-cli -c`,
or not) and `format_reply` prints the reply as redis-cli would. `Console` is the widget
around them: a text box, a Run button, a "-c" toggle and a history.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from helpers.resp import Connection, Credentials, Reply, ReplyError, Status, credentials_of
from helpers.topology import key_slot

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

# Commands that destroy data or change the cluster under everyone's feet, and why.
DANGEROUS = {
    "FLUSHALL": "deletes every key of a node", "FLUSHDB": "deletes every key of a node",
    "SHUTDOWN": "stops a node", "DEBUG": "can crash or freeze a node",
    "CONFIG SET": "changes a node's configuration", "CONFIG RESETSTAT": "resets statistics",
    "CONFIG REWRITE": "rewrites a node's config file", "CLUSTER RESET": "makes a node forget the cluster",
    "CLUSTER FORGET": "removes a node from a node's view", "CLUSTER FAILOVER": "swaps master and replica",
    "CLUSTER ADDSLOTS": "changes who serves which slots", "CLUSTER DELSLOTS": "changes who serves which slots",
    "CLUSTER ADDSLOTSRANGE": "changes who serves which slots",
    "CLUSTER DELSLOTSRANGE": "changes who serves which slots",
    "CLUSTER SETSLOT": "changes who serves which slots", "CLUSTER MEET": "adds a node to the cluster",
    "CLUSTER REPLICATE": "makes a node a replica", "REPLICAOF": "makes a node a replica",
    "SLAVEOF": "makes a node a replica", "SWAPDB": "swaps databases", "MIGRATE": "moves keys away",
    "ACL SETUSER": "changes users", "ACL DELUSER": "deletes users", "SCRIPT FLUSH": "deletes scripts",
    "FUNCTION FLUSH": "deletes functions", "FUNCTION DELETE": "deletes functions",
    "BGREWRITEAOF": "rewrites the append-only file", "SAVE": "blocks a node while it saves",
}
# Commands that never return in a console cell: refused whatever allow_dangerous says.
BLOCKING = {"MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "SYNC", "PSYNC"}
MAX_HOPS = 5


def parse(line: str) -> list[str]:
    """Split a command line as redis-cli does (its sdssplitargs).

    Words are separated by blanks; "double quotes" allow \\n \\r \\t \\b \\a \\\\ \\" and
    \\xHH escapes; 'single quotes' allow only \\'. A closing quote must end the word.
    Raises ValueError on an unbalanced quote.
    """
    words, i, n = [], 0, len(line)
    escapes = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}
    while True:
        while i < n and line[i].isspace():
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
                    word.append(chr(int(line[i + 2:i + 4], 16)))
                    i += 3
                elif char == "\\" and i + 1 < n:
                    word.append(escapes.get(line[i + 1], line[i + 1]))
                    i += 1
                elif char == '"':
                    if i + 1 < n and not line[i + 1].isspace():
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
                    if i + 1 < n and not line[i + 1].isspace():
                        raise ValueError("a closing ' must be followed by a space")
                    i += 1
                    break
                else:
                    word.append(char)
            elif char.isspace():
                break
            elif char in "\"'" and not word:
                quote = char
            else:
                word.append(char)
            i += 1
        words.append("".join(word))


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in "0123456789abcdefABCDEF" for c in text)


@dataclass
class Outcome:
    """What one command gave: the reply (or error), its slot, the node that answered, the hops."""

    command: list[str]
    reply: Reply = None
    slot: int | None = None
    node: str | None = None
    hops: list[str] = field(default_factory=list)
    refused: str | None = None  # why the console did not send it

    @property
    def failed(self) -> bool:
        """True for an error reply, a refusal or a node that did not answer."""
        return self.refused is not None or isinstance(self.reply, ReplyError)

    def __str__(self) -> str:
        lines = list(self.hops)
        if self.refused:
            lines.append(f"(refused) {self.refused}")
        else:
            lines.append(format_reply(self.reply))
        return "\n".join(lines)


class Session:
    """Connections to the nodes a console has talked to, and the node it is 'on' (as redis-cli)."""

    def __init__(self, host: str, port: int, credentials: Credentials | str | None = None) -> None:
        self.credentials = credentials
        self.current = f"{host}:{port}"
        self._connections: dict[str, Connection] = {}

    def connection(self, address: str) -> Connection:
        if address not in self._connections:
            host, port = address.rsplit(":", 1)
            self._connections[address] = Connection(host, int(port), self.credentials, timeout=5.0)
        return self._connections[address]

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()


def execute(session: Session, args: list[str], follow: bool = True,
            allow_dangerous: bool = False) -> Outcome:
    """Run one parsed command on the node the session is on, following redirects like `redis-cli -c`.

    With follow=False the raw MOVED error is returned, as plain `redis-cli` shows it.
    Never raises for a Redis error or a node that does not answer: the Outcome says it.
    """
    outcome = Outcome(command=args)
    if not args:
        outcome.refused = "empty command"
        return outcome
    name = args[0].upper()
    long_name = " ".join(word.upper() for word in args[:2])
    if name in BLOCKING:
        outcome.refused = f"{name} waits for messages forever, which would freeze this cell."
        return outcome
    reason = DANGEROUS.get(long_name) or DANGEROUS.get(name)
    if reason and not allow_dangerous:
        outcome.refused = (f"{long_name if long_name in DANGEROUS else name} {reason}. This "
                           "console refuses it; create it with allow_dangerous=True to allow it.")
        return outcome
    keys = _keys(session, args)
    outcome.slot = key_slot(keys[0]) if keys else None
    address, asking = session.current, False
    for _ in range(MAX_HOPS):
        try:
            commands = (("ASKING",), tuple(args)) if asking else (tuple(args),)
            reply = session.connection(address).ask_raw(*commands)[-1]
        except OSError as error:
            outcome.node, outcome.reply = address, ReplyError(
                f"NODEDOWN {address} does not answer ({error.__class__.__name__}): is the node stopped?")
            return outcome
        if follow and isinstance(reply, ReplyError) and reply.code in ("MOVED", "ASK"):
            _, slot, target = str(reply).split()
            outcome.hops.append(f"-> Redirected to slot [{slot}] located at {target}")
            address, asking = target, reply.code == "ASK"
            if reply.code == "MOVED":
                session.current = target  # redis-cli -c stays on the node it was sent to
            continue
        outcome.node, outcome.reply = address, reply
        return outcome
    outcome.node, outcome.reply = address, ReplyError(f"ERR more than {MAX_HOPS} redirections")
    return outcome


def _keys(session: Session, args: list[str]) -> list[str]:
    """The command's key arguments, as the server itself finds them (COMMAND GETKEYS)."""
    try:
        keys = session.connection(session.current).ask(("COMMAND", "GETKEYS", *args))[0]
    except (ReplyError, OSError):  # no keys, an unknown command or wrong arity: the server will say
        return []
    return [key for key in keys if isinstance(key, str)]


def format_reply(reply: Reply, indent: int = 0) -> str:
    """A reply as redis-cli prints it on a terminal: OK, (integer) 2, (nil), "text", 1) ... lists."""
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
        body = format_reply(item, indent + len(prefix))
        lines.append(("" if number == 1 else " " * indent) + prefix + body)
    return "\n".join(lines)


def _quote(text: str | bytes) -> str:
    """A bulk string in double quotes with redis-cli's escapes (\\n, \\", \\xHH for other bytes)."""
    data = text.encode() if isinstance(text, str) else text
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

    `Console(rc)` starts on the master with the lowest port; `console.run("get nom")` does what
    typing does and returns the Outcome (notebook 02 shows both).
    """

    def __init__(self, rc: "RedisCluster", follow: bool = True, allow_dangerous: bool = False):
        import ipywidgets as widgets

        node = min(rc.get_primaries(), key=lambda primary: primary.port)  # the same start every run
        self.session = Session(node.host, node.port, credentials_of(rc))
        self.allow_dangerous = allow_dangerous
        self.entry = widgets.Text(placeholder='a redis-cli command, e.g. set nom "kheir"',
                                  continuous_update=False, layout=widgets.Layout(width="60%"))
        self.button = widgets.Button(description="Run", button_style="primary")
        self.follow = widgets.Checkbox(value=follow, description="-c (follow redirects)",
                                       indent=False)
        self.history = widgets.HTML()
        self._lines: list[str] = []
        # Enter (or leaving the box, as a click on Run does) commits the value: run it once.
        self.entry.observe(self._on_value, names="value")
        self.button.on_click(lambda _: self._submit())
        self.widget = widgets.VBox([widgets.HBox([self.entry, self.button, self.follow]),
                                    self.history])

    def run(self, line: str) -> Outcome | None:
        """Run one command line as if typed; record it in the history; return its Outcome."""
        prompt = f"{self.session.current}> {line}"
        try:
            outcome = execute(self.session, parse(line), follow=self.follow.value,
                              allow_dangerous=self.allow_dangerous)
        except ValueError as error:
            self._record(prompt, f"(error) Invalid argument(s): {error}", failed=True)
            return None
        where = "" if outcome.refused else (
            f"slot {outcome.slot} · " if outcome.slot is not None else "") + f"served by {outcome.node}"
        self._record(prompt, str(outcome), failed=outcome.failed, where=where)
        return outcome

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
        bundle["text/plain"] = (f"Redis console on {self.session.current} "
                                f"(-c {'on' if self.follow.value else 'off'}): "
                                "run the notebook to type commands here.")
        return bundle
