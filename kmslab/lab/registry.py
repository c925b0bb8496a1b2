"""Who holds which credentials in the lab, and how moto's state becomes the engine's view.

moto knows users, roles, policies and keys; it does not know the root user's
credentials, MFA sessions, session tags, user permissions boundaries or SCPs. The
registry keeps those, and turns moto's live state into engine objects on every
request, so a changed policy is seen by the very next call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..engine import Caller, Grant, Key, Policy

PARTITION = "aws"


@dataclass
class CredentialRecord:
    """What an access key id stands for."""

    arn: str  # the principal ARN AWS reports (user, root, or assumed-role session)
    account: str
    kind: str  # "user" | "root" | "session" | "admin"
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    user_name: str | None = None
    role_name: str | None = None
    mfa: bool | None = None
    session_policy: str | None = None
    session_tags: dict[str, str] = field(default_factory=dict)

    def boto3_credentials(self) -> dict[str, str]:
        creds = {"aws_access_key_id": self.access_key_id, "aws_secret_access_key": self.secret_access_key}
        if self.session_token:
            creds["aws_session_token"] = self.session_token
        return creds


@dataclass
class Registry:
    """The lab state moto does not keep."""

    region: str
    credentials: dict[str, CredentialRecord] = field(default_factory=dict)
    user_boundaries: dict[str, str] = field(default_factory=dict)  # user ARN -> policy ARN
    scps: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # account -> {name: doc}
    accounts: list[str] = field(default_factory=list)
    on_add: Any = None  # called with each access key id handed out

    def add(self, record: CredentialRecord) -> CredentialRecord:
        self.credentials[record.access_key_id] = record
        if self.on_add is not None:
            self.on_add(record.access_key_id)
        return record

    def resolve(self, access_key_id: str) -> CredentialRecord | None:
        """The principal behind an access key: the lab's records first, then moto's IAM/STS."""
        record = self.credentials.get(access_key_id)
        if record is not None:
            return record
        return _resolve_from_moto(access_key_id)

    def scp_policies(self, account: str) -> tuple[Policy, ...] | None:
        docs = self.scps.get(account)
        if docs is None:
            return None
        return tuple(Policy.parse(doc, name=name, kind="scp") for name, doc in docs.items())


def iam_backend(account: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account][PARTITION]


def kms_backend(account: str, region: str) -> Any:
    from moto.kms.models import kms_backends

    return kms_backends[account][region]


def _resolve_from_moto(access_key_id: str) -> CredentialRecord | None:
    """Credentials a learner made with boto3 inside the lab (CreateAccessKey, AssumeRole)."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account, backends in list(iam_backends.items()):
        backend = backends[PARTITION]
        key = backend.access_keys.get(access_key_id)
        if key is None:
            continue
        if key.user_name:
            user = backend.get_user(key.user_name)
            return CredentialRecord(user.arn, account, "user", access_key_id, key.secret_access_key,
                                    user_name=user.name)
        if key.role_arn:
            session = sts_backends[account][PARTITION].get_assumed_role_from_access_key(access_key_id)
            if session is not None:
                return CredentialRecord(
                    session.arn, account, "session", access_key_id, key.secret_access_key,
                    role_name=session.role_arn.rsplit("/", 1)[-1], session_policy=session.policy, mfa=False,
                )
    return None


def _doc(policy: Any) -> str:
    return next(v.document for v in policy.versions if v.is_default)


def _policy(document: Any, name: str, kind: str) -> Policy:
    return Policy.parse(document if isinstance(document, str) else json.dumps(document), name=name, kind=kind)


def managed_policy(account: str, arn: str) -> Policy:
    backend = iam_backend(account)
    return _policy(_doc(backend.get_policy(arn)), arn.rsplit("/", 1)[-1], "identity")


def build_caller(record: CredentialRecord, registry: Registry) -> Caller:
    """The engine's Caller for a credential, from moto's current IAM state."""
    backend = iam_backend(record.account)
    if record.kind == "root":
        return Caller(arn=record.arn, account=record.account, principal_type="Account", user_id=record.account)
    if record.kind == "user":
        user = backend.get_user(record.user_name)
        policies = [_policy(doc, name, "identity") for name, doc in user.policies.items()]
        policies += [_policy(_doc(p), p.name, "identity") for p in user.managed_policies.values()]
        for group in backend.get_groups_for_user(user.name):
            policies += [_policy(doc, f"{group.name}/{name}", "identity") for name, doc in group.policies.items()]
            policies += [_policy(_doc(p), p.name, "identity") for p in group.managed_policies.values()]
        boundary_arn = registry.user_boundaries.get(user.arn)
        boundary = None
        if boundary_arn:
            boundary = _policy(_doc(backend.get_policy(boundary_arn)), boundary_arn.rsplit("/", 1)[-1], "boundary")
        tags = {t["Key"]: t["Value"] for t in backend.list_user_tags(user.name)}
        return Caller(
            arn=user.arn, account=record.account, principal_type="User", user_id=user.id,
            username=user.name, identity_policies=tuple(policies), permissions_boundary=boundary,
            tags=tags, mfa=record.mfa,
        )
    role = backend.get_role(record.role_name)
    policies = [_policy(doc, name, "identity") for name, doc in role.policies.items()]
    policies += [_policy(_doc(p), p.name, "identity") for p in role.managed_policies.values()]
    boundary = None
    if role.permissions_boundary_arn:
        arn = role.permissions_boundary_arn
        boundary = _policy(_doc(backend.get_policy(arn)), arn.rsplit("/", 1)[-1], "boundary")
    session = (_policy(record.session_policy, "session policy", "session"),) if record.session_policy else ()
    tags = {t["Key"]: t["Value"] for t in (role.tags.values() if isinstance(role.tags, dict) else role.tags or [])}
    tags.update(record.session_tags)
    session_name = record.arn.rsplit("/", 1)[-1]
    return Caller(
        arn=record.arn, account=record.account, principal_type="AssumedRole",
        user_id=f"{role.id}:{session_name}", role_arn=role.arn, identity_policies=tuple(policies),
        permissions_boundary=boundary, session_policies=session, tags=tags, mfa=record.mfa,
    )


def build_key(moto_key: Any, backend: Any) -> Key:
    """The engine's Key for a moto key: its policy, grants, aliases and tags as they are now."""
    aliases = tuple(sorted(moto_key.aliases))
    tags = {t["TagKey"]: t["TagValue"] for t in backend.list_resource_tags(moto_key.id).get("Tags", [])}
    grants = tuple(
        Grant(
            grant_id=g.id, grantee_principal=g.grantee_principal, operations=frozenset(g.operations or ()),
            retiring_principal=g.retiring_principal,
            encryption_context_equals=(g.constraints or {}).get("EncryptionContextEquals"),
            encryption_context_subset=(g.constraints or {}).get("EncryptionContextSubset"),
            name=g.name or None,
        )
        for g in moto_key.grants.values()
    )
    return Key(
        arn=moto_key.arn, key_id=moto_key.id, account=moto_key.account_id, region=moto_key.region,
        policy=Policy.parse(moto_key.policy, name="key policy", kind="resource"), grants=grants,
        state=moto_key.key_state, key_spec=moto_key.key_spec, key_usage=moto_key.key_usage,
        origin=moto_key.origin, multi_region=bool(moto_key.multi_region), aliases=aliases, tags=tags,
    )
