"""Every KeySpec of the KMS model at CreateKey with the key usages AWS allows, their metadata, public keys, signatures
and verifications (the moto adapter's operations/key_specs.py), through real boto3 calls.

https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (KeySpec, KeyUsage)
https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html (Key spec reference)
https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html, API_Verify.html, API_VerifyMac.html
"""

from __future__ import annotations

import hashlib

import botocore.session
import pytest
from botocore.exceptions import ClientError
from Crypto.Hash import SHA512
from Crypto.Signature import eddsa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa

from kmslab.engine.key_specs import KEY_SPECS, KEY_USAGES
from kmslab.lab import Lab
from kmslab.lab.moto_adapter.operations.key_pairs import KeyPair

from .conftest import user_arn

MODEL = botocore.session.get_session().get_service_model("kms")
USAGES = MODEL.shape_for("KeyUsageType").enum
ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}
_ALGORITHM_FIELD = {"ENCRYPT_DECRYPT": "EncryptionAlgorithms", "SIGN_VERIFY": "SigningAlgorithms",
                    "GENERATE_VERIFY_MAC": "MacAlgorithms", "KEY_AGREEMENT": "KeyAgreementAlgorithms",
                    "ENCAPSULATE_DECAPSULATE": "EncapsulationAlgorithms"}


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_the_lab_knows_every_key_spec_and_usage_of_the_model():
    assert list(KEY_SPECS) == MODEL.shape_for("KeySpec").enum
    assert {u for usages in KEY_USAGES.values() for u in usages} == set(USAGES)


@pytest.fixture
def kms(lab):
    return lab.admin("kms")


@pytest.mark.parametrize("spec", [s for s in KEY_SPECS if s != "SM2"])
def test_create_key_accepts_exactly_the_usages_aws_allows_for_each_spec(kms, spec):
    """API_CreateKey, KeyUsage: "For asymmetric KMS keys with RSA key pairs, specify ENCRYPT_DECRYPT or SIGN_VERIFY.
    For asymmetric KMS keys with NIST-standard elliptic curve key pairs, specify SIGN_VERIFY or KEY_AGREEMENT ..."
    and "ECC_NIST_EDWARDS25519 (ed25519) - signing and verification only"."""
    for usage in USAGES:
        if usage in KEY_USAGES[spec]:
            metadata = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
            assert (metadata["KeySpec"], metadata["KeyUsage"]) == (spec, usage)
            described = kms.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"]
            lists = {k for k in described if k.endswith("Algorithms")}
            assert lists == {_ALGORITHM_FIELD[usage]}, lists  # only the list of the key's usage
            assert described[_ALGORITHM_FIELD[usage]]
        else:
            with pytest.raises(ClientError) as refused:
                kms.create_key(KeySpec=spec, KeyUsage=usage)
            assert _code(refused) == "ValidationException"


def test_the_refusal_names_the_usages_the_spec_allows(kms):
    """The message AWS gave for SYMMETRIC_DEFAULT with SIGN_VERIFY (github.com/aws/aws-sdk/issues/125) [obs]."""
    with pytest.raises(ClientError) as refused:
        kms.create_key(KeyUsage="SIGN_VERIFY")
    assert refused.value.response["Error"]["Message"] == (
        "The operation failed because the KeyUsage value of the CMK is SIGN_VERIFY. To perform this operation, the "
        "KeyUsage value must be ENCRYPT_DECRYPT.")


