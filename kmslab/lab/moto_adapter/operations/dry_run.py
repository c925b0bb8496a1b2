"""DryRun, which moto ignores (a DryRun request ran for real), answered as AWS answers it.

https://docs.aws.amazon.com/kms/latest/developerguide/testing-permissions.html: "AWS KMS calls that use DryRun will
always fail and return a message with information about the reason the call failed. The message can include the
following exceptions: DryRunOperationException - The request would succeed if DryRun was not specified.
ValidationException - The request failed by specifying the incorrect API parameter. AccessDeniedException - You do not
have permission to perform the specified API action on the KMS resource."
So: authorization first (the hook: AccessDeniedException, and the key state table's errors), then every check the
operation makes, and instead of its answer DryRunOperationException, whose message is the error's description in the
API Reference ("The request was rejected because the DryRun parameter was specified.", e.g. API_Encrypt Errors; AWS's
message text itself is not documented). The operations with DryRun are those of botocore's model that have the
parameter (DRY_RUN_OPERATIONS; tests/lab/test_dry_run.py checks the list against the model).

The cryptographic operations run and their answer is dropped (nothing in the lab changes: a failed request is not a
use GetKeyLastUsage reports). CreateGrant, RetireGrant and RevokeGrant would change the world, so they make their
checks only: CreateGrant the grant against its key (grants.py), RevokeGrant that the grant exists, RetireGrant the key.
Decrypt and ReEncrypt with DryRunModifiers IGNORE_CIPHERTEXT skip the ciphertext's checks (authorization only).
This module's wrappers are the outermost (its import line is the last in _families.py).
"""

from __future__ import annotations

from moto.kms.responses import KmsResponse

from ..hooks import AwsError
from . import Method, around, param, params
from .data_key_pairs import find_key
from .grants import grant_refusal

DRY_RUN_OPERATIONS: tuple[str, ...] = (
    "CreateGrant", "Decapsulate", "Decrypt", "DeriveSharedSecret", "Encapsulate", "Encrypt", "GenerateDataKey",
    "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac",
    "ReEncrypt", "RetireGrant", "RevokeGrant", "Sign", "Verify", "VerifyMac",
)
DRY_RUN_MESSAGE = "The request was rejected because the DryRun parameter was specified."
_CHECKS_ONLY = frozenset({"CreateGrant", "RetireGrant", "RevokeGrant"})


def _dry_run() -> AwsError:
    return AwsError("DryRunOperationException", DRY_RUN_MESSAGE)


def _checks(operation_name: str, response: KmsResponse) -> None:
    """The checks of an operation that changes the world, without the change."""
    request = params(response)
    if operation_name == "RetireGrant" and request.get("GrantToken") and not request.get("KeyId"):
        return
    key = find_key(response, str(request.get("KeyId", "")))
    if operation_name == "CreateGrant":
        refused = grant_refusal(key, request)
        if refused is not None:
            raise refused
    elif operation_name == "RevokeGrant" and request.get("GrantId") not in key.grants:
        raise AwsError("NotFoundException", f"Grant ID {request.get('GrantId')} not found")  # moto's wording


def _ignores_ciphertext(operation_name: str, response: KmsResponse) -> bool:
    """Decrypt and ReEncrypt with DryRunModifiers IGNORE_CIPHERTEXT: "KMS performs only authorization validation
    without ciphertext validation" (API_Decrypt, DryRunModifiers); the key is the request's KeyId (SourceKeyId)."""
    if operation_name not in ("Decrypt", "ReEncrypt"):
        return False
    request = params(response)
    if "IGNORE_CIPHERTEXT" not in (request.get("DryRunModifiers") or []):
        return False
    find_key(response, str(request.get("KeyId" if operation_name == "Decrypt" else "SourceKeyId", "")))
    return True


def _wrapper(operation_name: str) -> None:
    def dry_run(response: KmsResponse, method: Method) -> str:
        if not param(response, "DryRun"):
            return method(response)
        if operation_name in _CHECKS_ONLY:
            _checks(operation_name, response)
        elif not _ignores_ciphertext(operation_name, response):
            method(response)  # every check the operation makes; its answer is dropped
        raise _dry_run()
    around(operation_name)(dry_run)


for _name in DRY_RUN_OPERATIONS:
    _wrapper(_name)
