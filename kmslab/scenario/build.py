"""What a schema cannot say: the names a file uses must exist (accounts, users, groups, roles,
keys, actions, principals), references must resolve, and the world must stay within the limits.
Turns a file that passed the schema into a `Scenario`."""

from __future__ import annotations

import ipaddress
import json
import math
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NoReturn

from kmslab.engine.catalog import STANDARD_ACTIONS, UnknownActionError, action_info
from kmslab.engine.context import DEFAULT_REGION, DEFAULT_SOURCE_IP

from .model import (
    KEY_STATES,
    MAX_DEPTH,
    MAX_REQUESTS,
    MAX_SETUP_OBJECTS,
    UNDONE_BY_NAME,
    VERSION,
    Account,
    Document,
    GrantSpec,
    Group,
    KeySpec,
    RequestSpec,
    Role,
    Scenario,
    ScenarioError,
    User,
    root_arn,
)
from .reader import LineMap, LineSeq
from .schema import did_you_mean, kind_of, short
from .words import say

_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::([^:]*):(.*)$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
KEY_REF = re.compile(r"\$\{(key|key_id):([^}]*)\}")
# The format's references: a key's ARN or id, a grant's id. Any other ${...} (an IAM policy variable such as
# ${aws:username}) is not the format's and passes through untouched.
REF = re.compile(r"\$\{(key|key_id|grant_id):([^}]*)\}")
_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:[^:]*:(alias/.+)$")

@lru_cache(maxsize=1)
def _grant_operations() -> tuple[str, ...]:
    """AWS's grant operations, from botocore's bundled KMS service model."""
    import botocore.session

    return tuple(botocore.session.get_session().get_service_model("kms").shape_for("GrantOperation").enum)


@lru_cache(maxsize=1)
def _kms_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("kms")


def api_operation(action: str) -> str | None:
    """The KMS API operation an IAM action names (kms:ReEncryptFrom -> ReEncrypt); None for an IAM action with
    no operation of its own (kms:SynchronizeMultiRegionKey)."""
    name = action.removeprefix("kms:")
    name = "ReEncrypt" if name in ("ReEncryptFrom", "ReEncryptTo") else name
    return name if name in _kms_model().operation_names else None


