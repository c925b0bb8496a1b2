"""Notebook 3, an unmanageable key: deleted administrators, unique ids, the lockout safety check."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..exercises import CheckResult, Exercise, allowed, goal, prediction, verdict_question
from ..lab import Lab


def exercise_predict_same_name(lab: Lab, key: str, user: str = "alice",
                               action: str = "kms:GetKeyPolicy") -> Exercise:
    """Predict whether a new user with a deleted key administrator's name gets the key back (real request)."""
    return Exercise(
        title="Predict the new user with the old name",
        task=f'The key policy of "{key}" named {user}. {user} was deleted, and a new user {user} created. May the '
             f'new {user} call {action.split(":")[1]} on "{key}"? check("allowed") or check("denied").',
        checker=verdict_question(lab, user, action, key),
        hints=("A key policy does not store a principal by its name.",
               "IAM gives every user a unique id (AIDA...), also a new user who reuses a deleted user's name."),
        solution_text=f"Denied: the key policy holds the old {user}'s unique id; the new {user} has another one.",
    )


def exercise_safety_check(lab: Lab, key: str, candidate: dict[str, Any], as_: str = "it-admin") -> Exercise:
    """Predict whether PutKeyPolicy of `candidate` passes the lockout safety check (the lab tries it)."""

    def actual() -> tuple[str, str]:
        original = lab.key_policy(key)
        try:
            lab.put_key_policy(key, candidate, as_=as_)
        except ClientError as exc:
            error = exc.response["Error"]
            return "refused", f"Refused: {error['Code']}: {error['Message']}"
        lab.put_key_policy(key, original, bypass_lockout_check=True)  # the lab puts the old policy back
        return "accepted", "Accepted: AWS accepted it (and the lab put the old policy back)."

    return Exercise(
        title="Will the safety check let it through?",
        task=f'{as_} calls PutKeyPolicy on "{key}" with the policy `candidate` (no bypass). Will AWS accept it '
             'or refuse it? check("accepted") or check("refused"). The lab tries it and puts the policy back.',
        checker=prediction(actual, ("accepted", "refused"),
                           why_not=f"Would {as_} still be allowed PutKeyPolicy under the new policy?"),
        hints=("The lockout safety check asks one question: could the caller call PutKeyPolicy again "
               "under the new policy?",
               f"{as_} gets its permissions from AdministratorAccess, an IAM policy. Does the candidate still "
               "let IAM policies count?"),
        solution_text="Refused when the candidate drops the root statement (it-admin's IAM policy would no longer "
                      "count); accepted when the candidate keeps it or names it-admin directly.",
    )


def exercise_survives_deletion(lab: Lab, admin: str = "carol", rescuer: str = "it-admin") -> Exercise:
    """Write a key policy that keeps the key manageable after its only named administrator is deleted."""
    admin_arn = lab.principal_arn(admin)

    def check(policy: dict[str, Any] | str) -> CheckResult:
        name = next(f"exercise-key-{n}" for n in range(1, 1000) if f"exercise-key-{n}" not in lab.key_names())
        try:
            lab.create_key(name, policy=policy, created_by=admin)
        except ClientError as exc:
            error = exc.response["Error"]
            return CheckResult(False, f"AWS refused to create a key with this policy ({error['Code']}: "
                                      f"{error['Message']})")

        def delete_and_recreate() -> None:
            lab.delete_user(admin)
            lab.create_user(admin)  # a new user with the same name: a new unique id

        return goal([
            allowed(lab, admin, "kms:PutKeyPolicy", name, otherwise=f"{admin} cannot manage the new key: {{reason}}."),
            lambda: delete_and_recreate(),
            allowed(lab, rescuer, "kms:PutKeyPolicy", name,
                    otherwise=f"The lab made {name} with your policy, deleted {admin} and created {admin} again: "
                              f"now nobody can change its key policy ({rescuer}: {{reason}})."),
        ], success=lambda: f"The lab made {name} with your policy and deleted {admin}: {rescuer} can still change "
                           f"the key policy ({lab.request(rescuer, 'kms:PutKeyPolicy', name).reason}).")()

    return Exercise(
        title="A key that survives its administrator",
        task=f"Write a key policy (a dict) that makes {admin} a key administrator and keeps the key manageable "
             f"after {admin} is deleted. check(policy): the lab creates a key with it (as {admin}), "
             f"deletes {admin}, creates {admin} again and asks whether {rescuer} can still call PutKeyPolicy.",
        checker=check,
        hints=(f"{admin} has no IAM policy: the key policy must name {admin_arn} directly.",
               "Who is left when every named principal is gone? The account itself, if the key policy allows it.",
               'Two statements: the root statement ("Enable IAM User Permissions") and one naming '
               f"{admin_arn}."),
        solution_text=(
            'check({"Version": "2012-10-17", "Statement": [\n'
            '  {"Sid": "Enable IAM User Permissions", "Effect": "Allow",\n'
            f'   "Principal": {{"AWS": "arn:aws:iam::{admin_arn.split(":")[4]}:root"}}, '
            '"Action": "kms:*", "Resource": "*"},\n'
            '  {"Sid": "Allow access for Key Administrators", "Effect": "Allow",\n'
            f'   "Principal": {{"AWS": "{admin_arn}"}}, "Action": "kms:*", "Resource": "*"}}]}})'),
    )
