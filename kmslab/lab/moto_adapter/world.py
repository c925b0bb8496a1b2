"""moto's state, read and written for kmslab: the mock, accounts, keys, principals.

Everything here reads or writes moto's backends (`iam_backends`, `kms_backends`, `sts_backends`)
or its models; the rest of kmslab gets plain values and engine objects back.
"""

from __future__ import annotations

import binascii
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from moto import mock_aws
from moto.iam.models import AccessKey, AWSManagedPolicy, iam_backends
from moto.kms.models import kms_backends
from moto.kms.utils import HEADER_LEN, KEY_ID_LEN, _deserialize_ciphertext_blob
from moto.sts.models import sts_backends

from ...engine import Caller, Grant, Key, Policy
from ...engine.policy import PolicyKind, statement_list
from .probes import KeyStore
from .speedups import apply_speedups

PARTITION = "aws"  # IAM and STS backends are keyed by partition since moto 5.0.8

# ------------------------------------------------------------------ the mock


def start_mock() -> Any:
    """Start moto's mock with empty backends (`mock_aws().start()` resets them); returns the mock to stop."""
    from .operations.import_material import forget_expiring

    apply_speedups()
    _KMS.clear()
    _STORES.clear()
    forget_expiring()
    mock = mock_aws()
    mock.start()
    return mock


def stop_mock(mock: Any) -> None:
    mock.stop()
    _KMS.clear()
    _STORES.clear()


def seed_ids(seed: str) -> None:
    """Make moto's random ids (key ids, grant ids, access keys) repeat from `seed` on."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(seed)


# ------------------------------------------------------------------ backends

_KMS: dict[tuple[str, str], Any] = {}  # moto's backend lookups are slow; within one mock they are stable
_STORES: dict[tuple[str, str], KeyStore] = {}


def kms_backend(account: str, region: str) -> Any:
    """moto's KMS backend of an account and region (`kms_backends[account][region]`), looked up once per mock."""
    found = _KMS.get((account, region))
    if found is None:
        found = _KMS[(account, region)] = kms_backends[account][region]
    return found


def _iam(account: str) -> Any:
    return iam_backends[account][PARTITION]


def key_store(account: str, region: str) -> KeyStore:
    """The keys of an account and region, for a probe's preparation and undoing."""
    found = _STORES.get((account, region))
    if found is None:
        from .operations.import_material import prepared_import

        found = _STORES[(account, region)] = KeyStore(kms_backend(account, region), prepared_import)
    return found


# ------------------------------------------------------------------ accounts and principals


def new_access_key(account: str) -> tuple[str, str]:
    """An access key of no user that moto routes to `account` (IAM and STS calls); (id, secret)."""
    # moto marks CloudFormationModel.is_created abstract but without ABCMeta, and AccessKey never defines it:
    # moto makes AccessKeys itself (create_access_key), so instantiating one is as moto does.
    key = AccessKey(user_name=None, prefix="AKIA", account_id=account)  # type: ignore[abstract]
    _iam(account).access_keys[key.access_key_id] = key
    return key.access_key_id, key.secret_access_key


def add_managed_policies(account: str, policies: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
    """Add AWS managed policies, (name, ARN, moto's record of it), to an account's IAM (idempotent)."""
    backend = _iam(account)
    for name, arn, record in policies:
        if arn not in backend.managed_policies:
            policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, dict(record))
            backend.managed_policies[policy.arn] = policy


