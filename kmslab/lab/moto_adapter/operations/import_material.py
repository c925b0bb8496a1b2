"""The import family (moto implements none of it): GetParametersForImport, ImportKeyMaterial,
DeleteImportedKeyMaterial, and CreateKey with Origin EXTERNAL making a key without key material.

AWS's pages:
- https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html
- https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
- https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html
- https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html ("When the import operation
  completes successfully, the key state of the KMS key changes from PendingImport to Enabled")

What the lab really does (docs/aws-references.md 10.5): GetParametersForImport makes a real RSA wrapping key pair
of the requested size and an opaque random import token, valid 24 hours; ImportKeyMaterial unwraps the material
with the private half (RSAES_OAEP_SHA_1/256 with `cryptography`'s RSA-OAEP; RSA_AES_KEY_WRAP_SHA_1/256 with
RSA-OAEP and AES key wrap with padding, RFC 5649), so material wrapped under another public key, with another
algorithm, or corrupted is refused as AWS refuses it. The unwrapped material must fit the key spec (32 bytes for
SYMMETRIC_DEFAULT; for HMAC keys kmslab accepts the digest size to the block size; for asymmetric keys a PKCS #8
DER private key of the key spec), and a reimport must bring the same material. The symmetric and HMAC material
becomes the key material moto encrypts and MACs with (moto's ciphertext layout, not AWS's); for asymmetric keys
the imported private key replaces moto's key pair. At ValidTo the material is deleted: the first KMS request after it
finds the key PendingImport (`expire_due`, called by hooks.py before each request). Not simulated: SM2 wrapping
(China Regions),
multiple key materials (ImportType, KeyMaterialId beyond the one the lab computes).

The state lives on moto's Key (`_kmslab_import`, a `KeyImport`), replaced, never mutated, so a probe's undo can
put the old one back (`probes.KeyStore.saved(key_id, "import")`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap_with_padding,
)
from moto.kms.responses import KmsResponse

from ..hooks import AwsError
from . import Method, around, operation, params

STATE = "_kmslab_import"  # the attribute of moto's Key holding its KeyImport
PARAMETERS_VALID_FOR = 24 * 3600  # "Each public key and import token set is valid for 24 hours."
MAX_VALID_TO = 365 * 24 * 3600  # ValidTo: "The maximum value is 365 days from the request date."
WRAPPING_KEY_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
# The RSA wrapping algorithms and their hash; RSA_AES_* wrap an AES key with RSA-OAEP, the material with it.
WRAPPING_HASH: dict[str, type[hashes.HashAlgorithm]] = {
    "RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256,
    "RSA_AES_KEY_WRAP_SHA_1": hashes.SHA1, "RSA_AES_KEY_WRAP_SHA_256": hashes.SHA256}
# HMAC key specs: (digest size, block size) in bytes; kmslab accepts material between the two.
HMAC_MATERIAL = {"HMAC_224": (28, 64), "HMAC_256": (32, 64), "HMAC_384": (48, 128), "HMAC_512": (64, 128)}
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
ECC_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1}


@dataclass(frozen=True)
class ImportSet:
    """One GetParametersForImport answer: the wrapping key pair's private half, the algorithm, the deadline."""

    private_key: rsa.RSAPrivateKey
    algorithm: str
    valid_to: float


@dataclass(frozen=True)
class KeyImport:
    """What a key with Origin EXTERNAL has had imported (replaced on every change, never mutated)."""

    sets: dict[bytes, ImportSet] = field(default_factory=dict)  # import token -> its set
    material: bytes | None = None  # the material first imported: a reimport must bring the same
    imported: bool = False  # the material is in the key now (DeleteImportedKeyMaterial takes it out)
    expiration_model: str | None = None
    valid_to: float | None = None


def _now() -> float:
    """The time import tokens and ValidTo are checked against: the lab's clock (a scenario's `now`,
    `Lab.set_clock`) when fixed, as aws:CurrentTime sees it, else the real one."""
    from ....engine.context import fixed_clock

    fixed = fixed_clock()
    return time.time() if fixed is None else float(fixed)


def key_import(key: Any) -> KeyImport:
    return getattr(key, STATE, None) or KeyImport()


# ------------------------------------------------------------------ errors (docs/aws-references.md 10.5)


def _not_external(key: Any) -> AwsError:
    # Key state table [6] / [9]: "<key ARN> origin is EXTERNAL which is not valid for this operation." with the
    # key's origin (kmslab's wording for [9], as key_states.py).
    return AwsError("UnsupportedOperationException", f"{key.arn} origin is {key.origin} which is not valid for "
                                                     "this operation.")


def _find_key(response: KmsResponse, key_id: str) -> Any:
    """The moto key a KeyId names (moto's NotFoundException if none)."""
    return response.kms_backend.describe_key(key_id)


