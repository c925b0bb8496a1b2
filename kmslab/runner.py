"""Scenario files in the lab: build the world they describe, replay their requests, check expectations.

Knows the scenario format (kmslab.scenario) and the lab; nothing of widgets.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from .engine import STANDARD_ACTIONS, action_info
from .engine.policy import aws_principal_ids, statement_list
from .lab import Lab, LabError, Outcome
from .scenario import Scenario, load_scenario, substitute_key_refs

# A grant id that names no grant: what a request's grant_ref sends when its grant was never made (the CreateGrant
# request that would have made it was refused). AWS's grant ids are 64 hexadecimal digits.
NO_GRANT_ID = "0" * 64


class ScenarioBuildError(RuntimeError):
    """AWS refused to build part of the world (e.g. a key policy naming a missing principal)."""

    def __init__(self, source: str, key: str, code: str, message: str) -> None:
        what = f"key {key!r}: AWS refused to create it" if key else "AWS refused to build the world"
        super().__init__(f"{source}: {what}: {code}: {message}")
        self.source, self.key, self.code, self.message = source, key, code, message


@dataclass
class WorldRefs:
    """What the file's references stand for in a built world: each key's ARN and id, each named grant's id.

    Grants named by CreateGrant requests join as those requests make them; a grant once named keeps its id
    (after it is retired or revoked, a reference still names it, and AWS answers for a grant that is gone).
    """

    arns: dict[str, str]
    ids: dict[str, str]
    grants: dict[str, str]

    @classmethod
    def of(cls, lab: Lab, scenario: Scenario) -> WorldRefs:
        refs = cls({}, {}, {})
        refs.refresh(lab, scenario)
        return refs

    def refresh(self, lab: Lab, scenario: Scenario) -> None:
        """Look the keys and named grants up in the lab (setup reads, not requests)."""
        names = _grant_names(scenario)
        for key in lab.key_names():
            if key in scenario.keys:
                self.arns[key], self.ids[key] = lab.key_arn(key), lab.key_id(key)
            if names:
                for grant in lab.grants(key):
                    if grant.get("Name") in names:
                        self.grants.setdefault(grant["Name"], grant["GrantId"])

    def substitute(self, document: Any) -> Any:
        return substitute_key_refs(document, self.arns, self.ids, self.grants)


def _grant_names(scenario: Scenario) -> set[str]:
    names = {g.name for k in scenario.keys.values() for g in k.grants if g.name}
    names |= {r.grant.name for r in scenario.requests or () if r.grant is not None and r.grant.name}
    return names


@dataclass(frozen=True)
class KeyBuild:
    """How building one key went: created, or refused with an AWS error code."""

    key: str
    error: str | None = None
    message: str | None = None
    expected_error: str | None = None


def build_world(lab: Lab, scenario: Scenario, *, strict: bool = True) -> list[KeyBuild]:
    """Create the scenario's accounts, principals, policies and keys in `lab` through boto3.

    A key AWS would refuse raises ScenarioBuildError unless the file expects that error
    (or `strict` is False); the other keys are still built. Policies that name keys
    (`${key:NAME}`) are created once the keys exist.
    """
    try:
        return _build(lab, scenario, strict)
    except ClientError as exc:
        error = exc.response["Error"]
        raise ScenarioBuildError(_source(scenario), "", error.get("Code", ""), error.get("Message", "")) from None


def _build(lab: Lab, scenario: Scenario, strict: bool) -> list[KeyBuild]:
    late_inline: list[tuple[str, str, Any]] = []  # (principal ARN, policy name, document)
    late_attach: list[tuple[str, str]] = []  # (principal ARN, customer managed policy name)
    late_policies: list[tuple[str, str, Any]] = []  # (account, name, document)
    for account_id in scenario.accounts:
        lab.add_account(account_id)
    for account_id, account in scenario.accounts.items():
        late = {name for name, doc in account.policies.items() if _mentions_keys(doc)}
        for name, doc in account.policies.items():
            if name in late:
                late_policies.append((account_id, name, doc))
            else:
                lab.create_policy(name, doc, account=account_id)

        def split(arn: str, principal: Any, late: set[str] = late) -> tuple[list[str], dict[str, Any]]:
            managed = [p for p in principal.managed_policies if p not in late]
            late_attach.extend((arn, p) for p in principal.managed_policies if p in late)
            inline = {}
            for pname, doc in principal.inline_policies.items():
                if _mentions_keys(doc):
                    late_inline.append((arn, pname, doc))
                else:
                    inline[pname] = doc
            return managed, inline

        for name, group in account.groups.items():
            managed, inline = split(f"arn:aws:iam::{account_id}:group/{name}", group)
            lab.create_group(name, account=account_id, managed_policies=managed, inline_policies=inline)
        for name, user in account.users.items():
            managed, inline = split(f"arn:aws:iam::{account_id}:user/{name}", user)
            lab.create_user(
                name,
                account=account_id,
                managed_policies=managed,
                inline_policies=inline,
                groups=user.groups,
                permissions_boundary=user.permissions_boundary,
                tags=user.tags,
            )
        for name, role in account.roles.items():
            managed, inline = split(f"arn:aws:iam::{account_id}:role/{name}", role)
            lab.create_role(
                name,
                account=account_id,
                trust_policy=role.trust_policy,
                managed_policies=managed,
                inline_policies=inline,
                permissions_boundary=role.permissions_boundary,
                tags=role.tags,
            )
        if account.scps is not None:
            lab.set_scps(account_id, account.scps)

    results: list[KeyBuild] = []
    arns: dict[str, str] = {}
    ids: dict[str, str] = {}
    # Keys first without their policies' ${key:...} references resolved is impossible; AWS needs the
    # final policy at CreateKey. Create keys in file order; a reference to a later key is resolved by a
    # PutKeyPolicy once every key exists.
    deferred: list[tuple[str, Any]] = []
    stand_ins = _StandIns(lab)
    for name, spec in scenario.keys.items():
        policy = stand_ins.policy(spec.policy, spec.account)
        needs_later = policy is not None and _mentions_keys(policy)
        try:
            lab.create_key(
                name,
                account=spec.account,
                policy=None if needs_later else policy,
                created_by=spec.created_by or None,
                bypass_lockout_check=spec.bypass_lockout_check,
                key_spec=spec.key_spec or "SYMMETRIC_DEFAULT",
                key_usage=spec.key_usage or _usage(spec.key_spec),
                enabled=True,
                aliases=spec.aliases,
                tags=spec.tags,
                **_origin_options(lab, spec),
            )
        except ClientError as exc:
            error = exc.response["Error"]
            results.append(KeyBuild(name, error.get("Code"), error.get("Message"), spec.expect_error))
            if strict and spec.expect_error is None:
                raise ScenarioBuildError(
                    _source(scenario), name, error.get("Code", ""), error.get("Message", "")
                ) from None
            continue
        arns[name], ids[name] = lab.key_arn(name), lab.key_id(name)
        if needs_later:
            deferred.append((name, policy))
        results.append(KeyBuild(name, expected_error=spec.expect_error))

    def put_deferred(name: str, policy: Any) -> None:
        nonlocal results
        spec = scenario.keys[name]
        try:
            lab.put_key_policy(
                name, substitute_key_refs(policy, arns, ids, grant_ids),
                bypass_lockout_check=spec.bypass_lockout_check,
            )
        except ClientError as exc:
            error = exc.response["Error"]
            results = [r for r in results if r.key != name]
            results.append(KeyBuild(name, error.get("Code"), error.get("Message"), spec.expect_error))
            if strict and spec.expect_error is None:
                raise ScenarioBuildError(
                    _source(scenario), name, error.get("Code", ""), error.get("Message", "")
                ) from None

    grant_ids: dict[str, str] = {}
    for name, policy in deferred:
        if not _mentions_grants(policy):
            put_deferred(name, policy)
    # The keys' grants (as the setup administrator: grants name no key policy), then what names them.
    for name, spec in scenario.keys.items():
        if name not in arns:
            continue
        for grant in spec.grants:
            grant_id = lab.create_grant(
                name,
                grant.grantee,
                grant.operations,
                constraints=_constraints(grant),
                retiring_principal=grant.retiring_principal,
                name=grant.name,
            )
            if grant.name:
                grant_ids[grant.name] = grant_id
    for name, policy in deferred:
        if _mentions_grants(policy) and name in arns and not any(r.key == name and r.error for r in results):
            put_deferred(name, policy)
    stand_ins.delete()  # AWS writes their unique ids into the key policies
    # Identity policies that name keys or grants, now that they exist.
    for account_id, name, doc in late_policies:
        lab.create_policy(name, substitute_key_refs(doc, arns, ids, grant_ids), account=account_id)
    for arn, policy in late_attach:
        lab.attach_policy(arn, policy)
    for arn, pname, doc in late_inline:
        lab.put_inline_policy(arn, pname, substitute_key_refs(doc, arns, ids, grant_ids))
    # Each key reaches its state as AWS reaches it, once its aliases, tags, grants and policy are in place.
    for name, spec in scenario.keys.items():
        if name in arns and not any(r.key == name and r.error for r in results):
            _reach_state(lab, name, spec, arns[name])
    lab.set_clock(scenario.now)
    return results


def _origin_options(lab: Lab, spec: Any) -> dict[str, Any]:
    """create_key's options for a key's origin and multi-Region, given only when the file asks for them."""
    options: dict[str, Any] = {}
    if spec.origin != "AWS_KMS":
        options["origin"] = spec.origin
    if spec.multi_region:
        options["multi_region"] = True
    accepted = inspect.signature(lab.create_key).parameters
    missing = [o for o in options if o not in accepted]
    if missing:
        raise LabError(f"This kmslab cannot create keys with {' or '.join(missing)} yet (Lab.create_key takes no "
                       f"{', '.join(missing)}=).")
    return options


def _reach_state(lab: Lab, name: str, spec: Any, arn: str) -> None:
    """Take a built key to the file's `state` the way AWS gets there (key states:
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html): an EXTERNAL key gets its key
    material unless it is to stay PendingImport; Disabled is DisableKey; PendingDeletion is ScheduleKeyDeletion
    (AWS's default waiting period, 30 days)."""
    state = spec.key_state
    kms = lab.admin("kms", spec.account)
    if spec.origin == "EXTERNAL" and state != "PendingImport":
        lab.import_key_material(name)
    if state == "Disabled":
        kms.disable_key(KeyId=arn)
    elif state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=arn)


