"""The seed article's experiment through plain boto3 clients, in-process and over HTTP.

KMS Developer Guide, key policies: "Unless the key policy explicitly allows it, you
cannot use IAM policies to allow access to a KMS key."
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
"""

from __future__ import annotations

import copy
import json
import socket

import boto3
import pytest
from botocore.exceptions import ClientError

from .conftest import ROOT_STATEMENT, SEED_POLICY, user_arn


def _experiment(lab, endpoint_url=None):
    arn = lab.key_arn("demo")

    def kms(name):
        return boto3.client("kms", endpoint_url=endpoint_url, **lab.credentials(name))

    # kms-test-1 has no IAM policy at all, but the key policy names it: Encrypt and Decrypt work.
    blob = kms("kms-test-1").encrypt(KeyId=arn, Plaintext=b"secret")["CiphertextBlob"]
    assert kms("kms-test-1").decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"

    # kms-test-2 has AdministratorAccess, yet without the root statement IAM policies have no effect.
    with pytest.raises(ClientError) as denied:
        kms("kms-test-2").decrypt(CiphertextBlob=blob)
    error = denied.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"].startswith(
        f"User: {user_arn('kms-test-2')} is not authorized to perform: kms:Decrypt on resource: {arn}"
    )
    assert error["Message"].endswith("because no resource-based policy allows the kms:Decrypt action")

    # manabusakai (a key administrator in the policy) adds the root statement: now IAM policies count.
    policy = copy.deepcopy(SEED_POLICY)
    policy["Statement"].insert(0, ROOT_STATEMENT)
    kms("manabusakai").put_key_policy(KeyId=arn, Policy=json.dumps(policy))
    assert kms("kms-test-2").decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_seed_experiment_in_process(seed):
    _experiment(seed)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_seed_experiment_over_http_threaded_moto_server(seed):
    from kmslab.lab.moto_adapter import Server

    port = _free_port()
    server = Server("127.0.0.1", port)
    server.start()
    try:
        _experiment(seed, endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()


def test_root_user_is_denied_without_the_root_statement(seed):
    """KMS: without the account statement even the root user cannot use the key."""
    outcome = seed.request("root", "kms:Decrypt", "demo")
    assert outcome.decision == "denied"
    assert outcome.error == "AccessDeniedException"
    assert "root user is denied" in outcome.reason