def _external_key(response: KmsResponse) -> Any:
    key = _find_key(response, params(response).get("KeyId", ""))
    if key.origin != "EXTERNAL":
        raise _not_external(key)
    return key


# ------------------------------------------------------------------ CreateKey (Origin EXTERNAL)


@around("CreateKey")
def create_key(response: KmsResponse, moto_method: Method) -> str:
    """Origin EXTERNAL: "a KMS key with no key material" in state PendingImport (moto makes it Enabled).
    https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-create-cmk.html"""
    answer = moto_method(response)
    if params(response).get("Origin") != "EXTERNAL":
        return answer
    metadata = json.loads(answer)
    key = response.kms_backend.keys[metadata["KeyMetadata"]["KeyId"]]
    key.key_state, key.enabled = "PendingImport", False
    return json.dumps(key.to_dict())


@around("DescribeKey")
def describe_key(response: KmsResponse, moto_method: Method) -> str:
    """KeyMetadata.ExpirationModel and ValidTo of a key with imported material ("This value is present only for
    KMS keys whose Origin is EXTERNAL and the ExpirationModel is KEY_MATERIAL_EXPIRES")."""
    answer = moto_method(response)
    if '"EXTERNAL"' not in answer:  # no Origin EXTERNAL: nothing to add (and no JSON to parse, ~5 us)
        return answer
    document = json.loads(answer)
    metadata = document.get("KeyMetadata", {})
    if metadata.get("Origin") != "EXTERNAL":
        return answer
    state = key_import(response.kms_backend.keys.get(metadata.get("KeyId")))
    if state.imported and state.expiration_model:
        metadata["ExpirationModel"] = state.expiration_model
        if state.valid_to is not None:
            metadata["ValidTo"] = state.valid_to
    return json.dumps(document)


# ------------------------------------------------------------------ the three operations


@operation("GetParametersForImport")
def get_parameters_for_import(response: KmsResponse) -> str:
    """A wrapping public key (DER SubjectPublicKeyInfo) and an import token, valid 24 hours."""
    key = _external_key(response)
    request = params(response)
    spec, algorithm = request.get("WrappingKeySpec", ""), request.get("WrappingAlgorithm", "")
    if algorithm == "RSAES_PKCS1_V1_5":
        # "RSAES_PKCS1_V1_5 (Deprecated) — As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5
        # wrapping algorithm." (API_GetParametersForImport, WrappingAlgorithm)
        raise AwsError("UnsupportedOperationException", "RSAES_PKCS1_V1_5 is not supported.")
    if spec == "SM2" or algorithm == "SM2PKE":
        # "AWS KMS also supports the SM2 wrapping key spec (China Regions only)." (importing-keys-get-public-key-
        # and-token.html). kmslab has no SM2: it says so rather than pretend.
        where = "the China Regions only" if not response.region.startswith("cn-") else "AWS, not in kmslab"
        raise AwsError("UnsupportedOperationException", f"The SM2 wrapping key spec is available in {where}.")
    if spec not in WRAPPING_KEY_BITS or algorithm not in WRAPPING_HASH:
        raise AwsError("ValidationException", f"WrappingAlgorithm {algorithm} cannot be used with "
                                              f"WrappingKeySpec {spec}.")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=WRAPPING_KEY_BITS[spec])
    token = secrets.token_bytes(64)
    valid_to = float(int(_now()) + PARAMETERS_VALID_FOR)
    state = key_import(key)
    live = {t: s for t, s in state.sets.items() if s.valid_to >= _now()}  # expired sets are no use to keep
    setattr(key, STATE, replace(state, sets={**live, token: ImportSet(private_key, algorithm, valid_to)}))
    public = private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    return json.dumps({"KeyId": key.arn, "ImportToken": base64.b64encode(token).decode(),
                       "PublicKey": base64.b64encode(public).decode(), "ParametersValidTo": valid_to})


def _unwrap(import_set: ImportSet, wrapped: bytes) -> bytes:
    """The material, unwrapped as the set's algorithm wrapped it; InvalidCiphertextException if it cannot be."""
    digest = WRAPPING_HASH[import_set.algorithm]()
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)
    try:
        if import_set.algorithm.startswith("RSAES_OAEP"):
            return import_set.private_key.decrypt(wrapped, oaep)
        size = import_set.private_key.key_size // 8  # RSA_AES_KEY_WRAP: RSA-OAEP(AES key) || AES-KWP(material)
        aes_key = import_set.private_key.decrypt(wrapped[:size], oaep)
        return aes_key_unwrap_with_padding(aes_key, wrapped[size:])
    except (ValueError, InvalidKey, InvalidUnwrap):
        # "From the ImportKeyMaterial operation, the request was rejected because KMS could not decrypt the
        # encrypted (wrapped) key material." (InvalidCiphertextException)
        raise AwsError("InvalidCiphertextException", "KMS could not decrypt the encrypted (wrapped) key "
                                                     "material.") from None


