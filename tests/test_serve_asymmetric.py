"""The operations the moto adapter answers for asymmetric keys, through `kmslab serve`'s server on loopback: the
same hook and adapter as in process (GenerateDataKeyPair, CreateKey of an ML-KEM key, Encapsulate/Decapsulate).
https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_Encapsulate.html
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def _kms(lab, port, who):
    return boto3.client("kms", endpoint_url=f"http://127.0.0.1:{port}",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}), **lab.credentials(who))


def test_a_data_key_pair_over_http_decrypts_to_its_private_key(served):
    lab, port = served
    kms = _kms(lab, port, "kms-test-1")  # named in the seed key's policy
    pair = kms.generate_data_key_pair(KeyId="alias/demo", KeyPairSpec="ECC_NIST_P256")
    assert kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"] == pair["PrivateKeyPlaintext"]
    with pytest.raises(ClientError) as denied:  # kms-test-2: AdministratorAccess, but the key policy names it not
        _kms(lab, port, "kms-test-2").generate_data_key_pair(KeyId=lab.key_arn("demo"), KeyPairSpec="ECC_NIST_P256")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


def test_an_ml_kem_key_made_and_used_over_http(served):
    lab, port = served
    kms = _kms(lab, port, "kms-test-2")  # AdministratorAccess: CreateKey is an IAM-only action
    key = kms.create_key(KeySpec="ML_KEM_1024", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]
    assert key["EncapsulationAlgorithms"] == ["ML_KEM"]
    sealed = kms.encapsulate(KeyId=key["Arn"], EncapsulationAlgorithm="ML_KEM")
    opened = kms.decapsulate(KeyId=key["Arn"], EncapsulationAlgorithm="ML_KEM",
                             SharedSecretCiphertextBlob=sealed["SharedSecretCiphertextBlob"])
    assert opened["SharedSecret"] == sealed["SharedSecret"]
