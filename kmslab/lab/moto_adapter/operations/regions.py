"""Multi-Region keys and key last usage: ReplicateKey, UpdatePrimaryRegion, GetKeyLastUsage.

moto's ReplicateKey makes the replica as a shallow copy of the primary key: the two share their grants,
aliases and multi-Region configuration (a grant or alias made on one appears on the other), the replica
keeps the primary's key policy while the response reports the default one, and Description and Tags are
ignored; it replicates a single-Region key or a replica too, and twice into one Region. AWS: "All other
properties of a replica key can differ, including its key policy, tags, aliases, and key state"; "You
cannot create more than one replica of a primary key in any Region ... ReplicateKey returns an
AlreadyExistsException". So the adapter answers ReplicateKey in moto's place (`around`), and answers
UpdatePrimaryRegion and GetKeyLastUsage, which moto lacks.
https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdatePrimaryRegion.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html

Each key of a multi-Region set keeps its own `multi_region_configuration` (moto's attribute), written by
`_sync` whenever the set changes, so DescribeKey of any key shows the set as it is.

Messages AWS does not document are kmslab's wording (docs/aws-references.md, "Multi-Region keys").
"""

from __future__ import annotations

import json
from typing import Any

import moto.kms.models as _moto_kms_models
from moto.kms.models import kms_backends
from moto.kms.responses import KmsResponse
from moto.kms.utils import KEY_ID_LEN

from ..hooks import AwsError
from ..probes import arn_in, regions_of, related_keys, replicate, set_primary
from ..world import key_id_in_blob, last_use
from . import Method, around, operation, params

# ------------------------------------------------------------------ moto's ciphertexts of multi-Region keys


def full_key_id(keys: Any, key_id: str) -> str:
    """The key id a ciphertext names, whole: moto writes KEY_ID_LEN (36) characters of it, and its multi-Region key
    ids ("mrk-" + a UUID) have 40, so a ciphertext names an MRK by its first 36 characters only."""
    if key_id in keys or len(key_id) != KEY_ID_LEN or not key_id.startswith("mrk-"):
        return key_id
    return next((k for k in keys if k.startswith(key_id)), key_id)


_ORIGINAL_DECRYPT = getattr(_moto_kms_models.decrypt, "_kmslab_original", _moto_kms_models.decrypt)


def _decrypt(master_keys: Any, ciphertext_blob: bytes, encryption_context: Any) -> tuple[bytes, str]:
    """moto's decrypt, finding a multi-Region key by the shortened id its ciphertext holds (without this no
    ciphertext of a multi-Region key decrypts: AccessDeniedException, empty message)."""
    short = key_id_in_blob(ciphertext_blob)
    if short is None:  # moto's decrypt answers InvalidCiphertextException for it
        return _ORIGINAL_DECRYPT(master_keys, ciphertext_blob, encryption_context)
    full = full_key_id(master_keys, short)
    if full == short:
        return _ORIGINAL_DECRYPT(master_keys, ciphertext_blob, encryption_context)
    plaintext, _ = _ORIGINAL_DECRYPT({short: master_keys[full]}, ciphertext_blob, encryption_context)
    return plaintext, full


_decrypt._kmslab_original = _ORIGINAL_DECRYPT  # type: ignore[attr-defined]
_moto_kms_models.decrypt = _decrypt  # KmsBackend.decrypt (and re_encrypt) call the module's `decrypt`


# ------------------------------------------------------------------ the set of related multi-Region keys


def _key(response: KmsResponse, key_id: str) -> Any:
    """The key a KeyId names in the request's account and Region (NotFoundException as moto words it)."""
    response._validate_cmk_id(key_id)
    backend = response.kms_backend
    return backend.keys[backend.get_key_id(key_id)]


def _check_primary(key: Any, operation_name: str) -> None:
    """UnsupportedOperationException unless the key is a multi-Region primary key (kmslab's wording)."""
    if not key.multi_region:
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} is not a multi-Region key. {operation_name} needs a multi-Region primary key.")
    if key.multi_region_configuration["MultiRegionKeyType"] != "PRIMARY":
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} is a multi-Region replica key. {operation_name} needs a multi-Region primary key.")


# ------------------------------------------------------------------ the operations


