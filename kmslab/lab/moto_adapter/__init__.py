"""The moto adapter: the only part of kmslab that knows moto. A moto upgrade is this package to read.

kmslab's AWS is moto's mock. Everything kmslab does with moto goes through the names exported
here; nothing else in kmslab imports moto.

    hooks     every KMS request to kmslab's handler before moto runs it (`set_handler`,
              `KmsRequest`, `AwsError`); IAM/STS writes reported; AWS-shaped user ids; a deleted
              principal's unique id written into key policies
    world     the mock (`start_mock`, `stop_mock`, `seed_ids`),
              accounts and principals, keys (`find_key`, `key_owner`, `key_id_in_ciphertext`),
              engine objects from moto's state (`engine_key`, `engine_caller`), AWS managed policies
    server    moto's HTTP server for `kmslab serve` behind a gate (`Server`, `ServeRequest`, `Answer`):
              no admin API, idle connections closed, a busy port an OSError
    probes    a probe's preparation and undoing on the KMS backend (`KeyStore`; stand-alone)
    speedups  what moto costs, not what it answers (lazy KMS key pairs, one shared boto3 session,
              a cheap action lookup; the lab's clients' SigV4 signatures computed faster, the same)

moto internals relied on (`missing_internals()` checks each; tests/lab/test_moto_adapter.py fails
naming the missing ones):

- `moto.kms.responses.KmsResponse`: `_authenticate_and_authorize_normal_action` (called once per
  request by `BaseResponse.call_action`, before the action; in moto/core/authorization.py since
  5.1.17), `call_action`, `_validate_key_policy`, `_get_action`, and the attributes `body`,
  `headers`, `access_key`, `region`, `current_account` (which account's backend runs the request).
- `moto.iam.responses.IamResponse.call_action`, `moto.sts.responses.TokenResponse.call_action`.
- `moto.iam.models.IAMBackend`: `create_user`, `delete_user`, `delete_role`, `get_user`, `get_role`,
  `get_groups_for_user`, `list_user_tags`, `get_policy`, and the dicts `users`, `roles`,
  `access_keys`, `managed_policies`; `AccessKey`, `AWSManagedPolicy.from_data`; `iam_backends`
  keyed by account, then partition "aws" (since 5.0.8).
- `moto.sts.models.sts_backends[...]["aws"].get_assumed_role_from_access_key`.
- `moto.kms.models.kms_backends[account][region]`: `keys`, `encrypt`, `create_grant`,
  `delete_alias`, `untag_resource`, `list_resource_tags`, `get_key_id`, `get_alias_name`,
  `get_key_id_from_alias`, `create_key`, `delete_key`, `tagger`; a `Key`'s `id`, `arn`, `account_id`,
  `region`, `policy`, `grants`,
  `aliases`, `key_state`, `enabled`, `deletion_date`, `description`, `key_rotation_status`,
  `key_spec`, `key_usage`, `origin`, `multi_region`, `multi_region_configuration`, `key_material`,
  `creation_date`; `generate_private_key` (made lazy); `KmsResponse._validate_cmk_id` and `kms_backend`
  (operations/regions.py); `AccountSpecificBackend.regions` (the Regions a replica may go to).
- `moto.kms.utils._deserialize_ciphertext_blob` (moto's ciphertext starts with the key id, `KEY_ID_LEN`
  characters of it, in a header of `HEADER_LEN` bytes: a multi-Region key's id is longer, so
  `moto.kms.models.decrypt` is wrapped).
- `operations/` (operations moto lacks, and CreateKey/DescribeKey wrapped): `KmsResponse.kms_backend`, moto's
  `create_key`/`describe_key` response methods, `KmsBackend.describe_key`, `Key.to_dict`, a `Key`'s
  `key_material` (what moto encrypts and MACs with) and `private_key` (moto.kms.utils `RSAPrivateKey` /
  `ECDSAPrivateKey`, whose `private_key`, `key_size` and `valid_signing_algorithms` an import sets); the import
  state is kmslab's own attribute on the Key (`_kmslab_import`).
- `operations/key_specs.py`, `data_key_pairs.py`, `key_agreement.py` (every KeySpec; data key pairs; ECDH; ML-KEM):
  `KmsResponse._validate_key_id` (moto's NotFoundException), moto's `sign`/`verify`/`get_public_key` response methods
  (wrapped), `KmsBackend.encrypt` (a data key pair's private key is encrypted as Encrypt would), `Key.to_dict` and
  `Key.signing_algorithms` (empty for the specs moto does not know), a Key's `key_spec` and `private_key` set for
  those specs (moto creates the key as RSA_2048; `private_key` becomes kmslab's `KeyPair`), and for ECDH and for RSA
  and ECDSA signatures (`signatures.py`) the `cryptography` key inside moto's `RSAPrivateKey` / `ECDSAPrivateKey`
  (`.private_key`).
- `moto.core.exceptions.JsonRESTError` (an error boto3 receives as AWS's JSON error).
- `moto.core.base_backend.AccountSpecificBackend.get_session` (regions), `moto.core.utils.create_loader`
  (service models; called by `get_service_model` when moto parses a request).
- `moto.moto_server.werkzeug_app`: `DomainDispatcherApplication` (`infer_service_region_host`,
  `get_backend_for_host`, `lock`), `create_backend_app`, `MotoRequestHandler`, `DEFAULT_SERVICE_REGION`
  (the server; Flask and flask-cors).
- `moto.mock_aws`,
  `moto.moto_api._internal.mock_random`, `moto.iam.aws_managed_policies.aws_managed_policies_data`.
- moto's botocore stubber registers its `before-send` handler when `moto.core.models` is imported
  (`kmslab.lab.safety` adds its guard after it: `load()`).

Checked against moto 5.2.5 (the whole test suite) and 5.2.0 (tests/lab and tests/test_cli.py pass, but
for the shipped managed policies, which were extracted from 5.2.5's copy of AWS's data); pyproject
allows >=5.2.0,<5.3. Older releases fail: 5.1.17 to 5.1.21 have no `Key.aliases`
(`missing_internals()` says so), and 5.1.22's UpdateAlias raises KeyError.
"""

