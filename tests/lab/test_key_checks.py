"""A request's checks against its key that moto does not make (the moto adapter's operations/key_checks.py), each
from the operation's API Reference page, through a principal the key policy allows (IAM admin + account statement).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from kmslab.lab import Lab


def _error(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return str(error.value.response["Error"]["Code"]), str(error.value.response["Error"]["Message"])


@pytest.fixture(scope="module")
def kms():
    with Lab(region="us-east-1") as lab:
        lab.create_user("u", managed_policies=["AdministratorAccess"])
        yield lab.client("kms", as_="u")


def _key(kms, spec: str = "SYMMETRIC_DEFAULT", usage: str = "ENCRYPT_DECRYPT") -> str:
    return kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["Arn"]


@pytest.fixture(scope="module")
def keys(kms):
    return {"sym": _key(kms), "rsa": _key(kms, "RSA_2048"), "hmac": _key(kms, "HMAC_256", "GENERATE_VERIFY_MAC"),
            "sign": _key(kms, "RSA_2048", "SIGN_VERIFY"), "other": _key(kms)}


@pytest.mark.parametrize(("key", "algorithm"), [("sym", "RSAES_OAEP_SHA_256"), ("rsa", None),
                                                ("rsa", "SYMMETRIC_DEFAULT")])
def test_an_encryption_algorithm_the_key_spec_does_not_support_is_invalid_key_usage(kms, keys, key, algorithm):
    """API_Encrypt, Errors, InvalidKeyUsageException: "The encryption algorithm or signing algorithm specified for
    the operation is incompatible with the type of key material in the KMS key (KeySpec)."; EncryptionAlgorithm: "The
    default value, SYMMETRIC_DEFAULT, is the algorithm used for symmetric encryption KMS keys." (so an RSA key without
    an algorithm is refused too)"""
    request = {"KeyId": keys[key], "Plaintext": b"secret"}
    if algorithm:
        request["EncryptionAlgorithm"] = algorithm
    with pytest.raises(ClientError) as refused:
        kms.encrypt(**request)
    assert _error(refused)[0] == "InvalidKeyUsageException"
    with pytest.raises(ClientError) as refused:
        kms.decrypt(KeyId=keys[key], CiphertextBlob=b"\x00" * 64,
                    **({"EncryptionAlgorithm": algorithm} if algorithm else {}))
    assert _error(refused)[0] == "InvalidKeyUsageException"


def test_the_algorithms_the_key_spec_supports_are_accepted(kms, keys):
    """The same rule's other side: SYMMETRIC_DEFAULT on a symmetric key, RSAES_OAEP_SHA_* on an RSA key."""
    blob = kms.encrypt(KeyId=keys["sym"], Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    for algorithm in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
        assert kms.encrypt(KeyId=keys["rsa"], Plaintext=b"secret", EncryptionAlgorithm=algorithm)["CiphertextBlob"]


def test_re_encrypt_checks_the_destination_algorithm(kms, keys):
    """API_ReEncrypt, DestinationEncryptionAlgorithm: "The default value, SYMMETRIC_DEFAULT, represents the encryption
    algorithm used for symmetric encryption KMS keys" - an RSA destination needs an RSAES algorithm."""
    blob = kms.encrypt(KeyId=keys["sym"], Plaintext=b"secret")["CiphertextBlob"]
    with pytest.raises(ClientError) as refused:
        kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=keys["rsa"])
    assert _error(refused)[0] == "InvalidKeyUsageException"


@pytest.mark.parametrize("operation", ["decrypt", "re_encrypt"])
def test_a_key_id_that_is_not_the_ciphertexts_key_is_incorrect_key(kms, keys, operation):
    """API_Decrypt, KeyId: "If you identify a different KMS key, the Decrypt operation throws an
    IncorrectKeyException." (ReEncrypt's SourceKeyId likewise). AWS's message as CloudTrail recorded it [obs]."""
    blob = kms.encrypt(KeyId=keys["sym"], Plaintext=b"secret")["CiphertextBlob"]
    with pytest.raises(ClientError) as refused:
        if operation == "decrypt":
            kms.decrypt(CiphertextBlob=blob, KeyId=keys["other"])
        else:
            kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=keys["other"], DestinationKeyId=keys["sym"])
    assert _error(refused) == ("IncorrectKeyException",
                               "The key ID in the request does not identify a CMK that can perform this operation.")


def test_a_ciphertext_of_no_key_is_invalid_ciphertext(kms, keys):
    """API_Decrypt, Errors: InvalidCiphertextException "the specified ciphertext ... is corrupted, missing, or
    otherwise invalid" (moto: AccessDeniedException)."""
    with pytest.raises(ClientError) as refused:
        kms.decrypt(CiphertextBlob=b"garbage" * 10, KeyId=keys["sym"])
    assert _error(refused)[0] == "InvalidCiphertextException"


