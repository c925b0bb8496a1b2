"""The hook: every KMS request is authorized by the engine before moto runs it.

The moto adapter hands each KMS request (in-process or through `ThreadedMotoServer`) to the
active `Authorizer` before moto runs it. The Authorizer resolves the caller from the access key,
routes cross-account calls to the key owner's account, adds what moto lacks (PolicyName
"default", key policy validation, the lockout safety check, key states) and raises AWS's errors
as `AwsError`, which reach boto3 as ordinary `ClientError`s. It knows moto only through
`kmslab.lab.moto_adapter`.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, NamedTuple

from ..engine import (
    DEFAULT_SOURCE_IP,  # noqa: F401 - kept importable from here for old callers; the engine owns it
    MALFORMED,
    Caller,
    Decision,
    Key,
    PolicyError,
    Request,
    RequestKeys,
    authorize,
    aws_principals,
    check_lockout,
    parse_key_policy,
)
from ..engine.catalog import operation_takes_key
from ..engine.messages import INVALID_PRINCIPALS_MESSAGE
from ..engine.policy import is_account_principal
from . import moto_adapter
from .kms_input import parse_params
from .moto_adapter import AwsError, KeyHandle, KmsRequest
from .registry import CredentialRecord, Registry

H_ACTING_AS = "x-kmslab-acting-as"  # setup only: the principal a CreateKey/PutKeyPolicy runs as
# The decision memo of one state of the world: at most this many requests, each at most this long.
MEMO_MAX = 20_000
MEMO_BODY_MAX = 2048


class LabCall:
    """One `Lab.request` in flight on this thread: its circumstances, and the Event the hook records for it.

    In process, moto answers a boto3 call on the calling thread, so the lab hands the hook what a
    real request's circumstances would be (the AWS service it came through, the source IP) and gets
    the decision back without adding, signing and parsing headers on every request.
    """

    __slots__ = ("via_service", "source_ip", "event", "decisions")

    def __init__(self, via_service: str | None = None, source_ip: str | None = None) -> None:
        self.via_service, self.source_ip = via_service, source_ip
        self.event: Event | None = None
        self.decisions: list[Decision] = []  # the engine's, one per IAM action (ReEncrypt has two)


def _with_key_id(body: str, params: dict[str, Any], quoted_arn: str, key_id: str) -> str:
    """The body with KeyId's key ARN replaced by the bare key id, which several moto operations require.

    A key ARN needs no JSON escaping, so in a body without escapes (a backslash) where it occurs once, that
    occurrence is KeyId's value and is swapped in place; otherwise (KeyId written with an escaped slash while the
    plain ARN is another parameter's value, say) the body is written anew from `params`.
    """
    params["KeyId"] = key_id
    if "\\" not in body and body.count(quoted_arn) == 1:
        return body.replace(quoted_arn, f'"{key_id}"')
    return json.dumps(params)


class _ThisThread(threading.local):
    call: LabCall | None = None  # a class default: reading it on a thread that never set it is no AttributeError


_THREAD = _ThisThread()
# CloudTrail event ids (GetKeyLastUsage): random UUIDs from a generator of our own, seeded from os.urandom once
# rather than read from it per request; moto's seeded generator and the learner's `random` are left alone.
_EVENT_IDS = random.Random()
_UUID_KEEP = ~((0xF000 << 64) | (0xC000 << 48))  # RFC 4122: version 4, variant 10
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def _event_id() -> str:
    # str(uuid.UUID(int=bits, version=4)) at a third of its cost: the same version and variant bits, the same text.
    bits = (_EVENT_IDS.getrandbits(128) & _UUID_KEEP) | _UUID_SET
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def begin_call(call: LabCall | None) -> None:
    """The lab's next KMS request on this thread is `call` (None: no lab request is in flight)."""
    _THREAD.call = call

# KMS operations that change nothing authorization depends on; every other request may.
READ_ONLY = {"DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "GetPublicKey", "ListAliases", "ListGrants",
             "ListKeyPolicies", "ListKeys", "ListResourceTags", "ListRetirableGrants", "ListKeyRotations",
             "DescribeCustomKeyStores", "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey",
             "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
             "GenerateRandom", "Sign", "Verify", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
             "Encapsulate", "Decapsulate", "GetKeyLastUsage"}
