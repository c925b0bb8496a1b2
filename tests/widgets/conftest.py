"""Realistic Decisions and Outcomes for the widget tests, made by the engine itself.

The seed scenario of the course: a key policy that names kms-test-1 and manabusakai
directly, kms-test-2 with AdministratorAccess, the account's root user; with and
without the root statement ("Enable IAM User Permissions").
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kmslab.engine import Caller, Decision, Grant, Key, Policy, Request, authorize
from kmslab.lab.outcome import Outcome

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "ap-northeast-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
USER1 = f"arn:aws:iam::{ACCOUNT}:user/kms-test-1"
USER2 = f"arn:aws:iam::{ACCOUNT}:user/kms-test-2"
USER3 = f"arn:aws:iam::{ACCOUNT}:user/kms-test-3"
MANABU = f"arn:aws:iam::{ACCOUNT}:user/manabusakai"

ROOT_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT_ARN},
    "Action": "kms:*",
    "Resource": "*",
}
ADMINS_STATEMENT = {
    "Sid": "Allow access for Key Administrators",
    "Effect": "Allow",
    "Principal": {"AWS": [USER1, MANABU]},
    "Action": "kms:*",
    "Resource": "*",
}
ADMINISTRATOR_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey",
           "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateGrant"]


def key_policy(with_root: bool, extra: tuple[dict, ...] = ()) -> dict:
    statements = ([ROOT_STATEMENT] if with_root else []) + [ADMINS_STATEMENT, *extra]
    return {"Id": "key-consolepolicy-1", "Version": "2012-10-17", "Statement": statements}


def make_key(with_root: bool, *, extra: tuple[dict, ...] = (), grants: tuple[Grant, ...] = ()) -> Key:
    policy = Policy.parse(key_policy(with_root, extra), name="key policy", kind="resource")
    return Key(arn=KEY_ARN, key_id=KEY_ARN.rsplit("/", 1)[1], account=ACCOUNT, region=REGION,
               policy=policy, grants=grants, aliases=("alias/demo",))


def admin() -> Policy:
    return Policy.parse(ADMINISTRATOR_ACCESS, name="AdministratorAccess", kind="identity")


CALLERS = {
    USER1: Caller(USER1, ACCOUNT, "User", "AIDAKMSTEST1EXAMPLE1", username="kms-test-1"),
    USER2: Caller(USER2, ACCOUNT, "User", "AIDAKMSTEST2EXAMPLE2", username="kms-test-2",
                  identity_policies=(admin(),)),
    MANABU: Caller(MANABU, ACCOUNT, "User", "AIDAMANABUSAKAIEXMPL", username="manabusakai",
                   identity_policies=(admin(),)),
    ROOT_ARN: Caller(ROOT_ARN, ACCOUNT, "Account", ACCOUNT),
}


def to_outcome(decision: Decision, key: str | None = "demo") -> Outcome:
    """What the lab would record for this decision."""
    return Outcome(
        principal=decision.principal, action=decision.action, key=key,
        decision="allowed" if decision.allowed else "denied",
        error=decision.error, message=decision.message, reason=decision.reason,
        statements=tuple(r.label() for r in decision.statements), explanation=decision,
    )


def decide(principal: str, action: str, *, with_root: bool, key: Key | None = None) -> Decision:
    return authorize(Request(CALLERS[principal], action, key or make_key(with_root), region=REGION))


def seed_outcomes(with_root: bool, actions: list[str] = ACTIONS) -> list[Outcome]:
    """4 principals x 8 actions on the demo key."""
    key = make_key(with_root)
    return [to_outcome(decide(p, a, with_root=with_root, key=key)) for p in CALLERS for a in actions]


# ---------------------------------------------------------------- more paths through the flow

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/kmslab"
FOREIGN_ARN = f"arn:aws:iam::{OTHER_ACCOUNT}:user/partner"
DENY_DECRYPT = {"Sid": "DenyDecrypt<script>", "Effect": "Deny", "Principal": {"AWS": USER2},
                "Action": "kms:Decrypt", "Resource": "*"}


def session(boundary_allows: bool) -> Caller:
    boundary = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt" if boundary_allows else "kms:Encrypt", "Resource": "*"}]}
    return Caller(SESSION_ARN, ACCOUNT, "AssumedRole", "AROAAPPROLEEXAMPLE:kmslab", role_arn=ROLE_ARN,
                  identity_policies=(admin(),),
                  permissions_boundary=Policy.parse(boundary, name="KmsBoundary", kind="boundary"))


def variants() -> dict[str, Decision]:
    """One Decision per interesting path through the flow."""
    role_stmt = {"Sid": "AppRole", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "kms:*",
                 "Resource": "*"}
    foreign_stmt = {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                    "Action": "kms:Decrypt", "Resource": "*"}
    grant = Grant("abcd1234grant", USER2, frozenset({"Decrypt"}))
    foreign = Caller(FOREIGN_ARN, OTHER_ACCOUNT, "User", "AIDAPARTNEREXAMPLE12", username="partner",
                     identity_policies=(admin(),))
    scp_deny_all = Policy.parse({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, name="OnlyS3", kind="scp")
    return {
        "explicit-deny": authorize(Request(CALLERS[USER2], "kms:Decrypt", make_key(True, extra=(DENY_DECRYPT,)))),
        "scp": authorize(Request(CALLERS[USER2], "kms:Decrypt", make_key(True), scps=(scp_deny_all,))),
        "keyless-allowed": authorize(Request(CALLERS[USER2], "kms:ListKeys")),
        "keyless-denied": authorize(Request(CALLERS[USER1], "kms:ListKeys")),
        "role-allowed": authorize(Request(session(True), "kms:Decrypt", make_key(False, extra=(role_stmt,)))),
        "role-boundary-denied": authorize(Request(session(False), "kms:Decrypt",
                                                  make_key(False, extra=(role_stmt,)))),
        "cross-account": authorize(Request(foreign, "kms:Decrypt", make_key(False, extra=(foreign_stmt,)))),
        "grant": authorize(Request(CALLERS[USER2], "kms:Decrypt", make_key(False, grants=(grant,)))),
        "iam-denied": authorize(Request(Caller(USER3, ACCOUNT, "User", "AIDAKMSTEST3EXAMPLE3", username="kms-test-3"),
                                        "kms:Decrypt", make_key(True))),
    }


# ---------------------------------------------------------------- fixtures
# (pytest's importlib mode cannot import conftest from a test, so the builders travel as a fixture)


@pytest.fixture(scope="session")
def seed() -> SimpleNamespace:
    """The seed world: principal ARNs, builders (decide, make_key, to_outcome, variants, key_policy)."""
    return SimpleNamespace(
        ACCOUNT=ACCOUNT, OTHER_ACCOUNT=OTHER_ACCOUNT, ROOT_ARN=ROOT_ARN, USER1=USER1, USER2=USER2, USER3=USER3,
        MANABU=MANABU, SESSION_ARN=SESSION_ARN, ROOT_STATEMENT=ROOT_STATEMENT, ADMINS_STATEMENT=ADMINS_STATEMENT,
        DENY_DECRYPT=DENY_DECRYPT, decide=decide, make_key=make_key, key_policy=key_policy, to_outcome=to_outcome,
        seed_outcomes=seed_outcomes, variants=variants,
    )


@pytest.fixture(scope="session")
def without_root() -> list[Outcome]:
    return seed_outcomes(False)


@pytest.fixture(scope="session")
def with_root() -> list[Outcome]:
    return seed_outcomes(True)
