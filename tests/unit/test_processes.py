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