def _strings(value: Any) -> tuple[str, ...]:
    """A list of strings as the schema allows it: null, one string, or a list."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _empty(line: int) -> LineMap:
    empty = LineMap()
    empty.line, empty.key_lines, empty.value_lines = line, {}, {}
    return empty


class Builder:
    """Turns a file that passed the schema into a Scenario, checking what the schema cannot:
    names that must exist (users, groups, keys, accounts), principals, actions, references."""

    def __init__(self, source: str, data: LineMap) -> None:
        self.source = source
        self.data = data
        self.key_names: set[str] = set(data.get("keys") or ())
        self.accounts: dict[str, Account] = {}
        self.keys: dict[str, KeySpec] = {}
        # Grant name -> the key it is on. The keys' grants exist at setup, so policy documents may name them;
        # a grant named by a CreateGrant request joins when that request is read (later requests may name it).
        self.grants: dict[str, str | None] = {}
        self.grant_lines: dict[str, int] = {}
        for key_name, raw in (data.get("keys") or {}).items():
            grants = raw.get("grants") if isinstance(raw, LineMap) else None
            for i, g in enumerate(grants or ()):
                if isinstance(g, LineMap) and isinstance(g.get("name"), str):
                    self.add_grant_name(g["name"], key_name, g.value_line("name"),
                                        say("grant_n", owner=say("key", name=key_name), n=i + 1))

    def add_grant_name(self, name: str, key: str | None, line: int, where: str) -> None:
        """A grant's name, unique in the file (a reference names the grant alone, not its key)."""
        if name in self.grants:
            self.fail(line, say("grant_name_used", where=where, name=name, line=self.grant_lines[name]))
        self.grants[name] = key
        self.grant_lines[name] = line

    def fail(self, line: int | None, message: str) -> NoReturn:
        raise ScenarioError(self.source, line, message)

    @staticmethod
    def mapping(m: LineMap, key: str) -> LineMap:
        value = m.get(key)
        return value if isinstance(value, LineMap) else _empty(m.value_line(key))

    # --- policy documents ------------------------------------------------------------

    def document(self, value: Any, where: str, line: int) -> Document | None:
        """A policy document: a mapping, or a string holding JSON. Its grammar is AWS's to judge."""
        if value is None:
            return None
        if isinstance(value, str):
            try:
                doc = json.loads(value, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
            except RecursionError:
                self.fail(line, say("doc_too_deep", where=where, limit=MAX_DEPTH))
            except ValueError as exc:
                detail = (
                    say("json_detail", message=exc.msg, line=exc.lineno, column=exc.colno)  # exc.msg: json's words
                    if isinstance(exc, json.JSONDecodeError)
                    else str(exc)
                )
                self.fail(line, say("doc_not_json", where=where, detail=detail))
            if not isinstance(doc, dict):
                self.fail(line, say("doc_not_object", where=where, kind=kind_of(doc)))
            if _depth(doc) > MAX_DEPTH:
                self.fail(line, say("doc_too_deep", where=where, limit=MAX_DEPTH))
            self.check_refs(doc, where, line)
            return doc
        plain: Document = self.plain(value, where, line)  # a mapping: the schema allows no other document
        return plain

    def plain(self, value: Any, where: str, line: int) -> Any:
        """A plain JSON-compatible copy of a document, checking `${key:NAME}` references."""
        if isinstance(value, LineMap):
            out = {}
            for k, v in value.items():
                if not isinstance(k, str):
                    self.fail(
                        value.key_line(k),
                        say("name_must_be_string", where=say("the_name", owner=where, name=k), value=k),
                    )
                self.check_refs(k, where, value.key_line(k))
                out[k] = self.plain(v, where, value.value_line(k))
            return out
        if isinstance(value, LineSeq):
            return [self.plain(v, where, value.item_line(i)) for i, v in enumerate(value)]
        if isinstance(value, str):
            self.check_refs(value, where, line)
            return value
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(line, say("doc_not_number", where=where, value=value))
        if value is None or isinstance(value, (bool, int, float)):
            return value
        self.fail(line, say("doc_not_value", where=where, kind=kind_of(value)))

    def check_refs(self, value: Any, where: str, line: int) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self.check_refs(k, where, line)
                self.check_refs(v, where, line)
        elif isinstance(value, list):
            for v in value:
                self.check_refs(v, where, line)
        elif isinstance(value, str) and ("${key" in value or "${grant_id" in value):
            for match in REF.finditer(value):
                kind, name = match.groups()
                if kind == "grant_id":
                    if name not in self.grants:
                        known = ", ".join(sorted(self.grants)) or say("none")
                        self.fail(line, say("no_such_grant_ref", where=where, ref=short(match.group(0)),
                                            dym=did_you_mean(name, self.grants), known=known))
                elif name not in self.key_names:
                    known = ", ".join(sorted(self.key_names)) or say("none")
                    self.fail(line, say("no_such_key_ref", where=where, ref=short(match.group(0)),
                                        dym=did_you_mean(name, self.key_names), known=known))

    def documents(self, m: LineMap, key: str, where: str) -> dict[str, Document]:
        """A mapping of policy name -> document (inline policies, customer managed, SCPs)."""
        value = self.mapping(m, key)
        found: dict[str, Document] = {}
        for name, doc in value.items():
            document = self.document(doc, say("policy_of", owner=where, name=name), value.value_line(name))
            if document is None:  # the schema refuses it first, in these words
                self.fail(value.value_line(name), say("policy_no_document", where=where, name=name))
            found[name] = document
        return found

    # --- the scenario ------------------------------------------------------------------

    def scenario(self) -> Scenario:
        data = self.data
        accounts_raw: LineMap = data["accounts"]
        for account_id, raw in accounts_raw.items():
            m = raw if isinstance(raw, LineMap) else _empty(accounts_raw.value_line(account_id))
            self.accounts[account_id] = self.account(account_id, m)
        for account_id, raw in accounts_raw.items():
            self.cross_check_account(account_id, raw if isinstance(raw, LineMap) else None)
        keys_raw = self.mapping(data, "keys")
        keys = {k: self.key(k, raw, keys_raw.key_line(k)) for k, raw in keys_raw.items()}
        self.check_aliases(keys, keys_raw)
        self.keys = keys
        requests = None
        if data.get("requests") is not None:
            raw_requests: LineSeq = data["requests"]
            requests = tuple(self.request(raw, raw_requests.item_line(i), i + 1) for i, raw in enumerate(raw_requests))
        return Scenario(
            version=VERSION,
            name=data["name"],
            title=data.get("title"),
            region=data.get("region") or DEFAULT_REGION,
            accounts=self.accounts,
            keys=keys,
            requests=requests,
            now=self.now(data.get("now"), data.value_line("now")),
        )

    def now(self, value: str | None, line: int) -> str | None:
        """`now:` as UTC to the second (aws:CurrentTime's precision), e.g. 2026-01-15T09:00:00Z."""
        if value is None:
            return None
        try:
            when = datetime.fromisoformat(value)
        except ValueError as exc:
            self.fail(line, say("now_not_a_time", value=short(value), error=exc))
        if not datetime(1970, 1, 1, tzinfo=UTC) <= when <= datetime(9999, 12, 31, tzinfo=UTC):
            self.fail(line, say("now_before_1970", value=value))
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def account(self, account_id: str, m: LineMap) -> Account:
        where = say("account", account=account_id)
        groups = {}
        for name, raw in self.mapping(m, "groups").items():
            g = raw if isinstance(raw, LineMap) else _empty(0)
            groups[name] = Group(
                managed_policies=_strings(g.get("managed_policies")),
                inline_policies=self.documents(g, "inline_policies", say("group_of", name=name, owner=where)),
            )
        users = {}
        for name, raw in self.mapping(m, "users").items():
            u = raw if isinstance(raw, LineMap) else _empty(0)
            users[name] = User(
                managed_policies=_strings(u.get("managed_policies")),
                inline_policies=self.documents(u, "inline_policies", say("user_of", name=name, owner=where)),
                groups=_strings(u.get("groups")),
                permissions_boundary=u.get("permissions_boundary"),
                tags=dict(u.get("tags") or {}),
            )
        roles = {}
        for name, raw in self.mapping(m, "roles").items():
            r = raw if isinstance(raw, LineMap) else _empty(0)
            rw = say("role_of", name=name, owner=where)
            roles[name] = Role(
                trust_policy=self.document(r.get("trust_policy"), f"{rw}: trust_policy", r.value_line("trust_policy")),
                managed_policies=_strings(r.get("managed_policies")),
                inline_policies=self.documents(r, "inline_policies", rw),
                permissions_boundary=r.get("permissions_boundary"),
                tags=dict(r.get("tags") or {}),
            )
        scps = self.documents(m, "scps", where) if m.get("scps") is not None else None
        return Account(
            users=users, groups=groups, roles=roles, policies=self.documents(m, "policies", where), scps=scps
        )

    def cross_check_account(self, account_id: str, m: LineMap | None) -> None:
        """Names that must exist inside the account: users' groups, permissions boundaries."""
        account = self.accounts[account_id]
        for kind, entities in (("users", account.users), ("roles", account.roles)):
            raw_entities = m.get(kind) if m is not None else None
            for name, entity in entities.items():
                em = raw_entities[name] if isinstance(raw_entities, LineMap) else None
                em = em if isinstance(em, LineMap) else _empty(0)
                where = say(f"{kind[:-1]}_of", name=name, owner=say("account", account=account_id))
                boundary = entity.permissions_boundary
                if boundary is not None and not boundary.startswith("arn:") and boundary not in account.policies:
                    known = ", ".join(account.policies) or say("none")
                    self.fail(em.value_line("permissions_boundary"),
                              say("boundary_unknown", where=where, boundary=boundary, known=known,
                                  dym=did_you_mean(boundary, account.policies)))
                groups = em.get("groups")
                for i, group in enumerate(_strings(groups)):
                    if group not in account.groups:
                        line = groups.item_line(i) if isinstance(groups, LineSeq) else em.value_line("groups")
                        self.fail(line, say("group_unknown", where=where, group=group,
                                            dym=did_you_mean(group, account.groups)))

    # --- principals --------------------------------------------------------------------

    def principal(self, arn: str, line: int, where: str, *, account: str | None = None) -> tuple[str, str, str]:
        """Check a principal ARN of the scenario; return (kind, account, name-or-role).

        kind is root | user | role | session; the principal must exist in the file.
        """
        example = (
            "arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME, "
            "arn:aws:iam::ACCOUNT:root or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"
        )
        match = _PRINCIPAL_ARN.match(arn)
        if not match:
            self.fail(line, say("not_a_principal_arn", where=where, arn=short(arn), example=example))
        service, account_id, resource = match.groups()
        if not _ACCOUNT_ID.match(account_id):
            self.fail(line, say("account_id_12_digits", where=where, arn=short(arn)))
        if account is not None and account_id != account:
            self.fail(line, say("not_in_account", where=where, arn=arn, account=account))
        if account_id not in self.accounts:
            self.fail(line, say("account_not_listed", where=where, account=account_id, arn=short(arn)))
        acct = self.accounts[account_id]
        if service == "iam" and resource == "root":
            return "root", account_id, ""
        if service == "iam" and resource.startswith(("user/", "role/")):
            kind, name = resource.split("/")[0], resource.split("/")[-1]
            entities = acct.users if kind == "user" else acct.roles
            if name not in entities:
                self.fail(line, say("entity_unknown", where=where, kind=kind, name=short(name), account=account_id,
                                    dym=did_you_mean(name, entities)))
            return kind, account_id, name
        if service == "sts" and resource.startswith("assumed-role/"):
            parts = resource.split("/")
            if len(parts) != 3 or not parts[1] or not parts[2]:
                self.fail(line, say("session_arn", where=where, arn=short(arn)))
            if parts[1] not in acct.roles:
                self.fail(line, say("session_role_unknown", where=where, role=parts[1], account=account_id,
                                    dym=did_you_mean(parts[1], acct.roles)))
            return "session", account_id, parts[1]
        self.fail(line, say("not_a_kmslab_principal", where=where, arn=short(arn), example=example))

    # --- keys ------------------------------------------------------------------------

    def key(self, key_name: str, m: LineMap, line: int) -> KeySpec:
        """One key; `line` is where its name is."""
        where = say("key", name=key_name)
        account = m["account"]
        if account not in self.accounts:
            self.fail(m.value_line("account"), say("key_account_unknown", where=where, account=account,
                                                   dym=did_you_mean(account, self.accounts)))
        created_by = m.get("created_by")
        if created_by is not None:
            self.principal(created_by, m.value_line("created_by"), f"{where}: created_by", account=account)
        grants: LineSeq = m.get("grants") or LineSeq()
        origin = m.get("origin") or "AWS_KMS"
        state, enabled = m.get("state"), m.get("enabled")
        if state is not None and enabled is not None and state != ("Enabled" if enabled else "Disabled"):
            if enabled is False and state == "Enabled":
                self.fail(m.value_line("enabled"), say("enabled_false_but_enabled", where=where))
            self.fail(m.value_line("enabled"), say("enabled_shorthand", where=where, enabled=str(enabled).lower(),
                                                   state="Enabled" if enabled else "Disabled", actual=state))
        if state is None:
            state = ("Enabled" if enabled is not False else "Disabled") if (
                origin != "EXTERNAL" or enabled is not None) else "PendingImport"
        if state == "PendingImport" and origin != "EXTERNAL":
            self.fail(m.value_line("state"), say("pending_import", where=where))
        assert state in KEY_STATES  # the schema's enum
        return KeySpec(
            account=account,
            policy=self.document(m.get("policy"), f"{where}: policy", m.value_line("policy")),
            created_by=created_by or root_arn(account),
            bypass_lockout_check=bool(m.get("bypass_lockout_check")),
            key_spec=m.get("key_spec"),
            key_usage=m.get("key_usage"),
            enabled=state == "Enabled",
            state=state,
            origin=origin,
            multi_region=bool(m.get("multi_region")),
            aliases=tuple(a.removeprefix("alias/") for a in _strings(m.get("aliases"))),
            tags=dict(m.get("tags") or {}),
            grants=tuple(
                self.grant(g, grants.item_line(i), say("grant_n", owner=where, n=i + 1), strict=True)
                for i, g in enumerate(grants)
            ),
            expect_error=m.get("expect_error"),
        )

    def check_aliases(self, keys: dict[str, KeySpec], keys_raw: LineMap) -> None:
        seen: dict[tuple[str, str], str] = {}
        for key_name, spec in keys.items():
            raw_aliases = keys_raw[key_name].get("aliases")
            lines = [keys_raw.key_line(key_name)]
            if isinstance(raw_aliases, LineSeq):
                lines += [raw_aliases.item_line(i) for i in range(len(spec.aliases))]
            else:
                lines += [keys_raw[key_name].value_line("aliases")] * len(spec.aliases)
            for alias, line in zip((key_name, *spec.aliases), lines, strict=True):
                owner = seen.get((spec.account, alias))
                if owner is not None:
                    self.fail(line, say("alias_taken", key=key_name, alias=alias, owner=owner, account=spec.account))
                seen[(spec.account, alias)] = key_name

    def grant(self, m: LineMap, line: int, where: str, *, strict: bool) -> GrantSpec:
        """A grant of a key (strict: AWS's operation names), or CreateGrant request parameters."""
        operations = list(_strings(m["operations"]))
        if strict:
            valid = _grant_operations()
            raw_ops = m["operations"]
            for i, op in enumerate(operations):
                operations[i] = op = op.removeprefix("kms:")
                if op not in valid:
                    at = raw_ops.item_line(i) if isinstance(raw_ops, LineSeq) else m.value_line("operations")
                    self.fail(at, say("not_a_grant_operation", where=where, operation=short(op),
                                      dym=did_you_mean(op, valid)))
            self.grant_principal(m["grantee"], m.value_line("grantee"), f"{where}: grantee")
            if m.get("retiring_principal") is not None:
                self.grant_principal(
                    m["retiring_principal"], m.value_line("retiring_principal"), f"{where}: retiring_principal"
                )
        constraints = m.get("constraints") or {}
        subset, equals = constraints.get("encryption_context_subset"), constraints.get("encryption_context_equals")
        return GrantSpec(
            grantee=m["grantee"],
            operations=tuple(operations),
            encryption_context_subset=dict(subset) if subset is not None else None,
            encryption_context_equals=dict(equals) if equals is not None else None,
            retiring_principal=m.get("retiring_principal"),
            name=m.get("name"),
        )

    def grant_principal(self, arn: str, line: int, where: str) -> None:
        """A grantee or retiring principal: any principal ARN; if its account is in the file,
        the user or role must be too."""
        match = _PRINCIPAL_ARN.match(arn)
        if match and match.group(2) in self.accounts:
            self.principal(arn, line, where)
        elif not match or not _ACCOUNT_ID.match(match.group(2)):
            self.fail(line, say("grantee_not_arn", where=where, arn=short(arn)))

    # --- requests ----------------------------------------------------------------------

    def request(self, m: LineMap, line: int, number: int) -> RequestSpec:
        where = say("request_n", n=number)
        principal = m["principal"]
        kind, _, _ = self.principal(principal, m.value_line("principal"), f"{where}: principal")
        try:
            info = action_info(m["action"])
        except UnknownActionError as exc:
            hint = say("unknown_action.hint", suggestion=exc.suggestion) if exc.suggestion else ""
            self.fail(m.value_line("action"),
                      say("where_error", where=where, error=say("unknown_action", action=exc.action) + hint))
        parameters = self.parameters(m, info.name, where)
        key = self.key_ref_name(m, "key", where)
        grant_ref = self.grant_ref(m, info.name, where, parameters)
        if info.takes_key:
            key = self.key_of_parameters(m, key, parameters, where)
            if key is None and grant_ref is not None:
                key = self.grants[grant_ref]
        destination = self.key_ref_name(m, "destination_key", where)
        if info.takes_key and key is None:
            self.fail(
                m.line,
                say("needs_key_one_of", where=where, action=info.name, keys=", ".join(sorted(self.key_names)))
                if self.key_names
                else say("needs_key_none", where=where, action=info.name),
            )
        if not info.takes_key and key is not None:
            self.fail(m.value_line("key"), say("no_key_resource", where=where, action=info.name))
        if destination is not None and info.name != "kms:ReEncryptFrom":
            self.fail(m.value_line("destination_key"), say("destination_key", where=where))
        if "key_ref" in m and key is None:
            self.fail(m.value_line("key_ref"), say("key_ref_needs_key", where=where))
        source_ip = m.get("source_ip") or DEFAULT_SOURCE_IP
        try:
            ipaddress.ip_address(source_ip)
        except ValueError:
            self.fail(m.value_line("source_ip"), say("not_an_ip", where=where, value=short(source_ip)))
        session_policy = self.document(
            m.get("session_policy"), f"{where}: session_policy", m.value_line("session_policy")
        )
        for field_name in ("session_policy", "session_tags"):
            if m.get(field_name) is not None and kind not in ("role", "session"):
                self.fail(m.value_line(field_name), say("sessions_only", where=where, field=field_name))
        expect, expect_error = m.get("expect"), m.get("expect_error")
        if expect_error is not None and expect != "error":
            self.fail(m.value_line("expect_error"), say("expect_error_with_error", where=where))
        if expect_error == "AccessDeniedException":
            self.fail(m.value_line("expect_error"), say("expect_denied", where=where))
        named = UNDONE_BY_NAME.get(info.name)
        if m.get("undo") and named is not None and (named in (parameters or {}) or grant_ref is not None):
            given = "grant_ref" if grant_ref is not None else f"parameters: {named}"
            self.fail(m.value_line("undo"), say("undo_not_yours", where=where, given=given))
        grant: LineMap | None = m.get("grant")
        grant_spec = None
        if grant:
            grant_spec = self.grant(grant, m.value_line("grant"), f"{where}: grant", strict=False)  # the field
            if grant_spec.name is not None:
                if info.name != "kms:CreateGrant":
                    self.fail(grant.value_line("name"), say("grant_name_not_create", where=where, action=info.name))
                self.add_grant_name(grant_spec.name, key, grant.value_line("name"), f"{where}: grant")
        context = m.get("encryption_context")
        return RequestSpec(
            principal=principal,
            action=info.name,
            key=key,
            key_ref=m.get("key_ref") or "arn",
            destination_key=destination,
            encryption_context=dict(context) if context is not None else None,
            encryption_algorithm=m.get("encryption_algorithm"),
            grant=grant_spec,
            via_service=m.get("via_service"),
            source_ip=source_ip,
            mfa=bool(m.get("mfa")),
            session_policy=session_policy,
            session_tags=dict(m.get("session_tags") or {}),
            expect=expect,
            expect_error=expect_error,
            grant_ref=grant_ref,
            parameters=parameters,
            undo=bool(m.get("undo")),
            line=line,
        )

    def parameters(self, m: LineMap, action: str, where: str) -> Document | None:
        """`parameters:`: names of the operation's input (botocore's KMS model), values of the types it takes,
        references to keys and grants that exist by then. Required parameters may be left to the lab."""
        raw = m.get("parameters")
        if raw is None:
            return None
        line = m.value_line("parameters")
        operation = api_operation(action)
        if operation is None:
            self.fail(line, say("no_api_operation", where=where, action=action))
        shape = _kms_model().operation_model(operation).input_shape
        members = list(shape.members) if shape is not None else []
        for name in raw:
            if name not in members:
                self.fail(raw.key_line(name), say("no_such_parameter", where=where, operation=operation,
                                                  name=short(str(name)), dym=did_you_mean(name, members),
                                                  members=", ".join(members) or say("none")))
        params: Document = self.plain(raw, f"{where}: parameters", line)
        if "Policy" in params and isinstance(params["Policy"], str):
            self.document(params["Policy"], f"{where}: parameters: Policy", raw.value_line("Policy"))
        if isinstance(params.get("Policy"), dict):
            checked = {**params, "Policy": json.dumps(params["Policy"])}  # the lab sends the JSON text
        else:
            checked = params
        self.check_parameter_types(checked, shape, raw, where)
        return params

    def check_parameter_types(self, params: Document, shape: Any, raw: LineMap, where: str) -> None:
        """botocore's own check of the values (types, lengths), before the lab sends them."""
        from botocore.validate import ParamValidator

        report = ParamValidator().validate(params, shape)
        for error in getattr(report, "_errors", ()):
            kind, name = error[0], error[1]
            if kind == "missing required field" and not name:
                continue  # the lab fills in what the request needs
            top = name.lstrip(".").split(".")[0].split("[")[0]
            text = report._format_error(error)  # botocore's words: "Invalid type for parameter ..."
            self.fail(raw.value_line(top) if top in raw else raw.line, say("parameter_check", where=where, text=text))

    def grant_ref(self, m: LineMap, action: str, where: str, parameters: Document | None) -> str | None:
        """`grant_ref:`: a grant of the file that exists when the request runs (a key's, or an earlier request's)."""
        grant_ref: str | None = m.get("grant_ref")
        if grant_ref is None:
            return None
        line = m.value_line("grant_ref")
        if action not in ("kms:RetireGrant", "kms:RevokeGrant"):
            self.fail(line, say("grant_ref_action", where=where, action=action))
        if grant_ref not in self.grants:
            known = ", ".join(sorted(self.grants)) or say("none")
            self.fail(line, say("grant_ref_unknown", where=where, name=short(grant_ref),
                                dym=did_you_mean(grant_ref, self.grants), known=known))
        if parameters is not None and "GrantId" in parameters:
            self.fail(line, say("grant_ref_and_grant_id", where=where))
        return grant_ref

    def key_of_parameters(self, m: LineMap, key: str | None, parameters: Document | None, where: str) -> str | None:
        """The request's key, also when `parameters: KeyId` names it: both must name the same key of the file."""
        key_id = parameters.get("KeyId") if parameters is not None else None
        if not isinstance(key_id, str):
            return key
        line = m["parameters"].value_line("KeyId")
        named = self.keys_named_by(key_id)
        if "key_ref" in m:
            self.fail(m.value_line("key_ref"), say("key_ref_and_key_id", where=where))
        if key is not None and key not in named:
            self.fail(line, say("key_id_other_key", where=where, value=short(key_id), key=key))
        if key is None and len(named) != 1:
            known = ", ".join(sorted(self.key_names)) or say("none")
            self.fail(line, say("key_id_several" if named else "key_id_none", where=where, value=short(key_id),
                                known=known))
        return key if key is not None else next(iter(named))

    def keys_named_by(self, value: str) -> set[str]:
        """The keys of the file a KeyId value names: ${key:NAME}, ${key_id:NAME}, an alias or an alias ARN."""
        match = REF.fullmatch(value)
        if match and match.group(1) in ("key", "key_id"):
            return {match.group(2)} & self.key_names
        arn = _ALIAS_ARN.match(value)
        alias = (arn.group(1) if arn else value).removeprefix("alias/")
        if not (arn or value.startswith("alias/")):
            return set()
        return {name for name, spec in self.keys.items() if alias == name or alias in spec.aliases}

    def key_ref_name(self, m: LineMap, field_name: str, where: str) -> str | None:
        name = m.get(field_name)
        if name is not None and name not in self.key_names:
            known = ", ".join(sorted(self.key_names)) or say("none")
            self.fail(m.value_line(field_name), say("not_a_key", where=where, field=field_name, name=short(name),
                                                    dym=did_you_mean(name, self.key_names), known=known))
        return name


def _reject_constant(name: str) -> Any:
    raise ValueError(say("json_constant", name=name))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose names are unique, as the YAML reader requires (AWS's parser would
    otherwise keep one of two `"Effect"`s silently)."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise ValueError(say("json_duplicate", name=short(name)))
        out[name] = value
    return out


def _depth(value: Any) -> int:
    """How deeply a JSON value nests (without recursion: the value may be as deep as the parser allows)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            stack += [(child, depth + 1) for child in node]
    return deepest


def check_size(scenario: Scenario, data: LineMap, source: str) -> None:
    """The work a file asks of the lab: at most MAX_SETUP_OBJECTS to build and MAX_REQUESTS to run."""
    objects = sum(
        len(a.users) + len(a.groups) + len(a.roles) + len(a.policies) + len(a.scps or ())
        for a in scenario.accounts.values()
    ) + sum(1 + len(k.aliases) + len(k.grants) for k in scenario.keys.values())
    if objects > MAX_SETUP_OBJECTS:
        raise ScenarioError(source, data.line, say("too_many_objects", count=f"{objects:,}",
                                                   limit=f"{MAX_SETUP_OBJECTS:,}"))
    if scenario.requests is not None:
        count, which = len(scenario.requests), "too_many_requests"
    else:
        keyed = sum(1 for a in STANDARD_ACTIONS if action_info(a).takes_key)
        count = len(scenario.principals()) * (keyed * len(scenario.keys) + len(STANDARD_ACTIONS) - keyed)
        which = "too_many_standard"
    if count > MAX_REQUESTS:
        line = data.value_line("requests") if "requests" in data else data.line
        raise ScenarioError(source, line, say(which, count=f"{count:,}", limit=f"{MAX_REQUESTS:,}"))