def aws_managed_policy_records(names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """moto's copy of AWS's managed policies data, for `names` (slow: parses 4.7 MB)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data = json.loads(aws_managed_policies_data)
    return {name: data[name] for name in names}


def user_arns(account: str) -> list[str]:
    """The account's IAM users' ARNs, in creation order."""
    return [u.arn for u in _iam(account).users.values()]


def role_arns(account: str) -> list[str]:
    return [r.arn for r in _iam(account).roles.values()]


def principal_exists(account: str, kind: str, name: str) -> bool:
    """Whether the account has the user or role `name` (kind: user, role or assumed-role)."""
    backend = _iam(account)
    if kind == "user":
        return name in backend.users
    if kind in ("role", "assumed-role"):
        return any(r.name == name for r in backend.roles.values())
    return True


def credentials_of(access_key_id: str) -> dict[str, Any] | None:
    """Who holds a key a learner made inside the lab (CreateAccessKey, AssumeRole), as CredentialRecord
    fields; None if moto knows no such key."""
    for account, backends in list(iam_backends.items()):
        backend = backends[PARTITION]
        key = backend.access_keys.get(access_key_id)
        if key is None:
            continue
        if key.user_name:
            user = backend.get_user(key.user_name)
            return {"arn": user.arn, "account": account, "kind": "user", "access_key_id": access_key_id,
                    "secret_access_key": key.secret_access_key, "user_name": user.name}
        if key.role_arn:
            session = sts_backends[account][PARTITION].get_assumed_role_from_access_key(access_key_id)
            if session is not None:
                return {"arn": session.arn, "account": account, "kind": "session", "access_key_id": access_key_id,
                        "secret_access_key": key.secret_access_key,
                        "role_name": session.role_arn.rsplit("/", 1)[-1], "session_policy": session.policy,
                        "mfa": False}
    return None


def replace_principal_in_key_policies(arn: str, unique_id: str) -> None:
    """AWS replaces a deleted principal's ARN in key policies with its unique id.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
    """
    for regions in list(kms_backends.values()):
        for backend in list(regions.values()):
            for key in backend.keys.values():
                if arn not in (key.policy or ""):
                    continue
                doc = json.loads(key.policy)
                for s in statement_list(doc):
                    for element in ("Principal", "NotPrincipal"):
                        p = s.get(element)
                        if isinstance(p, dict) and "AWS" in p:
                            aws = p["AWS"]
                            p["AWS"] = unique_id if aws == arn else (
                                [unique_id if a == arn else a for a in aws] if isinstance(aws, list) else aws
                            )
                key.policy = json.dumps(doc)


# ------------------------------------------------------------------ keys


class KeyHandle(NamedTuple):
    """A KMS key in moto: its bare id, ARN, account and region."""

    id: str
    arn: str
    account: str
    region: str


def find_key(ref: str, account: str, region: str) -> KeyHandle | None:
    """The key a KeyId names (id, ARN, alias name or alias ARN) in `account` and `region`, or None."""
    backend = kms_backend(account, region)
    if ":alias/" in ref or ref.startswith("alias/"):
        key_id = backend.get_key_id_from_alias(backend.get_alias_name(ref))
    else:
        from .operations.regions import full_key_id

        key_id = full_key_id(backend.keys, backend.get_key_id(ref))  # a ciphertext's shortened MRK id too
    key = backend.keys.get(key_id) if key_id else None
    return KeyHandle(key.id, key.arn, key.account_id, key.region) if key is not None else None


_LAST_USAGE = "_kmslab_last_usage"  # an attribute kmslab adds to moto's Key


def record_use(handle: KeyHandle, operation: str, event_id: Callable[[], str]) -> None:
    """A cryptographic operation with the key succeeded (what GetKeyLastUsage reports), kept as it happened: its
    CloudTrail event id (`event_id()`) and KMS request id are drawn when GetKeyLastUsage first reads them
    (`last_use`), not on every request."""
    key = kms_backend(handle.account, handle.region).keys.get(handle.id)
    if key is not None:
        setattr(key, _LAST_USAGE, (operation, time.time(), event_id))


def last_use(key: Any) -> dict[str, Any]:
    """GetKeyLastUsage's KeyLastUsage of a moto key: {} when no cryptographic operation used it."""
    kept = getattr(key, _LAST_USAGE, None)
    if kept is None:
        return {}
    if isinstance(kept, tuple):
        operation, timestamp, event_id = kept
        kept = {"Operation": operation, "Timestamp": timestamp, "CloudTrailEventId": event_id(),
                "KmsRequestId": str(uuid.uuid4())}
        setattr(key, _LAST_USAGE, kept)
    return dict(kept)


def forget_key(account: str, region: str, key_id: str) -> None:
    """Remove a key from moto, as if CreateKey had never run (a failed create_key). Its aliases live on it."""
    backend = kms_backend(account, region)
    backend.keys.pop(key_id, None)
    tagger = getattr(backend, "tagger", None)
    if tagger is not None:
        tagger.delete_all_tags_for_resource(key_id)


def key_owner(key_id: str, region: str, accounts: Iterable[str]) -> str | None:
    """Which of `accounts` holds the key `key_id` in `region`."""
    from .operations.regions import full_key_id

    for account in accounts:
        keys = kms_backend(account, region).keys
        if full_key_id(keys, key_id) in keys:
            return account
    return None


def key_id_in_ciphertext(blob: str | bytes | None) -> str | None:
    """The key id a ciphertext (base64, as in a request body) was made under: moto's own layout, not AWS's.

    What `_deserialize_ciphertext_blob(base64.b64decode(blob)).key_id` gives (None where it raises) without building
    the whole Ciphertext (a few us a Decrypt): `b64decode` is `a2b_base64` of the blob's bytes (a str must be ASCII).
    """
    if not blob:
        return None
    try:
        raw = binascii.a2b_base64(blob)
    except ValueError:  # binascii.Error and a non-ASCII str are ValueErrors
        return None
    return key_id_in_blob(raw)


def key_id_in_blob(raw: Any) -> str | None:
    """The key id a ciphertext's bytes were made under: `_deserialize_ciphertext_blob(raw).key_id`, or None where
    that raises. moto's header (`CIPHERTEXT_HEADER_FORMAT`: `HEADER_LEN` bytes, else struct.error) starts with the
    key id's `KEY_ID_LEN` bytes of UTF-8; read from there for bytes, by moto's own function for anything else."""
    if type(raw) is not bytes:
        try:
            return str(_deserialize_ciphertext_blob(raw).key_id)
        except Exception:  # noqa: BLE001 - whatever moto's raises for it, the answer is "no key id"
            return None
    if len(raw) < HEADER_LEN:
        return None
    try:
        return raw[:KEY_ID_LEN].decode("utf-8")
    except UnicodeDecodeError:
        return None


def engine_key(handle: KeyHandle) -> Key:
    """The engine's Key for a moto key: its policy, grants, aliases and tags as they are now."""
    backend = kms_backend(handle.account, handle.region)
    moto_key = backend.keys[handle.id]
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
        origin=moto_key.origin, multi_region=bool(moto_key.multi_region), aliases=tuple(sorted(moto_key.aliases)),
        tags=tags, multi_region_key_type=moto_key.multi_region_configuration["MultiRegionKeyType"]
        if moto_key.multi_region else None,
    )


# ------------------------------------------------------------------ callers


def _doc(policy: Any) -> str:
    return next(v.document for v in policy.versions if v.is_default)


def _policy(document: Any, name: str, kind: PolicyKind) -> Policy:
    return Policy.parse(document if isinstance(document, str) else json.dumps(document), name=name, kind=kind)


def engine_caller(record: Any, boundary_arn: str | None = None) -> Caller:
    """The engine's Caller for a credential (a registry CredentialRecord), from moto's IAM state now.

    `boundary_arn`: a user's permissions boundary, which kmslab keeps (moto has none for users).
    """
    backend = _iam(record.account)
    if record.kind == "root":
        return Caller(arn=record.arn, account=record.account, principal_type="Account", user_id=record.account)
    if record.kind == "user":
        user = backend.get_user(record.user_name)
        policies = [_policy(doc, name, "identity") for name, doc in user.policies.items()]
        policies += [_policy(_doc(p), p.name, "identity") for p in user.managed_policies.values()]
        for group in backend.get_groups_for_user(user.name):
            policies += [_policy(doc, f"{group.name}/{name}", "identity") for name, doc in group.policies.items()]
            policies += [_policy(_doc(p), p.name, "identity") for p in group.managed_policies.values()]
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
