"""Notebooks 0-2 in real JupyterLab, walked as a learner does, in Debian's Chromium (Playwright).

JupyterLab serves a temporary copy of the notebooks (autosave never writes into the repository).
For 00, 01 and 02 the test runs the cells one by one with Shift+Enter, then uses the widgets with
the mouse and asserts what the learner must see: no error output, no flipped cell (◆) before the
first change, exactly the cells the change flips after it, the words line saying what happened,
and no label or button of a widget cut off (text wider than its box, measured in the DOM) at the
width JupyterLab gives a notebook beside the open file browser. Screenshots of each step go to
test-artifacts/ (CI keeps them as artifacts).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kmslab.engine import STANDARD_ACTIONS

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
ACTIONS = [a.split(":", 1)[1] for a in STANDARD_ACTIONS]  # the experiments' columns
EXPERIMENT = f"{PANEL} .kmslab-experiment"

pytestmark = pytest.mark.browser


def _require_browser() -> None:
    if CHROMIUM is None:
        message = "Chromium not found: install it with `sudo apt-get install -y chromium` to run the browser test"
        if os.environ.get("KMSLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("KMSLAB_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed (make test installs it)")
        pytest.skip("playwright is not installed (make test installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab_server(tmp: Path, root_dir: Path, token: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """A JupyterLab serving `root_dir` on a free loopback port, its settings in `tmp`/settings and its runtime
    files and workspaces in `tmp` (it never restores tabs from another run); yields its URL, stops it by its PID."""
    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"), "JUPYTER_RUNTIME_DIR": str(tmp / "rt"),
           **(env or {})}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.token={token}", f"--ServerApp.root_dir={root_dir}", "--ServerApp.open_browser=False",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(tmp / "jupyterlab.log", "w") as log:
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root_dir)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
                    break
                except OSError:
                    if server.poll() is not None:
                        pytest.fail("JupyterLab exited:\n" + (tmp / "jupyterlab.log").read_text()[-3000:])
                    time.sleep(0.5)
            else:
                pytest.fail("JupyterLab did not start:\n" + (tmp / "jupyterlab.log").read_text()[-3000:])
            yield url
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    _require_browser()
    tmp_path = tmp_path_factory.mktemp("jupyterlab")
    work = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", work)  # autosave must never write into the repository
    settings = tmp_path / "settings"
    for path, text in {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            '{"fetchNews": "false", "checkForUpdates": false}',
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": '{"autoStartDefaultKernel": true}',
    }.items():
        (settings / path).parent.mkdir(parents=True, exist_ok=True)
        (settings / path).write_text(text)
    token = "kmslab-browser-test"
    with jupyterlab_server(tmp_path, work, token) as url:
        yield url, token


@pytest.fixture(scope="module")
def page(jupyterlab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        try:
            # A laptop screen: the notebook gets what is left beside JupyterLab's open file browser.
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


# ---------------------------------------------------------------- what a learner does


def open_notebook(page, jupyterlab, name: str) -> None:
    from playwright.sync_api import expect

    url, token = jupyterlab
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")  # reset: only this notebook open
    expect(page.locator(".jp-StatusBar-TextItem", has_text="Idle").first).to_be_visible(timeout=90_000)
    dialog = page.locator(".jp-Dialog button.jp-mod-accept")
    if dialog.count():
        dialog.first.click()
    expect(page.locator(f"{PANEL} .jp-Cell").first).to_be_visible(timeout=30_000)


def run_cell_by_cell(page) -> None:
    """From the first cell to the last with the toolbar's ▶ (run and advance, like Shift+Enter), each cell
    finished before the next, as a learner does."""
    from playwright.sync_api import expect

    expect(page.locator(".jp-StatusBar-TextItem", has_text="Cell 1/").first).to_be_visible()  # a fresh notebook
    count = page.locator(f"{PANEL} .jp-Notebook .jp-Cell").count()
    run = page.locator(f"{PANEL} .jp-Toolbar [data-command='notebook:run-cell-and-select-next']").first
    for _ in range(count):
        run.click()
        page.wait_for_function(
            """panel => ![...document.querySelectorAll(panel + ' .jp-InputPrompt')]
                   .some(p => p.textContent.includes('*'))""", arg=PANEL, timeout=60_000)
    page.wait_for_timeout(300)


def error_outputs(page) -> list[str]:
    """Tracebacks or error text anywhere in the notebook's outputs, or in a widget's error area."""
    return page.evaluate(
        """panel => [...document.querySelectorAll(panel + ' .jp-OutputArea-output')]
               .map(o => o.innerText)
               .filter(t => /Traceback|Error:|Exception:/.test(t) && !/An error occurred \\(/.test(t))""", PANEL)


def cut_labels(page, scope: str) -> list[str]:
    """What a reader cannot read whole: labels, buttons and drop-downs whose text is wider than their box,
    and tables that run past the right edge of the widget (or notebook) holding them."""
    return page.evaluate(
        """scope => {
               const cut = [...document.querySelectorAll(scope + ' :is(label, button, select, .widget-label, '
                                                         + '.widget-label-basic span, .kmslab-status)')]
                   .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
                   .map(e => (e.innerText || e.value || '').trim().slice(0, 60));
               for (const table of document.querySelectorAll(scope + ' table')) {
                   if (table.offsetParent === null) continue;
                   const box = (table.closest('.kmslab-experiment, .jp-OutputArea-output') || document.body);
                   const over = table.getBoundingClientRect().right - box.getBoundingClientRect().right;
                   if (over > 1) cut.push(`a table ${Math.round(over)}px wider than its widget`);
               }
               return cut; }""", scope)


def flipped(page) -> list[str]:
    """The flipped cells of the experiment's table, as 'principal/Action' (from their CSS classes)."""
    return sorted(page.evaluate(
        """scope => [...document.querySelectorAll(scope + ' td.kmslab-flipped')].map(td => {
               const c = [...td.classList];
               const p = c.find(x => x.startsWith('kmslab-p-')), a = c.find(x => x.startsWith('kmslab-a-'));
               return p.slice(9) + '/' + a.slice(9); })""", EXPERIMENT))


def status_words(page) -> str:
    words = page.locator(f"{EXPERIMENT} .kmslab-status")
    return words.first.inner_text() if words.count() else ""


def shot(page, name: str) -> None:
    """The page as the learner sees it."""
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"))


def table_html(page) -> str:
    return page.locator(f"{EXPERIMENT} .kmslab-access-table").first.evaluate("t => t.outerHTML")


# ---------------------------------------------------------------- the walk


def test_00_welcome_runs_cell_by_cell_and_asks_before_it_shows(page, jupyterlab):
    open_notebook(page, jupyterlab, "00-welcome.ipynb")
    run_cell_by_cell(page)
    assert error_outputs(page) == []
    panel = page.locator(PANEL)
    assert panel.locator(".kmslab-exercise").count() == 1  # the question is displayed where it is asked
    assert "Replace the ... with your answer" in panel.locator(".kmslab-check").first.inner_text()
    flow = panel.locator(".kmslab-flow-box").first  # the flow picture, introduced once, with its legend below
    flow.evaluate("e => e.scrollIntoView({block: 'start'})")
    assert cut_labels(page, f"{PANEL} .jp-Cell:has(.kmslab-flow-box)") == []
    shot(page, "00-flow-picture")
    events = panel.locator(".kmslab-events")
    events.scroll_into_view_if_needed()
    assert cut_labels(page, f"{PANEL} .kmslab-events") == []
    shot(page, "00-end")


def predict_and_check(page, rows: list[str], change) -> None:
    """Predict mode: choose the change (it waits), click the row headers of `rows` in the prediction grid,
    press Check."""
    before = table_html(page)
    change()
    for row in rows:
        page.locator(f"{EXPERIMENT} .kmslab-predict-row.kmslab-row-{row}").first.click()
    shot(page, "predicting")
    page.locator(f"{EXPERIMENT} .kmslab-check").first.click()
    wait_for_words(page, before)


def wait_for_words(page, before_table: str) -> None:
    """Wait until the widget has answered a change: a new words line (and a new table when cells flipped)."""
    page.wait_for_function(
        """([scope, before]) => { const s = document.querySelector(scope + ' .kmslab-status');
                                  const t = document.querySelector(scope + ' .kmslab-access-table');
                                  return s && s.innerText.trim() && t && t.outerHTML !== before; }""",
        arg=[EXPERIMENT, before_table], timeout=30_000)
    page.wait_for_timeout(300)


def score(page) -> str:
    return page.locator(f"{EXPERIMENT} .kmslab-score-view").first.inner_text()


def test_01_predict_then_detach_administrator_access(page, jupyterlab):
    open_notebook(page, jupyterlab, "01-default-key-policy.ipynb")
    run_cell_by_cell(page)
    assert error_outputs(page) == []
    page.locator(EXPERIMENT).first.evaluate("e => e.scrollIntoView({block: 'start'})")  # its controls on top
    shot(page, "01-before")
    assert flipped(page) == []  # nothing flipped before the learner's first change
    assert cut_labels(page, EXPERIMENT) == []

    box = page.locator(f"{EXPERIMENT} .kmslab-attach-kms-test-2-AdministratorAccess input").first
    predict_and_check(page, ["kms-test-2"], box.click)
    assert flipped(page) == sorted(f"kms-test-2/{a}" for a in ACTIONS)
    assert "DetachUserPolicy kms-test-2 AdministratorAccess" in status_words(page)
    assert "Exactly right" in score(page)
    assert error_outputs(page) == []
    assert cut_labels(page, EXPERIMENT) == []
    shot(page, "01-after-detach")


def test_02_administrator_access_counts_only_with_the_root_statement(page, jupyterlab):
    open_notebook(page, jupyterlab, "02-without-the-root-statement.ipynb")
    run_cell_by_cell(page)
    assert error_outputs(page) == []
    page.locator(EXPERIMENT).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "02-before")
    assert flipped(page) == []
    assert cut_labels(page, EXPERIMENT) == []
    assert "OFF" in page.locator(f"{EXPERIMENT} .kmslab-root-toggle").first.inner_text()

    # Without the root statement, AdministratorAccess changes nothing: the key moment, said in words.
    box = page.locator(f"{EXPERIMENT} .kmslab-attach-kms-test-2-AdministratorAccess input").first
    box.click()  # predict mode: staged; the learner predicts that nothing flips
    page.locator(f"{EXPERIMENT} .kmslab-check").first.click()
    page.locator(f"{EXPERIMENT} .kmslab-status-nothing").first.wait_for(timeout=30_000)
    words = status_words(page)
    assert "DetachUserPolicy kms-test-2 AdministratorAccess: succeeded" in words and "No cell changed" in words
    assert flipped(page) == []
    shot(page, "02-iam-without-root")
    box.click()  # attach it again
    page.locator(f"{EXPERIMENT} .kmslab-check").first.click()
    page.wait_for_function("s => document.querySelector(s).innerText.includes('AttachUserPolicy')",
                           arg=f"{EXPERIMENT} .kmslab-status", timeout=30_000)

    root = page.locator(f"{EXPERIMENT} .kmslab-root-toggle").first
    predict_and_check(page, ["kms-test-2", "root"], root.click)
    assert flipped(page) == sorted([f"kms-test-2/{a}" for a in ACTIONS] + [f"root/{a}" for a in ACTIONS])
    assert "PutKeyPolicy" in status_words(page)
    assert "Exactly right" in score(page)
    assert "ON" in root.inner_text()
    assert error_outputs(page) == []
    assert cut_labels(page, EXPERIMENT) == []
    page.locator(EXPERIMENT).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "02-after-root-statement")


