"""The console's pure functions: redis-cli's quoting, its reply format, and key slots."""
from __future__ import annotations

import pytest

from helpers.console import format_reply, parse
from helpers.resp import ReplyError, Status
from helpers.topology import key_slot


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
    ("", []),
])
def test_parse_splits_like_redis_cli(line: str, words: list[str]) -> None:
    assert parse(line) == words


@pytest.mark.parametrize("line", ['set nom "kheir', "set nom 'kheir", 'set "a"b c'])
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


def test_nested_and_long_arrays_are_aligned_like_redis_cli() -> None:
    assert format_reply([["a", "b"], "c"]) == '1) 1) "a"\n   2) "b"\n2) "c"'
    ten = format_reply([str(i) for i in range(10)]).splitlines()
    assert ten[0] == ' 1) "0"' and ten[9] == '10) "9"'
    assert format_reply([[1, [None]]]) == "1) 1) (integer) 1\n   2) 1) (nil)"


@pytest.mark.parametrize("key, slot", [
    ("123456789", 0x31C3), ("foo", 12182), ("user:{42}:cart", key_slot("42")), ("{}", key_slot("{}")),
    ("a{}b", key_slot("a{}b")), ("{user1000}.following", key_slot("user1000")),
])
def test_key_slot_follows_the_cluster_specification(key: str, slot: int) -> None:
    # Both from the cluster specification: its CRC16 check value (0x31C3) and "foo" -> 12182.
    assert key_slot(key) == slot
