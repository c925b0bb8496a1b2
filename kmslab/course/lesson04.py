"""Notebook 4, IAM policies take effect: key administrators and key users, least privilege, explicit Deny."""

from __future__ import annotations

from ..exercises import Exercise, allowed, denied, goal, key_policy_unchanged, verdict_question
from ..lab import Lab


def exercise_key_admin_decrypt(lab: Lab, key: str, principal: str = "key-admin") -> Exercise:
    """Predict whether a key administrator of the console's key policy may Decrypt."""
    return Exercise(
        title="May a key administrator decrypt?",
        task=f'{principal} is named in "Allow access for Key Administrators" and has no IAM policy. May it call '
             f'Decrypt with "{key}"? check("allowed") or check("denied").',
        checker=verdict_question(lab, principal, "kms:Decrypt", key),
        hints=("Read the action list of the key administrators' statement.",
               "kms:Create*, kms:Describe*, kms:Put*, ... — is there a cryptographic operation among them?"),
        solution_text="Denied: the key administrators' statement allows managing the key, not using it, and "
                      f"{principal} has no IAM policy that the root statement would let count.",
    )


def exercise_least_privilege_key_user(lab: Lab, key: str = "app-key", user: str = "intern",
                                      other_key: str = "other-key") -> Exercise:
    """Give a user Encrypt and Decrypt on one key through IAM alone (key policy unchanged)."""
    requirements = [key_policy_unchanged(lab, key, otherwise=f"The key policy of {key} changed: do it with an IAM "
                                                             f"policy of {user}.")]
    requirements += [allowed(lab, user, action, key,
                             otherwise=f"{user} cannot {action[4:]} with {key} yet: {{reason}}.")
                     for action in ("kms:Encrypt", "kms:Decrypt")]
    requirements += [denied(lab, user, action, key,
                            otherwise=f"{user} may also {action[4:]}: a key user should not manage the key.")
                     for action in ("kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion")]
    requirements.append(denied(lab, user, "kms:Encrypt", other_key,
                               otherwise=f"{user} may also use {other_key}: name only {key} in the Resource element."))
    return Exercise(
        title="A least-privilege key user through IAM",
        task=f'Without changing the key policy, let {user} Encrypt and Decrypt with "{key}" — and not manage it, '
             f'and not use "{other_key}" — with `lab.put_inline_policy("{user}", ...)`. Then check().',
        checker=goal(requirements, success=lambda: f"{user} uses {key} and nothing else, through IAM alone."),
        hints=("The key policy allows the account, so an IAM policy of the user counts.",
               "Resource: the key's ARN (lab.key_arn(...)), not \"*\".",
               f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Allow", "Action": [...], "Resource": ...}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
                       f'[{{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], '
                       f'"Resource": lab.key_arn("{key}")}}]}})'),
    )


def exercise_deny_deletion(lab: Lab, key: str = "app-key", user: str = "it-admin") -> Exercise:
    """Stop an administrator from scheduling the key's deletion with an explicit Deny in IAM."""

    def denied_by_iam() -> str | None:
        message = lab.request(user, "kms:ScheduleKeyDeletion", key).message or ""
        if "with an explicit deny in an identity-based policy" in message:
            return None
        return (f"{user} is denied, but not by an explicit Deny in an IAM policy ({message}). "
                "Did you take away more than needed?")

    return Exercise(
        title="An explicit Deny in IAM",
        task=f'Without changing the key policy and without detaching AdministratorAccess, make sure {user} can '
             f'never schedule the deletion of "{key}", and may still use it. Then check().',
        checker=goal([
            key_policy_unchanged(lab, key, otherwise=f"The key policy of {key} changed: this time, use an IAM "
                                                     f"policy of {user}."),
            denied(lab, user, "kms:ScheduleKeyDeletion", key,
                   otherwise=f"{user} may still schedule the deletion of {key}: {{reason}}."),
            denied_by_iam,
            allowed(lab, user, "kms:Encrypt", key,
                    otherwise=f"{user} can no longer Encrypt either: deny only kms:ScheduleKeyDeletion."),
        ], success=lambda: lab.request(user, "kms:ScheduleKeyDeletion", key).message or ""),
        hints=("An explicit Deny beats every Allow, wherever it is.",
               "An IAM policy can deny a KMS key without any permission from the key policy.",
               f'lab.put_inline_policy("{user}", "no-key-deletion", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Deny", "Action": "kms:...", "Resource": "*"}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "no-key-deletion", {{"Version": "2012-10-17", '
                       '"Statement": [{"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]})'),
    )
