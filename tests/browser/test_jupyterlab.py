"""The notebooks as a student meets them: JupyterLab in headless Chromium, run from the UI.

JupyterLab serves a copy of the repository's notebooks (a run from the UI saves outputs,
which must not touch the committed ones) on loopback, with its news and update checks off.
Chromium is Debian's /usr/bin/chromium; no tool downloads a browser.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from helpers.cluster.base import find_free_base_port
from tests.conftest import REPO, require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
TOKEN = "workshop-browser-test"


@pytest.fixture
def lab(workshop, tmp_path: Path) -> Iterator[str]:
    """A JupyterLab on 127.0.0.1 serving a copy of notebooks/; yields its base URL."""
    require(Path(CHROMIUM).exists(), "Chromium is not installed at /usr/bin/chromium")
    site = tmp_path / "site"
    shutil.copytree(REPO / "notebooks", site / "notebooks")
    shutil.copy(REPO / "docker-compose.yml", site)
    for path in (site / "notebooks").glob("*.ipynb"):  # only a run in the page can fill them
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(notebook, path)
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Every cell stays in the page, so the test can read every output.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = find_free_base_port(1, start=18888)
    env = dict(workshop, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab-settings"))
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={site / 'notebooks'}", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):  # at most a minute
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                assert server.poll() is None, "JupyterLab exited at start-up"
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_notebook_01_runs_from_the_jupyterlab_ui(lab: str, tmp_path: Path) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{lab}/lab/tree/01_install_and_configure.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        dialog = page.locator(".jp-Dialog button:has-text('Select')")
        try:  # JupyterLab sometimes asks which kernel to start; the notebook's own is preselected
            dialog.click(timeout=5_000)
        except PlaywrightTimeout:
            pass
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
        assert not any(text.strip()[1:-2].isdigit() for text in prompts.all_inner_texts())
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")

        deadline = time.monotonic() + 180  # bounded: the notebook takes about 15 s
        while time.monotonic() < deadline:
            texts = prompts.all_inner_texts()
            if texts and all(text.strip()[1:-2].isdigit() for text in texts):  # "[12]:"
                break
            time.sleep(0.5)
        texts = prompts.all_inner_texts()
        assert all(text.strip()[1:-2].isdigit() for text in texts), f"cells not run: {texts}"

        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, errors.all_inner_texts()
        slot_map = page.locator(".jp-OutputArea-output img").first
        assert slot_map.evaluate("image => image.naturalWidth") > 500
        slot_map.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "slot-map-in-jupyterlab.png"))
        outputs = " ".join(page.locator(".jp-OutputArea-output").all_inner_texts())
        assert "cluster_state" in outputs and "connection refused" in outputs
        assert "[OK] All 16384 slots covered." in outputs
        browser.close()
