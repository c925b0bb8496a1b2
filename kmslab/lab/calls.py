"""How the lab makes one request for an IAM action: the boto3 call, its preparation and its undoing.

A table row for kms:Decrypt needs a ciphertext made beforehand; kms:ScheduleKeyDeletion
must be undone so the next row sees the same key. Preparation and undoing are outside
authorization (scenario format: "the lab prepares it beforehand ... outside
authorization"), so they act on the keys directly through a `KeyStore` (the moto adapter's
`probes.KeyStore`): only the request itself goes through boto3 and the engine, which keeps a
table of 32 requests to 32 calls. This module imports nothing from kmslab (the benchmarks load it
stand-alone).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

PLAINTEXT = b"kmslab: the quick brown fox"


@dataclass
class CallPlan:
    """The API operation to call with its parameters, and what to undo afterwards."""

    operation: str  # boto3 method name
    params: dict[str, Any]
    undo: list[Callable[[], None]] = field(default_factory=list)


# Actions whose plan's undo only removes what the preparation made (a scratch key, a probe alias, tag or grant),
# never what the request itself changed: a request whose effect is kept (`Lab.request(keep=True)`, a scenario
# file's requests) still runs their undo; the others' undo (put back a policy, a state, tags...) is skipped.
PREPARATION_ONLY_UNDO = frozenset({
    "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RevokeGrant", "kms:RetireGrant", "kms:UpdateAlias",
    "kms:DeleteAlias", "kms:UntagResource",
})
# The parameter that names what an action's undo puts back (the probe's own tag, alias or grant): when the caller
# gives it, the lab cannot undo the request (`Lab.request` refuses unless keep=True).
UNDONE_BY_NAME = {
    "kms:TagResource": "Tags", "kms:UntagResource": "TagKeys", "kms:CreateAlias": "AliasName",
    "kms:UpdateAlias": "AliasName", "kms:DeleteAlias": "AliasName", "kms:RetireGrant": "GrantId",
    "kms:RevokeGrant": "GrantId",
}


class KeyStore(Protocol):
    """The keys of one account and region, prepared and restored outside authorization."""

    def encrypt(self, key_id: str, plaintext: bytes, context: dict[str, str] | None) -> bytes: ...
    def policy(self, key_id: str) -> str: ...
    def saved(self, key_id: str, aspect: str) -> Callable[[], None]: ...
    def add_grant(self, key_id: str, grantee: str, operations: list[str], name: str) -> str: ...
    def remove_grant(self, key_id: str, grant_id: str) -> None: ...
    def remove_alias(self, key_id: str, alias: str) -> None: ...
    def untag(self, key_id: str, tag_keys: list[str]) -> None: ...
    def of_account(self, account: str) -> KeyStore: ...
    def scratch_key(self, policy: str, description: str) -> tuple[str, str]: ...
    def delete_key(self, key_id: str) -> None: ...
    def spec(self, key_id: str) -> tuple[str, str]: ...
    def sign(self, key_id: str, message: bytes, algorithm: str) -> bytes: ...
    def mac(self, key_id: str, message: bytes, algorithm: str) -> bytes: ...
    def add_alias(self, key_id: str, alias: str) -> None: ...
    def tag(self, key_id: str, tags: dict[str, str]) -> None: ...
    def add_retirable_grant(self, key_id: str, grantee: str, retiring: str, name: str) -> str: ...
    def import_request(self, key_id: str) -> tuple[bytes, bytes]: ...
    def encapsulated(self, key_id: str) -> bytes: ...


@dataclass
class CallInput:
    """What a plan needs: direct access to the key, the key id as the request names it, options."""

    store: Any  # a KeyStore of the key's account and region (None for key-less actions)
    key_id: str | None  # the key's bare id in that store
    key_ref: str | None  # the KeyId parameter as the request names it
    destination_arn: str | None = None
    encryption_context: dict[str, str] | None = None
    encryption_algorithm: str | None = None
    grant: dict[str, Any] | None = None
    caller_arn: str = ""
    ciphertexts: dict[Any, bytes] = field(default_factory=dict)  # the lab's cache: (key id, context) -> blob


def _ctx(inp: CallInput) -> dict[str, Any]:
    return {"EncryptionContext": inp.encryption_context} if inp.encryption_context else {}


def _ciphertext(inp: CallInput) -> bytes:
    """A ciphertext under the key with the request's context, made once per key and context."""
    cache_key = (inp.key_id, tuple(sorted((inp.encryption_context or {}).items())))
    blob = inp.ciphertexts.get(cache_key)
    if blob is None:
        blob = inp.store.encrypt(inp.key_id, PLAINTEXT, inp.encryption_context or {})
        inp.ciphertexts[cache_key] = blob
    return blob


