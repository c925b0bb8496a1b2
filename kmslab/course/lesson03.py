"""Notebook 3, an unmanageable key: deleted administrators, unique ids, the lockout safety check."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ..engine.policy import account_statement
from ..engine.words import N_
from ..exercises import CheckResult, Exercise, Words, allowed, goal, prediction, say, verdict_question
from ..lab import Lab

T: dict[str, str] = {
    "same_name.title": N_("Predict the new user with the old name"),
    "same_name.task": N_('The key policy of "{key}" named {user}. {user} was deleted, and a new user {user} created. '
                         'May the new {user} call {operation} on "{key}"? check("allowed") or check("denied").'),
    "same_name.hint1": N_("A key policy does not store a principal by its name."),
    "same_name.hint2": N_("IAM gives every user a unique id (AIDA...), also a new user who reuses a deleted user's "
                          "name."),
    "same_name.solution": N_("Denied: the key policy holds the old {user}'s unique id; the new {user} has another "
                             "one."),
    "safety_check.refused": N_("Refused: {code}: {message}"),
    "safety_check.accepted": N_("Accepted: AWS accepted it (and the lab put the old policy back)."),
    "safety_check.title": N_("Will the safety check let it through?"),
    "safety_check.task": N_('{caller} calls PutKeyPolicy on "{key}" with the policy `candidate` (no bypass). Will AWS '
                            'accept it or refuse it? check("accepted") or check("refused"). The lab tries it and puts '
                            "the policy back."),
    "safety_check.why_not": N_("Would {caller} still be allowed PutKeyPolicy under the new policy?"),
    "safety_check.hint1": N_("The lockout safety check asks one question: could the caller call PutKeyPolicy again "
                             "under the new policy?"),
    "safety_check.hint2": N_("{caller} gets its permissions from AdministratorAccess, an IAM policy. Does the "
                             "candidate still let IAM policies count?"),
    "safety_check.solution": N_("Refused when the candidate drops the root statement (it-admin's IAM policy would no "
                                "longer count); accepted when the candidate keeps it or names it-admin directly."),
    "survives.refused": N_("AWS refused to create a key with this policy ({code}: {message})"),
    "survives.cannot_manage": N_("{admin} cannot manage the new key: {reason}."),
    "survives.nobody": N_("The lab made {name} with your policy, deleted {admin} and created {admin} again: now nobody "
                          "can change its key policy ({rescuer}: {reason})."),
    "survives.success": N_("The lab made {name} with your policy and deleted {admin}: {rescuer} can still change the "
                           "key policy ({reason})."),
    "survives.title": N_("A key that survives its administrator"),
    "survives.task": N_("Write a key policy (a dict) that makes {admin} a key administrator and keeps the key "
                        "manageable after {admin} is deleted. check(policy): the lab creates a key with it (as "
                        "{admin}), deletes {admin}, creates {admin} again and asks whether {rescuer} can still call "
                        "PutKeyPolicy."),
    "survives.hint1": N_("{admin} has no IAM policy: the key policy must name {admin_arn} directly."),
    "survives.hint2": N_("Who is left when every named principal is gone? The account itself, if the key policy "
                         "allows it."),
    "survives.hint3": N_('Two statements: the root statement ("Enable IAM User Permissions") and one naming '
                         "{admin_arn}."),
}


def exercise_predict_same_name(lab: Lab, key: str, user: str = "alice",
                               action: str = "kms:GetKeyPolicy") -> Exercise:
    """Predict whether a new user with a deleted key administrator's name gets the key back (real request)."""
    return Exercise(
        title=say(T["same_name.title"]),
        task=say(T["same_name.task"], key=key, user=user, operation=action.split(":")[1]),
        checker=verdict_question(lab, user, action, key),
        hints=(say(T["same_name.hint1"]), say(T["same_name.hint2"])),
        solution_text=say(T["same_name.solution"], user=user),
    )


def exercise_safety_check(lab: Lab, key: str, candidate: dict[str, Any], as_: str = "it-admin") -> Exercise:
    """Predict whether PutKeyPolicy of `candidate` passes the lockout safety check (the lab tries it)."""

    def actual() -> tuple[str, Words]:
        original = lab.key_policy(key)
        try:
            lab.put_key_policy(key, candidate, as_=as_)
        except ClientError as exc:
            error = exc.response["Error"]
            return "refused", say(T["safety_check.refused"], code=error["Code"], message=error["Message"])
        lab.put_key_policy(key, original, bypass_lockout_check=True)  # the lab puts the old policy back
        return "accepted", say(T["safety_check.accepted"])

    return Exercise(
        title=say(T["safety_check.title"]),
        task=say(T["safety_check.task"], caller=as_, key=key),
        checker=prediction(actual, ("accepted", "refused"), why_not=say(T["safety_check.why_not"], caller=as_)),
        hints=(say(T["safety_check.hint1"]), say(T["safety_check.hint2"], caller=as_)),
        solution_text=say(T["safety_check.solution"]),
    )


def _survives_solution(admin_arn: str) -> str:
    """The solution: the root statement (from the engine, which knows what it is) and one for the administrator."""
    statements = [account_statement(admin_arn.split(":")[4]),
                  {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": admin_arn},
                   "Action": "kms:*", "Resource": "*"}]

    def pairs(items: list[tuple[str, Any]]) -> str:
        return ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in items)

    # Each statement on two lines: Sid and Effect, then Principal, Action and Resource.
    lines = ",\n".join(f"  {{{pairs(list(s.items())[:2])},\n   {pairs(list(s.items())[2:])}}}" for s in statements)
    return f'check({{"Version": "2012-10-17", "Statement": [\n{lines}]}})'


def exercise_survives_deletion(lab: Lab, admin: str = "carol", rescuer: str = "it-admin") -> Exercise:
    """Write a key policy that keeps the key manageable after its only named administrator is deleted."""
    admin_arn = lab.principal_arn(admin)

    def check(policy: dict[str, Any] | str) -> CheckResult:
        name = next(f"exercise-key-{n}" for n in range(1, 1000) if f"exercise-key-{n}" not in lab.key_names())
        try:
            lab.create_key(name, policy=policy, created_by=admin)
        except ClientError as exc:
            error = exc.response["Error"]
            return CheckResult(False, say(T["survives.refused"], code=error["Code"],
                                          message=error["Message"]).render())

        def delete_and_recreate() -> None:
            lab.delete_user(admin)
            lab.create_user(admin)  # a new user with the same name: a new unique id

        return goal([
            allowed(lab, admin, "kms:PutKeyPolicy", name, otherwise=say(T["survives.cannot_manage"], admin=admin)),
            lambda: delete_and_recreate(),
            allowed(lab, rescuer, "kms:PutKeyPolicy", name,
                    otherwise=say(T["survives.nobody"], name=name, admin=admin, rescuer=rescuer)),
        ], success=lambda: say(T["survives.success"], name=name, admin=admin, rescuer=rescuer,
                               reason=lab.request(rescuer, "kms:PutKeyPolicy", name).reason))()

    return Exercise(
        title=say(T["survives.title"]),
        task=say(T["survives.task"], admin=admin, rescuer=rescuer),
        checker=check,
        hints=(say(T["survives.hint1"], admin=admin, admin_arn=admin_arn), say(T["survives.hint2"]),
               say(T["survives.hint3"], admin_arn=admin_arn)),
        solution_text=_survives_solution(admin_arn),
    )
