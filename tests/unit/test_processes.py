"""A node that exited under another parent is gone for `down`, not a process to wait for."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from helpers.cluster.local import _is_zombie

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_an_exited_child_of_another_process_is_a_zombie_and_a_running_one_is_not() -> None:
    # A parent that starts a child which exits at once, and never reaps it: what a node
    # started from notebook 01's kernel looks like to notebook 05's `down()`.
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, time; child = subprocess.Popen(['true']); "
                               "print(child.pid, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        for _ in range(200):  # `true` exits within milliseconds; allow it 10 s
            if _is_zombie(child):
                break
            time.sleep(0.05)
        assert _is_zombie(child)
        assert not _is_zombie(parent.pid)
    finally:
        parent.kill()
        parent.wait()
    assert not _is_zombie(parent.pid)  # reaped: no such process at all


@pytest.mark.parametrize("found, refused", [("6.0.16", True), ("7.0.15", False), ("7.2.4", False)])
def test_a_redis_server_older_than_7_0_is_refused_with_its_version_and_the_way_out(
        found: str, refused: bool, tmp_path, monkeypatch) -> None:
    from helpers.cluster.local import redis_server_binary
    from helpers.errors import WorkshopError
    from tests.messages import said

    fake = tmp_path / "redis-server"  # prints what `redis-server --version` prints, nothing more
    fake.write_text(f"#!/bin/sh\necho 'Redis server v={found} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    redis_server_binary.cache_clear()
    try:
        if refused:
            with pytest.raises(WorkshopError) as caught:
                redis_server_binary()
            assert said(caught.value, "{binary} is Redis {version}; the workshop needs Redis 7.0 or newer",
                        binary=str(fake), version=found)
        else:
            assert redis_server_binary() == str(fake)
    finally:
        redis_server_binary.cache_clear()