def _fits(key: Any, material: bytes) -> Any:
    """The material in the form moto keeps it (bytes, or a private key) if it fits the key spec, else None."""
    spec = key.key_spec
    if spec == "SYMMETRIC_DEFAULT":
        return material if len(material) == 32 else None
    if spec in HMAC_MATERIAL:
        low, high = HMAC_MATERIAL[spec]
        return material if low <= len(material) <= high else None
    try:
        private = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError):
        return None
    if spec in RSA_BITS:
        return private if isinstance(private, rsa.RSAPrivateKey) and private.key_size == RSA_BITS[spec] else None
    if spec in ECC_CURVES:
        ok = isinstance(private, ec.EllipticCurvePrivateKey) and isinstance(private.curve, ECC_CURVES[spec])
        return private if ok else None
    return None


def _incorrect_material() -> AwsError:
    # "The request was rejected because the key material in the request is, expired, invalid, or does not meet
    # expectations. For example, it is not the same key material that was previously imported" (sic).
    return AwsError("IncorrectKeyMaterialException", "The key material in the request is invalid or is not the "
                                                     "same key material that was previously imported.")


def _check_expiration(request: Mapping[str, Any]) -> tuple[str, float | None]:
    """(ExpirationModel, ValidTo) as AWS requires them: "When the value of ExpirationModel is KEY_MATERIAL_EXPIRES,
    you must specify a value for the ValidTo parameter. When value is KEY_MATERIAL_DOES_NOT_EXPIRE, you must omit
    the ValidTo parameter." The default is KEY_MATERIAL_EXPIRES."""
    model = request.get("ExpirationModel") or "KEY_MATERIAL_EXPIRES"
    valid_to = request.get("ValidTo")
    if model == "KEY_MATERIAL_DOES_NOT_EXPIRE":
        if valid_to is not None:
            raise AwsError("ValidationException", "ValidTo is not valid when ExpirationModel is "
                                                  "KEY_MATERIAL_DOES_NOT_EXPIRE.")
        return model, None
    if valid_to is None:
        raise AwsError("ValidationException", "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.")
    try:
        when = float(valid_to)
    except (TypeError, ValueError):
        raise AwsError("ValidationException", "ValidTo must be a date and time.") from None
    now = _now()
    # "The value of this parameter must be a future date and time. The maximum value is 365 days from the
    # request date."
    if when <= now or when > now + MAX_VALID_TO:
        raise AwsError("ValidationException", "ValidTo must be a future date and time at most 365 days from the "
                                              "request date.")
    return model, when


@operation("ImportKeyMaterial")
def import_key_material(response: KmsResponse) -> str:
    """Unwrap the material with the import token's set, check it, put it in the key; PendingImport -> Enabled."""
    key = _external_key(response)
    request = params(response)
    state = key_import(key)
    try:
        token = base64.b64decode(request.get("ImportToken", ""), validate=True)
    except ValueError:
        token = b""
    import_set = state.sets.get(token)
    if import_set is None:
        # "The request was rejected because the provided import token is invalid or is associated with a
        # different KMS key."
        raise AwsError("InvalidImportTokenException", "The import token is invalid or is associated with a "
                                                      "different KMS key.")
    if _now() > import_set.valid_to:
        # "The request was rejected because the specified import token is expired."
        raise AwsError("ExpiredImportTokenException", "The import token is expired. Use GetParametersForImport to "
                                                      "get a new import token and public key.")
    model, valid_to = _check_expiration(request)
    material = _unwrap(import_set, base64.b64decode(request.get("EncryptedKeyMaterial", "")))
    fitted = _fits(key, material)
    if fitted is None or (state.material is not None and state.material != material):
        raise _incorrect_material()
    if isinstance(fitted, bytes):
        key.key_material = fitted  # what moto encrypts and MACs with
    else:
        key.private_key = _MotoPrivateKey.of(key.key_spec, fitted)
    if key.key_state == "PendingImport":
        key.key_state, key.enabled = "Enabled", True
    setattr(key, STATE, replace(state, material=material, imported=True, expiration_model=model,
                                valid_to=valid_to))
    if valid_to is not None:
        EXPIRING[id(key)] = key
    return json.dumps({"KeyId": key.arn, "KeyMaterialId": material_id(key.id, material)})


def material_id(key_id: str, material: bytes) -> str:
    """The KeyMaterialId kmslab gives imported material: "KMS assigns a unique identifier to the key material based
    on the KMS key ID and the imported key material" (ImportKeyMaterial, KeyMaterialId). The form is kmslab's."""
    return hashlib.sha256(key_id.encode() + material).hexdigest()