def _encrypt(inp: CallInput) -> CallPlan:
    extra = {"EncryptionAlgorithm": inp.encryption_algorithm} if inp.encryption_algorithm else {}
    return CallPlan("encrypt", {"KeyId": inp.key_ref, "Plaintext": PLAINTEXT, **_ctx(inp), **extra})


def _decrypt(inp: CallInput) -> CallPlan:
    extra = {"EncryptionAlgorithm": inp.encryption_algorithm} if inp.encryption_algorithm else {}
    return CallPlan("decrypt", {"CiphertextBlob": _ciphertext(inp), "KeyId": inp.key_ref, **_ctx(inp), **extra})


def _reencrypt(inp: CallInput) -> CallPlan:
    params: dict[str, Any] = {
        "CiphertextBlob": _ciphertext(inp),
        "SourceKeyId": inp.key_ref,
        "DestinationKeyId": inp.destination_arn or inp.key_ref,
    }
    if inp.encryption_context:
        params["SourceEncryptionContext"] = inp.encryption_context
        params["DestinationEncryptionContext"] = inp.encryption_context
    return CallPlan("re_encrypt", params)


# The other end of a table's ReEncrypt cell: a key in the caller's account that its key policy lets
# anyone use ("Principal": "*" in the key's own account needs no IAM permission), so the cell shows
# what the column asks about this key alone (unless an explicit deny, SCP or boundary also stops
# ReEncrypt on every key; then no such key exists, and the cell says so).
# ReEncrypt is authorized as kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
# destination key: https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html
USABLE_KEY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "kmslab: a key the caller may use", "Effect": "Allow", "Principal": {"AWS": "*"},
    "Action": "kms:*", "Resource": "*"}]})
USABLE_KEY_DESCRIPTION = "kmslab: the other end of a ReEncrypt probe"


def _usable_key(inp: CallInput) -> tuple[Any, str, str, Callable[[], None]]:
    """(store, key id, ARN, undo) of a scratch key the caller may use, in the caller's account."""
    account = inp.caller_arn.split(":")[4]
    store = inp.store.of_account(account)
    key_id, arn = store.scratch_key(USABLE_KEY_POLICY, USABLE_KEY_DESCRIPTION)
    return store, key_id, arn, lambda: store.delete_key(key_id)


def _reencrypt_from(inp: CallInput) -> CallPlan:
    """kms:ReEncryptFrom: from this key to a destination the caller may use (or the destination asked for)."""
    if inp.destination_arn:
        return _reencrypt(inp)
    _store, _key_id, arn, undo = _usable_key(inp)
    plan = _reencrypt(replace(inp, destination_arn=arn))
    plan.undo.append(undo)
    return plan


