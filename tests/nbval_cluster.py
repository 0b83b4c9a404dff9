"""pytest plugin (loaded by pytest.ini): the notebooks run on their own cluster, never the user's.

Before the first notebook's kernel starts, WORKSHOP_HOME points to a temporary folder and
WORKSHOP_BASE_PORT to free ports, where a cluster starts at once; the kernels inherit
both and find it. Afterwards that cluster is stopped and its folder removed. With
NOTEBOOKS_OVER_TLS=yes (`make test-notebooks-tls`) it is a TLS cluster that the kernels reach
only as an external one, through REDIS_CLUSTER_URL=rediss://... Each kernel speaks its
notebook's language: French in notebooks/fr/, English elsewhere (WORKSHOP_LANG).

`make test` runs on two pytest-xdist workers. The notebooks stay together, run in order by
one worker on one cluster, as a student runs them; each test file goes whole to one worker,
so its module fixtures (a Compose project, JupyterLab) start once.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from nbval.plugin import IPyNbCell

_home: str | None = None


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, when it is there
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """xdist's file-by-file scheduling, with every notebook in one unit of work."""
    from xdist.scheduler import LoadScopeScheduling

    class NotebooksTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "notebooks" if path.endswith(".ipynb") else path

    return NotebooksTogether(config, log)


@pytest.hookimpl(tryfirst=True)  # before nbval's file setup starts the first kernel
def pytest_runtest_setup(item: pytest.Item) -> None:
    global _home
    if isinstance(item, IPyNbCell):  # each notebook's kernel speaks its edition's language
        os.environ["WORKSHOP_LANG"] = "fr" if item.path.parent.name == "fr" else "en"
    if _home is not None or not isinstance(item, IPyNbCell):
        return
    from helpers.cluster.base import find_free_base_port
    from helpers.cluster.docker import PUBLISHED
    _home = tempfile.mkdtemp(prefix="workshop-notebooks-")
    os.environ["WORKSHOP_HOME"] = _home
    # Docker publishes them all. `make test` runs the docker, Binder and TLS passes side by side:
    # NOTEBOOKS_PORTS_FROM keeps the TLS pass, which starts later, off the ports another pass frees
    # for a moment when notebook 07 restarts its cluster.
    start = int(os.environ.get("NOTEBOOKS_PORTS_FROM", "7000"))
    os.environ["WORKSHOP_BASE_PORT"] = str(find_free_base_port(PUBLISHED, start=start))
    # On the docker backend, a Compose project of its own: never the user's `redis-workshop`.
    os.environ["COMPOSE_PROJECT_NAME"] = f"workshop-notebooks-{os.getpid()}"
    os.environ.pop("REDIS_CLUSTER_URL", None)
    # Failures agreed on in 2 s rather than the students' 5: notebook 05's failovers wait less.
    # Only cells marked NBVAL_IGNORE_OUTPUT print what depends on it.
    os.environ["WORKSHOP_NODE_TIMEOUT"] = "2000"
    # Take the ports at once (the notebooks' helpers.up() finds this cluster), so nothing
    # else can grab them between choosing them and the first notebook's first cell.
    # From a process that exits, as `python -m helpers up` in a terminal: nodes started by
    # pytest itself would stay its children, which it never reaps.
    over_tls = os.environ.get("NOTEBOOKS_OVER_TLS") == "yes"
    started = subprocess.run([sys.executable, "-m", "helpers", "up", *(["--tls"] if over_tls else [])],
                             cwd=Path(__file__).parent.parent, capture_output=True, text=True)
    if started.returncode != 0:
        pytest.exit(f"The notebooks' cluster did not start: {started.stderr.strip()}", returncode=1)
    if over_tls:  # `make test-notebooks-tls`: the notebooks see that cluster only through its URL,
        # as a class sees a remote one, with a WORKSHOP_HOME of their own that knows no cluster
        ca = Path(_home) / "tls" / "ca.crt"
        os.environ["REDIS_CLUSTER_URL"] = f"rediss://127.0.0.1:{os.environ['WORKSHOP_BASE_PORT']}?ssl_ca_certs={ca}"
        os.environ["WORKSHOP_HOME"] = tempfile.mkdtemp(prefix="workshop-student-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _home is None:
        return
    from helpers import down
    if os.environ.pop("REDIS_CLUSTER_URL", None):
        shutil.rmtree(os.environ["WORKSHOP_HOME"], ignore_errors=True)  # the notebooks' own, empty
    os.environ["WORKSHOP_HOME"] = _home
    down(purge=True)
    shutil.rmtree(_home, ignore_errors=True)