@pytest.mark.parametrize("name", ["05-conditions.ipynb", "08-playground.ipynb"])
def test_later_widgets_after_run_all_show_nothing_flipped_and_nothing_cut(page, jupyterlab, name):
    """The other notebooks with a widget, after Run All: no error, no ◆ yet, nothing cut at a laptop's width."""
    from playwright.sync_api import expect

    open_notebook(page, jupyterlab, name)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    widget = page.locator(f"{PANEL} .kmslab-access-table").first
    expect(widget).to_be_attached(timeout=60_000)
    page.wait_for_function(
        """panel => ![...document.querySelectorAll(panel + ' .jp-InputPrompt')].some(p => p.textContent.includes('*'))
                   && document.querySelectorAll(panel + ' .jp-InputPrompt').length > 0""", arg=PANEL, timeout=90_000)
    page.wait_for_timeout(500)
    assert error_outputs(page) == []
    first_widget = page.locator(f"{PANEL} .jp-OutputArea-output:has(.kmslab-table)").first  # the widget's table
    assert first_widget.locator(".kmslab-access-table").count() == 1
    first_widget.locator(".kmslab-access-table").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot(page, name.split("-")[0] + "-run-all")
    assert first_widget.locator("td.kmslab-flipped").count() == 0
    assert cut_labels(page, PANEL) == []


