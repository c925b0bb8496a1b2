"""Imported key material: CreateKey with Origin EXTERNAL, GetParametersForImport, ImportKeyMaterial,
DeleteImportedKeyMaterial (answered by the moto adapter: moto has none), through real boto3 calls.

https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html
https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table (Pending import column)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

import botocore.session
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from kmslab.lab import Lab, LabError
from kmslab.lab.moto_adapter.operations import import_material

from .conftest import user_arn

MODEL = botocore.session.get_session().get_service_model("kms")
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}


def _shape_ok(operation: str, answer: dict) -> None:
    """The answer has only members of botocore's output shape, and every one the operation always returns."""
    members = set(MODEL.operation_model(operation).output_shape.members)
    assert set(answer) - {"ResponseMetadata"} <= members


def _oaep(digest: type[hashes.HashAlgorithm]) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(algorithm=digest()), algorithm=digest(), label=None)


def wrap(parameters: dict, material: bytes, algorithm: str = "RSAES_OAEP_SHA_256") -> bytes:
    """Wrap key material as a key owner does with GetParametersForImport's public key."""
    public = serialization.load_der_public_key(parameters["PublicKey"])
    digest = hashes.SHA256 if algorithm.endswith("256") else hashes.SHA1
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, _oaep(digest))
    aes_key = os.urandom(32)  # RSA_AES_KEY_WRAP: RSA-OAEP of an AES key, then AES key wrap with padding
    return public.encrypt(aes_key, _oaep(digest)) + aes_key_wrap_with_padding(aes_key, material)


@pytest.fixture
def world(lab):
    lab.create_user("admin")
    lab.create_user("alice")
    lab.create_key("ext", policy={"Version": "2012-10-17", "Statement": [ADMIN]}, created_by="admin",
                   origin="EXTERNAL")
    lab.create_key("sym", policy={"Version": "2012-10-17", "Statement": [ADMIN]}, created_by="admin")
    return lab


def _state(lab, key: str) -> str:
    return lab.admin("kms").describe_key(KeyId=lab.key_arn(key))["KeyMetadata"]["KeyState"]