# KMS writes that may change a key other than the one they name (an alias moves between keys; a new
# key or replica; a primary region): every Key is built afresh after them.
MANY_KEYS = {"CreateAlias", "UpdateAlias", "DeleteAlias", "CreateKey", "ReplicateKey", "UpdatePrimaryRegion"}

_READ_ONLY_ACTIONS = frozenset(f"kms:{operation}" for operation in READ_ONLY)  # as Event.action names them
_MANY_KEYS_ACTIONS = frozenset(f"kms:{operation}" for operation in MANY_KEYS)

# Operations that set a key policy: its grammar, principals and the lockout safety check are checked.
POLICY_SETTERS = ("CreateKey", "PutKeyPolicy", "ReplicateKey")


class _Check(NamedTuple):
    """One authorization a request needs: an IAM action on one resource (a request may need several).

    `ref` names the key as the request does (None: no key); `resource` is a resource that is not an
    existing key (IAM policies alone decide); `region` is another Region than the request's (its
    aws:RequestedRegion); `context` the (operation, parameters) the condition keys come from when they are
    not the request's own, `extra` condition keys on top of them.
    """

    action: str
    ref: str | None
    enc: Mapping[str, str] | None = None
    region: str | None = None
    resource: str | None = None
    context: tuple[str, Mapping[str, Any]] | None = None
    extra: Mapping[str, Any] | None = None
    key_role: str | None = None  # UpdateAlias: "source" (the alias's current key) or "destination" (the new key)


def _checks(operation: str, params: Mapping[str, Any]) -> list[_Check]:
    """Which key(s) and which IAM action(s) a request needs: ReEncrypt is ReEncryptFrom + ReEncryptTo."""
    if operation == "ReEncrypt":
        # Each check reads its own side's condition keys (kms:EncryptionAlgorithm: Source/Destination...Algorithm).
        return [_Check("ReEncryptFrom", params.get("SourceKeyId") or _BLOB, params.get("SourceEncryptionContext"),
                       context=("ReEncryptFrom", params)),
                _Check("ReEncryptTo", params.get("DestinationKeyId"), params.get("DestinationEncryptionContext"),
                       context=("ReEncryptTo", params))]
    if operation == "CreateKey" and params.get("Tags"):
        # "To use the Tags parameter, kms:TagResource (IAM policy)" (API_CreateKey, Required permissions); "To add tags
        # while creating a KMS key, the principal must have permission in an IAM policy that isn't restricted to
        # particular KMS keys" (tag-permissions.html): the key does not exist yet, so its ARN is a placeholder no
        # policy can name in particular, and IAM policies alone decide. Both checks see aws:RequestTag and aws:TagKeys.
        # https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
        return [_Check(operation, None), _Check("TagResource", None, resource=_NEW_KEY, context=("CreateKey", params))]
    if operation == "Decrypt":
        return [_Check(operation, params.get("KeyId") or _BLOB, params.get("EncryptionContext"))]
    if not operation_takes_key(operation):
        return [_Check(operation, None)]
    if operation == "CreateAlias":
        return [_Check(operation, params.get("TargetKeyId"))]
    if operation == "UpdateAlias":
        return [_Check(operation, params.get("AliasName"), key_role="source"),
                _Check(operation, params.get("TargetKeyId"), key_role="destination")]
    if operation == "DeleteAlias":
        return [_Check(operation, params.get("AliasName"))]
    return [_Check(operation, params.get("KeyId"), params.get("EncryptionContext"))]


# Alias operations are authorized on the alias too, by IAM policies alone (an alias has no key policy):
# "principals who manage aliases must have permission to call the alias operation on the alias and on all affected
# KMS keys" - CreateAlias and DeleteAlias: the alias and its key; UpdateAlias: the alias, the current key and the new
# key. https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
ALIAS_OPERATIONS = frozenset({"CreateAlias", "UpdateAlias", "DeleteAlias"})


