"""Scenario files in the lab: build the world they describe, replay their requests, check expectations.

Knows the scenario format (kmslab.scenario) and the lab; nothing of widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from .engine import STANDARD_ACTIONS, action_info
from .lab import Lab, Outcome
from .scenario import Scenario, load_scenario, substitute_key_refs


class ScenarioBuildError(RuntimeError):
    """AWS refused to build part of the world (e.g. a key policy naming a missing principal)."""

    def __init__(self, source: str, key: str, code: str, message: str) -> None:
        what = f"key {key!r}: AWS refused to create it" if key else "AWS refused to build the world"
        super().__init__(f"{source}: {what}: {code}: {message}")
        self.source, self.key, self.code, self.message = source, key, code, message


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
    for name, spec in scenario.keys.items():
        policy = spec.policy
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
    for name, policy in deferred:
        spec = scenario.keys[name]
        try:
            lab.put_key_policy(
                name, substitute_key_refs(policy, arns, ids), bypass_lockout_check=spec.bypass_lockout_check
            )
        except ClientError as exc:
            error = exc.response["Error"]
            results = [r for r in results if r.key != name]
            results.append(KeyBuild(name, error.get("Code"), error.get("Message"), spec.expect_error))
            if strict and spec.expect_error is None:
                raise ScenarioBuildError(
                    _source(scenario), name, error.get("Code", ""), error.get("Message", "")
                ) from None
    # Identity policies that name keys, now that the keys exist.
    for account_id, name, doc in late_policies:
        lab.create_policy(name, substitute_key_refs(doc, arns, ids), account=account_id)
    for arn, policy in late_attach:
        lab.attach_policy(arn, policy)
    for arn, pname, doc in late_inline:
        lab.put_inline_policy(arn, pname, substitute_key_refs(doc, arns, ids))
    for name, spec in scenario.keys.items():
        if name not in arns:
            continue
        for grant in spec.grants:
            lab.create_grant(
                name,
                grant.grantee,
                grant.operations,
                constraints=_constraints(grant),
                retiring_principal=grant.retiring_principal,
            )
        if not spec.enabled:
            lab.admin("kms", spec.account).disable_key(KeyId=arns[name])
    return results


def _usage(key_spec: str | None) -> str:
    """AWS's default KeyUsage for a key spec."""
    if key_spec and key_spec.startswith("HMAC"):
        return "GENERATE_VERIFY_MAC"
    if key_spec and key_spec.startswith("ECC_SECG") or (key_spec or "").startswith("ML_DSA"):
        return "SIGN_VERIFY"
    return "ENCRYPT_DECRYPT"


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
    import json

    text = document if isinstance(document, str) else json.dumps(document)
    return "${key:" in text or "${key_id:" in text


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
    }


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
        outcomes = [run_request(lab, failed, **r) for r in requests]
    finally:
        if own:
            lab.stop()
    return ScenarioRun(scenario, builds, requests, outcomes)


def lab_from_scenario(source: str | Path | Scenario, *, strict: bool = True) -> Lab:
    """A running lab with the scenario's world built (requests not replayed)."""
    scenario = source if isinstance(source, Scenario) else load_scenario(source)
    lab = Lab(region=scenario.region, account=next(iter(scenario.accounts), "111122223333"))
    lab.scenario = scenario  # type: ignore[attr-defined]
    build_world(lab, scenario, strict=strict)
    return lab
