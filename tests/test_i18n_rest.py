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
from kmslab.cli import _width
from kmslab.engine import words
from kmslab.engine.model import StatementRef

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