# A principal's unique id: AIDA... for an IAM user, AROA... for a role (IAM User Guide, "Unique identifiers").
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
_DELETED_KINDS = {"AIDA": "user", "AROA": "role"}
_UNIQUE_ID = re.compile(r"^(AIDA|AROA)[A-Z0-9]{17}$")


def deleted_principals(policy: Any) -> list[str]:
    """Unique ids (AIDA.../AROA...) named as principals in a key policy, in order, each once.

    AWS shows such an id where a key policy named a user or role that was deleted since; KMS
    refuses to save a policy naming one (PutKeyPolicy: MalformedPolicyDocumentException,
    "invalid principals"), so a world holding one can only be reached by deleting the principal.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
    https://repost.aws/knowledge-center/kms-policy-error-invalid-principals
    """
    doc = json.loads(policy) if isinstance(policy, str) else policy
    found: list[str] = []
    for statement in statement_list(doc) if isinstance(doc, Mapping) else ():
        for element in ("Principal", "NotPrincipal"):
            for ident in aws_principal_ids(statement, element) if isinstance(statement, Mapping) else ():
                if isinstance(ident, str) and _UNIQUE_ID.match(ident) and ident not in found:
                    found.append(ident)
    return found


def _with_stand_ins(policy: Any, stand_ins: Mapping[str, str]) -> Any:
    """The policy with each deleted principal's unique id replaced by its stand-in's ARN."""
    doc = copy.deepcopy(json.loads(policy) if isinstance(policy, str) else policy)
    for statement in statement_list(doc):
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            if isinstance(principal, dict) and "AWS" in principal:
                aws = principal["AWS"]
                principal["AWS"] = ([stand_ins.get(a, a) for a in aws] if isinstance(aws, list)
                                    else stand_ins.get(aws, aws))
    return doc


