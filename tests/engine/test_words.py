"""Words apart from logic: every template complete, every reason rendered, a catalog can hook in."""

from __future__ import annotations

import pytest

from kmslab.engine import GateName, Grant, Request, authorize, words


def every_kind_of_decision(w):
    """Decisions that use every reason phrase the engine has."""
    bob = w.user("bob")
    admin = w.user("admin", policies=(w.admin(),))
    plain = w.user("plain")
    root_key = w.key(w.ROOT_STATEMENT)
    named = w.key(w.stmt(bob.arn, "kms:Decrypt"))
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), kind="boundary")
    session_policy = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), kind="session")
    role_key = w.key({**w.stmt("arn:aws:iam::111122223333:role/app"), "Sid": "App"})
    other_key = w.key(w.stmt(f"arn:aws:iam::{w.OTHER}:root"), w.stmt("arn:aws:iam::444455556666:user/ext"),
                      arn=w.KEY_ARN)
    ext = w.user("ext", account=w.OTHER, policies=(w.admin(),))
    ext_plain = w.user("ext", account=w.OTHER)
    grant_key = w.key(w.stmt("arn:aws:iam::111122223333:user/x"), grants=(
        Grant("g-direct", bob.arn, frozenset({"Decrypt"})),
        Grant("g-account", f"arn:aws:iam::{w.ACCOUNT}:root", frozenset({"Encrypt"}), retiring_principal=bob.arn)))
    only_s3 = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), kind="scp")
    foreign = w.key(w.stmt("*"), arn=w.KEY_ARN.replace(w.ACCOUNT, w.OTHER))
    ask = w.ask
    return [
        ask(admin, key=w.key(w.ROOT_STATEMENT, w.stmt("*", effect="Deny"))),
        ask(admin, key=root_key, scps=(only_s3,)),
        ask(w.user(), "kms:PutKeyPolicy", foreign),
        ask(bob, key=named), ask(w.root(), key=root_key), ask(admin, key=root_key),
        ask(plain, key=root_key), ask(w.user(policies=(w.admin(),), boundary=boundary), key=root_key),
        ask(w.session(policies=(w.admin(),), session_policies=(session_policy,)), key=root_key),
        ask(w.session(boundary=boundary), key=role_key), ask(w.session(), key=role_key),
        ask(w.session(session_policies=(session_policy,)), key=role_key),
        ask(ext, key=other_key), ask(ext_plain, key=other_key), ask(w.root(w.OTHER), key=other_key),
        ask(w.user("carol"), key=named), ask(admin, key=named), ask(w.root(), key=named),
        ask(w.user("ext2", account=w.OTHER), key=named),
        ask(bob, key=grant_key), ask(admin, "kms:Encrypt", grant_key), ask(plain, "kms:Encrypt", grant_key),
        authorize(Request(bob, "kms:RetireGrant", grant_key, grant_id="g-account")),
        authorize(Request(w.root(), "kms:RetireGrant", grant_key, grant_id="g-account")),
        authorize(Request(admin, "kms:RetireGrant", grant_key, grant_id="g-account")),
        authorize(Request(plain, "kms:RetireGrant", grant_key, grant_id="g-account")),
        authorize(Request(bob, "kms:RetireGrant", w.key(w.ROOT_STATEMENT, grants=(
            Grant("g-self", bob.arn, frozenset({"RetireGrant"})),)), grant_id="g-self")),
        ask(admin, key=w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:root", "kms:Encrypt"))),
        ask(admin, "kms:ListKeys"), ask(w.root(), "kms:ListKeys"), ask(plain, "kms:ListKeys"),
        ask(admin, key=w.key(w.ROOT_STATEMENT, state="Disabled")),
        ask(admin, key=w.key(w.ROOT_STATEMENT, state="PendingDeletion")),
        ask(admin, key=w.key(w.ROOT_STATEMENT, state="PendingImport", origin="EXTERNAL")),
        ask(admin, "kms:EnableKeyRotation", key=w.key(w.ROOT_STATEMENT, origin="EXTERNAL")),
        ask(admin, "kms:Sign", key=w.key(w.ROOT_STATEMENT)),
        # An alias: IAM policies alone decide (alias-access.html).
        authorize(Request(admin, "kms:CreateAlias", resource=f"arn:aws:kms:us-east-1:{w.ACCOUNT}:alias/x")),
    ]


def test_every_reason_template_is_used_and_every_placeholder_filled(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    used = set()
    for d in every_kind_of_decision(w):
        for phrase_id, args in d.why:
            used.add(phrase_id)
            needed = words.placeholders(words.REASONS[phrase_id])
            assert needed <= set(words.values(args)), (phrase_id, needed, args)
        assert d.reason and "{" not in d.reason
        for gate in d.gates:
            assert gate.detail and "{" not in gate.detail, gate
        assert all("{" not in line for line in words.cli_lines(d))
    assert used == set(words.REASONS), set(words.REASONS) - used  # no template left untested


def test_every_template_renders_with_its_placeholders():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"""
    for key, template in words.every_template():
        filled = template.format_map({name: "x" for name in words.placeholders(template)})
        assert "{" not in filled, key


def test_statements_are_named_by_sid_or_by_number_from_one(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"""
    d = w.ask(w.user(policies=(w.admin(),)), key=w.key(w.ROOT_STATEMENT))
    assert [r.label() for r in d.statements] == [
        "key policy: Sid 'Enable IAM User Permissions'", "AdministratorAccess (statement 1, no Sid)"]


def test_a_catalog_changes_the_words_and_not_the_decision(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"""
    template = words.REASONS["named-directly"]
    bob = w.user("bob")
    key = w.key(w.stmt(bob.arn, "kms:Decrypt"))
    english = w.ask(bob, key=key)
    try:
        words.use_catalog({template: "KEY POLICY NAMES {who} ({statement})"})
        translated = w.ask(bob, key=key)
        assert translated.reason == "KEY POLICY NAMES this IAM user (key policy (statement 1, no Sid))"
        assert translated.allowed == english.allowed and translated.deciding == GateName.KEY_POLICY
        assert translated.message == english.message  # AWS's wording is never translated
        with pytest.raises(ValueError, match="unknown placeholders"):
            words.use_catalog({template: "{nobody}"})
    finally:
        words.use_catalog(None)
    assert w.ask(bob, key=key).reason == english.reason
