"""Slot arithmetic: a key's hash slot, the 16384 slots, and how they are split into ranges.

Dependency-free (the standard library only), like redis-py's `redis/crc.py`: the console,
the bulk loader, the failover lab and the backends compute slots without loading pandas.
Notebook 02 teaches `key_slot`; notebook 01's cluster is built with `master_slot_ranges`.
"""
from __future__ import annotations

import binascii

HASH_SLOTS = 16384


def key_slot(key: str | bytes) -> int:
    """A key's hash slot: CRC16 of the key (or of its {hash tag}) modulo 16384 (notebook 02).

    Only the part between the first "{" and the next "}" is hashed when it is not empty,
    so "user:{42}:cart" and "user:{42}:orders" share a slot. binascii.crc_hqx is the
    CRC16-CCITT (XMODEM) that the cluster specification names.
    """
    data = key.encode() if isinstance(key, str) else key
    start = data.find(b"{")
    if start != -1:
        end = data.find(b"}", start + 1)
        if end > start + 1:
            data = data[start + 1:end]
    return binascii.crc_hqx(data, 0) % HASH_SLOTS


def master_slot_ranges(masters: int) -> list[tuple[int, int]]:
    """Split the 16384 slots into contiguous ranges the way `redis-cli --cluster create` does
    (notebook 01's cluster, built by the local backend)."""
    per_node = HASH_SLOTS / masters
    ranges, first, cursor = [], 0, 0.0
    for index in range(masters):
        # int(x + 0.5) is C's lround, which redis-cli uses; Python's round() rounds half to even.
        last = HASH_SLOTS - 1 if index == masters - 1 else int(cursor + per_node - 1 + 0.5)
        ranges.append((first, last))
        cursor += per_node
        first = last + 1
    return ranges


def parse_slot_range(text: str) -> tuple[int, int]:
    """'0-5460' or '5461' (as CLUSTER NODES writes a range or a single slot) as (first, last)."""
    first, _, last = text.partition("-")
    return int(first), int(last or first)


def format_slot_range(first: int, last: int) -> str:
    """(first, last) as CLUSTER NODES writes it: '0-5460', or '5461' for a single slot."""
    return f"{first}-{last}" if first != last else f"{first}"