def _reencrypt_to(inp: CallInput) -> CallPlan:
    """kms:ReEncryptTo: to this key from a source the caller may use (or from this key to the destination
    asked for, as before)."""
    if inp.destination_arn:
        return _reencrypt(inp)
    store, key_id, arn, undo = _usable_key(inp)
    params: dict[str, Any] = {
        "CiphertextBlob": store.encrypt(key_id, PLAINTEXT, inp.encryption_context or {}),
        "SourceKeyId": arn,
        "DestinationKeyId": inp.key_ref,
    }
    if inp.encryption_context:
        params["SourceEncryptionContext"] = inp.encryption_context
        params["DestinationEncryptionContext"] = inp.encryption_context
    return CallPlan("re_encrypt", params, [undo])


def _simple(operation: str, **fixed: Any) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        return CallPlan(operation, {"KeyId": inp.key_ref, **fixed})
    return plan


def _with_context(operation: str, **fixed: Any) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        return CallPlan(operation, {"KeyId": inp.key_ref, **fixed, **_ctx(inp)})
    return plan


def _enable_key(inp: CallInput) -> CallPlan:
    return CallPlan("enable_key", {"KeyId": inp.key_ref}, [_state_undo(inp)])


def _update_description(inp: CallInput) -> CallPlan:
    return CallPlan("update_key_description", {"KeyId": inp.key_ref, "Description": "kmslab"},
                    [inp.store.saved(inp.key_id, "description")])


def _keyless(operation: str, **fixed: Any) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        return CallPlan(operation, dict(fixed))
    return plan


def without_deleted_principals(policy_text: str) -> str:
    """The key policy minus unique ids left by deleted principals (which KMS refuses to save again).

    This is the policy an administrator would put back; statements left with no principal go.
    """
    doc = json.loads(policy_text)
    statements = doc.get("Statement", [])
    kept = []
    for s in statements if isinstance(statements, list) else [statements]:
        principal = s.get("Principal")
        if isinstance(principal, dict) and "AWS" in principal:
            values = principal["AWS"] if isinstance(principal["AWS"], list) else [principal["AWS"]]
            alive = [v for v in values if v == "*" or v.isdigit() or v.startswith("arn:")]
            if not alive:
                continue
            principal["AWS"] = alive if len(alive) > 1 else alive[0]
        kept.append(s)
    doc["Statement"] = kept
    return json.dumps(doc)


def _put_key_policy(inp: CallInput) -> CallPlan:
    # Put back the policy the key has (without deleted principals' ids): the request is decided
    # on its permissions, and the key keeps its policy.
    policy = without_deleted_principals(inp.store.policy(inp.key_id))
    return CallPlan("put_key_policy", {"KeyId": inp.key_ref, "PolicyName": "default", "Policy": policy},
                    [inp.store.saved(inp.key_id, "policy")])


def _state_undo(inp: CallInput) -> Callable[[], None]:
    """An undo that puts the key's state (enabled, pending deletion) back as it is now."""
    return inp.store.saved(inp.key_id, "state")


def _schedule_deletion(inp: CallInput) -> CallPlan:
    undo = _state_undo(inp)
    return CallPlan("schedule_key_deletion", {"KeyId": inp.key_ref, "PendingWindowInDays": 7}, [undo])


def _disable_key(inp: CallInput) -> CallPlan:
    return CallPlan("disable_key", {"KeyId": inp.key_ref}, [_state_undo(inp)])


def _create_grant(inp: CallInput) -> CallPlan:
    undo = inp.store.saved(inp.key_id, "grants")
    grant = inp.grant or {"grantee": inp.caller_arn, "operations": ["Decrypt"]}
    params: dict[str, Any] = {
        "KeyId": inp.key_ref, "GranteePrincipal": grant["grantee"], "Operations": list(grant["operations"]),
    }
    if grant.get("retiring_principal"):
        params["RetiringPrincipal"] = grant["retiring_principal"]
    constraints = grant.get("constraints") or {}
    if constraints.get("encryption_context_equals"):
        params["Constraints"] = {"EncryptionContextEquals": constraints["encryption_context_equals"]}
    elif constraints.get("encryption_context_subset"):
        params["Constraints"] = {"EncryptionContextSubset": constraints["encryption_context_subset"]}
    return CallPlan("create_grant", params, [undo])