class _StandIns:
    """Principals that exist only while the keys are built, then are deleted as in AWS's history.

    A key policy in a scenario may hold a deleted principal's unique id (as GetKeyPolicy shows it).
    The lab reaches that state as AWS did: a stand-in user or role is named in the key policy at
    CreateKey and deleted afterwards, which puts a unique id in its place. The id is a new one
    (AWS never reuses them); it matches no principal, like the file's, so every answer is the same.
    """

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.made: dict[str, tuple[str, str, str]] = {}  # unique id -> (kind, name, account)

    def policy(self, policy: Any, account: str) -> Any:
        ids = deleted_principals(policy) if policy is not None else []
        if not ids:
            return policy
        taken = {arn.rsplit("/", 1)[-1].lower() for arn in self.lab.principals()}
        arns = {}
        for uid in ids:
            if uid not in self.made:
                kind = _DELETED_KINDS[uid[:4]]
                name = next(n for n in (f"deleted-{kind}-{i}" for i in range(1, 10_000)) if n not in taken)
                taken.add(name)
                if kind == "user":
                    self.lab.create_user(name, account=account)
                else:
                    self.lab.create_role(name, account=account)
                self.made[uid] = (kind, name, account)
            kind, name, acct = self.made[uid]
            arns[uid] = f"arn:aws:iam::{acct}:{kind}/{name}"
        return _with_stand_ins(policy, arns)

    def delete(self) -> None:
        for kind, name, account in self.made.values():
            if kind == "user":
                self.lab.delete_user(name, account=account)
            else:
                self.lab.admin("iam", account).delete_role(RoleName=name)
        self.made = {}