def test_key_usage_defaults_to_encrypt_decrypt(kms):
    """"The default value is ENCRYPT_DECRYPT." (moto leaves it empty); so an ECC key without KeyUsage is refused."""
    assert kms.create_key()["KeyMetadata"]["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert kms.create_key(KeySpec="RSA_2048")["KeyMetadata"]["KeyUsage"] == "ENCRYPT_DECRYPT"
    with pytest.raises(ClientError) as refused:
        kms.create_key(KeySpec="ECC_NIST_P256")
    assert _code(refused) == "ValidationException"


def test_sm2_only_in_china_regions_and_ml_kem_not_there():
    """"SM2 (China Regions only)"; "The ML-KEM key specs are not available in China Regions." (API_CreateKey)"""
    with Lab(region="ap-northeast-1") as lab:
        with pytest.raises(ClientError) as refused:
            lab.admin("kms").create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")
        assert _code(refused) == "ValidationException"
    with Lab(region="cn-north-1") as lab:
        kms = lab.admin("kms")
        assert kms.create_key(KeySpec="SM2", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeySpec"] == "SM2"
        sm2 = kms.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        with pytest.raises(ClientError) as not_simulated:  # kmslab has no SM2: it says so (aws-references 10.7)
            kms.sign(KeyId=sm2, Message=b"m", SigningAlgorithm="SM2DSA")
        assert _code(not_simulated) == "UnsupportedOperationException"
        with pytest.raises(ClientError) as refused:
            kms.create_key(KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")
        assert _code(refused) == "ValidationException"


@pytest.mark.parametrize("spec", ["SYMMETRIC_DEFAULT", "HMAC_256"])
def test_get_public_key_of_a_symmetric_or_hmac_key_is_unsupported(kms, spec):
    """API_GetPublicKey returns "the public key of an asymmetric KMS key"; Errors: UnsupportedOperationException ("a
    specified resource is not valid for this operation")."""
    key_id = kms.create_key(KeySpec=spec, KeyUsage=KEY_USAGES[spec][0])["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as refused:
        kms.get_public_key(KeyId=key_id)
    assert _code(refused) == "UnsupportedOperationException"


@pytest.mark.parametrize(("spec", "usage", "kind"), [
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", ed25519.Ed25519PublicKey),
    ("ML_DSA_65", "SIGN_VERIFY", mldsa.MLDSA65PublicKey),
    ("ECC_NIST_P384", "KEY_AGREEMENT", ec.EllipticCurvePublicKey),
])
def test_get_public_key_answers_in_aws_shape(kms, spec, usage, kind):
    metadata = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    answer = kms.get_public_key(KeyId=metadata["KeyId"])
    assert set(answer) - {"ResponseMetadata"} <= set(MODEL.operation_model("GetPublicKey").output_shape.members)
    assert answer["KeyId"] == metadata["Arn"]  # "The Amazon Resource Name (key ARN)"
    assert (answer["KeySpec"], answer["KeyUsage"]) == (spec, usage)
    assert _ALGORITHM_FIELD[usage] in answer
    assert isinstance(serialization.load_der_public_key(answer["PublicKey"]), kind)


def _signing_key(kms, spec):
    return kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]


def test_ed25519_signatures_are_real(kms):
    """ED25519_SHA_512 with MessageType RAW: a pure Ed25519 signature that the public key verifies outside KMS."""
    key_id = _signing_key(kms, "ECC_NIST_EDWARDS25519")
    signature = kms.sign(KeyId=key_id, Message=b"hello", SigningAlgorithm="ED25519_SHA_512")["Signature"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    public.verify(signature, b"hello")  # raises if not
    assert kms.verify(KeyId=key_id, Message=b"hello", Signature=signature,
                      SigningAlgorithm="ED25519_SHA_512")["SignatureValid"] is True


def test_ml_dsa_signatures_are_real_raw_and_external_mu(kms):
    """ML_DSA_SHAKE_256 with RAW and with EXTERNAL_MU ("64-byte representative μ ... FIPS 204 Section 6.2")."""
    key_id = _signing_key(kms, "ML_DSA_44")
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    signature = kms.sign(KeyId=key_id, Message=b"hello", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    public.verify(signature, b"hello")
    mu = hashlib.shake_256(b"any 64 bytes").digest(64)
    by_mu = kms.sign(KeyId=key_id, Message=mu, MessageType="EXTERNAL_MU", SigningAlgorithm="ML_DSA_SHAKE_256")
    public.verify_mu(by_mu["Signature"], mu)
    with pytest.raises(ClientError) as refused:  # "the length of the Message value must be 64 bytes"
        kms.sign(KeyId=key_id, Message=b"short", MessageType="EXTERNAL_MU", SigningAlgorithm="ML_DSA_SHAKE_256")
    assert _code(refused) == "ValidationException"


def test_ed25519ph_needs_digest_and_verifies_outside_the_lab(kms):
    """"ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST"; "KMS still performs the SHA-512 prehash
    described in Step 1 of Section 7.8.1 in FIPS 186-5. This means the input is hashed twice" (API_Sign, MessageType):
    an RFC 8032 Ed25519ph signature of the 64-byte Message, which PyCryptodome's Ed25519ph verifier accepts with
    GetPublicKey's key."""
    key_id = _signing_key(kms, "ECC_NIST_EDWARDS25519")
    digest = hashlib.sha512(b"hello").digest()
    with pytest.raises(ClientError) as refused:
        kms.sign(KeyId=key_id, Message=digest, SigningAlgorithm="ED25519_PH_SHA_512")  # MessageType RAW
    assert _code(refused) == "ValidationException"
    signature = kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST",
                         SigningAlgorithm="ED25519_PH_SHA_512")["Signature"]
    assert kms.verify(KeyId=key_id, Message=digest, MessageType="DIGEST", Signature=signature,
                      SigningAlgorithm="ED25519_PH_SHA_512")["SignatureValid"] is True
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    eddsa.new(eddsa.import_public_key(raw), "rfc8032").verify(SHA512.new(digest), signature)  # raises if not
    with pytest.raises(InvalidSignature):  # not a pure Ed25519 signature of the digest
        public.verify(signature, digest)


def test_ed25519ph_is_rfc_8032s(kms):
    """RFC 8032 section 7.3, the Ed25519ph test vector ("abc"): the lab's Ed25519ph signs it as the RFC does."""
    secret = bytes.fromhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
    expected = bytes.fromhex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
                             "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406")
    pair = KeyPair("ECC_NIST_EDWARDS25519")
    pair._key = ed25519.Ed25519PrivateKey.from_private_bytes(secret)
    assert pair.sign(b"abc", "ED25519_PH_SHA_512", "DIGEST") == expected
    assert pair.verify(b"abc", expected, "ED25519_PH_SHA_512", "DIGEST")
    assert not pair.verify(b"abd", expected, "ED25519_PH_SHA_512", "DIGEST")


@pytest.mark.parametrize(("spec", "algorithm"), [("ECC_NIST_P256", "ECDSA_SHA_256"),
                                                 ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
                                                 ("ML_DSA_65", "ML_DSA_SHAKE_256")])
def test_a_bad_signature_is_kms_invalid_signature_exception(kms, spec, algorithm):
    """API_Verify Errors: KMSInvalidSignatureException, "the signature verification failed" (never SignatureValid
    false)."""
    key_id = _signing_key(kms, spec)
    signature = kms.sign(KeyId=key_id, Message=b"hello", SigningAlgorithm=algorithm)["Signature"]
    with pytest.raises(ClientError) as refused:
        kms.verify(KeyId=key_id, Message=b"other", Signature=signature, SigningAlgorithm=algorithm)
    assert _code(refused) == "KMSInvalidSignatureException"


def test_a_signing_algorithm_the_spec_does_not_support_is_invalid_key_usage(kms):
    """InvalidKeyUsageException: "The encryption algorithm or signing algorithm specified for the operation is
    incompatible with the type of key material in the KMS key (KeySpec)." (API_Sign Errors)"""
    key_id = _signing_key(kms, "ECC_NIST_P256")
    with pytest.raises(ClientError) as refused:
        kms.sign(KeyId=key_id, Message=b"hello", SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert _code(refused) == "InvalidKeyUsageException"


def test_a_bad_mac_is_kms_invalid_mac_exception(kms):
    """API_VerifyMac Errors: KMSInvalidMacException (moto's answer, kept)."""
    key_id = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as refused:
        kms.verify_mac(KeyId=key_id, Message=b"hello", MacAlgorithm="HMAC_SHA_256", Mac=b"\0" * 32)
    assert _code(refused) == "KMSInvalidMacException"


@pytest.mark.parametrize(("spec", "action"), [("ECC_NIST_EDWARDS25519", "kms:Sign"),
                                              ("ECC_NIST_EDWARDS25519", "kms:Verify"),
                                              ("ML_DSA_87", "kms:Sign"), ("ML_DSA_87", "kms:Verify"),
                                              ("ML_DSA_87", "kms:GetPublicKey")])
def test_lab_request_signs_with_the_new_specs(lab, spec, action):
    """The table's Sign/Verify cells use the spec's own algorithm; a principal the key policy omits is denied."""
    lab.create_user("admin")
    lab.create_user("alice")
    lab.create_key("k", policy={"Version": "2012-10-17", "Statement": [ADMIN]}, created_by="admin", key_spec=spec,
                   key_usage="SIGN_VERIFY")
    assert lab.request("admin", action, "k").decision == "allowed"
    assert lab.request("alice", action, "k").error == "AccessDeniedException"


def test_signing_algorithm_and_message_type_condition_keys(lab):
    """"You can use the kms:SigningAlgorithm condition key to control access to the Sign and Verify operations based
    on the value of the SigningAlgorithm parameter"; kms:MessageType likewise (default RAW).
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-signing-algorithm"""
    lab.create_user("admin")
    lab.create_user("alice")
    only_raw_ed25519 = {"Sid": "RawEd25519", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")},
                        "Action": "kms:Sign", "Resource": "*",
                        "Condition": {"StringEquals": {"kms:SigningAlgorithm": "ED25519_SHA_512",
                                                       "kms:MessageType": "RAW"}}}
    lab.create_key("k", policy={"Version": "2012-10-17", "Statement": [ADMIN, only_raw_ed25519]},
                   created_by="admin", key_spec="ECC_NIST_EDWARDS25519", key_usage="SIGN_VERIFY")
    kms = lab.client("kms", as_="alice")
    arn = lab.key_arn("k")
    assert kms.sign(KeyId=arn, Message=b"m", SigningAlgorithm="ED25519_SHA_512")["Signature"]
    with pytest.raises(ClientError) as denied:
        kms.sign(KeyId=arn, Message=hashlib.sha512(b"m").digest(), MessageType="DIGEST",
                 SigningAlgorithm="ED25519_PH_SHA_512")
    assert _code(denied) == "AccessDeniedException"


def test_key_spec_and_key_usage_condition_keys_at_create_key(lab):
    """kms:KeySpec / kms:KeyUsage at CreateKey "works even when the parameter doesn't appear in the request, such as
    when you use the parameter's default value" (conditions-kms.html)."""
    lab.create_user("maker", inline_policies={"p": {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
        "Condition": {"StringEquals": {"kms:KeySpec": "ML_DSA_65", "kms:KeyUsage": "SIGN_VERIFY"}}}]}})
    kms = lab.client("kms", as_="maker")
    assert kms.create_key(KeySpec="ML_DSA_65", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeySpec"] == "ML_DSA_65"
    with pytest.raises(ClientError) as denied:
        kms.create_key()  # SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT by default
    assert _code(denied) == "AccessDeniedException"


def test_a_lab_loads_pycryptodome_and_kyber_py_only_when_a_key_pair_needs_them():
    """Ed25519ph (PyCryptodome) and ML-KEM-512 (kyber-py) are imported on first use, not at every Lab start."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from kmslab.lab import Lab\n"
        "from kmslab.lab.moto_adapter.operations.key_pairs import KeyPair\n"
        "loaded = lambda: sorted({m.split('.')[0] for m in sys.modules} & {'Crypto', 'kyber_py'})\n"
        "with Lab() as lab:\n"
        "    lab.create_key('k')\n"
        "    print(loaded())\n"
        "    KeyPair('ML_KEM_512').encapsulate()\n"
        "    print(loaded())\n"
        "    pair = KeyPair('ECC_NIST_EDWARDS25519')\n"
        "    pair.sign(bytes(64), 'ED25519_PH_SHA_512', 'DIGEST')\n"
        "    print(loaded())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "['kyber_py']", "['Crypto', 'kyber_py']"]
