"""GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (answered by the moto adapter: moto has neither),
through real boto3 calls and `Lab.request`.

https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError
from Crypto.PublicKey import MLKEM
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mlkem, rsa
from kyber_py.ml_kem import ML_KEM_512

from kmslab.engine.key_specs import DATA_KEY_PAIR_SPECS

from .conftest import user_arn

MODEL = botocore.session.get_session().get_service_model("kms")
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}
CONTEXT = {"purpose": "test"}


@pytest.fixture
def world(lab):
    lab.create_user("admin")
    lab.create_user("alice")
    policy = {"Version": "2012-10-17", "Statement": [ADMIN]}
    lab.create_key("sym", policy=policy, created_by="admin")
    lab.create_key("signing", policy=policy, created_by="admin", key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY")
    lab.create_key("hmac", policy=policy, created_by="admin", key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC")
    return lab


def test_the_lab_knows_every_key_pair_spec_of_the_model():
    assert set(DATA_KEY_PAIR_SPECS) == set(MODEL.shape_for("DataKeyPairSpec").enum)


# What each spec's keys are, read back with `cryptography` (which has no ML-KEM-512: its own test below).
_KINDS = {"RSA_3072": (rsa.RSAPrivateKey, rsa.RSAPublicKey), "ECC_NIST_P521": (ec.EllipticCurvePrivateKey, None),
          "ECC_SECG_P256K1": (ec.EllipticCurvePrivateKey, None),
          "ECC_NIST_EDWARDS25519": (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey),
          "ML_KEM_1024": (mlkem.MLKEM1024PrivateKey, mlkem.MLKEM1024PublicKey)}


@pytest.mark.parametrize("spec", sorted(_KINDS))
def test_a_data_key_pair_is_a_real_pair_whose_private_key_decrypt_returns(world, spec):
    """"The public key is a DER-encoded X.509 SubjectPublicKeyInfo ... The private key is a DER-encoded PKCS8
    PrivateKeyInfo" and "use the Decrypt operation to decrypt the encrypted private key" (API_GenerateDataKeyPair)."""
    kms = world.client("kms", as_="admin")
    answer = kms.generate_data_key_pair(KeyId="alias/sym", KeyPairSpec=spec, EncryptionContext=CONTEXT)
    assert set(answer) - {"ResponseMetadata"} <= set(MODEL.operation_model("GenerateDataKeyPair").output_shape.members)
    assert answer["KeyId"] == world.key_arn("sym") and answer["KeyPairSpec"] == spec
    private = serialization.load_der_private_key(answer["PrivateKeyPlaintext"], password=None)
    public = serialization.load_der_public_key(answer["PublicKey"])
    private_kind, public_kind = _KINDS[spec]
    assert isinstance(private, private_kind)
    assert private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == answer["PublicKey"]
    if public_kind is not None:
        assert isinstance(public, public_kind)
    decrypted = kms.decrypt(CiphertextBlob=answer["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT)
    assert decrypted["Plaintext"] == answer["PrivateKeyPlaintext"] and decrypted["KeyId"] == world.key_arn("sym")
    with pytest.raises(ClientError) as wrong_context:  # the encryption context is bound to the ciphertext
        kms.decrypt(CiphertextBlob=answer["PrivateKeyCiphertextBlob"], EncryptionContext={"purpose": "other"})
    assert wrong_context.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_each_request_makes_a_new_pair(world):
    """"GenerateDataKeyPair returns a unique data key pair for each request.\""""
    kms = world.client("kms", as_="admin")
    first, second = (kms.generate_data_key_pair(KeyId="alias/sym", KeyPairSpec="ECC_NIST_P256") for _ in range(2))
    assert first["PublicKey"] != second["PublicKey"]


def test_without_plaintext_omits_the_private_key_and_decrypt_recovers_a_matching_one(world):
    """"returns a plaintext public key and an encrypted private key, but omits the plaintext private key"
    (API_GenerateDataKeyPairWithoutPlaintext)."""
    kms = world.client("kms", as_="admin")
    answer = kms.generate_data_key_pair_without_plaintext(KeyId=world.key_arn("sym"), KeyPairSpec="ECC_NIST_P256")
    assert "PrivateKeyPlaintext" not in answer
    assert set(answer) - {"ResponseMetadata"} <= set(
        MODEL.operation_model("GenerateDataKeyPairWithoutPlaintext").output_shape.members)
    private = serialization.load_der_private_key(kms.decrypt(CiphertextBlob=answer["PrivateKeyCiphertextBlob"])
                                                 ["Plaintext"], password=None)
    public = serialization.load_der_public_key(answer["PublicKey"])
    signature = private.sign(b"message", ec.ECDSA(hashes.SHA256()))
    public.verify(signature, b"message", ec.ECDSA(hashes.SHA256()))  # raises if the halves do not match


def test_ml_kem_512_data_key_pairs_are_real_pairs(world):
    """ML_KEM_512 (cryptography has none; the lab's is kyber-py's): "For ML-KEM data key pairs, the DER-encoded PKCS8
    PrivateKeyInfo contains the private key in seed format", of the same length for every ML-KEM spec; read back with
    PyCryptodome (another FIPS 203 implementation), the private key's seed derives the public key returned, and a
    secret encapsulated under the public key decapsulates with the private key."""
    kms = world.client("kms", as_="admin")
    answer = kms.generate_data_key_pair(KeyId="alias/sym", KeyPairSpec="ML_KEM_512")
    other = kms.generate_data_key_pair(KeyId="alias/sym", KeyPairSpec="ML_KEM_768")
    assert len(answer["PrivateKeyPlaintext"]) == len(other["PrivateKeyPlaintext"])
    private = MLKEM.import_key(answer["PrivateKeyPlaintext"])
    assert private.param_set is MLKEM.ML_KEM_512 and private.seed is not None
    assert private.public_key().export_key() == answer["PublicKey"]
    secret, blob = ML_KEM_512.encaps(MLKEM.import_key(answer["PublicKey"]).ek)
    assert ML_KEM_512.decaps(private.expanded_dk, blob) == secret
    assert kms.decrypt(CiphertextBlob=answer["PrivateKeyCiphertextBlob"])["Plaintext"] == \
        answer["PrivateKeyPlaintext"]


@pytest.mark.parametrize("key", ["signing", "hmac"])
@pytest.mark.parametrize("action", ["kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext"])
def test_a_key_that_is_not_a_symmetric_encryption_key_is_invalid_key_usage(world, action, key):
    """"You cannot use an asymmetric KMS key" (API_GenerateDataKeyPair, KeyId; Errors: InvalidKeyUsageException)."""
    outcome = world.request("admin", action, key)
    assert outcome.error == "InvalidKeyUsageException", outcome.reason


@pytest.mark.parametrize("action", ["kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext"])
def test_allowed_for_the_key_policy_principal_denied_for_another(world, action):
    """Required permissions: kms:GenerateDataKeyPair (key policy)."""
    assert world.request("admin", action, "sym").decision == "allowed"
    denied = world.request("alice", action, "sym")
    assert denied.error == "AccessDeniedException"
    assert denied.message == (f"User: {user_arn('alice')} is not authorized to perform: {action} on resource: "
                              f"{world.key_arn('sym')} because no resource-based policy allows the {action} action")


def test_a_disabled_key_is_refused_as_the_key_state_table_says(world):
    """Key state table: GenerateDataKeyPair on a disabled key is DisabledException [1]."""
    world.admin("kms").disable_key(KeyId=world.key_id("sym"))
    outcome = world.request("admin", "kms:GenerateDataKeyPair", "sym")
    assert (outcome.error, outcome.message) == ("DisabledException", f"{world.key_arn('sym')} is disabled.")


def test_data_key_pair_spec_condition_key(world):
    """"You can use this condition key to control access to the GenerateDataKeyPair and
    GenerateDataKeyPairWithoutPlaintext operations based on the value of the KeyPairSpec parameter in the request."
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-data-key-spec"""
    statement = {"Sid": "OnlyEcc", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")},
                 "Action": "kms:GenerateDataKeyPair", "Resource": "*",
                 "Condition": {"StringLike": {"kms:DataKeyPairSpec": "ECC_NIST_*"}}}
    world.put_key_policy("sym", {"Version": "2012-10-17", "Statement": [ADMIN, statement]})
    kms = world.client("kms", as_="alice")
    assert kms.generate_data_key_pair(KeyId=world.key_arn("sym"), KeyPairSpec="ECC_NIST_P384")["KeyPairSpec"] == \
        "ECC_NIST_P384"
    with pytest.raises(ClientError) as denied:
        kms.generate_data_key_pair(KeyId=world.key_arn("sym"), KeyPairSpec="RSA_2048")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


@pytest.mark.parametrize(("spec", "region", "error"), [
    ("SM2", "ap-northeast-1", "ValidationException"),  # "The SM2 key spec is only available in China Regions."
    ("RSA_1024", "ap-northeast-1", "ValidationException"),  # not in the DataKeyPairSpec enum
])
def test_key_pair_specs_aws_refuses(world, spec, region, error):
    kms = world.client("kms", as_="admin")
    with pytest.raises(ClientError) as refused:
        kms.generate_data_key_pair(KeyId="alias/sym", KeyPairSpec=spec)
    assert refused.value.response["Error"]["Code"] == error


def test_a_recipient_is_refused_rather_than_pretended(world):
    """The lab cannot check a Nitro attestation document (Recipient): it says so instead of answering as if."""
    kms = world.client("kms", as_="admin")
    with pytest.raises(ClientError) as refused:
        kms.generate_data_key_pair(KeyId="alias/sym", KeyPairSpec="ECC_NIST_P256",
                                   Recipient={"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
                                              "AttestationDocument": b"not a document"})
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "attestation" in refused.value.response["Error"]["Message"]