def _usage(key_spec: str | None) -> str:
    """The KeyUsage a file's key gets when it names only a key spec: the first usage AWS allows for the spec
    (engine.key_specs.KEY_USAGES; AWS's own default, ENCRYPT_DECRYPT, is refused for ECC, ML-DSA, ML-KEM
    and HMAC specs). An unknown spec keeps AWS's default, and CreateKey refuses the spec as AWS does."""
    from .engine.key_specs import DEFAULT_KEY_USAGE, KEY_USAGES

    allowed = KEY_USAGES.get(key_spec or "SYMMETRIC_DEFAULT")
    return allowed[0] if allowed else DEFAULT_KEY_USAGE


def _source(scenario: Scenario) -> str:
    return scenario.path or f"<scenario {scenario.name}>"


def _constraints(grant: Any) -> dict[str, dict[str, str]]:
    out = {}
    if grant.encryption_context_equals:
        out["encryption_context_equals"] = dict(grant.encryption_context_equals)
    if grant.encryption_context_subset:
        out["encryption_context_subset"] = dict(grant.encryption_context_subset)
    return out


def _mentions_keys(document: Any) -> bool:
    """Whether a document holds a reference that can be resolved only once the keys (or grants) exist."""
    text = document if isinstance(document, str) else json.dumps(document)
    return "${key:" in text or "${key_id:" in text or "${grant_id:" in text


def _mentions_grants(document: Any) -> bool:
    text = document if isinstance(document, str) else json.dumps(document)
    return "${grant_id:" in text


def scenario_requests(lab: Lab, scenario: Scenario) -> list[dict[str, Any]]:
    """The file's requests, or every principal x the standard actions x every key."""
    if scenario.requests is not None:
        return [_request_kwargs(r) for r in scenario.requests]
    out = []
    for principal in lab.principals():
        for action in STANDARD_ACTIONS:
            if action_info(action).takes_key:
                out += [{"principal": principal, "action": action, "key": k} for k in scenario.keys]
            else:
                out.append({"principal": principal, "action": action})
    return out


def _request_kwargs(r: Any) -> dict[str, Any]:
    grant = None
    if r.grant is not None:
        grant = {
            "grantee": r.grant.grantee,
            "operations": list(r.grant.operations),
            "constraints": _constraints(r.grant),
            "retiring_principal": r.grant.retiring_principal,
        }
    return {
        "principal": r.principal,
        "action": r.action,
        "key": r.key,
        "destination_key": r.destination_key,
        "key_ref": r.key_ref or "arn",
        "encryption_context": r.encryption_context,
        "encryption_algorithm": r.encryption_algorithm,
        "grant": grant,
        "via_service": r.via_service,
        "source_ip": r.source_ip,
        "mfa": bool(r.mfa),
        "session_policy": r.session_policy,
        "session_tags": r.session_tags,
        "parameters": _parameters(r),
        # A file's requests run in order: what one changes, the next ones see (as in AWS), unless it says undo.
        "keep": not r.undo,
    }


