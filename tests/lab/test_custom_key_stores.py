"""The custom key store family, answered as AWS answers an account without custom key stores (the lab has no
CloudHSM cluster and no external key store proxy), each request authorized first by IAM policies alone.

https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateCustomKeyStore.html (and each operation's page)
https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html ("IAM policy", resource *)
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ClientError

MODEL = botocore.session.get_session().get_service_model("kms")
STORE_ID = "cks-1234567890abcdef0"
CLOUDHSM = {"CustomKeyStoreName": "hsm", "CloudHsmClusterId": "cluster-234a5b6cdef",
            "TrustAnchorCertificate": "certificate", "KeyStorePassword": "kmsuser-password"}
XKS = {"CustomKeyStoreName": "xks", "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
       "XksProxyUriEndpoint": "https://xks.example.com", "XksProxyUriPath": "/kms/xks/v1",
       "XksProxyAuthenticationCredential": {"AccessKeyId": "ABCDE12345670EXAMPLE",
                                            "RawSecretAccessKey": "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo="}}


@pytest.fixture
def world(lab):
    """ops may make every custom key store request (an IAM policy); alice has no policy."""
    lab.create_user("ops")
    lab.create_user("alice")
    lab.put_inline_policy("ops", "key-stores", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Resource": "*",
        "Action": ["kms:*CustomKeyStore*", "kms:CreateKey"]}]})
    return lab


def _error(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_describe_custom_key_stores_lists_none(world):
    """"By default, this operation gets information about all custom key stores in the account and Region": none
    here. A store named by id or name is not found (API_DescribeCustomKeyStores, Errors)."""
    kms = world.client("kms", as_="ops")
    answer = kms.describe_custom_key_stores()
    assert answer["CustomKeyStores"] == [] and answer["Truncated"] is False
    assert set(answer) - {"ResponseMetadata"} <= set(MODEL.operation_model("DescribeCustomKeyStores")
                                                      .output_shape.members)
    assert _error(lambda: kms.describe_custom_key_stores(CustomKeyStoreId=STORE_ID))[0] == \
        "CustomKeyStoreNotFoundException"
    assert _error(lambda: kms.describe_custom_key_stores(CustomKeyStoreName="hsm"))[0] == \
        "CustomKeyStoreNotFoundException"


@pytest.mark.parametrize("operation", ["connect_custom_key_store", "disconnect_custom_key_store",
                                       "delete_custom_key_store", "update_custom_key_store"])
def test_a_store_that_does_not_exist(world, operation):
    """CustomKeyStoreNotFoundException: "KMS cannot find a custom key store with the specified key store name or ID"
    for an authorized caller; AccessDeniedException (IAM policy only: no key policy can allow it) for alice."""
    extra = {"NewCustomKeyStoreName": "renamed"} if operation == "update_custom_key_store" else {}
    code, _ = _error(lambda: getattr(world.client("kms", as_="ops"), operation)(CustomKeyStoreId=STORE_ID, **extra))
    assert code == "CustomKeyStoreNotFoundException"
    code, message = _error(lambda: getattr(world.client("kms", as_="alice"), operation)(CustomKeyStoreId=STORE_ID,
                                                                                       **extra))
    assert code == "AccessDeniedException" and "no identity-based policy allows" in message


def test_create_custom_key_store(world):
    """A CloudHSM key store needs a cluster the account has (CloudHsmClusterNotFoundException: "KMS cannot find the
    CloudHSM cluster with the specified cluster ID"); an external key store needs a reachable proxy
    (XksProxyUriUnreachableException) or an existing VPC endpoint service
    (XksProxyVpcEndpointServiceNotFoundException). Authorization comes first."""
    kms = world.client("kms", as_="ops")
    assert _error(lambda: kms.create_custom_key_store(**CLOUDHSM))[0] == "CloudHsmClusterNotFoundException"
    incomplete = {k: v for k, v in CLOUDHSM.items() if k != "KeyStorePassword"}
    assert _error(lambda: kms.create_custom_key_store(**incomplete))[0] == "ValidationException"
    assert _error(lambda: kms.create_custom_key_store(**XKS, XksProxyConnectivity="PUBLIC_ENDPOINT"))[0] == \
        "XksProxyUriUnreachableException"
    vpc = {**XKS, "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
           "XksProxyVpcEndpointServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-example1"}
    assert _error(lambda: kms.create_custom_key_store(**vpc))[0] == "XksProxyVpcEndpointServiceNotFoundException"
    code, message = _error(lambda: world.client("kms", as_="alice").create_custom_key_store(**CLOUDHSM))
    assert code == "AccessDeniedException" and "kms:CreateCustomKeyStore" in message
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []


def test_create_key_in_a_custom_key_store(world):
    """CreateKey with a CustomKeyStoreId: CustomKeyStoreNotFoundException (API_CreateKey, Errors); no key is made."""
    kms = world.client("kms", as_="ops")
    before = world.admin("kms").list_keys()["Keys"]
    for origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
        extra = {"XksKeyId": "external-key"} if origin == "EXTERNAL_KEY_STORE" else {}
        code, _ = _error(lambda: kms.create_key(Origin=origin, CustomKeyStoreId=STORE_ID, **extra))  # noqa: B023
        assert code == "CustomKeyStoreNotFoundException"
    # "To create a KMS key in an CloudHSM key store ... You must also use the CustomKeyStoreId parameter"
    assert _error(lambda: kms.create_key(Origin="AWS_CLOUDHSM"))[0] == "ValidationException"
    assert world.admin("kms").list_keys()["Keys"] == before


@pytest.mark.parametrize(("action", "ops_gets"), [
    ("kms:DescribeCustomKeyStores", "allowed"),
    ("kms:CreateCustomKeyStore", "CloudHsmClusterNotFoundException"),
    ("kms:ConnectCustomKeyStore", "CustomKeyStoreNotFoundException"),
    ("kms:DisconnectCustomKeyStore", "CustomKeyStoreNotFoundException"),
    ("kms:DeleteCustomKeyStore", "CustomKeyStoreNotFoundException"),
    ("kms:UpdateCustomKeyStore", "CustomKeyStoreNotFoundException"),
])
def test_lab_request_of_the_custom_key_store_family(world, action, ops_gets):
    """Each can be a table column: authorized by IAM policies, then answered as for an account without stores."""
    outcome = world.request("ops", action)
    assert (outcome.error or outcome.decision) == ops_gets, outcome.reason
    assert world.request("alice", action).decision == "denied"
