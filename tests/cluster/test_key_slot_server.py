"""key_slot against the server: a real cluster-enabled redis-server answers CLUSTER KEYSLOT."""
from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from helpers.cluster.base import find_free_base_port
from helpers.slots import key_slot
from tests.unit.test_key_slot import HASH_TAG_EDGES, random_keys


@pytest.fixture
def lone_node(redis_server: str, tmp_path: Path) -> Iterator[redis.Redis]:
    """One cluster-enabled redis-server (CLUSTER KEYSLOT needs no cluster around it)."""
    port = find_free_base_port(1, start=9000)
    process = subprocess.Popen([redis_server, "--port", str(port), "--bind", "127.0.0.1",
                                "--cluster-enabled", "yes", "--dir", str(tmp_path), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        for _ in range(500):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.01)
        yield client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


def test_key_slot_agrees_with_cluster_keyslot(lone_node: redis.Redis) -> None:
    keys = [key.encode() for key in HASH_TAG_EDGES] + random_keys(3000, seed=7)
    pipe = lone_node.pipeline(transaction=False)
    for key in keys:
        pipe.execute_command("CLUSTER", "KEYSLOT", key)
    answers = pipe.execute()
    assert len(set(answers)) > 1000  # a spread sample, not one slot many times
    assert [key for key, slot in zip(keys, answers) if key_slot(key) != slot] == []
    assert lone_node.execute_command("CLUSTER", "KEYSLOT", "123456789") == 12739
