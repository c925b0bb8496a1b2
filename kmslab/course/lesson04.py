"""Notebook 4, IAM policies take effect: key administrators and key users, least privilege, explicit Deny."""

from __future__ import annotations

from ..engine.words import N_
from ..exercises import Exercise, Words, allowed, denied, goal, key_policy_unchanged, say, verdict_question
from ..lab import Lab

T: dict[str, str] = {
    "admin_decrypt.title": N_("May a key administrator decrypt?"),
    "admin_decrypt.task": N_('{principal} is named in "Allow access for Key Administrators" and has no IAM policy. '
                             'May it call Decrypt with "{key}"? check("allowed") or check("denied").'),
    "admin_decrypt.hint1": N_("Read the action list of the key administrators' statement."),
    "admin_decrypt.hint2": N_("kms:Create*, kms:Describe*, kms:Put*, ... — is there a cryptographic operation among "
                              "them?"),
    "admin_decrypt.solution": N_("Denied: the key administrators' statement allows managing the key, not using it, "
                                 "and {principal} has no IAM policy that the root statement would let count."),
    "key_user.policy_changed": N_("The key policy of {key} changed: do it with an IAM policy of {user}."),
    "key_user.cannot": N_("{user} cannot {operation} with {key} yet: {reason}."),
    "key_user.manages": N_("{user} may also {operation}: a key user should not manage the key."),
    "key_user.other_key": N_("{user} may also use {other_key}: name only {key} in the Resource element."),
    "key_user.title": N_("A least-privilege key user through IAM"),
    "key_user.task": N_('Without changing the key policy, let {user} Encrypt and Decrypt with "{key}" — and not '
                        'manage it, and not use "{other_key}" — with `lab.put_inline_policy("{user}", ...)`. '
                        "Then check()."),
    "key_user.success": N_("{user} uses {key} and nothing else, through IAM alone."),
    "key_user.hint1": N_("The key policy allows the account, so an IAM policy of the user counts."),
    "key_user.hint2": N_('Resource: the key\'s ARN (lab.key_arn(...)), not "*".'),
    "deny_deletion.not_by_iam": N_("{user} is denied, but not by an explicit Deny in an IAM policy ({message}). "
                                   "Did you take away more than needed?"),
    "deny_deletion.title": N_("An explicit Deny in IAM"),
    "deny_deletion.task": N_("Without changing the key policy and without detaching AdministratorAccess, make sure "
                             '{user} can never schedule the deletion of "{key}", and may still use it. Then check().'),
    "deny_deletion.policy_changed": N_("The key policy of {key} changed: this time, use an IAM policy of {user}."),
    "deny_deletion.still": N_("{user} may still schedule the deletion of {key}: {reason}."),
    "deny_deletion.no_encrypt": N_("{user} can no longer Encrypt either: deny only kms:ScheduleKeyDeletion."),
    "deny_deletion.hint1": N_("An explicit Deny beats every Allow, wherever it is."),
    "deny_deletion.hint2": N_("An IAM policy can deny a KMS key without any permission from the key policy."),
}


def exercise_key_admin_decrypt(lab: Lab, key: str, principal: str = "key-admin") -> Exercise:
    """Predict whether a key administrator of the console's key policy may Decrypt."""
    return Exercise(
        title=say(T["admin_decrypt.title"]),
        task=say(T["admin_decrypt.task"], principal=principal, key=key),
        checker=verdict_question(lab, principal, "kms:Decrypt", key),
        hints=(say(T["admin_decrypt.hint1"]), say(T["admin_decrypt.hint2"])),
        solution_text=say(T["admin_decrypt.solution"], principal=principal),
    )


def exercise_least_privilege_key_user(lab: Lab, key: str = "app-key", user: str = "intern",
                                      other_key: str = "other-key") -> Exercise:
    """Give a user Encrypt and Decrypt on one key through IAM alone (key policy unchanged)."""
    requirements = [key_policy_unchanged(lab, key, otherwise=say(T["key_user.policy_changed"], key=key, user=user))]
    requirements += [allowed(lab, user, action, key,
                             otherwise=say(T["key_user.cannot"], user=user, operation=action[4:], key=key))
                     for action in ("kms:Encrypt", "kms:Decrypt")]
    requirements += [denied(lab, user, action, key,
                            otherwise=say(T["key_user.manages"], user=user, operation=action[4:]))
                     for action in ("kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion")]
    requirements.append(denied(lab, user, "kms:Encrypt", other_key,
                               otherwise=say(T["key_user.other_key"], user=user, other_key=other_key, key=key)))
    return Exercise(
        title=say(T["key_user.title"]),
        task=say(T["key_user.task"], user=user, key=key, other_key=other_key),
        checker=goal(requirements, success=lambda: say(T["key_user.success"], user=user, key=key)),
        hints=(say(T["key_user.hint1"]), say(T["key_user.hint2"]),
               f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Allow", "Action": [...], "Resource": ...}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "use-{key}", {{"Version": "2012-10-17", "Statement": '
                       f'[{{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], '
                       f'"Resource": lab.key_arn("{key}")}}]}})'),
    )


def exercise_deny_deletion(lab: Lab, key: str = "app-key", user: str = "it-admin") -> Exercise:
    """Stop an administrator from scheduling the key's deletion with an explicit Deny in IAM."""

    def denied_by_iam() -> Words | None:
        message = lab.request(user, "kms:ScheduleKeyDeletion", key).message or ""
        if "with an explicit deny in an identity-based policy" in message:
            return None
        return say(T["deny_deletion.not_by_iam"], user=user, message=message)

    return Exercise(
        title=say(T["deny_deletion.title"]),
        task=say(T["deny_deletion.task"], user=user, key=key),
        checker=goal([
            key_policy_unchanged(lab, key, otherwise=say(T["deny_deletion.policy_changed"], key=key, user=user)),
            denied(lab, user, "kms:ScheduleKeyDeletion", key,
                   otherwise=say(T["deny_deletion.still"], user=user, key=key)),
            denied_by_iam,
            allowed(lab, user, "kms:Encrypt", key, otherwise=say(T["deny_deletion.no_encrypt"], user=user)),
        ], success=lambda: lab.request(user, "kms:ScheduleKeyDeletion", key).message or ""),
        hints=(say(T["deny_deletion.hint1"]), say(T["deny_deletion.hint2"]),
               f'lab.put_inline_policy("{user}", "no-key-deletion", {{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Deny", "Action": "kms:...", "Resource": "*"}]})'),
        solution_text=(f'lab.put_inline_policy("{user}", "no-key-deletion", {{"Version": "2012-10-17", '
                       '"Statement": [{"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]})'),
    )