def _alias_check(operation: str, params: Mapping[str, Any], account: str, region: str) -> _Check:
    """The alias's own authorization: its ARN, arn:aws:kms:REGION:ACCOUNT:alias/NAME, as the resource."""
    name = str(params.get("AliasName") or "")
    arn = name if name.startswith("arn:") else f"arn:aws:kms:{region}:{account}:{name}"
    return _Check(operation, None, resource=arn)


_BLOB = "\0blob"  # stands for "the key the ciphertext names" until the hook reads the ciphertext
_NEW_KEY = "\0new-key"  # stands for "the key this CreateKey makes" until the hook knows the account and region
NEW_KEY_ID = "00000000-0000-0000-0000-000000000000"  # the placeholder key id of a key not created yet


def _multi_region_checks(operation: str, params: Mapping[str, Any], key: Key) -> list[_Check]:
    """The authorizations a multi-Region request needs besides the one on the key it names.

    ReplicateKey: "kms:CreateKey in an IAM policy in the replica Region" and, "To use the Tags parameter,
    kms:TagResource in an IAM policy in the replica Region" (API_ReplicateKey, Required permissions). The
    CreateKey it implies sees the replica's properties (kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion
    true, kms:MultiRegionKeyType REPLICA: kmslab's reading of conditions-kms.html, which says these keys control
    CreateKey "based on the ... property of the KMS key"), and the request's tags.
    UpdatePrimaryRegion: "kms:UpdatePrimaryRegion on the current replica key (in the replica key's Region)"
    (API_UpdatePrimaryRegion; the one on the primary key is the request's own check).
    https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
    """
    if operation == "ReplicateKey":
        replica_region = params.get("ReplicaRegion") or key.region
        implied = {"KeySpec": key.key_spec, "KeyUsage": key.key_usage, "Origin": key.origin, "MultiRegion": True,
                   "BypassPolicyLockoutSafetyCheck": params.get("BypassPolicyLockoutSafetyCheck", False),
                   "Tags": params.get("Tags")}
        checks = [_Check("CreateKey", None, region=replica_region, context=("CreateKey", implied),
                         extra={"kms:MultiRegionKeyType": "REPLICA"})]
        if params.get("Tags"):
            checks.append(_Check("TagResource", None, region=replica_region,
                                 resource=f"arn:aws:kms:{replica_region}:{key.account}:key/{key.key_id}",
                                 context=("TagResource", {"Tags": params["Tags"]})))
        return checks
    primary_region = params.get("PrimaryRegion") or key.region
    replica = f"arn:aws:kms:{primary_region}:{key.account}:key/{key.key_id}"
    return [_Check(operation, replica, region=primary_region)]


@dataclass(slots=True)
class Event:
    """One KMS request as the lab's CloudTrail-like log records it.

    Strings, and until its reason is first read the engine's Decision it is rendered from (~10 us a
    request that most events never need; a Decision is ~0.4 KB of strings: 10,000 unread events hold
    ~4 MB); reading `reason` renders it and lets the Decision go.
    """

    time: float
    principal: str
    action: str
    key: str | None
    outcome: str = "allowed"  # allowed | denied | error
    error: str | None = None
    message: str | None = None
    text: str = ""  # the reason, once rendered or when given as text (use `reason`)
    decision: Decision | None = field(default=None, repr=False, compare=False)  # the reason, not yet rendered
    event_id: str | None = None  # a successful cryptographic operation's, once GetKeyLastUsage asks (cloudtrail_id)

    def cloudtrail_id(self) -> str:
        """The CloudTrail eventId GetKeyLastUsage reports for this request: drawn when first asked."""
        if self.event_id is None:
            self.event_id = _event_id()
        return self.event_id

    @property
    def reason(self) -> str:
        """Why the request ended as it did, in one sentence."""
        if self.decision is not None:
            self.text, self.decision = self.decision.reason, None
        return self.text

    @reason.setter
    def reason(self, text: str) -> None:
        self.text, self.decision = text, None