from __future__ import annotations

import importlib
import inspect

from .hooks import (
    AwsError,
    Handler,
    KmsRequest,
    aws_unique_id,
    expire_imported_material,
    handler,
    on_new_access_key,
    request_lock,
    set_handler,
)
from .probes import KeyStore
from .server import Answer, Server, ServeRequest, role_trust_policy
from .speedups import share_session, sign_faster
from .world import (
    KeyHandle,
    add_managed_policies,
    aws_managed_policy_records,
    credentials_of,
    engine_caller,
    engine_key,
    find_key,
    forget_key,
    key_id_in_ciphertext,
    key_owner,
    key_store,
    new_access_key,
    principal_exists,
    record_use,
    role_arns,
    seed_ids,
    start_mock,
    stop_mock,
    user_arns,
)

CHECKED_VERSIONS = ("5.2.5",)  # the whole suite passes on these (5.2.0: tests/lab and tests/test_cli.py, see above)
# The cryptographic operations, whose success GetKeyLastUsage reports (operations/regions.py):
# https://docs.aws.amazon.com/kms/latest/developerguide/kms-cryptography.html#cryptographic-operations
CRYPTOGRAPHIC_OPERATIONS = frozenset({
    "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "Sign", "Verify", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
    "Encapsulate", "Decapsulate",
})

__all__ = [
    "CHECKED_VERSIONS", "CRYPTOGRAPHIC_OPERATIONS", "AwsError", "Handler", "KeyHandle", "KeyStore", "KmsRequest",
    "Server",
    "Answer", "ServeRequest", "role_trust_policy",
    "add_managed_policies", "aws_managed_policy_records", "aws_unique_id", "credentials_of", "engine_caller",
    "engine_key", "expire_imported_material", "find_key", "forget_key", "handler", "key_id_in_ciphertext",
    "key_owner", "key_store", "load",
    "missing_internals", "new_access_key", "on_new_access_key", "principal_exists", "record_use", "request_lock",
    "role_arns",
    "seed_ids", "set_handler",
    "share_session", "sign_faster", "start_mock", "stop_mock", "user_arns",
]


