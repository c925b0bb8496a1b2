"""The lab: a moto-mocked AWS in which KMS decides like AWS, with a principal per credential.

    with Lab() as lab:
        lab.create_user("kms-test-2", managed_policies=["AdministratorAccess"])
        lab.create_key("demo", policy=..., created_by="manabusakai")
        lab.client("kms", as_="kms-test-2").decrypt(...)     # real boto3, real AccessDeniedException

Every call goes through boto3 with the principal's own credentials; the world is built
through boto3 too, by a setup administrator whose calls are not authorized (as an
administrator would prepare a workshop account).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ..engine import DEFAULT_REGION, STANDARD_ACTIONS, Decision, action_info, normalize_action, words
from ..engine import context as engine_context
from . import hook, kms_input, managed, moto_adapter, safety
from .calls import PLANS, PREPARATION_ONLY_UNDO, UNDONE_BY_NAME, CallInput
from .hook import Authorizer, Event
from .outcome import Outcome, Verdict
from .registry import CredentialRecord, Registry

DEFAULT_ACCOUNT = "111122223333"
_FAKE = {"AWS_ACCESS_KEY_ID": "kmslab-not-a-real-key", "AWS_SECRET_ACCESS_KEY": "kmslab-not-a-real-secret",
         # botocore reads no config or credentials file: os.devnull is no regular file, so it opens nothing
         "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
# While a lab runs, every AWS_* variable of the environment is hidden (credentials, profile, endpoint URLs,
# FIPS/dual-stack switches, retry modes, file paths, ...) and _FAKE stands in; stop() restores them exactly.
_AWS_PREFIX = "AWS_"
# IAM ARNs the lab's methods take: principals it can call as, and groups (paths allowed in names).
_PRINCIPAL_ARN = re.compile(
    r"arn:aws:iam::\d{12}:(root|(user|role|group)/[\w+=,.@/-]+)"
    r"|arn:aws:sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+", re.ASCII)
# KMS alias names: "alias/" + [a-zA-Z0-9/_-], 1-256 characters in all, not alias/aws/...
# https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
_ALIAS_NAME = re.compile(r"alias/[a-zA-Z0-9/_-]+", re.ASCII)
# A bound kmslab sets (no AWS figure): the encryption context's keys and values, in characters.
MAX_ENCRYPTION_CONTEXT_CHARS = 8192
# At most one retry (moto never throttles). Not total_max_attempts=1: botocore then marks every error
# "(reached max retries: 0)", which AWS's own error lines do not show. "standard" is botocore's default.
_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


_SESSION: Any = None


def _shared_session() -> Any:
    """One boto3 Session for every lab in the process: each Session loads botocore's endpoint data and
    service models again (~10 MB); clients get their own credentials and region anyway.

    It never reads the learner's AWS files: its config and credentials files are os.devnull (whatever
    the environment says), and its service models come from botocore's and boto3's own data only
    (not ~/.aws/models).
    """
    global _SESSION
    if _SESSION is None:
        import botocore.session
        from botocore.loaders import Loader

        core = botocore.session.Session()
        core.set_config_variable("config_file", os.devnull)
        core.set_config_variable("credentials_file", os.devnull)
        core.register_component("data_loader", Loader(include_default_search_paths=False,
                                                      extra_search_paths=[Loader.BUILTIN_DATA_PATH]))
        _SESSION = boto3.Session(botocore_session=core)
        moto_adapter.share_session(_SESSION)  # moto reads its regions and service models through it too
    return _SESSION


class LabError(RuntimeError):
    """Misuse of the lab (an unknown principal or key name, a closed lab)."""


class _Authorizer(Authorizer):
    """The hook's Authorizer, which also tells its lab that the world may have changed (see `Lab.on_change`)."""

    def __init__(self, registry: Registry, on_event: Callable[[Event], None], on_changed: Callable[[], None]) -> None:
        super().__init__(registry, on_event)
        self._on_changed = on_changed

    def changed(self, scope: str = "all", key_id: str | None = None) -> None:
        super().changed(scope, key_id)
        self._on_changed()


