"""The console prints what redis-cli prints: the same commands, on the same node, compared as text.

Each line of the corpus is typed as a student would type it: into the console (`run_line`,
which is `parse` then `execute`, -c off) and into `redis-cli --no-raw -p PORT` on its
standard input, which redis-cli reads line by line and splits itself, as at its prompt
(--no-raw forces its terminal format, although its output is a pipe here).
Both run on one master of a quiet cluster, on keys tagged {b} (slot 3300, which that master
serves), written before the comparison and never changed by it.

The only normalisation of all: CRLF is compared as LF and the final newline is dropped (a
terminal shows them alike; the console is a list of lines). A few replies hold figures that
change between two calls; for those only, `stable()` masks exactly the changing fields.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from helpers.console import Session, execute, parse, run_line
from helpers.resp import Connection

# Every RESP2 reply type and the shapes redis-cli formats: status, integer, nil, bulk strings
# (binary, UTF-8, quotes, backslashes), errors, empty and nested arrays, widths of 10+ items.
CORPUS = [
    "ping", "type s{b}", "object encoding s{b}",                                   # status
    "strlen s{b}", "exists s{b} l{b} nothing{b}", "ttl s{b}", "dbsize",           # integers
    "get nothing{b}", "hget h{b} nothing",                                        # nil
    "get s{b}", "get bin{b}", "get utf8{b}", "get quotes{b}", "hget h{b} name",   # bulk strings
    'echo "a\\x00b\\xffc\\td"', "echo 'it\\'s'", 'echo "say \\"hi\\" \\\\ back"', "echo é✓",
    'echo ""',
    "get l{b}", "nosuchcommand x", "get", "get a", "xrange st{b} x y",             # errors
    "lrange nothing{b} 0 -1", "smembers nothing{b}", "xrange nothing{b} - +",     # empty arrays
    "lrange l{b} 0 -1", "lrange long{b} 0 -1", "hgetall h{b}",                    # arrays
    "zrange z{b} 0 -1 withscores", "mget s{b} nothing{b} bin{b}",
    "xrange st{b} - +", "xrevrange st{b} + - count 1", "xinfo stream st{b}",      # nested
    "xinfo groups st{b}", "xpending st{b} readers", "xrange long-stream{b} - +",
    "cluster slots", "command info get", "config get maxmemory-policy",
    "info keyspace", "memory doctor", "latency doctor",                          # raw, as they are
    "latency graph command", "client list nosuchtype", "debug htstats 0",
    "cluster info", "cluster nodes", "info", "client list", "client info",       # raw, changing
    "cluster nodes extra", "cluster info x",                                      # not raw: 3 words
    'set x "unbalanced', "set a\"b c\"d e",                                         # lines that do not split
]


def stable(command: list[str], text: str) -> str:
    """The text with the fields that change from one call to the next masked, and only those."""
    name = " ".join(command).lower()
    if name == "cluster info":  # gossip counters grow ten times a second
        return re.sub(r"(cluster_stats_messages_[a-z_-]+):\d+", r"\1:N", text)
    if name == "cluster nodes":  # fields 5 and 6: when the last ping was sent and pong received
        return "\n".join(" ".join(fields[:4] + ["N", "N"] + fields[6:])
                         for fields in (line.split(" ") for line in text.split("\n")))
    if name == "info":  # counters, clocks and memory change: compare the sections and field names
        return "\n".join(line.split(":", 1)[0] for line in text.split("\n"))
    if name in ("client list", "client info"):  # ids, ports, ages differ; the redis-cli client is
        # one more line in its own list: compare the distinct shapes of the lines
        shapes = {" ".join(part.split("=", 1)[0] for part in line.split(" ")) for line in text.split("\n")}
        return "\n".join(sorted(shapes))
    return text


@pytest.fixture
def quiet_master(shared_cluster):
    """(port, session): the first master with the corpus's keys written, and a console session on it."""
    state, rc = shared_cluster
    port = state.spec.ports[0]
    node = Connection("127.0.0.1", port, decode=False)
    node.ask(("SET", "s{b}", "kheir"), ("SET", "bin{b}", b"\x00\x01\xff\xfe\r\n\x7f end"),
             ("SET", "utf8{b}", "héllo ✓ 日本".encode()), ("SET", "quotes{b}", b'say "hi" \\ \'back\''),
             ("RPUSH", "l{b}", "milk", "bread"), ("RPUSH", "long{b}", *range(12)),
             ("HSET", "h{b}", "name", "Kheir", "age", "23"), ("ZADD", "z{b}", "1.5", "a", "23", "b"),
             ("XADD", "st{b}", "1-1", "item", "milk", "qty", "2"), ("XADD", "st{b}", "2-1", "item", "bread"),
             ("XGROUP", "CREATE", "st{b}", "readers", "0"),
             ("XREADGROUP", "GROUP", "readers", "alice", "STREAMS", "st{b}", ">"),
             *[("XADD", "long-stream{b}", f"{n}-0", "n", n) for n in range(1, 11)])
    node.close()
    session = Session("127.0.0.1", port)
    yield port, session
    session.close()


