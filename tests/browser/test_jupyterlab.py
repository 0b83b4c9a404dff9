"""A notebook as a student meets it: JupyterLab in headless Chromium, run from the UI.

What only a browser shows: the cells run from JupyterLab's Run menu, the widgets live (not
printed as text), the chart drawn, the console widget answering what is typed into it. One
notebook, 02 (the console and a chart, and seconds to run), is run end to end for all of it;
nbval proves every cell of every notebook, 02 included, prints what is committed.

JupyterLab serves a copy of the repository's notebooks (a run from the UI saves outputs,
which must not touch the committed ones) on loopback, with its news and update checks off.
Chromium is Debian's /usr/bin/chromium; no tool downloads a browser.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from helpers.cluster.base import find_free_base_port
from tests.conftest import FOREIGN_SETTINGS, REPO, cli, private_settings, require

WIDGET_REPRS = ("VBox(children=", "HBox(children=", "HTML(value=", "FloatProgress(value=")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
TOKEN = "workshop-browser-test"
NOTEBOOK = ".jp-NotebookPanel:visible"  # the open notebook, whatever else the page shows
FIRST_STEPS = "02_first_steps.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """A JupyterLab on 127.0.0.1 serving a copy of notebooks/; yields its base URL.

    Its kernels start their cluster in a WORKSHOP_HOME of their own, stopped and removed after.
    """
    require(Path(CHROMIUM).exists(), "Chromium is not installed at /usr/bin/chromium")
    tmp_path = tmp_path_factory.mktemp("lab")
    workshop = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    workshop.update(private_settings(tmp_path / "home", 10000 + os.getpid() % 40 * 50))
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
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab-settings"),
               # A workspace of its own: JupyterLab would otherwise reopen another test's tabs.
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"))
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
        cli("down", "--purge", env=workshop)


@contextmanager
def notebook_page(lab: str, name: str) -> Iterator:
    """A headless Chromium page with notebook `name` open in JupyterLab and its kernel idle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{lab}/lab/tree/{name}?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        try:  # JupyterLab sometimes asks which kernel to start; the notebook's own is preselected
            page.locator(".jp-Dialog button:has-text('Select')").click(timeout=5_000)
        except PlaywrightTimeout:
            pass
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
        try:
            yield page
        finally:
            browser.close()


def run_all_cells(page, limit: float = 300) -> list[str]:
    """Run every cell from the Run menu; wait (bounded) until each has a number; return the prompts."""
    prompts = page.locator(f"{NOTEBOOK} .jp-CodeCell .jp-InputPrompt")
    assert not any(text.strip()[1:-2].isdigit() for text in prompts.all_inner_texts())
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        texts = prompts.all_inner_texts()
        if texts and all(text.strip()[1:-2].isdigit() for text in texts):  # "[12]:"
            break
        time.sleep(0.5)
    return prompts.all_inner_texts()


def page_errors(page) -> list[str]:
    """Texts of error outputs (tracebacks render as stderr) in the page."""
    errors = page.locator(f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    return errors.all_inner_texts()


@pytest.fixture(scope="module")
def first_steps(lab: str) -> Iterator:
    """Notebook 02 open in the browser, every cell run from the Run menu: (page, input prompts)."""
    with notebook_page(lab, FIRST_STEPS) as page:
        yield page, run_all_cells(page)


def test_a_notebook_runs_from_the_jupyterlab_ui_with_live_widgets_and_a_chart(first_steps,
                                                                              screenshot) -> None:
    page, prompts = first_steps
    if not all(text.strip()[1:-2].isdigit() for text in prompts):
        page.screenshot(path=str(screenshot(f"{FIRST_STEPS}-not-run")), full_page=True)
        raise AssertionError(f"cells not run: {prompts}; errors shown: {page_errors(page)}")
    assert page_errors(page) == []
    images = page.locator(f"{NOTEBOOK} .jp-OutputArea-output img")
    assert images.count() >= 1 and images.first.evaluate("image => image.naturalWidth") > 500
    outputs = " ".join(page.locator(f"{NOTEBOOK} .jp-OutputArea-output").all_inner_texts())
    for text in ["-> Redirected to slot", "(empty array)", "CROSSSLOT"]:
        assert text in outputs
    assert not [text for text in WIDGET_REPRS if text in outputs], "a widget shows as text"
    assert page.locator(f"{NOTEBOOK} .jupyter-widgets").count() >= 1
    images.first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot(FIRST_STEPS)), full_page=True)


def ask(console, command: str, press_enter: bool = True, limit: float = 30) -> str:
    """Type `command` in the console widget, submit it (Enter, or the Run button), return its reply.

    Waits (bounded) until the history shows one more `command` than before. The history
    lists the newest command first: its reply runs from that prompt to the next one.
    """
    history = console.locator(".widget-html-content pre")
    before = history.inner_text().count(f"> {command}")
    box = console.locator(".widget-text input")
    box.fill(command)
    if press_enter:
        box.press("Enter")
    else:
        console.locator(".widget-button:has-text('Run')").click()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        text = history.inner_text()
        if text.count(f"> {command}") > before:
            after = text.split(f"> {command}", 1)[1]
            return re.split(r"\n\S+:\d+> ", after, maxsplit=1)[0]
        time.sleep(0.2)
    raise AssertionError(f"the console never answered {command!r}")


def test_the_console_widget_answers_what_a_student_types(first_steps, screenshot) -> None:
    page, _ = first_steps  # the notebook run from the UI, as a student leaves it
    console = page.locator(f"{NOTEBOOK} .widget-vbox").first
    console.scroll_into_view_if_needed()
    assert ask(console, 'set nom "kheir"').rstrip().endswith("OK")  # the course's first write
    assert '"kheir"' in ask(console, "GET nom", press_enter=False)  # the Run button
    assert ask(console, 'set greeting "hello from the browser"').rstrip().endswith("\nOK")
    assert '"hello from the browser"' in ask(console, "get greeting", press_enter=False)
    assert "(refused) FLUSHALL deletes every key" in ask(console, "flushall")
    console.locator(".widget-checkbox input").uncheck()  # -c off: MOVED shows as it is
    # One key per master: the console's node serves one of them, the two others answer MOVED.
    replies = [ask(console, f"get {key}") for key in ("tags:post", "nom", "lists:shopping")]
    assert sum("(error) MOVED" in reply for reply in replies) == 2, replies
    history = console.locator(".widget-html-content pre").inner_text()
    assert history.count("> get greeting") == 1  # the Run click ran it once, not twice
    page.screenshot(path=str(screenshot("console")))
