"""DryRun on every operation that has it, and CreateGrant's checks of a grant against its key.

https://docs.aws.amazon.com/kms/latest/developerguide/testing-permissions.html ("AWS KMS calls that use DryRun will
always fail ... DryRunOperationException - The request would succeed if DryRun was not specified. ValidationException
- The request failed by specifying the incorrect API parameter. AccessDeniedException - You do not have permission to
perform the specified API action on the KMS resource.")
https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html (Operations, Constraints)
"""

from __future__ import annotations

import hashlib

import botocore.session
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kmslab.lab import Lab
from kmslab.lab.moto_adapter.operations.dry_run import DRY_RUN_MESSAGE, DRY_RUN_OPERATIONS

from .conftest import ACCOUNT, user_arn

MODEL = botocore.session.get_session().get_service_model("kms")
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}
KEYS = {"sym": ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), "sign": ("ECC_NIST_P256", "SIGN_VERIFY"),
        "hmac": ("HMAC_256", "GENERATE_VERIFY_MAC"), "ka": ("ECC_NIST_P256", "KEY_AGREEMENT"),
        "kem": ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE")}
# The key each operation's request is about (ReEncrypt: from and to "sym").
KEY_OF = {"Decapsulate": "kem", "Encapsulate": "kem", "DeriveSharedSecret": "ka", "Sign": "sign", "Verify": "sign",
          "GenerateMac": "hmac", "VerifyMac": "hmac"}


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


@pytest.fixture(scope="module")
def world():
    with Lab(region="us-east-1") as lab:
        lab.create_user("admin")
        lab.create_user("alice")
        lab.create_user("carol")  # the grantee of every grant made here: alice has none
        for name, (spec, usage) in KEYS.items():
            lab.create_key(name, policy={"Version": "2012-10-17", "Statement": [ADMIN]}, created_by="admin",
                           key_spec=spec, key_usage=usage)
        yield lab


