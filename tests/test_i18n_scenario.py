"""The scenario loader's errors in Japanese (issue 16): the `kmslab: FILE:LINE: ...` line a workshop author reads.

Under `KMSLAB_LANG=ja` the sentence is Japanese; the file and line, the names and values the file wrote, the
did-you-mean suggestion, YAML field names and the words of others (PyYAML's syntax messages, AWS's names)
stay as they are. In English every message is exactly what it was (tests/test_scenario_*.py check them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import kmslab
from kmslab.scenario import ScenarioError, parse_scenario

KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana or katakana: the sentence is Japanese
HEAD = 'version: 1\nname: s\naccounts:\n  "111122223333":\n    users:\n      alice: {}\nkeys:\n  demo:\n'
ACCOUNT = '    account: "111122223333"\n'
REQUEST = "requests:\n  - {principal: arn:aws:iam::111122223333:user/alice, action: kms:Decrypt, key: demo"

# (file text, line, what the Japanese line keeps of the file, English words it must not hold)
CASES = [
    (HEAD + '    acount: "111122223333"\n', 9, ["'acount'", "'account'"], ["unknown field", "did you mean"]),
    (HEAD + ACCOUNT + REQUEST.replace("alice,", "alise,") + "}\n", 11, ["'alise'", "'alice'", "111122223333"],
     ["is not under", "did you mean"]),
    (HEAD.replace('"111122223333"', "111122223333") + ACCOUNT, 4, ['"111122223333"'], ["YAML number"]),
    (HEAD + ACCOUNT + "    state: Enabeld\n", 10, ["'Enabeld'", "'Enabled'", "PendingDeletion"],
     ["is not a key state", "did you mean"]),
    (HEAD + ACCOUNT + REQUEST.replace("key: demo", "key: dem0") + "}\n", 11, ["'dem0'", "'demo'"],
     ["is not a key of this file"]),
    (HEAD + ACCOUNT + REQUEST + ", expect: error, expect_error: AccessDeniedException}\n", 11,
     ["AccessDeniedException", "expect: denied"], ["is a denial", "instead"]),
    (HEAD + ACCOUNT + "    policy: '{\"Version\": \"2012-10-17\", '\n", 10, ["policy"],
     ["is a string but not valid JSON"]),
    (HEAD + ACCOUNT + "    enabled: 'no'\n", 10, ["enabled", "true", "false"], ["must be true or false"]),
    ("version: 2\nname: s\naccounts: {'111122223333': {}}\n", 1, ["version", "2"], ["must be 1, not"]),
    ("version: 1\nname: My_Scenario\naccounts: {'111122223333': {}}\n", 2, ["'My_Scenario'"],
     ["must use only lower-case"]),
    ("version: 1\nname: s\naccounts: {'111122223333': {}}\nname: t\n", 4, ["'name'"], ["duplicate key"]),
    ("", 1, ["`version: 1`"], ["the file is empty"]),
    (HEAD + ACCOUNT + REQUEST.replace("kms:Decrypt", "kms:Decryp") + "}\n", 11, ["'kms:Decryp'", "kms:Decrypt"],
     ["is not a KMS action", "Did you mean"]),
]


@pytest.fixture(autouse=True)
def english_after():
    yield
    kmslab.set_language("en")


def error_of(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="bad.yaml")
    return err.value


@pytest.mark.parametrize(("text", "line", "kept", "english"), CASES)
def test_loader_errors_in_japanese_keep_the_file_line_and_the_files_words(text, line, kept, english):
    in_english = error_of(text)
    kmslab.set_language("ja")
    in_japanese = error_of(text)
    assert in_japanese.line == in_english.line == line
    assert str(in_japanese).startswith(f"bad.yaml:{line}: ")
    assert KANA.search(in_japanese.message), in_japanese.message
    for word in kept:
        assert word in in_japanese.message, in_japanese.message
    for words in english:
        assert words in in_english.message and words not in in_japanese.message, in_japanese.message


def test_yaml_syntax_keeps_pyyamls_words_in_a_japanese_frame():
    text = "version: 1\nname: [a\n"
    english = error_of(text).message
    kmslab.set_language("ja")
    japanese = error_of(text).message
    problem = english.removeprefix("YAML syntax: ")
    assert problem != english and japanese == f"YAML の構文エラー: {problem}"


def test_the_cli_prints_the_japanese_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + '    acount: "111122223333"\n', encoding="utf-8")
    env = {**os.environ, "KMSLAB_LANG": "ja"}
    proc = subprocess.run([sys.executable, "-m", "kmslab", "check", str(bad)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (f"kmslab: {bad}:9: キー 'demo' に不明なフィールド 'acount' があります"
                           "（'account' の間違いではありませんか？）\n")