@dataclass
class _Memo:
    """What is derived from one state of the world: engine Callers, Keys and decisions.

    Decisions are pure functions of the world and the request, so they are kept only until the world
    changes: any request that may change it (KMS, IAM or STS, the lab's own edits) starts a new memo,
    and a kept decision lives at most one second (aws:CurrentTime has one-second precision).
    """

    callers: dict[str, Caller] = field(default_factory=dict)
    keys: dict[str, Key] = field(default_factory=dict)
    decisions: dict[tuple[Any, ...], Decision] = field(default_factory=dict)
    second: int = 0  # the second the kept decisions were made in: older ones can never be asked for again
    located: dict[tuple[str, str, str], tuple[str, KeyHandle | None]] = field(default_factory=dict)  # locate()
    plans: dict[tuple[Any, ...], _Plan] = field(default_factory=dict)  # Authorizer._plan()


class _Plan(NamedTuple):
    """What a one-key request needs besides its body, for one credential, operation, Region and key reference:
    everything but the decision (which the engine makes for every request, see `_Memo.decisions`)."""

    account: str  # the key owner's, where moto runs the request
    moto_key: KeyHandle | None  # None: no such key (moto answers NotFoundException)
    key: Key | None
    caller: Caller
    scps: tuple[Any, ...] | None
    action: str  # the IAM action, e.g. kms:Encrypt
    event_key: str | None  # the key as the event log names it
    swap: tuple[str, str] | None  # (the key ARN KeyId names, quoted as in JSON; the key id): see _with_key_id
    used: tuple[KeyHandle, ...]  # the key, for a cryptographic operation (GetKeyLastUsage)


# Operations with a key that need nothing but one check on the key their KeyId (Decrypt: or ciphertext) names:
# the hook answers them through a `_Plan`. The rest need more (two keys, an alias, the replica's Region, a policy
# to check, PolicyName's default) and take the general path.
_NOT_ONE_KEY = frozenset({"ReEncrypt", "CreateAlias", "UpdateAlias", "DeleteAlias", "ReplicateKey",
                          "UpdatePrimaryRegion", "GetKeyPolicy", "PutKeyPolicy", "CreateKey"})


@cache
def _one_key(operation: str) -> bool:
    return operation_takes_key(operation) and operation not in _NOT_ONE_KEY


