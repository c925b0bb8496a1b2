"""The key policy decides whether IAM policies count, and whom it allows directly.

KMS: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
"Unless the key policy explicitly allows it, you cannot use IAM policies to allow
access to a KMS key. Without permission from the key policy, IAM policies that allow
permissions have no effect."
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from kmslab.engine import Caller, Key, Policy, Request, authorize

KEY_POLICIES = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html"
DEFAULT = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
OVERVIEW = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"
PRINCIPAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
EVAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
# The seed scenarios ship inside the package (a copy of ../shared/scenarios' files): read them from there,
# wherever the checkout or the installed package lives.
SCENARIOS = resources.files("kmslab") / "scenarios"


@pytest.mark.parametrize("account_principal", ["arn:aws:iam::111122223333:root", "111122223333"])
def test_account_principal_delegates_to_iam(w, account_principal):
    """Both forms of the account principal delegate to IAM policies.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    "The account ARN and the shortened account ID behave the same way. Both delegate
    permissions to the account."
    """
    key = w.key(w.stmt(account_principal))
    with_iam = w.ask(w.user(policies=(w.allow("kms:Decrypt"),)), key=key)
    without_iam = w.ask(w.user(), key=key)
    assert with_iam.allowed
    assert [g.outcome for g in with_iam.gates if g.name == "account-delegation"] == ["allow"]
    assert not without_iam.allowed
    assert without_iam.message.endswith("because no identity-based policy allows the kms:Decrypt action")


def test_account_principal_allows_only_what_iam_allows(w):
    """Delegated access is the intersection: key policy actions AND the IAM policy's.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    "it allows the account to use IAM policies to delegate the permissions specified in
    the policy statement."
    """
    key = w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:root", ["kms:Decrypt", "kms:Encrypt"]))
    caller = w.user(policies=(w.allow(["kms:Decrypt", "kms:ScheduleKeyDeletion"]),))
    assert w.ask(caller, "kms:Decrypt", key).allowed
    assert not w.ask(caller, "kms:Encrypt", key).allowed  # key policy yes, IAM no
    assert not w.ask(caller, "kms:ScheduleKeyDeletion", key).allowed  # IAM yes, key policy no


@pytest.mark.parametrize("form", ["user-arn", "star", "star-object", "unique-id"])
def test_key_policy_naming_the_user_needs_no_iam_policy(w, form):
    """A statement naming the caller allows with no IAM policy in the same account.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "For most resources, you only need an explicit allow for the principal in either an
    identity-based policy or a resource-based policy to grant access."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
    "For IAM users and role principals within your account, no other permissions are required."
    """
    caller = w.user("bob", user_id="AIDAEXAMPLEBOB0000001")
    principal: Any = {
        "user-arn": caller.arn, "star": "*", "star-object": {"AWS": "*"}, "unique-id": "AIDAEXAMPLEBOB0000001",
    }[form]
    decision = w.ask(caller, key=w.key(w.stmt(principal, "kms:Decrypt")))
    assert decision.allowed, decision.reason
    assert [g.outcome for g in decision.gates if g.name == "key-policy"] == ["allow"]


@pytest.mark.parametrize("named", ["role", "session"])
def test_key_policy_naming_role_or_session_allows_the_session(w, named):
    """A role ARN covers the role's sessions; a session ARN covers that session.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-role-session
    """
    caller = w.session("app")
    principal = caller.role_arn if named == "role" else caller.arn
    assert w.ask(caller, key=w.key(w.stmt(principal))).allowed
    other_session = w.session("app", session="other")
    assert w.ask(other_session, key=w.key(w.stmt(principal))).allowed is (named == "role")


def test_principal_naming_someone_else_does_not_allow(w):
    """A statement for another principal does not apply to the caller.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    "When you specify more than one principal in an element, you grant permissions to
    each principal."
    """
    key = w.key(w.stmt([f"arn:aws:iam::{w.ACCOUNT}:user/carol", f"arn:aws:iam::{w.ACCOUNT}:role/ops"]))
    decision = w.ask(w.user("bob"), key=key)
    assert not decision.allowed
    assert decision.message.endswith("because no resource-based policy allows the kms:Decrypt action")


def test_without_account_statement_iam_allow_has_no_effect(w):
    """AdministratorAccess is useless when the key policy neither names the user nor the account.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    "Without permission from the key policy, IAM policies that allow permissions have no effect."
    """
    key = w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/kms-test-1"))
    decision = w.ask(w.user("kms-test-2", policies=(w.admin(),)), key=key)
    assert not decision.allowed
    assert decision.message == (
        f"User: arn:aws:iam::{w.ACCOUNT}:user/kms-test-2 is not authorized to perform: kms:Decrypt "
        f"on resource: {w.KEY_ARN} because no resource-based policy allows the kms:Decrypt action"
    )
    assert "has no effect" in decision.reason


def test_root_user_denied_without_account_statement(w):
    """Even the root user needs the key policy.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    "No AWS principal, including the account root user or key creator, has any
    permissions to a KMS key unless they are explicitly allowed, and never denied, in a
    key policy, IAM policy, or grant."
    """
    key = w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/kms-test-1"))
    decision = w.ask(w.root(), key=key)
    assert not decision.allowed
    assert "root user is denied" in decision.reason
    assert decision.message.startswith(f"User: arn:aws:iam::{w.ACCOUNT}:root is not authorized")


def test_root_user_allowed_by_account_statement_without_iam_policy(w):
    """The account principal "represents the account and its administrators, including the
    account root user".

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
    """
    for action in ("kms:Decrypt", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"):
        assert w.ask(w.root(), action, w.key(w.ROOT_STATEMENT)).allowed


def test_iam_deny_works_without_key_policy_permission(w):
    """An IAM Deny counts even though an IAM Allow would not.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    "(You can use an IAM policy to deny a permission to a KMS key without permission
    from a key policy.)"
    """
    caller = w.user("kms-test-1", policies=(w.deny("kms:Decrypt"),))
    key = w.key(w.stmt(caller.arn))
    decision = w.ask(caller, key=key)
    assert not decision.allowed
    assert decision.message.endswith("with an explicit deny in an identity-based policy")


def test_console_default_policy_key_users_and_admins(w):
    """The console's default statements: administrators manage, users use.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    """
    admins = {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{w.ACCOUNT}:user/admin"},
              "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                         "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                         "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
              "Resource": "*"}
    users = {"Sid": "Allow use of the key", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{w.ACCOUNT}:user/app"},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
             "Resource": "*"}
    key = w.key(admins, users)
    admin, app = w.user("admin"), w.user("app")
    assert w.ask(admin, "kms:PutKeyPolicy", key).allowed
    assert not w.ask(admin, "kms:Decrypt", key).allowed
    assert w.ask(app, "kms:ReEncryptTo", key).allowed
    assert w.ask(app, "kms:GenerateDataKeyWithoutPlaintext", key).allowed
    assert not w.ask(app, "kms:ScheduleKeyDeletion", key).allowed
    decision = w.ask(app, "kms:Decrypt", key)
    assert decision.statements[0].sid == "Allow use of the key"