def _revoke_grant(inp: CallInput) -> CallPlan:
    grant_id = inp.store.add_grant(inp.key_id, inp.caller_arn, ["Decrypt"], "kmslab-probe")

    def undo() -> None:
        inp.store.remove_grant(inp.key_id, grant_id)
    return CallPlan("revoke_grant", {"KeyId": inp.key_ref, "GrantId": grant_id}, [undo])


def _create_alias(inp: CallInput) -> CallPlan:
    name = "alias/kmslab-probe"

    def undo() -> None:
        inp.store.remove_alias(inp.key_id, name)
    return CallPlan("create_alias", {"AliasName": name, "TargetKeyId": inp.key_ref}, [undo])


def _tag(inp: CallInput) -> CallPlan:
    undo = [lambda: inp.store.untag(inp.key_id, ["kmslab-probe"])]
    return CallPlan("tag_resource", {"KeyId": inp.key_ref, "Tags": [{"TagKey": "kmslab-probe", "TagValue": "1"}]}, undo)


def _rotation(enable: bool) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        return CallPlan("enable_key_rotation" if enable else "disable_key_rotation", {"KeyId": inp.key_ref},
                        [inp.store.saved(inp.key_id, "rotation")])
    return plan


# ---------------------------------------------------------------- signing, HMAC, deletion, aliases, grants

# A signing algorithm each asymmetric key spec supports (API_Sign, SigningAlgorithm; "Signing algorithms":
# https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html). A key without one (a
# symmetric or HMAC key) gets RSASSA_PSS_SHA_256, and AWS answers InvalidKeyUsageException.
_SIGNING_ALGORITHM = {"ECC_NIST_P256": "ECDSA_SHA_256", "ECC_SECG_P256K1": "ECDSA_SHA_256",
                      "ECC_NIST_P384": "ECDSA_SHA_384", "ECC_NIST_P521": "ECDSA_SHA_512",
                      "ECC_NIST_EDWARDS25519": "ED25519_SHA_512", "ML_DSA_44": "ML_DSA_SHAKE_256",
                      "ML_DSA_65": "ML_DSA_SHAKE_256", "ML_DSA_87": "ML_DSA_SHAKE_256"}
# The MAC algorithm of each HMAC key spec (https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html).
_MAC_ALGORITHM = {"HMAC_224": "HMAC_SHA_224", "HMAC_256": "HMAC_SHA_256", "HMAC_384": "HMAC_SHA_384",
                  "HMAC_512": "HMAC_SHA_512"}
PROBE_ALIAS = "alias/kmslab-probe"


def _signing_algorithm(inp: CallInput) -> tuple[str, bool]:
    """(algorithm, whether the key can sign) for the key's spec."""
    spec, usage = inp.store.spec(inp.key_id)
    return _SIGNING_ALGORITHM.get(spec, "RSASSA_PSS_SHA_256"), usage == "SIGN_VERIFY"


def _sign(inp: CallInput) -> CallPlan:
    algorithm, _ = _signing_algorithm(inp)
    return CallPlan("sign", {"KeyId": inp.key_ref, "Message": PLAINTEXT, "MessageType": "RAW",
                             "SigningAlgorithm": algorithm})


def _verify(inp: CallInput) -> CallPlan:
    algorithm, can_sign = _signing_algorithm(inp)
    # A real signature by the key (made outside authorization) when it can sign; else any bytes.
    signature = inp.store.sign(inp.key_id, PLAINTEXT, algorithm) if can_sign else b"kmslab: not a signature"
    return CallPlan("verify", {"KeyId": inp.key_ref, "Message": PLAINTEXT, "MessageType": "RAW",
                               "Signature": signature, "SigningAlgorithm": algorithm})