def _parameters(r: Any) -> dict[str, Any] | None:
    """The request's API parameters as the file gives them, references still unresolved (`resolve_request`):
    its `parameters`, the grant its grant_ref names, the Name of the grant a CreateGrant makes."""
    params = dict(r.parameters or {})
    if r.grant_ref is not None:
        params["GrantId"] = f"${{grant_id:{r.grant_ref}}}"
    if r.grant is not None and r.grant.name and "Name" not in params:
        params["Name"] = r.grant.name
    return params or None


def resolve_request(kwargs: dict[str, Any], refs: WorldRefs) -> dict[str, Any]:
    """A request's keyword arguments with the file's references resolved in the world as it is now (a grant
    made by an earlier request included); a parameters' Policy mapping becomes the JSON text AWS takes."""
    out = dict(kwargs)
    if out.get("session_policy") is not None:
        out["session_policy"] = refs.substitute(out["session_policy"])
    params = out.get("parameters")
    if params:
        params = refs.substitute(params)
        if "GrantId" in params and params["GrantId"].startswith("${grant_id:"):
            params["GrantId"] = NO_GRANT_ID  # its grant was never made
        if isinstance(params.get("Policy"), Mapping):
            params["Policy"] = json.dumps(params["Policy"])
        out["parameters"] = params
    return out


def run_request(lab: Lab, failed_keys: set[str], **kwargs: Any) -> Outcome:
    """One request; a request on a key that failed to build answers NotFoundException."""
    key = kwargs.get("key")
    if key in failed_keys or kwargs.get("destination_key") in failed_keys:
        missing = key if key in failed_keys else kwargs["destination_key"]
        return Outcome(
            principal=lab.principal_arn(kwargs["principal"]),
            action=kwargs["action"],
            key=key,
            decision="error",
            error="NotFoundException",
            message=f"Key {missing!r} does not exist (building it failed)",
            reason="the key was never created",
        )
    return lab.request(**{k: v for k, v in kwargs.items() if v is not None})


@dataclass
class ScenarioRun:
    """A scenario replayed in a lab."""

    scenario: Scenario
    builds: list[KeyBuild]
    requests: list[dict[str, Any]]
    outcomes: list[Outcome]

    def mismatches(self) -> list[str]:
        """One line per expectation that does not hold (key builds and requests)."""
        out = []
        for build in self.builds:
            if build.expected_error and build.error != build.expected_error:
                got = build.error or "created"
                out.append(f"{_source(self.scenario)}: key {build.key!r}: expected {build.expected_error}, got {got}")
        specs = self.scenario.requests or ()
        for spec, outcome in zip(specs, self.outcomes, strict=False):
            expect = getattr(spec, "expect", None)
            if expect is None:
                continue
            ok = outcome.decision == expect
            if ok and expect == "error" and spec.expect_error:
                ok = outcome.error == spec.expect_error
            if not ok:
                got = outcome.decision + (f" ({outcome.error})" if outcome.error else "")
                want = expect + (f" ({spec.expect_error})" if getattr(spec, "expect_error", None) else "")
                line = f":{spec.line}" if getattr(spec, "line", None) else ""
                out.append(
                    f"{_source(self.scenario)}{line}: {outcome.principal} {outcome.action}"
                    f"{' on ' + outcome.key if outcome.key else ''}: expected {want}, got {got}"
                    f" — {outcome.reason}"
                )
        return out

    def checked(self) -> int:
        builds = sum(1 for b in self.builds if b.expected_error)
        return builds + sum(1 for r in (self.scenario.requests or ()) if getattr(r, "expect", None))


def run_scenario(source: str | Path | Scenario, *, lab: Lab | None = None, strict: bool = True) -> ScenarioRun:
    """Load (if a path), build in a fresh lab (or `lab`, reset), replay every request."""
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    own = lab is None
    lab = lab or Lab(region=scenario.region, account=next(iter(scenario.accounts), "111122223333"))
    if not own:
        lab.reset()
    try:
        builds = build_world(lab, scenario, strict=strict)
        failed = {b.key for b in builds if b.error}
        requests = scenario_requests(lab, scenario)
        refs = WorldRefs.of(lab, scenario)
        outcomes = []
        for r in requests:
            outcomes.append(run_request(lab, failed, **resolve_request(r, refs)))
            if r["action"] == "kms:CreateGrant" and outcomes[-1].decision == "allowed":
                refs.refresh(lab, scenario)
    finally:
        if own:
            lab.stop()
    return ScenarioRun(scenario, builds, requests, outcomes)


