"""Who holds which credentials in the lab, and what else the lab keeps that moto does not.

moto knows users, roles, policies and keys; it does not know the root user's
credentials, MFA sessions, session tags, user permissions boundaries or SCPs. The
registry keeps those (the moto adapter turns moto's live state into engine objects).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine import Policy
from . import moto_adapter


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
        found = moto_adapter.credentials_of(access_key_id)  # keys a learner made with boto3 in the lab
        return CredentialRecord(**found) if found is not None else None

    def scp_policies(self, account: str) -> tuple[Policy, ...] | None:
        docs = self.scps.get(account)
        if docs is None:
            return None
        return tuple(Policy.parse(doc, name=name, kind="scp") for name, doc in docs.items())
