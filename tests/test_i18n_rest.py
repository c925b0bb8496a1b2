"""Issue 16, item 2: the last English a Japanese learner saw: the CLI's frame, the playground's controls,
the key policy's name in statement labels, the policy types in reasons, and the lab's AWS-error reasons.

AWS's own error lines ("AWS says: An error occurred (AccessDeniedException) ...") stay AWS's English.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kmslab
from kmslab import course
from kmslab.engine import words
from kmslab.engine.model import StatementRef
from kmslab.text_width import columns as _width

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "kmslab" / "scenarios" / "seed-without-root.yaml"
USER2 = "arn:aws:iam::111122223333:user/kms-test-2"
KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana or katakana: the text is Japanese


@pytest.fixture(autouse=True)
def english_after():
    """Every test leaves kmslab speaking English, as the rest of the suite expects."""
    yield
    kmslab.set_language("en")


def _kmslab_ja(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KMSLAB_LANG": "ja"}
    return subprocess.run([sys.executable, "-m", "kmslab", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_explain_in_japanese_frames_the_lines_but_keeps_aws_error_line_english():
    proc = _kmslab_ja("explain", str(SEED), "--principal", USER2, "--action", "kms:Decrypt", "--key", "demo")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "\n判定: " in out and "(AccessDeniedException)" in out
    assert "\n理由: " in out and "decision:" not in out and "\nwhy:" not in out
    assert "（キー demo）" in out and " on key " not in out
    assert "\nAWS says:" not in out
    aws = next(line for line in out.splitlines() if "An error occurred (AccessDeniedException)" in line)
    assert aws.startswith("AWS の応答: ")
    assert "User: arn:aws:iam::111122223333:user/kms-test-2 is not authorized to perform: kms:Decrypt" in aws


def test_run_and_check_in_japanese():
    run = _kmslab_ja("run", str(SEED))
    assert run.returncode == 0, run.stderr
    head = next(line for line in run.stdout.splitlines() if "プリンシパル" in line)
    assert "アクション" in head and "判定" in head and "理由" in head and "principal" not in head
    # every line of the table is as wide on a terminal as the head (a wide character takes two columns)
    table = run.stdout.split("\n\n")[0].splitlines()[1:]
    assert len(table) > 1 and {_width(line) for line in table} == {_width(head)}
    check = _kmslab_ja("check", str(SEED))
    assert check.returncode == 0, check.stderr
    assert re.search(r"^check: \d+ 件合格、0 件不合格$", check.stdout, re.M), check.stdout


def test_playground_controls_read_japanese(tmp_path, monkeypatch):
    from kmslab.widgets.playground import Playground

    monkeypatch.chdir(tmp_path)
    kmslab.set_language("ja")
    lab = course.start("seed-without-root")
    try:
        pg = Playground(lab)
        labels = [pg.save_button.description, pg.load_button.description, pg.reset_button.description,
                  pg.key_select.description, pg.explain_principal.description]
        assert all(KANA.search(label) for label in labels), labels
        assert pg.save("ja.yaml") is not None and "保存しました" in pg.file_status.value
        assert pg.save("ja.yaml") is None and "保存されませんでした" in pg.file_status.value
        assert {b.description for b in pg.confirm_box.children} == {"ja.yaml を置き換える", "そのままにする"}
        pg.key_select.value = "demo"
        editor = pg.key_editor
        assert editor is not None and editor.apply_button.description == "適用"
        assert editor.apply(editor.text.value) is True and editor.applied and "適用しました" in editor.status.value
        pg.close()
    finally:
        lab.stop()


def test_key_policy_label_and_policy_types_in_japanese():
    kmslab.set_language("ja")
    ref = StatementRef(policy="key policy", kind="resource", index=0, sid="Admins", effect="Allow")
    assert words.ref_label(ref) == "キーポリシー: Sid 'Admins'"
    assert words.policy_type("identity") == "アイデンティティベースのポリシー"
    kmslab.set_language("en")
    assert words.ref_label(ref) == "key policy: Sid 'Admins'"
    assert words.policy_type("identity") == "identity-based policy"


def test_lab_reason_for_an_aws_error_in_japanese():
    kmslab.set_language("ja")
    assert words.lab_text("aws-answered-message", code="NotFoundException", message="Key 'x' does not exist") \
        == "AWS の応答は NotFoundException: Key 'x' does not exist"


# -- the course's helper tables, the policy editor's explanations, the CLI's help (issue 16, the last English)


def test_course_helper_tables_and_lines_in_japanese():
    lab = course.start("lesson-07-grants")
    try:
        kmslab.set_language("ja")
        cast = course.cast(lab).data
        assert list(cast.columns) == ["プリンシパル", "種類", "アタッチされた IAM ポリシー",
                                      "キーポリシーで指定されているキー"]
        assert "ルートユーザー" in set(cast["種類"])
        grants = course.grants_frame(lab, "app-key")
        assert list(grants.columns) == ["付与 ID", "被付与者プリンシパル", "オペレーション", "制約", "廃止プリンシパル"]
        grid = course.context_grid(lab, "app-key", ["reports"], "kms:Decrypt", [None])
        assert grid.index.name == "Decrypt の暗号化コンテキスト"
        assert list(grid.index) == ["（暗号化コンテキストなし）"] and grid.iloc[0, 0] == "✘ 拒否"
        assert course.show_error(lambda: None) == "呼び出しは成功しました。"
        line = course.outcome_line(lab.request("app", "kms:Decrypt", "app-key"))
        assert line == "app · Decrypt · app-key: 拒否 (AccessDeniedException)"  # AWS's error code stays AWS's
        kmslab.set_language("en")
        assert list(course.cast(lab).data.columns)[2] == "attached IAM policies"
        assert course.outcome_line(lab.request("app", "kms:Decrypt", "app-key")).endswith(": denied "
                                                                                          "(AccessDeniedException)")
    finally:
        lab.stop()


def test_cross_account_2x2_in_japanese():
    lab = course.start("lesson-06-cross-account")
    try:
        kmslab.set_language("ja")
        table = course.cross_account_2x2(lab, "shared", "arn:aws:iam::444455556666:user/dev")
        assert table.index.name == "shared のキーポリシーがアカウント 444455556666 を許可？"
        assert table.columns.name == "dev の IAM ポリシーが kms:Encrypt を許可？"
        # Yes/No as the flow picture's edges say them (はい/いいえ do not fit between its boxes)
        assert table.loc["Yes", "Yes"] == "✔ 許可" and table.loc["No", "Yes"] == "✘ 拒否"
    finally:
        lab.stop()


def test_editor_keeps_aws_words_and_explains_beside_them_in_japanese():
    from kmslab.widgets.editor import PolicyEditor, policy_text_problem

    kmslab.set_language("ja")
    long = policy_text_problem("a" * 131073)
    assert long.message.endswith("Member must have length less than or equal to 131072")  # AWS's English
    assert long.explanation == "このテキストは 131,073 文字です。API が受け付けるポリシーは最大 131,072 文字です。"
    cyrillic = policy_text_problem('{"Sid": "\u0430lice"}')
    assert "Member must satisfy regular expression pattern" in cyrillic.message
    assert "1 行目 10 列目" in cyrillic.explanation and "U+0430" in cyrillic.explanation
    lab = course.start("seed-without-root")
    try:
        editor = PolicyEditor(lab, key="demo")
        assert editor.apply('{"Version": "2012-10-17", "Statement": [}') is False
        status = editor.status.value
        assert "MalformedPolicyDocumentException: The policy is not valid JSON: Expecting value at line 1" in status
        assert "1 行目 41 列目: 値が必要です" in status and "demo のキーポリシー" in status
        typo = json_policy_with_action("kms:Decryt")
        assert editor.apply(typo) is False
        said = "&#x27;kms:Decryt&#x27; は KMS のアクションではありません。kms:Decrypt のことですか？"
        assert said in editor.status.value
        kmslab.set_language("en")
        assert editor.apply(typo) is False and "Did you mean kms:Decrypt?" in editor.status.value
    finally:
        lab.stop()


def json_policy_with_action(action: str) -> str:
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": USER2}, "Action": action, "Resource": "*"}]})


def test_cli_help_and_argparse_words_in_japanese():
    top = _kmslab_ja("--help")
    assert top.returncode == 0 and top.stdout.startswith("使い方: kmslab ")
    assert "オプション:" in top.stdout and "このヘルプを表示して終了します" in top.stdout
    assert "シナリオファイルのリクエストを再生し" in top.stdout and "show this help" not in top.stdout
    sub = _kmslab_ja("explain", "--help")
    assert "位置引数:" in sub.stdout and "IAM アクション。例: kms:Decrypt" in sub.stdout
    restore = _kmslab_ja("restore", "--help")
    assert "コースの版" in restore.stdout
    missing = _kmslab_ja("explain")
    assert missing.returncode == 2 and "kmslab explain: エラー: 次の引数が必要です: file, --principal" in missing.stderr
    english = subprocess.run([sys.executable, "-m", "kmslab", "--help"], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "KMSLAB_LANG"}, cwd=REPO, timeout=120)
    assert english.stdout.startswith("usage: kmslab ") and "show this help message and exit" in english.stdout


def _usage_lines(text: str) -> list[str]:
    lines = text.splitlines()
    end = lines.index("")
    return lines[:end]


@pytest.mark.parametrize("lang, prefix", [("ja", "使い方: "), ("en", "usage: ")])
def test_usage_continuation_lines_stand_under_the_program_name(lang, prefix):
    """argparse indents by len("使い方: ") (5 characters); on a terminal it is 8 columns wide."""
    env = {**os.environ, "KMSLAB_LANG": lang, "COLUMNS": "60"}
    proc = subprocess.run([sys.executable, "-m", "kmslab", "explain", "--help"], capture_output=True, text=True,
                          env=env, timeout=120)
    usage = _usage_lines(proc.stdout)
    assert usage[0].startswith(prefix + "kmslab explain ") and len(usage) > 1, proc.stdout
    column = _width(prefix + "kmslab explain ")  # where the first argument starts on the first line
    for line in usage[1:]:
        assert _width(line) - _width(line.lstrip()) == column, usage
    assert all(_width(line) <= 60 for line in proc.stdout.splitlines()), proc.stdout


def test_japanese_help_text_wraps_by_terminal_columns():
    from kmslab.text_width import wrap as wrap_columns  # what the CLI's help formatter wraps with

    text = "キー。シナリオ内の名前で指定します（キーを取らないアクションでは省略）"
    lines = wrap_columns(text, 36)
    assert "".join(lines) == text and len(lines) == 2
    assert all(_width(line) <= 36 for line in lines) and lines[1].startswith("（")
    # an ASCII word stays whole; closing punctuation never begins a line
    assert wrap_columns("IAM アクション。例: kms:Decrypt", 20) == ["IAM アクション。例:", "kms:Decrypt"]
    assert not any(line.startswith(("。", "）")) for line in wrap_columns("あ" * 9 + "。" + "い" * 9 + "）", 20))


def test_argparse_words_are_kmslabs_only_while_the_cli_parses():
    import argparse

    from kmslab import cli

    before = argparse._  # type: ignore[attr-defined]
    kmslab.set_language("ja")
    with cli._argparse_words():
        assert argparse._("options") == "オプション"  # type: ignore[attr-defined]
        assert argparse._("not kmslab's") == "not kmslab's"  # type: ignore[attr-defined]
    assert argparse._ is before  # type: ignore[attr-defined]


def test_a_language_chosen_by_the_folder_reaches_the_processes_it_starts(tmp_path):
    folder = tmp_path / "notebooks" / "ja"
    folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "KMSLAB_LANG"}
    code = "import os, kmslab; print(kmslab.i18n.language(), os.environ.get('KMSLAB_LANG'))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=folder,
                          timeout=120)
    assert proc.stdout.split() == ["ja", "ja"], proc.stderr
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    assert proc.stdout.split() == ["en", "None"], proc.stderr


def test_explanation_sentence_and_context_experiment_in_japanese():
    import html

    from kmslab.widgets.context import NO_SERVICE, RequestContextExperiment, context_text
    from kmslab.widgets.explain import explain_html

    lab = course.start("lesson-05-conditions")
    try:
        kmslab.set_language("ja")
        outcome = lab.request("billing-app", "kms:Decrypt", "app-key")
        panel = explain_html(outcome)
        assert html.escape(outcome.reason) + "。" in panel and html.escape(outcome.reason) + "." not in panel
        exp = RequestContextExperiment(lab, "app-key")
        assert ("なし（直接呼び出し）", NO_SERVICE) in exp.service_select.options
        assert exp.key_fields[0].description == "コンテキストキー 1"
        assert exp.service_select.description == "経由するサービス"
        assert "プリンシパルとアクションを選んでください" in repr(exp.widget.children)
        assert context_text({"app": "billing"}, None) == \
            "暗号化コンテキスト {app: billing} · 直接呼び出し（kms:ViaService なし）"
        exp.close()
    finally:
        lab.stop()


def test_the_experiment_widgets_picker_reads_japanese():
    lab = course.start("seed-without-root")
    try:
        kmslab.set_language("ja")
        from kmslab.widgets.experiment import KeyPolicyExperiment

        experiment = KeyPolicyExperiment(lab, "demo")
        assert experiment.principal_select.description == "プリンシパル"
        assert experiment.action_select.description == "アクション"
        assert KANA.search(experiment.predict_toggle.tooltip)
        assert "プリンシパルとアクションを選んでください" in repr(experiment.widget.children)
        experiment.close()
    finally:
        lab.stop()


def test_the_japanese_binder_link_goes_through_the_language_extension(tmp_path):
    """JupyterLab has no URL parameter for its language: README.ja.md's Binder link opens kmslab/ja/<path>
    (kmslab.locale.jupyter), which binder/postBuild enables; the English link stays JupyterLab's default."""
    import json

    from kmslab.locale import jupyter

    badge = re.search(r"mybinder\.org/v2/gh/[^)]*urlpath=([^)&]*)", (REPO / "README.ja.md").read_text()).group(1)
    assert badge == "kmslab/ja/workspace/ja"
    config = json.loads((REPO / "binder" / "jupyter_server_config.d" / "kmslab.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"kmslab.locale.jupyter": True}}}
    assert "binder/jupyter_server_config.d/kmslab.json" in (REPO / "binder" / "postBuild").read_text()
    assert jupyter._jupyter_server_extension_points() == [{"module": "kmslab.locale.jupyter"}]
    # the setting is merged into what the learner already set there
    plugin = tmp_path / jupyter.PLUGIN
    plugin.parent.mkdir(parents=True)
    plugin.write_text('{"stringsPrefix": "!"}')
    assert jupyter.set_locale(tmp_path, "ja_JP") == plugin
    assert json.loads(plugin.read_text()) == {"stringsPrefix": "!", "locale": "ja_JP"}


def test_sentence_case_is_english_only():
    """English sentences start with a capital; a Japanese one that starts with a name keeps the name as written
    (the browser walk of ja/02 showed "Kms-test-2 から AdministratorAccess をデタッチ")."""
    from kmslab.widgets import words as widget_words

    detach = {"principal": "kms-test-2", "policy": "AdministratorAccess"}
    assert widget_words.first_upper(widget_words.say("stage_detach", **detach)) == \
        "Detach AdministratorAccess from kms-test-2"
    # a sentence that starts with a name keeps it (the playground's Why? said "Kms:ListAliases takes no key")
    assert widget_words.first_upper("kms:ListAliases takes no key") == "kms:ListAliases takes no key"
    assert widget_words.first_upper("kms-test-2 is denied") == "kms-test-2 is denied"
    assert widget_words.first_upper("cross-account: the key policy") == "Cross-account: the key policy"
    kmslab.set_language("ja")
    japanese = widget_words.first_upper(widget_words.say("stage_detach", **detach))
    assert japanese.startswith("kms-test-2 から") and KANA.search(japanese)
