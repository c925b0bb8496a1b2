"""Notebook 2 in real JupyterLab, driven by Playwright in Debian's Chromium.

Starts JupyterLab on a temporary copy of the notebooks, runs all cells of notebook 2,
clicks the root-statement toggle and checks that kms-test-2 / Decrypt flips from
denied to allowed. Screenshots before and after go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
NOTEBOOK = "02-without-the-root-statement.ipynb"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CELL = ".kmslab-experiment .kmslab-table td.kmslab-p-kms-test-2.kmslab-a-Decrypt"

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
        pytest.skip("playwright is not installed (make test installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    _require_browser()
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
    port, token = _free_port(), "kmslab-browser-test"
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.token={token}", f"--ServerApp.root_dir={work}", "--ServerApp.open_browser=False",
           f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]  # never restore tabs from another run
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _cell_state(page) -> str:
    classes = page.locator(CELL).first.get_attribute("class") or ""
    for state in ("allowed", "denied", "error"):
        if f"kmslab-{state}" in classes.split():
            return state
    return "missing"


def test_root_statement_toggle_flips_kms_test_2_decrypt(jupyterlab):
    from playwright.sync_api import expect, sync_playwright

    url, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
            status = page.locator(".jp-StatusBar-TextItem", has_text="Idle")
            expect(status.first).to_be_visible(timeout=90_000)
            dialog = page.locator(".jp-Dialog button.jp-mod-accept")
            if dialog.count():
                dialog.first.click()
            page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first.click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            cell = page.locator(CELL).first
            expect(cell).to_be_attached(timeout=120_000)
            expect(status.first).to_be_visible(timeout=120_000)  # every cell has run
            page.wait_for_timeout(500)
            cell.scroll_into_view_if_needed()
            assert _cell_state(page) == "denied"
            page.screenshot(path=str(ARTIFACTS / "browser-before-toggle.png"))

            toggle = page.locator(".kmslab-experiment .kmslab-root-toggle").first
            toggle.scroll_into_view_if_needed()
            toggle.click()
            expect(page.locator(f"{CELL}.kmslab-allowed").first).to_be_attached(timeout=30_000)
            assert _cell_state(page) == "allowed"
            assert "◆" in page.locator(CELL).first.inner_text()  # marked as flipped
            page.locator(CELL).first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "browser-after-toggle.png"))
        finally:
            browser.close()
