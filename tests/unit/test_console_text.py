"""The console's pure functions: redis-cli's quoting, its reply format, its refusals, key slots."""
from __future__ import annotations

import pytest

from helpers.console import MAX_WAIT, Outcome, format_reply, parse, prints_raw, refusal
from helpers.i18n import _
from helpers.resp import ReplyError, Status, encode
from tests.messages import said


@pytest.mark.parametrize("line, words", [
    ('set nom "kheir"', ["set", "nom", "kheir"]),
    ('hset user:profile name "Kheir" age 23', ["hset", "user:profile", "name", "Kheir", "age", "23"]),
    ('lpush lists:shopping "milk" "bread"', ["lpush", "lists:shopping", "milk", "bread"]),
    ("  get   nom  ", ["get", "nom"]),
    ('set k "a \\"quoted\\" word\\n"', ["set", "k", 'a "quoted" word\n']),
    ('set k "\\x41\\x42"', ["set", "k", "AB"]),
    ("set k 'it\\'s'", ["set", "k", "it's"]),
    ("set k 'no \\n escape'", ["set", "k", "no \\n escape"]),
    ('set k ""', ["set", "k", ""]),
    ('set a"b c" d', ["set", "ab c", "d"]),  # sds.c opens a quote anywhere in a word
    ("set k\vv", ["set", "k\vv"]),  # a vertical tab: only space, \t, \n, \r end an unquoted word
    ("", []),
])
def test_parse_splits_like_redis_cli(line: str, words: list[str]) -> None:
    assert parse(line) == words


def test_hex_escapes_are_sent_as_single_bytes_and_typed_text_as_utf8() -> None:
    # redis-cli's "\xff" is the byte 0xff, not the character ÿ (two bytes in UTF-8).
    assert encode(parse('set k "\\xff\\x00é"')) == b"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$4\r\n\xff\x00\xc3\xa9\r\n"


@pytest.mark.parametrize("line", ['set nom "kheir', "set nom 'kheir", 'set "a"b c', 'set a"b c"d'])
def test_parse_refuses_unbalanced_quotes(line: str) -> None:
    with pytest.raises(ValueError):
        parse(line)