def _import(kms, arn: str, material: bytes, algorithm: str = "RSAES_OAEP_SHA_256", spec: str = "RSA_2048",
            **expiry) -> dict:
    parameters = kms.get_parameters_for_import(KeyId=arn, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    expiry = expiry or {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
    return kms.import_key_material(KeyId=arn, ImportToken=parameters["ImportToken"],
                                   EncryptedKeyMaterial=wrap(parameters, material, algorithm), **expiry)


def _code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_an_external_key_is_pending_import_and_cannot_encrypt(world):
    """"Create a KMS key with no key material - The origin must be EXTERNAL" (importing-keys-conceptual.html); key
    state table [5]: "KMSInvalidStateException: <key ARN> is pending import." for Encrypt."""
    meta = world.admin("kms").describe_key(KeyId=world.key_arn("ext"))["KeyMetadata"]
    assert (meta["Origin"], meta["KeyState"], meta["Enabled"]) == ("EXTERNAL", "PendingImport", False)
    assert "ExpirationModel" not in meta
    with pytest.raises(ClientError) as excinfo:
        world.client("kms", as_="admin").encrypt(KeyId=world.key_arn("ext"), Plaintext=b"x")
    assert _code(excinfo) == "KMSInvalidStateException"
    assert excinfo.value.response["Error"]["Message"] == f"{world.key_arn('ext')} is pending import."


@pytest.mark.parametrize(("algorithm", "spec"), [
    ("RSAES_OAEP_SHA_256", "RSA_2048"), ("RSAES_OAEP_SHA_1", "RSA_3072"), ("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
    ("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048"),
])
def test_import_enables_the_key_and_it_encrypts(world, algorithm, spec):
    """"When this operation is successful, the key state of the KMS key changes to Enabled, and you can use the KMS
    key in cryptographic operations." (API_ImportKeyMaterial)"""
    kms = world.client("kms", as_="admin")
    arn = world.key_arn("ext")
    parameters = kms.get_parameters_for_import(KeyId=arn, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    _shape_ok("GetParametersForImport", parameters)
    assert parameters["KeyId"] == arn
    key = serialization.load_der_public_key(parameters["PublicKey"])
    assert key.key_size == int(spec.split("_")[1])
    # "Each public key and import token set is valid for 24 hours." (ParametersValidTo)
    lifetime = parameters["ParametersValidTo"].timestamp() - time.time()
    assert 24 * 3600 - 600 < lifetime <= 24 * 3600 + 1
    answer = kms.import_key_material(KeyId=arn, ImportToken=parameters["ImportToken"],
                                     EncryptedKeyMaterial=wrap(parameters, os.urandom(32), algorithm),
                                     ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    _shape_ok("ImportKeyMaterial", answer)
    assert answer["KeyId"] == arn
    meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"], meta["ExpirationModel"]) == ("Enabled", True,
                                                                           "KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert "ValidTo" not in meta
    blob = kms.encrypt(KeyId=arn, Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_delete_and_reimport_the_same_material(world):
    """DeleteImportedKeyMaterial "changes the KMS key's state to PendingImport"; "you can reimport the same key
    material into that KMS key, but you cannot import different key material" (IncorrectKeyMaterialException)."""
    kms = world.client("kms", as_="admin")
    arn, material = world.key_arn("ext"), os.urandom(32)
    first = _import(kms, arn, material)
    blob = kms.encrypt(KeyId=arn, Plaintext=b"kept")["CiphertextBlob"]
    deleted = kms.delete_imported_key_material(KeyId=arn)
    _shape_ok("DeleteImportedKeyMaterial", deleted)
    assert deleted["KeyId"] == arn and deleted["KeyMaterialId"] == first["KeyMaterialId"]
    assert _state(world, "ext") == "PendingImport"
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob)
    assert _code(excinfo) == "KMSInvalidStateException"
    with pytest.raises(ClientError) as excinfo:
        _import(kms, arn, os.urandom(32))
    assert _code(excinfo) == "IncorrectKeyMaterialException"
    assert _state(world, "ext") == "PendingImport"
    _import(kms, arn, material, algorithm="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_4096")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"  # the same material decrypts it again


def test_the_material_is_the_key_material_moto_encrypts_with(world):
    """The imported material is what the key encrypts with (moto's AES-GCM and ciphertext layout, not AWS's):
    checked on moto's key through the adapter, the one place that knows moto."""
    from kmslab.lab.moto_adapter import world as moto_world

    kms = world.client("kms", as_="admin")
    material = os.urandom(32)
    _import(kms, world.key_arn("ext"), material)
    assert moto_world.kms_backend(world.account, world.region).keys[world.key_id("ext")].key_material == material


def test_token_errors(world, monkeypatch):
    """InvalidImportTokenException: "the provided import token is invalid or is associated with a different KMS
    key"; ExpiredImportTokenException: "the specified import token is expired"; InvalidCiphertextException: "KMS
    could not decrypt the encrypted (wrapped) key material" (API_ImportKeyMaterial, Errors)."""
    kms = world.client("kms", as_="admin")
    world.create_key("ext2", policy={"Version": "2012-10-17", "Statement": [ADMIN]}, created_by="admin",
                     origin="EXTERNAL")
    arn, material = world.key_arn("ext"), os.urandom(32)
    other = kms.get_parameters_for_import(KeyId=world.key_arn("ext2"), WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
    mine = kms.get_parameters_for_import(KeyId=arn, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                         WrappingKeySpec="RSA_2048")
    common = {"KeyId": arn, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
    with pytest.raises(ClientError) as excinfo:  # the token of another key
        kms.import_key_material(ImportToken=other["ImportToken"], EncryptedKeyMaterial=wrap(other, material),
                                **common)
    assert _code(excinfo) == "InvalidImportTokenException"
    with pytest.raises(ClientError) as excinfo:  # wrapped under another key's public key
        kms.import_key_material(ImportToken=mine["ImportToken"], EncryptedKeyMaterial=wrap(other, material),
                                **common)
    assert _code(excinfo) == "InvalidCiphertextException"
    with pytest.raises(ClientError) as excinfo:  # wrapped with another algorithm than the one asked for
        kms.import_key_material(ImportToken=mine["ImportToken"],
                                EncryptedKeyMaterial=wrap(mine, material, "RSAES_OAEP_SHA_1"), **common)
    assert _code(excinfo) == "InvalidCiphertextException"
    with pytest.raises(ClientError) as excinfo:  # not 256-bit symmetric key material
        kms.import_key_material(ImportToken=mine["ImportToken"], EncryptedKeyMaterial=wrap(mine, material[:16]),
                                **common)
    assert _code(excinfo) == "IncorrectKeyMaterialException"
    deadline = mine["ParametersValidTo"].timestamp()
    monkeypatch.setattr(import_material, "_now", lambda: deadline + 1)  # a day later
    with pytest.raises(ClientError) as excinfo:
        kms.import_key_material(ImportToken=mine["ImportToken"], EncryptedKeyMaterial=wrap(mine, material),
                                **common)
    assert _code(excinfo) == "ExpiredImportTokenException"
    assert _state(world, "ext") == "PendingImport"


def test_expiration_model_and_valid_to(world):
    """"When the value of ExpirationModel is KEY_MATERIAL_EXPIRES, you must specify a value for the ValidTo
    parameter. When value is KEY_MATERIAL_DOES_NOT_EXPIRE, you must omit the ValidTo parameter." The default is
    KEY_MATERIAL_EXPIRES. KeyMetadata.ValidTo "is present only for KMS keys whose Origin is EXTERNAL and the
    ExpirationModel is KEY_MATERIAL_EXPIRES"."""
    kms = world.client("kms", as_="admin")
    arn, material = world.key_arn("ext"), os.urandom(32)
    later = int(time.time()) + 30 * 24 * 3600
    for bad in ({}, {"ExpirationModel": "KEY_MATERIAL_EXPIRES"},
                {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": later},
                {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": int(time.time()) - 60},
                {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": int(time.time()) + 400 * 24 * 3600}):
        parameters = kms.get_parameters_for_import(KeyId=arn, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                   WrappingKeySpec="RSA_2048")
        with pytest.raises(ClientError) as excinfo:
            kms.import_key_material(KeyId=arn, ImportToken=parameters["ImportToken"],
                                    EncryptedKeyMaterial=wrap(parameters, material), **bad)
        assert _code(excinfo) == "ValidationException", bad
    _import(kms, arn, material, ValidTo=later)  # ExpirationModel left to its default, KEY_MATERIAL_EXPIRES
    meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
    assert meta["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert meta["ValidTo"].timestamp() == later


def test_valid_to_is_checked_against_the_labs_clock(world):
    """A scenario's `now` (Lab.set_clock) is the time of the whole world: a ValidTo that is in the future for
    the machine but in the past for the lab's clock is refused, as AWS refuses a ValidTo in the past."""
    kms = world.client("kms", as_="admin")
    arn, material = world.key_arn("ext"), os.urandom(32)
    world.set_clock("2030-01-01T00:00:00Z")
    tomorrow_for_the_machine = int(time.time()) + 24 * 3600
    with pytest.raises(ClientError) as excinfo:
        _import(kms, arn, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=tomorrow_for_the_machine)
    assert _code(excinfo) == "ValidationException"
    _import(kms, arn, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=1893456000 + 3600)  # 2030, 01:00
    assert _state(world, "ext") == "Enabled"


def test_the_material_expires_at_valid_to(world, monkeypatch):
    """"If you set an expiration date, KMS deletes the key material from the KMS key on the specified date, making
    the KMS key unusable. To use the KMS key in cryptographic operations again, you must reimport the same key
    material." (API_ImportKeyMaterial)"""
    kms = world.client("kms", as_="admin")
    arn, material = world.key_arn("ext"), os.urandom(32)
    valid_to = int(time.time()) + 3600
    _import(kms, arn, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
    blob = kms.encrypt(KeyId=arn, Plaintext=b"x")["CiphertextBlob"]
    assert world.request("admin", "kms:Decrypt", "ext").decision == "allowed"
    monkeypatch.setattr(import_material, "_now", lambda: valid_to + 1)  # an hour later
    # A lab probe that undoes what it changed (DisableKey) sees the expiry first and does not undo it: key state
    # table [5], DisableKey of a key pending import.
    assert world.request("admin", "kms:DisableKey", "ext").error == "KMSInvalidStateException"
    assert _state(world, "ext") == "PendingImport"
    with pytest.raises(ClientError) as excinfo:
        kms.decrypt(CiphertextBlob=blob)
    assert _code(excinfo) == "KMSInvalidStateException"  # [5] pending import: the material is gone
    meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport" and "ValidTo" not in meta
    assert world.request("admin", "kms:Decrypt", "ext").error == "KMSInvalidStateException"
    _import(kms, arn, material)  # the same material, now without expiry
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_a_key_whose_origin_is_not_external(world):
    """Key state table [9]: "If the KMS key cannot or does not have imported key material:
    UnsupportedOperationException" (GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial)."""
    kms = world.client("kms", as_="admin")
    for call in (lambda: kms.get_parameters_for_import(KeyId=world.key_arn("sym"),
                                                       WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                       WrappingKeySpec="RSA_2048"),
                 lambda: kms.delete_imported_key_material(KeyId=world.key_arn("sym"))):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _code(excinfo) == "UnsupportedOperationException"
        assert "origin is AWS_KMS" in excinfo.value.response["Error"]["Message"]


def test_wrapping_options_aws_does_not_offer(world):
    """RSAES_PKCS1_V1_5: "As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm";
    SM2: "AWS KMS also supports the SM2 wrapping key spec (China Regions only)"
    (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-get-public-key-and-token.html)."""
    kms = world.client("kms", as_="admin")
    for algorithm, spec in (("RSAES_PKCS1_V1_5", "RSA_2048"), ("SM2PKE", "SM2")):
        with pytest.raises(ClientError) as excinfo:
            kms.get_parameters_for_import(KeyId=world.key_arn("ext"), WrappingAlgorithm=algorithm,
                                          WrappingKeySpec=spec)
        assert _code(excinfo) == "UnsupportedOperationException"


def test_an_hmac_key_macs_with_the_imported_material(world):
    """An HMAC key for imported material (API_GetParametersForImport: "You can import key material for a
    symmetric encryption KMS key, HMAC KMS key, asymmetric encryption KMS key, or asymmetric signing KMS key")."""
    world.create_key("mac", policy={"Version": "2012-10-17", "Statement": [ADMIN]}, created_by="admin",
                     origin="EXTERNAL", key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC")
    kms = world.client("kms", as_="admin")
    material = os.urandom(32)
    _import(kms, world.key_arn("mac"), material)
    mac = kms.generate_mac(KeyId=world.key_arn("mac"), Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(material, b"m", hashlib.sha256).digest()


def test_a_signing_key_signs_with_the_imported_private_key(world):
    """An asymmetric signing key: the imported private key (PKCS #8 DER, wrapped with RSA_AES_KEY_WRAP, as
    "To import an RSA private key, you must use an RSA_AES wrapping algorithm") signs; its public key is ours."""
    world.create_key("signer", policy={"Version": "2012-10-17", "Statement": [ADMIN]}, created_by="admin",
                     origin="EXTERNAL", key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY")
    kms = world.client("kms", as_="admin")
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    with pytest.raises(ClientError) as excinfo:  # a P-384 key is not ECC_NIST_P256 material
        wrong = ec.generate_private_key(ec.SECP384R1()).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        _import(kms, world.key_arn("signer"), wrong, algorithm="RSA_AES_KEY_WRAP_SHA_256")
    assert _code(excinfo) == "IncorrectKeyMaterialException"
    _import(kms, world.key_arn("signer"), der, algorithm="RSA_AES_KEY_WRAP_SHA_256")
    signature = kms.sign(KeyId=world.key_arn("signer"), Message=b"m", MessageType="RAW",
                         SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    private.public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))  # raises if not ours
    public = kms.get_public_key(KeyId=world.key_arn("signer"))["PublicKey"]
    assert serialization.load_der_public_key(public).public_numbers() == private.public_key().public_numbers()


@pytest.mark.parametrize("action", ["kms:GetParametersForImport", "kms:ImportKeyMaterial",
                                    "kms:DeleteImportedKeyMaterial"])
def test_lab_request_of_the_import_family(world, action):
    """Each is authorized by the key policy (Required permissions: kms:<Action> (key policy)); the probe leaves
    the key as it was; on a key whose origin is not EXTERNAL AWS answers UnsupportedOperationException."""
    before = _state(world, "ext")
    assert world.request("admin", action, "ext").decision == "allowed"
    assert _state(world, "ext") == before
    denied = world.request("alice", action, "ext")
    assert denied.decision == "denied" and denied.error == "AccessDeniedException"
    assert world.request("admin", action, "sym").error == "UnsupportedOperationException"


def test_lab_request_reimports_the_keys_own_material(world):
    """The ImportKeyMaterial cell on a key with material brings the same material back (a reimport of other
    material would be IncorrectKeyMaterialException); the key keeps its state and material."""
    world.import_key_material("ext")
    kms = world.client("kms", as_="admin")
    blob = kms.encrypt(KeyId=world.key_arn("ext"), Plaintext=b"x")["CiphertextBlob"]
    assert world.request("admin", "kms:ImportKeyMaterial", "ext").decision == "allowed"
    assert world.request("admin", "kms:DeleteImportedKeyMaterial", "ext").decision == "allowed"
    assert _state(world, "ext") == "Enabled"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_condition_keys_of_the_import_family(world):
    """kms:WrappingAlgorithm, kms:WrappingKeySpec (GetParametersForImport), kms:ExpirationModel, kms:ValidTo
    (ImportKeyMaterial: "The value is expressed in Unix time"; the page's example uses NumericLessThanEquals, and
    IAM's Date operators read epoch seconds too).
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-valid-to"""
    deadline = int(time.time()) + 10 * 24 * 3600
    alice = {"Effect": "Allow", "Principal": {"AWS": user_arn("alice")}, "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [ADMIN, {
        **alice, "Sid": "Wrap", "Action": "kms:GetParametersForImport",
        "Condition": {"StringEquals": {"kms:WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                                       "kms:WrappingKeySpec": "RSA_3072"}}}, {
        **alice, "Sid": "Import", "Action": "kms:ImportKeyMaterial",
        "Condition": {"StringEquals": {"kms:ExpirationModel": "KEY_MATERIAL_EXPIRES"},
                      "DateLessThanEquals": {"kms:ValidTo": str(deadline)},
                      "NumericLessThanEquals": {"kms:ValidTo": f"{deadline}.0"}}}]}
    world.put_key_policy("ext", policy)
    kms = world.client("kms", as_="alice")
    arn, material = world.key_arn("ext"), os.urandom(32)
    for algorithm, spec in (("RSAES_OAEP_SHA_1", "RSA_3072"), ("RSAES_OAEP_SHA_256", "RSA_2048")):
        with pytest.raises(ClientError) as excinfo:
            kms.get_parameters_for_import(KeyId=arn, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
        assert _code(excinfo) == "AccessDeniedException"
    parameters = kms.get_parameters_for_import(KeyId=arn, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                               WrappingKeySpec="RSA_3072")
    for denied in ({"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, {"ValidTo": deadline + 60}):
        with pytest.raises(ClientError) as excinfo:
            kms.import_key_material(KeyId=arn, ImportToken=parameters["ImportToken"],
                                    EncryptedKeyMaterial=wrap(parameters, material), **denied)
        assert _code(excinfo) == "AccessDeniedException", denied
    kms.import_key_material(KeyId=arn, ImportToken=parameters["ImportToken"],
                            EncryptedKeyMaterial=wrap(parameters, material), ValidTo=deadline)
    assert _state(world, "ext") == "Enabled"


def test_key_origin_on_create_key(lab):
    """kms:KeyOrigin "controls access to operations based on the value of the Origin property of the KMS key that
    is created by or used in the operation" (CreateKey: IAM policies; Origin's default is AWS_KMS). https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-key-origin"""
    lab.create_user("importer")
    lab.put_inline_policy("importer", "external-only", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
        "Condition": {"StringEquals": {"kms:KeyOrigin": "EXTERNAL"}}}]})
    kms = lab.client("kms", as_="importer")
    with pytest.raises(ClientError) as excinfo:
        kms.create_key()
    assert _code(excinfo) == "AccessDeniedException"
    assert kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyState"] == "PendingImport"


def test_lab_create_key_refuses_a_disabled_external_key(lab):
    """Key state table [5]: DisableKey of a key pending import fails; the lab says so before making the key."""
    with pytest.raises(LabError, match="PendingImport"):
        lab.create_key("ext", origin="EXTERNAL", enabled=False)
    assert lab.key_names() == []


def test_the_import_family_over_kmslab_serve(world):
    """The same answers through `kmslab serve`'s HTTP server and gate (a boto3 client with the principal's own
    credentials on loopback), as through an in-process client."""
    import boto3
    from botocore.config import Config

    from kmslab.lab.moto_adapter import Server
    from kmslab.serve.gate import gate

    server = Server("127.0.0.1", 0, gate)
    server.start()
    try:
        kms = boto3.client("kms", endpoint_url=f"http://127.0.0.1:{server.address[1]}",
                           config=Config(retries={"max_attempts": 1}), **world.credentials("admin"))
        material = os.urandom(32)
        _import(kms, world.key_arn("ext"), material)
        assert _state(world, "ext") == "Enabled"
        assert kms.delete_imported_key_material(KeyId=world.key_arn("ext"))["KeyId"] == world.key_arn("ext")
        alice = boto3.client("kms", endpoint_url=f"http://127.0.0.1:{server.address[1]}",
                             config=Config(retries={"max_attempts": 1}), **world.credentials("alice"))
        with pytest.raises(ClientError) as excinfo:
            alice.get_parameters_for_import(KeyId=world.key_arn("ext"), WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                            WrappingKeySpec="RSA_2048")
        assert _code(excinfo) == "AccessDeniedException"
    finally:
        server.stop()


def test_the_check_before_each_request_watches_the_material_that_expires(world):
    """The moto adapter looks at import_material's own table of expiring material before every KMS request (an
    empty table: nothing to expire), the same table across mocks (a new mock clears it in place)."""
    from kmslab.lab.moto_adapter import hooks

    kms = world.client("kms", as_="admin")
    assert hooks._EXPIRING is import_material.EXPIRING and not import_material.EXPIRING
    _import(kms, world.key_arn("ext"), os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES",
            ValidTo=int(time.time()) + 3600)
    assert len(hooks._EXPIRING) == 1
    with Lab():
        assert hooks._EXPIRING is import_material.EXPIRING and not hooks._EXPIRING
