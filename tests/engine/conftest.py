"""Builders for the engine tests: callers, keys, policies and requests, made by hand.

The tests construct the engine's plain objects directly (no moto), so each one reads
as the AWS situation it checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from kmslab.engine import Caller, Decision, Grant, Key, Policy, Request, authorize

ACCOUNT = "111122223333"
OTHER = "444455556666"
REGION = "us-east-1"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OTHER_KEY_ARN = f"arn:aws:kms:{REGION}:{OTHER}:key/0987dcba-09fe-87dc-65ba-ab0987654321"
ROOT_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class World:
    """Small constructors for the engine's objects."""

    ACCOUNT = ACCOUNT
    OTHER = OTHER
    KEY_ARN = KEY_ARN
    ROOT_STATEMENT = ROOT_STATEMENT
    ALLOW_ALL = ALLOW_ALL

    @staticmethod
    def doc(*statements: Mapping[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
        out: dict[str, Any] = {"Statement": list(statements)}
        if version is not None:
            out["Version"] = version
        return out

    @staticmethod
    def policy(document: Any, name: str = "policy", kind: str = "identity") -> Policy:
        return Policy.parse(document, name=name, kind=kind)  # type: ignore[arg-type]

    @classmethod
    def identity(cls, *statements: Mapping[str, Any], name: str = "inline") -> Policy:
        return cls.policy(cls.doc(*statements), name=name, kind="identity")

    @classmethod
    def allow(cls, action: Any = "kms:*", resource: Any = "*", name: str = "inline", **extra: Any) -> Policy:
        return cls.identity({"Effect": "Allow", "Action": action, "Resource": resource, **extra}, name=name)

    @classmethod
    def deny(cls, action: Any = "kms:*", resource: Any = "*", name: str = "deny", **extra: Any) -> Policy:
        return cls.identity({"Effect": "Deny", "Action": action, "Resource": resource, **extra}, name=name)

    @classmethod
    def admin(cls) -> Policy:
        return cls.policy(ALLOW_ALL, name="AdministratorAccess")

    @staticmethod
    def user(name: str = "alice", account: str = ACCOUNT, *, policies: tuple[Policy, ...] = (),
             boundary: Policy | None = None, tags: Mapping[str, str] | None = None,
             mfa: bool | None = None, user_id: str | None = None) -> Caller:
        return Caller(
            arn=f"arn:aws:iam::{account}:user/{name}", account=account, principal_type="User",
            user_id=user_id or f"AIDA{name.upper():0<17}"[:21], username=name, identity_policies=policies,
            permissions_boundary=boundary, tags=dict(tags or {}), mfa=mfa,
        )

    @staticmethod
    def session(role: str = "app", account: str = ACCOUNT, session: str = "kmslab", *,
                policies: tuple[Policy, ...] = (), boundary: Policy | None = None,
                session_policies: tuple[Policy, ...] = (), tags: Mapping[str, str] | None = None,
                mfa: bool | None = False, role_id: str = "AROAEXAMPLEROLEID0001") -> Caller:
        return Caller(
            arn=f"arn:aws:sts::{account}:assumed-role/{role}/{session}", account=account,
            principal_type="AssumedRole", user_id=f"{role_id}:{session}",
            role_arn=f"arn:aws:iam::{account}:role/{role}", identity_policies=policies,
            permissions_boundary=boundary, session_policies=session_policies, tags=dict(tags or {}), mfa=mfa,
        )

    @staticmethod
    def root(account: str = ACCOUNT) -> Caller:
        return Caller(arn=f"arn:aws:iam::{account}:root", account=account, principal_type="Account",
                      user_id=account)

    @classmethod
    def key(cls, *statements: Mapping[str, Any], arn: str = KEY_ARN, grants: tuple[Grant, ...] = (),
            document: Any = None, **extra: Any) -> Key:
        account = arn.split(":")[4]
        policy = cls.policy(document if document is not None else cls.doc(*statements),
                            name="key policy", kind="resource")
        return Key(arn=arn, key_id=arn.rsplit("/", 1)[1], account=account, region=arn.split(":")[3],
                   policy=policy, grants=grants, **extra)

    @staticmethod
    def stmt(principal: Any, action: Any = "kms:*", effect: str = "Allow", **extra: Any) -> dict[str, Any]:
        if isinstance(principal, (str, list)) and principal != "*":
            principal = {"AWS": principal}
        return {"Effect": effect, "Principal": principal, "Action": action, "Resource": "*", **extra}

    @staticmethod
    def ask(caller: Caller, action: str = "kms:Decrypt", key: Key | None = None, **kwargs: Any) -> Decision:
        return authorize(Request(caller=caller, action=action, key=key, **kwargs))


@pytest.fixture
def w() -> type[World]:
    return World
