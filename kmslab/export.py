"""Export a running lab to a scenario file, so any table in a notebook can be replayed with `kmslab check`.

Reads the lab's world back through boto3 (as the setup administrator) and writes the
scenario format (shared/scenario-format.md) with the current answers as `expect`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .engine import STANDARD_ACTIONS
from .lab import Lab
from .lab.managed import is_aws_managed
from .scenario import (
    KEY_STATES,
    ORIGINS,
    Account,
    GrantSpec,
    Group,
    KeySpec,
    RequestSpec,
    Role,
    Scenario,
    dump_scenario,
    parse_scenario,
)

_NAME = re.compile(r"[^a-z0-9-]+")


def _doc(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else text


def key_refs(document: Any, arns: Mapping[str, str], ids: Mapping[str, str]) -> Any:
    """A copy of `document` with each key's ARN written `${key:NAME}` and its key id `${key_id:NAME}`.

    The inverse of `scenario.substitute_key_refs`: a replayed world has new key ids (AWS picks
    them at CreateKey), so a policy that names a key by ARN must name it by its scenario name.
    """
    table = {arn: f"${{key:{name}}}" for name, arn in arns.items()}
    table.update({key_id: f"${{key_id:{name}}}" for name, key_id in ids.items()})
    if not table:
        return document
    pattern = re.compile("|".join(re.escape(t) for t in sorted(table, key=len, reverse=True)))

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: table[m.group(0)], value)
        if isinstance(value, Mapping):
            return {walk(k): walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return value

    return walk(document)


def _managed_names(attached: Iterable[dict[str, str]], account: str) -> tuple[str, ...]:
    out = []
    for p in attached:
        arn = p["PolicyArn"]
        if is_aws_managed(arn) or arn.startswith(f"arn:aws:iam::{account}:policy/"):
            out.append(p["PolicyName"])
        else:
            out.append(arn)
    return tuple(out)


def _account(lab: Lab, account: str) -> Account:
    iam = lab.admin("iam", account)
    policies = {}
    for p in iam.list_policies(Scope="Local")["Policies"]:
        version = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
        policies[p["PolicyName"]] = _doc(version["PolicyVersion"]["Document"])
    groups = {}
    for g in iam.list_groups()["Groups"]:
        name = g["GroupName"]
        inline = {n: _doc(iam.get_group_policy(GroupName=name, PolicyName=n)["PolicyDocument"])
                  for n in iam.list_group_policies(GroupName=name)["PolicyNames"]}
        groups[name] = Group(managed_policies=_managed_names(
            iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"], account), inline_policies=inline)
    users = {}
    for u in iam.list_users()["Users"]:
        name = u["UserName"]
        inline = {n: _doc(iam.get_user_policy(UserName=name, PolicyName=n)["PolicyDocument"])
                  for n in iam.list_user_policies(UserName=name)["PolicyNames"]}
        boundary = lab.registry.user_boundaries.get(u["Arn"])
        tags = {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=name)["Tags"]}
        users[name] = _user(
            managed_policies=_managed_names(iam.list_attached_user_policies(UserName=name)["AttachedPolicies"],
                                            account),
            inline_policies=inline,
            groups=tuple(g["GroupName"] for g in iam.list_groups_for_user(UserName=name)["Groups"]),
            permissions_boundary=_policy_ref(boundary, account), tags=tags)
    roles = {}
    for r in iam.list_roles()["Roles"]:
        name = r["RoleName"]
        inline = {n: _doc(iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"])
                  for n in iam.list_role_policies(RoleName=name)["PolicyNames"]}
        full = iam.get_role(RoleName=name)["Role"]
        boundary = (full.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        roles[name] = Role(
            trust_policy=_doc(full["AssumeRolePolicyDocument"]),
            managed_policies=_managed_names(iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
                                            account),
            inline_policies=inline, permissions_boundary=_policy_ref(boundary, account),
            tags={t["Key"]: t["Value"] for t in full.get("Tags", [])})
    return Account(users=users, groups=groups, roles=roles, policies=policies, scps=lab.registry.scps.get(account))


def _user(**kwargs: Any) -> Any:
    from .scenario import User

    return User(**kwargs)


def _policy_ref(arn: str | None, account: str) -> str | None:
    if arn and arn.startswith(f"arn:aws:iam::{account}:policy/"):
        return arn.rsplit("/", 1)[-1]
    return arn


def _key(lab: Lab, name: str) -> KeySpec:
    info = lab._key(name)
    kms = lab.admin("kms", info["account"])
    meta = kms.describe_key(KeyId=info["arn"])["KeyMetadata"]
    aliases = [a["AliasName"].removeprefix("alias/") for a in kms.list_aliases(KeyId=info["arn"])["Aliases"]]
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=info["arn"])["Tags"]}
    grants = []
    for g in kms.list_grants(KeyId=info["arn"])["Grants"]:
        constraints = g.get("Constraints") or {}
        grants.append(GrantSpec(
            grantee=g["GranteePrincipal"], operations=tuple(g["Operations"]),
            encryption_context_subset=constraints.get("EncryptionContextSubset"),
            encryption_context_equals=constraints.get("EncryptionContextEquals"),
            retiring_principal=g.get("RetiringPrincipal") or None, name=g.get("Name") or None))
    # A deleted creator: its CreateKey is history (the file could not name it), the policy stays.
    creator = info["created_by"] if info["created_by"] in lab.principals() else ""
    return KeySpec(
        account=info["account"], policy=lab.key_policy(name), created_by=creator,
        bypass_lockout_check=True,  # the policy as it is now: it was accepted once, perhaps with the bypass
        key_spec=meta.get("KeySpec"), key_usage=meta.get("KeyUsage"), enabled=meta["Enabled"],
        aliases=tuple(a for a in aliases if a != name), tags=tags, grants=tuple(grants),
        state=meta.get("KeyState"), origin=meta.get("Origin", "AWS_KMS"), multi_region=bool(meta.get("MultiRegion")))


def _unique_grant_names(keys: Mapping[str, KeySpec]) -> dict[str, KeySpec]:
    """The keys with each grant name kept only where one grant has it (a file's grant names are unique:
    a reference names one grant); a name AWS let two grants share is left out of both."""
    seen: dict[str, int] = {}
    for spec in keys.values():
        for g in spec.grants:
            if g.name:
                seen[g.name] = seen.get(g.name, 0) + 1
    return {k: replace(spec, grants=tuple(g if not g.name or seen[g.name] == 1 else replace(g, name=None)
                                          for g in spec.grants)) for k, spec in keys.items()}


def export_scenario(lab: Lab, *, name: str = "exported-lab", title: str | None = None,
                    actions: Iterable[str] = STANDARD_ACTIONS) -> Scenario:
    """The lab's current world as a Scenario, with every principal x action x key and today's answers."""
    accounts = {a: _account(lab, a) for a in lab.accounts}
    keys = {k: _key(lab, k) for k in lab.key_names()}
    requests = []
    for outcome in lab.access_matrix(actions=list(actions)):
        # Each cell of a table asks what would happen on the world as it is: the lab undoes what it changed.
        requests.append(RequestSpec(
            principal=outcome.principal, action=outcome.action, key=outcome.key, expect=outcome.decision,
            expect_error=outcome.error if outcome.decision == "error" else None, undo=True))
    arns = {k: lab.key_arn(k) for k in keys}
    ids = {k: lab.key_id(k) for k in keys}
    accounts = {a: _account_refs(acct, arns, ids) for a, acct in accounts.items()}
    keys = _unique_grant_names({k: replace(spec, policy=key_refs(spec.policy, arns, ids)) for k, spec in keys.items()})
    return Scenario(name=_NAME.sub("-", name.lower()).strip("-") or "exported-lab",
                    title=title or "Exported from a kmslab lab", region=lab.region, accounts=accounts, keys=keys,
                    requests=tuple(requests), now=lab.clock)


def _account_refs(account: Account, arns: Mapping[str, str], ids: Mapping[str, str]) -> Account:
    """Every policy document of the account with key ARNs and ids written as `${key:...}` references."""
    def refs(doc: Any) -> Any:
        return key_refs(doc, arns, ids)

    def inline(principal: Any) -> Any:
        return replace(principal, inline_policies={n: refs(d) for n, d in principal.inline_policies.items()})

    return replace(
        account,
        users={n: inline(u) for n, u in account.users.items()},
        groups={n: inline(g) for n, g in account.groups.items()},
        roles={n: replace(inline(r), trust_policy=refs(r.trust_policy)) for n, r in account.roles.items()},
        policies={n: refs(d) for n, d in account.policies.items()},
        scps=None if account.scps is None else {n: refs(d) for n, d in account.scps.items()})


class SaveError(OSError):
    """A save kmslab refused or could not finish; the message says why and what to do. Nothing was written.

    `exists` is True when the only obstacle is a file already there (a widget then offers to replace it).
    """

    def __init__(self, message: str, *, exists: bool = False) -> None:
        super().__init__(message)
        self.exists = exists


SCENARIO_SUFFIXES = (".yaml", ".yml")


def safe_target(path: str | Path, *, base: str | Path | None = None, allow_outside: bool = False,
                overwrite: bool = False) -> Path:
    """Where a scenario may be saved: `path` checked against what a learner could lose.

    - Inside the work folder `base` (default: the current directory, which in Jupyter is the
      notebook's folder), after resolving `..` and symbolic links, unless `allow_outside`.
    - A scenario file's name (`.yaml`/`.yml`), so no other kind of file is ever replaced.
    - Never a symbolic link (its target may be anywhere), never a folder.
    - An existing file only with `overwrite` (the caller asked for it explicitly).
    Returns the absolute path to write (the link-free path of its folder); raises SaveError.
    """
    if not str(path).strip():
        raise SaveError("No file name given: type a name such as my-lab.yaml.")
    if "\0" in str(path):
        raise SaveError(f"{str(path)!r} is not a file name (it holds a NUL character).")
    folder = Path(os.path.realpath(Path.cwd() if base is None else Path(base)))
    given = Path(os.path.expanduser(str(path))) if allow_outside else Path(str(path))
    candidate = given if given.is_absolute() else folder / given
    if candidate.suffix.lower() not in SCENARIO_SUFFIXES:
        raise SaveError(f"{str(path)!r}: a scenario file's name ends in .yaml or .yml "
                        f"(kmslab writes only scenario files, so it never replaces another kind of file).")
    parent = Path(os.path.realpath(candidate.parent))
    target = parent / candidate.name
    if not allow_outside and not target.is_relative_to(folder):
        raise SaveError(f"{str(path)!r} is outside the work folder {folder}: kmslab saves there unless you "
                        f"choose elsewhere explicitly (save(path, allow_outside=True)).")
    if not parent.is_dir():
        raise SaveError(f"The folder {parent} does not exist: create it first, or choose another name.")
    if target.is_symlink():
        raise SaveError(f"{target} is a symbolic link: kmslab does not write through links "
                        f"(the file it points to could be anywhere). Choose another name.")
    if target.exists():
        if target.is_dir():
            raise SaveError(f"{target} is a folder: choose a file name such as my-lab.yaml.")
        if not overwrite:
            raise SaveError(f"{target} already exists: nothing was written. Replace it explicitly "
                            f"(save(path, overwrite=True)) or choose another name.", exists=True)
        if not target.is_file():
            raise SaveError(f"{target} is not a regular file: kmslab replaces only files.")
    return target


def write_atomically(target: Path, text: str, *, overwrite: bool = False) -> None:
    """Write `text` to `target` all at once: a temporary file beside it, then a rename.

    A reader sees the old file or the new one, never half of one; a crash leaves the old file.
    Without `overwrite`, a file that appeared at `target` meanwhile is kept (link() refuses
    to replace). The rename replaces a symbolic link itself, never the file it points to.
    """
    data = text.encode("utf-8")
    for _ in range(100):
        temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 random names taken
        raise SaveError(f"Could not create a temporary file in {target.parent}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if overwrite:
            if target.exists() and not target.is_symlink():
                os.chmod(temp, target.stat().st_mode & 0o7777)  # a replaced file keeps its permissions
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)  # fails if target exists: no file is ever replaced by accident
            except FileExistsError:
                raise SaveError(f"{target} already exists: nothing was written. Replace it explicitly "
                                f"(save(path, overwrite=True)) or choose another name.", exists=True) from None
            except OSError:  # a file system without hard links: check, then rename
                if os.path.lexists(target):
                    raise SaveError(f"{target} already exists: nothing was written.", exists=True) from None
                os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def save_scenario(lab: Lab, path: str | Path, *, base: str | Path | None = None, allow_outside: bool = False,
                  overwrite: bool = False, **kwargs: Any) -> Path:
    """Write `export_scenario(lab)` to `path` (YAML) after checking it loads back; returns the path written.

    The path rules are `safe_target`'s (inside the work folder, no links, no overwriting unless
    asked); the write is atomic. Raises SaveError (nothing written) or ScenarioError (the lab's
    world would not load back: nothing written either).
    """
    target = safe_target(path, base=base, allow_outside=allow_outside, overwrite=overwrite)
    for name in lab.key_names():
        info = lab._key(name)
        meta = lab.admin("kms", info["account"]).describe_key(KeyId=info["arn"])["KeyMetadata"]
        # What a scenario file cannot say (a key state it cannot reach, a custom key store, a replica key):
        # the file would not replay to the same answers, so nothing is written.
        if meta.get("KeyState") not in KEY_STATES:
            raise SaveError(f"Key {name!r} is {meta.get('KeyState')}, a key state a scenario file cannot say "
                            f"(it says {', '.join(KEY_STATES)}): the file would not replay to the same answers.")
        if meta.get("Origin", "AWS_KMS") not in ORIGINS:
            raise SaveError(f"Key {name!r} has origin {meta.get('Origin')} (a custom key store), which a scenario "
                            f"file cannot say (origin: {' or '.join(ORIGINS)}): the file would not replay to the "
                            f"same answers.")
        regions = meta.get("MultiRegionConfiguration") or {}
        if regions.get("MultiRegionKeyType") == "REPLICA":
            raise SaveError(f"Key {name!r} is a multi-Region replica key, which a scenario file cannot say (it "
                            f"says multi_region: true for a primary key): the file would not replay to the same "
                            f"answers.")
        if regions.get("ReplicaKeys"):
            raise SaveError(f"Key {name!r} is a multi-Region primary key with replica keys, which a scenario file "
                            f"cannot say (multi_region: true makes a primary key without replicas): the file would "
                            f"not replay to the same answers.")
    text = dump_scenario(export_scenario(lab, **kwargs))
    parse_scenario(text, source=str(target))  # never write a file that would not load
    write_atomically(target, text, overwrite=overwrite)
    return target
