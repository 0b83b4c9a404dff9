"""pytest plugin (loaded by pytest.ini): the notebooks run on their own cluster, never the user's.

Before any notebook kernel starts, WORKSHOP_HOME points to a temporary folder and
WORKSHOP_BASE_PORT to free ports, where a cluster starts at once; the kernels inherit
both and find it. Afterwards that cluster is stopped and its folder removed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _home
    if not config.getoption("nbval", default=False):
        return
    from helpers.cluster.base import find_free_base_port
    _home = tempfile.mkdtemp(prefix="workshop-notebooks-")
    os.environ["WORKSHOP_HOME"] = _home
    os.environ["WORKSHOP_BASE_PORT"] = str(find_free_base_port(6, start=7000))
    os.environ.pop("REDIS_CLUSTER_URL", None)
    # Take the ports at once (the notebooks' helpers.up() finds this cluster), so nothing
    # else can grab them between choosing them and the first notebook's first cell.
    # From a process that exits, as `python -m helpers up` in a terminal: nodes started by
    # pytest itself would stay its children, which it never reaps, and a notebook's
    # helpers.down() waits 5 s for each such node to leave the process table.
    started = subprocess.run([sys.executable, "-m", "helpers", "up"], cwd=Path(__file__).parent.parent,
                             capture_output=True, text=True)
    if started.returncode != 0:
        raise pytest.UsageError(f"The notebooks' cluster did not start: {started.stderr.strip()}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _home is None:
        return
    from helpers import down
    os.environ["WORKSHOP_HOME"] = _home
    down(purge=True)
    shutil.rmtree(_home, ignore_errors=True)