class Lab:
    """A fresh mocked AWS world: accounts, IAM principals, KMS keys, and an event log."""

    _current: Lab | None = None
    MAX_EVENTS = 10_000  # the event log keeps the newest this many events (see events())

    def __init__(self, *, account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION,
                 accounts: Sequence[str] = (), max_events: int | None = None) -> None:
        self.account = account
        self.region = region
        self._extra_accounts = [a for a in accounts if a != account]
        self._max_events = max_events if max_events is not None else self.MAX_EVENTS
        if not isinstance(self._max_events, int) or self._max_events < 1:
            raise LabError(f"max_events must be a positive whole number, not {max_events!r}")
        self._mock: Any = None
        self._saved_env: dict[str, str] | None = None
        self._listeners: list[Callable[[], None]] = []
        self._dirty = False  # the world changed since the listeners were last told
        self._probing = 0  # inside Lab.request / access_matrix: their probes undo themselves
        self.start()

    # ------------------------------------------------------------ life cycle

    def start(self) -> Lab:
        """Start (or restart) the mock with an empty world. Any other lab in this process closes."""
        safety.install()
        if Lab._current is not None and Lab._current is not self:
            Lab._current.stop()
        if self._mock is not None:
            self.stop()
        self._hide_environment()
        try:
            self._mock = moto_adapter.start_mock()  # moto's backends start empty
        except BaseException:
            self._restore_environment()
            raise
        self._events: deque[Event] = deque(maxlen=self._max_events)
        self._events_total = 0
        self._events_lock = threading.Lock()
        self.registry = Registry(self.region)
        self.registry.on_add = safety.remember
        self._authorizer = _Authorizer(self.registry, self._record_event, self._note_change)
        hook.install(self._authorizer)
        self._session = _shared_session()
        self._clients: dict[tuple[str, str], Any] = {}
        self._keys: dict[str, dict[str, str]] = {}  # local name -> name, arn, id, account, created_by
        self._ciphertexts: dict[Any, bytes] = {}  # (key id, encryption context) -> a ciphertext to decrypt
        self._headers = threading.local()
        self._role_sessions: dict[tuple[Any, ...], CredentialRecord] = {}
        self._mfa_records: dict[str, CredentialRecord] = {}
        self._clock: str | None = None
        engine_context.set_clock(None)  # a new world runs on the real clock
        for acct in [self.account, *self._extra_accounts]:
            self.add_account(acct)
        Lab._current = self
        self._dirty = True  # a new, empty world
        self._flush_changes()
        return self

    def stop(self) -> None:
        """Stop the mock and forget the world."""
        if self._mock is None:
            return
        hook.uninstall(self._authorizer)
        try:
            moto_adapter.stop_mock(self._mock)
        finally:
            self._mock = None
            self._restore_environment()
        if Lab._current is self:
            Lab._current = None
            engine_context.set_clock(None)
        # A stopped lab may outlive its notebook (a variable holding one of its clients keeps it alive):
        # let go of what only a running lab needs. The event log stays readable.
        self._clients, self._ciphertexts = {}, {}

    def reset(self) -> Lab:
        """Back to a clean, empty world (same accounts and region), on the real clock."""
        return self.start()

    @property
    def clock(self) -> str | None:
        """The time aws:CurrentTime sees when fixed by `set_clock` ("2026-01-15T09:00:00Z"), else None."""
        return self._clock

    def set_clock(self, now: str | None) -> None:
        """Fix the time every request's aws:CurrentTime and aws:EpochTime see (ISO 8601, e.g.
        "2026-01-15T09:00:00Z": a scenario file's `now`); None: the real clock. Until `reset` or `stop`."""
        from datetime import UTC, datetime

        self._require_active()
        if now is None:
            second = None
        else:
            try:
                when = datetime.fromisoformat(now)
            except (TypeError, ValueError):
                raise LabError(f"now must be a time such as '2026-01-15T09:00:00Z', not {now!r}.") from None
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            second = int(when.timestamp())
            now = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        engine_context.set_clock(second)
        self._clock = now
        hook.world_changed()  # no decision made on the other clock may be reused

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ change notification

    def on_change(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback()` whenever the lab's world changes; returns a function that unsubscribes.

        "Changes" are what can change an answer: a successful KMS write, any IAM or STS write (from
        any client the lab made, the learner's too), every lab edit (`put_key_policy`,
        `attach_policy`, `set_scps`, `reset`, ...). The callback runs after the change's call has
        returned, once per call. `Lab.request` and `access_matrix` are not changes: their probes
        (PutKeyPolicy, ScheduleKeyDeletion, ...) undo themselves. Widgets use this to redraw a
        table that code elsewhere made stale. A failing callback is reported as a warning.
        """
        self._listeners.append(callback)

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)
        return unsubscribe

    def _note_change(self) -> None:
        self._dirty = True

    def _flush_changes(self, **_: Any) -> None:
        """Tell the listeners, once, about the changes since the last time (not while a probe runs)."""
        if not self._dirty or self._probing:
            return
        self._dirty = False
        for callback in list(self._listeners):
            try:
                callback()
            except Exception as exc:  # noqa: BLE001 - a listener must not break the request that changed the world
                warnings.warn(f"kmslab: a lab.on_change callback failed: {exc!r}", RuntimeWarning, stacklevel=2)

    def _world_mark(self) -> object:
        """The same object for as long as no change has gone through the lab (a KMS, IAM or STS write, a lab
        edit; a probe that undoes itself gives the old one back): what the decision memo relies on. A widget
        may keep what it read under one mark instead of reading it again."""
        return self._authorizer.checkpoint()

    @contextmanager
    def probe(self) -> Iterator[None]:
        """Changes made inside and undone before it ends are no change: `on_change` listeners hear nothing.

        For trying something and putting it back exactly (an exercise's "which cells would flip?").
        A change that is not undone inside is not heard either: use `batch()` for changes that stay.
        """
        dirty = self._dirty
        self._probing += 1
        try:
            yield
        finally:
            self._probing -= 1
            self._dirty = dirty
            self._flush_changes()

    _probe = probe  # the name the course used first

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Changes made inside tell `on_change` listeners once, at the end (nothing if nothing changed).

        Lab.request and access_matrix run inside one: their probes undo themselves, so they are no change.
        """
        self._probing += 1
        try:
            yield
        finally:
            self._probing -= 1
            self._flush_changes()

    @property
    def accounts(self) -> list[str]:
        """The lab's account ids, the primary one first."""
        return list(self.registry.accounts)

    @property
    def active(self) -> bool:
        return self._mock is not None

    def _require_active(self) -> None:
        if self._mock is None:
            raise LabError("This lab is stopped (a newer lab replaced it, or stop() was called): "
                           "call lab.start() or create a new Lab().")

    def _hide_environment(self) -> None:
        """Hide every AWS_* variable (kept to restore exactly) and set the lab's own."""
        if self._saved_env is not None:
            return
        self._saved_env = {k: v for k, v in os.environ.items() if k.startswith(_AWS_PREFIX)}
        for name in self._saved_env:
            del os.environ[name]
        os.environ.update(_FAKE)
        os.environ["AWS_DEFAULT_REGION"] = self.region

    def _restore_environment(self) -> None:
        """Every AWS_* variable back as it was before start(): present ones with their values, absent ones absent."""
        if self._saved_env is None:
            return
        for name in [k for k in os.environ if k.startswith(_AWS_PREFIX)]:
            del os.environ[name]
        os.environ.update(self._saved_env)
        self._saved_env = None

    # ------------------------------------------------------------ accounts and principals

    def add_account(self, account: str) -> None:
        """Create an account with its root user and the lab's setup administrator."""
        if account in self.registry.accounts:
            return
        self.registry.accounts.append(account)
        managed.install(account)
        for kind in ("admin", "root"):
            key_id, secret = moto_adapter.new_access_key(account)  # moto routes its IAM/STS calls to the account
            self.registry.add(CredentialRecord(
                arn=f"arn:aws:iam::{account}:root", account=account, kind=kind,
                access_key_id=key_id, secret_access_key=secret,
            ))

    def _admin_record(self, account: str) -> CredentialRecord:
        return next(r for r in self.registry.credentials.values() if r.kind == "admin" and r.account == account)

    def admin(self, service: str, account: str | None = None) -> Any:
        """A client of the setup administrator (not authorized: for building the world)."""
        self._require_active()
        return self._client(self._admin_record(account or self.account), service)

    def principal_arn(self, principal: str, account: str | None = None) -> str:
        """`kms-test-2` -> its user ARN; `root` -> the root ARN; `role/app` -> the role ARN; ARNs pass.

        Raises LabError for anything else (None, a number, `arn:foo`, `role/`, `assumed-role/x`).
        """
        if not isinstance(principal, str) or not principal.strip():
            raise LabError(f"A principal is a user name, 'root', 'role/NAME' or an IAM principal ARN, "
                           f"not {principal!r}.")
        if principal.startswith("arn:"):
            if not _PRINCIPAL_ARN.fullmatch(principal):
                raise LabError(f"{principal!r} is not a principal ARN the lab knows: use "
                               "arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/NAME, "
                               "arn:aws:iam::ACCOUNT:role/NAME or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.")
            return principal
        acct = account or self.account
        if principal == "root":
            return f"arn:aws:iam::{acct}:root"
        kind, _, name = principal.partition("/") if "/" in principal else ("user", "", principal)
        if kind not in ("user", "role", "group") or not name or not re.fullmatch(r"[\w+=,.@/-]+", name, re.ASCII):
            raise LabError(f"{principal!r} names no principal: use a user name (kms-test-2), 'root', "
                           "'role/NAME', or an ARN (an assumed role: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).")
        return f"arn:aws:iam::{acct}:{kind}/{name}"

    def create_user(self, name: str, *, account: str | None = None, managed_policies: Iterable[str] = (),
                    inline_policies: Mapping[str, Any] | None = None, groups: Iterable[str] = (),
                    permissions_boundary: str | None = None, tags: Mapping[str, str] | None = None) -> str:
        """Create an IAM user with its own access key; returns its ARN."""
        acct = account or self.account
        iam = self.admin("iam", acct)
        kwargs: dict[str, Any] = {"UserName": name}
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        arn: str = iam.create_user(**kwargs)["User"]["Arn"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        self.registry.add(CredentialRecord(arn, acct, "user", key["AccessKeyId"], key["SecretAccessKey"],
                                           user_name=name))
        for group in groups:
            iam.add_user_to_group(GroupName=group, UserName=name)
        self._give_policies(arn, managed_policies, inline_policies)
        if permissions_boundary:
            self.set_permissions_boundary(arn, permissions_boundary)
        return arn

    def create_group(self, name: str, *, account: str | None = None, managed_policies: Iterable[str] = (),
                     inline_policies: Mapping[str, Any] | None = None) -> str:
        acct = account or self.account
        arn: str = self.admin("iam", acct).create_group(GroupName=name)["Group"]["Arn"]
        self._give_policies(arn, managed_policies, inline_policies)
        return arn

    def create_role(self, name: str, *, account: str | None = None, trust_policy: Mapping[str, Any] | None = None,
                    managed_policies: Iterable[str] = (), inline_policies: Mapping[str, Any] | None = None,
                    permissions_boundary: str | None = None, tags: Mapping[str, str] | None = None) -> str:
        """Create a role; by default it trusts its own account's root (any principal IAM allows)."""
        acct = account or self.account
        trust = trust_policy or {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole"}]}
        kwargs: dict[str, Any] = {"RoleName": name, "AssumeRolePolicyDocument": json.dumps(trust)}
        if tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        arn: str = self.admin("iam", acct).create_role(**kwargs)["Role"]["Arn"]
        self._give_policies(arn, managed_policies, inline_policies)
        if permissions_boundary:
            self.set_permissions_boundary(arn, permissions_boundary)
        return arn

    def _give_policies(self, arn: str, managed_policies: Iterable[str],
                       inline_policies: Mapping[str, Any] | None) -> None:
        for policy in managed_policies:
            self.attach_policy(arn, policy)
        for pname, doc in (inline_policies or {}).items():
            self.put_inline_policy(arn, pname, doc)

    def create_policy(self, name: str, document: Mapping[str, Any] | str, *, account: str | None = None) -> str:
        """Create a customer managed policy; returns its ARN."""
        text = document if isinstance(document, str) else json.dumps(document)
        arn: str = self.admin("iam", account or self.account).create_policy(
            PolicyName=name, PolicyDocument=text)["Policy"]["Arn"]
        return arn

    def policy_arn(self, policy: str, account: str | None = None) -> str:
        """A policy name -> its ARN: an AWS managed policy, or a customer managed one in the account."""
        if policy.startswith("arn:"):
            return policy
        if managed.is_aws_managed(policy):
            return managed.aws_managed_arn(policy)
        return f"arn:aws:iam::{account or self.account}:policy/{policy}"

    @staticmethod
    def _split(principal_arn: str) -> tuple[str, str, str]:
        """(account, kind, name) of an IAM ARN: kind is user, role or group."""
        parts = principal_arn.split(":", 5)
        kind, _, name = parts[5].partition("/")
        return parts[4], kind, name.rsplit("/", 1)[-1]

    def attach_policy(self, principal: str, policy: str) -> None:
        """Attach a managed policy (AWS managed name, customer managed name, or ARN)."""
        account, kind, name = self._split(self.principal_arn(principal))
        iam, arn = self.admin("iam", account), self.policy_arn(policy, account)
        getattr(iam, f"attach_{kind}_policy")(**{f"{kind.capitalize()}Name": name, "PolicyArn": arn})

    def detach_policy(self, principal: str, policy: str) -> None:
        account, kind, name = self._split(self.principal_arn(principal))
        iam, arn = self.admin("iam", account), self.policy_arn(policy, account)
        getattr(iam, f"detach_{kind}_policy")(**{f"{kind.capitalize()}Name": name, "PolicyArn": arn})

    def attached_policies(self, principal: str) -> list[str]:
        """Names of the managed policies attached to a user, group or role."""
        account, kind, name = self._split(self.principal_arn(principal))
        iam = self.admin("iam", account)
        result = getattr(iam, f"list_attached_{kind}_policies")(**{f"{kind.capitalize()}Name": name})
        return [p["PolicyName"] for p in result["AttachedPolicies"]]

    def put_inline_policy(self, principal: str, name: str, document: Mapping[str, Any] | str) -> None:
        account, kind, pname = self._split(self.principal_arn(principal))
        text = document if isinstance(document, str) else json.dumps(document)
        getattr(self.admin("iam", account), f"put_{kind}_policy")(
            **{f"{kind.capitalize()}Name": pname, "PolicyName": name, "PolicyDocument": text})

    def delete_inline_policy(self, principal: str, name: str) -> None:
        account, kind, pname = self._split(self.principal_arn(principal))
        getattr(self.admin("iam", account), f"delete_{kind}_policy")(
            **{f"{kind.capitalize()}Name": pname, "PolicyName": name})

    def set_permissions_boundary(self, principal: str, policy: str | None) -> None:
        """Set (or with None remove) a permissions boundary on a user or role."""
        arn = self.principal_arn(principal)
        account, kind, name = self._split(arn)
        if kind == "role":
            iam = self.admin("iam", account)
            if policy is None:
                iam.delete_role_permissions_boundary(RoleName=name)
            else:
                iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=self.policy_arn(policy, account))
        elif policy is None:  # moto has no user boundaries: the lab keeps them
            self.registry.user_boundaries.pop(arn, None)
        else:
            self.registry.user_boundaries[arn] = self.policy_arn(policy, account)
        hook.world_changed()
        self._flush_changes()

    def set_scps(self, account: str, scps: Mapping[str, Any] | None) -> None:
        """The complete list of SCPs that apply to an account (None: no SCP restricts it)."""
        self.registry.scps[account] = dict(scps) if scps is not None else None
        hook.world_changed()
        self._flush_changes()

    def delete_user(self, name: str, *, account: str | None = None) -> None:
        """Delete a user as the console does (keys, policies, groups first)."""
        acct = account or self.account
        iam = self.admin("iam", acct)
        for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
            self.registry.credentials.pop(key["AccessKeyId"], None)
        for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
            iam.detach_user_policy(UserName=name, PolicyArn=p["PolicyArn"])
        for pname in iam.list_user_policies(UserName=name)["PolicyNames"]:
            iam.delete_user_policy(UserName=name, PolicyName=pname)
        for g in iam.list_groups_for_user(UserName=name)["Groups"]:
            iam.remove_user_from_group(GroupName=g["GroupName"], UserName=name)
        arn = self.principal_arn(name, acct)
        self.registry.user_boundaries.pop(arn, None)
        self._clients = {k: v for k, v in self._clients.items() if not k[0].startswith(arn)}
        iam.delete_user(UserName=name)

    def users(self, account: str | None = None) -> list[str]:
        """User ARNs of an account, in creation order."""
        return moto_adapter.user_arns(account or self.account)

    def roles(self, account: str | None = None) -> list[str]:
        return moto_adapter.role_arns(account or self.account)

    def principals(self) -> list[str]:
        """Everyone who can make requests: users, role sessions' roles and root users, per account."""
        out: list[str] = []
        for acct in self.accounts:
            out += self.users(acct) + self.roles(acct) + [f"arn:aws:iam::{acct}:root"]
        return out

    # ------------------------------------------------------------ credentials and clients

    def _record(self, principal: str, *, mfa: bool = False, session_policy: Any = None,
                session_tags: Mapping[str, str] | None = None) -> CredentialRecord:
        """The credential a principal calls with (a user key, the root key, or a role session)."""
        self._require_active()
        arn = self.principal_arn(principal)
        account = arn.split(":")[4]
        if account not in self.registry.accounts:
            raise LabError(f"{arn} is in account {account}, which is not in the lab. Accounts: "
                           f"{', '.join(self.registry.accounts)}")
        if arn.endswith(":root"):
            return next(r for r in self.registry.credentials.values() if r.kind == "root" and r.account == account)
        if ":role/" in arn or ":assumed-role/" in arn:
            role = arn.split(":role/")[1] if ":role/" in arn else arn.split(":assumed-role/")[1].split("/")[0]
            if not moto_adapter.principal_exists(account, "role", role.rsplit("/", 1)[-1]):
                raise LabError(f"No role behind {arn}: is there such a role in the lab? "
                               f"Principals: {', '.join(self.principals())}")
            return self._role_session(arn, mfa=mfa, session_policy=session_policy, session_tags=session_tags)
        record = next((r for r in self.registry.credentials.values() if r.arn == arn and r.kind == "user"), None)
        if record is None:
            raise LabError(f"No credentials for {arn}: is there such a user in the lab? "
                           f"Principals: {', '.join(self.principals())}")
        if mfa:
            return self._mfa_record(record)
        return record

    def _mfa_record(self, record: CredentialRecord) -> CredentialRecord:
        """A second key for the user standing for a GetSessionToken session obtained with MFA."""
        if record.arn not in self._mfa_records:
            key = self.admin("iam", record.account).create_access_key(UserName=record.user_name)["AccessKey"]
            self._mfa_records[record.arn] = self.registry.add(CredentialRecord(
                record.arn, record.account, "user", key["AccessKeyId"], key["SecretAccessKey"],
                user_name=record.user_name, mfa=True))
        return self._mfa_records[record.arn]

    def _role_session(self, arn: str, *, mfa: bool, session_policy: Any,
                      session_tags: Mapping[str, str] | None) -> CredentialRecord:
        if ":assumed-role/" in arn:
            account, rest = arn.split(":")[4], arn.split(":assumed-role/")[1]
            role_name, session_name = rest.split("/", 1)
            arn = f"arn:aws:iam::{account}:role/{role_name}"
        else:
            session_name = "kmslab"
        policy_text = None if session_policy is None else (
            session_policy if isinstance(session_policy, str) else json.dumps(session_policy))
        cache_key = (arn, session_name, mfa, policy_text, tuple(sorted((session_tags or {}).items())))
        if cache_key not in self._role_sessions:
            account = arn.split(":")[4]
            kwargs: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": session_name}
            if policy_text:
                kwargs["Policy"] = policy_text
            if session_tags:
                kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in session_tags.items()]
            creds = self.admin("sts", account).assume_role(**kwargs)
            c = creds["Credentials"]
            self._role_sessions[cache_key] = self.registry.add(CredentialRecord(
                creds["AssumedRoleUser"]["Arn"], account, "session", c["AccessKeyId"], c["SecretAccessKey"],
                session_token=c["SessionToken"], role_name=arn.rsplit("/", 1)[-1], mfa=mfa,
                session_policy=policy_text, session_tags=dict(session_tags or {})))
        return self._role_sessions[cache_key]

    def credentials(self, principal: str, **options: Any) -> dict[str, str]:
        """boto3 keyword arguments for a principal's own (fake) credentials and the lab's region."""
        return {**self._record(principal, **options).boto3_credentials(), "region_name": self.region}

    def client(self, service: str, as_: str = "root", **options: Any) -> Any:
        """A boto3 client that calls as `as_` (user name, `root`, `role/NAME`, or an ARN)."""
        return self._client(self._record(as_, **options), service)

    def _client(self, record: CredentialRecord, service: str) -> Any:
        cache_key = (f"{record.arn}|{record.access_key_id}", service)
        client = self._clients.get(cache_key)
        if client is None:
            # One shared session: a new boto3.Session costs ~50 ms, a client on a warm one ~2 ms.
            client = self._session.client(service, region_name=self.region, config=_CONFIG,
                                          **record.boto3_credentials())
            if record.kind == "admin":  # only setup says whom it acts as (H_ACTING_AS)
                client.meta.events.register(f"before-sign.{service}", self._add_headers)
            client.meta.events.register_first("before-send", self._fail_closed)
            client.meta.events.register(f"after-call.{service}", self._flush_changes)  # see on_change
            moto_adapter.sign_faster(client)  # the same SigV4 signature, computed in half the time
            if service == "kms":
                kms_input.note_validated_bodies(client)  # botocore checked its bodies: the hook need not again
            self._clients[cache_key] = client
        return client

    def _fail_closed(self, request: Any, **_: Any) -> None:
        if self._mock is None and not safety.is_loopback(request.url.split("/")[2].split(":")[0]):
            raise LabError("This client belongs to a stopped lab; the request was not sent (nothing reaches AWS). "
                           "Start the lab again (lab.start()) or make a new one.")

    def _add_headers(self, request: Any, **_: Any) -> None:
        for name, value in getattr(self._headers, "values", {}).items():
            request.headers[name] = value

    def _with_headers(self, values: Mapping[str, str]) -> _Headers:
        return _Headers(self._headers, dict(values))

    # ------------------------------------------------------------ keys

    def create_key(self, name: str, *, account: str | None = None, policy: Mapping[str, Any] | str | None = None,
                   created_by: str | None = None, bypass_lockout_check: bool = False,
                   key_spec: str = "SYMMETRIC_DEFAULT", key_usage: str = "ENCRYPT_DECRYPT", enabled: bool = True,
                   aliases: Iterable[str] = (), tags: Mapping[str, str] | None = None,
                   description: str | None = None, origin: str = "AWS_KMS", multi_region: bool = False) -> str:
        """Create a key (CreateKey runs as `created_by`, default the root user) and alias/NAME.

        `origin="EXTERNAL"` makes a key for imported key material, without material: its state is PendingImport
        until `import_key_material(name)`. `multi_region=True` makes a multi-Region primary key (ReplicateKey can
        replicate it into other Regions).

        Raises botocore ClientError as AWS would (MalformedPolicyDocumentException, ...), LabError for a
        name already used or one no alias can have. A failed create_key changes nothing: no key, no alias,
        no name.
        """
        acct = account or self.account
        kms = self.admin("kms", acct)
        if not isinstance(name, str) or name in self._keys:
            raise LabError(f"The lab has a key named {name!r} already: pick another name (keys: "
                           f"{', '.join(self._keys)})." if name in self._keys else
                           f"A key name is a string, not {name!r}.")
        alias_names = [f"alias/{a}" for a in [name, *aliases]]
        for alias in alias_names:
            if not (_ALIAS_NAME.fullmatch(alias) and len(alias) <= 256 and not alias.startswith("alias/aws/")):
                raise LabError(f"{alias[6:]!r} cannot be a key name: its alias {alias!r} must be alias/ followed "
                               "by letters, digits, /, _ or - (at most 256 characters, not alias/aws/...), as "
                               "CreateAlias requires.")
            if moto_adapter.find_key(alias, acct, self.region) is not None:
                raise LabError(f"{alias} already names another key in account {acct}.")
        if len(set(alias_names)) != len(alias_names):
            raise LabError(f"The aliases of key {name!r} repeat: {alias_names}")
        kwargs: dict[str, Any] = {"KeySpec": key_spec, "KeyUsage": key_usage,
                                  "Description": description or f"kmslab key {name}"}
        if policy is not None:
            kwargs["Policy"] = policy if isinstance(policy, str) else json.dumps(policy)
        if bypass_lockout_check:
            kwargs["BypassPolicyLockoutSafetyCheck"] = True
        if tags:
            kwargs["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
        if origin != "AWS_KMS":
            if origin == "EXTERNAL" and not enabled:
                # Key state table [5]: DisableKey of a key pending import is KMSInvalidStateException.
                raise LabError(f"Key {name!r}: a key with origin EXTERNAL is PendingImport until its key material "
                               "is imported, and AWS cannot disable it then: import the material first "
                               "(lab.import_key_material), then disable it.")
            kwargs["Origin"] = origin
        if multi_region:
            kwargs["MultiRegion"] = True
        acting = self.principal_arn(created_by, acct) if created_by else f"arn:aws:iam::{acct}:root"
        with self._with_headers({hook.H_ACTING_AS: acting}):
            meta = kms.create_key(**kwargs)["KeyMetadata"]
        try:
            for alias in alias_names:
                kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
            if not enabled:
                kms.disable_key(KeyId=meta["KeyId"])
        except BaseException:
            moto_adapter.forget_key(acct, self.region, meta["KeyId"])  # as if CreateKey had never run
            hook.world_changed()
            raise
        self._keys[name] = {"name": name, "arn": meta["Arn"], "id": meta["KeyId"], "account": acct,
                            "created_by": acting}
        arn: str = meta["Arn"]
        return arn

    def import_key_material(self, key: str, *, valid_to: float | None = None) -> None:
        """Import key material into a key with origin EXTERNAL, as the setup administrator (GetParametersForImport's
        wrapping key and the material are made outside authorization; ImportKeyMaterial itself is a boto3 call).
        The material is the key's own if it had some (a reimport must bring the same), else new. `valid_to` (Unix
        time) makes it KEY_MATERIAL_EXPIRES, else KEY_MATERIAL_DOES_NOT_EXPIRE. Raises ClientError as AWS would.
        https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
        """
        info = self._key(key)
        token, wrapped = moto_adapter.key_store(info["account"], self.region).import_request(info["id"])
        expiry: dict[str, Any] = ({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": valid_to}
                                  if valid_to is not None else {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})
        self.admin("kms", info["account"]).import_key_material(
            KeyId=info["arn"], ImportToken=token, EncryptedKeyMaterial=wrapped, **expiry)

    def key_arn(self, key: str) -> str:
        return self._key(key)["arn"]

    def key_id(self, key: str) -> str:
        return self._key(key)["id"]

    def key_names(self) -> list[str]:
        """The lab's names of its keys."""
        return list(self._keys)

    def _key(self, key: str) -> dict[str, str]:
        self._require_active()
        if key in self._keys:
            return self._keys[key]
        for info in self._keys.values():
            if key in (info["arn"], info["id"]):
                return info
        raise LabError(f"No key named {key!r} in the lab. Keys: {', '.join(self._keys) or 'none'}")

    def key_policy(self, key: str) -> dict[str, Any]:
        """The key policy as GetKeyPolicy returns it (read as the setup administrator)."""
        info = self._key(key)
        text = self.admin("kms", info["account"]).get_key_policy(KeyId=info["arn"])["Policy"]
        policy: dict[str, Any] = json.loads(text)
        return policy

    def put_key_policy(self, key: str, policy: Mapping[str, Any] | str, *, as_: str | None = None,
                       bypass_lockout_check: bool = False) -> None:
        """PutKeyPolicy, validated like AWS. With `as_`, a real request by that principal (authorized);
        without, as the setup administrator acting as the key's creator (lockout check for the creator).
        Raises ClientError (MalformedPolicyDocumentException, AccessDeniedException, ...).
        """
        info = self._key(key)
        text = policy if isinstance(policy, str) else json.dumps(policy)
        kwargs: dict[str, Any] = {"KeyId": info["arn"], "Policy": text}
        if bypass_lockout_check:
            kwargs["BypassPolicyLockoutSafetyCheck"] = True
        if as_ is not None:
            self.client("kms", as_=as_).put_key_policy(**kwargs)
            return
        with self._with_headers({hook.H_ACTING_AS: info["created_by"]}):
            self.admin("kms", info["account"]).put_key_policy(**kwargs)

    def create_grant(self, key: str, grantee: str, operations: Iterable[str], *,
                     constraints: Mapping[str, Mapping[str, str]] | None = None,
                     retiring_principal: str | None = None, name: str | None = None) -> str:
        """Create a grant as the setup administrator; returns the grant id."""
        info = self._key(key)
        kwargs: dict[str, Any] = {"KeyId": info["arn"], "GranteePrincipal": self.principal_arn(grantee),
                                  "Operations": list(operations)}
        if retiring_principal:
            kwargs["RetiringPrincipal"] = self.principal_arn(retiring_principal)
        if name:
            kwargs["Name"] = name
        if constraints:
            mapping = {"encryption_context_equals": "EncryptionContextEquals",
                       "encryption_context_subset": "EncryptionContextSubset"}
            kwargs["Constraints"] = {mapping.get(k, k): dict(v) for k, v in constraints.items()}
        grant_id: str = self.admin("kms", info["account"]).create_grant(**kwargs)["GrantId"]
        return grant_id

    def grants(self, key: str) -> list[dict[str, Any]]:
        info = self._key(key)
        grants: list[dict[str, Any]] = self.admin("kms", info["account"]).list_grants(KeyId=info["arn"])["Grants"]
        return grants

    # ------------------------------------------------------------ requests

    def request(self, principal: str, action: str, key: str | None = None, *,
                destination_key: str | None = None, key_ref: str = "arn",
                encryption_context: Mapping[str, str] | None = None, encryption_algorithm: str | None = None,
                grant: Mapping[str, Any] | None = None, via_service: str | None = None,
                source_ip: str | None = None, mfa: bool = False, session_policy: Any = None,
                session_tags: Mapping[str, str] | None = None, parameters: Mapping[str, Any] | None = None,
                keep: bool = False) -> Outcome:
        """Make one real boto3 request as `principal` and say how it ended and why.

        `parameters` (API parameter names -> values, e.g. {"PendingWindowInDays": 7}) are sent as given,
        over what the lab fills in. The request's effect is undone afterwards (a table's probe) unless `keep`:
        then it stays, as in AWS (a scenario file's requests each see what the ones before them did), and
        only what the lab prepared for it (a scratch key, a probe alias, tag or grant) is removed.
        """
        if not isinstance(action, str):
            raise LabError(f"An action is a string such as 'kms:Decrypt', not {action!r}.")
        action = normalize_action(action)
        record = self._record(principal, mfa=mfa, session_policy=session_policy, session_tags=session_tags)
        self._check_request_options(encryption_context, encryption_algorithm, grant, source_ip, via_service)
        plan_for = self._plan_for(action)
        needs_key = action_info(action).takes_key and action != "kms:CreateKey"
        if needs_key and key is None:
            raise LabError(f"{action} needs a key: pass key=NAME")
        info = self._key(key) if (key is not None and needs_key) else None
        key_param = None
        if info is not None:
            if key_ref == "arn":
                key_param = info["arn"]
            elif key_ref == "id":
                key_param = info["id"]
            elif key_ref == "alias":
                key_param = f"alias/{info['name']}"
            elif key_ref == "alias_arn":
                key_param = f"arn:aws:kms:{self.region}:{info['account']}:alias/{info['name']}"
            else:
                raise LabError(f"key_ref must be arn, id, alias or alias_arn, not {key_ref!r}")
        inp = self._input(
            record, info, key_param,
            destination_arn=self._key(destination_key)["arn"] if destination_key else None,
            encryption_context=dict(encryption_context) if encryption_context else None,
            encryption_algorithm=encryption_algorithm,
            grant=self._grant_option(grant),
        )
        if parameters is not None and not (isinstance(parameters, Mapping) and all(
                isinstance(k, str) for k in parameters)):
            raise LabError(f"parameters must map API parameter names to values, e.g. {{'PendingWindowInDays': 7}}, "
                           f"not {parameters!r}.")
        named = UNDONE_BY_NAME.get(action)
        if parameters and not keep and named in parameters:
            raise LabError(f"The lab cannot undo a {action} request whose {named} you give (it puts back only the "
                           f"tag, alias or grant it made itself): pass keep=True, or leave {named} to the lab.")
        with self.batch():
            return self._perform(record, self.principal_arn(principal), action, plan_for, inp,
                                 info["name"] if info else None, via_service, source_ip,
                                 parameters=parameters, keep=keep)

    def _grant_option(self, grant: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The request's grant with its principals as ARNs: CreateGrant's GranteePrincipal and RetiringPrincipal take
        "the Amazon Resource Name (ARN) of an AWS principal" (API_CreateGrant), and kms:GranteePrincipal and
        kms:RetiringPrincipal compare those values."""
        if not grant:
            return None
        out = {**grant, "grantee": self.principal_arn(grant["grantee"])}
        if grant.get("retiring_principal"):
            out["retiring_principal"] = self.principal_arn(grant["retiring_principal"])
        return out

    def _check_request_options(self, encryption_context: Any, encryption_algorithm: Any, grant: Any,
                               source_ip: Any, via_service: Any) -> None:
        """LabError for a request option no AWS request could carry (each message names the option)."""
        if encryption_context is not None:
            if not isinstance(encryption_context, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in encryption_context.items()):
                raise LabError("encryption_context must map strings to strings, e.g. {'purpose': 'test'}.")
            size = sum(len(k) + len(v) for k, v in encryption_context.items())
            if size > MAX_ENCRYPTION_CONTEXT_CHARS:
                raise LabError(f"encryption_context holds {size:,} characters; the lab takes at most "
                               f"{MAX_ENCRYPTION_CONTEXT_CHARS:,} (keys and values together).")
        if encryption_algorithm is not None:
            # The KMS API's EncryptionAlgorithmSpec enum, from botocore's model of KMS (not a list of ours).
            # https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html#KMS-Encrypt-request-EncryptionAlgorithm
            allowed = self._session._session.get_service_model("kms").shape_for("EncryptionAlgorithmSpec").enum
            if encryption_algorithm not in allowed:
                raise LabError(f"encryption_algorithm {encryption_algorithm!r} is not a KMS encryption algorithm: "
                               f"{', '.join(allowed)} (EncryptionAlgorithmSpec).")
        if grant is not None:
            if not isinstance(grant, Mapping) or not isinstance(grant.get("grantee"), str):
                raise LabError("grant must be a mapping with a 'grantee' (the grantee principal), e.g. "
                               "{'grantee': 'kms-test-2', 'operations': ['Decrypt']}.")
            self.principal_arn(grant["grantee"])
        if source_ip is not None:
            try:
                ipaddress.ip_address(source_ip)
            except (ValueError, TypeError):
                raise LabError(f"source_ip must be an IPv4 or IPv6 address such as '203.0.113.10', "
                               f"not {source_ip!r}.") from None
        if via_service is not None and not isinstance(via_service, str):
            raise LabError(f"via_service is a service endpoint name such as 'ec2.us-east-1.amazonaws.com', "
                           f"not {via_service!r}.")

    def _input(self, record: CredentialRecord, info: Mapping[str, str] | None, key_ref: str | None,
               **options: Any) -> CallInput:
        """What a plan needs for a request as `record` on the key `info` (None: a key-less action)."""
        return CallInput(
            store=moto_adapter.key_store(info["account"], self.region) if info else None,
            key_id=info["id"] if info else None, key_ref=key_ref, ciphertexts=self._ciphertexts,
            caller_arn=record.arn, **options)

    def _plan_for(self, action: str) -> Any:
        plan_for = PLANS.get(action)
        if plan_for is None:
            raise LabError(f"The lab cannot make a {action} request yet. Actions: {', '.join(sorted(PLANS))}")
        return plan_for

    def _perform(self, record: CredentialRecord, row: str, action: str, plan_for: Any, inp: CallInput,
                 key_name: str | None, via_service: str | None = None, source_ip: str | None = None, *,
                 parameters: Mapping[str, Any] | None = None, keep: bool = False) -> Outcome:
        """The request itself: prepare, call as `record`, undo, and explain (`row`: the table's principal).

        Under the moto adapter's request lock, which every KMS request of the process takes too: a
        probe's temporary state (a disabled key, a key pending deletion, a trial key policy) is never
        seen by a request on another thread.
        """
        with moto_adapter.request_lock():
            return self._perform_locked(record, row, action, plan_for, inp, key_name, via_service, source_ip,
                                        parameters, keep)

    def _perform_locked(self, record: CredentialRecord, row: str, action: str, plan_for: Any, inp: CallInput,
                        key_name: str | None, via_service: str | None, source_ip: str | None,
                        parameters: Mapping[str, Any] | None = None, keep: bool = False) -> Outcome:
        moto_adapter.expire_imported_material()  # before the probe saves what it will undo
        checkpoint, dirty = self._authorizer.checkpoint(), self._dirty
        plan = plan_for(inp)
        if parameters:
            plan.params.update(parameters)
        if keep and action not in PREPARATION_ONLY_UNDO:
            plan.undo = []  # what the request changed stays
        if plan.undo:
            hook.world_changed("kms", inp.key_id)  # the preparation may have edited this key in moto directly
        call = hook.LabCall(via_service, source_ip)
        client = self._client(record, "kms")
        error = message = None
        verdict: Verdict
        try:
            hook.begin_call(call)
            try:
                getattr(client, plan.operation)(**plan.params)
            finally:
                hook.begin_call(None)
            verdict = "allowed"
        except ClientError as exc:
            error = exc.response["Error"].get("Code")
            message = exc.response["Error"].get("Message")
            verdict = "denied" if error == "AccessDeniedException" else "error"
        finally:
            undone = True
            for undo in plan.undo:
                try:
                    undo()
                except Exception:  # noqa: BLE001 - the world may differ now: keep no decision
                    undone = False
            if keep:
                hook.world_changed()  # the request's effect stays: no decision from before it is kept
            elif plan.undo and undone:
                # The undo put the world back exactly as it was before this request: so are the decisions.
                self._authorizer.restore(checkpoint)
                self._dirty = dirty  # nor is it a change for on_change's listeners
            elif plan.undo:
                hook.world_changed()
        event = call.event
        decision: Decision | None = None
        if call.decisions:
            # The first refusal; if none, the decision on the action asked about (ReEncrypt decides two).
            decision = next((d for d in call.decisions if not d.allowed), None) or next(
                (d for d in call.decisions if d.action == action), call.decisions[-1])
        if decision is not None and (verdict != "error" or (not decision.allowed and decision.error == error)):
            reason = decision.reason  # the engine's words, also for the errors it decides (key states)
        elif verdict == "error":
            reason = (words.lab_text("aws-answered-message", code=error, message=message) if message
                      else words.lab_text("aws-answered", code=error))
            if decision is not None and decision.allowed:
                reason = words.lab_text("authorized-but", reason=decision.reason, code=error)
        else:
            reason = event.reason if event else ""
        return Outcome(
            principal=row,  # a role's table row stays the role
            action=action, key=key_name, decision=verdict, error=error,
            message=message, reason=reason,
            statements=tuple(s.label() for s in decision.statements) if decision else (),
            explanation=decision,
        )

    def access_matrix(self, principals: Iterable[str] | None = None, actions: Iterable[str] = STANDARD_ACTIONS,
                      keys: Iterable[str] | None = None) -> list[Outcome]:
        """Every principal x action x key, each a real request; key-less actions once per principal."""
        principals = list(principals) if principals is not None else self.principals()
        infos = [self._key(k) for k in (keys if keys is not None else self.key_names())]
        plans = [(a, self._plan_for(a), action_info(a).takes_key and a != "kms:CreateKey")
                 for a in map(normalize_action, actions)]
        out = []
        with self.batch():
            for p in principals:  # each principal, key and action looked up once, not once a cell
                record, row = self._record(p), self.principal_arn(p)
                for action, plan_for, takes_key in plans:
                    for info in infos if takes_key else (None,):
                        inp = self._input(record, info, info["arn"] if info else None)
                        out.append(self._perform(record, row, action, plan_for, inp,
                                                 info["name"] if info else None))
        return out

    # ------------------------------------------------------------ the event log

    def _record_event(self, event: Event) -> None:
        with self._events_lock:
            self._events.append(event)  # a ring buffer: the oldest event goes when it is full
            self._events_total += 1

    @property
    def events_total(self) -> int:
        """How many KMS requests the lab has logged since it started (kept or dropped)."""
        return self._events_total

    @property
    def events_dropped(self) -> int:
        """How many of the oldest events the log no longer holds (it keeps the newest `max_events`)."""
        return self._events_total - len(self._events)

    def events(self, *, include_setup: bool = False) -> Any:
        """The lab's KMS requests, CloudTrail-like, as a pandas DataFrame (newest last).

        The log keeps the newest `Lab.MAX_EVENTS` events (10,000; `Lab(max_events=...)` to change):
        when older ones were dropped, a warning says how many, and so do `lab.events_dropped` and the
        DataFrame's `attrs["dropped"]` (with `attrs["total"]`, every request logged).
        """
        import pandas as pd

        with self._events_lock:
            kept, total = list(self._events), self._events_total
        rows = [
            {"time": pd.Timestamp(e.time, unit="s", tz="UTC"), "principal": e.principal, "action": e.action,
             "key": e.key, "outcome": e.outcome, "error": e.error, "message": e.message, "reason": e.reason}
            for e in kept
            if include_setup or not e.reason.startswith("lab setup")
        ]
        frame = pd.DataFrame(rows, columns=["time", "principal", "action", "key", "outcome", "error", "message",
                                            "reason"])
        dropped = total - len(kept)
        frame.attrs.update(total=total, dropped=dropped)
        if dropped:
            warnings.warn(f"kmslab: the event log keeps the newest {self._max_events:,} events; the "
                          f"{dropped:,} oldest of {total:,} were dropped.", UserWarning, stacklevel=2)
        return frame

    def __repr__(self) -> str:
        state = "running" if self.active else "stopped"
        return f"<kmslab.Lab {state}: accounts {self.accounts}, keys {self.key_names() if self.active else []}>"


class _Headers:
    """Context manager: extra headers on the lab's requests made inside it (this thread only)."""

    def __init__(self, store: threading.local, values: dict[str, str]) -> None:
        self.store, self.values = store, values

    def __enter__(self) -> None:
        self.saved = getattr(self.store, "values", {})
        self.store.values = {**self.saved, **self.values}

    def __exit__(self, *exc: object) -> None:
        self.store.values = self.saved