class Authorizer:
    """Decides each KMS request of the active lab with the engine."""

    def __init__(self, registry: Registry, on_event: Callable[[Event], None]) -> None:
        self.registry = registry
        self.on_event = on_event
        self._memo = _Memo()

    def changed(self, scope: str = "all", key_id: str | None = None) -> None:
        """The world may have changed: forget every kept decision, and the Callers or Keys it may change.

        A Caller is built from IAM and STS state only and a Key from KMS state only, so a KMS write
        (`scope="kms"`) keeps the Callers, and only the Key it names (`key_id`) if it names one; an IAM
        or STS write (`scope="iam"`) keeps the Keys.
        """
        old = self._memo  # replaced, never cleared: a checkpoint keeps the old one
        keys: dict[str, Key] = {}
        if scope == "iam":
            keys = old.keys
        elif scope == "kms" and key_id is not None:
            # Kept by ARN: the keys of a multi-Region set share their key id, one per Region (all go here).
            keys = {k: v for k, v in old.keys.items() if k.rsplit("/", 1)[-1] != key_id}
        self._memo = _Memo(callers=old.callers if scope == "kms" else {}, keys=keys)

    def checkpoint(self) -> Any:
        """What is kept now, for `restore` once the world is exactly as now again."""
        return self._memo

    def restore(self, checkpoint: Any) -> None:
        """The world is back to the checkpoint's (a probe's changes were undone): so is what was kept."""
        self._memo = checkpoint

    def caller(self, record: CredentialRecord) -> Caller:
        """The engine's Caller for a credential, built once per state of the world."""
        found = self._memo.callers.get(record.access_key_id)
        if found is None:
            found = self._memo.callers[record.access_key_id] = moto_adapter.engine_caller(
                record, self.registry.user_boundaries.get(record.arn))
        return found

    def key(self, handle: KeyHandle) -> Key:
        """The engine's Key for a key in moto, built once per state of the world."""
        found = self._memo.keys.get(handle.arn)
        if found is None:
            found = self._memo.keys[handle.arn] = moto_adapter.engine_key(handle)
        return found

    # -- principals

    def record_for_arn(self, arn: str) -> CredentialRecord | None:
        for record in self.registry.credentials.values():
            if record.arn == arn and record.kind != "admin":
                return record
        return None

    def caller_for(self, record: CredentialRecord) -> Caller:
        if record.kind == "admin":  # setup acts as the account's root user
            root = self.record_for_arn(f"arn:aws:iam::{record.account}:root")
            record = root or replace(record, kind="root", arn=f"arn:aws:iam::{record.account}:root")
        return self.caller(record)

    # -- keys

    def locate(self, ref: str | None, default_account: str, region: str) -> tuple[str, KeyHandle | None]:
        """(owner account, the key or None) for a KeyId in any form; looked up once per state of the world
        (keys and aliases are KMS state: a change to them starts a new memo)."""
        if not ref:
            return default_account, None
        located = self._memo.located
        found = located.get((ref, default_account, region))
        if found is None:
            account, where = default_account, region
            if ref.startswith("arn:"):
                parts = ref.split(":")
                if len(parts) >= 6:
                    where, account = parts[3] or region, parts[4] or account
            if len(located) >= MEMO_MAX:
                located.clear()
            found = located[(ref, default_account, region)] = (account, moto_adapter.find_key(ref, account, where))
        return found

    # -- the hook body

    def authorize_request(self, response: KmsRequest) -> None:
        operation, sent = response.operation, response.body
        body = sent or "{}"
        params = parse_params(operation, body)  # AWS's 400 for a body AWS could not read (kms_input)
        if not sent:
            response.body = body  # moto reads it again: an empty body is an empty object
        record = self.registry.resolve(response.access_key)
        if record is None:
            raise AwsError(
                "UnrecognizedClientException",
                "The security token included in the request is invalid. (kmslab: use the lab's "
                "credentials, e.g. lab.client('kms', as_='kms-test-1'))",
            )
        if record.kind != "admin" and _one_key(operation):
            return self._authorize_one_key(response, operation, body, params, record)
        region, headers = response.region, response.headers
        if operation in ("GetKeyPolicy", "PutKeyPolicy") and not params.get("PolicyName"):
            # AWS defaults PolicyName to "default"; moto requires it.
            params["PolicyName"] = "default"
            response.body = json.dumps(params)

        checks = [c._replace(ref=self._key_from_blob(params.get("CiphertextBlob"), region)) if c.ref == _BLOB else c
                  for c in _checks(operation, params)]
        if operation == "CreateKey" and len(checks) > 1:
            checks[1] = checks[1]._replace(resource=f"arn:aws:kms:{region}:{record.account}:key/{NEW_KEY_ID}")

        # Route the request to the key owner's account (moto does not route cross-account calls).
        first_ref = next((c.ref for c in checks if c.ref), None)
        # A key id or alias of another account is looked up in the caller's account, as on AWS.
        account, moto_key = self.locate(first_ref, record.account, region)
        response.route_to(account)
        key_arn = params.get("KeyId", "")
        if moto_key is not None and key_arn.startswith("arn:") and ":key/" in key_arn:
            response.body = _with_key_id(response.body or "", params, f'"{key_arn}"', moto_key.id)

        if moto_key is not None and operation in ("ReplicateKey", "UpdatePrimaryRegion"):
            checks += _multi_region_checks(operation, params, self.key(moto_key))
        if operation in ALIAS_OPERATIONS:
            checks.insert(0, _alias_check(operation, params, account, region))

        event = Event(time.time(), record.arn, f"kms:{operation}", moto_key.arn if moto_key is not None else first_ref)
        response.note = event
        call = _THREAD.call
        if call is not None and call.event is None:  # the Lab.request in flight on this thread
            call.event = event
        else:
            call = None

        if record.kind == "admin":
            event.reason = "lab setup (not authorized, as an administrator would set up the world)"
            self._validate_policy_change(operation, params, record, region, account, moto_key, headers)
            return

        source_ip, via = (call.source_ip, call.via_service) if call is not None else (None, None)
        caller: Caller | None = None
        same_key = None  # ReEncrypt: kms:ReEncryptOnSameKey, from the two keys as resolved
        if operation == "ReEncrypt":
            ends = [self.locate(c.ref, record.account, region)[1] for c in checks]
            same_key = ends[0] is not None and ends[1] is not None and ends[0].arn == ends[1].arn

        used: list[KeyHandle] = []  # the keys of a cryptographic operation (GetKeyLastUsage)
        for check in checks:
            action_op, ref, enc = check.action, check.ref, check.enc
            mk = None
            if check.resource is None and operation_takes_key(action_op):
                mk = moto_key if ref == first_ref else self.locate(ref, record.account, region)[1]
                if mk is None:
                    return  # no such key: moto (or the adapter) answers NotFoundException
                if operation in moto_adapter.CRYPTOGRAPHIC_OPERATIONS:
                    used.append(mk)
            # Everything the decision reads besides the state of the world comes from the credential, the
            # region, the request body and the call's circumstances; kept for at most a second.
            # Long bodies (a 32 KB policy, a big plaintext) are decided afresh rather than kept as keys.
            now = int(time.time())
            memo = (now, record.access_key_id, region, body, action_op, ref, check.region, check.resource,
                    source_ip, via) if len(body) <= MEMO_BODY_MAX else None
            key = self.key(mk) if mk is not None else None
            decision = self._kept(memo, now)
            if decision is None:
                caller = caller or self.caller(record)
                # kms:RequestAlias: "You cannot use this condition key to control access to alias operations"
                # (conditions-kms.html#conditions-kms-request-alias).
                alias_ref = None if operation in ALIAS_OPERATIONS else ref
                ctx: Mapping[str, Any] = RequestKeys(*(check.context or (operation, params)), source_ip, via,
                                                     alias_ref, same_key)
                if check.extra:  # rare (ReplicateKey's implied CreateKey): the keys are worked out now
                    ctx = {**ctx, **check.extra}
                decision = authorize(Request(
                    caller=caller, action=f"kms:{action_op}", key=key, region=check.region or region, context=ctx,
                    scps=self.registry.scp_policies(record.account), encryption_context=enc or {},
                    grant_id=params.get("GrantId") if operation == "RetireGrant" else None,
                    resource=check.resource, key_role=check.key_role,
                ))
                self._keep(memo, decision)
            self._decided(decision, event, call)

        response.used = tuple(used)
        response.keep_params(params)
        if operation in POLICY_SETTERS:
            caller = caller or self.caller(record)
            self._validate_policy_change(operation, params, record, region, account, moto_key, headers, caller)

    def _authorize_one_key(self, response: KmsRequest, operation: str, body: str, params: dict[str, Any],
                           record: CredentialRecord) -> None:
        """`authorize_request` for an operation on one key (`_one_key`): the same steps, with what does not depend
        on the body looked up in a `_Plan` of this state of the world."""
        region, named = response.region, params.get("KeyId")
        blob_ref = self._key_from_blob(params.get("CiphertextBlob"), region) if operation == "Decrypt" and not named \
            else None
        plans, kept_as = self._memo.plans, (record.access_key_id, operation, region, named, blob_ref)
        plan = plans.get(kept_as)
        if plan is None:
            if len(plans) >= MEMO_MAX:
                plans.clear()
            plan = plans[kept_as] = self._plan(record, operation, region, named, blob_ref)
        response.route_to(plan.account)
        if plan.swap is not None:
            response.body = _with_key_id(body, params, *plan.swap)
        when = time.time()
        event = response.note = Event(when, record.arn, plan.action, plan.event_key)
        call = _THREAD.call
        if call is not None and call.event is None:  # the Lab.request in flight on this thread
            call.event = event
        else:
            call = None
        if plan.key is None:
            return  # no such key: moto (or the adapter) answers NotFoundException
        source_ip, via = (call.source_ip, call.via_service) if call is not None else (None, None)
        now = int(when)
        memo = (now, record.access_key_id, region, operation, body, source_ip, via) \
            if len(body) <= MEMO_BODY_MAX else None
        decision = self._kept(memo, now)
        if decision is None:
            decision = authorize(Request(
                caller=plan.caller, action=plan.action, key=plan.key, region=region,
                context=RequestKeys(operation, params, source_ip, via, named or blob_ref, None), scps=plan.scps,
                encryption_context=params.get("EncryptionContext") or {},
                grant_id=params.get("GrantId") if operation == "RetireGrant" else None,
            ))
            self._keep(memo, decision)
        self._decided(decision, event, call)
        response.used = plan.used
        response.keep_params(params)

    def _plan(self, record: CredentialRecord, operation: str, region: str, named: str | None,
              blob_ref: str | None) -> _Plan:
        ref = named or blob_ref
        account, moto_key = self.locate(ref, record.account, region)
        swap = None
        if moto_key is not None and named and named.startswith("arn:") and ":key/" in named:
            swap = (f'"{named}"', moto_key.id)
        used = (moto_key,) if moto_key is not None and operation in moto_adapter.CRYPTOGRAPHIC_OPERATIONS else ()
        return _Plan(account, moto_key, self.key(moto_key) if moto_key is not None else None, self.caller(record),
                     self.registry.scp_policies(record.account), f"kms:{operation}",
                     moto_key.arn if moto_key is not None else ref, swap, used)

    def _kept(self, memo: tuple[Any, ...] | None, now: int) -> Decision | None:
        """The decision kept for this request in this state of the world and this second, if any."""
        if self._memo.second != now:  # a new second: no kept decision can be asked for again
            self._memo.decisions.clear()
            self._memo.second = now
        return self._memo.decisions.get(memo) if memo is not None else None

    def _keep(self, memo: tuple[Any, ...] | None, decision: Decision) -> None:
        if memo is not None:
            decisions = self._memo.decisions
            if len(decisions) >= MEMO_MAX:
                decisions.clear()
            decisions[memo] = decision

    @staticmethod
    def _decided(decision: Decision, event: Event, call: LabCall | None) -> None:
        """Record the engine's decision on the event (and the Lab.request in flight); AWS's error if refused."""
        if call is not None:
            call.decisions.append(decision)
        event.decision = decision  # its reason is rendered when read (Event.reason)
        if not decision.allowed:  # refused by the engine: AccessDeniedException, or a key state's error
            error = decision.error or "AccessDeniedException"
            if error == "AccessDeniedException":
                event.outcome, event.error, event.message = "denied", error, decision.message
            raise AwsError(error, decision.message or "")

    def _key_from_blob(self, blob: str | None, region: str) -> str | None:
        """The ARN of the key a ciphertext was made under (its owner may be any of the lab's accounts)."""
        key_id = moto_adapter.key_id_in_ciphertext(blob)
        owner = moto_adapter.key_owner(key_id, region, self.registry.accounts) if key_id else None
        return f"arn:aws:kms:{region}:{owner}:key/{key_id}" if owner else None

    def _validate_policy_change(
        self, operation: str, params: dict[str, Any], record: CredentialRecord, region: str,
        account: str, moto_key: KeyHandle | None, headers: Any, caller: Caller | None = None,
    ) -> None:
        """CreateKey/PutKeyPolicy/ReplicateKey: the grammar, existing principals and the lockout safety check."""
        if operation not in POLICY_SETTERS or "Policy" not in params:
            return
        try:
            policy = parse_key_policy(params["Policy"])
            self._check_principals_exist(policy)
            if caller is None:
                acting = headers.get(H_ACTING_AS)
                acting_record = self.record_for_arn(acting) if acting else None
                caller = self.caller_for(acting_record or record)
            if not params.get("BypassPolicyLockoutSafetyCheck"):
                if operation == "ReplicateKey" and moto_key is not None:
                    # The replica: the primary's shared properties, none of its own yet (the lockout check is
                    # for "the KMS key" being made; API_ReplicateKey, Policy).
                    primary = self.key(moto_key)
                    replica_region = params.get("ReplicaRegion", region)
                    key = replace(primary, arn=f"arn:aws:kms:{replica_region}:{account}:key/{primary.key_id}",
                                  region=replica_region, policy=policy, grants=(), aliases=(), tags={},
                                  state="Enabled", multi_region_key_type="REPLICA")
                elif moto_key is not None:
                    key = self.key(moto_key)  # this state of the world's Key (check_lockout swaps the policy)
                else:
                    key = Key(arn=f"arn:aws:kms:{region}:{account}:key/00000000-0000-0000-0000-000000000000",
                              key_id="00000000-0000-0000-0000-000000000000", account=account, region=region,
                              policy=policy)
                check_lockout(policy, caller, key)
        except PolicyError as exc:
            raise AwsError(exc.code, exc.message) from None

    def _check_principals_exist(self, policy: Any) -> None:
        """A key policy may only name principals that exist (KMS checks this on save)."""
        for ident in aws_principals(policy):
            if ident == "*" or is_account_principal(ident):  # an account always exists
                continue
            if not ident.startswith("arn:"):
                # A unique id (AIDA.../AROA...) stands for a deleted principal: KMS refuses to save it.
                # https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
                raise PolicyError(MALFORMED, INVALID_PRINCIPALS_MESSAGE)
            parts = ident.split(":", 5)
            account, resource = parts[4], parts[5]
            if account not in self.registry.accounts:
                raise PolicyError(MALFORMED, INVALID_PRINCIPALS_MESSAGE)
            kind, _, rest = resource.partition("/")
            name = rest.split("/")[0] if kind == "assumed-role" else rest.rsplit("/", 1)[-1]
            if not moto_adapter.principal_exists(account, kind, name):
                raise PolicyError(MALFORMED, INVALID_PRINCIPALS_MESSAGE)

    def finish(self, response: KmsRequest, status: int, body: Any) -> None:
        event: Event | None = response.note
        if event is None:  # the request never reached authorization
            if status < 400 and response.operation not in READ_ONLY:
                self.changed("kms")
            return
        action = event.action
        if status < 400:  # a refused request changed nothing
            if action not in _READ_ONLY_ACTIONS:
                key = event.key if action not in _MANY_KEYS_ACTIONS else None
                self.changed("kms", key.rsplit("/", 1)[1] if key is not None and ":key/" in key else None)
            for handle in response.used:  # what GetKeyLastUsage reports, its eventId drawn if it is ever asked for
                moto_adapter.record_use(handle, action[4:], event.cloudtrail_id)
        elif event.outcome == "allowed":
            event.outcome = "error"
            try:
                payload = json.loads(body)
                event.error = str(payload.get("__type", "")).rsplit("#", 1)[-1] or str(status)
                event.message = payload.get("message") or payload.get("Message")
            except (ValueError, TypeError, AttributeError):
                event.error = str(status)
        self.on_event(event)


# ------------------------------------------------------------------ installation

_ACTIVE: Authorizer | None = None


def world_changed(scope: str = "all", key_id: str | None = None) -> None:
    """Tell the active lab's authorizer that the world changed outside a request (the lab's own edits).

    `scope="kms"` when only KMS state changed, with `key_id` when only that key did (a probe's
    preparation on moto's KMS backend).
    """
    if _ACTIVE is not None:
        _ACTIVE.changed(scope, key_id)


def install(authorizer: Authorizer) -> None:
    """Make `authorizer` decide every KMS request (the adapter patches moto once per process)."""
    global _ACTIVE
    _ACTIVE = authorizer
    moto_adapter.set_handler(authorizer)


def uninstall(authorizer: Authorizer) -> None:
    """Stop deciding for `authorizer` (if it is still the active one)."""
    global _ACTIVE
    if _ACTIVE is authorizer:
        _ACTIVE = None
        moto_adapter.set_handler(None)


def active() -> Authorizer | None:
    return _ACTIVE
