"""key_slot against what it must agree with: the cluster specification and redis-py.

(The server's own CLUSTER KEYSLOT is the third judge: tests/cluster/test_key_slot_server.py.)
"""
from __future__ import annotations

import random

import pytest
from redis.crc import key_slot as redis_py_key_slot

from helpers.slots import key_slot

# Keys whose hash tag is the edge case: empty, unclosed, doubled, reversed, several.
HASH_TAG_EDGES = ["{}", "{a}{b}", "a{", "{", "}", "}{", "{}{a}", "a{}b", "{{a}}", "{a", "a}",
                  "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "}{a}", "{\x00}", "", "{ }",
                  "user:{42}:cart", "{user1000}.following", "é{ü}", "{😀}x"]


def crc16_xmodem(data: bytes) -> int:
    """CRC16 as the cluster specification's appendix defines it (CCITT, polynomial 0x1021,
    initial value 0, no reflection), bit by bit: written apart from the code under test."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def test_the_specifications_check_value() -> None:
    # "Output for "123456789": 31C3" (cluster specification, Appendix A); 0x31C3 = 12739 < 16384.
    assert crc16_xmodem(b"123456789") == 0x31C3
    assert key_slot("123456789") == 12739


@pytest.mark.parametrize("key, slot", [
    ("somekey", 11058), ("foo{hash_tag}", 2515), ("bar{hash_tag}", 2515),  # CLUSTER KEYSLOT's page
    ("foo", 12182),
])
def test_the_documented_slots(key: str, slot: int) -> None:
    assert key_slot(key) == slot


@pytest.mark.parametrize("key, hashed", [
    # The specification's own examples of which part of a key is hashed.
    ("{user1000}.following", "user1000"), ("{user1000}.followers", "user1000"),
    ("foo{}{bar}", "foo{}{bar}"), ("foo{{bar}}zap", "{bar"), ("foo{bar}{zap}", "bar"),
    ("{}", "{}"), ("a{", "a{"), ("}{a}", "a"), ("{a}{b}", "a"),
])
def test_only_the_hash_tag_is_hashed_as_the_specification_says(key: str, hashed: str) -> None:
    assert key_slot(key) == crc16_xmodem(hashed.encode()) % 16384


def random_keys(count: int, seed: int = 12739) -> list[bytes]:
    """Random keys, many with braces in random places, some not valid UTF-8."""
    chooser = random.Random(seed)
    alphabet = b"ab{}:{}x\x00\xff"
    keys = []
    for _ in range(count):
        length = chooser.randrange(0, 12)
        if chooser.random() < 0.5:
            keys.append(bytes(chooser.choice(alphabet) for _ in range(length)))
        else:
            keys.append(bytes(chooser.randrange(256) for _ in range(length)))
    return keys


def test_agrees_with_redis_py_on_random_and_edge_keys() -> None:
    keys = [key.encode() for key in HASH_TAG_EDGES] + random_keys(20000)
    assert sum(b"{" in key and b"}" in key for key in keys) > 1000  # the tag rule is exercised
    differ = [key for key in keys if key_slot(key) != redis_py_key_slot(key)]
    assert differ == []


def test_a_text_key_hashes_as_its_utf8_bytes() -> None:
    for key in HASH_TAG_EDGES:
        assert key_slot(key) == redis_py_key_slot(key.encode("utf-8")), key


def test_the_crc_itself_matches_the_specification_on_random_bytes() -> None:
    # Keys without "{" are hashed whole: this checks the CRC, not only the tag rule.
    for key in random_keys(3000, seed=1):
        if b"{" not in key:
            assert key_slot(key) == crc16_xmodem(key) % 16384, key
