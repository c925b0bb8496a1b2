"""The Japanese edition's words: complete catalogs, the language choice, and the lab rendered in Japanese.

Issue 16: every template of kmslab.engine.words and kmslab.widgets.words has a Japanese
translation with the same placeholders; the compiled catalog (.mo) is what is used; the language
comes from kmslab.set_language, KMSLAB_LANG, or a notebook under notebooks/ja/; AWS's own error
messages stay exactly as AWS returns them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import kmslab
from kmslab import i18n
from kmslab.engine import words
from kmslab.locale import catalogs

REPO = Path(__file__).resolve().parents[1]
JA_PO = catalogs.HERE / "ja" / "LC_MESSAGES" / "kmslab.po"
SEED = REPO / "kmslab" / "scenarios" / "seed-without-root.yaml"
USER2 = "arn:aws:iam::111122223333:user/kms-test-2"
KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana or katakana: the text is Japanese


@pytest.fixture(autouse=True)
def english_after():
    """Every test leaves kmslab speaking English, as the rest of the suite expects."""
    yield
    kmslab.set_language("en")


def _read_po(path: Path = JA_PO) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


# -- complete catalogs


def test_every_template_has_a_japanese_translation_with_its_placeholders():
    assert catalogs.problems(_read_po()) == []


def test_the_check_finds_a_missing_translation_and_a_lost_or_invented_placeholder():
    catalog = _read_po()
    everyone = words.REASONS["named-directly"]  # "... names {who} directly ({statement}) ..."
    catalog[everyone].string = "キーポリシーが直接指定しています（{statement}）"  # {who} dropped
    catalog[words.REASONS["keyless"]].string = "{action} {account}"  # {account} invented
    catalog[words.EXPLAIN["why"]].string = ""
    found = "\n".join(catalogs.problems(catalog))
    assert "'named-directly': placeholders" in found and "'keyless': placeholders" in found
    assert "'why': no translation" in found


def test_the_plural_s_may_be_left_out_but_nothing_else():
    assert catalogs.fields("{n} 個") == [("n", "", "")]
    catalog = _read_po()
    catalog[words.CLI["deciding"]].string = "決定: {gate!r}"  # a conversion changed
    assert any("'deciding': placeholders" in p for p in catalogs.problems(catalog))


def test_the_committed_template_and_catalog_list_every_template():
    wanted = {text for _, _, text in catalogs.templates()}
    with (catalogs.HERE / "kmslab.pot").open("rb") as f:
        pot = {m.id for m in read_po(f) if m.id}
    assert pot == wanted, "run: python -m kmslab.locale.catalogs update"
    assert wanted <= {m.id for m in _read_po() if m.id}


def test_engine_and_widget_templates_are_all_extracted():
    from kmslab.widgets import words as widget_words

    extracted = {(module, key) for module, key, _ in catalogs.templates()}
    assert {("kmslab.engine.words", k) for k, _ in words.every_template()} <= extracted
    assert {("kmslab.widgets.words", k) for k, _ in widget_words.every_template()} <= extracted


# -- the compiled catalog is what is used


def _locale_dir(tmp_path: Path, po_text: str, mo_text: str | None) -> Path:
    """A locale folder whose ja .po translates "Why:" as po_text and whose .mo (if any) as mo_text."""
    folder = tmp_path / "locale" / "ja" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = _read_po()
    po[words.EXPLAIN["why"]].string = po_text
    catalogs.write(folder / "kmslab.po", po)
    if mo_text is not None:
        po[words.EXPLAIN["why"]].string = mo_text
        with (folder / "kmslab.mo").open("wb") as f:
            write_mo(f, po)
    return tmp_path / "locale"


def test_the_compiled_mo_is_what_is_used(tmp_path):
    localedir = _locale_dir(tmp_path, "PO の訳:", "MO の訳:")
    kmslab.set_language("ja", localedir=localedir)
    assert words.explain_text("why") == "MO の訳:"
    assert i18n.catalog_source() == localedir / "ja" / "LC_MESSAGES" / "kmslab.mo"


def test_without_a_compiled_catalog_the_po_is_read(tmp_path):
    localedir = _locale_dir(tmp_path, "PO の訳:", None)
    kmslab.set_language("ja", localedir=localedir)
    assert words.explain_text("why") == "PO の訳:"
    assert i18n.catalog_source() == localedir / "ja" / "LC_MESSAGES" / "kmslab.po"


def test_the_installed_mo_is_the_committed_po_compiled():
    mo = i18n.catalog_file("ja")
    if mo is None:
        pytest.skip("catalogs not compiled here (make compiles them: python -m kmslab.locale.catalogs compile)")
    with mo.open("rb") as f:
        from babel.messages.mofile import read_mo

        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    source = {m.id: m.string for m in _read_po() if m.id and m.string and not m.fuzzy}
    assert compiled == source, "kmslab.mo is stale: run make (or python -m kmslab.locale.catalogs compile)"


# -- choosing the language


def test_english_is_the_default_and_costs_nothing():
    assert i18n.language() == "en" and i18n.catalog_source() is None
    assert words.explain_text("why") == "Why:"


def test_set_language_switches_every_sentence_and_back():
    assert kmslab.set_language("ja_JP.UTF-8") == "ja" and i18n.language() == "ja"
    assert words.explain_text("why") == "理由:"
    assert words.gate_name("key-policy") == "キーポリシーが呼び出し元を指定"
    kmslab.set_language("en")
    assert words.explain_text("why") == "Why:"
    with pytest.raises(ValueError, match="kmslab speaks en, ja"):
        kmslab.set_language("fr")


@pytest.mark.parametrize(("env", "cwd", "expected"), [
    ({}, "notebooks/ja", "ja"),
    ({}, "workspace/ja/backups", "ja"),
    ({}, "notebooks", "en"),
    ({}, "notebooks/java", "en"),
    ({"KMSLAB_LANG": "ja"}, "notebooks", "ja"),
    ({"KMSLAB_LANG": "en"}, "notebooks/ja", "en"),
    ({"KMSLAB_LANG": " "}, "somewhere", "en"),
])
def test_the_language_comes_from_kmslab_lang_or_the_notebooks_folder(tmp_path, env, cwd, expected):
    folder = tmp_path / cwd
    folder.mkdir(parents=True)
    assert i18n.language_for(env, folder) == expected


def _python(code: str, cwd: Path, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != i18n.ENV} | env
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environ, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_kernel_in_notebooks_ja_speaks_japanese_on_import(tmp_path):
    """A Jupyter kernel's working directory is its notebook's folder (JupyterLab, nbclient)."""
    (tmp_path / "notebooks" / "ja").mkdir(parents=True)
    code = ("import kmslab, kmslab.i18n as i; from kmslab.engine import words; "
            "print(i.language(), words.explain_text('why'))")
    assert _python(code, tmp_path / "notebooks" / "ja") == "ja 理由:"
    assert _python(code, tmp_path / "notebooks") == "en Why:"
    assert _python(code, tmp_path, KMSLAB_LANG="ja") == "ja 理由:"
    assert _python(code, tmp_path, KMSLAB_LANG="klingon") == "en Why:"  # never fails an import


# -- the lab in Japanese


@pytest.fixture
def seed_lab():
    from kmslab import course

    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


def test_a_reason_and_the_cli_lines_in_japanese(seed_lab):
    kmslab.set_language("ja")
    outcome = seed_lab.request("kms-test-2", "kms:Decrypt", "demo")
    assert outcome.reason.startswith("キーポリシーはこの IAM ユーザーを指定しておらず")
    assert "IAM ポリシー（AdministratorAccess）には効果がありません" in outcome.reason
    lines = words.cli_lines(outcome.explanation)
    assert lines[0] == "評価の経路:" and any("明示的な拒否" in line and "通過" in line for line in lines)
    assert "決定したゲート: キーポリシーが呼び出し元を指定" in lines
    # AWS's own message is AWS's, in English
    assert outcome.message.startswith(f"User: {USER2} is not authorized to perform: kms:Decrypt")


def test_an_access_table_and_the_words_line_in_japanese(seed_lab):
    from kmslab.widgets.experiment import KeyPolicyExperiment

    kmslab.set_language("ja")
    exp = KeyPolicyExperiment(seed_lab, "demo")
    assert exp.root_toggle.description == "ルートステートメント: オフ"
    exp.set_attached("kms-test-2", "AdministratorAccess", False)
    exp.set_attached("kms-test-2", "AdministratorAccess", True)
    reason = seed_lab.request("kms-test-2", "kms:Decrypt", "demo").reason
    assert f"変化したセルはありません。kms-test-2: {reason}" in exp.status_text and KANA.search(reason)
    exp.root_toggle.value = True
    text = exp.status_text
    assert text.startswith("✔ PutKeyPolicy demo（ルートステートメントを追加）: 成功。")
    assert re.search(r"\d+ 個のセルが反転: kms-test-2 のすべてのアクション（✘ → ✔）", text)
    table = kmslab.access_table(seed_lab.access_matrix()).to_html()
    assert "アカウントのすべてのアクセス許可を持っています" in table  # a cell's reason (its tooltip)
    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", table, flags=re.S))
    assert re.search(r"キー\s+demo\s+を使えるのは誰か", shown) and "✔ 許可" in shown and "✘ 拒否" in shown
    assert "プリンシパル ╲ アクション" in shown and "allowed" not in shown and "hover" not in shown


def test_an_explanation_in_japanese_keeps_awss_error_line(seed_lab):
    kmslab.set_language("ja")
    page = kmslab.explain_html(seed_lab.request("kms-test-2", "kms:Decrypt", "demo"))
    assert "理由:" in page and "暗黙的な拒否" in page and "評価フロー" in page
    assert "An error occurred (AccessDeniedException) when calling the Decrypt operation: " in page


def test_an_aws_refusal_in_a_widget_gets_a_japanese_meaning_beside_awss_words():
    from kmslab.widgets import words as widget_words

    kmslab.set_language("ja")
    line = widget_words.status_html("PutKeyPolicy k", False, error=(
        "MalformedPolicyDocumentException", "1 validation error detected: Value at 'policy' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1, must be a non-empty list"))
    assert "AWS の応答は MalformedPolicyDocumentException: 1 validation error detected" in line
    assert "少なくとも 1 つのステートメントが必要" in line


def test_the_cli_speaks_japanese_with_kmslab_lang(tmp_path):
    out = _python(
        "import sys; from kmslab.cli import main; sys.exit(main(['explain', sys.argv[1] if len(sys.argv) > 1 else "
        f"{str(SEED)!r}, '--principal', {USER2!r}, '--action', 'kms:Decrypt', '--key', 'demo']))",
        tmp_path, KMSLAB_LANG="ja")
    assert "評価の経路:" in out and "キーポリシーはこの IAM ユーザーを指定しておらず" in out
    assert "An error occurred (AccessDeniedException) when calling the Decrypt operation" in out
    english = _python(f"import kmslab.cli as c; c.main(['explain', {str(SEED)!r}, '--principal', {USER2!r}, "
                      "'--action', 'kms:Decrypt', '--key', 'demo'])", tmp_path)
    assert "path:" in english and not KANA.search(english)


def test_the_flow_picture_wraps_japanese_by_drawn_width_and_keeps_ascii_words_whole():
    """Japanese has no spaces to wrap at, and its characters are drawn about twice as wide as letters."""
    from kmslab.widgets.flow import _WRAP, _wrap

    text = "参照されない: アイデンティティベースのポリシー kms:Decrypt は許可するはず AdministratorAccess"
    lines = _wrap(text)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert "kms:Decrypt" in " ".join(lines).split() and all(len(line) <= _WRAP for line in lines)
    assert "Administrator" in "".join(lines) and max(map(len, lines)) <= _WRAP  # a too-long word is broken
    assert not any(line.startswith(("、", "。", "）")) for line in _wrap("キーポリシー、アカウント、ルートユーザー。"))
    assert _wrap("no key policy statement names the caller") == ["no key policy", "statement names", "the caller"]