def load() -> None:
    """Import moto, so that its botocore stubber's before-send handler is registered (it is, on import)."""
    importlib.import_module("moto.core.models")


# (module, attribute path) of every moto name kmslab reads, calls or patches.
INTERNALS: tuple[tuple[str, str], ...] = (
    ("moto", "mock_aws"),
    ("moto.core.exceptions", "JsonRESTError"),
    ("moto.core.responses", "BaseResponse.call_action"),
    ("moto.kms.responses", "KmsResponse._authenticate_and_authorize_normal_action"),
    ("moto.kms.responses", "KmsResponse.call_action"),
    ("moto.kms.responses", "KmsResponse._validate_key_policy"),
    ("moto.kms.responses", "KmsResponse._get_action"),
    ("moto.iam.responses", "IamResponse.call_action"),
    ("moto.sts.responses", "TokenResponse.call_action"),
    ("moto.iam.models", "IAMBackend.create_user"),
    ("moto.iam.models", "IAMBackend.create_role"),
    ("moto.iam.models", "IAMBackend.create_group"),
    ("moto.iam.models", "IAMBackend.put_user_policy"),
    ("moto.iam.models", "IAMBackend.put_role_policy"),
    ("moto.iam.models", "IAMBackend.put_group_policy"),
    ("moto.iam.models", "IAMBackend.create_policy"),
    ("moto.iam.models", "IAMBackend.create_policy_version"),
    ("moto.iam.exceptions", "IAMException"),
    ("moto.iam.models", "IAMBackend.delete_user"),
    ("moto.iam.models", "IAMBackend.delete_role"),
    ("moto.iam.models", "IAMBackend.get_user"),
    ("moto.iam.models", "IAMBackend.get_role"),
    ("moto.iam.models", "IAMBackend.get_groups_for_user"),
    ("moto.iam.models", "IAMBackend.list_user_tags"),
    ("moto.iam.models", "IAMBackend.get_policy"),
    ("moto.iam.models", "AccessKey"),
    ("moto.iam.models", "AWSManagedPolicy.from_data"),
    ("moto.iam.models", "iam_backends"),
    ("moto.iam.aws_managed_policies", "aws_managed_policies_data"),
    ("moto.sts.models", "sts_backends"),
    ("moto.sts.models", "STSBackend.get_assumed_role_from_access_key"),
    ("moto.kms.models", "kms_backends"),
    ("moto.kms.models", "generate_private_key"),
    ("moto.kms.models", "KmsBackend.encrypt"),
    ("moto.kms.models", "KmsBackend.decrypt"),  # ReEncrypt with an RSA key (operations/rsa_encryption.py)
    ("moto.kms.models", "KmsBackend.create_grant"),
    ("moto.kms.exceptions", "AccessDeniedException"),  # what moto's decrypt raises (operations/key_checks.py)
    ("moto.kms.models", "KmsBackend.delete_alias"),
    ("moto.kms.models", "KmsBackend.untag_resource"),
    ("moto.kms.models", "KmsBackend.list_resource_tags"),
    ("moto.kms.models", "KmsBackend.get_key_id"),
    ("moto.kms.models", "KmsBackend.get_alias_name"),
    ("moto.kms.models", "KmsBackend.get_key_id_from_alias"),
    ("moto.kms.models", "KmsBackend.create_key"),  # operations/regions.py: a replica key
    ("moto.kms.models", "decrypt"),  # operations/regions.py: wrapped (ciphertexts of multi-Region keys)
    ("moto.kms.utils", "KEY_ID_LEN"),
    ("moto.kms.utils", "HEADER_LEN"),  # world.key_id_in_ciphertext: the header a ciphertext must have
    ("moto.kms.models", "KmsBackend.delete_key"),
    ("moto.kms.responses", "KmsResponse._validate_cmk_id"),
    ("moto.kms.utils", "_deserialize_ciphertext_blob"),
    # operations/import_material.py: imported material becomes the key material / key pair moto uses.
    ("moto.kms.utils", "RSAPrivateKey"),
    ("moto.kms.utils", "ECDSAPrivateKey"),
    ("moto.kms.models", "KmsBackend.describe_key"),
    ("moto.kms.models", "Key.to_dict"),
    ("moto.kms.responses", "KmsResponse.kms_backend"),
    ("moto.kms.responses", "KmsResponse.create_key"),
    ("moto.kms.responses", "KmsResponse.describe_key"),
    # operations/data_key_pairs.py, key_specs.py, key_agreement.py: a KeyId's key (moto's NotFoundException).
    ("moto.kms.responses", "KmsResponse._validate_key_id"),
    ("moto.kms.responses", "KmsResponse.sign"),
    ("moto.kms.responses", "KmsResponse.verify"),
    ("moto.kms.responses", "KmsResponse.get_public_key"),
    ("moto.kms.models", "Key.signing_algorithms"),
    ("moto.core.base_backend", "AccountSpecificBackend.get_session"),
    ("moto.core.utils", "create_loader"),
    ("moto.moto_api._internal", "mock_random"),
    ("moto.moto_server.werkzeug_app", "DomainDispatcherApplication.infer_service_region_host"),
    ("moto.moto_server.werkzeug_app", "DomainDispatcherApplication.get_backend_for_host"),
    ("moto.moto_server.werkzeug_app", "create_backend_app"),
    ("moto.moto_server.werkzeug_app", "MotoRequestHandler"),
    ("moto.moto_server.werkzeug_app", "DEFAULT_SERVICE_REGION"),
)