@operation("DeleteImportedKeyMaterial")
def delete_imported_key_material(response: KmsResponse) -> str:
    """"When the specified KMS key is in the PendingDeletion state, this operation does not change the KMS key's
    state. Otherwise, it changes the KMS key's state to PendingImport." """
    key = _external_key(response)
    state = key_import(key)
    _delete_material(key, state)
    answer: dict[str, Any] = {"KeyId": key.arn}
    if state.material is not None:
        answer["KeyMaterialId"] = material_id(key.id, state.material)
    return json.dumps(answer)


# ------------------------------------------------------------------ a probe's preparation (outside authorization)

PROBE_ALGORITHM = "RSA_AES_KEY_WRAP_SHA_256"  # wraps material of every key spec, asymmetric private keys too


def _new_material(key_spec: str) -> bytes:
    """Fresh key material for a key spec, as a key owner would generate it."""
    if key_spec in HMAC_MATERIAL:
        return secrets.token_bytes(HMAC_MATERIAL[key_spec][0])
    if key_spec in RSA_BITS:
        private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(
            public_exponent=65537, key_size=RSA_BITS[key_spec])
    elif key_spec in ECC_CURVES:
        private = ec.generate_private_key(ECC_CURVES[key_spec]())
    else:
        return secrets.token_bytes(32)
    return private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def prepared_import(key: Any) -> tuple[bytes, bytes]:
    """(import token, wrapped material) for an ImportKeyMaterial of `key`, made as GetParametersForImport and the
    key owner would make them: the key's own material if it had some (a reimport must bring the same), else new."""
    if key.origin != "EXTERNAL":
        return b"kmslab: no import token", b"kmslab: no key material"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = secrets.token_bytes(64)
    state = key_import(key)
    import_set = ImportSet(private, PROBE_ALGORITHM, float(int(_now()) + PARAMETERS_VALID_FOR))
    setattr(key, STATE, replace(state, sets={**state.sets, token: import_set}))
    material = state.material if state.material is not None else _new_material(key.key_spec)
    aes_key = secrets.token_bytes(32)
    digest = WRAPPING_HASH[PROBE_ALGORITHM]()
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)
    return token, private.public_key().encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)


def _delete_material(key: Any, state: KeyImport) -> None:
    """The key without its material: PendingImport, unless it is pending deletion (DeleteImportedKeyMaterial)."""
    if key.key_state != "PendingDeletion":
        key.key_state, key.enabled = "PendingImport", False
    setattr(key, STATE, replace(state, imported=False, expiration_model=None, valid_to=None))


# Keys whose imported material expires (id -> moto Key), checked before every KMS request (`expire_due`).
# The keys whose imported material has a ValidTo (id(key) -> key). Cleared in place, never rebound: hooks.py keeps
# this very dict and looks at it before every KMS request.
EXPIRING: dict[int, Any] = {}


def expire_due() -> list[str]:
    """Delete the material of every key whose ValidTo has passed; the ids of the keys changed.

    "If you set an expiration date, KMS deletes the key material from the KMS key on the specified date, making the
    KMS key unusable." (API_ImportKeyMaterial) The moto adapter calls this before each KMS request (hooks.py), so a
    request after ValidTo finds the key PendingImport (key state table [5]), whatever asked first.
    """
    if not EXPIRING:
        return []
    now, changed = _now(), []
    for ident, key in list(EXPIRING.items()):
        state = key_import(key)
        if not state.imported or state.valid_to is None:
            del EXPIRING[ident]  # deleted or reimported without expiry since
        elif state.valid_to <= now:
            del EXPIRING[ident]
            _delete_material(key, state)
            changed.append(key.id)
    return changed


def forget_expiring() -> None:
    """A new mock: the old keys' expiries are nobody's."""
    EXPIRING.clear()


class _MotoPrivateKey:
    """moto's private key wrapper (moto.kms.utils RSAPrivateKey / ECDSAPrivateKey) around an imported key, with
    the attributes moto's __init__ sets (which would make a new key pair)."""

    _ECDSA_ALGORITHM = {"ECC_NIST_P384": "ECDSA_SHA_384", "ECC_NIST_P521": "ECDSA_SHA_512"}

    @classmethod
    def of(cls, key_spec: str, private: Any) -> Any:
        from moto.kms.utils import ECDSAPrivateKey, RSAPrivateKey

        if key_spec.startswith("RSA"):
            wrapper = RSAPrivateKey.__new__(RSAPrivateKey)
            wrapper.key_size, wrapper.private_key = private.key_size, private
            return wrapper
        ecdsa = ECDSAPrivateKey.__new__(ECDSAPrivateKey)
        ecdsa.private_key = private
        ecdsa.valid_signing_algorithms = [cls._ECDSA_ALGORITHM.get(key_spec, "ECDSA_SHA_256")]
        return ecdsa