@around("ReplicateKey")
def replicate_key(response: KmsResponse, _moto: Method) -> str:
    """ReplicateKey, answered in moto's place (see the module's docstring)."""
    p = params(response)
    key = _key(response, p["KeyId"])
    _check_primary(key, "ReplicateKey")
    region = p["ReplicaRegion"]
    primary, replicas = regions_of(key)
    if region == primary or region in replicas:
        # "If the Region already includes a replica of the key you're trying to replicate, ReplicateKey returns
        # an AlreadyExistsException error." (API_ReplicateKey); the message is kmslab's wording.
        raise AwsError("AlreadyExistsException", f"{arn_in(key, region)} already exists.")
    if region not in kms_backends[key.account_id].regions:
        raise AwsError("UnsupportedOperationException", f"{region} is not a Region where KMS is available.")
    made = replicate(key, region, p.get("Policy"), p.get("Description") or "", p.get("Tags"))
    metadata = made.to_dict()["KeyMetadata"]
    # "When this operation completes, the new replica key has a transient key state of Creating. This key state
    # changes to Enabled (or PendingImport) after a few seconds" (API_ReplicateKey): the response says Creating
    # (and Enabled false, as in the Developer Guide's CloudTrail example, ct-replicate-key.html); the lab's next
    # request finds the key as it is a few seconds later.
    metadata.update(KeyState="Creating", Enabled=False)
    return json.dumps({"ReplicaKeyMetadata": metadata, "ReplicaPolicy": made.policy,
                       "ReplicaTags": [dict(t) for t in p.get("Tags") or []]})


@operation("UpdatePrimaryRegion")
def update_primary_region(response: KmsResponse) -> str:
    """UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary key, the primary a replica.

    "This operation does not return any output." The transient Updating state ends before the lab's next
    request (as ReplicateKey's Creating).
    """
    p = params(response)
    key = _key(response, p["KeyId"])
    _check_primary(key, "UpdatePrimaryRegion")
    region = p["PrimaryRegion"]
    if region not in related_keys(key):
        # "There must be an existing replica key in this Region." The error is kmslab's choice.
        raise AwsError("NotFoundException", f"{arn_in(key, region)} does not exist: PrimaryRegion must be the Region "
                                             "of a replica of the key.")
    if region != key.region:
        set_primary(key, region)
    return "{}"


@around("ScheduleKeyDeletion")
def schedule_key_deletion(response: KmsResponse, moto_method: Method) -> str:
    """ScheduleKeyDeletion of a multi-Region primary key with replicas: PendingReplicaDeletion, no DeletionDate.

    "If you schedule the deletion of a primary key with replicas, its key state changes to PendingReplicaDeletion
    and it cannot be replicated or used in cryptographic operations. This status can continue indefinitely. When the
    last of its replicas keys is deleted (not just scheduled), the key state of the primary key changes to
    PendingDeletion" (API_ScheduleKeyDeletion); DeletionDate: "If the KMS key is a multi-Region primary key with
    replica keys, this field does not appear." moto makes every key PendingDeletion. In the lab no waiting period
    ends, so a replica is never deleted and the primary stays PendingReplicaDeletion.
    """
    answer = moto_method(response)
    backend = response.kms_backend
    key = backend.keys.get(backend.get_key_id(params(response).get("KeyId", "")))
    if key is None or not key.multi_region:
        return answer
    primary = regions_of(key)[0]
    if key.region != primary or len(related_keys(key)) < 2:
        return answer
    key.key_state, key.deletion_date = "PendingReplicaDeletion", None
    out = json.loads(answer)
    out.pop("DeletionDate", None)
    out.update(KeyState="PendingReplicaDeletion", PendingWindowInDays=params(response).get("PendingWindowInDays", 30))
    return json.dumps(out)


@operation("GetKeyLastUsage")
def get_key_last_usage(response: KmsResponse) -> str:
    """GetKeyLastUsage: the key's last successful cryptographic operation ({} if none since tracking began).

    The lab tracks every key from its creation, so TrackingStartDate is the key's creation date ("The date from
    which KMS began recording cryptographic activity for this key, or the date the KMS key was created,
    whichever is later"). "Alias names are not supported" (KeyId): moto's NotFoundException for a key id
    that is not one.
    """
    p = params(response)
    key_id = p["KeyId"]
    if key_id.startswith("alias/") or ":alias/" in key_id:
        raise AwsError("NotFoundException", f"Invalid keyId '{key_id}'")
    key = _key(response, key_id)
    return json.dumps({"KeyId": key.id, "KeyLastUsage": last_use(key),
                       "TrackingStartDate": key.creation_date, "KeyCreationDate": key.creation_date})
