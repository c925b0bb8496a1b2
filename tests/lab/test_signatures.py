"""RSA and ECDSA Sign/Verify as AWS answers them, checked outside the lab with `cryptography` and GetPublicKey's key.

https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html (MessageType: "When the value is DIGEST, KMS skips
the hashing step in the signing algorithm." "When the value of MessageType is DIGEST, the length of the Message value
must match the length of hashed messages for the specified signing algorithm."; Signature: ECDSA signatures are "a
DER-encoded object as defined by ANSI X9.62-2005 and RFC 3279 Section 2.2.3")
https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html ("The message type does not need to be the same
as the one used for signing")
https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html (RSASSA_PSS_SHA_256: "PSS
padding using SHA-256 for both the message digest and the MGF1 mask generation function along with a 256-bit salt")
"""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from kmslab.engine.key_specs import signing_algorithms

MESSAGE = b"kmslab: a message signed by a KMS key"
_HASH = {"256": (hashes.SHA256, hashlib.sha256), "384": (hashes.SHA384, hashlib.sha384),
         "512": (hashes.SHA512, hashlib.sha512)}
CASES = [(spec, algorithm) for spec in ("RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
                                        "ECC_SECG_P256K1") for algorithm in signing_algorithms(spec)]


@pytest.fixture(scope="module")
def keys():
    """One signing key per spec, made once for the module (RSA pairs are slow to make)."""
    from kmslab.lab import Lab

    with Lab(region="us-east-1") as lab:
        kms = lab.admin("kms")
        made = {}
        for spec in sorted({spec for spec, _ in CASES}):
            key_id = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            made[spec] = (key_id, serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"]))
        yield kms, made


def _outside_verify(public, algorithm: str, signature: bytes, data: bytes, prehashed: bool) -> None:
    """Verify as a verifier outside KMS does, with the scheme AWS documents (raises InvalidSignature)."""
    hash_class, _ = _HASH[algorithm[-3:]]
    chosen = utils.Prehashed(hash_class()) if prehashed else hash_class()
    if algorithm.startswith("ECDSA"):
        public.verify(signature, data, ec.ECDSA(chosen))
    elif algorithm.startswith("RSASSA_PSS"):
        public.verify(signature, data, padding.PSS(mgf=padding.MGF1(hash_class()),
                                                   salt_length=hash_class.digest_size), chosen)
    else:
        public.verify(signature, data, padding.PKCS1v15(), chosen)


@pytest.mark.parametrize(("spec", "algorithm"), CASES)
def test_a_digest_is_signed_as_it_is_and_verifies_outside_the_lab(keys, spec, algorithm):
    """API_Sign: "When the value is DIGEST, KMS skips the hashing step" - not hashed again (moto hashed it twice)."""
    kms, made = keys
    key_id, public = made[spec]
    digest = _HASH[algorithm[-3:]][1](MESSAGE).digest()
    signature = kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm)["Signature"]
    _outside_verify(public, algorithm, signature, digest, prehashed=True)
    _outside_verify(public, algorithm, signature, MESSAGE, prehashed=False)  # the digest of this very message
    with pytest.raises(InvalidSignature):  # what moto made: a signature of the digest's digest
        _outside_verify(public, algorithm, signature, digest, prehashed=False)


@pytest.mark.parametrize(("spec", "algorithm"), CASES)
def test_a_raw_message_signature_verifies_outside_the_lab_and_as_its_digest(keys, spec, algorithm):
    """RAW signatures verify outside with AWS's scheme (PSS: a salt as long as the hash, "a 256-bit salt" for SHA-256);
    API_Verify: "The message type does not need to be the same as the one used for signing"."""
    kms, made = keys
    key_id, public = made[spec]
    signature = kms.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm=algorithm)["Signature"]
    _outside_verify(public, algorithm, signature, MESSAGE, prehashed=False)
    digest = _HASH[algorithm[-3:]][1](MESSAGE).digest()
    answer = kms.verify(KeyId=key_id, Message=digest, MessageType="DIGEST", Signature=signature,
                        SigningAlgorithm=algorithm)
    assert answer["SignatureValid"] is True
    assert answer["SigningAlgorithm"] == algorithm
    with pytest.raises(ClientError) as error:  # a digest taken as a RAW message is another message
        kms.verify(KeyId=key_id, Message=digest, MessageType="RAW", Signature=signature, SigningAlgorithm=algorithm)
    assert error.value.response["Error"]["Code"] == "KMSInvalidSignatureException"


@pytest.mark.parametrize("operation", ["sign", "verify"])
@pytest.mark.parametrize(("spec", "algorithm"), [("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"),
                                                 ("RSA_2048", "RSASSA_PSS_SHA_512"),
                                                 ("ECC_NIST_P384", "ECDSA_SHA_384"),
                                                 ("ECC_SECG_P256K1", "ECDSA_SHA_256")])
def test_a_digest_of_the_wrong_length_is_a_validation_exception(keys, operation, spec, algorithm):
    """API_Sign / API_Verify, MessageType: "the length of the Message value must match the length of hashed messages
    for the specified signing algorithm". AWS's message [obs]: "Digest is invalid length for algorithm ..."."""
    kms, made = keys
    key_id, _ = made[spec]
    size = _HASH[algorithm[-3:]][0].digest_size
    for wrong in (size - 1, size + 1, 20):
        call = {"KeyId": key_id, "Message": b"\x01" * wrong, "MessageType": "DIGEST", "SigningAlgorithm": algorithm}
        if operation == "verify":
            call["Signature"] = b"\x30" * 64
        with pytest.raises(ClientError) as error:
            getattr(kms, operation)(**call)
        assert error.value.response["Error"]["Code"] == "ValidationException"
        assert error.value.response["Error"]["Message"] == f"Digest is invalid length for algorithm {algorithm}."
