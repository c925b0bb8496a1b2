"""Bodies a validating botocore client made skip kms_input's check; every other body is checked as before."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kmslab.lab import Lab, kms_input


@pytest.fixture()
def lab():
    with Lab() as lab:
        lab.create_key("k")
        yield lab


def test_a_lab_clients_body_is_not_checked_twice(lab, monkeypatch):
    checked = []
    original = kms_input._check_shapes
    monkeypatch.setattr(kms_input, "_check_shapes",
                        lambda shape, params: (checked.append(dict(params)), original(shape, params)))
    lab.client("kms").encrypt(KeyId=lab.key_arn("k"), Plaintext=b"validated by botocore")
    assert checked == []  # botocore validated it against the same model
    other = boto3.client("kms", config=Config(parameter_validation=False), **lab.credentials("root"))
    other.encrypt(KeyId=lab.key_arn("k"), Plaintext=b"not validated by its client")
    assert len(checked) == 1 and checked[0]["KeyId"] == lab.key_arn("k")


def test_a_client_that_does_not_validate_is_still_answered_as_aws_answers(lab):
    kms = boto3.client("kms", config=Config(parameter_validation=False), **lab.credentials("root"))
    with pytest.raises(ClientError) as raised:
        kms.describe_key(KeyId=["not", "a", "string"])
    assert raised.value.response["Error"]["Code"] == "SerializationException"
    with pytest.raises(ClientError) as raised:
        kms.describe_key()
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_a_body_changed_after_validation_is_checked(lab):
    kms = lab.client("kms")

    def tamper(params, **_):
        params["body"] = json.dumps({"KeyId": 5}).encode()

    kms.meta.events.register("before-call.kms.DescribeKey", tamper)
    try:
        with pytest.raises(ClientError) as raised:
            kms.describe_key(KeyId=lab.key_arn("k"))
        assert raised.value.response["Error"]["Code"] == "SerializationException"
    finally:
        kms.meta.events.unregister("before-call.kms.DescribeKey", tamper)