def _mac_algorithm(inp: CallInput) -> tuple[str, bool]:
    spec, usage = inp.store.spec(inp.key_id)
    return _MAC_ALGORITHM.get(spec, "HMAC_SHA_256"), usage == "GENERATE_VERIFY_MAC"


def _generate_mac(inp: CallInput) -> CallPlan:
    algorithm, _ = _mac_algorithm(inp)
    return CallPlan("generate_mac", {"KeyId": inp.key_ref, "Message": PLAINTEXT, "MacAlgorithm": algorithm})


def _verify_mac(inp: CallInput) -> CallPlan:
    algorithm, can_mac = _mac_algorithm(inp)
    mac = inp.store.mac(inp.key_id, PLAINTEXT, algorithm) if can_mac else b"kmslab: not a MAC"
    return CallPlan("verify_mac", {"KeyId": inp.key_ref, "Message": PLAINTEXT, "MacAlgorithm": algorithm,
                                   "Mac": mac})


def _cancel_deletion(inp: CallInput) -> CallPlan:
    # On a key that is not pending deletion AWS answers KMSInvalidStateException (key state table [4]).
    return CallPlan("cancel_key_deletion", {"KeyId": inp.key_ref}, [_state_undo(inp)])


def _update_alias(inp: CallInput) -> CallPlan:
    """UpdateAlias of an alias (on a scratch key) to this key; the alias and the scratch key go afterwards."""
    scratch_id, _arn = inp.store.scratch_key(USABLE_KEY_POLICY, USABLE_KEY_DESCRIPTION)
    inp.store.add_alias(scratch_id, PROBE_ALIAS)

    def undo() -> None:
        inp.store.remove_alias(inp.key_id, PROBE_ALIAS)
        inp.store.delete_key(scratch_id)
    return CallPlan("update_alias", {"AliasName": PROBE_ALIAS, "TargetKeyId": inp.key_ref}, [undo])


def _delete_alias(inp: CallInput) -> CallPlan:
    inp.store.add_alias(inp.key_id, PROBE_ALIAS)
    return CallPlan("delete_alias", {"AliasName": PROBE_ALIAS},
                    [lambda: inp.store.remove_alias(inp.key_id, PROBE_ALIAS)])


def _untag(inp: CallInput) -> CallPlan:
    inp.store.tag(inp.key_id, {"kmslab-probe": "1"})
    return CallPlan("untag_resource", {"KeyId": inp.key_ref, "TagKeys": ["kmslab-probe"]},
                    [lambda: inp.store.untag(inp.key_id, ["kmslab-probe"])])


def _retire_grant(inp: CallInput) -> CallPlan:
    """RetireGrant of a grant whose retiring principal is the caller (made outside authorization)."""
    grant_id = inp.store.add_retirable_grant(inp.key_id, inp.caller_arn, inp.caller_arn, "kmslab-probe")
    return CallPlan("retire_grant", {"KeyId": inp.key_ref, "GrantId": grant_id},
                    [lambda: inp.store.remove_grant(inp.key_id, grant_id)])


def _list_retirable_grants(inp: CallInput) -> CallPlan:
    return CallPlan("list_retirable_grants", {"RetiringPrincipal": inp.caller_arn})


def _rotate_on_demand(inp: CallInput) -> CallPlan:
    return CallPlan("rotate_key_on_demand", {"KeyId": inp.key_ref}, [inp.store.saved(inp.key_id, "rotations")])


def _create_key(inp: CallInput) -> CallPlan:
    # The new key stays, as it would on AWS; tables show CreateKey only when asked for it.
    return CallPlan("create_key", {"Description": "kmslab probe"})


# ---------------------------------------------------------------- key agreement and key encapsulation

# The curve of each NIST key spec (DeriveSharedSecret: "both key pairs must be on the same elliptic curve"); a key of
# another spec gets a P-256 peer key, and AWS answers InvalidKeyUsageException unless its usage is KEY_AGREEMENT.
_PEER_CURVE = {"ECC_NIST_P256": "SECP256R1", "ECC_NIST_P384": "SECP384R1", "ECC_NIST_P521": "SECP521R1"}


