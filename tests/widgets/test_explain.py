"""One request explained, and key policies with the root statement marked."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

from kmslab.lab.outcome import Outcome
from kmslab.widgets import cli_error_line, explain_html, policy_html


def test_denied_explanation_shows_the_aws_cli_line_reason_and_flow(seed):
    outcome = seed.to_outcome(seed.decide(seed.USER2, "kms:Decrypt", with_root=False))
    page = explain_html(outcome)
    assert (
        "An error occurred (AccessDeniedException) when calling the Decrypt operation: "
        f"User: {seed.USER2} is not authorized to perform: kms:Decrypt on resource: "
    ) in page
    assert "✘ denied" in page and "kms-test-2 · kms:Decrypt · key demo" in page
    assert "its IAM policy (AdministratorAccess) has no effect" in page
    assert "implicit deny" in page
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    ET.fromstring(svg)
    assert "account-delegation" in page  # the gate list


def test_allowed_explanation_names_the_deciding_statements(seed):
    page = explain_html(seed.to_outcome(seed.decide(seed.USER2, "kms:Decrypt", with_root=True)))
    assert "✔ allowed" in page and "An error occurred" not in page
    assert "key policy: Sid &#x27;Enable IAM User Permissions&#x27;" in page
    assert "AdministratorAccess (statement 1, no Sid)" in page


def test_everything_is_escaped(seed):
    page = explain_html(seed.to_outcome(seed.variants()["explicit-deny"]))
    assert "<script" not in page and "DenyDecrypt&lt;script&gt;" in page
    hostile = Outcome("arn:aws:iam::111122223333:user/<img src=x onerror=alert(1)>", "kms:Decrypt", "<k>", "denied",
                      error="AccessDeniedException", message="User: <b>x</b>", reason="<i>why</i>")
    page = explain_html(hostile)
    assert "<img" not in page and "<b>x" not in page and "<i>why" not in page and "<k>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_other_errors_and_reencrypt():
    missing = Outcome("arn:aws:iam::111122223333:user/kms-test-1", "kms:ReEncryptFrom", "gone", "error",
                      error="NotFoundException", message="Key 'arn:...' does not exist")
    assert cli_error_line(missing) == ("An error occurred (NotFoundException) when calling the ReEncrypt "
                                       "operation: Key 'arn:...' does not exist")
    page = explain_html(missing)
    assert "⚠ NotFoundException" in page and "<svg" not in page and "before KMS checked permissions" in page


def _visible_json(markup: str) -> str:
    text = re.sub(r'<span class="kmslab-marker".*?</span>', "", markup, flags=re.S)
    text = re.sub(r'<span class="kmslab-line" style="display:block">', "", text)
    text = text.replace("</span>", "\n")
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def test_policy_html_highlights_the_root_statement(seed):
    doc = seed.key_policy(True)
    markup = policy_html(doc)
    blocks = re.findall(r'<span class="kmslab-stmt kmslab-highlight".*?(?=<span class="kmslab-stmt|</pre>)', markup,
                        re.S)
    assert len(blocks) == 1
    assert "Enable IAM User Permissions" in blocks[0] and "◀ root statement" in blocks[0]
    assert "Allow access for Key Administrators" not in blocks[0]
    assert 'data-sid="Enable IAM User Permissions"' in markup
    assert json.loads(_visible_json(markup)) == doc  # the JSON itself is intact


def test_policy_html_without_root_statement_highlights_nothing(seed):
    markup = policy_html(seed.key_policy(False))
    assert "kmslab-highlight" not in markup and "◀" not in markup


def test_policy_html_highlights_given_sids_and_principals_and_escapes(seed):
    doc = seed.key_policy(True, extra=(seed.DENY_DECRYPT,))
    by_sid = policy_html(doc, highlight_sids=["Allow access for Key Administrators"])
    assert by_sid.count("kmslab-stmt kmslab-highlight") == 1 and "◀ highlighted" in by_sid
    assert "◀ root statement" not in by_sid
    by_principal = policy_html(json.dumps(doc), highlight_principals=[seed.USER2])
    assert by_principal.count("kmslab-stmt kmslab-highlight") == 1
    assert "<script" not in by_principal and "DenyDecrypt&lt;script&gt;" in by_principal
    single = {"Version": "2012-10-17", "Statement": seed.ROOT_STATEMENT}
    assert "◀ root statement" in policy_html(single)