@pytest.mark.parametrize("operation", ["generate_mac", "verify_mac"])
def test_a_mac_algorithm_the_hmac_key_does_not_support_is_invalid_key_usage(kms, keys, operation):
    """API_GenerateMac, MacAlgorithm: "The algorithm must be compatible with the HMAC KMS key that you specify"
    (Errors: InvalidKeyUsageException); an HMAC_256 key supports HMAC_SHA_256 only."""
    request = {"KeyId": keys["hmac"], "Message": b"m", "MacAlgorithm": "HMAC_SHA_512"}
    if operation == "verify_mac":
        request["Mac"] = b"\x00" * 64
    with pytest.raises(ClientError) as refused:
        getattr(kms, operation)(**request)
    assert _error(refused)[0] == "InvalidKeyUsageException"
    assert kms.generate_mac(KeyId=keys["hmac"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]


@pytest.mark.parametrize("operation", ["sign", "verify"])
def test_a_raw_message_over_4096_bytes_is_a_validation_exception(kms, keys, operation):
    """API_Sign, Message: "Messages can be 0-4096 bytes. To sign a larger message, provide a message digest."
    (the model's length constraint, in AWS's constraint form)"""
    request = {"KeyId": keys["sign"], "Message": b"x" * 4097, "SigningAlgorithm": "RSASSA_PSS_SHA_256"}
    if operation == "verify":
        request["Signature"] = b"\x00" * 256
    with pytest.raises(ClientError) as refused:
        getattr(kms, operation)(**request)
    assert _error(refused) == ("ValidationException", "1 validation error detected: Value at 'message' failed to "
                                                      "satisfy constraint: Member must have length less than or equal "
                                                      "to 4096")
    assert kms.sign(KeyId=keys["sign"], Message=b"x" * 4096, SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]


@pytest.mark.parametrize("key", ["rsa", "hmac", "sign"])
@pytest.mark.parametrize("operation", ["enable_key_rotation", "rotate_key_on_demand"])
def test_rotation_of_an_asymmetric_or_hmac_key_is_unsupported(kms, keys, key, operation):
    """API_EnableKeyRotation: "You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys, KMS keys
    with imported key material"; API_RotateKeyOnDemand: "You cannot perform on-demand rotation of asymmetric KMS keys,
    HMAC KMS keys" (Errors: UnsupportedOperationException)."""
    with pytest.raises(ClientError) as refused:
        getattr(kms, operation)(KeyId=keys[key])
    assert _error(refused)[0] == "UnsupportedOperationException"


def test_automatic_rotation_of_imported_key_material_is_unsupported(kms):
    """API_EnableKeyRotation: "... KMS keys with imported key material" (an EXTERNAL key, PendingImport here, is
    refused by the key state table first only where the table says so: EnableKeyRotation is one of them)."""
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError) as refused:
        kms.enable_key_rotation(KeyId=key)
    assert _error(refused)[0] in ("UnsupportedOperationException", "KMSInvalidStateException")
    assert kms.enable_key_rotation(KeyId=_key(kms))["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_update_alias_to_a_key_of_another_type_or_usage_is_refused(kms, keys):
    """API_UpdateAlias: "The current and new KMS key must be the same type (both symmetric or both asymmetric or both
    HMAC), and they must have the same key usage." (the code, ValidationException, is kmslab's choice)"""
    kms.create_alias(AliasName="alias/moving", TargetKeyId=keys["sym"])
    for other in ("rsa", "hmac"):
        with pytest.raises(ClientError) as refused:
            kms.update_alias(AliasName="alias/moving", TargetKeyId=keys[other])
        assert _error(refused)[0] == "ValidationException"
    kms.update_alias(AliasName="alias/moving", TargetKeyId=keys["other"])  # symmetric to symmetric
    assert kms.describe_key(KeyId="alias/moving")["KeyMetadata"]["Arn"] == keys["other"]


def test_the_encryption_algorithms_kept_per_key_spec_are_the_engine_lists():
    """key_checks keeps each key spec's EncryptionAlgorithms (a constant of the engine): the same algorithms, in the
    same order, as the engine's `algorithms` gives for an ENCRYPT_DECRYPT key; a spec the engine does not know has
    none."""
    from kmslab.engine.key_specs import KEY_SPECS, algorithms
    from kmslab.lab.moto_adapter.operations.key_checks import _encryption_algorithms

    for spec in (*KEY_SPECS, "NO_SUCH_SPEC") * 2:
        assert list(_encryption_algorithms(spec)) == algorithms(spec, "ENCRYPT_DECRYPT")["EncryptionAlgorithms"]
    assert ["not", "hashable"] not in _encryption_algorithms("SYMMETRIC_DEFAULT")


def test_a_ciphertext_made_under_the_named_key_is_told_by_its_start(kms, keys):
    """A Decrypt naming its key skips reading the ciphertext's key id when the ciphertext starts with that key's id
    in base64 (its own ciphertexts do): what the reading would give is then that key id or nothing (not moto's
    ciphertext), and neither is an IncorrectKeyException. Any other start is read whole."""
    import base64

    from kmslab.lab.moto_adapter import key_id_in_ciphertext
    from kmslab.lab.moto_adapter.operations.key_checks import _made_under

    key_id = keys["sym"].rsplit("/", 1)[1]
    other_id = keys["other"].rsplit("/", 1)[1]
    own = kms.encrypt(KeyId=keys["sym"], Plaintext=b"secret")["CiphertextBlob"]
    text = base64.b64encode(own).decode()
    start = base64.b64encode(key_id.encode()).decode()
    blobs = [text, text[:48], text[:80], text + "!", text + "==", text[:48] + "==AAAA", text[:48] + "\n" + text[48:],
             text.replace(text[10], "-", 1), text[:47], start, start + "A" * 16, start + "=" * 22 + "A" * 4,
             base64.b64encode(other_id.encode() + bytes(40)).decode(), "", "garbage", 5, None, own,
             base64.b64encode(key_id.encode()[:33] + b"zzz" + bytes(28)).decode()]  # the same start, another id
    assert _made_under(text, key_id) and not _made_under(text, other_id)
    for blob in blobs:
        for named in (key_id, other_id, "mrk-" + key_id, "alias/x"):
            if _made_under(blob, named):
                assert key_id_in_ciphertext(blob) in (named, None), (blob, named)