def test_08_a_second_key_widens_the_table_which_scrolls_inside_the_playground(page, jupyterlab):
    """A new key adds a column group: the table grows wider than the notebook. It scrolls sideways in its own box;
    the legend above it still wraps at the notebook's width (it ran past the edge, cut, before)."""
    from playwright.sync_api import expect

    playground = f"{PANEL} .kmslab-playground"
    open_notebook(page, jupyterlab, "08-playground.ipynb")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    expect(page.locator(f"{playground} .kmslab-access-table").first).to_be_attached(timeout=60_000)
    page.locator(f"{playground} .kmslab-new-key-name input").first.fill("second")
    page.locator(f"{playground} .kmslab-create-key").first.click()
    page.wait_for_function("s => [...document.querySelectorAll(s)].some(t => t.innerText.includes('second'))",
                           arg=f"{playground} .kmslab-access-table th", timeout=30_000)
    page.wait_for_timeout(300)
    sizes = page.evaluate(
        """pg => { const box = document.querySelector(pg).closest('.jp-OutputArea-output').getBoundingClientRect();
                   const right = s => document.querySelector(pg + ' ' + s).getBoundingClientRect().right - box.right;
                   const scroll = document.querySelector(pg + ' .kmslab-table-scroll');
                   return {legend: right('.kmslab-legend'), scroll: right('.kmslab-table-scroll'),
                           hidden: scroll.scrollWidth - scroll.clientWidth}; }""", playground)
    page.locator(f"{playground} .kmslab-table").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, "08-second-key")
    assert sizes["legend"] <= 1 and sizes["scroll"] <= 1, sizes  # nothing past the notebook's right edge
    assert sizes["hidden"] > 0, sizes  # the wider table scrolls inside its box
    assert error_outputs(page) == []