def test_replies_print_as_redis_cli_prints_them() -> None:
    assert format_reply(Status("OK")) == "OK"
    assert format_reply(2) == "(integer) 2"
    assert format_reply(None) == "(nil)"
    assert format_reply("kheir") == '"kheir"'
    assert format_reply('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert format_reply(b"\xff") == '"\\xff"'
    assert format_reply([]) == "(empty array)"
    assert format_reply(["milk", "bread"]) == '1) "milk"\n2) "bread"'
    assert format_reply(ReplyError("ERR unknown command")) == "(error) ERR unknown command"


def test_binary_bulk_strings_print_their_bytes_escaped() -> None:
    exact = b"\xff\x00\xc3\xa9".decode(errors="surrogateescape")  # as helpers.resp decodes it
    assert format_reply(exact) == '"\\xff\\x00\\xc3\\xa9"'


def test_nested_and_long_arrays_are_aligned_like_redis_cli() -> None:
    assert format_reply([["a", "b"], "c"]) == '1) 1) "a"\n   2) "b"\n2) "c"'
    ten = format_reply([str(i) for i in range(10)]).splitlines()
    assert ten[0] == ' 1) "0"' and ten[9] == '10) "9"'
    assert format_reply([[1, [None]]]) == "1) 1) (integer) 1\n   2) 1) (nil)"


@pytest.mark.parametrize("line, raw", [
    # redis-cli.c 7.0, cliSendCommand: output_raw = 1 for exactly these.
    ("info", True), ("INFO server", True), ("info everything", True), ("lolwut", True),
    ("lolwut version 5", True), ("debug htstats 0", True), ("debug htstats-key k", True),
    ("debug client-eviction", True), ("memory malloc-stats", True), ("memory doctor", True),
    ("cluster nodes", True), ("CLUSTER INFO", True), ("client list", True),
    ("client list type normal", True), ("client info", True), ("latency graph command", True),
    ("latency doctor", True), ("proxy info", True),
    # ... and not these: the argument counts matter, as in redis-cli.
    ("cluster nodes extra", False), ("cluster info x", False), ("latency graph", False),
    ("latency doctor x", False), ("cluster slots", False), ("memory stats", False),
    ("client getname", False), ("debug sleep 0", False), ("get info", False), ("config get *", False),
])
def test_raw_output_commands_are_redis_clis_list(line: str, raw: bool) -> None:
    assert prints_raw(parse(line)) is raw


def test_raw_commands_print_plain_lines_other_commands_a_quoted_string() -> None:
    text = "# Server\r\nredis_version:7.0.15\r\n\r\n# Cluster\r\ncluster_enabled:1\r\n"
    assert format_reply(text, ["INFO"]) == "# Server\nredis_version:7.0.15\n\n# Cluster\ncluster_enabled:1"
    assert format_reply(text, ["GET", "k"]).startswith('"# Server\\r\\nredis_version')
    # cliFormatReplyRaw: an error without "(error)", nothing for nil, arrays one item per line.
    assert format_reply(ReplyError("ERR syntax error"), ["client", "list", "x"]) == "ERR syntax error"
    assert format_reply(None, ["info"]) == ""
    assert format_reply(["a", 1, ["b"]], ["info"]) == "a\n1\nb"


FOREVER = "{command} with timeout {timeout} would wait forever for an element"
MAY_WAIT = "{command} with timeout {timeout} may wait {wait:g} s for an element"


@pytest.mark.parametrize("line, template, values", [
    ("monitor", "{command} waits for messages forever", {"command": "MONITOR"}),
    ("subscribe news", "{command} waits for messages forever", {"command": "SUBSCRIBE"}),
    ("blpop queue 0", FOREVER, {"command": "BLPOP", "timeout": "0"}),
    ("BRPOP a b 10", MAY_WAIT, {"command": "BRPOP", "timeout": "10", "wait": 10}),
    ("brpoplpush a b 0", FOREVER, {"command": "BRPOPLPUSH", "timeout": "0"}),
    ("blmove a b left right 0", FOREVER, {"command": "BLMOVE", "timeout": "0"}),
    ("blmpop 0 1 a left", FOREVER, {"command": "BLMPOP", "timeout": "0"}),
    ("bzpopmin z 0", FOREVER, {"command": "BZPOPMIN", "timeout": "0"}),
    ("bzpopmax z 60", MAY_WAIT, {"command": "BZPOPMAX", "timeout": "60", "wait": 60}),
    ("bzmpop 0.0 1 z min", FOREVER, {"command": "BZMPOP", "timeout": "0.0"}),
    ("blpop queue 3.5", MAY_WAIT, {"command": "BLPOP", "timeout": "3.5", "wait": 3.5}),
    ("xread block 0 streams s $", "{command} BLOCK {block} would wait forever", {"command": "XREAD", "block": "0"}),
    ("xread count 5 block 60000 streams s $", "{command} BLOCK {block} may wait {wait:g} s",
     {"command": "XREAD", "block": "60000", "wait": 60}),
    ("xreadgroup group g c block 0 streams s >", "{command} BLOCK {block} would wait forever",
     {"command": "XREADGROUP", "block": "0"}),
    ("wait 1 0", "WAIT with timeout {timeout} (milliseconds) would wait forever", {"timeout": "0"}),
    ("WAIT 2 10000", "WAIT with timeout {timeout} (milliseconds) may wait {wait:g} s",
     {"timeout": "10000", "wait": 10}),
    ("client pause 100", "CLIENT PAUSE stops the node answering every client", {}),
    ("client pause 100 write", "CLIENT PAUSE stops the node answering every client", {}),
    ("client reply off", "CLIENT REPLY {mode} stops the replies", {"mode": "OFF"}),
    ("hello 3", "HELLO 3 switches the connection to RESP3", {}),
])
def test_commands_that_would_hang_the_cell_or_freeze_a_node_are_refused(line: str, template: str,
                                                                         values: dict) -> None:
    assert said(refusal(parse(line)), template, **values)
    # allow_dangerous never lets a hanging command through
    assert said(refusal(parse(line), allow_dangerous=True), template, **values)


@pytest.mark.parametrize("line, reason, command", [
    ("flushall", "{command} deletes every key of a node", "FLUSHALL"),
    ("config set maxmemory 1", "{command} changes a node's configuration", "CONFIG SET"),
    ("cluster reset hard", "{command} makes a node forget the cluster", "CLUSTER RESET"),
    ("debug sleep 0", "{command} can crash or freeze a node", "DEBUG"),
])
def test_destructive_commands_are_refused_with_their_reason_unless_allowed(line: str, reason: str,
                                                                             command: str) -> None:
    refused = refusal(parse(line))
    assert said(refused, "{reason} This console refuses it; create it with allow_dangerous=True")
    assert said(refused.params["reason"], reason, command=command)
    assert refusal(parse(line), allow_dangerous=True) is None


@pytest.mark.parametrize("language", ["en", "fr"])
def test_refusals_and_notes_are_in_the_students_language(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", language)
    refused = refusal(parse("flushall"))
    assert said(refused, "{reason} This console refuses it")
    assert said(refused.params["reason"], "{command} deletes every key of a node", command="FLUSHALL")
    waiting = refusal(parse("blpop queue 3.5"))
    assert said(waiting, MAY_WAIT, command="BLPOP", timeout="3.5", wait=3.5)
    note = Outcome(command=["get", "nom"], slot=5798, node="127.0.0.1:7001").where
    assert said(note, "slot {slot} · served by {node}", slot=5798, node="127.0.0.1:7001")
    shown = str(Outcome(command=["flushall"], refused=refused))
    if language == "fr":
        assert refused.startswith("FLUSHALL supprime toutes les clés d’un nœud. Cette console refuse")
        assert "jusqu’à 3,5 s" in waiting  # the number as French writes it
        assert note == "slot 5798 · servi par 127.0.0.1:7001"
        assert shown == f"(refusée) {refused}"
    else:
        assert refused.startswith("FLUSHALL deletes every key of a node. This console refuses it")
        assert "may wait 3.5 s" in waiting
        assert note == "slot 5798 · served by 127.0.0.1:7001"
        assert shown == f"(refused) {refused}"
    assert refused == _(refused.id, reason=_(refused.params["reason"].id, command="FLUSHALL"))


@pytest.mark.parametrize("line", [
    "blpop queue 1", f"blpop queue {MAX_WAIT:g}", "bzpopmin z 0.5", "blmpop 2 1 a left",
    "xread block 1000 streams s $", "xread streams block 0",  # a stream named "block"
    "xreadgroup group block c streams s >", "xread count 1 streams s 0", "wait 1 100",
    "client reply on", "client unpause", "hello", "hello 2", "blpop queue notanumber",
    "blpop queue -1",  # the server refuses these at once, with its own error
    "get key", "cluster info",
])
def test_short_or_harmless_forms_go_through(line: str) -> None:
    assert refusal(parse(line)) is None
