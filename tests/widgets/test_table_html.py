"""access_table_html (the widgets' fast path) writes exactly the HTML pandas' Styler renders for access_table."""

from __future__ import annotations

from dataclasses import replace

import pytest

import kmslab
from kmslab.lab.outcome import Outcome
from kmslab.widgets.table import access_table, access_table_html

UUID = "kmslb"


def pandas_html(outcomes, **options) -> str:
    styler = access_table(outcomes, **options)
    styler.set_uuid(UUID)
    return styler.to_html()


def same(outcomes, **options) -> None:
    assert access_table_html(outcomes, uuid=UUID, **options) == pandas_html(outcomes, **options)


@pytest.fixture()
def english_after():
    yield
    kmslab.set_language("en")


def test_a_first_table_and_one_after_a_change(without_root, with_root):
    same(without_root)
    same(with_root, previous=without_root)
    same(without_root, previous=without_root)  # nothing flipped: the legend says so


def test_predicted_cells_and_their_marks(seed, without_root, with_root):
    user2, root = seed.USER2, seed.ROOT_ARN
    same(with_root, previous=without_root, predicted=[(user2, "kms:Decrypt"), (seed.USER1, "kms:Decrypt")])
    same(with_root, previous=without_root, predicted=[(root, "kms:Encrypt")])
    same(with_root, previous=without_root, predicted=[])


def test_missing_cells_errors_odd_labels_and_titles(without_root):
    cells = list(without_root)
    cells[3] = replace(cells[3], decision="error", error="DisabledException", reason="", message=None)
    cells[4] = replace(cells[4], reason='a "quoted" <reason> & more')
    del cells[5]  # a cell never requested
    labels = {o.principal: f"<{o.principal.rsplit('/', 1)[-1]} & 'co'>" for o in cells}
    same(cells, principal_labels=labels, title="Odd <title> & more")
    keyless = [Outcome(principal=o.principal, action="kms:ListKeys", key=None, decision="allowed")
               for o in cells[:8:4]]
    same(cells + keyless)  # a key-less column beside the key's


def test_several_keys_render_through_pandas(seed, without_root):
    other = [replace(o, key="other") for o in without_root]
    same(without_root + other)
    assert "kmslab-k-other" in access_table_html(without_root + other)


def test_in_japanese(without_root, with_root, english_after):
    kmslab.set_language("ja")
    same(with_root, previous=without_root, predicted=[])


def test_every_drawing_is_a_new_table_as_with_pandas(without_root):
    first, second = access_table_html(without_root), access_table_html(without_root)
    assert first != second and first.replace(first.split('id="T_')[1][:5], "x") == \
        second.replace(second.split('id="T_')[1][:5], "x")
