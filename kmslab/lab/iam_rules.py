"""What IAM refuses that moto accepts: names, inline and managed policy sizes, a Principal in an identity policy.

Pure rules (no moto): the moto adapter calls them on every IAM write, from the lab's setup
clients and the learner's boto3 clients alike, and turns `IamRefusal` into IAM's own error.

Names: "Names of users, groups, roles, policies ... must be alphanumeric, including the following
common characters: plus (+), equals (=), comma (,), period (.), at (@), underscore (_), and
hyphen (-)" (ASCII only: the API's pattern is `[\\w+=,.@-]+`; a Cyrillic "а" is not a Latin "a").
Sizes: "User policy size cannot exceed 2,048 characters. Role policy size cannot exceed 10,240
characters. Group policy size cannot exceed 5,120 characters" (the sum of an entity's inline
policies), "Managed policy size: 6,144 characters"; "IAM does not count white space".
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
Name lengths (UserName, RoleName: 1-64; GroupName, PolicyName: 1-128):
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html

IAM's error texts are not documented; each is as real IAM returned it in public reports [obs]:
- "Policy document should not specify a principal." (MalformedPolicyDocument):
  https://github.com/hashicorp/terraform-provider-aws/issues/10419, https://github.com/hashicorp/terraform/issues/13449
- "Maximum policy size of 2048 bytes exceeded for user" (LimitExceeded; the user's name follows):
  https://github.com/ministryofjustice/cloud-platform-environments/pull/5303
- "Cannot exceed the quota for PolicySize: 6144." (LimitExceeded, 2025; "Cannot exceed quota for PolicySize:
  6144" in 2023): https://github.com/LBHackney-IT/Data-Platform/pull/2116,
  https://github.com/ministryofjustice/cloud-platform-environments/pull/14473
- "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must satisfy regular
  expression pattern: ..." (ValidationError): the AWS validation form, e.g. https://github.com/mweagle/Sparta/pull/161
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..engine import Policy, PolicyError
from ..engine.policy import statement_list

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
NAME_MAX = {"userName": 64, "roleName": 64, "groupName": 128, "policyName": 128}
INLINE_MAX = {"user": 2048, "role": 10240, "group": 5120}
MANAGED_MAX = 6144
_SPACE = re.compile(r"\s+")
# IAM's answer to a Principal in an identity policy.
NO_PRINCIPAL_IN_IDENTITY_POLICY = "Policy document should not specify a principal."


class IamRefusal(ValueError):
    """An IAM request AWS refuses: `code` is IAM's error code (ValidationError, LimitExceeded, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def check_name(param: str, value: object) -> None:
    """A user, role, group or policy name as IAM's API model constrains it (`param`: userName, ...)."""
    text = value if isinstance(value, str) else ""
    limit = NAME_MAX[param]
    if not _NAME.fullmatch(text):
        raise IamRefusal("ValidationError", f"1 validation error detected: Value {text!r} at '{param}' failed to "
                                            "satisfy constraint: Member must satisfy regular expression pattern: "
                                            "[\\w+=,.@-]+")
    if len(text) > limit:
        raise IamRefusal("ValidationError", f"1 validation error detected: Value at '{param}' failed to satisfy "
                                            f"constraint: Member must have length less than or equal to {limit}")


def policy_size(text: str) -> int:
    """A policy's size as IAM counts it: characters, white space not counted."""
    return len(_SPACE.sub("", text))


def check_identity_policy(text: object) -> str:
    """An identity policy document (inline or managed) as IAM validates it, through the engine's parser;
    the document's text when IAM would take it."""
    if not isinstance(text, str):
        raise IamRefusal("MalformedPolicyDocument", "The policy document must be a JSON string.")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        doc = None
    for s in statement_list(doc) if isinstance(doc, dict) else ():
        if isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s):
            raise IamRefusal("MalformedPolicyDocument", NO_PRINCIPAL_IN_IDENTITY_POLICY)
    try:
        Policy.parse(text, name="identity policy", kind="identity")
    except PolicyError as exc:
        raise IamRefusal("MalformedPolicyDocument", exc.message) from exc
    return text


def check_inline_size(kind: str, entity: str, existing: Mapping[str, str], name: str, text: str) -> None:
    """The sum of an entity's inline policies, with `name` set to `text`, within IAM's quota for `kind`."""
    total = policy_size(text) + sum(policy_size(doc if isinstance(doc, str) else json.dumps(doc))
                                    for pname, doc in existing.items() if pname != name)
    if total > INLINE_MAX[kind]:
        raise IamRefusal("LimitExceeded", f"Maximum policy size of {INLINE_MAX[kind]} bytes exceeded for {kind} "
                                          f"{entity}")


def check_managed_size(text: str) -> None:
    if policy_size(text) > MANAGED_MAX:
        raise IamRefusal("LimitExceeded", f"Cannot exceed the quota for PolicySize: {MANAGED_MAX}.")
