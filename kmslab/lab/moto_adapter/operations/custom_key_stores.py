"""The custom key store family (moto implements none of it), answered as AWS answers an account that has no
custom key store and cannot have one here: the lab has no CloudHSM cluster and no external key store proxy.

- DescribeCustomKeyStores lists none; with a CustomKeyStoreId or CustomKeyStoreName, CustomKeyStoreNotFoundException.
- ConnectCustomKeyStore, DisconnectCustomKeyStore, DeleteCustomKeyStore, UpdateCustomKeyStore name a store that
  does not exist: CustomKeyStoreNotFoundException.
- CreateCustomKeyStore: a CloudHSM key store names a cluster the account does not have
  (CloudHsmClusterNotFoundException); an external key store's proxy cannot be reached
  (XksProxyUriUnreachableException) or its VPC endpoint service does not exist
  (XksProxyVpcEndpointServiceNotFoundException).
- CreateKey with a CustomKeyStoreId: CustomKeyStoreNotFoundException.

Every request is authorized first (the hook runs before any of these): kms:CreateCustomKeyStore and the others are
IAM-policy-only actions with resource "*" (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html).
Pages: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateCustomKeyStore.html (and each operation's).
The messages are kmslab's wording from each exception's API Reference description (docs/aws-references.md 10.6).
"""

from __future__ import annotations

import json

from moto.kms.responses import KmsResponse

from ..hooks import AwsError
from . import Method, around, operation, params

# "The request was rejected because KMS cannot find a custom key store with the specified key store name or ID."
NOT_FOUND = "KMS cannot find a custom key store with the specified key store name or ID."


def _not_found() -> AwsError:
    return AwsError("CustomKeyStoreNotFoundException", NOT_FOUND)


@operation("DescribeCustomKeyStores")
def describe_custom_key_stores(response: KmsResponse) -> str:
    request = params(response)
    if request.get("CustomKeyStoreId") or request.get("CustomKeyStoreName"):
        raise _not_found()
    if request.get("Marker"):
        # "The request was rejected because the marker that specifies where pagination should next begin is not
        # valid." No answer of this account ever had a NextMarker.
        raise AwsError("InvalidMarkerException", "The marker that specifies where pagination should next begin "
                                                 "is not valid.")
    return json.dumps({"CustomKeyStores": [], "Truncated": False})


def _names_a_store(response: KmsResponse) -> str:
    raise _not_found()


for _name in ("ConnectCustomKeyStore", "DisconnectCustomKeyStore", "DeleteCustomKeyStore", "UpdateCustomKeyStore"):
    operation(_name)(_names_a_store)

# The parameters each type of store requires (API_CreateCustomKeyStore: "To create an CloudHSM key store, specify
# the CustomKeyStoreName, CloudHsmClusterId, KeyStorePassword, and TrustAnchorCertificate ... To create an external
# key store, specify ... XksProxyConnectivity, XksProxyAuthenticationCredential, XksProxyUriEndpoint, and
# XksProxyUriPath. If your XksProxyConnectivity value is VPC_ENDPOINT_SERVICE, specify the
# XksProxyVpcEndpointServiceName parameter.")
REQUIRED = {
    "AWS_CLOUDHSM": ("CloudHsmClusterId", "KeyStorePassword", "TrustAnchorCertificate"),
    "EXTERNAL_KEY_STORE": ("XksProxyConnectivity", "XksProxyAuthenticationCredential", "XksProxyUriEndpoint",
                           "XksProxyUriPath"),
}


@operation("CreateCustomKeyStore")
def create_custom_key_store(response: KmsResponse) -> str:
    request = params(response)
    kind = request.get("CustomKeyStoreType") or "AWS_CLOUDHSM"  # "The default value is AWS_CLOUDHSM."
    required = REQUIRED[kind]
    if kind == "EXTERNAL_KEY_STORE" and request.get("XksProxyConnectivity") == "VPC_ENDPOINT_SERVICE":
        required += ("XksProxyVpcEndpointServiceName",)
    missing = [name for name in required if not request.get(name)]
    if missing:
        raise AwsError("ValidationException", f"{', '.join(missing)} is required for a custom key store of type "
                                              f"{kind}.")
    if kind == "AWS_CLOUDHSM":
        # "The request was rejected because KMS cannot find the CloudHSM cluster with the specified cluster ID."
        raise AwsError("CloudHsmClusterNotFoundException",
                       f"KMS cannot find the CloudHSM cluster with the specified cluster ID "
                       f"{request['CloudHsmClusterId']}.")
    if request.get("XksProxyConnectivity") == "VPC_ENDPOINT_SERVICE":
        # "The request was rejected because KMS could not find the specified VPC endpoint service."
        raise AwsError("XksProxyVpcEndpointServiceNotFoundException",
                       f"KMS could not find the specified VPC endpoint service "
                       f"{request['XksProxyVpcEndpointServiceName']}.")
    # "KMS was unable to reach the specified XksProxyUriPath. The path must be reachable before you create the
    # external key store". Nothing outside this machine is reachable from the lab, by design.
    raise AwsError("XksProxyUriUnreachableException",
                   f"KMS was unable to reach the specified XksProxyUriPath {request['XksProxyUriPath']} at "
                   f"{request['XksProxyUriEndpoint']}.")


# Origins that put a key in a custom key store (API_CreateKey, Origin).
CUSTOM_KEY_STORE_ORIGINS = ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")


@around("CreateKey")
def create_key(response: KmsResponse, moto_method: Method) -> str:
    """CreateKey in a custom key store: the account has none. Origin AWS_CLOUDHSM / EXTERNAL_KEY_STORE needs one
    ("You must also use the CustomKeyStoreId parameter to identify the CloudHSM key store")."""
    request = params(response)
    if request.get("CustomKeyStoreId"):
        raise _not_found()
    if request.get("Origin") in CUSTOM_KEY_STORE_ORIGINS:
        raise AwsError("ValidationException", f"A KMS key with Origin {request['Origin']} needs a "
                                              "CustomKeyStoreId.")
    return moto_method(response)
