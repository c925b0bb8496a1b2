"""The Japanese notebook 02 in real JupyterLab (Chromium): Japanese labels, rendered with a CJK font, none cut.

The same walk as tests/test_browser.py's notebook 02 (its fixtures and helpers are reused), on
notebooks/ja/02: the kernel starts in the ja folder, so kmslab speaks Japanese on import. Skipped
while notebooks/ja/02 does not exist. Debian's CJK fonts (fonts-noto-cjk, installed by .ci/run) must
be present, or Chromium draws empty boxes: a missing font fails with KMSLAB_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "02-without-the-root-statement.ipynb"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (ROOT / "notebooks" / "ja" / NOTEBOOK).exists(),
                                 reason="notebooks/ja/02 does not exist yet")]


def _browser_walk():
    """tests/test_browser.py as a module (tests are not a package: load it by path)."""
    spec = importlib.util.spec_from_file_location("kmslab_test_browser", ROOT / "tests" / "test_browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


walk = _browser_walk()
jupyterlab = walk.jupyterlab  # a JupyterLab on a temporary copy of notebooks/ (ja/ included)
page = walk.page
EXPERIMENT, ACTIONS = walk.EXPERIMENT, walk.ACTIONS


def _require_cjk_font() -> None:
    try:
        fonts = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        fonts = ""
    if not fonts.strip():
        message = "no Japanese font: install Debian's CJK fonts (sudo apt-get install -y fonts-noto-cjk)"
        if os.environ.get("KMSLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def tofu(page, scope: str) -> list[str]:
    """Japanese labels drawn without a Japanese font: the text's width with the page's fonts equals its width
    in a font that has no CJK glyphs at all (every character the same fallback box)."""
    return page.evaluate(
        """scope => {
               const canvas = document.createElement('canvas').getContext('2d');
               const out = [];
               for (const e of document.querySelectorAll(scope + ' :is(button, label, .widget-label, th, td)')) {
                   const text = (e.innerText || '').trim();
                   if (!/[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(text)) continue;
                   const font = getComputedStyle(e).font;
                   canvas.font = font;
                   const kana = canvas.measureText('あ').width, kanji = canvas.measureText('許').width;
                   const box = canvas.measureText('\\u{10FFFD}').width;  // a private-use char: never in a font
                   if (kana === box && kanji === box) out.push(text.slice(0, 40));
               }
               return out; }""", scope)


def test_the_japanese_language_pack_is_installed(jupyterlab):
    url, token = jupyterlab
    with urllib.request.urlopen(f"{url}/lab/api/translations/ja_JP?token={token}", timeout=30) as response:
        answer = json.load(response)
    assert answer.get("data"), answer.get("message")  # JupyterLab's own strings in Japanese


def test_02_in_japanese_labels_render_and_nothing_is_cut(page, jupyterlab):
    _require_cjk_font()
    walk.open_notebook(page, jupyterlab, f"ja/{NOTEBOOK}")
    walk.run_cell_by_cell(page)
    assert walk.error_outputs(page) == []
    page.locator(EXPERIMENT).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    walk.shot(page, "ja-02-before")
    assert walk.flipped(page) == []
    root = page.locator(f"{EXPERIMENT} .kmslab-root-toggle").first
    assert root.inner_text().strip() == "ルートステートメント: オフ"
    head = page.locator(f"{EXPERIMENT} .kmslab-table-head").first.inner_text()
    assert re.search(r"キー\s*demo\s*を使えるのは誰か", head)
    assert walk.cut_labels(page, EXPERIMENT) == []
    assert tofu(page, EXPERIMENT) == []

    # Without the root statement, AdministratorAccess changes nothing, said in Japanese.
    box = page.locator(f"{EXPERIMENT} .kmslab-attach-kms-test-2-AdministratorAccess input").first
    box.click()
    page.locator(f"{EXPERIMENT} .kmslab-check").first.click()
    page.locator(f"{EXPERIMENT} .kmslab-status-nothing").first.wait_for(timeout=30_000)
    words = walk.status_words(page)
    assert "DetachUserPolicy kms-test-2 AdministratorAccess: 成功" in words and "変化したセルはありません" in words
    assert walk.cut_labels(page, EXPERIMENT) == []
    walk.shot(page, "ja-02-iam-without-root")
    box.click()
    page.locator(f"{EXPERIMENT} .kmslab-check").first.click()
    page.wait_for_function("s => document.querySelector(s).innerText.includes('AttachUserPolicy')",
                           arg=f"{EXPERIMENT} .kmslab-status", timeout=30_000)

    walk.predict_and_check(page, ["kms-test-2", "root"], root.click)
    assert walk.flipped(page) == sorted([f"kms-test-2/{a}" for a in ACTIONS] + [f"root/{a}" for a in ACTIONS])
    assert "ルートステートメントを追加" in walk.status_words(page)
    assert "完全に正解" in walk.score(page)
    assert root.inner_text().strip() == "ルートステートメント: オン"
    assert walk.error_outputs(page) == []
    assert walk.cut_labels(page, EXPERIMENT) == []
    assert tofu(page, EXPERIMENT) == []
    page.locator(EXPERIMENT).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    walk.shot(page, "ja-02-after-root-statement")


def test_08_typing_an_action_and_enter_adds_a_column(page, jupyterlab):
    """The playground's add box: type an action, press Enter, the table gains the column (Japanese page).

    TagsInput's own box adds a tag in JupyterLab only when it loses focus (Enter does nothing: seen in
    Chromium), so the playground has a Combobox for typing; the tags show the columns and remove them (×).
    """
    _require_cjk_font()
    playground = ".jp-NotebookPanel:not(.lm-mod-hidden) .kmslab-playground"
    walk.open_notebook(page, jupyterlab, "ja/08-playground.ipynb")
    walk.run_cell_by_cell(page)
    assert walk.error_outputs(page) == []
    heads = f"{playground} .kmslab-table th"
    assert "ListGrants" not in page.locator(heads).all_inner_texts()
    box = page.locator(f"{playground} .kmslab-add-column input").first
    box.scroll_into_view_if_needed()
    # The label is an HTML widget beside the box, rendered on its own: wait for its words (fails after 30 s).
    page.wait_for_function("s => { const e = document.querySelector(s);"
                           " return !!e && e.closest('.widget-hbox').innerText.trim().startsWith('列を追加'); }",
                           arg=f"{playground} .kmslab-add-column", timeout=30_000)
    box.click()
    page.keyboard.type("ListGrants", delay=20)
    page.keyboard.press("Enter")
    page.wait_for_function("s => [...document.querySelectorAll(s)].some(t => t.innerText.includes('ListGrants'))",
                           arg=heads, timeout=30_000)
    tags = page.locator(f"{playground} .kmslab-columns .jupyter-widget-tag").all_inner_texts()
    assert [t.strip() for t in tags if t.strip()][-1] == "ListGrants"
    # empty for the next action: the widget clears the box after the column is added, in a round trip of its own
    page.wait_for_function("s => document.querySelector(s).value === ''",
                           arg=f"{playground} .kmslab-add-column input", timeout=30_000)
    assert walk.cut_labels(page, playground) == []
    assert tofu(page, playground) == []
    walk.shot(page, "ja-08-add-column")


@pytest.fixture(scope="module")
def lab_with_language_links(tmp_path_factory):
    """A JupyterLab with kmslab's language links (kmslab.locale.jupyter) enabled, as binder/postBuild enables them,
    and no language chosen yet (JupyterLab's default, English)."""
    import shutil

    walk._require_browser()
    tmp = tmp_path_factory.mktemp("language-links")
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks")
    token = "kmslab-language-links"
    # binder/jupyter_server_config.d/kmslab.json, which binder/postBuild installs, enables the extension
    binder = {"JUPYTER_CONFIG_PATH": str(ROOT / "binder")}
    with walk.jupyterlab_server(tmp, tmp / "notebooks", token, env=binder) as url:
        yield url, token, tmp / "settings"


def test_the_japanese_link_opens_jupyterlab_in_japanese(page, lab_with_language_links):
    """`urlpath=kmslab/ja/<folder>` (the ja Binder link): JupyterLab's menus in Japanese, at that folder;
    `kmslab/en/<folder>` puts English back. JupyterLab has no URL parameter for its language."""
    url, token, settings = lab_with_language_links
    english_menu = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").first
    page.goto(f"{url}/lab/tree/ja?token={token}")
    english_menu.wait_for(timeout=90_000)
    assert english_menu.inner_text() == "File"  # nothing chosen yet: JupyterLab's default
    page.goto(f"{url}/kmslab/ja/ja?token={token}")
    page.wait_for_url(f"{url}/lab/tree/ja*", timeout=30_000)
    english_menu.wait_for(timeout=90_000)
    assert english_menu.inner_text() == "ファイル"
    page.locator(".jp-DirListing-item", has_text="00-welcome").first.wait_for(timeout=30_000)  # at notebooks/ja
    written = json.loads((settings / "@jupyterlab/translation-extension/plugin.jupyterlab-settings").read_text())
    assert written == {"locale": "ja_JP"}
    walk.shot(page, "ja-link-jupyterlab-in-japanese")
    page.goto(f"{url}/kmslab/en/ja?token={token}")
    page.wait_for_url(f"{url}/lab/tree/ja*", timeout=30_000)
    english_menu.wait_for(timeout=90_000)
    assert english_menu.inner_text() == "File"
