"""A state.json the workshop cannot read: one paragraph saying what to do, never a traceback.

Run through the real command line (and helpers.up()/connect() as a notebook calls them).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import helpers
from helpers.cluster.base import ClusterState, UnreadableState
from helpers.i18n import _, _n
from tests.conftest import cli
from tests.messages import message_of, said

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
    """The command printed, as one paragraph, the message state.json is refused with."""
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    with pytest.raises(UnreadableState) as caught:
        ClusterState.load(path.parent)
    assert said(caught.value, "{path} cannot be read as the workshop's cluster state ({reason})", path=path)
    assert result.stderr == _("error: {error}", error=caught.value) + "\n"


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
        assert isinstance(caught.value, UnreadableState)
        assert said(message_of(caught.value).params["reason"], "key {key} is missing", key="'spec'")
        # What a student sees in Jupyter: one red paragraph, no traceback.
        assert caught.value._render_traceback_() == [f"\x1b[31m{caught.value}\x1b[0m"]
    assert path.read_text() == UNREADABLE["missing keys"]


def test_status_explains_an_unreadable_state_in_french(workshop, monkeypatch) -> None:
    path = write_state(workshop, UNREADABLE["wrong type"])
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    result = cli("status", env=dict(workshop, WORKSHOP_LANG="fr"))
    assert_one_paragraph(result, path)
    assert result.stderr.startswith(f"erreur\u00a0: {path} ne se lit pas comme l’état du cluster de l’atelier "
                                    "(spec.masters vaut \"three\", et non un nombre entier).")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_down_purge_sets_an_unreadable_state_aside_and_up_starts_afresh(workshop, redis_server, language,
                                                                        monkeypatch) -> None:
    helpers.up()
    helpers.down()  # stopped, data kept
    path = write_state(workshop, "[]")
    home = path.parent
    done = cli("down", "--purge", env=dict(workshop, WORKSHOP_LANG=language))
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("WORKSHOP_LANG", language)
    assert done.stdout == _n("Set the unreadable {name} aside as {aside} and removed the data of {count} node. "
                             "`python -m helpers up` starts a new cluster.",
                             "Set the unreadable {name} aside as {aside} and removed the data of {count} nodes. "
                             "`python -m helpers up` starts a new cluster.",
                             6, name="state.json", aside=home / "state.json.unreadable") + "\n"
    assert ("de 6\u00a0nœuds supprimées" in done.stdout) == (language == "fr")
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
        holders = ", ".join(f"{port} (pid {state.pids[port]} (redis-server))" for port in state.spec.ports)
        assert refused.stderr == _("error: {error}", error=_(
            "{path} cannot be read, and nodes of {home} still listen on ports {holders}. Stop them first "
            "(for example: kill PID), then run `python -m helpers down --purge` again.",
            path=path, home=path.parent, holders=holders)) + "\n"
        assert path.read_text() == "{broken" and all(
            (path.parent / "nodes" / str(port) / "nodes.conf").exists() for port in state.spec.ports)
    finally:
        path.write_text(kept)  # so that the fixture can stop the cluster