def _requests(lab: Lab) -> dict[str, dict]:
    """A valid request of each operation, made with the setup administrator's client."""
    kms = lab.admin("kms")
    arn = lab.key_arn
    blob = kms.encrypt(KeyId=arn("sym"), Plaintext=b"secret")["CiphertextBlob"]
    digest = hashlib.sha256(b"message").digest()
    signature = kms.sign(KeyId=arn("sign"), Message=digest, MessageType="DIGEST",
                         SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    mac = kms.generate_mac(KeyId=arn("hmac"), Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    sealed = kms.encapsulate(KeyId=arn("kem"), EncapsulationAlgorithm="ML_KEM")["SharedSecretCiphertextBlob"]
    peer = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    grant = lab.create_grant("sym", "carol", ["Decrypt"], retiring_principal="admin")
    return {
        "CreateGrant": {"KeyId": arn("sym"), "GranteePrincipal": user_arn("carol"), "Operations": ["Decrypt"]},
        "Decapsulate": {"KeyId": arn("kem"), "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": sealed},
        "Decrypt": {"KeyId": arn("sym"), "CiphertextBlob": blob},
        "DeriveSharedSecret": {"KeyId": arn("ka"), "KeyAgreementAlgorithm": "ECDH", "PublicKey": peer},
        "Encapsulate": {"KeyId": arn("kem"), "EncapsulationAlgorithm": "ML_KEM"},
        "Encrypt": {"KeyId": arn("sym"), "Plaintext": b"secret"},
        "GenerateDataKey": {"KeyId": arn("sym"), "KeySpec": "AES_256"},
        "GenerateDataKeyPair": {"KeyId": arn("sym"), "KeyPairSpec": "ECC_NIST_P256"},
        "GenerateDataKeyPairWithoutPlaintext": {"KeyId": arn("sym"), "KeyPairSpec": "ECC_NIST_P256"},
        "GenerateDataKeyWithoutPlaintext": {"KeyId": arn("sym"), "KeySpec": "AES_256"},
        "GenerateMac": {"KeyId": arn("hmac"), "Message": b"m", "MacAlgorithm": "HMAC_SHA_256"},
        "ReEncrypt": {"CiphertextBlob": blob, "SourceKeyId": arn("sym"), "DestinationKeyId": arn("sym")},
        "RetireGrant": {"KeyId": arn("sym"), "GrantId": grant},
        "RevokeGrant": {"KeyId": arn("sym"), "GrantId": grant},
        "Sign": {"KeyId": arn("sign"), "Message": digest, "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_256"},
        "Verify": {"KeyId": arn("sign"), "Message": digest, "MessageType": "DIGEST", "Signature": signature,
                   "SigningAlgorithm": "ECDSA_SHA_256"},
        "VerifyMac": {"KeyId": arn("hmac"), "Message": b"m", "MacAlgorithm": "HMAC_SHA_256", "Mac": mac},
    }


def _call(client, operation: str, request: dict):  # noqa: ANN202 - a test helper
    return getattr(client, botocore.xform_name(operation))(**request)


def test_the_operations_with_dry_run_are_the_models():
    """Every operation of botocore's KMS model with a DryRun parameter, and no other."""
    assert set(DRY_RUN_OPERATIONS) == {op for op in MODEL.operation_names
                                       if "DryRun" in MODEL.operation_model(op).input_shape.members}


@pytest.mark.parametrize("operation", DRY_RUN_OPERATIONS)
def test_dry_run_answers_dry_run_operation_exception_when_the_request_would_succeed(world, operation):
    """"DryRunOperationException - The request would succeed if DryRun was not specified." The same request without
    DryRun succeeds; with it, nothing changes (no grant made, retired or revoked)."""
    request = _requests(world)[operation]
    admin = world.client("kms", as_="admin")
    grants_before = world.admin("kms").list_grants(KeyId=world.key_arn("sym"))["Grants"]
    with pytest.raises(ClientError) as dry:
        _call(admin, operation, {**request, "DryRun": True})
    assert (_code(dry), dry.value.response["Error"]["Message"]) == ("DryRunOperationException", DRY_RUN_MESSAGE)
    assert world.admin("kms").list_grants(KeyId=world.key_arn("sym"))["Grants"] == grants_before
    answer = _call(admin, operation, {**request, "DryRun": False})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("operation", [op for op in DRY_RUN_OPERATIONS if op != "RetireGrant"])
def test_dry_run_without_permission_is_access_denied(world, operation):
    """"AccessDeniedException - You do not have permission to perform the specified API action on the KMS resource."
    (alice is in no key policy and has no IAM policy; RetireGrant is the retiring principal's, tested apart.)"""
    request = _requests(world)[operation]
    with pytest.raises(ClientError) as denied:
        _call(world.client("kms", as_="alice"), operation, {**request, "DryRun": True})
    assert _code(denied) == "AccessDeniedException"


def test_dry_run_retire_grant_by_someone_who_may_not_is_access_denied(world):
    """RetireGrant is allowed to the grant's retiring principal (admin here), not to alice."""
    request = _requests(world)["RetireGrant"]
    with pytest.raises(ClientError) as denied:
        world.client("kms", as_="alice").retire_grant(**request, DryRun=True)
    assert _code(denied) == "AccessDeniedException"


def test_dry_run_with_a_wrong_parameter_is_that_error(world):
    """"ValidationException - The request failed by specifying the incorrect API parameter": the operation's own
    checks come before DryRunOperationException (a digest of the wrong length; a grant the key cannot hold)."""
    admin = world.client("kms", as_="admin")
    with pytest.raises(ClientError) as wrong:
        admin.sign(KeyId=world.key_arn("sign"), Message=b"short", MessageType="DIGEST",
                   SigningAlgorithm="ECDSA_SHA_256", DryRun=True)
    assert _code(wrong) == "ValidationException"
    with pytest.raises(ClientError) as wrong:
        admin.create_grant(KeyId=world.key_arn("sym"), GranteePrincipal=user_arn("carol"), Operations=["Sign"],
                           DryRun=True)
    assert _code(wrong) == "ValidationException"


@pytest.mark.parametrize(("key", "operations"), [("sym", ["Sign"]), ("sym", ["Decrypt", "GenerateMac"]),
                                                 ("sign", ["GenerateDataKey"]), ("sign", ["Decrypt"]),
                                                 ("hmac", ["Encrypt"]), ("kem", ["Sign"]), ("sym", ["GetPublicKey"]),
                                                 ("ka", ["DeriveSharedSecret", "Sign"])])
def test_a_grant_for_an_operation_the_key_does_not_support_is_a_validation_exception(world, key, operations):
    """API_CreateGrant, Operations: "the operation must be supported on the KMS key. For example, you cannot create a
    grant for a symmetric encryption KMS key that allows the Sign operation, or a grant for an asymmetric KMS key that
    allows the GenerateDataKey operation. If you try, KMS returns a ValidationError exception.\""""
    with pytest.raises(ClientError) as refused:
        world.client("kms", as_="admin").create_grant(KeyId=world.key_arn(key), GranteePrincipal=user_arn("carol"),
                                                      Operations=operations)
    assert _code(refused) == "ValidationException"


@pytest.mark.parametrize(("key", "operations"), [("sym", ["Decrypt", "GenerateDataKeyPair", "DescribeKey"]),
                                                 ("sign", ["Sign", "Verify", "GetPublicKey"]),
                                                 ("hmac", ["GenerateMac", "VerifyMac"]),
                                                 ("ka", ["DeriveSharedSecret"]), ("sym", ["CreateGrant", "Decrypt"])])
def test_a_grant_for_operations_the_key_supports_is_made(world, key, operations):
    """The same rule's other side: each operation supported on the key, the grant is made."""
    grant_id = world.client("kms", as_="admin").create_grant(
        KeyId=world.key_arn(key), GranteePrincipal=user_arn("carol"), Operations=operations)["GrantId"]
    listed = world.admin("kms").list_grants(KeyId=world.key_arn(key), GrantId=grant_id)["Grants"]
    assert sorted(listed[0]["Operations"]) == sorted(operations)


def test_a_grant_of_create_grant_alone_is_refused(world):
    """AWS's answer [obs] (https://github.com/ansible/ansible/pull/31960): "ValidationException ... Grants must not
    contain only the CreateGrant operation.\""""
    with pytest.raises(ClientError) as refused:
        world.client("kms", as_="admin").create_grant(KeyId=world.key_arn("sym"), GranteePrincipal=user_arn("carol"),
                                                      Operations=["CreateGrant"])
    assert (_code(refused), refused.value.response["Error"]["Message"]) == \
        ("ValidationException", "Grants must not contain only the CreateGrant operation.")


def test_an_encryption_context_constraint_needs_a_symmetric_encryption_key(world):
    """API_CreateGrant, Constraints: "You cannot use an encryption context grant constraint for cryptographic
    operations with asymmetric KMS keys or HMAC KMS keys ... Grants with encryption context grant constraints can
    include the DescribeKey and RetireGrant operations\""""
    admin = world.client("kms", as_="admin")
    constraint = {"EncryptionContextSubset": {"purpose": "test"}}
    with pytest.raises(ClientError) as refused:
        admin.create_grant(KeyId=world.key_arn("sign"), GranteePrincipal=user_arn("carol"), Operations=["Sign"],
                           Constraints=constraint)
    assert _code(refused) == "ValidationException"
    made = admin.create_grant(KeyId=world.key_arn("sign"), GranteePrincipal=user_arn("carol"),
                              Operations=["DescribeKey"], Constraints=constraint)
    assert made["GrantId"]
    assert admin.create_grant(KeyId=world.key_arn("sym"), GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:root",
                              Operations=["Decrypt"], Constraints=constraint)["GrantId"]


@pytest.mark.parametrize("who", ["admin", "alice"])
def test_dry_run_ignore_ciphertext_checks_authorization_only(world, who):
    """API_Decrypt, DryRunModifiers: "When set to IGNORE_CIPHERTEXT, KMS performs only authorization validation
    without ciphertext validation" (the key is the request's KeyId, "required ... when DryRun is true and
    DryRunModifiers is set to IGNORE_CIPHERTEXT"). Without the modifier, a bad ciphertext is refused."""
    client = world.client("kms", as_=who)
    garbage = b"not a ciphertext" * 4
    expected = "DryRunOperationException" if who == "admin" else "AccessDeniedException"
    with pytest.raises(ClientError) as dry:
        client.decrypt(KeyId=world.key_arn("sym"), CiphertextBlob=garbage, DryRun=True,
                       DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert _code(dry) == expected
    with pytest.raises(ClientError) as dry:
        client.re_encrypt(SourceKeyId=world.key_arn("sym"), DestinationKeyId=world.key_arn("sym"),
                          CiphertextBlob=garbage, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert _code(dry) == expected
    if who == "admin":
        with pytest.raises(ClientError) as wrong:
            client.decrypt(KeyId=world.key_arn("sym"), CiphertextBlob=garbage, DryRun=True)
        assert _code(wrong) == "InvalidCiphertextException"


def test_list_grants_answers_in_awss_shape(world):
    """grant-view.html's example: "KeyId": "arn:aws:kms:...:key/...", "CreationDate", "Name": "", "IssuingAccount":
    "arn:aws:iam::111122223333:root"; members a grant does not have are omitted (GrantListEntry). Every member is one
    of botocore's GrantListEntry shape. ListRetirableGrants likewise."""
    grant_id = world.create_grant("hmac", "carol", ["GenerateMac"], retiring_principal="admin")
    entries = world.admin("kms").list_grants(KeyId=world.key_arn("hmac"), GrantId=grant_id)["Grants"]
    assert len(entries) == 1
    entry = entries[0]
    assert set(entry) <= set(MODEL.shape_for("GrantListEntry").members)
    assert (entry["KeyId"], entry["IssuingAccount"], entry["Name"]) == \
        (world.key_arn("hmac"), f"arn:aws:iam::{ACCOUNT}:root", "")
    assert "CreationDate" in entry and "Constraints" not in entry
    retirable = world.admin("kms").list_retirable_grants(RetiringPrincipal=user_arn("admin"))["Grants"]
    assert {g["KeyId"] for g in retirable if g["GrantId"] == grant_id} == {world.key_arn("hmac")}
