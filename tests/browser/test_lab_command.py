"""`python -m helpers lab`, the one command of a student without make: the cluster starts, then
JupyterLab opens on the notebooks without asking about Jupyter news (jupyter/labconfig); with
`--lang fr`, on the French edition (notebooks/fr/), JupyterLab itself in French."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers.cluster.base import find_free_base_port
from tests.browser.test_jupyterlab import CHROMIUM, CHROMIUM_FLAGS
from tests.conftest import REPO, cli, require
from tests.lab_asks_nothing import NEWS_PLUGIN, disabled_extensions

TOKEN = "workshop-lab-command-test"


# (--lang, the folder the file browser opens in, the first menu of JupyterLab's menu bar)
EDITIONS = [("en", "", "File"), ("fr", "fr", "Fichier")]  # "": the root, notebooks/


@pytest.mark.parametrize("lang, folder, first_menu", EDITIONS, ids=[edition[0] for edition in EDITIONS])
def test_the_lab_command_starts_the_cluster_and_a_jupyterlab_that_asks_nothing(
        workshop, redis_server, tmp_path: Path, lang: str, folder: str, first_menu: str) -> None:
    require(Path(CHROMIUM).exists(), "Chromium is not installed at /usr/bin/chromium")
    port = find_free_base_port(1, start=18988)
    # Fresh JupyterLab user settings: where the news question is still unanswered, so it would show.
    env = dict(workshop, JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    lab = subprocess.Popen(
        [sys.executable, "-m", "helpers", "lab", "--lang", lang, "--", "--no-browser", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)  # its own process group: JupyterLab is its child
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):  # the cluster first, then JupyterLab: at most two minutes
            try:
                page = urllib.request.urlopen(f"{url}/lab?token={TOKEN}", timeout=1).read().decode()
                break
            except OSError:
                assert lab.poll() is None, f"helpers lab exited: {lab.stdout.read()}"
                time.sleep(0.5)
        else:
            raise AssertionError("JupyterLab did not answer within two minutes")
        assert cli("status", env=workshop).returncode == 0  # the cluster runs
        assert NEWS_PLUGIN in disabled_extensions(page), disabled_extensions(page)

        from playwright.sync_api import sync_playwright
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(f"{url}/?token={TOKEN}")  # where a student lands: its edition's folder
            page.get_by_text("05_evaluating_redis.ipynb").first.wait_for(timeout=60_000)  # notebooks served
            page.wait_for_timeout(3_000)  # the question would be up by now
            assert page.get_by_text("official Jupyter news").count() == 0
            assert page.locator(".jp-BreadCrumbs").inner_text().strip().strip("/") == folder
            assert page.locator(".lm-MenuBar-itemLabel").first.inner_text() == first_menu
            browser.close()
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=60)