def test_the_console_prints_what_redis_cli_prints(quiet_master) -> None:
    port, session = quiet_master
    differences = []
    for line in CORPUS:
        outcome = run_line(session, line, follow=False, allow_dangerous=True)  # DEBUG HTSTATS
        console = str(outcome)
        shown = subprocess.run(["redis-cli", "--no-raw", "-p", str(port)], input=f"{line}\n".encode(),
                               capture_output=True, check=True).stdout
        cli = shown.decode(errors="replace").replace("\r\n", "\n")
        cli = cli[:-1] if cli.endswith("\n") else cli
        if stable(outcome.command, console) != stable(outcome.command, cli):
            differences.append(f"{line}\n--- console:\n{console}\n--- redis-cli:\n{cli}")
    assert not differences, "\n\n".join(differences)


def test_the_raw_commands_are_plain_lines_and_the_masks_leave_them_comparable(quiet_master) -> None:
    port, session = quiet_master
    for line, first in [("info", "# Server"), ("cluster info", "cluster_state:ok"),
                        ("client list", "id="), ("client info", "id=")]:
        text = str(execute(session, parse(line), follow=False))
        assert text.startswith(first) and "\r" not in text and "\n" in text or line == "client info"
    nodes = str(execute(session, parse("cluster nodes"), follow=False)).split("\n")
    assert len(nodes) == 6 and all(len(line.split(" ")) >= 8 for line in nodes)
    assert sum("myself" in line for line in nodes) == 1
    # The masks keep what must agree: a wrong state or a missing node would still differ.
    info = stable(["cluster", "info"], "cluster_state:ok\ncluster_stats_messages_ping_sent:12")
    assert info == "cluster_state:ok\ncluster_stats_messages_ping_sent:N"
    assert stable(["cluster", "info"], "cluster_state:fail") != stable(["cluster", "info"], "cluster_state:ok")


def test_with_c_the_redirects_print_as_redis_cli_c(shared_cluster) -> None:
    """One session typed into the console with -c and into one `redis-cli -c`: the same transcript.

    Only commands whose reply does not depend on being run twice (SET, GET, MSET, errors).
    """
    state, _ = shared_cluster
    port = state.spec.ports[0]
    lines = ['set nom "kheir"', "get nom", "get lists:shopping", "mset a 1 b 2",
             "mset {user:42}:a 1 {user:42}:b 2", "get {user:42}:a", "get tags:post", "exists nom"]
    session = Session("127.0.0.1", port)
    console = "\n".join(str(run_line(session, line)) for line in lines)
    session.close()
    shown = subprocess.run(["redis-cli", "-c", "--no-raw", "-p", str(port)],
                           input="".join(f"{line}\n" for line in lines).encode(),
                           capture_output=True, check=True).stdout.decode()
    assert console.count("-> Redirected to slot") >= 2  # the lines do cross masters
    assert console == shown.rstrip("\n")
