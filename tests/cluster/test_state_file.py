"""A state.json the workshop cannot read: one paragraph saying what to do, never a traceback.

Run through the real command line (and helpers.up()/connect() as a notebook calls them).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import helpers
from helpers.cluster.base import UnreadableState
from tests.conftest import cli

SPEC = {"masters": 3, "replicas": 1, "base_port": 7000, "node_timeout": 5000, "password": None}
GOOD = {"backend": "local", "spec": SPEC, "pids": {}, "project": None, "url": None}
UNREADABLE = {
    "not JSON": "{not json",
    "empty": "",
    "JSON of another shape": "[1, 2, 3]",
    "another program's": json.dumps({"version": 2, "services": {"web": {}}}),
    "missing keys": json.dumps({"backend": "local"}),
    "wrong type": json.dumps({**GOOD, "spec": {**SPEC, "masters": "three"}}),
    "wrong type of pid": json.dumps({**GOOD, "pids": {"7000": [1]}}),
    "unknown backend": json.dumps({**GOOD, "backend": "kubernetes"}),
}


def write_state(env: dict[str, str], content: str) -> Path:
    home = Path(env["WORKSHOP_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "state.json").write_text(content)
    return home / "state.json"


def assert_one_paragraph(result, path: Path) -> None:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {path} cannot be read as the workshop's cluster state (")
    assert "WORKSHOP_HOME" in result.stderr and "python -m helpers down --purge" in result.stderr


@pytest.mark.parametrize("content", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_status_and_up_explain_any_unreadable_state(workshop, content: str) -> None:
    path = write_state(workshop, content)
    for command in (["status"], ["up"]):
        assert_one_paragraph(cli(*command, env=workshop), path)
    assert path.read_text() == content  # nothing was changed


@pytest.mark.parametrize("command", [["status", "--json"], ["down"], ["reset"]])
@pytest.mark.parametrize("content", [UNREADABLE["not JSON"], UNREADABLE["unknown backend"]],
                         ids=["not JSON", "unknown backend"])
def test_every_command_explains_an_unreadable_state(workshop, command: list[str], content: str) -> None:
    path = write_state(workshop, content)
    assert_one_paragraph(cli(*command, env=workshop), path)
    assert path.read_text() == content


def test_a_notebook_gets_a_workshop_error_from_up_and_connect(workshop) -> None:
    path = write_state(workshop, UNREADABLE["missing keys"])
    for call in (helpers.up, helpers.connect):
        with pytest.raises(helpers.WorkshopError) as caught:
            call()
        assert isinstance(caught.value, UnreadableState) and "key 'spec' is missing" in str(caught.value)
        # What a student sees in Jupyter: one red paragraph, no traceback.
        assert caught.value._render_traceback_() == [f"\x1b[31m{caught.value}\x1b[0m"]
    assert path.read_text() == UNREADABLE["missing keys"]


def test_down_purge_sets_an_unreadable_state_aside_and_up_starts_afresh(workshop, redis_server) -> None:
    helpers.up()
    helpers.down()  # stopped, data kept
    path = write_state(workshop, "[]")
    home = path.parent
    done = cli("down", "--purge", env=workshop)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Set the unreadable state.json aside as {home}/state.json.unreadable "
                                  "and removed the data of 6 node(s).")
    assert (home / "state.json.unreadable").read_text() == "[]" and not any((home / "nodes").iterdir())
    assert cli("up", env=workshop).returncode == 0 and helpers.status()["ready"]


def test_down_purge_refuses_while_nodes_of_the_folder_still_run(workshop, redis_server) -> None:
    state = helpers.up()
    path = Path(workshop["WORKSHOP_HOME"]) / "state.json"
    kept = path.read_text()
    path.write_text("{broken")
    try:
        refused = cli("down", "--purge", env=workshop)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert f"still listen on ports {state.spec.base_port} (pid " in refused.stderr
        assert "redis-server" in refused.stderr
        assert path.read_text() == "{broken" and all(
            (path.parent / "nodes" / str(port) / "nodes.conf").exists() for port in state.spec.ports)
    finally:
        path.write_text(kept)  # so that the fixture can stop the cluster
