"""Exercise feedback, hints and solutions in Japanese (issue 16, item 2).

Every sentence of kmslab.exercises and kmslab.course.lessonNN is a template rendered when it is
shown or checked, so an exercise made in English speaks Japanese after `kmslab.set_language("ja")`
and English again after `set_language("en")`. The catalogs cover them (tests/test_i18n.py checks
every template has a translation with its placeholders).
"""

from __future__ import annotations

import re

import pytest

import kmslab
from kmslab import course, exercises
from kmslab.engine import words
from kmslab.locale import catalogs

KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana or katakana: the text is Japanese


@pytest.fixture(autouse=True)
def english_after():
    yield
    kmslab.set_language("en")


@pytest.fixture
def seed_lab():
    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


def test_exercise_and_lesson_templates_are_extracted():
    extracted = {(module, key) for module, key, _ in catalogs.templates()}
    for key in exercises.T:
        assert ("kmslab.exercises", f"exercises.{key}") in extracted
    lessons = {key.split(".")[0] for module, key in extracted if module == "kmslab.course"}
    assert lessons == {"setup", "workspace", *course.LESSONS}


def test_a_prediction_renders_in_japanese_then_english_again(seed_lab):
    ex = course.exercise_root_prediction(seed_lab, "demo")  # made in English
    kmslab.set_language("ja")
    wrong, right = ex.check("allowed"), ex.check("denied")
    assert str(wrong).startswith("✘ まだ正解ではありません。") and "キーポリシー" in str(wrong)
    assert str(right).startswith("✔ 正解です！") and "ラボの結果も同じです" in str(right)
    assert "ルートユーザー" in str(ex) and "演習: " in ex._repr_html_()
    hint = ex.hint()
    assert hint.startswith("ヒント 1/2: ") and KANA.search(hint) and "💡" in hint._repr_html_()
    solution = ex.solution()
    assert "ルートステートメント" in solution and "解答:" in solution._repr_html_()
    assert str(ex.check(...)).startswith("✘ まだ正解ではありません。... を")

    kmslab.set_language("en")
    assert str(ex.check("denied")).startswith("✔ Correct! The lab agrees: ")
    assert ex.hint().startswith("Hint 2/2: arn:aws:iam::111122223333:root stands for the account")
    assert ex.solution().startswith("Allowed when the key policy has the root statement")
    assert str(ex).startswith("Exercise: Predict the root user\n")


def test_a_goal_check_says_what_is_missing_in_japanese_with_the_engine_reason(seed_lab):
    ex = course.exercise_name_in_key_policy(seed_lab, "demo")
    kmslab.set_language("ja")
    feedback = ex.check().feedback
    reason = seed_lab.request("kms-test-2", "kms:Decrypt", "demo").reason  # the engine's reason, also Japanese now
    assert feedback == f"kms-test-2 はまだ Decrypt できません: {reason}。" and KANA.search(reason)
    kmslab.set_language("en")
    assert ex.check().feedback.startswith("kms-test-2 cannot Decrypt yet: ")


def test_a_flips_check_counts_in_japanese(seed_lab):
    ex = course.exercise_detach_flips(seed_lab, "demo", policy="AdministratorAccess")
    kmslab.set_language("ja")
    result = ex.check([("kms-test-1", "Decrypt")])
    assert not result and "答えのセルのうち 1 個は反転しません" in result.feedback
    assert result.feedback.endswith("。")
    assert "デタッチ" in str(ex)


def test_a_selection_names_its_noun_in_japanese():
    check = exercises.selection(("arn", "id"), lambda: {"arn"}, noun=exercises.say(exercises.T["answers"]))
    kmslab.set_language("ja")
    assert check({"id"}).feedback == "2 個の答えのうち 2 個が、ラボの結果と違います。"
    assert check({"key arn"}).feedback.endswith("（key arn ではありません）。")
    kmslab.set_language("en")
    assert check({"id"}).feedback == "2 of the 2 answers differ from what the lab saw."


def test_a_translation_that_drops_a_placeholder_is_refused_by_the_catalog_check():
    catalog = catalogs.read(catalogs.HERE / "ja" / "LC_MESSAGES" / "kmslab.po")
    catalog[exercises.T["hint"]].string = "ヒント {i}: {text}"  # {n} dropped
    assert any("'exercises.hint': placeholders" in p for p in catalogs.problems(catalog))
    assert words.placeholders(exercises.T["hint"]) == {"i", "n", "text"}


def test_course_tables_name_their_columns_and_decisions_in_japanese():
    """The same notebook code shows Japanese heads and decisions under ja, English ones under en."""
    lab = course.start("lesson-06-cross-account")
    try:
        dev = "arn:aws:iam::444455556666:user/dev"
        kmslab.set_language("ja")
        worlds = course.cross_account_worlds(lab, "shared", dev)
        assert list(worlds.columns) == ["キーポリシーがアカウントを許可", "IAM ポリシーが許可", "判定",
                                        "AWS のメッセージ", "理由"]
        by_world = {(w[0], w[1]): w for w in worlds.itertuples(index=False)}
        assert by_world[(True, True)][2] == "許可" and by_world[(False, True)][2] == "拒否"
        assert "no resource-based policy allows" in by_world[(False, True)][3]  # AWS's words stay AWS's
        assert KANA.search(by_world[(False, True)][4])  # ... with kmslab's explanation beside them
        assert course.cross_account_2x2(lab, "shared", dev).loc["Yes", "Yes"] == "✔ 許可"  # the flow picture's Yes/No
        events = course.events(lab).to_html()
        assert "プリンシパル" in events and "結果" in events and "拒否" in events and ">outcome<" not in events

        kmslab.set_language("en")
        worlds = course.cross_account_worlds(lab, "shared", dev)
        assert list(worlds.columns)[:3] == ["key policy allows the account", "IAM policy allows", "decision"]
        assert set(worlds["decision"]) == {"allowed", "denied"}
        assert ">outcome<" in course.events(lab).to_html()
    finally:
        lab.stop()
