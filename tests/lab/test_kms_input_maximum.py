"""Values over the KMS model's maximum are AWS's ValidationException, before authorization.

botocore's own validator checks only minimums, so kms_input checks the model's maximums itself, for a lab client's
bodies (botocore validated them otherwise) and for any other body. The form is AWS's, as real KMS returned it for an
Encrypt of more than 4096 bytes [obs]: "1 validation error detected: Value at 'plaintext' failed to satisfy
constraint: Member must have length less than or equal to 4096" (https://github.com/adenot/hiera-eyaml-kms/issues/8;
API_Encrypt: Plaintext "Length Constraints: Minimum length of 1. Maximum length of 4096."
https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kmslab.lab import Lab


@pytest.fixture(scope="module")
def lab():
    with Lab() as lab:
        lab.create_user("nobody")  # no policy at all: a shape error comes before authorization
        lab.create_key("k")
        yield lab


def _error(call, **params) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


def _clients(lab: Lab):
    """A lab client (botocore validated its parameters) and a client that does not validate (any body)."""
    return (lab.client("kms", as_="nobody"),
            boto3.client("kms", config=Config(parameter_validation=False), **lab.credentials("nobody")))


def test_a_plaintext_over_4096_bytes(lab):
    """API_Encrypt Plaintext: "Maximum length of 4096" (bytes: text is sent as its UTF-8 bytes).

    https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html
    """
    for kms in _clients(lab):
        for plaintext in (b"x" * 4097, "\u00e9" * 2049):
            error = _error(kms.encrypt, KeyId=lab.key_arn("k"), Plaintext=plaintext)
            assert error == {"Code": "ValidationException", "Message": (
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have "
                "length less than or equal to 4096")}
        # 4096 bytes are not over the maximum: the request goes on to authorization (nobody may use the key).
        assert _error(kms.encrypt, KeyId=lab.key_arn("k"), Plaintext=b"x" * 4096)["Code"] == "AccessDeniedException"


def test_a_list_over_its_maximum_and_a_number_over_its_range(lab):
    """API_Encrypt GrantTokens: "Minimum number of 0 items. Maximum number of 10 items."; API_GenerateRandom
    NumberOfBytes: "Valid Range: Minimum value of 1. Maximum value of 1024."; several problems are counted.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html
    """
    for kms in _clients(lab):
        error = _error(kms.encrypt, KeyId=lab.key_arn("k"), Plaintext=b"x", GrantTokens=["t"] * 11)
        assert error["Message"] == ("1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: "
                                    "Member must have length less than or equal to 10")
        error = _error(kms.generate_random, NumberOfBytes=1025)
        assert error["Message"] == ("1 validation error detected: Value at 'numberOfBytes' failed to satisfy "
                                    "constraint: Member must have value less than or equal to 1024")
        error = _error(kms.describe_key, KeyId="k" * 2049, GrantTokens=["t"] * 11)
        assert error["Message"].startswith("2 validation errors detected: ")
        assert "Value at 'keyId' failed" in error["Message"] and "Value at 'grantTokens' failed" in error["Message"]


def test_a_nested_member_over_its_maximum(lab):
    """GrantConstraints SourceArn: "Maximum length of 512" (a member of the Constraints structure).

    https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
    """
    for kms in _clients(lab):
        error = _error(kms.create_grant, KeyId=lab.key_arn("k"), Operations=["Decrypt"],
                       GranteePrincipal=lab.principal_arn("nobody"),
                       Constraints={"SourceArn": "arn:aws:s3:::" + "b" * 510})
        assert error["Message"] == ("1 validation error detected: Value at 'constraints.sourceArn' failed to satisfy "
                                    "constraint: Member must have length less than or equal to 512")