def _derive_shared_secret(inp: CallInput) -> CallPlan:
    """DeriveSharedSecret with the public key of a new peer key pair on the key's curve (made outside the lab, as
    Bob's is in API_DeriveSharedSecret's workflow)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    spec, _usage = inp.store.spec(inp.key_id)
    peer = ec.generate_private_key(getattr(ec, _PEER_CURVE.get(spec, "SECP256R1"))())
    public = peer.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return CallPlan("derive_shared_secret", {"KeyId": inp.key_ref, "KeyAgreementAlgorithm": "ECDH",
                                             "PublicKey": public})


def _decapsulate(inp: CallInput) -> CallPlan:
    """Decapsulate of a shared secret encapsulated under the key (made outside authorization, as Encapsulate would;
    for a key that is not an ML-KEM key, a blob of ML_KEM_768's size: AWS answers InvalidKeyUsageException)."""
    return CallPlan("decapsulate", {"KeyId": inp.key_ref, "EncapsulationAlgorithm": "ML_KEM",
                                    "SharedSecretCiphertextBlob": inp.store.encapsulated(inp.key_id)})


# ---------------------------------------------------------------- imported key material

# The wrapping key the GetParametersForImport cell asks for: the pair of AWS's own examples
# (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-get-public-key-and-token.html).
IMPORT_WRAPPING = {"WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}


def _get_parameters_for_import(inp: CallInput) -> CallPlan:
    # On a key whose origin is not EXTERNAL AWS answers UnsupportedOperationException (key state table [9]).
    return CallPlan("get_parameters_for_import", {"KeyId": inp.key_ref, **IMPORT_WRAPPING},
                    [inp.store.saved(inp.key_id, "import")])


def _import_key_material(inp: CallInput) -> CallPlan:
    """ImportKeyMaterial of the key's own material (or new material, if it never had any), wrapped under a
    wrapping key made outside authorization; the material does not expire (no ValidTo needed)."""
    undo = inp.store.saved(inp.key_id, "import")
    token, wrapped = inp.store.import_request(inp.key_id)
    return CallPlan("import_key_material", {"KeyId": inp.key_ref, "ImportToken": token,
                                            "EncryptedKeyMaterial": wrapped,
                                            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, [undo])


def _delete_imported_key_material(inp: CallInput) -> CallPlan:
    return CallPlan("delete_imported_key_material", {"KeyId": inp.key_ref}, [inp.store.saved(inp.key_id, "import")])


# ---------------------------------------------------------------- custom key stores

# The lab's account has no custom key store and no CloudHSM cluster (moto_adapter/operations/custom_key_stores.py):
# an authorized caller gets AWS's answer for that account, e.g. CustomKeyStoreNotFoundException. The ids are in the
# form of AWS's examples (API_ConnectCustomKeyStore: cks-1234567890abcdef0; CloudHsmClusterId's pattern
# cluster-[2-7a-zA-Z]{11,16}).
PROBE_KEY_STORE = {"CustomKeyStoreId": "cks-1234567890abcdef0"}
PROBE_CLOUDHSM_STORE = {"CustomKeyStoreName": "kmslab-probe", "CloudHsmClusterId": "cluster-234a5b6cdef",
                        "TrustAnchorCertificate": "kmslab: the cluster's customerCA.crt",
                        "KeyStorePassword": "kmslab-probe-password"}


PLANS: dict[str, Callable[[CallInput], CallPlan]] = {
    "kms:Encrypt": _encrypt,
    "kms:Decrypt": _decrypt,
    "kms:ReEncryptFrom": _reencrypt_from,
    "kms:ReEncryptTo": _reencrypt_to,
    "kms:GenerateDataKey": _with_context("generate_data_key", KeySpec="AES_256"),
    "kms:GenerateDataKeyWithoutPlaintext": _with_context("generate_data_key_without_plaintext", KeySpec="AES_256"),
    # A data key pair of AWS's recommended signing spec (API_GenerateDataKeyPair: "KMS recommends that you use ECC
    # key pairs for signing"); quick to make, unlike RSA.
    "kms:GenerateDataKeyPair": _with_context("generate_data_key_pair", KeyPairSpec="ECC_NIST_P256"),
    "kms:GenerateDataKeyPairWithoutPlaintext": _with_context("generate_data_key_pair_without_plaintext",
                                                             KeyPairSpec="ECC_NIST_P256"),
    "kms:DescribeKey": _simple("describe_key"),
    "kms:GetKeyPolicy": _simple("get_key_policy", PolicyName="default"),
    "kms:PutKeyPolicy": _put_key_policy,
    "kms:ListKeyPolicies": _simple("list_key_policies"),
    "kms:ListGrants": _simple("list_grants"),
    "kms:ListResourceTags": _simple("list_resource_tags"),
    "kms:GetKeyRotationStatus": _simple("get_key_rotation_status"),
    "kms:EnableKeyRotation": _rotation(True),
    "kms:DisableKeyRotation": _rotation(False),
    "kms:ScheduleKeyDeletion": _schedule_deletion,
    "kms:DisableKey": _disable_key,
    "kms:EnableKey": _enable_key,
    "kms:CreateGrant": _create_grant,
    "kms:RevokeGrant": _revoke_grant,
    "kms:CreateAlias": _create_alias,
    "kms:TagResource": _tag,
    "kms:UpdateKeyDescription": _update_description,
    "kms:ListKeys": _keyless("list_keys"),
    "kms:ListAliases": _keyless("list_aliases"),
    "kms:GenerateRandom": _keyless("generate_random", NumberOfBytes=16),
    "kms:CreateKey": _create_key,
    "kms:Sign": _sign,
    "kms:Verify": _verify,
    "kms:GetPublicKey": _simple("get_public_key"),
    "kms:GenerateMac": _generate_mac,
    "kms:VerifyMac": _verify_mac,
    "kms:CancelKeyDeletion": _cancel_deletion,
    "kms:UpdateAlias": _update_alias,
    "kms:DeleteAlias": _delete_alias,
    "kms:UntagResource": _untag,
    "kms:RetireGrant": _retire_grant,
    "kms:ListRetirableGrants": _list_retirable_grants,
    "kms:RotateKeyOnDemand": _rotate_on_demand,
    "kms:ListKeyRotations": _simple("list_key_rotations"),
    "kms:DeriveSharedSecret": _derive_shared_secret,
    "kms:Encapsulate": _simple("encapsulate", EncapsulationAlgorithm="ML_KEM"),
    "kms:Decapsulate": _decapsulate,
    "kms:GetParametersForImport": _get_parameters_for_import,
    "kms:ImportKeyMaterial": _import_key_material,
    "kms:DeleteImportedKeyMaterial": _delete_imported_key_material,
    "kms:DescribeCustomKeyStores": _keyless("describe_custom_key_stores"),
    "kms:CreateCustomKeyStore": _keyless("create_custom_key_store", **PROBE_CLOUDHSM_STORE),
    "kms:ConnectCustomKeyStore": _keyless("connect_custom_key_store", **PROBE_KEY_STORE),
    "kms:DisconnectCustomKeyStore": _keyless("disconnect_custom_key_store", **PROBE_KEY_STORE),
    "kms:DeleteCustomKeyStore": _keyless("delete_custom_key_store", **PROBE_KEY_STORE),
    "kms:UpdateCustomKeyStore": _keyless("update_custom_key_store", NewCustomKeyStoreName="kmslab-probe",
                                         **PROBE_KEY_STORE),
}
