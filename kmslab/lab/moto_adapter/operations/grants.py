"""CreateGrant's checks of the grant against its key, which moto does not make (moto stores any operation list).

https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html
- Operations: "the operation must be supported on the KMS key. For example, you cannot create a grant for a symmetric
  encryption KMS key that allows the Sign operation, or a grant for an asymmetric KMS key that allows the
  GenerateDataKey operation. If you try, KMS returns a ValidationError exception." (`engine.key_usage.supports`; the
  message is kmslab's wording: AWS documents the error, not its text).
- A grant whose only operation is CreateGrant: AWS answers "Grants must not contain only the CreateGrant operation."
  (ValidationException as real KMS returned it [obs]: https://github.com/ansible/ansible/pull/31960).
- Constraints: "You cannot use an encryption context grant constraint for cryptographic operations with asymmetric
  KMS keys or HMAC KMS keys. Operations with these keys don't support an encryption context. Grants with encryption
  context grant constraints can include the DescribeKey and RetireGrant operations" (ValidationException, kmslab's
  wording).
Checked after authorization and the key state (the hook runs first), before the grant is made.

ListGrants and ListRetirableGrants answer in AWS's shape (https://docs.aws.amazon.com/kms/latest/developerguide/grant-view.html,
its example: "KeyId": "arn:aws:kms:us-west-2:111122223333:key/...", "CreationDate": ..., "Name": "", "IssuingAccount":
"arn:aws:iam::111122223333:root"; GrantListEntry, API Reference): moto gave the key id, no CreationDate or
IssuingAccount, and null for the members a grant does not have (AWS omits them). CreationDate is when the lab's
CreateGrant made the grant (grants made otherwise have none).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from moto.kms.responses import KmsResponse

from ....engine.key_usage import supports
from ..hooks import AwsError
from . import Method, around, params
from .data_key_pairs import find_key

_CONTEXT_CONSTRAINTS = ("EncryptionContextEquals", "EncryptionContextSubset")
# Operations a grant with an encryption context constraint may hold on any key ("the constraint doesn't apply").
_WITHOUT_CONTEXT = frozenset({"DescribeKey", "RetireGrant"})


def grant_refusal(key: Any, request: Mapping[str, Any]) -> AwsError | None:
    """AWS's ValidationException for a CreateGrant whose grant does not fit its key, else None."""
    operations = [str(op) for op in request.get("Operations") or []]
    unsupported = [op for op in operations if not supports(op, key.key_spec, key.key_usage)]
    if unsupported:
        return AwsError("ValidationException", f"The grant operations {', '.join(unsupported)} are not supported by "
                                               f"the KMS key {key.arn} (key spec {key.key_spec}, key usage "
                                               f"{key.key_usage}).")
    if operations and set(operations) == {"CreateGrant"}:
        return AwsError("ValidationException", "Grants must not contain only the CreateGrant operation.")
    constraints = request.get("Constraints") or {}
    if key.key_spec != "SYMMETRIC_DEFAULT" and any(constraints.get(name) for name in _CONTEXT_CONSTRAINTS):
        bound = [op for op in operations if op not in _WITHOUT_CONTEXT]
        if bound:
            return AwsError("ValidationException", "An encryption context grant constraint cannot be used with "
                                                   f"{', '.join(bound)} on the KMS key {key.arn} (key spec "
                                                   f"{key.key_spec}): its operations take no encryption context.")
    return None


_CREATED = "_kmslab_creation_date"  # an attribute kmslab adds to moto's Grant


@around("CreateGrant")
def create_grant(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    key = find_key(response, str(request.get("KeyId", "")))
    refused = grant_refusal(key, request)
    if refused is not None:
        raise refused
    answer = moto_method(response)
    grant = key.grants.get(json.loads(answer).get("GrantId"))
    if grant is not None and not hasattr(grant, _CREATED):
        setattr(grant, _CREATED, time.time())
    return answer


def _entry(response: KmsResponse, entry: dict[str, Any]) -> dict[str, Any]:
    """A GrantListEntry as AWS writes it."""
    out = {name: value for name, value in entry.items() if value is not None and value != {}}
    key = response.kms_backend.keys.get(str(entry.get("KeyId")))
    if key is not None:
        out["KeyId"] = key.arn
        partition = key.arn.split(":")[1]
        out["IssuingAccount"] = f"arn:{partition}:iam::{key.account_id}:root"
        created = getattr(key.grants.get(str(entry.get("GrantId"))), _CREATED, None)
        if created is not None:
            out["CreationDate"] = created
    out.setdefault("Name", "")
    return out


def _listing(response: KmsResponse, moto_method: Method) -> str:
    answer = json.loads(moto_method(response))
    answer["Grants"] = [_entry(response, entry) for entry in answer.get("Grants", [])]
    return json.dumps(answer)


around("ListGrants")(_listing)
around("ListRetirableGrants")(_listing)