class LoadError(RuntimeError):
    """A scenario could not replace a lab's world; the lab's world is as it was."""


# Building a scenario is bounded by the loader's limits (sizes, depth, aliases); this is a backstop.
DRY_RUN_TIMEOUT = 300.0


def load_world(lab: Lab, source: str | Path | Scenario, *, strict: bool = True,
               dry_run: bool = True) -> tuple[Scenario, list[KeyBuild]]:
    """Replace the lab's world with a scenario's, all or nothing: on any failure the world stays as it was.

    moto holds one world per process, so the new world is first built apart, in a fresh Python
    process (`dry_run`, about two seconds); only when that succeeded is this lab reset and built.
    Should the build here fail anyway, the previous world is rebuilt from its export (same
    principals, policies, keys and answers; new key ids). Raises ScenarioError (the file),
    ScenarioBuildError (AWS refused part of the world) or LoadError.
    """
    from .export import export_scenario  # export reads labs back; it does not import the runner

    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    if dry_run:
        _dry_run(lab, scenario, strict)
    backup = export_scenario(lab, actions=())
    with lab.batch():
        lab.reset()
        try:
            builds = build_world(lab, scenario, strict=strict)
        except BaseException:
            lab.reset()
            build_world(lab, backup, strict=False)
            raise
    return scenario, builds


def _dry_run(lab: Lab, scenario: Scenario, strict: bool) -> None:
    """Build `scenario` in a fresh lab in another process; raise what building it raised."""
    import subprocess
    import sys

    from .scenario import dump_scenario

    job = {"text": dump_scenario(scenario), "source": _source(scenario), "strict": strict,
           "region": lab.region, "account": lab.account, "accounts": lab.accounts}
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run([sys.executable, "-c", "from kmslab.runner import _dry_run_child; _dry_run_child()"],
                              input=json.dumps(job), capture_output=True, text=True, env=env,
                              timeout=DRY_RUN_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise LoadError(f"{_source(scenario)}: building the world took longer than {DRY_RUN_TIMEOUT:.0f} s; "
                        "the lab is unchanged.") from None
    except OSError as exc:
        raise LoadError(f"{_source(scenario)}: could not try the file in a scratch lab ({exc}); "
                        "the lab is unchanged.") from None
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except ValueError:
        answer = {}
    if answer.get("ok"):
        return
    if answer.get("code") is not None:
        raise ScenarioBuildError(answer["source"], answer["key"], answer["code"], answer["message"])
    detail = answer.get("message") or (done.stderr.strip().splitlines() or ["no answer"])[-1]
    raise LoadError(f"{_source(scenario)}: building the world failed: {detail}; the lab is unchanged.")


def _dry_run_child() -> None:
    """The scratch process of `_dry_run`: read the job from stdin, build, print one JSON line."""
    import sys

    from .scenario import parse_scenario

    job = json.loads(sys.stdin.read())
    answer: dict[str, Any] = {"ok": False}
    try:
        scenario = parse_scenario(job["text"], source=job["source"])
        with Lab(region=job["region"], account=job["account"], accounts=job["accounts"]) as lab:
            build_world(lab, scenario, strict=job["strict"])
        answer = {"ok": True}
    except ScenarioBuildError as exc:
        answer.update(source=exc.source, key=exc.key, code=exc.code, message=exc.message)
    except Exception as exc:  # noqa: BLE001 - every failure is reported to the parent, which says it
        answer.update(message=f"{type(exc).__name__}: {exc}")
    print(json.dumps(answer))


def lab_from_scenario(source: str | Path | Scenario, *, strict: bool = True) -> Lab:
    """A running lab with the scenario's world built (requests not replayed)."""
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    lab = Lab(region=scenario.region, account=next(iter(scenario.accounts), "111122223333"))
    lab.scenario = scenario  # type: ignore[attr-defined]
    build_world(lab, scenario, strict=strict)
    return lab
