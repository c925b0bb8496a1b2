"""AWS managed policies, with their real documents, at a fraction of moto's cost.

moto can load all ~1,600 AWS managed policies into every IAM backend (a 4.7 MB
parse per backend, ~0.6 s and ~50 MB). The course needs a handful, so kmslab ships
those documents, extracted from moto's own copy of AWS's data, in
`kmslab/data/aws_managed_policies.json`; `python -m kmslab.lab.managed` refreshes
the file after a moto upgrade, and a test checks it still matches moto's data.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from . import moto_adapter

# The AWS managed policies a lesson may attach by name.
COURSE_POLICIES = (
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "ViewOnlyAccess",
    "AWSKeyManagementServicePowerUser",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "SecurityAudit",
)


@lru_cache(maxsize=1)
def shipped_policies() -> dict[str, dict[str, Any]]:
    """name -> moto's record (Document, Path, DefaultVersionId, CreateDate, UpdateDate)."""
    text = resources.files("kmslab").joinpath("data/aws_managed_policies.json").read_text("utf-8")
    policies: dict[str, dict[str, Any]] = json.loads(text)
    return policies


def is_aws_managed(name_or_arn: str) -> bool:
    """True for a shipped AWS managed policy name or its ARN."""
    return _name(name_or_arn) in shipped_policies()


def _name(name_or_arn: str) -> str:
    return name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn


def aws_managed_arn(name: str) -> str:
    """arn:aws:iam::aws:policy/NAME (with the policy's path)."""
    record = shipped_policies()[_name(name)]
    return f"arn:aws:iam::aws:policy{record.get('Path', '/')}{_name(name)}"


def install(account: str) -> None:
    """Add the shipped AWS managed policies to an account's IAM in moto (idempotent)."""
    moto_adapter.add_managed_policies(
        account, [(name, aws_managed_arn(name), record) for name, record in shipped_policies().items()])


def extract_from_moto() -> dict[str, dict[str, Any]]:
    """The course's policies as moto's bundled AWS data has them (slow: parses 4.7 MB)."""
    return moto_adapter.aws_managed_policy_records(COURSE_POLICIES)


if __name__ == "__main__":  # refresh the shipped file after a moto upgrade
    path = resources.files("kmslab").joinpath("data/aws_managed_policies.json")
    with open(str(path), "w", encoding="utf-8") as fh:
        json.dump(extract_from_moto(), fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"wrote {path}")