# Attributes set on instances (in __init__), found in the class's source: (module, class, attributes).
INSTANCE_ATTRIBUTES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("moto.kms.models", "Key", ("id", "arn", "account_id", "region", "policy", "grants", "aliases", "key_state",
                                "enabled", "deletion_date", "description", "key_rotation_status", "key_spec",
                                "key_usage", "origin", "multi_region", "private_key", "key_material",
                                "multi_region_configuration", "creation_date")),
    ("moto.kms.models", "Grant", ("id", "grantee_principal", "retiring_principal", "operations", "constraints",
                                  "name")),
    ("moto.kms.models", "KmsBackend", ("keys", "tagger")),
    ("moto.core.base_backend", "AccountSpecificBackend", ("regions",)),
    ("moto.iam.models", "IAMBackend", ("users", "roles", "access_keys", "managed_policies")),
)


def missing_internals() -> list[str]:
    """The moto internals kmslab relies on that the installed moto lacks (empty when all are there)."""
    missing = []
    for module_name, path in INTERNALS:
        try:
            obj: object = importlib.import_module(module_name)
            for part in path.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            missing.append(f"{module_name}.{path}")
    for module_name, class_name, attributes in INSTANCE_ATTRIBUTES:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
            source = inspect.getsource(cls)
        except (ImportError, AttributeError, OSError, TypeError):
            missing.append(f"{module_name}.{class_name}")
            continue
        missing += [f"{module_name}.{class_name}.{a}" for a in attributes
                    if not hasattr(cls, a) and f"self.{a} " not in source and f"self.{a}:" not in source]
    # The hook point: moto must still call the authorization method from call_action, before the action.
    from moto.core.responses import BaseResponse

    if "_authenticate_and_authorize_normal_action" not in inspect.getsource(BaseResponse.call_action):
        missing.append("moto.core.responses.BaseResponse.call_action calling _authenticate_and_authorize_normal_action")
    if "current_account" not in inspect.getsource(BaseResponse):
        missing.append("moto.core.responses.BaseResponse.current_account (the account whose backend runs a request)")
    return missing
