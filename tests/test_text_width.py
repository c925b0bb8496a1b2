"""kmslab.text_width: the one wrapper the CLI's help and the flow picture share (issue 12 follow-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kmslab.text_width import char_width, columns, text_width, wrap


def test_a_wide_character_takes_two_terminal_columns_or_what_the_caller_says():
    assert columns("kms:Decrypt") == 11
    assert columns("キーポリシー") == 12
    assert columns("IAM ポリシー") == 4 + 8
    assert char_width("あ", wide=1.75) == 1.75 and char_width("a", wide=1.75) == 1
    assert text_width("あa", wide=1.75) == 2.75
    assert columns("✔") == 1  # a symbol that is not East Asian wide stays one column


@pytest.mark.parametrize("wide", [2, 1.75])
def test_japanese_wraps_between_characters_within_the_width(wide: float):
    text = "キーポリシーがアカウントを許可しない限り、IAM ポリシーではキーへのアクセスを許可できません。"
    lines = wrap(text, 20, wide=wide)
    assert len(lines) > 2
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # within the width, but for a closing mark allowed to hang past the end (it may not begin a line)
    assert all(text_width(line.rstrip("、。"), wide) <= 20 for line in lines), lines
    assert "IAM" in " ".join(lines).split()  # an ASCII word is never cut when it fits a line


def test_closing_punctuation_never_begins_a_line_and_an_opening_bracket_never_ends_one():
    text = "あ" * 9 + "。" + "い" * 9 + "）"
    assert not any(line.startswith(("。", "）")) for line in wrap(text, 20))
    # the bracket that would end the first line moves down with what it opens
    lines = wrap("キー。シナリオ内の名前で指定します（キーを取らないアクションでは省略）", 36)
    assert lines == ["キー。シナリオ内の名前で指定します", "（キーを取らないアクションでは省略）"]


def test_an_ascii_word_wider_than_a_line_is_cut_and_others_stay_whole():
    arn = "arn:aws:iam::111122223333:user/kms-test-2"
    lines = wrap(f"呼び出し元 {arn} を許可", 15)
    assert all(text_width(line) <= 15 for line in lines), lines
    assert "".join(lines).replace(" ", "") == f"呼び出し元{arn}を許可"
    assert sum(1 for line in lines if line.isascii()) >= 2  # the ARN took more than one line
    assert wrap("IAM アクション。例: kms:Decrypt", 20) == ["IAM アクション。例:", "kms:Decrypt"]


def test_english_wraps_at_spaces_like_textwrap():
    assert wrap("no key policy statement names the caller", 15) == ["no key policy", "statement names", "the caller"]
    assert wrap("   ", 10) == [] and wrap("", 10) == []


def test_the_module_imports_neither_pandas_nor_ipywidgets():
    """The CLI imports it; its start-up must stay fast (issue 12, item 9)."""
    code = "import sys, kmslab.text_width; print(sorted({'pandas', 'ipywidgets'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