# ---------------------------------------------------------------- the seed article's scenarios


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))


def _world(scenario: dict[str, Any]) -> tuple[dict[str, Caller], Key]:
    """Callers and the key of a scenario file, built by hand (managed policies by name)."""
    managed = {"AdministratorAccess": Policy.parse(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        name="AdministratorAccess", kind="identity")}
    callers: dict[str, Caller] = {}
    for account, spec in scenario["accounts"].items():
        callers[f"arn:aws:iam::{account}:root"] = Caller(
            arn=f"arn:aws:iam::{account}:root", account=account, principal_type="Account", user_id=account)
        for name, user in (spec.get("users") or {}).items():
            policies = tuple(managed[p] for p in (user or {}).get("managed_policies", []))
            arn = f"arn:aws:iam::{account}:user/{name}"
            callers[arn] = Caller(arn=arn, account=account, principal_type="User",
                                  user_id=f"AIDA{len(callers):017d}", username=name,
                                  identity_policies=policies)
    spec = scenario["keys"]["demo"]
    region = scenario.get("region", "us-east-1")
    arn = f"arn:aws:kms:{region}:{spec['account']}:key/{'1' * 8}-2222-3333-4444-{'5' * 12}"
    key = Key(arn=arn, key_id=arn.rsplit("/", 1)[1], account=spec["account"], region=region,
              policy=Policy.parse(spec["policy"], name="key policy", kind="resource"))
    return callers, key


@pytest.mark.parametrize("name", ["seed-without-root", "seed-with-root"])
def test_seed_article_scenarios(name):
    """The article's experiment: with and without the account (root) statement.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
    "Without this permission, IAM policies that allow access to the key are ineffective,
    although IAM policies that deny access to the key are still effective."
    """
    scenario = _load(name)
    callers, key = _world(scenario)
    for req in scenario["requests"]:
        decision = authorize(Request(caller=callers[req["principal"]], action=req["action"], key=key,
                                     region=scenario.get("region", "us-east-1")))
        assert decision.label == req["expect"], (req, decision.reason)


def test_seed_without_root_admin_message(w):
    """kms-test-2 (AdministratorAccess) gets AWS's resource-based-policy message.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    callers, key = _world(_load("seed-without-root"))
    arn = "arn:aws:iam::111122223333:user/kms-test-2"
    decision = authorize(Request(caller=callers[arn], action="kms:Decrypt", key=key))
    assert decision.message == (
        f"User: {arn} is not authorized to perform: kms:Decrypt on resource: {key.arn} "
        "because no resource-based policy allows the kms:Decrypt action"
    )
