"""Encrypt, Decrypt and ReEncrypt with RSA keys: RSAES-OAEP with the key pair (the moto adapter's
operations/rsa_encryption.py), checked with `cryptography` and GetPublicKey's key.

https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html (EncryptionAlgorithm; the plaintext limits)
https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html ("The Decrypt operation also decrypts ciphertext
that was encrypted outside of KMS by the public key in an KMS asymmetric KMS key.")
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from kmslab.lab import Lab

_HASH = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


@pytest.fixture(scope="module")
def world():
    with Lab(region="us-east-1") as lab:
        lab.create_user("u", managed_policies=["AdministratorAccess"])
        kms = lab.client("kms", as_="u")
        keys = {spec: kms.create_key(KeySpec=spec)["KeyMetadata"]["Arn"] for spec in ("RSA_2048", "RSA_3072")}
        keys["sym"] = kms.create_key()["KeyMetadata"]["Arn"]
        yield kms, keys


def _oaep(algorithm: str) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(_HASH[algorithm]()), algorithm=_HASH[algorithm](), label=None)


@pytest.mark.parametrize("algorithm", sorted(_HASH))
def test_a_ciphertext_made_outside_with_the_public_key_decrypts(world, algorithm):
    """"The Decrypt operation also decrypts ciphertext that was encrypted outside of KMS by the public key"."""
    kms, keys = world
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=keys["RSA_2048"])["PublicKey"])
    blob = public.encrypt(b"made outside", _oaep(algorithm))
    answer = kms.decrypt(KeyId=keys["RSA_2048"], CiphertextBlob=blob, EncryptionAlgorithm=algorithm)
    assert (answer["Plaintext"], answer["KeyId"], answer["EncryptionAlgorithm"]) == \
        (b"made outside", keys["RSA_2048"], algorithm)


@pytest.mark.parametrize(("spec", "algorithm", "limit"), [("RSA_2048", "RSAES_OAEP_SHA_1", 214),
                                                          ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
                                                          ("RSA_3072", "RSAES_OAEP_SHA_1", 342),
                                                          ("RSA_3072", "RSAES_OAEP_SHA_256", 318)])
def test_rsa_ciphertexts_are_oaep_of_the_key_size_up_to_awss_limits(world, spec, algorithm, limit):
    """API_Encrypt: "RSA_2048 ... RSAES_OAEP_SHA_1: 214 bytes, RSAES_OAEP_SHA_256: 190 bytes" (RSA_3072: 342, 318).
    The ciphertext is one RSA block, and Decrypt returns the plaintext."""
    kms, keys = world
    answer = kms.encrypt(KeyId=keys[spec], Plaintext=b"p" * limit, EncryptionAlgorithm=algorithm)
    assert len(answer["CiphertextBlob"]) == int(spec[4:]) // 8 and answer["EncryptionAlgorithm"] == algorithm
    assert kms.decrypt(KeyId=keys[spec], CiphertextBlob=answer["CiphertextBlob"],
                       EncryptionAlgorithm=algorithm)["Plaintext"] == b"p" * limit
    with pytest.raises(ClientError) as refused:
        kms.encrypt(KeyId=keys[spec], Plaintext=b"p" * (limit + 1), EncryptionAlgorithm=algorithm)
    assert refused.value.response["Error"]["Code"] == "ValidationException"


def test_decrypting_with_the_other_algorithm_is_invalid_ciphertext(world):
    """"Specify the same algorithm that was used to encrypt the data. If you specify a different algorithm, the
    Decrypt operation fails." (API_Decrypt, EncryptionAlgorithm)"""
    kms, keys = world
    blob = kms.encrypt(KeyId=keys["RSA_2048"], Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    with pytest.raises(ClientError) as refused:
        kms.decrypt(KeyId=keys["RSA_2048"], CiphertextBlob=blob["CiphertextBlob"],
                    EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_re_encrypt_between_a_symmetric_and_an_rsa_key(world):
    """API_ReEncrypt: SourceEncryptionAlgorithm / DestinationEncryptionAlgorithm ("required only when the ... KMS key
    is an asymmetric KMS key"); the RSA ciphertext is one the public key made (decrypts with the private key only)."""
    kms, keys = world
    blob = kms.encrypt(KeyId=keys["sym"], Plaintext=b"moving")["CiphertextBlob"]
    to_rsa = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=keys["RSA_2048"],
                            DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert (to_rsa["SourceKeyId"], to_rsa["KeyId"], to_rsa["DestinationEncryptionAlgorithm"]) == \
        (keys["sym"], keys["RSA_2048"], "RSAES_OAEP_SHA_256")
    back = kms.re_encrypt(CiphertextBlob=to_rsa["CiphertextBlob"], SourceKeyId=keys["RSA_2048"],
                          SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=keys["sym"])
    assert kms.decrypt(CiphertextBlob=back["CiphertextBlob"])["Plaintext"] == b"moving"
